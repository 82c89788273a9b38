//! Connection handling on a raw socket: a polling device keeps its keep-alive connection
//! between polls, while idle connections and clients that never finish their headers are
//! closed after `keep_alive_idle_secs`.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::TestServer;

const IDLE_SECS: u64 = 2;

async fn server() -> TestServer {
    TestServer::start_with(|c| c.keep_alive_idle_secs = IDLE_SECS).await
}

fn addr(server: &TestServer) -> String {
    server.url.trim_start_matches("http://").to_string()
}

/// Sends one request and reads its whole response (status line, headers, body).
async fn request(stream: &mut TcpStream, path: &str) -> String {
    let head = format!("GET {path} HTTP/1.1\r\nHost: usher.test\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "connection closed before the response was complete");
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if response.len() >= end + 4 + length {
                return text.into_owned();
            }
        }
    }
}

/// Waits for the server to close the connection; how long it took.
async fn closed_after(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(IDLE_SECS * 5), stream.read(&mut buf))
        .await
        .expect("the server should close an idle connection");
    // EOF, or a reset: either way the connection is gone.
    assert!(matches!(read, Ok(0) | Err(_)), "unexpected bytes: {read:?}");
    started.elapsed()
}

#[tokio::test]
async fn a_polling_device_keeps_its_connection_and_an_idle_one_is_closed() {
    let server = server().await;
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    // Polls spaced well inside the idle limit reuse one connection.
    for _ in 0..3 {
        let response = request(&mut stream, "/.well-known/openid-configuration").await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        tokio::time::sleep(Duration::from_millis(IDLE_SECS * 1000 / 2)).await;
    }
    // Then silence: closed after about the idle limit, not before.
    let waited = closed_after(&mut stream).await + Duration::from_millis(IDLE_SECS * 1000 / 2);
    assert!(
        waited >= Duration::from_secs(IDLE_SECS) - Duration::from_millis(200),
        "closed too early: {waited:?}"
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let server = server().await;
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    stream
        .write_all(b"POST /oauth2/token HTTP/1.1\r\nHost: usher.test\r\n")
        .await
        .unwrap();
    let waited = closed_after(&mut stream).await;
    assert!(waited < Duration::from_secs(IDLE_SECS * 4), "{waited:?}");
}

#[test]
fn the_default_idle_limit_is_well_above_the_polling_interval() {
    let config = usher::config::Config::default();
    assert!(config.keep_alive_idle_secs >= 10 * config.device_poll_interval_secs);
    // An SSE stream's keep-alive comments come well inside the limit too.
    assert!(config.device_events_keep_alive_secs < config.keep_alive_idle_secs);
}
