//! Malformed requests, as anyone on the internet can send them: each gets a
//! 4xx with a French sentence, and none writes a line at ERROR level (an
//! unauthenticated caller cannot fill the error log). A test binary of its
//! own: the log it watches is the whole process's.

use crate::common;

use common::{TestApp, message};
use reqwest::{StatusCode, header};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::{Event, Level, Subscriber, field::Field};
use tracing_subscriber::{Layer, layer::Context, prelude::*};

/// Every ERROR event of the process, as text.
fn errors_logged() -> Arc<Mutex<Vec<String>>> {
    static ERRORS: OnceLock<Arc<Mutex<Vec<String>>>> = OnceLock::new();
    ERRORS
        .get_or_init(|| {
            let errors = Arc::new(Mutex::new(Vec::new()));
            let _ = tracing_subscriber::registry().with(ErrorLog(errors.clone())).try_init();
            errors
        })
        .clone()
}

struct ErrorLog(Arc<Mutex<Vec<String>>>);

impl<S: Subscriber> Layer<S> for ErrorLog {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() == Level::ERROR {
            let mut text = format!("{}:", event.metadata().target());
            event.record(&mut |field: &Field, value: &dyn std::fmt::Debug| {
                text.push_str(&format!(" {}={value:?}", field.name()));
            });
            self.0.lock().unwrap().push(text);
        }
    }
}

/// A POST whose body is sent in chunks, without a length, as HTTP/1.1
/// allows: the answer's status line and body.
async fn chunked_post(app: &TestApp, path: &str, chunks: usize, chunk: &[u8]) -> (u16, String) {
    let stream = tokio::net::TcpStream::connect(app.addr()).await.unwrap();
    // The answer is read while the body is still being sent: the server
    // answers as soon as the limit is passed, and then hangs up.
    let (mut reading, mut stream) = stream.into_split();
    let answer = tokio::spawn(async move {
        let mut answer = Vec::new();
        let _ = reading.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    });
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Accept: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.addr()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..chunks {
        // The server may answer and close before the last chunk: that is fine.
        let piece = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if stream.write_all(&piece).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let answer = answer.await.unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

#[tokio::test]
async fn malformed_requests_get_a_french_refusal_and_leave_no_error_in_the_log() {
    let errors = errors_logged();
    let (app, member) = TestApp::spawn_with_member().await;
    let anonymous = app.browser();
    let id = app.voucher_for(&member, "Matériaux de l'Ouest", "20").await.to_string();
    errors.lock().unwrap().clear();

    let raw = |who: &common::Browser, path: &str, content_type: &str, body: Vec<u8>| {
        who.client
            .post(format!("{}{path}", who.base))
            .header(header::CONTENT_TYPE, content_type.to_owned())
            .header(header::ACCEPT, "*/*")
            .body(body)
    };
    let form = "application/x-www-form-urlencoded";
    let cases = [
        ("empty login", raw(&anonymous, "/api/login", form, vec![]), 422),
        ("partial login", raw(&anonymous, "/api/login", form, b"number=44000123B".to_vec()), 422),
        ("empty check", raw(&anonymous, "/api/check_code", form, vec![]), 422),
        ("partial check", raw(&anonymous, "/api/check_code", form, b"number=W2026".to_vec()), 422),
        ("id twice", raw(&member, "/api/open_voucher", form, format!("id={id}&id=7").into_bytes()), 422),
        ("id as a list", raw(&member, "/api/open_voucher", form, format!("id[]={id}").into_bytes()), 422),
        (
            "JSON body",
            raw(&member, "/api/open_voucher", "application/json", format!("{{\"id\":{id}}}").into_bytes()),
            422,
        ),
        ("not text", raw(&anonymous, "/api/login", form, b"number=\xff\xfe&password=x".to_vec()), 400),
        ("declared too long", raw(&anonymous, "/api/login", form, vec![b'a'; 200 * 1024]), 413),
        ("NUL in a login", raw(&anonymous, "/api/login", form, b"number=a%00b&password=x".to_vec()), 422),
        (
            "NUL in a code",
            raw(&anonymous, "/api/check_code", form, b"number=W2026.NA.442.00000001&code=1%002".to_vec()),
            422,
        ),
    ];
    for (what, request, expected) in cases {
        let res = request.send().await.unwrap();
        let status = res.status();
        let json: serde_json::Value = res.json().await.unwrap_or_default();
        assert_eq!(status.as_u16(), expected, "{what}: {json}");
        let text = message(&json);
        assert!(
            ["formulaire", "requête", "volumineux", "invisible"].iter().any(|w| text.contains(w)),
            "{what}: a French sentence, not {json}"
        );
    }
    // A NUL in an address: no page, no database, sees it.
    for page in ["/agence/adherents/%00", "/verifier/W2026%00", "/bons?q=%00"] {
        let seen = anonymous.get(page).await;
        assert_eq!(seen.status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(seen.contains("caractère invisible"), "{page}: {}", seen.body);
    }
    // 200 KB sent in chunks, with no length declared.
    for path in ["/api/login", "/api/check_code"] {
        let (status, answer) = chunked_post(&app, path, 200, &[b'a'; 1024]).await;
        assert_eq!(status, 413, "{path}: {answer}");
        let body = answer.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
        let json = serde_json::from_str(body).unwrap_or_default();
        assert!(message(&json).contains("trop volumineux"), "{answer}");
    }
    // A browser without the WASM gets the sentence as a page.
    let res = anonymous
        .client
        .post(format!("{}/api/login", app.base))
        .header(header::ACCEPT, "text/html")
        .form(&[("number", "x".repeat(100 * 1024))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("trop volumineux"));

    assert_eq!(app.voucher_row(id.parse().unwrap()).await.0, 1, "nothing changed");
    let logged = errors.lock().unwrap().clone();
    assert!(logged.is_empty(), "nothing at ERROR level: {logged:#?}");
}
