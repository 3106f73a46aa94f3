//! The agency's side of the money: reconciling a supplier invoice line by
//! line, overriding a flagged line with a reason, accepting or sending
//! back, then paying accepted invoices in a batch. Through the server
//! functions the back office's screens call, on a real database (SQLite, or
//! PostgreSQL with BONS_TEST_DATABASE_URL).

use crate::common;

use app::domain::InvoiceLineInput;
use app::server::audit::{self, Entity};
use app::server::services::invoices::{self, InvoiceInput, Submitter};
use chrono::Utc;
use common::{Browser, TestApp, message, used_voucher_at, wrong};
use reqwest::StatusCode;

const OUEST: &str = "Matériaux de l'Ouest";

fn line(number: &str, code: &str, amount: &str) -> InvoiceLineInput {
    InvoiceLineInput { voucher_number: number.into(), code: code.into(), amount: amount.into() }
}

/// Sends an invoice as "Matériaux de l'Ouest"; the amount is the lines' sum.
async fn send(app: &TestApp, number: &str, lines: Vec<InvoiceLineInput>) -> i64 {
    let supplier = app.supplier_user("ouest").await;
    let total: i64 = lines.iter().map(|l| l.amount.parse::<i64>().unwrap()).sum();
    let input = InvoiceInput { number: number.into(), date: "2026-01-02".into(), amount: total.to_string(), lines };
    invoices::submit_invoice(&app.state, &Submitter::user(&supplier), &input, Utc::now()).await.expect("invoice sent")
}

async fn status_of_invoice(app: &TestApp, id: i64) -> (String, Option<String>, Option<i64>, Option<String>) {
    sqlx::query_as("SELECT status, correction_reason, batch_id, paid_on FROM invoices WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn voucher(app: &TestApp, id: i64) -> (i64, Option<i64>, Option<String>) {
    sqlx::query_as("SELECT status, invoice_id, paid_on FROM vouchers WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn staff(app: &TestApp) -> Browser {
    app.logged_in("agence.nantes").await
}

#[tokio::test]
async fn a_bad_line_blocks_acceptance_until_staff_accept_it_with_a_reason_then_the_vouchers_are_invoiced() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (v1, n1, c1) = used_voucher_at(&app, &phone, OUEST, "42").await;
    let (v2, n2, c2) = used_voucher_at(&app, &phone, OUEST, "30").await;
    let id = send(&app, "F-100", vec![line(&n1, &c1, "42"), line(&n2, &wrong(&c2), "30")]).await;
    let desk = staff(&app).await;
    let invoice = id.to_string();

    // The screen shows the flag; acceptance is refused and names the line.
    let (status, view) = desk.call("agency_invoice", &[("id", &invoice)]).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["can_accept"], false);
    assert_eq!(view["invoice"]["lines"][1]["flag"], "CodeMismatch");
    let (status, refused) = desk.call("accept_invoice", &[("id", &invoice)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&refused).contains("ligne 2"), "{refused}");
    assert_eq!(status_of_invoice(&app, id).await.0, "received");
    assert_eq!(voucher(&app, v1).await.0, 11, "nothing moved");

    // An override needs a written reason; a blank one changes nothing.
    let (status, refused) =
        desk.call("override_invoice_line", &[("id", &invoice), ("line", "2"), ("reason", "  ")]).await;
    assert_eq!(status.as_u16(), 422, "{refused}");
    assert!(message(&refused).contains("Indiquez le motif"), "{refused}");
    let reason = "Code recopié avec deux chiffres inversés, vérifié avec l'adhérent";
    let (status, answer) =
        desk.call("override_invoice_line", &[("id", &invoice), ("line", "2"), ("reason", reason)]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, view) = desk.call("agency_invoice", &[("id", &invoice)]).await;
    assert_eq!(view["invoice"]["lines"][1]["override_reason"], reason);
    assert_eq!(view["can_accept"], true);
    let journal = audit::history(app.db.pool(), Entity::Invoice, id).await.unwrap();
    let overridden = journal.iter().find(|e| e.action == "override_line").expect("override journaled");
    assert!(overridden.after.contains(reason) && overridden.actor == "agence.nantes", "{overridden:?}");

    // Accepted: both vouchers become 21-facturé, claimed by this invoice.
    let (status, answer) = desk.call("accept_invoice", &[("id", &invoice)]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(status_of_invoice(&app, id).await.0, "accepted");
    assert_eq!(voucher(&app, v1).await, (21, Some(id), None));
    assert_eq!(voucher(&app, v2).await, (21, Some(id), None));
    let events = audit::history(app.db.pool(), Entity::Voucher, v2).await.unwrap();
    assert!(events.iter().any(|e| e.action == "invoice" && e.after.contains("21-factur")), "{events:?}");
    // Accepting twice is refused in words, and changes nothing.
    let (status, refused) = desk.call("accept_invoice", &[("id", &invoice)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&refused).contains("acceptée"), "{refused}");
    // The use of an invoiced voucher can no longer be undone.
    let (status, refused) = desk.call("undo_voucher_use", &[("id", &v1.to_string()), ("reason", "Erreur")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(voucher(&app, v1).await.0, 21);
}

#[tokio::test]
async fn lines_that_would_pay_a_voucher_twice_or_unused_cannot_be_overridden_only_sent_back() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher_at(&app, &phone, OUEST, "42").await;
    let (_, n2, c2) = used_voucher_at(&app, &phone, "Bois & Charpente 44", "20").await;
    let id = send(
        &app,
        "F-200",
        vec![
            line(&n1, &c1, "42"),
            line(&n1, &c1, "1"),
            line(&n2, &c2, "20"),
            line("W2026.NA.442.09999999", "1234", "5"),
        ],
    )
    .await;
    let desk = staff(&app).await;
    let invoice = id.to_string();
    for (n, why) in [("2", "Bon déjà facturé"), ("3", "autre fournisseur"), ("4", "Bon inconnu")] {
        let (status, refused) = desk
            .call("override_invoice_line", &[("id", &invoice), ("line", n), ("reason", "Je paie quand même")])
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "line {n}: {refused}");
        assert!(message(&refused).contains(why) && message(&refused).contains("Renvoyez"), "{refused}");
    }
    let (status, refused) =
        desk.call("override_invoice_line", &[("id", &invoice), ("line", "1"), ("reason", "x")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a matching line: {refused}");
    let (status, refused) =
        desk.call("override_invoice_line", &[("id", &invoice), ("line", "9"), ("reason", "x")]).await;
    assert_eq!(status.as_u16(), 422, "{refused}");
    assert_eq!(app.count("SELECT COUNT(*) FROM invoice_lines WHERE override_reason IS NOT NULL").await, 0);

    // Sent back with the reason, which the supplier reads; it may then be corrected.
    let (status, refused) = desk.call("send_back_invoice", &[("id", &invoice), ("reason", "")]).await;
    assert_eq!(status.as_u16(), 422, "{refused}");
    let reason = "Lignes 2 à 4 : bons en double, d'un autre fournisseur, inconnu";
    let (status, answer) = desk.call("send_back_invoice", &[("id", &invoice), ("reason", reason)]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(status_of_invoice(&app, id).await, ("to_correct".into(), Some(reason.into()), None, None));
    let supplier = app.logged_in("ouest").await;
    let page = supplier.get(&format!("/fournisseur/factures/{id}")).await;
    assert!(page.contains(reason), "the supplier reads why");
    let (status, refused) = desk.call("accept_invoice", &[("id", &invoice)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
}

#[tokio::test]
async fn accepted_invoices_are_paid_in_a_batch_which_pays_their_vouchers_on_the_day_of_the_transfers() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let desk = staff(&app).await;
    let (status, refused) = desk.call("create_payment_batch", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&refused).contains("Aucune facture acceptée"), "{refused}");

    let (v1, n1, c1) = used_voucher_at(&app, &phone, OUEST, "42").await;
    let (v2, n2, c2) = used_voucher_at(&app, &phone, OUEST, "30").await;
    let (v3, n3, c3) = used_voucher_at(&app, &phone, OUEST, "12").await;
    let first = send(&app, "F-301", vec![line(&n1, &c1, "42"), line(&n2, &c2, "30")]).await;
    let second = send(&app, "F-302", vec![line(&n3, &c3, "12")]).await;
    let waiting = {
        let (_, n4, c4) = used_voucher_at(&app, &phone, OUEST, "5").await;
        send(&app, "F-303", vec![line(&n4, &c4, "5")]).await
    };
    for id in [first, second] {
        let (status, answer) = desk.call("accept_invoice", &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let (_, page) = desk.call("payment_batches", &[]).await;
    assert_eq!(page["ready"].as_array().unwrap().len(), 2);
    assert_eq!(page["ready_total"], 8_400);
    let (_, dashboard) = desk.call("agency_dashboard", &[]).await;
    assert_eq!(dashboard["to_pay_total"], 8_400, "{dashboard}");

    // The batch takes the accepted invoices, not the one still received.
    let (status, answer) = desk.call("create_payment_batch", &[]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let batch: i64 = app.count("SELECT MAX(id) FROM payment_batches").await;
    assert_eq!(status_of_invoice(&app, first).await.2, Some(batch));
    assert_eq!(status_of_invoice(&app, waiting).await.2, None);
    let (_, detail) = desk.call("payment_batch", &[("id", &batch.to_string())]).await;
    assert_eq!(detail["batch"]["total"], 8_400);
    let transfers = detail["transfers"].as_array().unwrap();
    assert_eq!(transfers.len(), 1, "one transfer per supplier: {detail}");
    assert_eq!(transfers[0]["iban"], "FR7630004000031234567890143");
    assert_eq!(transfers[0]["invoice_numbers"], serde_json::json!(["F-301", "F-302"]));

    // A date in the future, or before the batch, is refused; nothing is paid.
    let tomorrow = app::server::clock::iso_day(app::server::clock::paris_date(Utc::now()).succ_opt().unwrap());
    let (status, refused) =
        desk.call("mark_batch_paid", &[("id", &batch.to_string()), ("paid_on", &tomorrow), ("reference", "")]).await;
    assert_eq!(status.as_u16(), 422);
    assert!(message(&refused).contains("futur"), "{refused}");
    let (status, refused) =
        desk.call("mark_batch_paid", &[("id", &batch.to_string()), ("paid_on", "2020-01-01"), ("reference", "")]).await;
    assert_eq!(status.as_u16(), 422, "{refused}");
    assert_eq!(voucher(&app, v1).await.0, 21);

    let today = app::server::clock::iso_day(app::server::clock::paris_date(Utc::now()));
    let (status, answer) = desk
        .call("mark_batch_paid", &[("id", &batch.to_string()), ("paid_on", &today), ("reference", "VIR 2026-11")])
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for id in [first, second] {
        let (status, _, _, paid_on) = status_of_invoice(&app, id).await;
        assert_eq!((status.as_str(), paid_on.as_deref()), ("paid", Some(today.as_str())));
    }
    for v in [v1, v2, v3] {
        let (status, _, paid_on) = voucher(&app, v).await;
        assert_eq!((status, paid_on.as_deref()), (31, Some(today.as_str())), "voucher {v}");
    }
    let events = audit::history(app.db.pool(), Entity::Voucher, v3).await.unwrap();
    assert!(events.iter().any(|e| e.action == "pay" && e.after.contains("31-pay")), "{events:?}");
    // The supplier reads « payée le … » on its invoice.
    let supplier = app.logged_in("ouest").await;
    let (_, invoices) = supplier.call("supplier_invoices", &[]).await;
    let paid = invoices.as_array().unwrap().iter().find(|i| i["number"] == "F-301").unwrap().clone();
    assert_eq!(paid["status"], "Paid");
    assert!(paid["paid_on"].as_str().is_some());
    // Paying twice is refused.
    let (status, refused) =
        desk.call("mark_batch_paid", &[("id", &batch.to_string()), ("paid_on", &today), ("reference", "")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&refused).contains("déjà payé"), "{refused}");

    // Staff of another agency see neither the batch nor the invoices.
    let rennes = common::agency::rennes_staff(&app).await;
    let (status, _) = rennes.call("payment_batch", &[("id", &batch.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = rennes.call("agency_invoices", &[("statut", "")]).await;
    assert_eq!(list["rows"], serde_json::json!([]));
}

#[tokio::test]
async fn the_dashboard_counts_flagged_lines_of_invoices_to_process() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher_at(&app, &phone, OUEST, "42").await;
    let (_, n2, c2) = used_voucher_at(&app, &phone, OUEST, "30").await;
    send(&app, "F-400", vec![line(&n1, &wrong(&c1), "42"), line(&n2, &c2, "31")]).await;
    let desk = staff(&app).await;
    let (_, dashboard) = desk.call("agency_dashboard", &[]).await;
    assert_eq!((dashboard["open_flags"].as_i64(), dashboard["invoices_with_flags"].as_i64()), (Some(2), Some(1)));
    let (_, list) = desk.call("agency_invoices", &[("statut", "received")]).await;
    assert_eq!(list["rows"][0]["open_flags"], 2);
    let (status, refused) = desk.call("agency_invoices", &[("statut", "perdue")]).await;
    assert_eq!(status.as_u16(), 422, "{refused}");
}
