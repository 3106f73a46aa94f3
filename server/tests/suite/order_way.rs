//! An order's way before its passes circulate (issue 15, seed 003): the
//! scoping thread, the elements printed on the passes (a logo checked by
//! its content), the sponsor's check of the invoices, the proof (BAT)
//! refused then made again, production, shipping and delivery, each step
//! in its order and each step out of order refused; the deadlines (3 days
//! for the proof, 6 for its validation, 7 or 14 for delivery) flagged
//! with a fixed clock, and one reminder per overdue step.

use crate::common;

use app::domain::order_way::Step;
use app::server::auth::Staff;
use app::server::guards::StructureCaller;
use app::server::services::shop::invoices;
use app::server::services::shop::passes::{self, ReceivedForm};
use app::server::services::shop::way::{self, ElementsForm};
use common::pdf_text;
use common::shop::{booklets, now, refusal};
use common::{PASSWORD, TestApp};
use reqwest::StatusCode;

/// A 1 × 1 PNG with an alpha channel.
const PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0x50, 0x0f, 0x00, 0x04, 0x85, 0x01, 0x80, 0x84, 0xa9, 0x8c,
    0x21, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

struct Parties {
    staff: Staff,
    agency: StructureCaller,
    mairie: StructureCaller,
}

async fn parties(app: &TestApp) -> Parties {
    let staff = common::shop::staff(app, "agence.etapes").await;
    let agency = StructureCaller::Staff(staff.clone());
    let mairie = StructureCaller::Sponsor(app.sponsor("mairie").await);
    Parties { staff, agency, mairie }
}

/// A confirmed Chorus Pro order of one booklet of ten 20 € passes.
async fn confirmed(app: &TestApp) -> String {
    common::shop::confirmed_chorus_order(app, &[(booklets(20), 1)], "").await.to_string()
}

fn days(n: i64) -> chrono::DateTime<chrono::Utc> {
    now() + chrono::Duration::days(n)
}

async fn journal(app: &TestApp, order: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE entity = 'order' AND entity_id = $1 AND action NOT IN ('place', \
         'purchase_order') ORDER BY id",
    )
    .bind(order.parse::<i64>().unwrap())
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn progress(app: &TestApp, order: &str, staff: bool, today: chrono::DateTime<chrono::Utc>) -> Vec<(Step, bool)> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    let record = app::server::store::shop::find_order(&mut conn, order.parse().unwrap()).await.unwrap().unwrap();
    let day = app::domain::Timestamp::new(today).paris_day();
    let p = way::progress(&mut conn, &record, staff, day).await.unwrap();
    p.steps.into_iter().map(|s| (s.step, s.overdue)).collect()
}

fn overdue(steps: &[(Step, bool)]) -> Vec<Step> {
    steps.iter().filter(|(_, late)| *late).map(|(s, _)| *s).collect()
}

/// Every step in the seed's order; each asked too early is refused and
/// says which step comes first; the journal keeps them all.
#[tokio::test]
async fn each_step_comes_in_its_order_and_one_asked_too_early_is_refused() {
    let app = TestApp::spawn().await;
    let Parties { staff, agency, mairie } = parties(&app).await;
    let order = confirmed(&app).await;
    let early = |why: String, step: &str| assert!(why.contains(step), "expected « {step} » first: {why}");

    let elements = ElementsForm { message: "Offert par votre mairie".into(), ..Default::default() };
    early(refusal(way::give_elements(&app.state, &mairie, &order, &elements, &[], now()).await), "Cadrage");
    early(refusal(way::check_invoices(&app.state, &mairie, &order, true, "", now()).await), "Factures émises");
    early(refusal(way::make_proof(&app.state, &agency, &order, now()).await), "Éléments nécessaires");
    let why = refusal(way::decide_proof(&app.state, &mairie, &order, "1", true, "", now()).await);
    assert!(why.contains("Aucun BAT"), "{why}");
    early(refusal(way::ship(&app.state, &agency, &order, "", now()).await), "Mise en production");
    early(refusal(way::confirm_delivery(&app.state, &mairie, &order, now()).await), "Avis d'expédition");

    // Scoping is staff's; the elements are the sponsor's (or staff's).
    let why = refusal(way::mark_scoped(&app.state, &mairie, &order, now()).await);
    assert!(why.contains("personnel"), "{why}");
    way::mark_scoped(&app.state, &agency, &order, now()).await.unwrap();
    assert!(refusal(way::mark_scoped(&app.state, &agency, &order, now()).await).contains("déjà fait"));
    way::give_elements(&app.state, &mairie, &order, &elements, &PNG, now()).await.unwrap();
    early(refusal(way::make_proof(&app.state, &agency, &order, now()).await), "Validation de conformité");

    // The invoices: issued by staff, found conform by the sponsor only.
    early(refusal(way::check_invoices(&app.state, &mairie, &order, true, "", now()).await), "Factures émises");
    invoices::issue(&app.state, &staff, &order, now()).await.unwrap();
    let why = refusal(way::check_invoices(&app.state, &agency, &order, true, "", now()).await);
    assert!(why.contains("revient au commanditaire"), "{why}");
    way::check_invoices(&app.state, &mairie, &order, true, "", now()).await.unwrap();

    // Production waits for the proof's validation, by the sponsor.
    let why = refusal(passes::produce(&app.state, &staff, &order, now()).await);
    assert!(why.contains("Validation du BAT"), "{why}");
    assert_eq!(way::make_proof(&app.state, &agency, &order, now()).await.unwrap(), 1);
    let why = refusal(way::make_proof(&app.state, &agency, &order, now()).await);
    assert!(why.contains("attend encore"), "one proof waits at a time: {why}");
    let why = refusal(way::decide_proof(&app.state, &agency, &order, "1", true, "", now()).await);
    assert!(why.contains("revient au commanditaire"), "{why}");
    way::decide_proof(&app.state, &mairie, &order, "1", true, "", now()).await.unwrap();
    let why = refusal(way::give_elements(&app.state, &mairie, &order, &elements, &[], now()).await);
    assert!(why.contains("ne changent plus"), "{why}");

    passes::produce(&app.state, &staff, &order, now()).await.unwrap();
    let mandate = ReceivedForm { reference: "M-1".into(), day: common::today(), amount: "300".into() };
    early(refusal(passes::record_received(&app.state, &mairie, &order, &mandate, now()).await), "livraison");
    let why = refusal(way::ship(&app.state, &mairie, &order, "", now()).await);
    assert!(why.contains("personnel"), "{why}");
    way::ship(&app.state, &agency, &order, "Colis 8R0001", now()).await.unwrap();
    way::confirm_delivery(&app.state, &mairie, &order, now()).await.unwrap();
    assert!(refusal(way::confirm_delivery(&app.state, &agency, &order, now()).await).contains("déjà confirmée"));
    passes::record_received(&app.state, &mairie, &order, &mandate, now()).await.unwrap();
    passes::activate(&app.state, &staff, &order, now()).await.unwrap();
    let why = refusal(way::post_message(&app.state, &mairie, &order, "  ", now()).await);
    assert!(why.contains("Écrivez votre message"), "{why}");

    let done = progress(&app, &order, false, now()).await;
    assert!(done.iter().all(|(_, late)| !late));
    assert_eq!(
        journal(&app, &order).await,
        [
            "scoped",
            "elements",
            "invoices_validated",
            "proof",
            "proof_validated",
            "produce",
            "shipped",
            "delivered",
            "received",
            "activate"
        ]
    );
    // Once activated, the way is over.
    let why = refusal(way::ship(&app.state, &agency, &order, "", now()).await);
    assert!(why.contains("déjà activés"), "{why}");
}

/// A proof refused with a comment: the comment joins the thread, staff
/// make proof n° 2, both kept and downloadable, each marked « BAT — ne
/// pas imprimer » with the sponsor's message; the logo is in the PDF.
#[tokio::test]
async fn a_refused_proof_is_made_again_and_each_proof_is_kept() {
    let app = TestApp::spawn().await;
    let Parties { staff, agency, mairie } = parties(&app).await;
    let order = confirmed(&app).await;
    invoices::issue(&app.state, &staff, &order, now()).await.unwrap();
    way::mark_scoped(&app.state, &agency, &order, now()).await.unwrap();
    let elements = ElementsForm {
        message: "Offert par votre mairie".into(),
        restrictions: "Isolation uniquement".into(),
        inserts: String::new(),
    };
    way::give_elements(&app.state, &mairie, &order, &elements, &PNG, now()).await.unwrap();
    way::check_invoices(&app.state, &mairie, &order, true, "", now()).await.unwrap();
    way::make_proof(&app.state, &agency, &order, now()).await.unwrap();
    let why = refusal(way::decide_proof(&app.state, &mairie, &order, "1", false, " ", now()).await);
    assert!(why.contains("Dites ce qu'il faut changer"), "a refusal says why: {why}");
    way::decide_proof(&app.state, &mairie, &order, "1", false, "Le logo est trop petit", now()).await.unwrap();
    let why = refusal(way::decide_proof(&app.state, &mairie, &order, "1", true, "", now()).await);
    assert!(why.contains("Aucun BAT"), "{why}");
    assert_eq!(way::make_proof(&app.state, &agency, &order, now()).await.unwrap(), 2);
    let why = refusal(way::decide_proof(&app.state, &mairie, &order, "1", true, "", now()).await);
    assert!(why.contains("n° 2"), "the decision names the proof it is about: {why}");

    let browser = app.browser();
    browser.login("mairie", PASSWORD).await;
    let page = browser.get(&format!("/commanditaire/commandes/{order}")).await;
    assert!(page.contains("refusé : « Le logo est trop petit »"), "{}", page.body);
    assert!(page.contains("BAT n° 2 (PDF)") && page.contains("VALIDER LE BAT"));
    assert!(page.contains("BAT n° 1 refusé : Le logo est trop petit"), "the refusal joins the thread");
    for number in [1, 2] {
        let res = browser.client.get(format!("{}/commanditaire/commandes/{order}/bat/{number}", browser.base));
        let res = res.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap().to_vec();
        assert!(app::server::pdf::is_readable_pdf(&bytes));
        let text = pdf_text(&bytes);
        assert!(text.contains("BAT") && text.contains("ne pas imprimer"), "{text}");
        assert!(text.contains(&format!("BAT n° {number}")) && text.contains("Offert par votre mairie"), "{text}");
        assert!(text.contains("Isolation uniquement"), "{text}");
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let images = doc.objects.values().filter(|o| {
            o.as_stream().is_ok_and(|s| s.dict.get(b"Subtype").is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"Image")))
        });
        assert_eq!(images.count(), 1, "the logo, drawn on each sample pass");
    }
    let res = browser.client.get(format!("{}/commanditaire/commandes/{order}/bat/3", browser.base)).send().await;
    assert_eq!(res.unwrap().status(), StatusCode::NOT_FOUND);

    way::decide_proof(&app.state, &mairie, &order, "2", true, "", now()).await.unwrap();
    passes::produce(&app.state, &staff, &order, now()).await.unwrap();
    let (_, printed) = app::server::services::shop::booklets::print_pdf(&app.state, &staff, &order).await.unwrap();
    assert!(pdf_text(&printed).contains("Offert par votre mairie"), "the printed passes carry the message");
    let actions = journal(&app, &order).await;
    assert!(actions.ends_with(&["proof", "proof_refused", "proof", "proof_validated", "produce"].map(String::from)));
}

/// The sponsor returns the invoices with a comment: staff correct them (a
/// credit note and a new invoice), then the sponsor finds them conform.
#[tokio::test]
async fn returned_invoices_are_corrected_then_found_conform() {
    let app = TestApp::spawn().await;
    let Parties { staff, agency: _, mairie } = parties(&app).await;
    let order = confirmed(&app).await;
    invoices::issue(&app.state, &staff, &order, now()).await.unwrap();
    let why = refusal(way::check_invoices(&app.state, &mairie, &order, false, "", now()).await);
    assert!(why.contains("Dites ce qui n'est pas conforme"), "{why}");
    way::check_invoices(&app.state, &mairie, &order, false, "Le code service est faux", now()).await.unwrap();
    let why = refusal(way::check_invoices(&app.state, &mairie, &order, true, "", now()).await);
    assert!(why.contains("attendez leur correction"), "{why}");
    let mails = app.mails().into_iter().map(|m| m.replace("=\r\n", "")).collect::<Vec<_>>();
    assert!(mails.iter().any(|m| m.contains("renvoie les factures") && m.contains("Le code service est faux")));

    let first: i64 =
        app.value_of("SELECT MIN(id) FROM sponsor_invoices WHERE order_id = $1", order.parse::<i64>().unwrap()).await;
    let desk = app.browser();
    desk.login("agence.etapes", PASSWORD).await;
    let page = desk.get(&format!("/agence/commandes/{order}")).await;
    assert!(page.contains("ÉMETTRE UN AVOIR ET UNE FACTURE RECTIFIÉE"), "staff may correct a returned invoice");
    invoices::correct(&app.state, &staff, &first.to_string(), now()).await.unwrap();
    let n: i64 =
        app.value_of("SELECT COUNT(*) FROM sponsor_invoices WHERE order_id = $1", order.parse::<i64>().unwrap()).await;
    assert_eq!(n, 4, "two invoices, a credit note and the new invoice");
    way::check_invoices(&app.state, &mairie, &order, true, "", now()).await.unwrap();
    assert_eq!(journal(&app, &order).await, ["invoices_returned", "invoices_validated"]);
}

/// With a fixed clock: the proof is late after 3 days, its validation
/// after 6, the delivery after 7 in mainland France (14 overseas); each
/// overdue step is flagged on the page and the agency's dashboard, and
/// reminded once to whoever must act.
#[tokio::test]
async fn deadlines_are_flagged_and_reminded_once() {
    let app = TestApp::spawn().await;
    let Parties { staff, agency, mairie } = parties(&app).await;
    let order = confirmed(&app).await;
    invoices::issue(&app.state, &staff, &order, now()).await.unwrap();
    way::mark_scoped(&app.state, &agency, &order, now()).await.unwrap();
    way::give_elements(&app.state, &mairie, &order, &ElementsForm::default(), &[], now()).await.unwrap();
    way::check_invoices(&app.state, &mairie, &order, true, "", now()).await.unwrap();

    assert!(overdue(&progress(&app, &order, true, days(3)).await).is_empty(), "the third day is still in time");
    assert_eq!(overdue(&progress(&app, &order, true, days(4)).await), [Step::Proof]);
    let mut conn = app.db.pool().acquire().await.unwrap();
    let day = app::domain::Timestamp::new(days(4)).paris_day();
    let late = way::overdue_of_agency(&mut conn, None, day).await.unwrap();
    drop(conn);
    assert_eq!(late.len(), 1);
    assert_eq!((late[0].step.as_str(), late[0].actor.as_str()), ("BAT des pass et des carnets", "l'agence"));

    let reminders = |app: &TestApp| {
        let mails = app.mails().into_iter().map(|m| m.replace("=\r\n", ""));
        mails.filter(|m| m.contains("Relance")).collect::<Vec<_>>()
    };
    assert_eq!(way::remind_overdue(&app.state, days(4)).await.unwrap(), 1);
    assert_eq!(way::remind_overdue(&app.state, days(5)).await.unwrap(), 0, "once per step and deadline");
    let sent = reminders(&app);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains(&format!("To: {}", app.state.mailer.from().email)), "staff's reminder: {}", sent[0]);

    // The proof made on day 4: its validation is due 6 days later.
    way::make_proof(&app.state, &agency, &order, days(4)).await.unwrap();
    assert!(overdue(&progress(&app, &order, false, days(10)).await).is_empty());
    assert_eq!(overdue(&progress(&app, &order, false, days(11)).await), [Step::ProofValidated]);
    assert_eq!(way::remind_overdue(&app.state, days(11)).await.unwrap(), 1);
    let sent = reminders(&app);
    assert!(sent.iter().any(|m| m.contains("To: ") && m.contains("Validation du BAT")), "{sent:?}");

    // Shipped on day 12: delivery due 7 days later in mainland France.
    way::decide_proof(&app.state, &mairie, &order, "1", true, "", days(12)).await.unwrap();
    passes::produce(&app.state, &staff, &order, days(12)).await.unwrap();
    way::ship(&app.state, &agency, &order, "", days(12)).await.unwrap();
    assert!(overdue(&progress(&app, &order, false, days(19)).await).is_empty());
    assert_eq!(overdue(&progress(&app, &order, false, days(20)).await), [Step::Delivered]);
    way::confirm_delivery(&app.state, &agency, &order, days(20)).await.unwrap();
    assert!(overdue(&progress(&app, &order, false, days(40)).await).is_empty(), "done, never late again");
    let actions = journal(&app, &order).await;
    assert_eq!(actions.iter().filter(|a| *a == "reminder").count(), 2);
}

/// Overseas (971 to 976), the delivery has 14 days.
#[tokio::test]
async fn an_overseas_delivery_has_fourteen_days() {
    let app = TestApp::spawn().await;
    let Parties { staff, agency, mairie: _ } = parties(&app).await;
    let order = confirmed(&app).await;
    app.update_row("UPDATE orders SET delivery_postcode = '97400' WHERE id = $1", order.parse::<i64>().unwrap()).await;
    invoices::issue(&app.state, &staff, &order, now()).await.unwrap();
    common::shop::proof_validated(&app, &staff, "mairie", &order).await;
    passes::produce(&app.state, &staff, &order, now()).await.unwrap();
    way::ship(&app.state, &agency, &order, "", now()).await.unwrap();
    assert!(overdue(&progress(&app, &order, false, days(14)).await).is_empty());
    assert_eq!(overdue(&progress(&app, &order, false, days(15)).await), [Step::Delivered]);
}

/// The elements' form on the order's page: the logo checked by its
/// content and size, every refusal in French with nothing stored; the
/// thread's messages emailed to the other side.
#[tokio::test]
async fn the_elements_form_checks_the_logo_and_the_thread_tells_the_other_side() {
    let app = TestApp::spawn().await;
    let Parties { staff: _, agency, mairie } = parties(&app).await;
    let order = confirmed(&app).await;
    way::mark_scoped(&app.state, &agency, &order, now()).await.unwrap();
    let browser = app.browser();
    browser.login("mairie", PASSWORD).await;
    let page = format!("/commanditaire/commandes/{order}");
    let post = |logo: Option<(Vec<u8>, &'static str)>, message: &'static str| {
        let browser = &browser;
        let page = &page;
        async move {
            let mut form = reqwest::multipart::Form::new()
                .text("message", message)
                .text("restrictions", "")
                .text("inserts", "Un dépliant par carnet");
            if let Some((bytes, name)) = logo {
                form = form.part("logo", reqwest::multipart::Part::bytes(bytes).file_name(name));
            }
            let res = browser.post_from(page, &format!("{page}/elements"), "text/html").multipart(form);
            let res = res.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let location = res.headers()[reqwest::header::LOCATION].to_str().unwrap().to_owned();
            browser.get(&location).await
        }
    };
    let gif = b"GIF89a\x01\x00\x01\x00".to_vec();
    let back = post(Some((gif, "logo.png")), "Offert par votre mairie").await;
    assert!(back.contains("Le logo doit être une image PNG ou JPEG."), "{}", back.body);
    let mut big = PNG.to_vec();
    big.resize(600 * 1024, 0);
    let back = post(Some((big, "logo.png")), "Offert par votre mairie").await;
    assert!(back.contains("Le logo pèse plus de 512 Ko"), "{}", back.body);
    let long: &'static str = "x".repeat(201).leak();
    let back = post(None, long).await;
    assert!(back.contains("200 caractères au plus"), "{}", back.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM order_elements").await, 0, "nothing stored");

    let back = post(Some((PNG.to_vec(), "logo.png")), "Offert par votre mairie").await;
    assert!(back.contains("Les éléments à imprimer sur les pass sont enregistrés."), "{}", back.body);
    assert!(back.contains("PNG, 1 Ko") && back.contains("Un dépliant par carnet"));
    // Sent again without a logo: the logo stays.
    post(None, "Offert par la Ville").await;
    let kept: Option<String> =
        app.value_of("SELECT logo_type FROM order_elements WHERE order_id = $1", order.parse::<i64>().unwrap()).await;
    assert_eq!(kept.as_deref(), Some("image/png"));

    way::post_message(&app.state, &mairie, &order, "Quand recevrons-nous le BAT ?", now()).await.unwrap();
    way::post_message(&app.state, &agency, &order, "Sous trois jours.", now()).await.unwrap();
    let mails = app.mails().into_iter().map(|m| m.replace("=\r\n", "")).collect::<Vec<_>>();
    let coop = format!("To: {}", app.state.mailer.from().email);
    assert!(mails.iter().any(|m| m.contains(&coop) && m.contains("Quand recevrons-nous le BAT")));
    assert!(mails.iter().any(|m| !m.contains(&coop) && m.contains("Sous trois jours.")));
    let page = browser.get(&page).await;
    assert!(page.contains("Quand recevrons-nous le BAT ?") && page.contains("Sous trois jours."));
}
