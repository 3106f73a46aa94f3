//! The supplier's space through the real server, as a supplier's phone and
//! office computer use it (forms posted, pages read, files up and down):
//! the counter check, delivered vouchers and their CSV, invoices typed in
//! the form, the PDF, corrections, API keys. SQLite, or PostgreSQL with
//! BONS_TEST_DATABASE_URL.

use crate::common;

use app::server::audit::{self, Entity};
use app::server::codes::sha256_hex;
use common::supplier::{Till, error_of, pdf};
use common::{PAID_UP, TestApp, message, today, used_voucher, used_voucher_at, wrong};
use reqwest::{StatusCode, header};

const WRONG: &str = "Numéro de bon ou code secret incorrect.";
const OUEST: &str = "Matériaux de l'Ouest";

#[tokio::test]
async fn the_counter_check_says_genuine_with_value_date_of_use_and_whether_it_is_invoiced() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, number, code) = used_voucher(&app, &phone, "42").await;
    let ouest = app.logged_in("ouest").await;

    // The home page names the supplier and what is waiting.
    let home = ouest.get("/fournisseur").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.text_of("class=\"supplier-name\"").as_deref(), Some(OUEST));
    assert!(home.shows("1 bon à facturer (42\u{a0}€)"), "{}", home.body);

    // The QR code's page sends a logged-in supplier to their own check, number filled in.
    let signature = app.state.keys.current().sign_check_link(&number);
    let qr = ouest.get(&format!("/verifier/{number}?s={signature}")).await;
    assert!(qr.shows(&format!("href=\"/fournisseur/verifier?numero={number}\"")), "{}", qr.body);
    let form = ouest.get(&format!("/fournisseur/verifier?numero={number}")).await;
    assert!(form.shows(&format!("value=\"{number}\"")), "the number is filled in");

    // Number + code typed at the counter: the form lands on the answer.
    let page = ouest
        .submit(
            &format!("/fournisseur/verifier?numero={number}"),
            "/api/supplier_check",
            &[("number", &number), ("code", &code)],
        )
        .await;
    assert!(page.location.as_deref().unwrap().starts_with(&format!("/fournisseur/verifier?numero={number}&c=")));
    assert_eq!(page.text_of("class=\"verdict").as_deref(), Some("Bon authentique"));
    assert_eq!(page.text_of("class=\"number\"").as_deref(), Some(number.as_str()));
    assert_eq!(page.text_of("class=\"amount\"").as_deref(), Some("42\u{a0}€"));
    assert!(page.text_of("class=\"used-at\"").unwrap().len() == "23/11/2026 15:09".len());
    assert_eq!(page.text_of("class=\"status\"").as_deref(), Some("11-livré"));
    assert_eq!(page.text_of("class=\"billing\"").as_deref(), Some("Pas encore facturé"));
    assert!(page.shows("C. M.") && !page.shows("Camille Martin"), "only the member's initials");

    // Once on an invoice, the check says which one and where it stands.
    let invoice = ouest
        .submit(
            "/fournisseur/factures/nouvelle",
            "/api/supplier_submit_invoice",
            &[
                ("number", "F-2026-001"),
                ("date", &today()),
                ("amount", "42"),
                ("lines", &format!("{number} ; {code} ; 42")),
            ],
        )
        .await;
    assert_eq!(invoice.status, StatusCode::OK, "{:?}", invoice.error());
    let (status, json) = ouest.call("supplier_check", &[("number", &number), ("code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["invoice"]["number"], "F-2026-001");
    assert_eq!(json["invoice"]["status"], "Received");
    assert_eq!(json["amount"], 4200);
    let again = ouest
        .get(&format!("/fournisseur/verifier?numero={number}&c={}", app.state.keys.sign_code_checked(&number)))
        .await;
    assert!(again.shows("Sur votre facture"), "{}", again.body);
    assert!(again.shows("n° F-2026-001") && again.shows("(reçue)"), "{}", again.body);

    // A link with a made-up proof shows no answer, only the form.
    let forged = ouest.get(&format!("/fournisseur/verifier?numero={number}&c=00112233445566778899aabbccddeeff")).await;
    assert!(!forged.shows("Bon authentique"));
    assert!(forged.shows(&format!("value=\"{number}\"")));
}

#[tokio::test]
async fn a_wrong_code_gets_the_one_refusal_five_lock_the_voucher_and_the_account_budget_holds() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (id, number, code) = used_voucher(&app, &phone, "30").await;
    let ouest = app.logged_in("ouest").await;

    // Unknown number, wrong code: the same sentence, status 422.
    for (n, c) in [(number.as_str(), wrong(&code)), ("W2026.NA.442.09999999", code.clone())] {
        let (status, json) = ouest.call("supplier_check", &[("number", n), ("code", &c)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message(&json).starts_with(WRONG), "{json}");
    }
    // A form post comes back to the form with the refusal, the number still there.
    let from = format!("/fournisseur/verifier?numero={number}");
    let refused = ouest.submit(&from, "/api/supplier_check", &[("number", &number), ("code", &wrong(&code))]).await;
    assert!(refused.error().unwrap().starts_with(WRONG));
    assert!(refused.shows(&format!("value=\"{number}\"")));
    // Badly typed input is named, and is not an attempt at a code.
    let (status, json) = ouest.call("supplier_check", &[("number", "W2026"), ("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&json).contains("Numéro de bon invalide"), "{json}");

    // Two wrong codes so far; three more lock it, and then even the right code is refused.
    for _ in 0..3 {
        ouest.call("supplier_check", &[("number", &number), ("code", &wrong(&code))]).await;
    }
    let locked: Option<String> = app.value_of("SELECT locked_at FROM vouchers WHERE id = $1", id).await;
    assert!(locked.is_some(), "five wrong codes lock the voucher");
    let (status, json) = ouest.call("supplier_check", &[("number", &number), ("code", &code)]).await;
    assert_eq!((status, message(&json).starts_with(WRONG)), (StatusCode::UNPROCESSABLE_ENTITY, true));
    let lock = audit::history(app.db.pool(), Entity::Voucher, id).await.unwrap().pop().unwrap();
    assert_eq!((lock.action.as_str(), lock.actor.as_str(), lock.role.as_str()), ("lock", "ouest", "supplier"));

    // The account's budget: 20 failures in the window, then 429 whatever is typed.
    let mut statuses = Vec::new();
    for i in 0..20 {
        let unknown = format!("W2026.NA.442.{:08}", 90_000 + i);
        statuses.push(ouest.call("supplier_check", &[("number", &unknown), ("code", "1234")]).await.0);
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let (status, json) = ouest.call("supplier_check", &[("number", &number), ("code", &code)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert!(message(&json).contains("Trop de tentatives"), "{json}");
}

#[tokio::test]
async fn another_suppliers_voucher_is_genuine_but_not_for_them_and_says_nothing_of_its_invoicing() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, number, code) = used_voucher_at(&app, &phone, "Bois & Charpente 44", "15").await;
    // Bois & Charpente invoices it.
    app.other_supplier().await;
    let bois = app.till("bois").await;
    let (status, json) = bois
        .post(
            "/api/v1/invoices",
            &serde_json::json!({ "number": "BC-7", "date": today(), "amount_cents": 1500,
                "lines": [{ "voucher_number": number, "code": code, "amount_cents": 1500 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");

    let ouest = app.logged_in("ouest").await;
    let page =
        ouest.submit("/fournisseur/verifier", "/api/supplier_check", &[("number", &number), ("code", &code)]).await;
    assert_eq!(page.text_of("class=\"verdict").as_deref(), Some("Bon authentique, mais pas pour vous"));
    assert!(page.shows("Ce bon a été émis pour « Bois & Charpente 44 » : ne livrez pas sur ce bon"));
    assert!(!page.shows("BC-7") && !page.shows("Facturation"), "nothing of the other supplier's invoicing");
    let (_, json) = ouest.call("supplier_check", &[("number", &number), ("code", &code)]).await;
    assert_eq!((json["own"].as_bool(), json["invoice"].is_null()), (Some(false), true), "{json}");
}

/// A used voucher whose time of use is set to `used_at` (UTC), in `status`.
async fn delivered_at(
    app: &TestApp,
    phone: &common::Browser,
    supplier: &str,
    amount: &str,
    used_at: &str,
    status: i64,
) -> String {
    let (id, number, _) = used_voucher_at(app, phone, supplier, amount).await;
    sqlx::query("UPDATE vouchers SET used_at = $2, status = $3, paid_on = $4 WHERE id = $1")
        .bind(id)
        .bind(used_at)
        .bind(status)
        .bind((status == 31).then_some("2026-05-10"))
        .execute(app.db.pool())
        .await
        .unwrap();
    number
}

#[tokio::test]
async fn delivered_vouchers_are_filtered_by_paris_day_and_status_with_totals_and_a_csv_excel_opens() {
    let (app, phone) = TestApp::spawn_with_member().await;
    // 31 March 23:30 UTC is 1 April in Paris; 30 April 21:59 UTC is still 30 April there.
    let march = delivered_at(&app, &phone, OUEST, "10", "2026-03-31T21:30:00.000000Z", 11).await;
    let first_april = delivered_at(&app, &phone, OUEST, "20", "2026-03-31T23:30:00.000000Z", 11).await;
    let paid = delivered_at(&app, &phone, OUEST, "1234", "2026-04-15T10:00:00.000000Z", 31).await;
    let undone = delivered_at(&app, &phone, OUEST, "40", "2026-04-30T21:59:00.000000Z", 91).await;
    let may = delivered_at(&app, &phone, OUEST, "50", "2026-04-30T22:00:00.000000Z", 11).await;
    let elsewhere = delivered_at(&app, &phone, "Bois & Charpente 44", "60", "2026-04-10T10:00:00.000000Z", 11).await;
    let issued = phone.request_voucher_json(&app.supplier_id(OUEST).await, "70").await;
    assert!(issued > 0);
    let ouest = app.logged_in("ouest").await;

    let list = |du: &'static str, au: &'static str, statut: &'static str| {
        let ouest = &ouest;
        async move {
            let (status, json) = ouest.call("supplier_vouchers", &[("du", du), ("au", au), ("statut", statut)]).await;
            assert_eq!(status, StatusCode::OK, "{json}");
            json
        }
    };
    let numbers = |json: &serde_json::Value| -> Vec<String> {
        json["vouchers"].as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap().to_owned()).collect()
    };

    let april = list("2026-04-01", "30/04/2026", "").await;
    assert_eq!(
        numbers(&april),
        [undone.clone(), paid.clone(), first_april.clone()],
        "newest use first, April in Paris"
    );
    assert_eq!(april["count"], 3);
    assert_eq!(april["total"], 2000 + 123_400, "the undone use is listed, not counted");
    let subtotals: Vec<(i64, i64)> = april["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["count"].as_i64().unwrap(), t["amount"].as_i64().unwrap()))
        .collect();
    assert_eq!(subtotals, [(1, 2000), (1, 123_400), (1, 4000)]);
    assert_eq!(april["vouchers"][2]["member_initials"], "C. M.");

    assert_eq!(numbers(&list("", "", "91").await), [undone.as_str()]);
    assert_eq!(numbers(&list("2026-04-01", "", "11").await), [may.clone(), first_april.clone()]);
    let all = numbers(&list("", "", "").await);
    assert_eq!(all.len(), 5, "every use at this supplier, none elsewhere, no issued voucher");
    assert!(!all.contains(&elsewhere) && all.contains(&march));

    // Mistakes in the filter are named.
    for (du, au, statut, expected) in [
        ("2026-05-01", "2026-04-01", "", "doit précéder"),
        ("1er avril", "", "", "Date de début (du)"),
        ("", "", "1", "Statut inconnu"),
    ] {
        let (status, json) = ouest.call("supplier_vouchers", &[("du", du), ("au", au), ("statut", statut)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message(&json).contains(expected), "{json}");
    }

    // The page shows the same, with the filter filled in and the export link.
    let page = ouest.get("/fournisseur/bons?du=2026-04-01&au=2026-04-30&statut=").await;
    assert_eq!(page.text_of("class=\"total-count\"").as_deref(), Some("3"));
    assert!(page.shows("value=\"2026-04-01\"") && page.shows(&paid));
    assert!(page.shows("href=\"/fournisseur/bons.csv?du=2026-04-01&au=2026-04-30&statut=\""), "{}", page.body);

    // The CSV: BOM, `;`, French headings, decimal commas, Paris times, same rows.
    let (status, kind, bytes) = ouest.download("/fournisseur/bons.csv?du=2026-04-01&au=2026-04-30&statut=").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    let text = String::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark for Excel");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        headers,
        ["N° du bon", "Date d'utilisation", "Valeur du bon (€)", "Statut", "Adhérent", "Facture", "Payé le"]
    );
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], [paid.as_str(), "15/04/2026 12:00", "1234,00", "31-payé", "C. M.", "", "10/05/2026"]);
    assert_eq!(rows[2][1], "01/04/2026 01:30");
    assert_eq!(rows[0][3], "91-annulé");
    assert!(!text.contains("Camille"));

    // Without a session there is nothing to download.
    let (status, _, _) = app.browser().download("/fournisseur/bons.csv").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = phone.download("/fournisseur/bons.csv").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_invoice_pasted_from_a_spreadsheet_is_sent_matched_and_shown_line_by_line() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher(&app, &phone, "42").await;
    let (_, n2, c2) = used_voucher(&app, &phone, "8").await;
    let ouest = app.logged_in("ouest").await;

    let new = ouest.get("/fournisseur/factures/nouvelle").await;
    assert!(new.shows(&format!("value=\"{}\"", today())), "the date defaults to today");
    let lines = format!("N° du bon\tCode\tMontant\r\n{n1}\t{c1}\t42,00\r\n{n2}\t{}\t8,00\r\n", wrong(&c2));
    let page = ouest
        .submit(
            "/fournisseur/factures/nouvelle",
            "/api/supplier_submit_invoice",
            &[("number", "F-100"), ("date", &today()), ("amount", "50"), ("lines", &lines)],
        )
        .await;
    let location = page.location.clone().unwrap();
    assert!(location.starts_with("/fournisseur/factures/") && location.ends_with("?envoyee=1"), "{location}");
    assert!(page.shows("Facture envoyée à l'agence"));
    assert_eq!(page.text_of("class=\"invoice-number\"").as_deref(), Some("F-100"));
    assert!(page.shows("2 dont 1 à revoir"), "{}", page.body);
    assert!(page.shows("Conforme") && page.shows("Code secret incorrect"));
    assert!(page.shows("Aucun PDF pour le moment."));

    let list = ouest.get("/fournisseur/factures").await;
    assert_eq!(list.text_of("class=\"status\"").as_deref(), Some("reçue"));
    assert_eq!(list.text_of("class=\"pdf\"").as_deref(), Some("non"));
    let id: i64 = location.trim_start_matches("/fournisseur/factures/").trim_end_matches("?envoyee=1").parse().unwrap();
    let event = audit::history(app.db.pool(), Entity::Invoice, id).await.unwrap().pop().unwrap();
    assert_eq!((event.action.as_str(), event.actor.as_str()), ("submit", "ouest"));
}

#[tokio::test]
async fn mistakes_in_the_invoice_form_are_named_and_nothing_is_saved() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher(&app, &phone, "42").await;
    let ouest = app.logged_in("ouest").await;
    let submit = |number: &'static str, date: String, amount: &'static str, lines: String| {
        let ouest = &ouest;
        async move {
            ouest
                .call(
                    "supplier_submit_invoice",
                    &[("number", number), ("date", &date), ("amount", amount), ("lines", &lines)],
                )
                .await
        }
    };
    let (status, _) = submit("F-1", today(), "42", format!("{n1};{c1};42")).await;
    assert_eq!(status, StatusCode::OK);
    let counts = || async {
        (
            app.count("SELECT COUNT(*) FROM invoices").await,
            app.count("SELECT COUNT(*) FROM invoice_lines").await,
            app.count("SELECT COUNT(*) FROM audit_events").await,
        )
    };
    let before = counts().await;

    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    let cases = [
        (submit("F-1", today(), "42", format!("{n1};{c1};42")).await, 409, "Vous avez déjà envoyé une facture n° F-1"),
        (submit("F-2", today(), "42", format!("{n1};{c1};42\n{n1};{c1};42")).await, 422, "Ligne 2 : le bon"),
        (submit("F-3", today(), "40", format!("{n1};{c1};42")).await, 422, "n'est pas la somme de ses lignes"),
        (submit("F-4", today(), "42", format!("{n1};{c1}")).await, 422, "Ligne 1 : trois valeurs attendues"),
        (submit("F-5", today(), "42", format!("{n1};12;42")).await, 422, "Ligne 1 : Le code secret"),
        (submit("F-6", tomorrow, "42", format!("{n1};{c1};42")).await, 422, "futur"),
        (submit("F-7", today(), "42", "\n  \n".into()).await, 422, "au moins une ligne"),
        (submit("", today(), "42", format!("{n1};{c1};42")).await, 422, "numéro de la facture"),
        (submit("F-8", "31/02/2026".into(), "42", format!("{n1};{c1};42")).await, 422, "Date de la facture"),
    ];
    for ((status, json), expected_status, expected) in cases {
        assert_eq!(status.as_u16(), expected_status, "{json}");
        assert!(message(&json).contains(expected), "expected «{expected}»: {json}");
    }
    assert_eq!(counts().await, before, "nothing half-saved, nothing journaled");

    // Without the WASM the form comes back with the message.
    let page = ouest
        .submit(
            "/fournisseur/factures/nouvelle",
            "/api/supplier_submit_invoice",
            &[("number", "F-9"), ("date", &today()), ("amount", "43"), ("lines", &format!("{n1};{c1};42"))],
        )
        .await;
    assert!(page.error().unwrap().contains("n'est pas la somme de ses lignes"), "{:?}", page.error());
}

/// One maximum for amounts, a billion euros, in the invoice form as in the
/// till's API: more is refused in French and nothing is saved.
#[tokio::test]
async fn an_invoice_above_a_billion_euros_is_refused_by_the_form_as_by_the_till() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, number, code) = used_voucher(&app, &phone, "42").await;
    let ouest = app.logged_in("ouest").await;
    for amount in ["1 000 000 000,01", "2000000000", "999999999999"] {
        let (status, json) = ouest
            .call(
                "supplier_submit_invoice",
                &[
                    ("number", "F-1"),
                    ("date", &today()),
                    ("amount", amount),
                    ("lines", &format!("{number};{code};{amount}")),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}: {json}");
        assert!(
            message(&json).contains("ne peut pas dépasser 1\u{a0}000\u{a0}000\u{a0}000\u{a0}€"),
            "{amount}: {json}"
        );
    }
    let till = app.till("ouest").await;
    let cents = app::domain::Money::MAX.cents() + 1;
    let invoice = serde_json::json!({
        "number": "F-2", "date": today(), "amount_cents": cents,
        "lines": [{ "voucher_number": number, "code": code, "amount_cents": cents }],
    });
    let (status, json) = till.post("/api/v1/invoices", &invoice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert!(error_of(&json).contains("de 1 à 100000000000"), "{json}");
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 0);
}

/// The invoice's PDF is read before it is kept: a file that only starts
/// like one (`%PDF-` then a web page) is refused, a real one is kept.
#[tokio::test]
async fn a_web_page_behind_a_pdf_header_is_refused_as_the_invoice_pdf() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher(&app, &phone, "42").await;
    let ouest = app.logged_in("ouest").await;
    let (status, id) = ouest.send_invoice("F-HTML", "42", &format!("{n1};{c1};42")).await;
    assert_eq!(status, StatusCode::OK, "{id}");
    let id = id.as_i64().unwrap();
    for fake in [
        b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>".to_vec(),
        b"%PDF-1.7\n<html><script>fetch('/api/logout')</script></html>\n%%EOF\n".to_vec(),
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec(),
    ] {
        let res = ouest.upload_pdf(id, "facture.pdf", fake, false).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_of(&res.json().await.unwrap()).contains("n'est pas un PDF"));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM invoice_files").await, 0, "nothing kept");
    let res = ouest.upload_pdf(id, "facture.pdf", pdf("F-HTML"), false).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(app.count("SELECT COUNT(*) FROM invoice_files").await, 1);
}

#[tokio::test]
async fn the_pdf_goes_up_with_the_form_comes_down_for_its_supplier_and_agency_and_is_refused_otherwise() {
    let app = TestApp::spawn().await;
    app.create_staff("agence.rennes", "agency", Some("RE")).await;
    let phone = app.logged_in(PAID_UP).await;
    let (_, n1, c1) = used_voucher(&app, &phone, "42").await;
    let ouest = app.logged_in("ouest").await;
    let (status, id) = ouest.send_invoice("F-PDF", "42", &format!("{n1};{c1};42")).await;
    assert_eq!(status, StatusCode::OK);
    let id = id.as_i64().unwrap();
    let file = pdf("facture F-PDF");

    // Not a PDF: refused, with the reason on the invoice page, nothing stored.
    let res = ouest.upload_pdf(id, "facture.docx", b"PK\x03\x04 not a pdf".to_vec(), true).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/fournisseur/factures/{id}"), "the reason is not in the address");
    let page = ouest.get(&back).await;
    assert_eq!(page.error().as_deref(), Some("Ce fichier n'est pas un PDF : envoyez la facture au format PDF."));
    let res = ouest.upload_pdf(id, "vide.pdf", Vec::new(), false).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&res.json().await.unwrap()).contains("Choisissez le fichier PDF"));
    let mut big = pdf("gros");
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let res = ouest.upload_pdf(id, "gros.pdf", big, false).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&res.json().await.unwrap()).contains("10 Mo"));
    assert_eq!(app.count("SELECT COUNT(*) FROM invoice_files").await, 0);

    // Another supplier cannot put a file on it; a member cannot either.
    let bois = app.other_supplier().await;
    assert_eq!(bois.upload_pdf(id, "x.pdf", file.clone(), false).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(phone.upload_pdf(id, "x.pdf", file.clone(), false).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.browser().upload_pdf(id, "x.pdf", file.clone(), false).await.status(), StatusCode::UNAUTHORIZED);

    // A real PDF (up to 10 MB) is kept and journaled.
    let res = ouest.upload_pdf(id, "C:\\Compta\\F-PDF.pdf", file.clone(), true).await;
    assert_eq!(res.headers()[header::LOCATION], format!("/fournisseur/factures/{id}?pdf=1"));
    let page = ouest.get(&format!("/fournisseur/factures/{id}?pdf=1")).await;
    assert!(page.shows("PDF de la facture enregistré.") && page.shows(&format!("href=\"/factures/{id}/pdf\"")));
    let (name, sha): (String, String) =
        sqlx::query_as("SELECT file_name, sha256 FROM invoice_files WHERE invoice_id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!((name.as_str(), sha), ("F-PDF.pdf", sha256_hex(&file)));
    let event = audit::history(app.db.pool(), Entity::Invoice, id).await.unwrap().pop().unwrap();
    assert_eq!(event.action, "attach_pdf");

    // One download link: the supplier who sent it and the agency's staff get it.
    for who in [&ouest, &app.logged_in("agence.nantes").await, &app.logged_in("admin").await] {
        let (status, kind, bytes) = who.download(&format!("/factures/{id}/pdf")).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
        assert_eq!(bytes, file);
    }
    for (who, expected) in [
        (&bois, StatusCode::NOT_FOUND),
        (&app.logged_in("agence.rennes").await, StatusCode::NOT_FOUND),
        (&phone, StatusCode::NOT_FOUND),
        (&app.browser(), StatusCode::UNAUTHORIZED),
    ] {
        let (status, _, bytes) = who.download(&format!("/factures/{id}/pdf")).await;
        assert_eq!(status, expected);
        assert!(!bytes.starts_with(b"%PDF"));
    }

    // Once accepted, the PDF that supports it can no longer be replaced.
    sqlx::query("UPDATE invoices SET status = 'accepted' WHERE id = $1").bind(id).execute(app.db.pool()).await.unwrap();
    let res = ouest.upload_pdf(id, "autre.pdf", pdf("autre"), false).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(error_of(&res.json().await.unwrap()).contains("acceptée : son PDF ne peut plus être remplacé"));
    let (_, _, bytes) = ouest.download(&format!("/factures/{id}/pdf")).await;
    assert_eq!(bytes, file);
}

#[tokio::test]
async fn an_invoice_sent_back_is_corrected_with_the_form_prefilled_and_matched_again() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (_, n1, c1) = used_voucher(&app, &phone, "42").await;
    let ouest = app.logged_in("ouest").await;
    let (_, id) = ouest.send_invoice("F-300", "42", &format!("{n1};{};42", wrong(&c1))).await;
    let id = id.as_i64().unwrap();
    // Not sent back: no correction form, and the service refuses.
    let page = ouest.get(&format!("/fournisseur/factures/{id}")).await;
    assert!(!page.shows("Corriger la facture"));
    let fixed = [
        ("id", id.to_string()),
        ("number", "F-300".into()),
        ("date", today()),
        ("amount", "42".into()),
        ("lines", format!("{n1};{c1};42")),
    ];
    let fields: Vec<(&str, &str)> = fixed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, json) = ouest.call("supplier_correct_invoice", &fields).await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");

    app.update_row(
        "UPDATE invoices SET status = 'to_correct', correction_reason = 'Code faux ligne 1' WHERE id = $1",
        id,
    )
    .await;
    let list = ouest.get("/fournisseur/factures").await;
    assert_eq!(list.text_of("class=\"status\"").as_deref(), Some("à corriger : Code faux ligne 1"));
    assert!(ouest.get("/fournisseur").await.contains("1 facture renvoyée"));
    let page = ouest.get(&format!("/fournisseur/factures/{id}")).await;
    assert!(page.shows("Corriger la facture"));
    assert!(page.shows(&format!("{n1} ;  ; 42,00")), "lines prefilled without their codes: {}", page.body);

    let done = ouest.submit(&format!("/fournisseur/factures/{id}"), "/api/supplier_correct_invoice", &fields).await;
    assert_eq!(done.location, Some(format!("/fournisseur/factures/{id}?corrigee=1")));
    assert_eq!(done.text_of("data-status").as_deref(), Some("reçue"));
    assert!(done.shows("Conforme") && !done.shows("Code secret incorrect"));
    // Another supplier cannot touch it.
    let bois = app.other_supplier().await;
    let (status, _) = bois.call("supplier_correct_invoice", &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = bois.call("supplier_invoice", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_key_is_shown_once_stored_hashed_used_by_the_till_and_refused_once_revoked() {
    let app = TestApp::spawn().await;
    let ouest = app.logged_in("ouest").await;
    let (status, json) = ouest.call("supplier_create_api_key", &[("label", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&json).contains("Donnez un nom à la clé"));

    let page = ouest.submit("/fournisseur/cles", "/api/supplier_create_api_key", &[("label", "Caisse 1")]).await;
    assert!(page.location.as_deref().unwrap().starts_with("/fournisseur/cles?creee="));
    let key = page.text_of("<code>").expect("the new key, shown once");
    assert!(key.starts_with("bons_") && key.len() == 69, "{key}");
    assert!(page.shows("elle ne sera plus jamais affichée"));
    // Reloaded, the page no longer has it: only its prefix.
    let again = ouest.get("/fournisseur/cles").await;
    assert!(!again.shows(&key));
    assert!(again.shows(&key[..13]) && again.shows("Jamais utilisée."));
    // Only the SHA-256 is stored.
    let (hash, prefix): (String, String) =
        sqlx::query_as("SELECT key_hash, prefix FROM api_keys").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!((hash, prefix.as_str()), (sha256_hex(key.as_bytes()), &key[..13]));

    let till = Till::new(&app, key.clone());
    let (status, json) = till.get("/api/v1/invoices").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(ouest.get("/fournisseur/cles").await.contains("Dernière utilisation"));

    let id = app.count("SELECT id FROM api_keys").await.to_string();
    // Another supplier cannot revoke it.
    let (status, _) = app.other_supplier().await.call("supplier_revoke_api_key", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let page = ouest.submit("/fournisseur/cles", "/api/supplier_revoke_api_key", &[("id", &id)]).await;
    assert!(page.shows("Révoquée le"));
    let (status, json) = till.get("/api/v1/invoices").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_of(&json).contains("révoquée"), "{json}");

    let history = audit::history(app.db.pool(), Entity::ApiKey, id.parse().unwrap()).await.unwrap();
    let actions: Vec<(&str, &str)> = history.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(actions, [("create", "ouest"), ("revoke", "ouest")]);
    assert!(history.iter().all(|e| !e.after.contains(&key[13..])), "the key is not journaled");
}
