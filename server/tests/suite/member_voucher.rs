//! The member's voucher, end to end, through the real server and the same
//! HTML forms a phone without the WASM would post.

use crate::common;

use app::model::vouchers::VoucherCard;
use common::{PAID_UP, PASSWORD, TestApp, UNPAID, sequence_of};
use reqwest::StatusCode;

const SEED_MESSAGE: &str = "Vous êtes à jour de votre cotisation, votre bon Castors WEB est disponible dans votre espace adhérent, rubrique « Demande de bons ».";

#[tokio::test]
async fn a_paid_up_member_requests_uses_validates_and_finds_the_voucher_delivered() {
    let app = TestApp::spawn().await;
    let browser = app.browser();

    // Log in: a session cookie that scripts cannot read and other sites do not send.
    let res = browser.login(PAID_UP, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("bons_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http cannot carry Secure cookies: {cookie}");
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.contains("Camille Martin") && home.contains("DEMANDE DE BONS CASTORS WEB"));

    // The form offers the active suppliers only.
    let form = browser.get("/bons/nouveau").await;
    assert!(form.contains("Matériaux de l'Ouest") && form.contains("Bois & Charpente 44"));
    assert!(!form.contains("Négoce Fermé"), "an inactive supplier must not be offered");

    // 12,30 € becomes a 13 € voucher, 1-EMIS, with the seed's message.
    let ouest = app.supplier_id("Matériaux de l'Ouest").await;
    let id = browser.request_voucher(&ouest, "12,30").await;
    let issued = browser.get(&format!("/bons/nouveau?emis={id}")).await;
    assert!(issued.contains(SEED_MESSAGE));
    assert_eq!(issued.text_of("class=\"issued-amount\"").as_deref(), Some("13\u{a0}€"));
    let amount: i64 = app.value_of("SELECT amount_cents FROM vouchers WHERE id = $1", id).await;
    assert_eq!(amount, 1300);

    // "Demande de bons" lists it.
    let list = browser.get("/bons").await;
    assert_eq!(list.text_of("class=\"status\"").as_deref(), Some("1-EMIS"));
    assert_eq!(list.text_of("class=\"amount\"").as_deref(), Some("13,00"));
    assert!(list.contains("BON CASTORS WEB"));

    // Open it, UTILISER CE BON, the irreversible warning, OK.
    let card = browser.get(&format!("/bons/{id}")).await;
    assert!(card.contains("UTILISER CE BON") && card.contains(&format!("/bons/{id}/utiliser")));
    let confirm = browser.get(&format!("/bons/{id}/utiliser")).await;
    assert!(confirm.contains("Attention cette opération est irréversible"));
    assert!(confirm.contains(">Annuler<") && confirm.contains(">OK<"));
    let code_screen = browser.use_voucher(id).await;
    assert_eq!(code_screen.location.as_deref(), Some(format!("/bons/{id}/code").as_str()));
    let code = code_screen.text_of("class=\"secret-code\"").expect("the code screen shows the code");
    assert!(code.len() == 4 && code.chars().all(|c| c.is_ascii_digit()), "code {code:?}");
    let number = code_screen.text_of("class=\"number\"").unwrap();
    assert_eq!(sequence_of(&number), 1);
    assert!(code_screen.contains("Le fournisseur certifie avoir noté sur le bon de livraison"));
    assert!(code_screen.contains("Matériaux de l'Ouest"));
    let used_at = code_screen.text_of("class=\"used-at\"").unwrap();
    assert_eq!(used_at.len(), "06/08/2020 15:09".len(), "{used_at}");
    assert!(code_screen.contains("VALIDER LE BON") && code_screen.contains("ANNULER"));
    assert_eq!(app.voucher_row(id).await, (11, Some(number.clone()), None));

    // VALIDER LE BON records the validation and shows the card.
    let card = browser.submit(&format!("/bons/{id}/code"), "/api/validate_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(card.location.as_deref(), Some(format!("/bons/{id}").as_str()));
    assert_eq!(card.text_of("class=\"voucher-number\"").as_deref(), Some(number.as_str()));
    assert_eq!(card.text_of("class=\"member-number\"").as_deref(), Some(PAID_UP));
    assert!(card.contains("Camille Martin") && card.contains("BON CASTORS WEB") && card.contains("FERMER"));
    assert_eq!(card.text_of("class=\"status\"").as_deref(), Some("11-livré"));
    assert_eq!(card.text_of("class=\"amount\"").as_deref(), Some("13\u{a0}€"));
    assert_eq!(card.text_of("class=\"code\"").as_deref(), Some(code.as_str()));
    assert!(card.contains("<svg"), "the card carries a QR code drawn by the server");
    let (status, stored_number, validated_at) = app.voucher_row(id).await;
    assert_eq!((status, stored_number.as_deref()), (11, Some(number.as_str())));
    assert!(validated_at.is_some(), "VALIDER LE BON is recorded");

    // Back in "Demande de bons": 11-livré with its number.
    let list = browser.get("/bons").await;
    assert_eq!(list.text_of("class=\"status\"").as_deref(), Some("11-livré"));
    assert_eq!(list.text_of("class=\"number\"").as_deref(), Some(number.as_str()));
}

/// With the WASM, OK is the one request of the counter: its answer is the
/// used voucher's card, from which the phone draws the code screen; VALIDER
/// LE BON's one request answers with the card to show next, QR code
/// included. Neither answer sends the app to load a page again (their
/// `Location` header is for the service worker's copy of the card).
#[tokio::test]
async fn ok_answers_with_the_used_card_so_the_phone_asks_nothing_more() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let id = phone.request_voucher_json(&app.supplier_id("Matériaux de l'Ouest").await, "13").await;
    let tap = |function: &'static str| {
        phone
            .client
            .post(format!("{}/api/{function}", app.base))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[("id", id.to_string())])
            .send()
    };
    let opened = || async {
        let (status, card) = phone.call("open_voucher", &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{card}");
        serde_json::from_value::<VoucherCard>(card).unwrap()
    };

    let ok = tap("use_voucher").await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(!ok.headers().contains_key("serverfnredirect"), "the app would load the code screen from the server");
    assert_eq!(ok.headers()["location"], format!("/bons/{id}/code").as_str());
    let used: VoucherCard = ok.json().await.unwrap();
    let receipt = used.receipt.clone().expect("the code screen's number, code, date and time");
    assert_eq!(sequence_of(&receipt.number.to_string()), 1);
    assert!(receipt.code.len() == 4 && receipt.code.chars().all(|c| c.is_ascii_digit()), "{receipt:?}");
    assert_eq!(receipt.used_at.to_string().len(), "06/08/2020 15:09".len(), "{receipt:?}");
    assert_eq!((used.status.label(), used.amount.to_string().as_str()), ("11-livré", "13\u{a0}€"));
    assert_eq!((used.member_number.as_str(), used.member_name.as_str()), (PAID_UP, "Camille Martin"));
    assert_eq!(used.supplier, "Matériaux de l'Ouest");
    // The card as opening it shows it, but its QR code, and what a second tap answers.
    assert_eq!(VoucherCard { qr_svg: None, ..opened().await }, used);
    let again: VoucherCard = tap("use_voucher").await.unwrap().json().await.unwrap();
    assert_eq!(again, used, "a retry answers the same card");

    let validated = tap("validate_voucher").await.unwrap();
    assert_eq!(validated.status(), StatusCode::OK);
    assert!(!validated.headers().contains_key("serverfnredirect"), "the app shows the card it is given");
    assert_eq!(validated.headers()["location"], format!("/bons/{id}").as_str());
    let card: VoucherCard = validated.json().await.unwrap();
    assert!(card.qr_svg.as_deref().is_some_and(|svg| svg.contains("<svg")), "the card's QR code");
    assert!(card.receipt.as_ref().is_some_and(|r| r.validated), "VALIDER LE BON is recorded");
    assert_eq!(card, opened().await);
    assert!(app.voucher_row(id).await.2.is_some());
}

#[tokio::test]
async fn annuler_on_the_code_screen_keeps_the_use_and_the_card_opens_again() {
    let (app, browser) = TestApp::spawn_with_member().await;
    let id = browser.request_voucher(&app.supplier_id("Bois & Charpente 44").await, "40").await;
    let screen = browser.use_voucher(id).await;
    let code = screen.text_of("class=\"secret-code\"").unwrap();
    // ANNULER is a plain link back to the list: nothing is undone.
    assert!(screen.contains("href=\"/bons\""));
    let (status, number, validated) = app.voucher_row(id).await;
    assert_eq!((status, validated), (11, None));
    // Later, the card and the code screen show the same number and code.
    let again = browser.get(&format!("/bons/{id}/code")).await;
    assert_eq!(again.text_of("class=\"secret-code\""), Some(code.clone()));
    let card = browser.get(&format!("/bons/{id}")).await;
    assert_eq!(card.text_of("class=\"voucher-number\""), number);
    assert_eq!(card.text_of("class=\"code\""), Some(code));
}

#[tokio::test]
async fn the_qr_code_links_to_a_check_page_that_shows_no_code_and_only_initials() {
    let (app, browser) = TestApp::spawn_with_member().await;
    let id = browser.request_voucher(&app.supplier_id("Matériaux de l'Ouest").await, "99,99").await;
    let screen = browser.use_voucher(id).await;
    let code = screen.text_of("class=\"secret-code\"").unwrap();
    let card = browser.get(&format!("/bons/{id}")).await;
    let start = card.body.find("href=\"http").map(|i| i + 6).expect("check link on the card");
    let link = &card.body[start..start + card.body[start..].find('"').unwrap()];
    assert!(link.contains("/verifier/W") && !link.contains(&code), "the link carries no code: {link}");

    // Anyone (no session) can check it.
    let visitor = app.browser();
    let path = link.strip_prefix(&app.base).unwrap();
    let check = visitor.get(path).await;
    assert_eq!(check.status, StatusCode::OK);
    assert_eq!(check.text_of("class=\"verdict verdict-ok\"").as_deref(), Some("Bon authentique"));
    let number = screen.text_of("class=\"number\"").unwrap();
    assert_eq!(check.text_of("class=\"number\"").as_deref(), Some(number.as_str()));
    assert_eq!(check.text_of("class=\"amount\"").as_deref(), Some("100\u{a0}€"));
    assert_eq!(check.text_of("class=\"status\"").as_deref(), Some("11-livré"));
    assert!(check.contains("C. M.") && check.contains("Matériaux de l'Ouest"));
    assert!(!check.contains("Camille") && !check.contains("Martin") && !check.contains(PAID_UP));
    assert!(!check.body.contains(&format!(">{code}<")), "the check page never shows the code");

    // A forged or altered link is not genuine.
    let forged = path.replace("00000001", "00000002");
    let bad = visitor.get(&forged).await;
    assert_eq!(bad.text_of("class=\"verdict verdict-bad\"").as_deref(), Some("Bon non authentique"));
    let tampered = format!("{}0", &path[..path.len() - 1]);
    assert!(visitor.get(&tampered).await.contains("Bon non authentique"));
    assert!(visitor.get("/verifier/n-importe-quoi?s=00").await.contains("Bon non authentique"));
}

#[tokio::test]
async fn a_member_whose_fee_is_not_paid_gets_no_voucher_and_is_sent_to_the_agency() {
    let app = TestApp::spawn().await;
    let browser = app.logged_in(UNPAID).await;
    let home = browser.get("/").await;
    assert!(home.contains("cotisation n'est pas à jour"));
    let page = browser
        .submit(
            "/bons/nouveau",
            "/api/request_voucher",
            &[("supplier_id", &app.supplier_id("Matériaux de l'Ouest").await), ("amount", "12,30")],
        )
        .await;
    let error = page.error().expect("a message on the page");
    assert!(error.contains("pas à jour de votre cotisation") && error.contains("agence"), "{error}");
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers").await, 0);
}

#[tokio::test]
async fn each_bad_request_gets_a_clear_french_message_and_changes_nothing() {
    let (app, browser) = TestApp::spawn_with_member().await;
    let ouest = app.supplier_id("Matériaux de l'Ouest").await;
    let closed = app.supplier_id("Négoce Fermé").await;
    let cases: &[(&str, &str, &str)] = &[
        (&ouest, "abc", "Montant invalide : saisissez un nombre, par exemple 12,30."),
        (&ouest, "1e3", "Montant invalide : saisissez un nombre, par exemple 12,30."),
        (&ouest, "0", "Le montant doit être supérieur à zéro."),
        (&ouest, "-5", "Le montant doit être supérieur à zéro."),
        (&ouest, "12,345", "Indiquez au plus deux chiffres après la virgule."),
        (&ouest, "", "Indiquez le montant de l'achat TTC, par exemple 12,30."),
        (&ouest, "3000,01", "Le montant ne peut pas dépasser 3\u{a0}000\u{a0}€ par bon."),
        (&ouest, "99999999999999999999999", "Le montant ne peut pas dépasser 3\u{a0}000\u{a0}€ par bon."),
        ("", "12", "Choisissez un fournisseur dans la liste."),
        ("abc", "12", "Choisissez un fournisseur dans la liste."),
        (&closed, "12", "Ce fournisseur n'est pas (ou plus) partenaire : choisissez-en un autre dans la liste."),
        ("999999", "12", "Ce fournisseur n'est pas (ou plus) partenaire : choisissez-en un autre dans la liste."),
    ];
    for (supplier, amount, expected) in cases {
        let page = browser
            .submit("/bons/nouveau", "/api/request_voucher", &[("supplier_id", supplier), ("amount", amount)])
            .await;
        assert_eq!(page.location.as_deref(), Some("/bons/nouveau"), "back on the form, no error in the address");
        assert_eq!(page.error().as_deref(), Some(*expected), "supplier {supplier:?}, amount {amount:?}");
        let (status, json) = browser.call("request_voucher", &[("supplier_id", supplier), ("amount", amount)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    }
    // A form missing its fields altogether.
    let (status, json) = browser.call("request_voucher", &[("amount", "12")]).await;
    assert!(!status.is_success(), "{json}");
    assert!(json.to_string().contains("formulaire est incomplet"), "{json}");
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers").await, 0);
}

#[tokio::test]
async fn another_members_voucher_cannot_be_seen_used_or_validated() {
    let (app, owner) = TestApp::spawn_with_member().await;
    let id = owner.request_voucher(&app.supplier_id("Matériaux de l'Ouest").await, "10").await;
    let other = app.logged_in(UNPAID).await;
    for path in [format!("/bons/{id}"), format!("/bons/{id}/code"), format!("/bons/{id}/utiliser")] {
        let page = other.get(&path).await;
        assert_eq!(page.error().as_deref(), Some("Ce bon est introuvable."), "{path}");
        assert!(!page.contains("Camille"), "{path} leaks the owner's name");
    }
    let (status, json) = other.call("use_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    let page = other.submit(&format!("/bons/{id}/utiliser"), "/api/use_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(page.error().as_deref(), Some("Ce bon est introuvable."));
    let (status, _) = other.call("validate_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!other.get("/bons").await.contains("Matériaux"), "the other member's list is empty");
    assert_eq!(app.voucher_row(id).await, (1, None, None), "still 1-EMIS, no number");
}

#[tokio::test]
async fn expired_unknown_and_unused_vouchers_are_refused() {
    let (app, browser) = TestApp::spawn_with_member().await;
    let id = browser.request_voucher(&app.supplier_id("Matériaux de l'Ouest").await, "10").await;

    // Validating before using makes no sense.
    let (status, json) = browser.call("validate_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");

    // Past its last valid day, the voucher reads as expired and cannot be used.
    app.update_row("UPDATE vouchers SET valid_until = '2020-08-06' WHERE id = $1", id).await;
    let (status, json) = browser.call("use_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(json["VoucherExpired"], "06/08/2020", "{json}");
    let page = browser.use_voucher(id).await;
    assert_eq!(page.error().as_deref(), Some("Ce bon a expiré le 06/08/2020 : il ne peut plus être utilisé."));
    assert_eq!(browser.get("/bons").await.text_of("class=\"status\"").as_deref(), Some("92-expiré"));
    assert!(!browser.get(&format!("/bons/{id}")).await.contains("UTILISER CE BON"));
    assert_eq!(app.voucher_row(id).await, (1, None, None));
    assert_eq!(app.count("SELECT COUNT(*) FROM number_series").await, 0, "no number was taken");

    for unknown in ["999999", "abc", "-1", ""] {
        let (status, json) = browser.call("use_voucher", &[("id", unknown)]).await;
        assert_eq!((status, json), (StatusCode::NOT_FOUND, serde_json::json!("VoucherNotFound")), "id {unknown:?}");
    }
    assert_eq!(browser.get("/bons/abc").await.error().as_deref(), Some("Ce bon est introuvable."));
}

#[tokio::test]
async fn visitors_must_log_in_and_wrong_passwords_are_refused() {
    let app = TestApp::spawn().await;
    let visitor = app.browser();
    for path in ["/", "/bons", "/bons/nouveau", "/bons/1", "/bons/1/code"] {
        let page = visitor.get(path).await;
        let login = app::security::login_path(path);
        assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some(login.as_str())), "{path}");
    }
    let (status, _) = visitor.call("use_voucher", &[("id", "1")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = visitor.call("request_voucher", &[("supplier_id", "1"), ("amount", "12")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for (number, password) in [(PAID_UP, "wrong"), ("44009999B", "castors"), ("n'importe quoi", "castors"), ("", "")] {
        let res = visitor.login(number, password).await;
        let session =
            res.headers().get_all("set-cookie").iter().any(|v| v.to_str().unwrap().starts_with("bons_session="));
        assert!(!session, "no session for {number}");
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let page = visitor.get(location.strip_prefix(&app.base).unwrap_or(&location)).await;
        assert_eq!(page.error().as_deref(), Some("N° d'adhérent ou mot de passe incorrect."), "{number}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn sessions_survive_a_restart_and_end_at_logout() {
    let (app, browser) = TestApp::spawn_with_member().await;
    let app = app.restart().await;
    let browser = common::Browser { client: browser.client, base: app.base.clone() };
    assert_eq!(browser.get("/bons").await.status, StatusCode::OK, "still logged in after a restart");

    let out = browser.submit("/bons", "/api/logout", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/connexion"));
    assert_eq!(browser.get("/bons").await.location.as_deref(), Some("/connexion?suivant=/bons"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn cookies_are_secure_when_served_over_https() {
    let app = TestApp::spawn_with(|c| c.public_url = Some("https://bons.example.org".into())).await;
    let res = app.browser().login(PAID_UP, PASSWORD).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn loading_the_demo_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let counts = || async {
        (
            app.count("SELECT COUNT(*) FROM agencies").await,
            app.count("SELECT COUNT(*) FROM members").await,
            app.count("SELECT COUNT(*) FROM accounts").await,
            app.count("SELECT COUNT(*) FROM suppliers").await,
            app.count("SELECT COUNT(*) FROM suppliers WHERE active = 1").await,
        )
    };
    let before = counts().await;
    assert_eq!(before.0, 1, "the Nantes agency");
    assert!(before.1 >= 2 && before.2 >= 5, "members, and their logins with the staff's: {before:?}");
    assert_eq!((before.3, before.4), (3, 2), "three suppliers, two of them partners");
    app::server::demo::load(&app.db).await.unwrap();
    assert_eq!(counts().await, before);
}

#[tokio::test]
async fn an_expired_session_sends_the_member_back_to_the_login_page() {
    let (app, browser) = TestApp::spawn_with_member().await;
    assert_eq!(browser.get("/bons").await.status, StatusCode::OK);
    sqlx::query("UPDATE sessions SET expires_at = '2020-01-01T00:00:00.000000Z'").execute(app.db.pool()).await.unwrap();
    assert_eq!(browser.get("/bons").await.location.as_deref(), Some("/connexion?suivant=/bons"));
    // The next login sweeps the expired session away.
    app.logged_in(PAID_UP).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE expires_at < '2021-01-01'").await, 0);
}

#[tokio::test]
async fn demande_de_bons_lists_the_newest_voucher_first() {
    let (app, browser) = TestApp::spawn_with_member().await;
    browser.request_voucher(&app.supplier_id("Matériaux de l'Ouest").await, "5").await;
    browser.request_voucher(&app.supplier_id("Bois & Charpente 44").await, "6").await;
    let list = browser.get("/bons").await;
    let bois = list.body.find("Bois &amp; Charpente 44").expect("second voucher listed");
    let ouest = ["Matériaux de l&#39;Ouest", "Matériaux de l&#x27;Ouest", "Matériaux de l'Ouest"]
        .iter()
        .find_map(|name| list.body.find(name))
        .expect("first voucher listed");
    assert!(bois < ouest, "the voucher requested last comes first");
    assert_eq!(list.text_of("class=\"amount\"").as_deref(), Some("6,00"));
}

/// Without the WASM, the search box is a form: the list comes back with
/// the rows the search misses hidden, and says so when it misses them all.
#[tokio::test]
async fn a_search_sent_without_the_wasm_hides_the_rows_it_misses() {
    let (app, browser) = TestApp::spawn_with_member().await;
    browser.request_voucher(&app.supplier_id("Matériaux de l'Ouest").await, "5").await;
    browser.request_voucher(&app.supplier_id("Bois & Charpente 44").await, "6").await;
    let row_of = |body: &str, supplier: &str| {
        let at = body.find(supplier).unwrap_or_else(|| panic!("{supplier} missing: {body}"));
        let start = body[..at].rfind("<tr ").unwrap();
        body[start..at].split('>').next().unwrap().to_owned()
    };

    let list = browser.get("/bons?q=charpente").await;
    let bois = row_of(&list.body, "Bois &amp; Charpente 44");
    assert!(bois.contains(r#"data-status="1""#) && !bois.ends_with(" hidden"), "{}", list.body);
    assert!(row_of(&list.body, "Matériaux de l&#39;Ouest").ends_with(" hidden"), "{}", list.body);
    assert!(!list.contains("Aucun bon ne correspond"));
    assert!(list.body.contains(r#"value="charpente""#), "the search box keeps what was typed");

    let list = browser.get("/bons?q=parpaing").await;
    assert!(row_of(&list.body, "Bois &amp; Charpente 44").ends_with(" hidden"), "{}", list.body);
    assert!(list.contains("Aucun bon ne correspond à votre recherche."), "{}", list.body);

    let list = browser.get("/bons").await;
    assert!(!list.body.contains("voucher-row\" data-status=\"1\" hidden"), "{}", list.body);
}
