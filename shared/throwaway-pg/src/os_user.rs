use std::ffi::CString;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use crate::Error;

/// The OS user the server runs as: ourselves, or `postgres` when we are root.
pub(crate) struct OsUser {
    ids: Option<(u32, u32)>,
}

impl OsUser {
    pub(crate) fn for_server() -> Result<Self, Error> {
        if unsafe { libc::geteuid() } != 0 {
            return Ok(Self { ids: None });
        }
        let name = CString::new("postgres").expect("no NUL in a literal");
        let entry = unsafe { libc::getpwnam(name.as_ptr()) };
        if entry.is_null() {
            return Err(Error::Command {
                what: "looking up the `postgres` OS user",
                detail:
                    "running as root needs the `postgres` user (the postgresql package creates it)"
                        .into(),
            });
        }
        let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
        Ok(Self {
            ids: Some((uid, gid)),
        })
    }

    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        if let Some((uid, gid)) = self.ids {
            command.uid(uid).gid(gid);
            // initdb and postgres look up the user's home; stay out of root's.
            command.current_dir("/").env("HOME", "/tmp");
        }
        command
    }

    pub(crate) fn give(&self, dir: &Path) -> io::Result<()> {
        if let Some((uid, gid)) = self.ids {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid))?;
        }
        Ok(())
    }
}
