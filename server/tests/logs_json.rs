//! The log as a collector reads it (`BONS_LOG_FORMAT=json`): one JSON
//! object per line, and every line of a request names its id. A test binary
//! of its own: the log it reads is the whole process's.

mod common;

use common::{LogSink, TestApp};
use server::logging::{self, LogFormat};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn json_log_lines_carry_the_request_id_and_never_the_code() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    logging::install(LogFormat::Json, "info".parse().unwrap(), move || LogSink(sink.clone()))
        .expect("the log installs");
    let (app, phone) = TestApp::spawn_with_member().await;
    let id = phone.request_voucher(&app.supplier_id("Matériaux de l'Ouest").await, "42").await;
    let used = phone
        .client
        .post(format!("{}/api/use_voucher", app.base))
        .header("accept", "application/json")
        .header("x-request-id", "caisse-7.essai-1")
        .form(&[("id", id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(used.headers()["x-request-id"], "caisse-7.essai-1", "the balancer's id is kept");
    let card: serde_json::Value = used.json().await.unwrap();
    let code = card["receipt"]["code"].as_str().unwrap().to_owned();

    let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let used_line =
        lines.iter().find(|l| l["message"] == "voucher used").unwrap_or_else(|| panic!("no use logged:\n{text}"));
    assert_eq!(used_line["level"], "INFO");
    assert!(used_line["timestamp"].is_string());
    let spans = used_line["spans"].as_array().expect("the line's spans");
    let request = spans.iter().find(|s| s["name"] == "request").expect("the request's span");
    assert_eq!(request["id"], "caisse-7.essai-1");
    assert_eq!(request["path"], "/api/use_voucher");
    assert!(spans.iter().any(|s| s["name"] == "use_voucher" && s["voucher"] == id), "{used_line}");
    for field_end in ["\"", ",", "}"] {
        assert!(!text.contains(&format!(":\"{code}{field_end}")), "the code stays out of the log:\n{text}");
    }
}
