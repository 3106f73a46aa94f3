//! Passes at the counter (issue 15): a partner supplier's staff (their
//! « Encaisser un pass » screen) or till (`/api/v1/passes/spend`) spend a
//! pass by its number and printed code, once, for its whole face value;
//! every path, the public check page included, refuses a pass that is not
//! yet active, cancelled, expired or blocked; wrong codes get one answer
//! and five lock the pass; fifty simultaneous spends spend it once; staff
//! print the passes with their codes. SQLite, or PostgreSQL with
//! BONS_TEST_DATABASE_URL.

use crate::common;

use app::domain::pass::PassNumber;
use app::server::services::shop::{invoices, passes};
use common::shop::{booklets, now};
use common::{Browser, TestApp, pdf_text};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

const WRONG: &str = "Numéro de pass ou code secret incorrect.";

/// A pass as printed: its number and code.
pub(crate) struct Printed {
    pub(crate) number: String,
    pub(crate) code: String,
}

/// Where an order's passes stand before they are spent.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Stage {
    Produced,
    Activated,
}

/// A Chorus Pro order of one booklet of ten 20 € passes, taken to `stage`;
/// its id and its passes as printed.
pub(crate) async fn order_at(app: &TestApp, stage: Stage) -> (i64, Vec<Printed>) {
    let staff = common::shop::staff(app, &format!("agence.{}", rand::random::<u32>())).await;
    let id = common::shop::confirmed_chorus_order(app, &[(booklets(20), 1)], "").await;
    let order = id.to_string();
    invoices::issue(&app.state, &staff, &order, now()).await.unwrap();
    common::shop::proof_validated(app, &staff, "mairie", &order).await;
    passes::produce(&app.state, &staff, &order, now()).await.unwrap();
    if stage == Stage::Activated {
        common::shop::delivered(app, &staff, &order).await;
        let form = passes::ReceivedForm {
            reference: "M-2026-0001".into(),
            day: chrono::Utc::now().format("%d/%m/%Y").to_string(),
            amount: "300".into(),
        };
        let caller = app::server::guards::StructureCaller::Staff(staff.clone());
        passes::record_received(&app.state, &caller, &order, &form, now()).await.unwrap();
        passes::activate(&app.state, &staff, &order, now()).await.unwrap();
    }
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT year, sequence FROM passes WHERE order_id = $1 ORDER BY sequence")
            .bind(id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let printed = rows
        .into_iter()
        .map(|(year, sequence)| {
            let number = PassNumber::new(year as i32, "NA", "442", sequence as u32).unwrap().to_string();
            let code = app.state.keys.current().pass_code(&number, 2_000).reveal().to_owned();
            Printed { number, code }
        })
        .collect();
    (id, printed)
}

async fn status_of(app: &TestApp, number: &str) -> (String, Option<i64>) {
    let sequence: i64 = number.rsplit('.').next().unwrap().parse().unwrap();
    sqlx::query_as("SELECT status, supplier_id FROM passes WHERE sequence = $1")
        .bind(sequence)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn spends(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'pass' AND action = 'spend'").await
}

fn spaced(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ").replace("&#x27;", "'")
}

fn error_of(json: &Value) -> String {
    common::message(json)
}

#[tokio::test]
async fn a_supplier_spends_an_active_pass_once_and_reads_its_receipt() {
    let app = TestApp::spawn().await;
    let (_, passes) = order_at(&app, Stage::Activated).await;
    let ouest = app.logged_in("ouest").await;
    let pass = &passes[0];

    // The pass's QR code opens its check page: genuine, spendable, and a
    // logged-in supplier is offered to spend it.
    let signature = app.state.keys.current().sign_check_link(&pass.number);
    let check = ouest.get(&format!("/pass/{}?s={signature}", pass.number)).await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(check.contains("Pass authentique, utilisable"), "{}", check.body);
    assert!(check.contains(&format!("href=\"/fournisseur/pass?numero={}\"", pass.number)));
    assert!(!check.contains(&pass.code), "the check page never shows the code");
    let form = ouest.get(&format!("/fournisseur/pass?numero={}", pass.number)).await;
    assert!(form.contains(&format!("value=\"{}\"", pass.number)), "the number is filled in");

    // Number and code typed at the counter: the form lands on the receipt.
    let from = format!("/fournisseur/pass?numero={}", pass.number);
    let typed = pass.number.to_lowercase();
    let page = ouest.submit(&from, "/api/supplier_spend_pass", &[("number", &typed), ("code", &pass.code)]).await;
    assert!(page.location.as_deref().unwrap().starts_with(&format!("/fournisseur/pass?numero={}&c=", pass.number)));
    assert_eq!(page.text_of("class=\"verdict").as_deref(), Some("Pass encaissé"));
    assert_eq!(page.text_of("class=\"number\"").as_deref(), Some(pass.number.as_str()));
    assert_eq!(page.text_of("class=\"amount\"").as_deref(), Some("20\u{a0}€"));
    let supplier: i64 = app.supplier_id("Matériaux de l'Ouest").await.parse().unwrap();
    assert_eq!(status_of(&app, &pass.number).await, ("used".into(), Some(supplier)));
    assert_eq!(spends(&app).await, 1);

    // Typed again (a lost answer, a double tap): the same receipt, spent once.
    let (status, again) = ouest.call("supplier_spend_pass", &[("number", &pass.number), ("code", &pass.code)]).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["face_value"], 2000);
    assert_eq!(spends(&app).await, 1);

    // Another supplier, the right code: already spent, refused.
    let bois = app.other_supplier().await;
    let (status, json) = bois.call("supplier_spend_pass", &[("number", &pass.number), ("code", &pass.code)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error_of(&json).contains("déjà été encaissé"), "{json}");
    let check = app.browser().get(&format!("/pass/{}?s={signature}", pass.number)).await;
    assert!(check.contains("Ce pass a déjà été encaissé."), "{}", check.body);

    // A receipt link with a made-up proof shows none; nor does the other supplier's.
    let forged =
        ouest.get(&format!("/fournisseur/pass?numero={}&c=00112233445566778899aabbccddeeff", pass.number)).await;
    assert!(!forged.contains("Pass encaissé"));
    let proof = app.state.keys.sign_code_checked(&pass.number);
    let theirs = bois.get(&format!("/fournisseur/pass?numero={}&c={proof}", pass.number)).await;
    assert!(!theirs.contains("Pass encaissé"), "only the supplier who spent it reads its receipt");

    // The till spends the next one; again, the same answer.
    let till = app.till("ouest").await;
    let body = json!({ "number": passes[1].number, "code": passes[1].code });
    let (status, first) = till.post("/api/v1/passes/spend", &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["face_value_cents"], 2000);
    assert!(first["sponsor"].as_str().unwrap().contains("Services techniques"), "{first}");
    let (status, second) = till.post("/api/v1/passes/spend", &body).await;
    assert_eq!((status, &second), (StatusCode::OK, &first));
    assert_eq!(spends(&app).await, 2);

    // Both are in the supplier's delivered list, beside its vouchers.
    let delivered = ouest.get("/fournisseur/bons?du=&au=&statut=").await;
    assert_eq!(delivered.text_of("class=\"passes-count\"").as_deref(), Some("2"));
    assert_eq!(delivered.text_of("class=\"passes-amount\"").as_deref(), Some("40\u{a0}€"));
    assert!(delivered.contains(&passes[0].number) && delivered.contains(&passes[1].number));
    let invoiced_only = ouest.get("/fournisseur/bons?du=&au=&statut=21").await;
    assert!(!invoiced_only.contains(&passes[0].number), "passes are not invoiced yet");
    assert!(!bois.get("/fournisseur/bons?du=&au=&statut=").await.contains(&passes[0].number));

    // The sponsor sees them spent, where, and exports the list.
    let (order,): (i64,) = sqlx::query_as("SELECT MIN(order_id) FROM passes").fetch_one(app.db.pool()).await.unwrap();
    let mairie = app.logged_in("mairie").await;
    let page = mairie.get(&format!("/commanditaire/commandes/{order}")).await;
    assert_eq!(page.text_of("class=\"spent-count\"").as_deref(), Some("2"), "{}", page.body);
    assert_eq!(spaced(&page.text_of("class=\"spent-value\"").unwrap()), "40,00 €");
    assert!(page.contains("Matériaux de l'Ouest"));
    // The month's chart, its figures in the table beside it.
    assert!(page.contains("Valeur des pass dépensés, mois par mois et par fournisseur"));
    assert_eq!(page.body.matches("<rect ").count(), 1 + 1, "one bar, and the legend's swatch");
    let figures = page.body.split("chart-figures").nth(1).unwrap();
    assert!(spaced(figures).contains("40,00 €"), "{figures}");
    // The agency's dashboard counts them with the month's vouchers.
    let staff = app.logged_in("agence.nantes").await;
    let dashboard = staff.get("/agence").await;
    assert!(dashboard.contains("Bons utilisés et pass encaissés, les douze derniers mois"), "{}", dashboard.body);
    let figures = dashboard.body.split("chart-figures").nth(1).unwrap();
    assert!(spaced(figures).contains("40,00 €"), "{figures}");
    let csv = mairie.client.get(format!("{}/commanditaire/commandes/{order}/pass-encaisses.csv", mairie.base));
    let csv = csv.send().await.unwrap().text().await.unwrap();
    assert!(csv.contains(&format!("{};", passes[0].number)) && csv.contains("Matériaux de l'Ouest;20,00"), "{csv}");
    assert!(!csv.contains(&passes[0].code), "the codes never leave the print sheets");

    // The journal names who spent each.
    let actors: Vec<String> =
        sqlx::query_scalar("SELECT actor FROM audit_events WHERE entity = 'pass' AND action = 'spend' ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(actors[0], "ouest");
    assert!(actors[1].starts_with("clé API"), "{actors:?}");
}

/// Each reason a pass cannot be spent, through every path that spends or
/// checks one: the supplier's screen, the till, the public check page.
#[tokio::test]
async fn every_path_refuses_a_pass_that_cannot_be_spent_and_says_why() {
    let app = TestApp::spawn().await;
    let (_, not_yet) = order_at(&app, Stage::Produced).await;
    let (cancelled_order, cancelled) = order_at(&app, Stage::Produced).await;
    let staff = common::shop::staff(&app, "agence.annule").await;
    passes::cancel(&app.state, &staff, &cancelled_order.to_string(), now()).await.unwrap();
    let (_, active) = order_at(&app, Stage::Activated).await;
    let (expired, blocked) = (&active[0], &active[1]);
    let sequence = |p: &Printed| p.number.rsplit('.').next().unwrap().parse::<i64>().unwrap();
    app.update_row("UPDATE passes SET valid_until = '2025-12-31' WHERE sequence = $1", sequence(expired)).await;
    app.update_row(
        "UPDATE passes SET blocked_at = '2026-01-02T10:00:00.000000Z' WHERE sequence = $1",
        sequence(blocked),
    )
    .await;

    let cases: [(&str, &Printed, &str, &str); 4] = [
        ("not yet active", &not_yet[0], "pas encore activé", "Ce pass n'est pas encore activé"),
        ("cancelled", &cancelled[0], "est annulé", "Ce pass est annulé"),
        ("expired", expired, "a expiré le 31/12/2025", "Ce pass a expiré"),
        ("blocked", blocked, "bloqué par l'agence", "Pass bloqué par l'agence"),
    ];
    let ouest = app.logged_in("ouest").await;
    let till = app.till("ouest").await;
    for (what, pass, refusal, check_says) in cases {
        let before = status_of(&app, &pass.number).await;

        let (status, json) = ouest.call("supplier_spend_pass", &[("number", &pass.number), ("code", &pass.code)]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{what}: {json}");
        assert!(spaced(&error_of(&json)).contains(refusal), "{what}: {json}");
        let from = format!("/fournisseur/pass?numero={}", pass.number);
        let page =
            ouest.submit(&from, "/api/supplier_spend_pass", &[("number", &pass.number), ("code", &pass.code)]).await;
        assert!(spaced(&page.error().unwrap_or_default()).contains(refusal), "{what}: {}", page.body);
        assert!(!page.contains("Pass encaissé"), "{what}");

        let (status, json) =
            till.post("/api/v1/passes/spend", &json!({ "number": pass.number, "code": pass.code })).await;
        assert_eq!(status, StatusCode::CONFLICT, "{what}: {json}");
        assert!(spaced(&error_of(&json)).contains(refusal), "{what}: {json}");

        let signature = app.state.keys.current().sign_check_link(&pass.number);
        let check = app.browser().get(&format!("/pass/{}?s={signature}", pass.number)).await;
        assert!(check.contains(check_says), "{what}: {}", check.body);
        assert!(check.contains("verdict verdict-bad"), "{what}");
        assert!(!check.contains("Encaisser ce pass"));

        assert_eq!(status_of(&app, &pass.number).await, before, "{what}: nothing changed");
    }
    assert_eq!(spends(&app).await, 0);

    // A check link that was not signed by the server, or for another number.
    let forged = app.browser().get(&format!("/pass/{}?s=00112233445566778899aabbccddeeff", active[2].number)).await;
    assert!(forged.contains("Pass non authentique"), "{}", forged.body);
    let other = app.state.keys.current().sign_check_link(&active[3].number);
    let swapped = app.browser().get(&format!("/pass/{}?s={other}", active[2].number)).await;
    assert!(swapped.contains("Pass non authentique"));
}

#[tokio::test]
async fn a_wrong_code_gets_the_one_answer_and_five_lock_the_pass_until_staff_unlock_it() {
    let app = TestApp::spawn().await;
    let (_, active) = order_at(&app, Stage::Activated).await;
    let pass = &active[0];
    let wrong = common::wrong(&pass.code);
    let ouest = app.logged_in("ouest").await;

    // Unknown number, wrong code: one sentence, 422.
    for (number, code) in [(pass.number.as_str(), wrong.as_str()), ("P2026.NA.442.09999999", pass.code.as_str())] {
        let (status, json) = ouest.call("supplier_spend_pass", &[("number", number), ("code", code)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
        assert!(error_of(&json).starts_with(WRONG), "{json}");
    }
    // Badly typed input is named, and is no attempt at a code.
    for (number, code, says) in [
        ("W2026.NA.442.00000001", pass.code.as_str(), "Numéro de pass invalide"),
        (pass.number.as_str(), "1234", "6 chiffres"),
        (pass.number.as_str(), "", "Saisissez le code secret"),
    ] {
        let (status, json) = ouest.call("supplier_spend_pass", &[("number", number), ("code", code)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
        assert!(error_of(&json).contains(says), "{json}");
    }
    // Four more wrong codes lock it: then the right code gets the same answer.
    for _ in 0..4 {
        ouest.call("supplier_spend_pass", &[("number", &pass.number), ("code", &wrong)]).await;
    }
    let (status, json) = ouest.call("supplier_spend_pass", &[("number", &pass.number), ("code", &pass.code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert!(error_of(&json).starts_with(WRONG));
    assert_eq!(status_of(&app, &pass.number).await.0, "active");
    let signature = app.state.keys.current().sign_check_link(&pass.number);
    let check = app.browser().get(&format!("/pass/{}?s={signature}", pass.number)).await;
    assert!(check.contains("Pass bloqué par l'agence"), "the check page says it is held");
    let locks = app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'pass' AND action = 'lock'").await;
    assert_eq!(locks, 1);

    // Staff unlock it (a supplier may not); the right code spends it.
    let (status, _) = ouest.call("unlock_pass", &[("number", &pass.number)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let staff = app.logged_in("agence.nantes").await;
    let (status, json) = staff.call("unlock_pass", &[("number", &pass.number)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (status, json) = ouest.call("supplier_spend_pass", &[("number", &pass.number), ("code", &pass.code)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

/// Fifty spends of one pass at once, from two suppliers' tills: one
/// supplier spends it, once; every answer to that supplier is the same
/// receipt, every answer to the other a refusal.
#[tokio::test]
async fn fifty_simultaneous_spends_of_one_pass_spend_it_once() {
    let app = TestApp::spawn().await;
    let (_, active) = order_at(&app, Stage::Activated).await;
    let pass = &active[0];
    app.other_supplier().await;
    let (ouest, bois) = (app.till("ouest").await, app.till(common::supplier::OTHER_SUPPLIER_LOGIN).await);
    let body = json!({ "number": pass.number, "code": pass.code });
    let answers = join_all((0..50).map(|i| {
        let till = if i % 2 == 0 { &ouest } else { &bois };
        let body = body.clone();
        async move { (i % 2, till.post("/api/v1/passes/spend", &body).await) }
    }))
    .await;
    assert_eq!(spends(&app).await, 1, "spent once");
    let (used, supplier) = status_of(&app, &pass.number).await;
    assert_eq!(used, "used");
    let winner = if supplier == Some(app.supplier_id("Matériaux de l'Ouest").await.parse().unwrap()) { 0 } else { 1 };
    let receipts: Vec<&Value> = answers
        .iter()
        .filter(|(who, _)| *who == winner)
        .map(|(_, (status, json))| {
            assert_eq!(*status, StatusCode::OK, "{json}");
            json
        })
        .collect();
    assert_eq!(receipts.len(), 25);
    assert!(receipts.windows(2).all(|w| w[0] == w[1]), "the same receipt every time");
    for (_, (status, json)) in answers.iter().filter(|(who, _)| *who != winner) {
        assert_eq!(*status, StatusCode::CONFLICT, "{json}");
        assert!(error_of(json).contains("déjà été encaissé"), "{json}");
    }
}

/// Staff print the passes once produced: every pass's number and code, in
/// number order. Nobody else downloads them.
#[tokio::test]
async fn staff_print_the_passes_with_their_codes() {
    let app = TestApp::spawn().await;
    let (id, printed) = order_at(&app, Stage::Produced).await;
    let staff = app.logged_in("agence.nantes").await;
    let res = staff.client.get(format!("{}/agence/commandes/{id}/pass.pdf", staff.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let text = pdf_text(&bytes);
    let mut at = 0;
    for pass in &printed {
        let code = format!("{} {}", &pass.code[..3], &pass.code[3..]);
        let found = text[at..].find(&pass.number).unwrap_or_else(|| panic!("{} in order", pass.number));
        at += found;
        assert!(text[at..].contains(&code), "{} printed with its code", pass.number);
    }
    assert!(text.contains("PASS CASTORS") && text.contains("Valable jusqu'au 31/12/"), "{text}");

    let sponsor: Browser = app.logged_in("mairie").await;
    let res = sponsor.client.get(format!("{}/agence/commandes/{id}/pass.pdf", sponsor.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let supplier = app.logged_in("ouest").await;
    let res = supplier.client.get(format!("{}/agence/commandes/{id}/pass.pdf", supplier.base)).send().await.unwrap();
    assert!(res.status().is_client_error());
}

/// A lost booklet: staff block its passes by number range; no supplier can
/// spend them and their check page says so, until staff unblock them.
#[tokio::test]
async fn staff_block_a_lost_booklets_passes_by_range_and_unblock_them() {
    let app = TestApp::spawn().await;
    let (order, active) = order_at(&app, Stage::Activated).await;
    let staff = app.logged_in("agence.nantes").await;
    let ouest = app.logged_in("ouest").await;
    let order = order.to_string();
    let block = |first: &str, last: &str, reason: &str, action: &str| {
        let fields = [
            ("order", order.clone()),
            ("first", first.into()),
            ("last", last.into()),
            ("reason", reason.into()),
            ("action", action.into()),
        ];
        let staff = &staff;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            staff.call("block_passes", &fields).await
        }
    };

    // Mistakes are named and change nothing.
    let (first, third, last) = (&active[0].number, &active[2].number, &active[9].number);
    for (from, to, reason, says) in [
        (third.as_str(), first.as_str(), "Carnet perdu", "dans l'ordre"),
        (first.as_str(), "P2025.NA.442.00000003", "Carnet perdu", "même série"),
        (first.as_str(), third.as_str(), "", "pourquoi"),
        (first.as_str(), "P2026.NA.442.00005000", "Carnet perdu", "Au plus 1000"),
        ("P2026.NA.442.0000001", third.as_str(), "Carnet perdu", "Numéro de pass invalide"),
    ] {
        let (status, json) = block(from, to, reason, "bloquer").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
        assert!(error_of(&json).contains(says), "{says}: {json}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM passes WHERE blocked_at IS NOT NULL").await, 0);

    // The first three blocked: refused at the counter, the fourth spent.
    let (status, json) = block(first, third, "Carnet volé le 12/03", "bloquer").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(app.count("SELECT COUNT(*) FROM passes WHERE blocked_at IS NOT NULL").await, 3);
    let (status, json) =
        ouest.call("supplier_spend_pass", &[("number", &active[1].number), ("code", &active[1].code)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(spaced(&error_of(&json)).contains("bloqué par l'agence"), "{json}");
    let (status, _) =
        ouest.call("supplier_spend_pass", &[("number", &active[3].number), ("code", &active[3].code)]).await;
    assert_eq!(status, StatusCode::OK);
    let blocks = app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'pass' AND action = 'block'").await;
    assert_eq!(blocks, 3, "each pass journaled");
    // Blocking the whole booklet again leaves the spent one and the blocked ones as they are.
    let (status, json) = block(first, last, "Carnet volé le 12/03", "bloquer").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(app.count("SELECT COUNT(*) FROM passes WHERE blocked_at IS NOT NULL").await, 9);
    assert_eq!(status_of(&app, &active[3].number).await.0, "used");

    // Found again: unblocked, spendable.
    let (status, json) = block(first, last, "Retrouvé", "debloquer").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(app.count("SELECT COUNT(*) FROM passes WHERE blocked_at IS NOT NULL").await, 0);
    let (status, json) = block(first, last, "Retrouvé", "debloquer").await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing left to unblock: {json}");
    let (status, _) =
        ouest.call("supplier_spend_pass", &[("number", &active[1].number), ("code", &active[1].code)]).await;
    assert_eq!(status, StatusCode::OK);

    // Another agency's staff do not find the order.
    let rennes = common::agency::rennes_staff(&app).await;
    let fields = [
        ("order", order.as_str()),
        ("first", first.as_str()),
        ("last", last.as_str()),
        ("reason", "x"),
        ("action", "bloquer"),
    ];
    let (status, _) = rennes.call("block_passes", &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Spent passes close the money loop like used vouchers: the supplier
/// invoices them (number, printed code, value), each line matched with
/// the first reason that applies; staff accept the invoice, which claims
/// its passes; a paid batch pays them, and the sponsor sees what was paid.
#[tokio::test]
async fn spent_passes_are_invoiced_reconciled_and_paid_like_vouchers() {
    use app::domain::{InvoiceLineInput, LineFlag};
    use app::server::services::invoices::{self as supplier_invoices, InvoiceInput, Submitter, review};
    use app::server::services::passes::{Spender, spend};
    use app::server::services::payments;

    let app = TestApp::spawn().await;
    let (order, passes) = order_at(&app, Stage::Activated).await;
    let ouest = app.supplier_user("ouest").await;
    let at_ouest = Spender::staff(&ouest, "127.0.0.1");
    for pass in &passes[..3] {
        spend(&app.state, &at_ouest, &pass.number, &pass.code, now()).await.unwrap();
    }
    app.other_supplier().await;
    let bois = app.supplier_user(common::supplier::OTHER_SUPPLIER_LOGIN).await;
    spend(&app.state, &Spender::staff(&bois, "127.0.0.1"), &passes[3].number, &passes[3].code, now()).await.unwrap();

    let line = |number: &str, code: &str, amount: &str| InvoiceLineInput {
        voucher_number: number.to_lowercase(),
        code: code.into(),
        amount: amount.into(),
    };
    let invoice = |number: &str, amount: &str, lines| InvoiceInput {
        number: number.into(),
        date: common::today(),
        amount: amount.into(),
        lines,
    };
    let by = Submitter::user(&ouest);
    let wrong_code = format!("{:06}", (passes[1].code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let lines = vec![
        line(&passes[0].number, &passes[0].code, "20"),
        line(&passes[1].number, &wrong_code, "20"),
        line(&passes[2].number, &passes[2].code, "25"),
        line(&passes[3].number, &passes[3].code, "20"),
        line(&passes[4].number, &passes[4].code, "20"),
        line("P2026.NA.442.09999999", "123456", "20"),
        line(&passes[0].number, &passes[0].code, "20"),
    ];
    let id = supplier_invoices::submit_invoice(&app.state, &by, &invoice("FP-1", "145", lines), now()).await.unwrap();
    let record = app::server::store::invoices::find(app.db.pool(), id).await.unwrap().unwrap();
    let detail = supplier_invoices::detail(&app.state, record).await.unwrap();
    let flags: Vec<Option<LineFlag>> = detail.lines.iter().map(|l| l.flag).collect();
    assert_eq!(
        flags,
        [
            None,
            Some(LineFlag::CodeMismatch),
            Some(LineFlag::AmountExceeds),
            Some(LineFlag::OtherSupplier),
            Some(LineFlag::NotUsed),
            Some(LineFlag::UnknownVoucher),
            Some(LineFlag::AlreadyInvoiced),
        ]
    );
    assert_eq!(detail.lines[0].voucher_number, passes[0].number, "the number in its printed form");
    assert_eq!(detail.lines[0].voucher_amount, Some(app::domain::Money::from_euros(20)));

    // A clean invoice of the third pass (the first is claimed by FP-1's
    // matching line while FP-1 waits).
    let lines = vec![line(&passes[2].number, &passes[2].code, "20")];
    let clean = supplier_invoices::submit_invoice(&app.state, &by, &invoice("FP-2", "20", lines), now()).await.unwrap();
    let staff = common::shop::staff(&app, "agence.paiements").await;
    review::accept(&app.state, &staff, clean, now()).await.unwrap();
    let invoiced: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT sequence, invoice_id FROM passes WHERE order_id = $1 AND invoice_id IS NOT NULL")
            .bind(order)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(invoiced.len(), 1, "the accepted invoice claims its pass: {invoiced:?}");
    assert!(invoiced.iter().all(|(_, invoice)| *invoice == Some(clean)));
    let again = vec![line(&passes[2].number, &passes[2].code, "20")];
    let late = supplier_invoices::submit_invoice(&app.state, &by, &invoice("FP-3", "20", again), now()).await.unwrap();
    let record = app::server::store::invoices::find(app.db.pool(), late).await.unwrap().unwrap();
    let detail = supplier_invoices::detail(&app.state, record).await.unwrap();
    assert_eq!(detail.lines[0].flag, Some(LineFlag::AlreadyInvoiced), "a pass is paid once");

    // The batch paid: the passes are paid, from the sponsor's funds.
    let batch = payments::create(&app.state, &staff, None, None, now()).await.unwrap();
    payments::mark_paid(&app.state, &staff, batch, &common::today(), "VIR-PASS", now()).await.unwrap();
    let paid =
        app.count(&format!("SELECT COUNT(*) FROM passes WHERE order_id = {order} AND paid_on IS NOT NULL")).await;
    assert_eq!(paid, 1);
    let journal =
        app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'pass' AND action IN ('invoice', 'pay')").await;
    assert_eq!(journal, 2, "the pass invoiced then paid, journaled");
    // The supplier's « Bons livrés » says it, and its spreadsheet too; the
    // status filter reads passes like vouchers.
    let desk = app.logged_in("ouest").await;
    let delivered = desk.get("/fournisseur/bons").await;
    assert!(delivered.contains(&passes[2].number) && delivered.contains("FP-2 — payé le"), "{}", delivered.body);
    let paid_only = desk.get("/fournisseur/bons?statut=31").await;
    assert!(paid_only.contains(&passes[2].number) && !paid_only.contains(&passes[0].number));
    let not_invoiced = desk.get("/fournisseur/bons?statut=11").await;
    assert!(not_invoiced.contains(&passes[0].number) && !not_invoiced.contains(&passes[2].number));
    let csv = desk.client.get(format!("{}/fournisseur/bons.csv", desk.base)).send().await.unwrap();
    let csv = csv.text().await.unwrap();
    let row = csv.lines().find(|l| l.starts_with(&passes[2].number)).unwrap_or_default();
    assert!(row.contains(";20,00;Pass payé;") && row.contains(";FP-2;"), "{csv}");

    // The till's list carries them too, after the vouchers, under the same filter.
    let till = app.till("ouest").await;
    let (status, list) = till.get("/api/v1/vouchers").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed: Vec<&str> = list["passes"].as_array().unwrap().iter().map(|p| p["number"].as_str().unwrap()).collect();
    let mut spent_here: Vec<&str> = passes[..3].iter().map(|p| p.number.as_str()).collect();
    spent_here.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, spent_here, "the three passes spent at Ouest, not the one spent at Bois: {list}");
    assert_eq!(list["pass_count"], 3);
    let (_, paid_list) = till.get("/api/v1/vouchers?status=31").await;
    let paid_pass = &paid_list["passes"][0];
    assert_eq!(paid_list["pass_count"], 1, "{paid_list}");
    assert_eq!(paid_pass["number"], passes[2].number.as_str());
    assert_eq!((paid_pass["status"].as_i64(), paid_pass["status_label"].as_str()), (Some(31), Some("Pass payé")));
    assert_eq!(paid_pass["invoice_number"], "FP-2");
    assert_eq!(paid_pass["paid_on"].as_str().map(str::len), Some(10), "{paid_pass}");
    assert_eq!(paid_list["pass_total_cents"], paid_pass["amount_cents"]);
    let (_, waiting) = till.get("/api/v1/vouchers?status=11").await;
    let waiting: Vec<&str> =
        waiting["passes"].as_array().unwrap().iter().map(|p| p["number"].as_str().unwrap()).collect();
    assert!(waiting.contains(&passes[0].number.as_str()) && !waiting.contains(&passes[2].number.as_str()));

    let mairie = app.browser();
    mairie.login("mairie", common::PASSWORD).await;
    let page = mairie.get(&format!("/commanditaire/commandes/{order}")).await;
    let paid_value = page.text_of("class=\"paid-value").map(|t| spaced(&t));
    assert!(paid_value.as_deref().is_some_and(|t| t.contains("20,00 €")), "{paid_value:?}");
}

/// A wrong code on an invoice line counts toward the pass's lock like one
/// typed at the counter: five in a row lock it (journaled once), a right
/// code in between clears the count, and the locked pass still matches its
/// right code (reconciling compares, it does not guess).
#[tokio::test]
async fn wrong_codes_on_invoices_count_toward_the_passs_lock() {
    use app::domain::{InvoiceLineInput, LineFlag};
    use app::server::services::invoices::{self as supplier_invoices, InvoiceInput, Submitter};
    use app::server::services::passes::{Spender, spend};

    let app = TestApp::spawn().await;
    let (_, passes) = order_at(&app, Stage::Activated).await;
    let pass = &passes[0];
    let ouest = app.supplier_user("ouest").await;
    spend(&app.state, &Spender::staff(&ouest, "127.0.0.1"), &pass.number, &pass.code, now()).await.unwrap();
    let by = Submitter::user(&ouest);
    let wrong = common::wrong(&pass.code);
    let mut sent = 0;
    let mut send = |code: String| {
        sent += 1;
        let input = InvoiceInput {
            number: format!("FW-{sent}"),
            date: common::today(),
            amount: "10".into(),
            lines: vec![InvoiceLineInput { voucher_number: pass.number.clone(), code, amount: "10".into() }],
        };
        let state = app.state.clone();
        let by = by.clone();
        async move {
            let id = supplier_invoices::submit_invoice(&state, &by, &input, now()).await.unwrap();
            let record = app::server::store::invoices::find(state.db.pool(), id).await.unwrap().unwrap();
            supplier_invoices::detail(&state, record).await.unwrap().lines[0].flag
        }
    };
    let locks = || app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'pass' AND action = 'lock'");
    for _ in 0..4 {
        assert_eq!(send(wrong.clone()).await, Some(LineFlag::CodeMismatch));
    }
    // The right code clears the four: four more do not lock it.
    assert_eq!(send(pass.code.clone()).await, None);
    for _ in 0..4 {
        send(wrong.clone()).await;
    }
    assert_eq!(locks().await, 0, "a right code in between clears the count");
    assert_eq!(send(wrong.clone()).await, Some(LineFlag::CodeMismatch));
    assert_eq!(locks().await, 1, "the fifth wrong code in a row locks the pass");
    send(wrong.clone()).await;
    assert_eq!(locks().await, 1, "locked once");
    assert_eq!(send(pass.code.clone()).await, Some(LineFlag::AlreadyInvoiced), "its right code still matches");
}

/// At the end of the passes' validity the sponsor gets, once, the list of
/// the suppliers its passes were spent at and paid to, and the value left
/// unused (PDF and CSV attached); the same report is on the order's page.
#[tokio::test]
async fn the_year_end_report_lists_the_suppliers_paid_and_the_unused_value() {
    use app::server::services::passes::{Spender, spend};
    use app::server::services::shop::year_end;

    let app = TestApp::spawn().await;
    let (order, passes) = order_at(&app, Stage::Activated).await;
    let ouest = app.supplier_user("ouest").await;
    let at_ouest = Spender::staff(&ouest, "127.0.0.1");
    for pass in &passes[..2] {
        spend(&app.state, &at_ouest, &pass.number, &pass.code, now()).await.unwrap();
    }
    // The first one paid to the supplier (as a paid batch does).
    app.update_row(
        "UPDATE passes SET paid_on = '2026-12-01'
          WHERE order_id = $1 AND sequence = (SELECT MIN(sequence) FROM passes WHERE order_id = $1)",
        order,
    )
    .await;

    assert_eq!(year_end::send_due(&app.state, now()).await.unwrap(), 0, "not before the validity ends");
    let valid_until: String = app.value_of("SELECT valid_until FROM orders WHERE id = $1", order).await;
    let ended = chrono::NaiveDate::parse_from_str(&valid_until, "%Y-%m-%d").unwrap() + chrono::Days::new(1);
    let ended = ended.and_hms_opt(12, 0, 0).unwrap().and_utc();
    assert_eq!(year_end::send_due(&app.state, ended).await.unwrap(), 1);
    assert_eq!(year_end::send_due(&app.state, ended + chrono::Duration::hours(1)).await.unwrap(), 0, "once");
    let mails: Vec<String> =
        app.mails().into_iter().map(|m| m.replace("=\r\n", "")).filter(|m| m.contains("bilan-pass-")).collect();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains(".pdf") && mail.contains(".csv"), "the PDF and the CSV attached");
    assert!(mail.contains("160,00"), "eight passes of 20 € left unused: {mail}");
    let journal = app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'order' AND action = 'year_end'").await;
    assert_eq!(journal, 1);

    let mairie = app.browser();
    mairie.login("mairie", common::PASSWORD).await;
    let csv = mairie.client.get(format!("{}/commanditaire/commandes/{order}/bilan.csv", mairie.base)).send().await;
    let csv = csv.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(csv.contains("Matériaux de l'Ouest;2;40,00;20,00"), "{csv}");
    assert!(csv.contains("8;160,00"), "{csv}");
    let pdf = mairie.client.get(format!("{}/commanditaire/commandes/{order}/bilan.pdf", mairie.base)).send().await;
    let text = pdf_text(&pdf.unwrap().bytes().await.unwrap());
    assert!(text.contains("Matériaux de l'Ouest") && text.contains("non utilisée"), "{text}");
    let page = mairie.get(&format!("/commanditaire/commandes/{order}")).await;
    assert!(page.contains("Bilan provisoire") && page.contains("bilan.csv"), "before its end, on the page");
    // Another sponsor's manager cannot read it.
    let ccas = app.browser();
    ccas.login("ccas", common::PASSWORD).await;
    let other = ccas.client.get(format!("{}/commanditaire/commandes/{order}/bilan.csv", ccas.base)).send().await;
    assert_eq!(other.unwrap().status(), StatusCode::NOT_FOUND);
}
