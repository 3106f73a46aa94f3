//! The server key rotated (issue 17): `bons secret rotate` adds a key
//! version that makes every new code and QR link; the codes, check links and
//! printed passes made before still check after the servers restart, with
//! their own version; `bons secret retire` removes an old version only once
//! nothing unpaid needs it, and says what does. SQLite, or PostgreSQL with
//! BONS_TEST_DATABASE_URL.

use crate::common;
use crate::pass_counter::{Stage, order_at};

use common::{Browser, PAID_UP, TestApp, pdf_text, today, used_voucher};
use reqwest::StatusCode;
use std::process::Output;

/// `bons secret …` (or any command) on the test's database with the keys in
/// the test's secret file, as an operator on the server's machine runs it.
fn bons_with_file(app: &TestApp, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bons"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("BONS_SECRET_FILE", app.dir.path().join("secret.key"))
        .env_remove("BONS_SECRET")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bons")
}

fn said(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn key_file(app: &TestApp) -> String {
    std::fs::read_to_string(app.dir.path().join("secret.key")).expect("secret file")
}

/// The part of a check link a server answers for: path and signature.
fn path_of(link: &str) -> String {
    link.split_once("/verifier/").map(|(_, rest)| format!("/verifier/{rest}")).expect("a check link")
}

async fn card(phone: &Browser, id: i64) -> serde_json::Value {
    let (status, card) = phone.call("open_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    card
}

async fn key_version_of_voucher(app: &TestApp, number: &str) -> i64 {
    app.value_of("SELECT key_version FROM vouchers WHERE number = $1", number.to_owned()).await
}

async fn print(app: &TestApp, order: i64) -> String {
    let staff = app.logged_in("agence.nantes").await;
    let res = staff.client.get(format!("{}/agence/commandes/{order}/pass.pdf", staff.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    pdf_text(&res.bytes().await.unwrap())
}

#[tokio::test]
async fn codes_and_links_made_before_a_rotation_still_check_after_it_and_new_ones_use_the_new_key() {
    // A server that never rotated: its secret file holds one bare key.
    let app = TestApp::spawn_with(|c| c.secret = None).await;
    assert!(!key_file(&app).contains(':'), "the first key is written bare, as before versions");
    let phone = app.logged_in(PAID_UP).await;
    let (old_id, old_number, old_code) = used_voucher(&app, &phone, "42").await;
    let old_link = card(&phone, old_id).await["check_url"].as_str().unwrap().to_owned();
    let (old_order, old_passes) = order_at(&app, Stage::Activated).await;
    let old_print = print(&app, old_order).await;
    assert_eq!(key_version_of_voucher(&app, &old_number).await, 1);

    let rotated = bons_with_file(&app, &["secret", "rotate"]);
    assert!(rotated.status.success(), "{}", said(&rotated));
    assert!(said(&rotated).contains("Clé version 2 ajoutée"), "{}", said(&rotated));
    let file = key_file(&app);
    assert!(file.contains("\n1:") && file.contains("\n2:"), "both versions kept: {file}");
    let app = app.restart_with(|c| c.secret = None).await;
    assert_eq!(app.state.keys.current_version(), 2);

    // The member's screen shows the same code and the same QR link.
    let phone = app.logged_in(PAID_UP).await;
    let again = card(&phone, old_id).await;
    assert_eq!(again["receipt"]["code"], old_code.as_str());
    assert_eq!(path_of(again["check_url"].as_str().unwrap()), path_of(&old_link));
    // The QR link made before checks: the page says genuine.
    let visitor = app.browser();
    let page = visitor.get(&path_of(&old_link)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("Bon authentique") && page.contains(&old_number), "{}", page.body);
    // The supplier's check and invoice accept the code written on the slip.
    let ouest = app.logged_in("ouest").await;
    let (status, json) = ouest.call("supplier_check", &[("number", &old_number), ("code", &old_code)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let invoice = ouest
        .submit(
            "/fournisseur/factures/nouvelle",
            "/api/supplier_submit_invoice",
            &[
                ("number", "F-2026-ROT"),
                ("date", &today()),
                ("amount", "42"),
                ("lines", &format!("{old_number} ; {old_code} ; 42")),
            ],
        )
        .await;
    assert_eq!(invoice.status, StatusCode::OK, "{:?}", invoice.error());
    let code_ok: i64 = app
        .value_of(
            "SELECT l.code_ok FROM invoice_lines l JOIN vouchers v ON v.id = l.voucher_id WHERE v.number = $1",
            old_number.clone(),
        )
        .await;
    assert_eq!(code_ok, 1, "the invoice line's code checks");
    // The printed passes: the same codes when printed again, their QR links
    // genuine, and a pass spent with the code printed before the rotation.
    assert_eq!(print(&app, old_order).await, old_print, "passes print the same after a rotation");
    let pass = &old_passes[0];
    let signature = app.state.keys.version(1).unwrap().sign_check_link(&pass.number);
    let check = visitor.get(&format!("/pass/{}?s={signature}", pass.number)).await;
    assert!(check.contains("Pass authentique"), "{}", check.body);
    let (status, json) = ouest.call("supplier_spend_pass", &[("number", &pass.number), ("code", &pass.code)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");

    // Made now: the new key, recorded with the voucher and the passes.
    let (new_id, new_number, new_code) = used_voucher(&app, &phone, "17").await;
    assert_eq!(key_version_of_voucher(&app, &new_number).await, 2);
    let new_link = card(&phone, new_id).await["check_url"].as_str().unwrap().to_owned();
    let new_signature = new_link.rsplit_once("?s=").unwrap().1.to_owned();
    assert!(app.state.keys.version(2).unwrap().verify_check_link(&new_number, &new_signature));
    assert!(!app.state.keys.version(1).unwrap().verify_check_link(&new_number, &new_signature), "not the old key");
    assert!(visitor.get(&path_of(&new_link)).await.contains("Bon authentique"));
    let (status, json) = ouest.call("supplier_check", &[("number", &new_number), ("code", &new_code)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (new_order, _) = order_at(&app, Stage::Produced).await;
    let versions: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT key_version FROM passes WHERE order_id = $1")
        .bind(new_order)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(versions, [2], "new passes are made with the new key");
}

#[tokio::test]
async fn a_key_version_is_retired_only_when_nothing_unpaid_needs_it() {
    let app = TestApp::spawn_with(|c| c.secret = None).await;
    let phone = app.logged_in(PAID_UP).await;
    let (old_id, old_number, _) = used_voucher(&app, &phone, "42").await;
    let old_link = card(&phone, old_id).await["check_url"].as_str().unwrap().to_owned();
    let (_, old_passes) = order_at(&app, Stage::Activated).await;
    assert!(bons_with_file(&app, &["secret", "rotate"]).status.success());
    let app = app.restart_with(|c| c.secret = None).await;
    let before = key_file(&app);

    // The key in service and unknown versions are refused.
    let refused = bons_with_file(&app, &["secret", "retire", "2"]);
    assert!(!refused.status.success());
    assert!(said(&refused).contains("la version 2 est la clé en service"), "{}", said(&refused));
    let refused = bons_with_file(&app, &["secret", "retire", "7"]);
    assert!(said(&refused).contains("aucune clé version 7 : les versions sont 1, 2"), "{}", said(&refused));

    // Version 1 still serves an unpaid voucher and unpaid passes: refused,
    // saying which, and the file is untouched.
    let listed = bons_with_file(&app, &["secret", "list"]);
    assert!(listed.status.success(), "{}", said(&listed));
    let listed = said(&listed);
    assert!(listed.contains("clé version 1 : 1 bon(s) et 10 pass ; 1 bon(s) utilisé(s) non payé(s)"), "{listed}");
    assert!(listed.contains("clé version 2 (en service) : 0 bon(s) et 0 pass ; rien d'impayé"), "{listed}");
    let refused = bons_with_file(&app, &["secret", "retire", "1"]);
    assert!(!refused.status.success());
    let why = said(&refused);
    assert!(why.contains("la clé version 1 sert encore : 1 bon(s) utilisé(s) non payé(s)"), "{why}");
    assert!(why.contains(&old_number) && why.contains(&old_passes[0].number), "{why}");
    assert!(why.contains("10 pass non payé(s)"), "{why}");
    assert_eq!(key_file(&app), before);

    // Paid (as the month-end payment records it) and the passes past their
    // last day: nothing needs version 1 any more.
    app.update_row("UPDATE vouchers SET paid_on = $1 WHERE used_at IS NOT NULL", today()).await;
    app.update_row("UPDATE passes SET valid_until = $1", "2020-12-31".to_owned()).await;
    let retired = bons_with_file(&app, &["secret", "retire", "1"]);
    assert!(retired.status.success(), "{}", said(&retired));
    assert!(said(&retired).contains("Clé version 1 retirée. Les codes des 1 bon(s) et 10 pass"), "{}", said(&retired));
    let file = key_file(&app);
    assert!(!file.contains("\n1:") && file.contains("\n2:"), "{file}");

    // Restarted without it: the old link no longer checks, and the member's
    // screen shows no code rather than a wrong one; new codes are unaffected.
    let app = app.restart_with(|c| c.secret = None).await;
    assert_eq!(app.state.keys.versions().collect::<Vec<_>>(), [2]);
    let page = app.browser().get(&path_of(&old_link)).await;
    assert!(!page.contains("Bon authentique") && page.contains("pas authentique"), "{}", page.body);
    let phone = app.logged_in(PAID_UP).await;
    let old = card(&phone, old_id).await;
    assert!(old["receipt"].is_null() && old["check_url"].is_null(), "{old}");
    let (_, _, code) = used_voucher(&app, &phone, "5").await;
    assert_eq!(code.len(), 4);
}

#[tokio::test]
async fn a_server_without_the_newest_key_in_use_refuses_to_start() {
    let app = TestApp::spawn_with(|c| c.secret = None).await;
    assert!(bons_with_file(&app, &["secret", "rotate"]).status.success());
    let app = app.restart_with(|c| c.secret = None).await;
    used_voucher(&app, &app.logged_in(PAID_UP).await, "42").await;

    // Another machine still holding the old key file (one bare key).
    let old_only = app.dir.path().join("old.key");
    let first = key_file(&app).lines().find_map(|l| l.strip_prefix("1:")).unwrap().to_owned();
    std::fs::write(&old_only, first).unwrap();
    let started = std::process::Command::new(env!("CARGO_BIN_EXE_bons"))
        .args(["migrate"])
        .env("DATABASE_URL", &app.database_url)
        .env("BONS_SECRET_FILE", &old_only)
        .env_remove("BONS_SECRET")
        .output()
        .unwrap();
    assert!(!started.status.success());
    assert!(said(&started).contains("server key version 2, which this server does not have"), "{}", said(&started));

    // With BONS_SECRET, the commands write nothing and print its new value.
    let rotated = app.bons(&["secret", "rotate"]);
    assert!(rotated.status.success(), "{}", said(&rotated));
    let value = String::from_utf8(rotated.stdout).unwrap();
    assert_eq!(value.trim().split(',').count(), 2, "{value}");
    assert!(value.starts_with(&format!("1:{}", "5e".repeat(32))), "{value}");
    assert!(String::from_utf8_lossy(&rotated.stderr).contains("BONS_SECRET est défini : rien n'est écrit"));
}
