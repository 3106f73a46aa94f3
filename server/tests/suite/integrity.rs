//! The audit journal, attempt budgets against guessing, cancelling and
//! expiring vouchers: through the real server, on SQLite or PostgreSQL.

use crate::common;

use app::server::audit::{self, Entity, Verdict};
use app::server::{auth::member_by_number, db::Backend, services::vouchers};
use common::{Browser, PAID_UP, PASSWORD, TestApp, message, used_voucher, wrong};
use reqwest::StatusCode;
use serde_json::Value;

const WRONG: &str = "Numéro de bon ou code secret incorrect.";

async fn check(who: &Browser, number: &str, code: &str) -> (StatusCode, Value) {
    who.call("check_code", &[("number", number), ("code", code)]).await
}

#[tokio::test]
async fn every_change_is_journaled_with_who_what_and_before_after() {
    let app = TestApp::spawn().await;
    let demo_events = app.count("SELECT COUNT(*) FROM audit_events").await;
    let phone = app.logged_in(PAID_UP).await;
    let (id, number, code) = used_voucher(&app, &phone, "12,30").await;
    let (status, _) = phone.call("validate_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    let supplier = app.supplier_id("Matériaux de l'Ouest").await;
    let spare = phone.request_voucher_json(&supplier, "40").await;
    let (status, json) = phone.call("cancel_voucher", &[("id", &spare.to_string()), ("confirm", "on")]).await;
    assert_eq!(status, StatusCode::OK, "{json}");

    let history = audit::history(app.db.pool(), Entity::Voucher, id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["request", "use", "validate"]);
    for event in &history {
        assert_eq!((event.actor.as_str(), event.role.as_str()), (PAID_UP, "member"));
        assert!(event.account_id.is_some());
    }
    let used: Value = serde_json::from_str(&history[1].after).unwrap();
    assert_eq!(used["status"], "11-livré");
    assert_eq!(used["number"], number.as_str());
    assert_eq!(serde_json::from_str::<Value>(&history[1].before).unwrap()["status"], "1-EMIS");
    assert_eq!(serde_json::from_str::<Value>(&history[0].after).unwrap()["amount_cents"], 1300);
    // The secret code is never written anywhere, the journal included.
    for event in &history {
        for field in [&event.before, &event.after] {
            assert!(!field.contains(&format!("\"{code}\"")), "the code leaked into the journal: {field}");
        }
    }

    let cancelled = audit::history(app.db.pool(), Entity::Voucher, spare).await.unwrap();
    assert_eq!(
        cancelled.last().map(|e| (e.action.as_str(), e.after.as_str())),
        Some(("cancel", r#"{"status":"91-annulé"}"#))
    );

    // The demo's members, suppliers and accounts were journaled by "bons demo".
    let by_demo = app.count("SELECT COUNT(*) FROM audit_events WHERE actor = 'bons demo' AND role = 'system'").await;
    assert!(by_demo >= 10, "2 members, 3 suppliers, 5 accounts at least: {by_demo}");
    assert_eq!(by_demo, demo_events, "everything before the member's first step was the demo's");
    match audit::verify(app.db.pool()).await.unwrap() {
        Verdict::Intact { events, last_hash } => {
            assert_eq!(events, demo_events + 3 + 2);
            assert_eq!(last_hash.len(), 64);
            println!("journal: {events} events, chain intact, head {last_hash}");
        }
        broken => panic!("{broken:?}"),
    }
}

#[tokio::test]
async fn the_journal_is_append_only_for_the_application() {
    let app = TestApp::spawn().await;
    let events = app.count("SELECT COUNT(*) FROM audit_events").await;
    for sql in ["UPDATE audit_events SET actor = 'quelqu''un' WHERE id = 1", "DELETE FROM audit_events WHERE id = 1"] {
        let refused = sqlx::query(sql).execute(app.db.pool()).await;
        assert!(refused.is_err_and(|e| e.to_string().contains("append-only")), "{sql} must be refused");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events").await, events);
}

#[tokio::test]
async fn audit_verify_names_the_first_edited_or_removed_event() {
    let app = TestApp::spawn().await;
    let demo = app.count("SELECT COUNT(*) FROM audit_events").await;
    let phone = app.logged_in(PAID_UP).await;
    used_voucher(&app, &phone, "25").await;
    used_voucher(&app, &phone, "26").await;

    let out = app.bons(&["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("Journal d'audit intègre : {} événement(s)", demo + 4)), "{stdout}");

    // Someone with access to the database edits the second voucher's request
    // (after the demo's events: request, use, request) to lower its amount:
    // they must first lift the trigger.
    let (request, next) = (demo + 3, demo + 4);
    let lift: &[&str] = match app.db.backend() {
        Backend::Sqlite => &["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
        Backend::Postgres => &["ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update"],
    };
    for sql in lift {
        sqlx::query(sql).execute(app.db.pool()).await.unwrap();
    }
    let edited =
        app.update_row("UPDATE audit_events SET after = replace(after, '2600', '260') WHERE id = $1", request).await;
    assert_eq!(edited.rows_affected(), 1);
    let out = app.bons(&["audit", "verify"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("altéré à l'événement n° {request}")) && stderr.contains("modifié"), "{stderr}");

    // Recomputing that event's hash does not help: the next one's link breaks.
    let events: Vec<audit::Event> = sqlx::query_as(
        "SELECT id, at, account_id, actor, role, entity, entity_id, action, before, after, prev_hash, hash
           FROM audit_events WHERE id = $1",
    )
    .bind(request)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let forged = events[0].compute_hash();
    app.update_row_with("UPDATE audit_events SET hash = $1 WHERE id = $2", forged, request).await;
    let out = app.bons(&["audit", "verify"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("n° {next}")) && stderr.contains("lien"), "{stderr}");

    // Removing an event is named too.
    sqlx::query("DELETE FROM audit_events WHERE id = 4").execute(app.db.pool()).await.unwrap();
    let out = app.bons(&["audit", "verify"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("n° 4") && stderr.contains("manquant"), "{stderr}");
}

#[tokio::test]
async fn a_genuine_number_and_code_is_confirmed_and_every_mistake_gets_the_same_answer() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, number, code) = used_voucher(&app, &phone, "99").await;
    let counter = app.browser();

    let (status, json) = check(&counter, &number, &code).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["number"], number.as_str());
    assert_eq!(json["status"], "Delivered");
    assert_eq!(json["amount"], 9900);
    assert_eq!(json["member_initials"], "C. M.");
    assert!(json.get("code").is_none(), "the answer never repeats the code");
    assert_eq!(json["code_checked"], true);

    let unknown = check(&counter, "W2026.NA.442.09999999", &code).await;
    let wrong_code = check(&counter, &number, &wrong(&code)).await;
    assert_eq!(unknown.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown, wrong_code, "an unknown number and a wrong code get the same answer");
    assert!(message(&wrong_code.1).starts_with(WRONG));

    // Badly typed input is explained, and costs no attempt.
    let (status, json) = check(&counter, "W2026-NA", &code).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&json).contains("W2020.NA.442.00000123"), "{json}");
    let (_, json) = check(&counter, &number, "12ab").await;
    assert!(message(&json).contains("4 à 8 chiffres"), "{json}");

    // The form works without the WASM: success lands on the check page.
    let page = counter.submit("/verifier", "/api/check_code", &[("number", &number), ("code", &code)]).await;
    assert!(page.location.as_deref().unwrap_or_default().starts_with(&format!("/verifier/{number}?s=")));
    assert!(page.contains("Bon authentique") && page.contains("Le code secret correspond à ce bon."));
    // The QR link alone, or with a made-up proof, says nothing about the code.
    let signature = app.state.keys.current().sign_check_link(&number);
    for forged in [format!("s={signature}&code=ok"), format!("s={signature}&c={signature}")] {
        let page = counter.get(&format!("/verifier/{number}?{forged}")).await;
        assert!(page.contains("Bon authentique") && !page.contains("Le code secret correspond"), "{forged}");
        assert!(page.contains(&format!("/verifier?numero={number}")), "offers to check the code");
    }
    let page = counter.submit("/verifier", "/api/check_code", &[("number", &number), ("code", &wrong(&code))]).await;
    assert_eq!(page.error().as_deref().map(|e| e.starts_with(WRONG)), Some(true), "{:?}", page.error());
}

#[tokio::test]
async fn five_wrong_codes_lock_a_voucher_until_its_agency_unlocks_it() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (id, number, code) = used_voucher(&app, &phone, "150").await;
    // Only the voucher's own supplier's wrong codes count (tests/lockouts.rs).
    let counter = app.logged_in("ouest").await;
    let refused = check(&counter, "W2026.NA.442.09999999", &code).await;

    for _ in 0..4 {
        assert_eq!(check(&counter, &number, &wrong(&code)).await, refused);
    }
    // A right code before the limit is accepted and clears the count.
    assert_eq!(check(&counter, &number, &code).await.0, StatusCode::OK);
    for _ in 0..5 {
        assert_eq!(check(&counter, &number, &wrong(&code)).await, refused);
    }
    let locked: Option<String> = app.value_of("SELECT locked_at FROM vouchers WHERE id = $1", id).await;
    assert!(locked.is_some(), "the fifth wrong code in a row locks the voucher");
    assert_eq!(check(&counter, &number, &code).await, refused, "locked: even the right code gets the same refusal");
    let lock = audit::history(app.db.pool(), Entity::Voucher, id).await.unwrap().pop().unwrap();
    assert_eq!((lock.action.as_str(), lock.role.as_str()), ("lock", "supplier"));

    // Only staff of the voucher's agency (or an admin) can unlock it.
    app.create_staff("agence.rennes", "agency", Some("RE")).await;
    let elsewhere = app.browser();
    assert_eq!(elsewhere.login("agence.rennes", PASSWORD).await.status(), StatusCode::FOUND);
    let (status, _) = elsewhere.call("unlock_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = phone.call("unlock_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a member cannot unlock");
    assert_eq!(check(&counter, &number, &code).await, refused);

    let staff = app.browser();
    assert_eq!(staff.login("agence.nantes", PASSWORD).await.status(), StatusCode::FOUND);
    let (status, json) = staff.call("unlock_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(check(&counter, &number, &code).await.0, StatusCode::OK);
    let unlock = audit::history(app.db.pool(), Entity::Voucher, id).await.unwrap().pop().unwrap();
    assert_eq!((unlock.action.as_str(), unlock.actor.as_str()), ("unlock", "agence.nantes"));
}

/// Budgets per address: the client's address comes from X-Forwarded-For, as
/// behind the reverse proxy of a production set-up.
async fn behind_proxy() -> TestApp {
    TestApp::spawn_with(|c| c.trust_proxy = true).await
}

/// A JSON call as if from `address` (through the trusted proxy); `None`
/// sends no X-Forwarded-For, so the TCP peer (127.0.0.1) counts.
async fn call_from(app: &TestApp, address: Option<&str>, name: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request =
        app.browser().client.post(format!("{}/api/{name}", app.base)).header("accept", "application/json").form(fields);
    if let Some(address) = address {
        request = request.header("x-forwarded-for", address);
    }
    let res = request.send().await.unwrap();
    let status = res.status();
    (status, serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null))
}

async fn check_from(app: &TestApp, address: &str, number: &str, code: &str) -> StatusCode {
    call_from(app, Some(address), "check_code", &[("number", number), ("code", code)]).await.0
}

#[tokio::test]
async fn an_address_that_keeps_guessing_is_refused_across_restarts_and_servers() {
    let app = behind_proxy().await;
    let phone = app.logged_in(PAID_UP).await;
    let (_, number, code) = used_voucher(&app, &phone, "30").await;

    // 20 guesses at numbers that do not exist (no voucher gets locked)…
    for seq in 0..20 {
        let guess = format!("W2026.NA.442.{:08}", 5_000 + seq);
        assert_eq!(check_from(&app, "203.0.113.7", &guess, "1234").await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // …and the 21st attempt is refused, even with the right code.
    assert_eq!(check_from(&app, "203.0.113.7", &number, &code).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        check_from(&app, "198.51.100.4", &number, &code).await,
        StatusCode::OK,
        "other addresses are not affected"
    );

    // A second server on the same database knows, and so does this one after a restart.
    let twin = app.twin_with(|c| c.trust_proxy = true).await;
    assert_eq!(check_from(&twin, "203.0.113.7", &number, &code).await, StatusCode::TOO_MANY_REQUESTS);
    let app = app.restart_with(|c| c.trust_proxy = true).await;
    assert_eq!(check_from(&app, "203.0.113.7", &number, &code).await, StatusCode::TOO_MANY_REQUESTS);
    println!(
        "check budget: 20 failures per address in 15 min, the 21st refused; kept across a restart and a second server"
    );
}

#[tokio::test]
async fn logins_are_budgeted_per_login_and_per_address() {
    let app = behind_proxy().await;
    let login_as = async |number: &str, address: &str, password: &str| {
        call_from(&app, Some(address), "login", &[("number", number), ("password", password)]).await.0
    };
    // Five wrong passwords from one address close that login to that address
    // (a stranger elsewhere keeps nobody out: tests/lockouts.rs).
    for _ in 0..5 {
        assert_eq!(login_as(PAID_UP, "192.0.2.1", "mauvais").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login_as(PAID_UP, "192.0.2.1", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password waits too"
    );
    let (status, json) =
        call_from(&app, Some("192.0.2.1"), "login", &[("number", PAID_UP), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(message(&json), "Trop de tentatives infructueuses : pour votre sécurité, réessayez dans 15 minutes.");
    // Another member is not affected, from that address or another.
    assert_eq!(login_as(common::UNPAID, "192.0.2.1", PASSWORD).await, StatusCode::OK);
    assert_eq!(login_as(common::UNPAID, "192.0.2.7", PASSWORD).await, StatusCode::OK);

    // 30 failures from one address, whatever the logins, close that address.
    for i in 0..30 {
        assert_eq!(login_as(&format!("4400{i:04}Z"), "198.51.100.9", "mauvais").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login_as(common::UNPAID, "198.51.100.9", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login_as(common::UNPAID, "198.51.100.10", PASSWORD).await, StatusCode::OK);
}

#[tokio::test]
async fn a_member_cancels_an_issued_voucher_which_then_cannot_be_used() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let supplier = app.supplier_id("Bois & Charpente 44").await;
    let id = phone.request_voucher(&supplier, "80").await;
    let card = phone.get(&format!("/bons/{id}")).await;
    assert!(card.contains("ANNULER CE BON") && card.contains("Je confirme l'annulation de ce bon"));

    // Without ticking the box, nothing changes.
    let page = phone.submit(&format!("/bons/{id}"), "/api/cancel_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(page.error().as_deref(), Some("Cochez la case pour confirmer l'annulation du bon."));
    assert_eq!(app.voucher_row(id).await.0, 1);

    let page = phone
        .submit(&format!("/bons/{id}"), "/api/cancel_voucher", &[("id", &id.to_string()), ("confirm", "on")])
        .await;
    assert_eq!(page.location.as_deref(), Some(format!("/bons/{id}").as_str()));
    assert_eq!(page.text_of("class=\"status\"").as_deref(), Some("91-annulé"));
    assert!(!page.contains("UTILISER CE BON"));
    let (status, json) = phone.call("use_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(message(&json), "Ce bon ne peut plus être utilisé (statut 91-annulé).");

    // A used voucher is not the member's to cancel.
    let (used, _, _) = used_voucher(&app, &phone, "10").await;
    let (status, json) = phone.call("cancel_voucher", &[("id", &used.to_string()), ("confirm", "on")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(message(&json), "Ce bon ne peut pas être annulé (statut 11-livré).");
}

#[tokio::test]
async fn overdue_vouchers_are_recorded_expired_once_and_cannot_be_used() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let id = app.voucher_for(&phone, "Matériaux de l'Ouest", "45").await;
    let later = chrono::Utc::now() + chrono::Days::new(31);

    assert_eq!(vouchers::expire_overdue(&app.state, chrono::Utc::now()).await.unwrap(), 0, "still valid today");
    assert_eq!(vouchers::expire_overdue(&app.state, later).await.unwrap(), 1);
    assert_eq!(vouchers::expire_overdue(&app.state, later).await.unwrap(), 0, "once");
    assert_eq!(app.voucher_row(id).await.0, 92);
    let expired = audit::history(app.db.pool(), Entity::Voucher, id).await.unwrap().pop().unwrap();
    assert_eq!((expired.action.as_str(), expired.role.as_str()), ("expire", "system"));

    let member = member_by_number(&app.state, PAID_UP).await.unwrap().unwrap();
    let refused = vouchers::use_voucher(&app.state, &member, id, chrono::Utc::now()).await.unwrap_err();
    assert!(refused.to_string().starts_with("Ce bon a expiré le "), "{refused}");
    let out = app.bons(&["expire"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 bon(s) expiré(s)"));
}

/// A voucher row whose status is none of ours (a hand edit, a bad restore)
/// is an error naming the row, wherever it is read: never shown, nor used,
/// as if it were a voucher still to spend.
#[tokio::test]
async fn a_row_with_an_unknown_status_is_an_error_naming_it_never_a_usable_voucher() {
    use app::server::store;
    let (app, phone) = TestApp::spawn_with_member().await;
    let id = phone.request_voucher(&app.supplier_id("Matériaux de l'Ouest").await, "42").await;
    sqlx::query("UPDATE vouchers SET status = 7 WHERE id = $1").bind(id).execute(app.db.pool()).await.unwrap();

    let named = format!("vouchers row {id}");
    let read = store::vouchers::find(app.db.pool(), id).await.map(|_| ()).unwrap_err().to_string();
    assert!(read.contains(&named) && read.contains("unknown voucher status 7"), "{read}");
    let member = member_by_number(&app.state, PAID_UP).await.unwrap().unwrap();
    let listed = store::vouchers::listed_for_member(app.db.pool(), app.db.backend(), member.id).await;
    let listed = listed.map(|_| ()).unwrap_err().to_string();
    assert!(listed.contains(&named) && listed.contains("unknown voucher status 7"), "{listed}");

    for action in ["open_voucher", "use_voucher"] {
        let (status, _) = phone.call(action, &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{action}");
    }
    assert_eq!(app.voucher_row(id).await.0, 7, "not used, not renumbered");
    let list = phone.get("/bons").await;
    assert!(!list.shows("1-EMIS"), "not listed as a voucher to spend");
}

/// The hourly expiry reads issued vouchers past their day through the
/// index `vouchers_expiring`, not by scanning every voucher ever used: the
/// plans of both databases name it (PostgreSQL told to prefer indexes, as
/// it would with a table of millions of rows instead of the test's few).
#[tokio::test]
async fn an_index_serves_the_hourly_expiry_scan() {
    use app::server::store::vouchers::OVERDUE;
    let app = TestApp::spawn().await;
    let plan: Vec<String> = match app.db.backend() {
        Backend::Sqlite => {
            let sql = format!(
                "EXPLAIN QUERY PLAN {}",
                OVERDUE.replace("$1", "'2026-12-07'").replace("$2", "500").replace("$3", "1")
            );
            let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(&sql).fetch_all(app.db.pool()).await.unwrap();
            rows.into_iter().map(|r| r.3).collect()
        }
        Backend::Postgres => {
            let mut tx = app.db.pool().begin().await.unwrap();
            sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.unwrap();
            let sql =
                format!("EXPLAIN {}", OVERDUE.replace("$1", "'2026-12-07'").replace("$2", "500").replace("$3", "1"));
            sqlx::query_scalar(&sql).fetch_all(&mut *tx).await.unwrap()
        }
    };
    assert!(plan.iter().any(|line| line.contains("vouchers_expiring")), "{plan:#?}");
}
