//! A loopback TCP relay between the service and PostgreSQL that lets tests inject network faults:
//! refused connections, a blackhole, added latency, and connections cut by a proxy or NAT. It also counts
//! the round trips the service makes: every `Sync` (the end of an extended-protocol statement) and every
//! simple `Query` a client sends is one trip to the server and back.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinHandle};

/// How the proxy treats traffic; see [`FaultProxy::set_mode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Relay bytes as they come.
    Pass,
    /// New connections are accepted then closed at once (the client reads EOF), as if the database
    /// were unreachable. Existing connections keep working.
    Refuse,
    /// Existing and new connections stay open but carry no bytes. Each direction holds the chunk it
    /// had read and stops reading (so TCP backpressure applies); held bytes are delivered, in order,
    /// when the mode leaves `Blackhole`, like a healed partition.
    Blackhole,
    /// Every chunk relayed in either direction is delayed by this much before it is written.
    Latency(Duration),
}

/// Counters since the proxy started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections accepted from clients, refused ones included.
    pub accepted: usize,
    /// Connections closed at once because the mode was [`Mode::Refuse`].
    pub refused: usize,
    /// Connections cut by [`FaultProxy::drop_connections`] or [`FaultProxy::close_idle`].
    pub cut: usize,
    /// Connections being relayed now.
    pub live: usize,
    /// Bytes read from either side for relaying.
    pub bytes: u64,
    /// Round trips clients asked for: `Sync` and `Query` messages sent to the server.
    pub round_trips: u64,
}

/// A relay on `127.0.0.1` to one upstream address. Dropping it closes the listener and every
/// relayed connection.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

struct Shared {
    mode: watch::Sender<Mode>,
    conns: Mutex<HashMap<u64, Conn>>,
    accepted: AtomicUsize,
    refused: AtomicUsize,
    cut: AtomicUsize,
    bytes: AtomicU64,
    round_trips: AtomicU64,
}

/// A live relayed connection: its task and when it last carried bytes.
struct Conn {
    task: AbortHandle,
    last_active: Arc<Mutex<Instant>>,
}

impl FaultProxy {
    /// The round trips `request` made through the proxy (every `Sync` and simple `Query`), and its output.
    pub async fn counting<T>(&self, request: impl std::future::Future<Output = T>) -> (u64, T) {
        let before = self.stats().round_trips;
        let output = request.await;
        (self.stats().round_trips - before, output)
    }

    /// Listens on `127.0.0.1:0` and relays every accepted connection to `upstream`.
    ///
    /// # Errors
    /// When the listener cannot be bound.
    pub async fn start(upstream: SocketAddr) -> io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            mode: watch::Sender::new(Mode::Pass),
            conns: Mutex::default(),
            accepted: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            cut: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            round_trips: AtomicU64::new(0),
        });
        let accept = tokio::spawn(accept_loop(listener, upstream, shared.clone()));
        Ok(FaultProxy {
            addr,
            shared,
            accept,
        })
    }

    /// A proxy in front of the loopback PostgreSQL that `url` names, and `url` through it.
    ///
    /// # Errors
    /// When `url` is not a PostgreSQL URL, or the listener cannot be bound.
    pub async fn in_front_of(url: &str) -> io::Result<(FaultProxy, String)> {
        let direct: tokio_postgres::Config = url
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let port = direct.get_ports().first().copied().unwrap_or(5432);
        let proxy = FaultProxy::start(([127, 0, 0, 1], port).into()).await?;
        let proxied = url.replacen(
            &format!(":{port}/"),
            &format!(":{}/", proxy.addr().port()),
            1,
        );
        Ok((proxy, proxied))
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Switches the mode for new connections and, from their next chunk, existing ones.
    pub fn set_mode(&self, mode: Mode) {
        self.shared.mode.send_replace(mode);
    }

    /// Closes every live relayed connection now (both sides), like a proxy or NAT dropping them.
    /// New connections still work unless the mode says otherwise. Returns how many were cut.
    pub fn drop_connections(&self) -> usize {
        self.shared.cut_where(|_| true)
    }

    /// Closes the connections that have carried no bytes for at least `idle`, like RDS Proxy's
    /// idle client timeout. Returns how many were cut.
    pub fn close_idle(&self, idle: Duration) -> usize {
        self.shared
            .cut_where(|conn| lock(&conn.last_active).elapsed() >= idle)
    }

    /// Counters since the proxy started.
    pub fn stats(&self) -> Stats {
        let s = &self.shared;
        Stats {
            accepted: s.accepted.load(Relaxed),
            refused: s.refused.load(Relaxed),
            cut: s.cut.load(Relaxed),
            live: s.conns().len(),
            bytes: s.bytes.load(Relaxed),
            round_trips: s.round_trips.load(Relaxed),
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.shared.cut_where(|_| true);
    }
}

impl Shared {
    fn conns(&self) -> MutexGuard<'_, HashMap<u64, Conn>> {
        lock(&self.conns)
    }

    /// Aborts the relay tasks of the matching connections; dropping their sockets closes both sides.
    fn cut_where(&self, matches: impl Fn(&Conn) -> bool) -> usize {
        let mut cut = Vec::new();
        self.conns().retain(|_, conn| {
            let hit = matches(conn);
            if hit {
                cut.push(conn.task.clone());
            }
            !hit
        });
        // Abort outside the lock: a finishing task's guard takes it to deregister.
        cut.iter().for_each(AbortHandle::abort);
        self.cut.fetch_add(cut.len(), Relaxed);
        cut.len()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, shared: Arc<Shared>) {
    for id in 0u64.. {
        let Ok((client, _)) = listener.accept().await else {
            // E.g. out of file descriptors: back off rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        shared.accepted.fetch_add(1, Relaxed);
        if *shared.mode.borrow() == Mode::Refuse {
            shared.refused.fetch_add(1, Relaxed);
            continue; // dropping `client` closes it
        }
        let last_active = Arc::new(Mutex::new(Instant::now()));
        // Register under the lock so the task cannot deregister before it is registered.
        let mut conns = shared.conns();
        let relay = relay(client, upstream, id, shared.clone(), last_active.clone());
        let task = tokio::spawn(relay).abort_handle();
        conns.insert(id, Conn { task, last_active });
    }
}

/// Removes a connection from the live set when its task ends or is aborted.
struct Deregister(Arc<Shared>, u64);

impl Drop for Deregister {
    fn drop(&mut self) {
        self.0.conns().remove(&self.1);
    }
}

async fn relay(
    client: TcpStream,
    upstream: SocketAddr,
    id: u64,
    shared: Arc<Shared>,
    last_active: Arc<Mutex<Instant>>,
) {
    // Only a cut aborts a task before its first poll, and a cut deregisters it itself.
    let _registered = Deregister(shared.clone(), id);
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    // Relayed chunks go out as they come, as PostgreSQL and its clients send them (no Nagle delay, which
    // would add tens of milliseconds to a delayed chunk).
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let (mut frames, mut unframed) = (Some(Frames::default()), None);
    let up = pump(
        client_read,
        server_write,
        &shared,
        &last_active,
        &mut frames,
    );
    let down = pump(
        server_read,
        client_write,
        &shared,
        &last_active,
        &mut unframed,
    );
    // An error either way closes both sides; a clean EOF is passed on as a half-close.
    let _ = tokio::try_join!(up, down);
}

async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    shared: &Shared,
    last_active: &Mutex<Instant>,
    frames: &mut Option<Frames>,
) -> io::Result<()> {
    let mut mode = shared.mode.subscribe();
    let mut buf = vec![0; 16 * 1024];
    loop {
        let n = from.read(&mut buf).await?;
        if n == 0 {
            return to.shutdown().await;
        }
        shared.bytes.fetch_add(n as u64, Relaxed);
        if let Some(frames) = frames {
            shared
                .round_trips
                .fetch_add(frames.read(&buf[..n]), Relaxed);
        }
        *lock(last_active) = Instant::now();
        // Waits on the watch channel (no polling) while blackholed.
        let current = *mode
            .wait_for(|m| *m != Mode::Blackhole)
            .await
            .map_err(|_| io::ErrorKind::BrokenPipe)?;
        if let Mode::Latency(delay) = current {
            tokio::time::sleep(delay).await;
        }
        to.write_all(&buf[..n]).await?;
        *lock(last_active) = Instant::now();
    }
}

/// The frontend messages of one connection, followed across chunks: the untyped startup packets (an SSL
/// or GSS request, then the startup message), then typed messages (a type byte, a 4-byte length that counts
/// itself, the body).
#[derive(Default)]
struct Frames {
    started: bool,
    /// The header read so far of the message being framed.
    header: Vec<u8>,
    /// Body bytes still to skip before the next header.
    skip: usize,
}

impl Frames {
    /// Reads `chunk` and returns how many `Sync` and `Query` messages ended in it.
    fn read(&mut self, mut chunk: &[u8]) -> u64 {
        let mut trips = 0;
        while !chunk.is_empty() {
            if self.skip > 0 {
                let n = self.skip.min(chunk.len());
                self.skip -= n;
                chunk = &chunk[n..];
                continue;
            }
            let header_len = if self.started { 5 } else { 4 };
            let n = (header_len - self.header.len()).min(chunk.len());
            self.header.extend_from_slice(&chunk[..n]);
            chunk = &chunk[n..];
            if self.header.len() < header_len {
                break;
            }
            let length = &self.header[header_len - 4..];
            let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]) as usize;
            self.skip = length.saturating_sub(4);
            if self.started {
                trips += u64::from(matches!(self.header[0], b'S' | b'Q'));
            } else if length != 8 {
                // Not an SSL or GSS encryption request (8 bytes): the startup message itself.
                self.started = true;
            }
            self.header.clear();
        }
        trips
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const WAIT: Duration = Duration::from_millis(200);

    /// A proxy in front of a local echo server.
    async fn echo_proxy() -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = socket.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        FaultProxy::start(upstream).await.unwrap()
    }

    async fn connect(proxy: &FaultProxy) -> TcpStream {
        TcpStream::connect(proxy.addr()).await.unwrap()
    }

    /// Sends `msg` and reads back as many bytes, within a second.
    async fn echo(stream: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
        stream.write_all(msg).await.unwrap();
        let mut back = vec![0; msg.len()];
        let read = stream.read_exact(&mut back);
        timeout(Duration::from_secs(1), read)
            .await
            .unwrap()
            .unwrap();
        back
    }

    /// The peer closed the connection: a read gives EOF or an error, quickly.
    async fn assert_closed(stream: &mut TcpStream) {
        let mut buf = [0; 16];
        match timeout(Duration::from_secs(1), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => {}
            other => panic!("expected a closed connection, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn passes_bytes_through() {
        let proxy = echo_proxy().await;
        let mut conn = connect(&proxy).await;
        assert_eq!(echo(&mut conn, b"hello").await, b"hello");
        let stats = proxy.stats();
        assert_eq!((stats.accepted, stats.live, stats.bytes), (1, 1, 10));
    }

    #[tokio::test]
    async fn refuse_closes_new_connections_only() {
        let proxy = echo_proxy().await;
        let mut existing = connect(&proxy).await;
        echo(&mut existing, b"a").await;
        proxy.set_mode(Mode::Refuse);
        assert_closed(&mut connect(&proxy).await).await;
        assert_eq!(echo(&mut existing, b"still").await, b"still");
        assert_eq!(proxy.stats().refused, 1);
        proxy.set_mode(Mode::Pass);
        assert_eq!(echo(&mut connect(&proxy).await, b"again").await, b"again");
    }

    #[tokio::test]
    async fn blackhole_stalls_then_resumes_on_pass() {
        let proxy = echo_proxy().await;
        let mut conn = connect(&proxy).await;
        echo(&mut conn, b"a").await;
        proxy.set_mode(Mode::Blackhole);
        conn.write_all(b"held").await.unwrap();
        let mut buf = [0; 4];
        assert!(timeout(WAIT, conn.read_exact(&mut buf)).await.is_err());
        let mut fresh = connect(&proxy).await;
        fresh.write_all(b"new").await.unwrap();
        assert!(timeout(WAIT, fresh.read(&mut buf)).await.is_err());
        proxy.set_mode(Mode::Pass);
        let mut held = [0; 4];
        timeout(Duration::from_secs(1), conn.read_exact(&mut held))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&held, b"held");
        assert_eq!(echo(&mut conn, b"more").await, b"more");
    }

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![kind];
        bytes.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn frames_count_each_sync_and_query_across_any_chunking() {
        let mut stream = 8u32.to_be_bytes().to_vec();
        stream.extend_from_slice(&80_877_103u32.to_be_bytes()); // an SSL request
        stream.extend_from_slice(&13u32.to_be_bytes());
        stream.extend_from_slice(b"\0\x03\0\0user\0"); // startup
        stream.extend(message(b'P', b"\0SELECT 'S'\0\0\0"));
        stream.extend(message(b'B', b"\0\0\0\0\0\0\0"));
        stream.extend(message(b'E', b"\0\0\0\0\0"));
        stream.extend(message(b'S', b""));
        stream.extend(message(b'Q', b"BEGIN\0"));
        stream.extend(message(b'X', b""));
        for chunk in [1, 2, 3, 7, stream.len()] {
            let mut frames = Frames::default();
            let trips: u64 = stream.chunks(chunk).map(|c| frames.read(c)).sum();
            assert_eq!(trips, 2, "chunks of {chunk}");
        }
    }

    #[tokio::test]
    async fn latency_delays_each_direction() {
        let proxy = echo_proxy().await;
        let mut conn = connect(&proxy).await;
        echo(&mut conn, b"a").await;
        proxy.set_mode(Mode::Latency(Duration::from_millis(100)));
        let start = Instant::now();
        assert_eq!(echo(&mut conn, b"slow").await, b"slow");
        assert!(start.elapsed() >= Duration::from_millis(200));
    }

    #[tokio::test]
    async fn drop_connections_cuts_live_ones() {
        let proxy = echo_proxy().await;
        let (mut a, mut b) = (connect(&proxy).await, connect(&proxy).await);
        echo(&mut a, b"a").await;
        echo(&mut b, b"b").await;
        assert_eq!(proxy.drop_connections(), 2);
        assert_closed(&mut a).await;
        assert_closed(&mut b).await;
        assert_eq!(echo(&mut connect(&proxy).await, b"new").await, b"new");
        let stats = proxy.stats();
        assert_eq!((stats.cut, stats.live), (2, 1));
    }

    #[tokio::test]
    async fn dropping_the_proxy_stops_it() {
        let proxy = echo_proxy().await;
        let (addr, mut conn) = (proxy.addr(), connect(&proxy).await);
        echo(&mut conn, b"a").await;
        drop(proxy);
        assert_closed(&mut conn).await;
        tokio::task::yield_now().await; // let the aborted accept task drop its listener
        assert!(TcpStream::connect(addr).await.is_err());
    }

    #[tokio::test]
    async fn close_idle_cuts_only_idle_ones() {
        let proxy = echo_proxy().await;
        let (mut idle, mut busy) = (connect(&proxy).await, connect(&proxy).await);
        echo(&mut idle, b"a").await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        echo(&mut busy, b"b").await;
        assert_eq!(proxy.close_idle(Duration::from_millis(100)), 1);
        assert_closed(&mut idle).await;
        assert_eq!(echo(&mut busy, b"alive").await, b"alive");
    }
}
