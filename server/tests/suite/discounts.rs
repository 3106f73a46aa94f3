//! Discount codes of the shop: staff create them; a checkout's code is
//! refused with its own message and counts nothing; the last use of a code
//! goes to exactly one of many simultaneous checkouts.

use crate::common;

use app::domain::discount::DiscountRefusal;
use app::domain::pricing::{Discount, Rate};
use app::domain::{Day, Money, Role};
use app::error::AppError;
use app::server::auth::Staff;
use app::server::services::discounts::{self, CodeInput};
use chrono::{TimeZone, Utc};
use common::TestApp;
use futures::future::join_all;

async fn staff(app: &TestApp) -> Staff {
    let account_id = app.create_staff("agence.codes", "agency", None).await;
    let agency_id = app.count("SELECT id FROM agencies WHERE code = 'NA'").await;
    Staff { account_id, login: "agence.codes".into(), role: Role::Agency, agency_id: Some(agency_id) }
}

fn input(code: &str, discount: &str, from: &str, until: &str, uses: &str) -> CodeInput {
    CodeInput {
        code: code.into(),
        discount: discount.into(),
        valid_from: from.into(),
        valid_until: until.into(),
        max_uses: uses.into(),
        sponsor_id: None,
    }
}

fn june() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 0, 0).unwrap()
}

fn today() -> Day {
    Day::parse_iso("2026-06-15").unwrap()
}

/// What a checkout makes of `typed` for `sponsor`: the discount, counted,
/// or the refusal the sponsor reads.
async fn checkout(app: &TestApp, agency_id: i64, typed: &str, sponsor: i64) -> Result<Discount, String> {
    checkout_on(app, agency_id, typed, sponsor, today()).await
}

async fn checkout_on(app: &TestApp, agency_id: i64, typed: &str, sponsor: i64, today: Day) -> Result<Discount, String> {
    let mut tx = app.state.db.begin_write().await.expect("transaction");
    let outcome = async {
        let (record, discount) = discounts::applicable(tx.conn(), agency_id, typed, sponsor, today).await?;
        discounts::take(&mut tx, &record).await?;
        Ok::<_, app::server::error::ServerError>(discount)
    }
    .await;
    match outcome {
        Ok(discount) => {
            tx.commit().await.expect("commit");
            Ok(discount)
        }
        Err(e) => Err(AppError::from(e).to_string()),
    }
}

#[tokio::test]
async fn each_refused_code_says_why_and_counts_no_use() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let agency = staff.agency_id.unwrap();
    let now = june();
    // BIENVENUE10 and ETE2025 come with the demo data.
    discounts::create(&app.state, &staff, None, &input("NOEL", "50 €", "2026-12-01", "2026-12-31", "10"), now)
        .await
        .expect("NOEL");
    // The demo's structures: the Mairie's services techniques, and the CCAS.
    let mairie = app.count("SELECT id FROM structures WHERE siret = '21449001300015'").await;
    let ccas = app.count("SELECT id FROM structures WHERE siret = '26449002000015'").await;
    let mine = CodeInput { sponsor_id: Some(mairie), ..input("MAIRIE", "20 %", "2026-01-01", "2026-12-31", "5") };
    discounts::create(&app.state, &staff, None, &mine, now).await.expect("MAIRIE");
    let off = discounts::create(&app.state, &staff, None, &input("FINI", "5 %", "2026-01-01", "2026-12-31", "5"), now)
        .await
        .expect("FINI");
    discounts::deactivate(&app.state, &staff, off, now).await.expect("switched off");

    let refused = [
        ("", DiscountRefusal::Empty.to_string()),
        ("INCONNU", DiscountRefusal::Unknown.to_string()),
        ("ETE2025", "Ce code de ristourne a expiré le 31/08/2025.".to_owned()),
        ("NOEL", "Ce code de ristourne n'est valable qu'à partir du 01/12/2026.".to_owned()),
        ("MAIRIE", DiscountRefusal::NotYours.to_string()),
        ("FINI", DiscountRefusal::Inactive.to_string()),
    ];
    for (typed, message) in refused {
        assert_eq!(checkout(&app, agency, typed, ccas).await, Err(message), "{typed:?}");
    }
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(uses), 0) AS BIGINT) FROM discount_codes").await,
        0,
        "nothing counted"
    );

    // Typed in small letters with spaces, it is the same code; its owner may use theirs.
    assert_eq!(checkout(&app, agency, " bienvenue10 ", ccas).await, Ok(Discount::Percent(Rate::percent(10))));
    assert_eq!(checkout(&app, agency, "MAIRIE", mairie).await, Ok(Discount::Percent(Rate::percent(20))));
    assert_eq!(app.count("SELECT CAST(SUM(uses) AS BIGINT) FROM discount_codes").await, 2);

    // Another agency's staff see nothing of it.
    let other_id = app.create_staff("agence.rennes", "agency", Some("RE")).await;
    let other = Staff {
        account_id: other_id,
        login: "agence.rennes".into(),
        role: Role::Agency,
        agency_id: Some(app.count("SELECT id FROM agencies WHERE code = 'RE'").await),
    };
    let bienvenue = app.count("SELECT id FROM discount_codes WHERE code = 'BIENVENUE10'").await;
    let err = discounts::deactivate(&app.state, &other, bienvenue, now).await.unwrap_err();
    assert_eq!(AppError::from(err).to_string(), AppError::NotFound("Code de ristourne".into()).to_string());
    assert_eq!(
        checkout(&app, other.agency_id.unwrap(), "BIENVENUE10", ccas).await,
        Err(DiscountRefusal::Unknown.to_string())
    );
}

#[tokio::test]
async fn staff_are_told_what_is_wrong_with_a_new_code_and_nothing_is_kept() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let now = june();
    let demo_codes = app.count("SELECT COUNT(*) FROM discount_codes").await;
    let refusal = |i: CodeInput| {
        let (app, staff) = (&app, &staff);
        async move { AppError::from(discounts::create(&app.state, staff, None, &i, now).await.unwrap_err()).to_string() }
    };
    assert!(refusal(input("A B", "10 %", "2026-01-01", "2026-12-31", "1")).await.contains("lettres, chiffres"));
    assert!(refusal(input("X", "dix", "2026-01-01", "2026-12-31", "1")).await.contains("un pourcentage"));
    assert!(refusal(input("X", "10 %", "2026-12-31", "2026-01-01", "1")).await.contains("précède"));
    assert!(refusal(input("X", "10 %", "2026-01-01", "2026-12-31", "0")).await.contains("maximum d'utilisations"));
    assert_eq!(app.count("SELECT COUNT(*) FROM discount_codes").await, demo_codes);
    discounts::create(&app.state, &staff, None, &input("X", "10 %", "2026-01-01", "2026-12-31", "1"), now)
        .await
        .expect("first");
    assert_eq!(
        refusal(input("x", "5 €", "2026-01-01", "2026-12-31", "1")).await,
        "Le code X existe déjà dans cette agence."
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM discount_codes").await, demo_codes + 1);
    let journaled = app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'discount_code'").await;
    assert_eq!(journaled, demo_codes + 1, "the demo's codes and this one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_last_use_of_a_code_goes_to_exactly_one_of_twenty_simultaneous_checkouts() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let agency = staff.agency_id.unwrap();
    discounts::create(&app.state, &staff, None, &input("DERNIER", "30 €", "2026-01-01", "2026-12-31", "3"), june())
        .await
        .expect("DERNIER");
    // Two of its three uses are gone.
    app.update_row("UPDATE discount_codes SET uses = 2 WHERE code = $1", "DERNIER").await;

    let checkouts = (0..20).map(|sponsor| checkout(&app, agency, "DERNIER", sponsor));
    let outcomes = join_all(checkouts).await;
    let won: Vec<_> = outcomes.iter().filter(|o| o.is_ok()).collect();
    assert_eq!(won, vec![&Ok(Discount::Fixed(Money::from_euros(30)))], "{outcomes:?}");
    let used_up = DiscountRefusal::UsedUp.to_string();
    assert!(outcomes.iter().filter_map(|o| o.as_ref().err()).all(|e| *e == used_up), "{outcomes:?}");
    assert_eq!(app.count("SELECT uses FROM discount_codes WHERE code = 'DERNIER'").await, 3);
}

#[tokio::test]
async fn staff_create_a_code_on_the_page_see_its_uses_and_switch_it_off() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in("agence.nantes").await;
    let demo_codes = app.count("SELECT COUNT(*) FROM discount_codes").await;
    let form = [
        ("code", "printemps"),
        ("discount", "12,5 %"),
        ("valid_from", "2026-01-01"),
        ("valid_until", "2099-12-31"),
        ("max_uses", "40"),
    ];
    let page = staff.submit("/agence/ristournes", "/api/create_discount_code", &form).await;
    assert!(page.contains("Le code de ristourne est créé."), "{:?}", page.error());
    assert_eq!(page.text_of("class=\"code\"").as_deref(), Some("PRINTEMPS"), "newest first");
    assert!(page.contains("12,5\u{a0}%") && page.contains("0 / 40") && page.contains("31/12/2099"), "{}", page.body);
    assert!(page.contains(">actif<"), "usable today");

    // The same code again: the form says so, and nothing is added.
    let again = staff.submit("/agence/ristournes", "/api/create_discount_code", &form).await;
    assert_eq!(again.error().as_deref(), Some("Le code PRINTEMPS existe déjà dans cette agence."));
    assert_eq!(app.count("SELECT COUNT(*) FROM discount_codes").await, demo_codes + 1);

    let id = app.count("SELECT id FROM discount_codes WHERE code = 'PRINTEMPS'").await.to_string();
    let page = staff.submit("/agence/ristournes", "/api/deactivate_discount_code", &[("id", &id)]).await;
    assert!(page.contains("Le code de ristourne est désactivé."), "{:?}", page.error());
    assert!(page.contains(">désactivé<"));
    assert!(!page.contains("Désactiver le code PRINTEMPS"), "no button for a code already off");
    assert!(page.contains("Désactiver le code BIENVENUE10"), "the demo's code is still on");
    let journaled = app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'discount_code'").await;
    assert_eq!(journaled, demo_codes + 2, "the demo's codes, this one created, then switched off");
}

#[tokio::test]
async fn the_demo_codes_are_one_valid_one_expired_and_one_with_a_single_use_left() {
    let app = TestApp::spawn().await;
    let agency = app.count("SELECT id FROM agencies WHERE code = 'NA'").await;
    // The demo dates its codes from the day it is loaded.
    let checkout = |typed: &'static str, sponsor| {
        let app = &app;
        async move { checkout_on(app, agency, typed, sponsor, Day::parse_iso(&common::today()).unwrap()).await }
    };
    assert_eq!(checkout("ETE2025", 3).await, Err("Ce code de ristourne a expiré le 31/08/2025.".into()));
    assert_eq!(checkout("UNEFOIS", 3).await, Ok(Discount::Fixed(Money::from_euros(30))));
    assert_eq!(checkout("UNEFOIS", 4).await, Err(DiscountRefusal::UsedUp.to_string()));
    assert_eq!(checkout("BIENVENUE10", 4).await, Ok(Discount::Percent(Rate::percent(10))));
    // Loaded again, the demo changes nothing: the use taken stays taken.
    app::server::demo::load(&app.state.db).await.expect("demo again");
    assert_eq!(app.count("SELECT COUNT(*) FROM discount_codes").await, 3);
    assert_eq!(app.count("SELECT uses FROM discount_codes WHERE code = 'UNEFOIS'").await, 1);
}
