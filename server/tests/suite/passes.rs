//! An order's passes (issue 15, seed 003): produced once its invoices are
//! issued (numbers in the agency's yearly series, gapless under
//! concurrency, not yet spendable), the counterpart recorded (a mandate by
//! the sponsor or staff; a transfer by staff only), activated only when it
//! covers the passes' face value (the activation notice to the contact
//! and each distribution point), or the order cancelled before that (its
//! passes void, their numbers consumed). Each step out of order refused.

use crate::common;

use app::server::auth::Staff;
use app::server::guards::StructureCaller;
use app::server::services::shop::checkout;
use app::server::services::shop::invoices;
use app::server::services::shop::passes::{self, ReceivedForm};
use common::shop::{booklets, cart_of, form, now, refusal};
use common::{PASSWORD, TestApp};
use futures::future::join_all;

const POINTS: &str = "Mairie annexe ; 2 rue des Écoles, 44999 Saint-Aubin ; annexe@saint-aubin-des-castors.example";

async fn staff(app: &TestApp) -> Staff {
    common::shop::staff(app, "agence.pass").await
}

/// A confirmed Chorus Pro order of the Services techniques: `count`
/// booklets of ten 20 € passes, with a distribution point.
async fn confirmed_order(app: &TestApp, count: u32) -> i64 {
    common::shop::confirmed_chorus_order(app, &[(booklets(20), count)], POINTS).await
}

fn mandate(reference: &str, amount: &str) -> ReceivedForm {
    ReceivedForm {
        reference: reference.into(),
        day: chrono::Utc::now().format("%d/%m/%Y").to_string(),
        amount: amount.into(),
    }
}

async fn statuses(app: &TestApp, order: i64) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT status, COUNT(*) FROM passes WHERE order_id = $1 GROUP BY status ORDER BY status")
        .bind(order)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_orders_passes_are_produced_paid_for_and_activated_in_that_order() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let mairie = StructureCaller::Sponsor(app.sponsor("mairie").await);
    let id = confirmed_order(&app, 10).await;
    let order = id.to_string();

    let why = refusal(passes::activate(&app.state, &staff, &order, now()).await);
    assert!(why.contains("Produisez d'abord"), "{why}");
    let why = refusal(passes::produce(&app.state, &staff, &order, now()).await);
    assert!(why.contains("Émettez d'abord les factures"), "{why}");
    assert_eq!(app.count("SELECT COUNT(*) FROM passes").await, 0);

    invoices::issue(&app.state, &staff, &order, now()).await.unwrap();
    let why = refusal(passes::produce(&app.state, &staff, &order, now()).await);
    assert!(why.contains("Validation du BAT"), "{why}");
    common::shop::proof_validated(&app, &staff, "mairie", &order).await;
    passes::produce(&app.state, &staff, &order, now()).await.unwrap();
    assert_eq!(statuses(&app, id).await, [("inactive".into(), 100)], "10 booklets of 10, none spendable");
    let why = refusal(passes::produce(&app.state, &staff, &order, now()).await);
    assert!(why.contains("déjà produits"), "{why}");
    let year = app::server::clock::paris_year(now());
    let (first, last): (i64, i64) =
        sqlx::query_as("SELECT MIN(sequence), MAX(sequence) FROM passes WHERE order_id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!((first, last), (1, 100));
    let valid: String = app.value_of("SELECT MIN(valid_until) FROM passes WHERE order_id = $1", id).await;
    assert_eq!(valid, format!("{year}-12-31"), "valid until 31 December of the year of issue");

    // The mandate and the activation follow the confirmed delivery.
    let why = refusal(passes::activate(&app.state, &staff, &order, now()).await);
    assert!(why.contains("Confirmation de livraison"), "{why}");
    let why = refusal(passes::record_received(&app.state, &mairie, &order, &mandate("M-1", "2 528"), now()).await);
    assert!(why.contains("Confirmation de livraison"), "{why}");
    common::shop::delivered(&app, &staff, &order).await;

    // Nothing received yet; then a mandate below the face value.
    let why = refusal(passes::activate(&app.state, &staff, &order, now()).await);
    let spaced = |text: &str| text.replace(['\u{a0}', '\u{202f}'], " ");
    assert!(spaced(&why).contains("Il manque 2 000,00 € : le montant du mandat (0,00 €)"), "{why}");
    let why = refusal(passes::record_received(&app.state, &mairie, &order, &mandate("", "2 000"), now()).await);
    assert!(why.contains("numéro du mandat"), "{why}");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2)).format("%d/%m/%Y").to_string();
    let future = ReceivedForm { day: tomorrow, ..mandate("M-2026-0042", "2 000") };
    let why = refusal(passes::record_received(&app.state, &mairie, &order, &future, now()).await);
    assert!(why.contains("dans le futur"), "{why}");
    passes::record_received(&app.state, &mairie, &order, &mandate("M-2026-0042", "1 500"), now()).await.unwrap();
    let why = refusal(passes::activate(&app.state, &staff, &order, now()).await);
    assert!(spaced(&why).contains("Il manque 500,00 € : le montant du mandat (1 500,00 €)"), "{why}");
    assert_eq!(statuses(&app, id).await, [("inactive".into(), 100)], "still none spendable");

    // The whole order's amount arrives: all the passes become spendable at once.
    passes::record_received(&app.state, &mairie, &order, &mandate("M-2026-0042", "2 528,00"), now()).await.unwrap();
    let activation_notices = || -> Vec<String> {
        let undone = app.mails().into_iter().map(|m| m.replace("=\r\n", ""));
        undone.filter(|m| m.contains("Pass Castors de la commande")).collect()
    };
    assert!(activation_notices().is_empty());
    let activated = passes::activate(&app.state, &staff, &order, now()).await.unwrap();
    assert_eq!(activated, 100);
    assert_eq!(statuses(&app, id).await, [("active".into(), 100)]);
    let notices = activation_notices();
    assert_eq!(notices.len(), 2, "the contact and the distribution point");
    assert!(notices.iter().any(|m| m.contains("To: annexe@saint-aubin-des-castors.example")));

    let why = refusal(passes::activate(&app.state, &staff, &order, now()).await);
    assert!(why.contains("déjà activés"), "{why}");
    let why = refusal(passes::record_received(&app.state, &mairie, &order, &mandate("M-2", "3 000"), now()).await);
    assert!(why.contains("déjà activés"), "{why}");
    let why = refusal(passes::cancel(&app.state, &staff, &order, now()).await);
    assert!(why.contains("ne peut plus être annulée"), "{why}");

    let journal: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE entity = 'order' AND entity_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let way = [
        "place",
        "purchase_order",
        "scoped",
        "elements",
        "invoices_validated",
        "proof",
        "proof_validated",
        "produce",
        "shipped",
        "delivered",
        "received",
        "received",
        "activate",
    ];
    assert_eq!(journal, way);

    // The order's page says it, for the sponsor and for staff.
    let browser = app.browser();
    browser.login("mairie", PASSWORD).await;
    let page = browser.get(&format!("/commanditaire/commandes/{id}")).await;
    assert!(page.contains("100 actifs") && page.contains(&format!("P{year}.NA.")), "the sponsor sees its passes");
    assert!(!page.contains("ACTIVER LES PASS"));
}

/// A cancelled order's printed passes are void and never activated; their
/// numbers stay consumed: the next order's passes follow them.
#[tokio::test]
async fn a_cancelled_order_voids_its_passes_and_keeps_their_numbers() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (first, second) = (confirmed_order(&app, 2).await, confirmed_order(&app, 3).await);
    for id in [first, second] {
        invoices::issue(&app.state, &staff, &id.to_string(), now()).await.unwrap();
        common::shop::proof_validated(&app, &staff, "mairie", &id.to_string()).await;
    }
    passes::produce(&app.state, &staff, &first.to_string(), now()).await.unwrap();
    assert_eq!(passes::cancel(&app.state, &staff, &first.to_string(), now()).await.unwrap(), 20);
    assert_eq!(statuses(&app, first).await, [("cancelled".into(), 20)]);
    let why = refusal(passes::activate(&app.state, &staff, &first.to_string(), now()).await);
    assert!(why.contains("annulée"), "{why}");
    let why = refusal(passes::cancel(&app.state, &staff, &first.to_string(), now()).await);
    assert!(why.contains("déjà annulée"), "{why}");
    passes::produce(&app.state, &staff, &second.to_string(), now()).await.unwrap();
    let (low, high): (i64, i64) = sqlx::query_as("SELECT MIN(sequence), MAX(sequence) FROM passes WHERE order_id = $1")
        .bind(second)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!((low, high), (21, 50), "the cancelled numbers are not given again");
}

/// Twelve orders produced four at a time: their 12 × 20 passes hold the
/// numbers 1 to 240, none twice, none missing, each order's a run.
#[tokio::test]
async fn pass_numbers_stay_gapless_when_orders_are_produced_at_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let mut ids = Vec::new();
    for _ in 0..12 {
        let id = confirmed_order(&app, 2).await;
        invoices::issue(&app.state, &staff, &id.to_string(), now()).await.unwrap();
        common::shop::proof_validated(&app, &staff, "mairie", &id.to_string()).await;
        ids.push(id.to_string());
    }
    for chunk in ids.chunks(4) {
        let done = join_all(chunk.iter().map(|id| passes::produce(&app.state, &staff, id, now()))).await;
        assert!(done.iter().all(Result::is_ok), "{done:?}");
    }
    let mut sequences: Vec<i64> =
        sqlx::query_scalar("SELECT sequence FROM passes").fetch_all(app.db.pool()).await.unwrap();
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=240).collect::<Vec<_>>());
    let runs: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT MIN(sequence), MAX(sequence), COUNT(*) FROM passes GROUP BY order_id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert!(runs.iter().all(|(low, high, n)| high - low + 1 == *n), "each order's numbers are one run: {runs:?}");
}

/// A private sponsor pays by transfer: only staff record it received.
#[tokio::test]
async fn only_staff_record_a_transfer_received() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let fondation = app.sponsor("fondation").await;
    let structure: i64 =
        app.value_of("SELECT structure_id FROM structure_managers WHERE account_id = $1", fondation.account_id).await;
    let shopper = cart_of(&app, Some(fondation.account_id), &[(booklets(10), 1)]).await;
    let id = checkout::place(&app.state, &fondation, &shopper, &form(structure, "transfer", "", POINTS), now())
        .await
        .unwrap();
    let order = id.to_string();
    let why = refusal(
        passes::record_received(
            &app.state,
            &StructureCaller::Sponsor(fondation),
            &order,
            &mandate("VIR-1", "104"),
            now(),
        )
        .await,
    );
    assert!(why.contains("personnel"), "{why}");
    passes::record_received(
        &app.state,
        &StructureCaller::Staff(staff.clone()),
        &order,
        &mandate("VIR-1", "104"),
        now(),
    )
    .await
    .unwrap();
    invoices::issue(&app.state, &staff, &order, now()).await.unwrap();
    common::shop::proof_validated(&app, &staff, "fondation", &order).await;
    passes::produce(&app.state, &staff, &order, now()).await.unwrap();
    common::shop::delivered(&app, &staff, &order).await;
    assert_eq!(passes::activate(&app.state, &staff, &order, now()).await.unwrap(), 10);
}
