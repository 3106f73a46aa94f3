//! Graceful shutdown, as during a deploy: a request already being served gets
//! its whole answer, idle connections do not hold the server up, and once the
//! serve loop has returned nobody can connect any more.

use crate::common;

use common::{PAID_UP, PASSWORD, TestApp};
use reqwest::{StatusCode, header};
use std::{net::SocketAddr, time::Duration};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};

const PATIENCE: Duration = Duration::from_secs(20);

/// An HTTP/1.1 response as read off the wire.
struct RawResponse {
    status: u16,
    /// Header names in lower case.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Reads one response head (status line and headers) from the stream;
/// `buffered` keeps what was read past it.
async fn read_head(stream: &mut TcpStream, buffered: &mut Vec<u8>) -> (u16, Vec<(String, String)>) {
    let end = loop {
        if let Some(at) = buffered.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0_u8; 4096];
        let read = timeout(PATIENCE, stream.read(&mut chunk)).await.expect("the server answers in time").expect("read");
        assert!(
            read > 0,
            "the connection closed before a whole response head: {:?}",
            String::from_utf8_lossy(buffered)
        );
        buffered.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8(buffered[..end].to_vec()).expect("an ASCII head");
    buffered.drain(..end + 4);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP/1.1 status line: {status_line:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers)
}

/// Reads a whole final response: head, then a body of `Content-Length` bytes.
async fn read_response(stream: &mut TcpStream, buffered: &mut Vec<u8>) -> RawResponse {
    let (status, headers) = read_head(stream, buffered).await;
    let mut response = RawResponse { status, headers, body: Vec::new() };
    assert_eq!(response.header("transfer-encoding"), None, "these answers have a known length");
    let length: usize = response.header("content-length").map_or(0, |l| l.parse().expect("Content-Length"));
    while buffered.len() < length {
        let mut chunk = [0_u8; 4096];
        let read = timeout(PATIENCE, stream.read(&mut chunk)).await.expect("the body comes in time").expect("read");
        assert!(read > 0, "the connection closed in the middle of the body");
        buffered.extend_from_slice(&chunk[..read]);
    }
    response.body = buffered.drain(..length).collect();
    response
}

/// True once the server closed its side: the next read finds the end of the stream.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut byte = [0_u8; 1];
    matches!(timeout(PATIENCE, stream.read(&mut byte)).await, Ok(Ok(0)) | Ok(Err(_)))
}

/// Waits, a few seconds at most, until connecting to `addr` is refused.
async fn connections_refused(addr: SocketAddr) -> bool {
    for _ in 0..500 {
        match TcpStream::connect(addr).await {
            Err(_) => return true,
            Ok(stream) => drop(stream),
        }
        sleep(Duration::from_millis(10)).await;
    }
    false
}

/// The member's vouchers, asked with only a session cookie, as the app asks.
async fn my_vouchers(base: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/api/my_vouchers"))
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(token) = token {
        request = request.header(header::COOKIE, format!("bons_session={token}"));
    }
    let res = request.send().await.expect("my_vouchers");
    (res.status(), res.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_in_flight_when_shutdown_is_asked_completes_then_the_server_stops() {
    let mut app = TestApp::spawn().await;
    let addr = app.addr();
    let body = format!("number={PAID_UP}&password={PASSWORD}");
    let (first_half, second_half) = body.split_at(body.len() / 2);

    // The login form is posted; the server reads the headers and starts
    // reading the body (it says so with 100 Continue); half the body is sent.
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nReferer: {base}/connexion\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\nExpect: 100-continue\r\n\r\n",
        base = app.base,
        length = body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("send the head");
    let mut buffered = Vec::new();
    let (status, _) = read_head(&mut stream, &mut buffered).await;
    assert_eq!(status, 100, "the server is reading this request's body");
    stream.write_all(first_half.as_bytes()).await.expect("send half the body");

    // Shutdown is asked while the request is unfinished; the server shows it
    // has begun by refusing new connections.
    app.begin_shutdown();
    assert!(connections_refused(addr).await, "a server shutting down stops accepting connections");
    let stopped = tokio::spawn(async move {
        let result = app.wait_stopped().await;
        (app, result)
    });
    sleep(Duration::from_millis(200)).await;
    assert!(!stopped.is_finished(), "the server waits for the request in flight");

    // The rest of the body arrives: the login is answered in full.
    stream.write_all(second_half.as_bytes()).await.expect("send the rest of the body");
    let response = read_response(&mut stream, &mut buffered).await;
    assert_eq!(response.status, 302, "a successful login redirects: {:?}", String::from_utf8_lossy(&response.body));
    assert_eq!(response.header("location"), Some("/"));
    let cookie = response.header("set-cookie").expect("the session cookie");
    let token = cookie
        .strip_prefix("bons_session=")
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("a session cookie, not {cookie:?}"))
        .to_owned();
    assert_eq!(token.len(), 64, "a whole session token: {cookie:?}");
    assert!(closed_by_server(&mut stream).await, "after its last answer the server closes the connection");

    // Then the serve loop returns cleanly and nobody can connect any more.
    let (app, result) = timeout(PATIENCE, stopped).await.expect("the server stops in time").expect("join");
    result.expect("the serve loop ends with Ok");
    assert!(TcpStream::connect(addr).await.is_err(), "a stopped server refuses connections");

    // The member logged in during the shutdown is still logged in on the
    // restarted server; without the cookie, nobody is.
    let app = app.restart().await;
    let (status, vouchers) = my_vouchers(&app.base, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "the session opened during the shutdown is valid: {vouchers}");
    assert_eq!(vouchers, "[]", "the demo member has no voucher yet");
    let (status, _) = my_vouchers(&app.base, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    println!("shutdown: a login sent half before and half after the shutdown signal got its 302 and a working session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_do_not_hold_the_shutdown_up() {
    let mut app = TestApp::spawn().await;
    let addr = app.addr();

    // A phone made a request, got its answer, and keeps the connection open.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    idle.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).await.expect("send");
    let response = read_response(&mut idle, &mut Vec::new()).await;
    assert_eq!(response.status, 200, "the health check answers");
    assert_ne!(response.header("connection"), Some("close"), "the connection is kept alive");

    app.begin_shutdown();
    let started = std::time::Instant::now();
    timeout(PATIENCE, app.wait_stopped()).await.expect("the server stops in time").expect("cleanly");
    assert!(closed_by_server(&mut idle).await, "the idle connection is closed by the server");
    assert!(TcpStream::connect(addr).await.is_err(), "a stopped server refuses connections");
    println!(
        "shutdown: an idle keep-alive connection was closed and the server stopped in {} ms",
        started.elapsed().as_millis()
    );
}
