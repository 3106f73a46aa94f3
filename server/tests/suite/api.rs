//! The till's REST API (`/api/v1`) through the real server, as a supplier's
//! till calls it: JSON with a bearer key, no cookies, no browser headers.
//! SQLite, or PostgreSQL with BONS_TEST_DATABASE_URL.

use crate::common;

use app::server::audit::{self, Entity};
use app::server::codes::sha256_hex;
use common::supplier::{Till, error_of};
use common::{PAID_UP, TestApp, today, used_voucher, used_voucher_at, wrong};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const WRONG: &str = "Numéro de bon ou code secret incorrect.";

#[tokio::test]
async fn a_till_checks_a_voucher_with_its_key_and_gets_the_one_refusal_for_any_mistake() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, number, code) = used_voucher(&app, &phone, "42").await;
    let till = app.till("ouest").await;

    let (status, json) = till.check(&number.to_lowercase(), &format!(" {code} ")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["genuine"], true);
    assert_eq!(json["number"], number.as_str());
    assert_eq!((json["amount_cents"].as_i64(), json["status"].as_i64()), (Some(4200), Some(11)));
    assert_eq!((json["own_voucher"].as_bool(), json["invoiced"].as_bool()), (Some(true), Some(false)));
    assert_eq!(json["member_initials"], "C. M.");
    let used_at = json["used_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(used_at).is_ok(), "RFC 3339: {used_at}");
    assert!(!json.to_string().contains("Camille"));

    for (n, c) in [(number.clone(), wrong(&code)), ("W2026.NA.442.09999999".into(), code.clone())] {
        let (status, json) = till.check(&n, &c).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_of(&json).starts_with(WRONG), "{json}");
    }
    let wrong_codes: i64 = app.count("SELECT code_failures FROM vouchers WHERE number IS NOT NULL").await;
    assert_eq!(wrong_codes, 1, "the wrong code counts toward the voucher's lock, as at the counter");
}

#[tokio::test]
async fn checks_are_charged_to_the_key_whatever_address_the_till_calls_from() {
    // Behind a proxy, each attempt comes from another address: only the
    // key's budget can stop a till that keeps guessing.
    let app = TestApp::spawn_with(|c| c.trust_proxy = true).await;
    let phone = app.logged_in(PAID_UP).await;
    let (_, number, code) = used_voucher(&app, &phone, "42").await;
    let (guesser, honest) = (app.till("ouest").await, app.till("ouest").await);
    let check_from = |till: &Till, address: String, number: String, code: String| {
        let request = till
            .client
            .post(format!("{}/api/v1/vouchers/check", till.base))
            .bearer_auth(&till.key)
            .header("x-forwarded-for", address)
            .json(&json!({ "number": number, "code": code }));
        async move {
            let res = request.send().await.unwrap();
            (res.status(), res.headers().get(header::RETRY_AFTER).is_some(), res.json::<Value>().await.unwrap())
        }
    };
    for i in 0..20 {
        let (status, _, _) =
            check_from(&guesser, format!("10.0.0.{i}"), format!("W2026.NA.442.{:08}", 500 + i), "1234".into()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, retry_after, json) = check_from(&guesser, "10.0.1.1".into(), number.clone(), code.clone()).await;
    assert_eq!((status, retry_after), (StatusCode::TOO_MANY_REQUESTS, true));
    assert!(error_of(&json).contains("Trop de tentatives"), "{json}");
    let (status, _, json) = check_from(&honest, "10.0.1.2".into(), number, code).await;
    assert_eq!(status, StatusCode::OK, "another key has its own budget: {json}");
}

#[tokio::test]
async fn keys_missing_unknown_revoked_or_of_a_closed_supplier_are_refused() {
    let app = TestApp::spawn().await;
    let till = app.till("ouest").await;
    let url = format!("{}/api/v1/invoices", app.base);
    let client = reqwest::Client::new();

    let res = client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()[header::WWW_AUTHENTICATE], "Bearer realm=\"bons\"");
    assert!(error_of(&res.json().await.unwrap()).contains("Clé API manquante"));
    for bad in ["Bearer bons_123", "Basic b3Vlc3Q6Y2FzdG9ycw==", &format!("Bearer {}x", till.key)] {
        let res = client.get(&url).header(header::AUTHORIZATION, bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
    }
    let mut other = till.key.clone();
    other.replace_range(10..11, if &other[10..11] == "0" { "1" } else { "0" });
    let (status, json) = Till::new(&app, other).get("/api/v1/invoices").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_of(&json).contains("Clé API inconnue"), "{json}");

    // A session cookie is not a key.
    let ouest = app.logged_in("ouest").await;
    let res = ouest.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // A revoked key is refused, and says so.
    let revoked = app.till("ouest").await;
    let id = app.count("SELECT MAX(id) FROM api_keys").await.to_string();
    let (status, json) = ouest.call("supplier_revoke_api_key", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (status, json) = revoked.get("/api/v1/invoices").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_of(&json).contains("Cette clé API a été révoquée"), "{json}");
    assert_eq!(till.get("/api/v1/invoices").await.0, StatusCode::OK, "the other key still works");

    // The supplier closes: its keys open nothing.
    sqlx::query("UPDATE suppliers SET active = 0 WHERE name = 'Matériaux de l''Ouest'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, json) = till.get("/api/v1/invoices").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_of(&json).contains("n'est plus partenaire"), "{json}");
}

#[tokio::test]
async fn bons_api_key_create_prints_a_key_that_works_and_is_stored_hashed() {
    let app = TestApp::spawn().await;
    let out = app.bons(&["api-key", "create", "--supplier-login", "OUEST", "--label", "Caisse 2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("bons_") && key.len() == 69, "{key}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("ne sera plus affichée"));
    let stored: String = sqlx::query_scalar("SELECT key_hash FROM api_keys").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(stored, sha256_hex(key.as_bytes()));
    let (status, _) = Till::new(&app, key).get("/api/v1/vouchers").await;
    assert_eq!(status, StatusCode::OK);
    let event = audit::history(app.db.pool(), Entity::ApiKey, 1).await.unwrap().pop().unwrap();
    assert_eq!(
        (event.action.as_str(), event.actor.as_str(), event.role.as_str()),
        ("create", "bons api-key create", "system")
    );

    let out = app.bons(&["api-key", "create", "--supplier-login", "44000123B", "--label", "x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("introuvable"));
}

/// A script reads the key from standard output: with the server's logs on
/// (`info`, the default), nothing else is printed there; the logs and the
/// sentence for the person go to standard error.
#[tokio::test]
async fn bons_api_key_create_prints_the_key_alone_on_standard_output_even_with_logs_on() {
    let app = TestApp::spawn().await;
    let out = app.bons_logging(&["api-key", "create", "--supplier-login", "ouest", "--label", "Caisse 3"], "info");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout.strip_suffix('\n').unwrap_or(&stdout);
    assert!(key.starts_with("bons_") && key.len() == 69 && !key.contains('\n'), "standard output: {stdout:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("INFO"), "the logs are on standard error: {stderr}");
    let (status, _) = Till::new(&app, key.to_owned()).get("/api/v1/vouchers").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn delivered_vouchers_are_listed_with_the_same_filters_as_the_space() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (id1, n1, _) = used_voucher(&app, &phone, "42").await;
    let (_, n2, _) = used_voucher(&app, &phone, "8").await;
    used_voucher_at(&app, &phone, "Bois & Charpente 44", "15").await;
    app.update_row("UPDATE vouchers SET used_at = '2026-03-31T23:30:00.000000Z', status = 31, paid_on = '2026-05-02' WHERE id = $1", id1).await;
    let till = app.till("ouest").await;

    let (status, json) = till.get("/api/v1/vouchers").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let numbers: Vec<&str> =
        json["vouchers"].as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, [n2.as_str(), n1.as_str()]);
    assert_eq!((json["count"].as_i64(), json["total_cents"].as_i64()), (Some(2), Some(5000)));
    let paid = &json["vouchers"][1];
    assert_eq!((paid["status"].as_i64(), paid["paid_on"].as_str()), (Some(31), Some("2026-05-02")));
    assert_eq!(paid["used_at"], "2026-03-31T23:30:00.000000Z");

    let (_, april) = till.get("/api/v1/vouchers?from=2026-04-01&to=2026-04-30").await;
    assert_eq!(april["count"], 1, "31 March 23:30 UTC is 1 April in Paris: {april}");
    let (_, delivered) = till.get("/api/v1/vouchers?status=11").await;
    assert_eq!(delivered["vouchers"][0]["number"], n2.as_str());

    for (query, expected) in [
        ("status=1", "Statut inconnu"),
        ("status=livré", "Statut inconnu"),
        ("from=2026-05-01&to=2026-04-01", "La date de début (from) doit précéder la date de fin (to)."),
        ("from=31-12-2026", "from : Date invalide"),
        ("to=", "Le paramètre « to » est vide"),
        ("du=2026-04-01", "Paramètre inconnu : « du »"),
    ] {
        let (status, json) = till.get(&format!("/api/v1/vouchers?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(error_of(&json).contains(expected), "{query}: {json}");
    }
}

fn invoice(number: &str, amount: i64, lines: Value) -> Value {
    json!({ "number": number, "date": today(), "amount_cents": amount, "lines": lines })
}

#[tokio::test]
async fn an_invoice_sent_by_a_till_is_matched_line_by_line_and_read_back() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher(&app, &phone, "42").await;
    let (_, n2, c2) = used_voucher(&app, &phone, "8").await;
    let till = app.till("ouest").await;

    let body = invoice(
        "T-1",
        5000,
        json!([
            { "voucher_number": n1, "code": c1, "amount_cents": 4200 },
            { "voucher_number": n2, "code": wrong(&c2), "amount_cents": 800 },
        ]),
    );
    let res = till
        .client
        .post(format!("{}/api/v1/invoices", app.base))
        .bearer_auth(&till.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/invoices/{id}"));
    assert_eq!((created["status"].as_str(), created["status_label"].as_str()), (Some("received"), Some("reçue")));
    assert_eq!((created["amount_cents"].as_i64(), created["open_flags"].as_i64()), (Some(5000), Some(1)));
    assert_eq!(created["invoice_date"], today().as_str());
    let flags: Vec<Value> = created["lines"].as_array().unwrap().iter().map(|l| l["flag"].clone()).collect();
    assert_eq!(flags, [Value::Null, json!("code_mismatch")]);
    assert_eq!(created["lines"][1]["flag_label"], "Code secret incorrect");
    assert_eq!(created["lines"][0]["voucher_amount_cents"], 4200);

    let (status, read) = till.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, created);
    let (_, list) = till.get("/api/v1/invoices").await;
    assert_eq!(list["invoices"][0]["number"], "T-1");
    assert_eq!(list["invoices"][0]["has_pdf"], false);
    // The voucher now reads as invoiced at the counter and in the list.
    let (_, check) = till.check(&n1, &c1).await;
    assert_eq!((check["invoiced"].as_bool(), check["invoice"]["number"].as_str()), (Some(true), Some("T-1")));
    let (_, vouchers) = till.get("/api/v1/vouchers").await;
    assert_eq!(vouchers["vouchers"][1]["invoice"]["id"], id);

    // Who sent it: the key, by its prefix and label.
    let prefix = &till.key[..13];
    let submitted_by: String = app.value_of("SELECT submitted_by FROM invoices WHERE id = $1", id).await;
    assert_eq!(submitted_by, format!("clé API {prefix} (Caisse de test)"));
    let event = audit::history(app.db.pool(), Entity::Invoice, id).await.unwrap().pop().unwrap();
    assert_eq!(
        (event.action.as_str(), event.actor.as_str(), event.role.as_str()),
        ("submit", submitted_by.as_str(), "supplier")
    );

    // The same invoice sent twice (a till retrying) is refused, once stored.
    let (status, json) = till.post("/api/v1/invoices", &body).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error_of(&json).contains("déjà envoyé une facture n° T-1"), "{json}");

    // Another supplier's till sees nothing of it.
    app.other_supplier().await;
    let bois = app.till("bois").await;
    let (status, json) = bois.get(&location).await;
    assert_eq!((status, error_of(&json).as_str()), (StatusCode::NOT_FOUND, "Facture introuvable."));
    let (_, list) = bois.get("/api/v1/invoices").await;
    assert_eq!(list["invoices"], json!([]));
    for path in ["/api/v1/invoices/abc", "/api/v1/invoices/0", "/api/v1/invoices/99999"] {
        assert_eq!(till.get(path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_bad_invoice_from_a_till_gets_a_french_reason_and_changes_nothing() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher(&app, &phone, "42").await;
    let till = app.till("ouest").await;
    let line = json!({ "voucher_number": n1, "code": c1, "amount_cents": 4200 });
    let (status, _) = till.post("/api/v1/invoices", &invoice("T-1", 4200, json!([line]))).await;
    assert_eq!(status, StatusCode::CREATED);
    let counts = || async {
        (
            app.count("SELECT COUNT(*) FROM invoices").await,
            app.count("SELECT COUNT(*) FROM invoice_lines").await,
            app.count("SELECT COUNT(*) FROM audit_events").await,
        )
    };
    let before = counts().await;

    let mut no_lines = invoice("T-2", 4200, json!([]));
    no_lines.as_object_mut().unwrap().remove("lines");
    let cases: Vec<(Value, u16, &str)> = vec![
        (invoice("T-1", 4200, json!([line])), 409, "déjà envoyé une facture n° T-1"),
        (invoice("T-2", 4100, json!([line])), 422, "n'est pas la somme de ses lignes"),
        (invoice("T-2", 8400, json!([line, line])), 422, "Ligne 2 : le bon"),
        (invoice("T-2", 0, json!([line])), 422, "« amount_cents » doit être un nombre entier de centimes"),
        (invoice("T-2", 4200, json!([])), 422, "au moins une ligne"),
        (no_lines, 422, "Champ « lines » manquant."),
        (
            invoice("T-2", 4200, json!([{ "voucher_number": n1, "code": 5312, "amount_cents": 4200 }])),
            422,
            "« lines[0].code » doit être une chaîne",
        ),
        (
            invoice("T-2", 4200, json!([{ "voucher_number": n1, "code": c1 }])),
            422,
            "Champ « lines[0].amount_cents » manquant.",
        ),
        (
            invoice("T-2", 4200, json!([{ "voucher_number": "W1", "code": c1, "amount_cents": 4200 }])),
            422,
            "Ligne 1 : Numéro de bon invalide",
        ),
        (invoice("T-2", 4200, json!(["W2026"])), 422, "« lines[0] » doit être un objet"),
        (json!({ "number": "T-2", "date": "2999-01-01", "amount_cents": 4200, "lines": [line] }), 422, "futur"),
        (
            json!({ "number": "T-2", "date": today(), "amount_cents": 4200, "lines": [line], "pdf": "x" }),
            422,
            "Champ inconnu : « pdf ».",
        ),
        (json!({ "number": "T-2\u{0}", "date": today(), "amount_cents": 4200, "lines": [line] }), 422, "sur une ligne"),
        (json!(["T-2"]), 422, "doit être un objet JSON"),
    ];
    for (body, expected_status, expected) in cases {
        let (status, json) = till.post("/api/v1/invoices", &body).await;
        assert_eq!(status.as_u16(), expected_status, "{body}: {json}");
        assert!(error_of(&json).contains(expected), "expected «{expected}» for {body}: {json}");
    }
    // Not JSON, or not said to be.
    let url = format!("{}/api/v1/invoices", app.base);
    let res = till
        .client
        .post(&url)
        .bearer_auth(&till.key)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"number\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&res.json().await.unwrap()).contains("n'est pas du JSON valide (ligne 1"));
    let res = till.client.post(&url).bearer_auth(&till.key).form(&[("number", "T-3")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(error_of(&res.json().await.unwrap()).contains("Content-Type: application/json"));
    let huge =
        json!({ "number": "T-4", "date": today(), "amount_cents": 1, "lines": [line], "x": "a".repeat(300 * 1024) });
    let (status, json) = till.post("/api/v1/invoices", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error_of(&json).contains("256 Kio"));

    assert_eq!(counts().await, before, "nothing half-saved, nothing journaled");
}

#[tokio::test]
async fn the_api_answers_tills_from_any_origin_and_its_document_describes_every_operation() {
    let app = TestApp::spawn().await;
    let till = app.till("ouest").await;
    // A till running in a browser page of another site: a bearer key, no
    // cookie, so the cross-site refusal of the site's forms does not apply.
    let res = till
        .client
        .post(format!("{}/api/v1/vouchers/check", app.base))
        .bearer_auth(&till.key)
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, "https://caisse.example")
        .json(&json!({ "number": "W2026.NA.442.00000001", "code": "1234" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "checked, not refused as cross-site");
    // The site's own forms still are.
    let ouest = app.logged_in("ouest").await;
    let res = ouest
        .client
        .post(format!("{}/api/supplier_create_api_key", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("label", "piège")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM api_keys").await, 1);

    let (status, doc) = Till::new(&app, String::new()).get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "the document needs no key");
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert_eq!(doc["components"]["securitySchemes"]["cle_api"]["scheme"], "bearer");
    let operations: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        .collect();
    assert_eq!(
        operations,
        [
            "GET /invoices",
            "POST /invoices",
            "GET /invoices/{id}",
            "GET /openapi.json",
            "POST /passes/spend",
            "GET /vouchers",
            "POST /vouchers/check"
        ]
    );
    // Each documented operation answers (not the site's 404 page), and an
    // unknown one gets a JSON 404.
    for op in &operations {
        let (method, path) = op.split_once(' ').unwrap();
        let url = format!("{}/api/v1{}", app.base, path.replace("{id}", "1"));
        let res = till
            .client
            .request(method.parse().unwrap(), url)
            .bearer_auth(&till.key)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_ne!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{op}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json", "{op}");
    }
    let (status, json) = till.get("/api/v1/bons").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_of(&json).contains("openapi.json"));
}

/// The limit of active keys per supplier holds when the supplier's staff
/// create keys all at once (on PostgreSQL, concurrent transactions): 30
/// simultaneous creations make exactly the 20 allowed, the others refused
/// with the reason.
#[tokio::test]
async fn the_active_key_limit_holds_under_concurrent_creations() {
    use app::server::services::accounts::api_keys::{MAX_ACTIVE_KEYS, create_for_user};
    let app = TestApp::spawn().await;
    let ouest = app.supplier_user("ouest").await;
    let now = chrono::Utc::now();
    let tries = (0..30).map(|i| {
        let (state, ouest) = (app.state.clone(), ouest.clone());
        tokio::spawn(async move { create_for_user(&state, &ouest, &format!("Caisse {i}"), now).await })
    });
    let answers: Vec<_> = futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    let made = answers.iter().filter(|a| a.is_ok()).count();
    assert_eq!(made, MAX_ACTIVE_KEYS);
    for refused in answers.into_iter().filter_map(Result::err) {
        let refused = app::error::AppError::from(refused);
        assert!(matches!(&refused, app::error::AppError::Conflict(m) if m.contains("clés actives")), "{refused:?}");
    }
    let stored = app.count("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL").await;
    assert_eq!(stored, i64::try_from(MAX_ACTIVE_KEYS).unwrap());
}
