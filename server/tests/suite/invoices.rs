//! A supplier's invoice, matched line by line to the vouchers it names: on
//! the real database (SQLite, or PostgreSQL with BONS_TEST_DATABASE_URL),
//! through the invoice service the supplier space and the till's API share.

use crate::common;

use app::domain::{InvoiceLineInput, InvoiceStatus, LineFlag};
use app::error::AppError;
use app::server::audit::{self, Entity};
use app::server::services::invoices::{self, InvoiceInput, Submitter};
use chrono::Utc;
use common::{TestApp, used_voucher_at, wrong};

fn line(number: &str, code: &str, amount: &str) -> InvoiceLineInput {
    InvoiceLineInput { voucher_number: number.into(), code: code.into(), amount: amount.into() }
}

fn invoice(number: &str, amount: &str, lines: Vec<InvoiceLineInput>) -> InvoiceInput {
    InvoiceInput { number: number.into(), date: "2026-01-02".into(), amount: amount.into(), lines }
}

async fn flags(app: &TestApp, id: i64) -> Vec<Option<LineFlag>> {
    let detail = invoices::detail(
        &app.state,
        app::server::store::invoices::find(app.db.pool(), id).await.unwrap().expect("invoice"),
    )
    .await
    .unwrap();
    detail.lines.into_iter().map(|l| l.flag).collect()
}

#[tokio::test]
async fn each_line_is_matched_to_its_voucher_and_flagged_with_the_first_reason_that_applies() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let ouest = "Matériaux de l'Ouest";
    let (_, n1, c1) = used_voucher_at(&app, &phone, ouest, "42").await;
    let (v2, n2, c2) = used_voucher_at(&app, &phone, ouest, "30").await;
    let (_, n3, c3) = used_voucher_at(&app, &phone, ouest, "20").await;
    let (_, n4, c4) = used_voucher_at(&app, &phone, "Bois & Charpente 44", "15").await;
    let (v5, n5, c5) = used_voucher_at(&app, &phone, ouest, "10").await;
    // Staff undid this use: the voucher is 91-annulé and keeps its number.
    app.update_row(
        "UPDATE vouchers SET status = 91, use_cancelled_at = '2026-01-01T10:00:00.000000Z' WHERE id = $1",
        v5,
    )
    .await;

    let supplier = app.supplier_user("ouest").await;
    let by = Submitter::user(&supplier);
    let lines = vec![
        line(&n1, &c1, "42"),
        line(&n2, &wrong(&c2), "30"),
        line(&n3, &c3, "25"),
        line(&n4, &c4, "15"),
        line(&n5, &c5, "10"),
        line("W2026.NA.442.09999999", "1234", "5"),
        line(&n1, &c1, "1"),
    ];
    let id = invoices::submit_invoice(&app.state, &by, &invoice("F-001", "128", lines), Utc::now()).await.unwrap();

    assert_eq!(
        flags(&app, id).await,
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
    let detail = invoices::invoice_for_supplier(&app.state, supplier.supplier_id, id).await.unwrap();
    assert_eq!(detail.summary.status, InvoiceStatus::Received);
    assert_eq!(detail.summary.open_flags, 6);
    assert_eq!(detail.summary.amount.cents(), 12_800);
    // Another supplier's voucher is not linked to the line, nor described.
    assert_eq!(detail.lines[3].voucher_amount, None);
    assert_eq!(detail.lines[2].voucher_amount.map(|m| m.cents()), Some(2_000));

    // The wrong code counts against the voucher, as at the counter.
    let failures: i64 = app.value_of("SELECT code_failures FROM vouchers WHERE id = $1", v2).await;
    assert_eq!(failures, 1);

    // The journal says who sent what.
    let event = audit::history(app.db.pool(), Entity::Invoice, id).await.unwrap().pop().unwrap();
    assert_eq!((event.action.as_str(), event.actor.as_str(), event.role.as_str()), ("submit", "ouest", "supplier"));
    assert!(event.after.contains("\"flagged_lines\":6"), "{}", event.after);

    // A second invoice for the first voucher finds it already claimed.
    let again =
        invoices::submit_invoice(&app.state, &by, &invoice("F-002", "42", vec![line(&n1, &c1, "42")]), Utc::now())
            .await
            .unwrap();
    assert_eq!(flags(&app, again).await, [Some(LineFlag::AlreadyInvoiced)]);
}

#[tokio::test]
async fn a_mistyped_invoice_or_a_reused_number_changes_nothing() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher_at(&app, &phone, "Matériaux de l'Ouest", "42").await;
    let by = Submitter::user(&app.supplier_user("ouest").await);
    invoices::submit_invoice(&app.state, &by, &invoice("F-100", "42", vec![line(&n1, &c1, "42")]), Utc::now())
        .await
        .unwrap();
    let before =
        (app.count("SELECT COUNT(*) FROM invoices").await, app.count("SELECT COUNT(*) FROM invoice_lines").await);

    let refusals = [
        (invoice("F-100", "42", vec![line(&n1, &c1, "42")]), "déjà envoyé une facture n° F-100"),
        (invoice("F-101", "40", vec![line(&n1, &c1, "42")]), "n'est pas la somme de ses lignes"),
        (invoice("F-102", "42", vec![line("W2026.NA.442.1", &c1, "42")]), "Ligne 1 : Numéro de bon invalide"),
        (invoice("F-103", "42", vec![line(&n1, "12", "42")]), "Ligne 1 : Le code secret"),
        (invoice("", "42", vec![line(&n1, &c1, "42")]), "numéro de la facture"),
    ];
    for (input, expected) in refusals {
        let err = invoices::submit_invoice(&app.state, &by, &input, Utc::now()).await.unwrap_err();
        assert!(err.to_string().contains(expected), "{}: {err}", input.number);
    }
    let after =
        (app.count("SELECT COUNT(*) FROM invoices").await, app.count("SELECT COUNT(*) FROM invoice_lines").await);
    assert_eq!(after, before);
}

#[tokio::test]
async fn an_invoice_sent_back_is_corrected_and_matched_again() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher_at(&app, &phone, "Matériaux de l'Ouest", "42").await;
    let by = Submitter::user(&app.supplier_user("ouest").await);
    let first = invoice("F-200", "42", vec![line(&n1, &wrong(&c1), "42")]);
    let id = invoices::submit_invoice(&app.state, &by, &first, Utc::now()).await.unwrap();
    assert_eq!(flags(&app, id).await, [Some(LineFlag::CodeMismatch)]);

    // Only an invoice the agency sent back can be corrected.
    let fixed = invoice("F-200", "42", vec![line(&n1, &c1, "42")]);
    let err =
        invoices::correct_invoice(&app.state, &by, id, &fixed, Utc::now()).await.map_err(AppError::from).unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");

    app.update_row(
        "UPDATE invoices SET status = 'to_correct', correction_reason = 'Code de la ligne 1' WHERE id = $1",
        id,
    )
    .await;
    invoices::correct_invoice(&app.state, &by, id, &fixed, Utc::now()).await.unwrap();
    let detail = invoices::invoice_for_supplier(&app.state, by.supplier_id, id).await.unwrap();
    assert_eq!(detail.summary.status, InvoiceStatus::Received);
    assert_eq!(detail.summary.correction_reason, None);
    assert_eq!(flags(&app, id).await, [None], "matched again, and not against its own old line");

    // Another supplier cannot see or correct it.
    let other = app.supplier_user("ouest").await;
    let err = invoices::invoice_for_supplier(&app.state, other.supplier_id + 1000, id)
        .await
        .map_err(AppError::from)
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)));
}

/// An invoice sent back « à corriger » no longer holds its vouchers: a new
/// invoice claims them, and the supplier may withdraw the old one instead
/// of correcting it (journaled; only an invoice sent back, only its own).
#[tokio::test]
async fn an_invoice_sent_back_frees_its_vouchers_and_can_be_withdrawn() {
    use app::server::services::invoices::review;
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher_at(&app, &phone, "Matériaux de l'Ouest", "42").await;
    let ouest = app.supplier_user("ouest").await;
    let by = Submitter::user(&ouest);
    let first =
        invoices::submit_invoice(&app.state, &by, &invoice("F-300", "42", vec![line(&n1, &c1, "42")]), Utc::now())
            .await
            .unwrap();
    let held = invoice("F-301", "42", vec![line(&n1, &c1, "42")]);
    let second = invoices::submit_invoice(&app.state, &by, &held, Utc::now()).await.unwrap();
    assert_eq!(flags(&app, second).await, [Some(LineFlag::AlreadyInvoiced)], "a received invoice holds its voucher");

    let staff = common::shop::staff(&app, "agence.paiements").await;
    review::send_back(&app.state, &staff, first, "Montant TTC", Utc::now()).await.unwrap();
    let freed = invoice("F-302", "42", vec![line(&n1, &c1, "42")]);
    let third = invoices::submit_invoice(&app.state, &by, &freed, Utc::now()).await.unwrap();
    assert_eq!(flags(&app, third).await, [None], "sent back, it no longer holds the voucher");

    // The supplier's page offers to withdraw it; the form needs the box ticked.
    let desk = app.logged_in("ouest").await;
    let page = desk.get(&format!("/fournisseur/factures/{first}")).await;
    assert!(page.contains("RETIRER LA FACTURE") && page.contains("RENVOYER LA FACTURE CORRIGÉE"));
    let id = first.to_string();
    let (status, json) = desk.call("supplier_withdraw_invoice", &[("id", &id)]).await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert!(common::message(&json).contains("Cochez la case"), "{json}");
    // Another supplier's is unknown; a received one cannot be withdrawn.
    app.other_supplier().await;
    let bois = app.logged_in(common::supplier::OTHER_SUPPLIER_LOGIN).await;
    let (status, _) = bois.call("supplier_withdraw_invoice", &[("id", &id), ("confirm", "on")]).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
    let (status, json) = desk.call("supplier_withdraw_invoice", &[("id", &third.to_string()), ("confirm", "on")]).await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT, "{json}");
    assert!(common::message(&json).contains("seule une facture renvoyée"), "{json}");

    let landed = desk
        .submit(
            &format!("/fournisseur/factures/{first}"),
            "/api/supplier_withdraw_invoice",
            &[("id", &id), ("confirm", "on")],
        )
        .await;
    assert_eq!(landed.location.as_deref(), Some("/fournisseur/factures?retiree=F-300"));
    assert!(landed.contains("retirée : ses bons peuvent figurer") && landed.contains("F-300"), "{}", landed.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM invoices WHERE id = {first}")).await, 0);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = {first}")).await, 0);
    let event = audit::history(app.db.pool(), Entity::Invoice, first).await.unwrap().pop().unwrap();
    assert_eq!(event.action, "withdraw");
    assert!(event.before.contains("F-300") && event.before.contains("Montant TTC"), "{event:?}");
    assert!(invoices::invoice_for_supplier(&app.state, by.supplier_id, third).await.is_ok(), "the new one stands");
}
