//! What the server's log says about a request: every line written while a
//! request is served carries that request's id (the one its answer gives in
//! `X-Request-Id`) and the ids the service works on, never a secret code.
//! A test binary of its own: the log it reads is the whole process's.

mod common;

use common::{LogSink, TestApp};
use std::sync::{Arc, Mutex, OnceLock};

/// Everything the process logs at INFO and above, as the `bons` binary
/// prints it (without colours).
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_ansi(false)
            .with_writer(move || LogSink(sink.clone()))
            .try_init();
        log
    })
    .clone()
}

#[tokio::test]
async fn a_use_is_logged_with_its_request_id_and_the_voucher_never_with_its_code() {
    let log = log();
    let (app, phone) = TestApp::spawn_with_member().await;
    let id = phone.request_voucher(&app.supplier_id("Matériaux de l'Ouest").await, "42").await;
    let used = phone
        .client
        .post(format!("{}/api/use_voucher", app.base))
        .header("accept", "application/json")
        .form(&[("id", id.to_string())])
        .send()
        .await
        .unwrap();
    let request_id = used.headers()["x-request-id"].to_str().unwrap().to_owned();
    let card: serde_json::Value = used.json().await.unwrap();
    let code = card["receipt"]["code"].as_str().unwrap().to_owned();

    let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let line = text.lines().find(|l| l.contains("voucher used")).unwrap_or_else(|| panic!("no use logged:\n{text}"));
    assert!(line.contains(&format!("request{{id={request_id} ")), "{line}");
    assert!(line.contains("use_voucher{") && line.contains(&format!("voucher={id}")), "{line}");
    for field_end in [" ", "}", "\n", "\""] {
        assert!(!text.contains(&format!("={code}{field_end}")), "the code stays out of the log:\n{text}");
    }
}
