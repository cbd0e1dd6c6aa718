//! The local API over real HTTP, for black-box tests.

use std::net::SocketAddr;
use std::sync::Arc;

use local_api::{jwt, LocalApi};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::TestApp;

/// Secret the black-box tests sign their tokens with.
pub const TEST_JWT_SECRET: &[u8] = b"black-box-test-secret";

impl TestApp {
    /// Starts the local API over this test's database on a free loopback port; it stops with the test.
    pub async fn serve_http(&self) -> SocketAddr {
        self.serve_http_with(jwt::Configuration::default()).await
    }

    /// [`Self::serve_http`], with an authorizer that wants the issuer and audience of `jwt`.
    pub async fn serve_http_with(&self, jwt: jwt::Configuration) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let api = Arc::new(LocalApi {
            state: self.state.clone(),
            jwt_secret: TEST_JWT_SECRET.to_vec(),
            jwt,
        });
        tokio::spawn(api.serve(listener, std::future::pending()));
        addr
    }
}

/// A raw HTTP/1.1 exchange: returns the status and the body.
pub async fn http_request(
    addr: SocketAddr,
    request_head: &str,
    body: &[u8],
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr)
        .await
        .expect("connect to the local API");
    let head = format!(
        "{request_head}\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .expect("read response");
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, head.to_owned(), body.to_owned())
}
