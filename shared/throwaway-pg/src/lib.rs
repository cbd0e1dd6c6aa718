//! A throwaway PostgreSQL cluster: `initdb` into a fresh directory, `postgres` on a free loopback port,
//! gone again on [`Cluster::stop`] (or when the process that started it dies).
//!
//! Run as root, the server binaries run as the `postgres` OS user, since PostgreSQL refuses to run as root.

mod binaries;
mod os_user;

use std::fs;
use std::io;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

pub use binaries::find_bin_dir;
use os_user::OsUser;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("PostgreSQL server binaries not found: {0}")]
    BinariesNotFound(String),
    #[error("{what} failed: {detail}")]
    Command { what: &'static str, detail: String },
    #[error("PostgreSQL did not become ready within {0:?}; its log:\n{1}")]
    NotReady(Duration, String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Settings for a throwaway cluster. Durability is off: the data is disposable and tests want speed.
#[derive(Debug, Clone)]
pub struct Options {
    /// Extra `-c name=value` server settings.
    pub settings: Vec<(String, String)>,
    /// How long to wait for the server to accept connections.
    pub ready_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            settings: Vec::new(),
            ready_timeout: Duration::from_secs(60),
        }
    }
}

/// A running throwaway cluster. Dropping it stops the server and removes its data directory.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    port: u16,
    pid: u32,
    keeper: Option<thread::JoinHandle<()>>,
}

impl Cluster {
    /// Creates and starts a cluster with superuser `postgres` (trust auth, loopback only).
    pub fn start(options: &Options) -> Result<Self, Error> {
        let bin = find_bin_dir()?;
        let user = OsUser::for_server()?;
        let base = std::env::temp_dir().join("throwaway-pg");
        fs::create_dir_all(&base)?;
        remove_abandoned(&base);
        let dir = base.join(format!("{}-{}", std::process::id(), unique_suffix()));
        fs::create_dir_all(&dir)?;
        let data = dir.join("data");
        user.give(&dir)?;

        let initdb = user
            .command(bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()?;
        if !initdb.status.success() {
            let _ = fs::remove_dir_all(&dir);
            return Err(Error::Command {
                what: "initdb",
                detail: String::from_utf8_lossy(&initdb.stderr).into_owned(),
            });
        }

        let port = free_port()?;
        let mut server = user.command(bin.join("postgres"));
        server
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-h", "127.0.0.1", "-k"])
            .arg(&dir)
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "max_connections=300", "-c", "logging_collector=off"]);
        for (name, value) in &options.settings {
            server.arg("-c").arg(format!("{name}={value}"));
        }
        let log = fs::File::create(dir.join("server.log"))?;
        server
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        // If the process that started the server dies without stopping it, the server stops too.
        unsafe {
            server.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }

        let (pid, keeper) = spawn_kept(server)?;
        let cluster = Cluster {
            dir,
            port,
            pid,
            keeper: Some(keeper),
        };
        cluster.wait_ready(&data, options.ready_timeout)?;
        Ok(cluster)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connection URL for `database` as the superuser `postgres`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server (fast shutdown) and removes the data directory.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(keeper) = self.keeper.take() {
            unsafe {
                libc::kill(self.pid as libc::pid_t, libc::SIGINT);
            }
            let _ = keeper.join();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }

    fn wait_ready(&self, data: &Path, timeout: Duration) -> Result<(), Error> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            // postmaster.pid's status line says "ready" once connections are accepted.
            if let Ok(pidfile) = fs::read_to_string(data.join("postmaster.pid")) {
                if pidfile.lines().any(|line| line.trim() == "ready") {
                    return Ok(());
                }
            }
            if self.keeper.as_ref().is_none_or(|k| k.is_finished()) {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let log = fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        Err(Error::NotReady(timeout, log))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts the server from a thread that lives as long as the server does: the parent-death signal is tied
/// to the spawning thread, not the process.
fn spawn_kept(mut server: Command) -> Result<(u32, thread::JoinHandle<()>), Error> {
    let (tx, rx) = mpsc::channel::<io::Result<u32>>();
    let keeper = thread::Builder::new()
        .name("throwaway-pg".into())
        .spawn(move || match server.spawn() {
            Ok(mut child) => {
                let _ = tx.send(Ok(child.id()));
                wait_quietly(&mut child);
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        })?;
    let pid = rx
        .recv()
        .map_err(|_| io::Error::other("server thread ended"))??;
    Ok((pid, keeper))
}

fn wait_quietly(child: &mut Child) {
    let _ = child.wait();
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn unique_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// Removes directories left behind by clusters whose starting process no longer exists.
fn remove_abandoned(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        let alive = unsafe { libc::kill(pid, 0) } == 0
            || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        if !alive {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
