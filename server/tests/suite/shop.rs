//! The sponsors' shop (seed 001) end to end, as a browser without the WASM
//! and through the services: the catalogue and the cart (kept, and joined
//! at login), the checkout that opens an account (the Médiathèque's first)
//! or logs one in, the discount on fees only, the payment method the
//! structure's kind allows, the Chorus Pro purchase order checked field by
//! field (seed 000), the gapless order numbers, the confirmation email and
//! page (its structure's managers and the agency's staff only), the
//! summary PDF, the last use of a code under 20 simultaneous checkouts,
//! and open orders moving with a deactivated structure.

use crate::common;

use app::domain::order::OrderStatus;
use app::domain::pricing::{PriceList, Product};
use app::error::AppError;
use app::server::error::ServerError;
use app::server::guards::StructureCaller;
use app::server::services::shop::checkout;
use app::server::services::structures::deactivation;
use common::shop::{FINANCES, TECHNIQUES, booklets, cart_of, form, now, refusal, structure_id};
use common::supplier::pdf;
use common::{Browser, PASSWORD, Page, TestApp, pdf_text};
use reqwest::{StatusCode, header, multipart};

const MEDIATHEQUE: &str = "21449001300049";

fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    // Soft line breaks (quoted-printable) undone.
    let undone = app.mails().into_iter().map(|m| m.replace("=\r\n", ""));
    undone.filter(|m| m.contains(&format!("To: {to}"))).collect()
}

/// The order's status, as stored.
async fn status_of(app: &TestApp, order: i64) -> String {
    app.value_of("SELECT status FROM orders WHERE id = $1", order).await
}

/// The order's id, from the confirmation page's address.
fn order_id(page: &Page) -> i64 {
    let location = page.location.clone().unwrap_or_default();
    location
        .strip_prefix("/commanditaire/commandes/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("expected the order's page, landed on {location}: {:?}", page.error()))
}

async fn add(browser: &Browser, product: &str, quantity: &str) -> Page {
    browser.submit("/boutique", "/api/add_to_cart", &[("product", product), ("quantity", quantity)]).await
}

/// The browser flow of seed 001 for a new public structure: a visitor
/// fills a cart, opens the Médiathèque's first account at checkout, applies
/// BIENVENUE10 and orders by Chorus Pro; the confirmation email links back
/// to the order's page.
#[tokio::test]
async fn a_visitor_opens_the_mediatheques_first_account_at_checkout_and_orders() {
    let app = TestApp::spawn().await;
    let visitor = app.browser();
    let catalogue = visitor.get("/boutique").await;
    assert_eq!(catalogue.status, StatusCode::OK);
    for text in
        ["Carnet de 10 Pass Castors de 20", "200,00", "hors champ de la TVA", "Accompagnement technique", "440,00"]
    {
        assert!(catalogue.contains(text), "the catalogue shows {text}");
    }
    let added = add(&visitor, "carnet-2000", "3").await;
    assert_eq!(added.location.as_deref(), Some("/panier?ajout=carnet-2000"));
    assert!(added.contains("Poursuivre vos achats") && added.contains("Passer à la caisse"));
    add(&visitor, "livraison", "1").await;
    let refused = add(&visitor, "carnet-3000", "1").await;
    assert_eq!(refused.error().as_deref(), Some("Ce produit n'est plus proposé."));
    let refused = add(&visitor, "carnet-2000", "998").await;
    assert!(refused.error().unwrap_or_default().contains("déjà 3"), "{:?}", refused.error());

    let checkout = visitor.get("/caisse").await;
    assert!(checkout.contains("Créez votre compte") && checkout.contains("Connectez-vous"));
    let signup = [
        ("email", "Mediatheque@Saint-Aubin.example"),
        ("password", "une longue phrase de passe"),
        ("confirm", "une longue phrase de passe"),
        ("name", "Lucie Martin"),
        ("phone", "02 40 11 22 33"),
        ("kind", "public"),
        ("siret", MEDIATHEQUE),
    ];
    // A refused SIRET opens no account.
    let mut wrong = signup;
    wrong[6] = ("siret", "21449001300048");
    let page = visitor.submit("/caisse", "/api/open_sponsor_account", &wrong).await;
    assert!(page.error().unwrap_or_default().contains("SIRET"), "{:?}", page.error());
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE login = 'mediatheque@saint-aubin.example'").await, 0);

    let page = visitor.submit("/caisse", "/api/open_sponsor_account", &signup).await;
    assert_eq!(page.location.as_deref(), Some("/caisse?compte=ouvert"), "{:?}", page.error());
    assert!(page.contains("Vous commandez pour") && page.contains("Médiathèque"), "logged in, the structure offered");
    let mediatheque = structure_id(&app, MEDIATHEQUE).await;
    let main: i64 = app
        .value_of(
            "SELECT m.main FROM structure_managers m JOIN accounts a ON a.id = m.account_id
              WHERE a.login = 'mediatheque@saint-aubin.example' AND m.structure_id = $1 AND m.state = 'approved'",
            mediatheque,
        )
        .await;
    assert_eq!(main, 1, "the structure's first account is its main manager");

    let priced = visitor.get(&format!("/caisse?structure={mediatheque}&code=ETE2025")).await;
    assert!(priced.error().unwrap_or_default().contains("expiré"), "{:?}", priced.error());
    let priced = visitor.get(&format!("/caisse?structure={mediatheque}&code=bienvenue10")).await;
    assert!(priced.contains("Le code BIENVENUE10 est appliqué"), "{:?}", priced.error());
    // Hand-computed (docs: pricing): 600 € of passes, fees 24 € + delivery
    // 15 € = 39 €, less 10 % = 35,10 €, VAT 7,02 €: 642,12 € incl. VAT.
    assert!(priced.contains("642,12"), "the total with the discount on fees only");

    let uses_before: i64 = app.value_of("SELECT uses FROM discount_codes WHERE code = $1", "BIENVENUE10").await;
    let mediatheque_id = mediatheque.to_string();
    let fields = [
        ("structure", mediatheque_id.as_str()),
        ("payment", "chorus"),
        ("code", "BIENVENUE10"),
        ("billing_name", "Un autre nom"),
        ("billing_street", "Place de la Médiathèque"),
        ("billing_postcode", "44999"),
        ("billing_city", "Saint-Aubin-des-Castors"),
        ("delivery_name", "Un autre nom"),
        ("delivery_street", "Place de la Médiathèque"),
        ("delivery_postcode", "44999"),
        ("delivery_city", "Saint-Aubin-des-Castors"),
        ("points", "Accueil de la médiathèque ; Place de la Médiathèque 44999 ; accueil@mediatheque.example"),
    ];
    let mut transfer = fields;
    transfer[1] = ("payment", "transfer");
    let page = visitor.submit("/caisse", "/api/place_order", &transfer).await;
    assert!(page.error().unwrap_or_default().contains("Chorus Pro"), "{:?}", page.error());
    assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 0, "a refused checkout keeps nothing");

    let page = visitor.submit("/caisse", "/api/place_order", &fields).await;
    let id = order_id(&page);
    assert!(page.contains("En attente du bon de commande"), "a Chorus Pro order waits for its purchase order");
    let (sequence, total, discount, billing_name): (i64, i64, i64, String) =
        sqlx::query_as("SELECT sequence, total_incl_vat, discount, billing_name FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!((sequence, total, discount), (1, 64_212, 390));
    assert!(billing_name.ends_with("Médiathèque"), "a public structure is billed under its own name: {billing_name}");
    let uses_after: i64 = app.value_of("SELECT uses FROM discount_codes WHERE code = $1", "BIENVENUE10").await;
    assert_eq!(uses_after, uses_before + 1, "the code's use is counted with the order");
    assert_eq!(app.count("SELECT COUNT(*) FROM cart_lines").await, 0, "the cart is emptied");
    assert_eq!(app.count("SELECT COUNT(*) FROM order_distribution_points").await, 1);
    let number = format!("C{}-000001", app::server::clock::paris_year(now()));
    assert!(page.contains(&number), "the order's number is on its page");

    let emails = mails_to(&app, "mediatheque@saint-aubin.example");
    assert_eq!(emails.len(), 1, "one confirmation email");
    let link = format!("/commanditaire/commandes/{id}");
    assert!(emails[0].contains(&link), "the email links to the order's page");
    let followed = visitor.get(&link).await;
    assert_eq!(followed.status, StatusCode::OK);
    let mine = visitor.get("/commanditaire/commandes").await;
    assert!(mine.contains(&number) && mine.contains("En attente du bon de commande"), "« Mes commandes » lists it");
    // Another manager, a stranger and a visitor cannot read it.
    let ccas = app.browser();
    ccas.login("ccas", PASSWORD).await;
    for path in [link.clone(), format!("{link}/recapitulatif.pdf")] {
        let page = ccas.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.contains("642,12"));
    }
    let anonymous = app.browser().get(&format!("{link}/recapitulatif.pdf")).await;
    assert_ne!(anonymous.status, StatusCode::OK);
}

/// A visitor with a cart logs in as `mairie` at checkout: the cart stays,
/// joined with what the account had left in an earlier cart.
#[tokio::test]
async fn logging_in_at_checkout_keeps_the_cart_and_joins_the_accounts_earlier_one() {
    let app = TestApp::spawn().await;
    let earlier = app.browser();
    earlier.login("mairie", PASSWORD).await;
    add(&earlier, "carnet-1000", "2").await;
    add(&earlier, "livraison", "1").await;

    let visitor = app.browser();
    add(&visitor, "carnet-1000", "1").await;
    add(&visitor, "carnet-5000", "4").await;
    let res = visitor
        .submit_raw(
            "/caisse",
            "/api/login",
            &[("number", "mairie"), ("password", PASSWORD), ("suivant", "/caisse?connecte=1")],
        )
        .await;
    assert_eq!(res.headers()[header::LOCATION], "/caisse?connecte=1");
    let cart = visitor.get("/panier").await;
    let quantity = |key: &str| {
        let row = &cart.body[cart.body.find(&format!("data-product=\"{key}\"")).expect("row")..];
        let input = &row[row.find("name=\"quantity\"").expect("quantity")..];
        let value = &input[input.find("value=\"").unwrap() + 7..];
        value[..value.find('"').unwrap()].parse::<u32>().unwrap()
    };
    assert_eq!((quantity("carnet-1000"), quantity("carnet-5000"), quantity("livraison")), (3, 4, 1));
    assert_eq!(app.count("SELECT COUNT(*) FROM carts").await, 1, "one cart left, the account's");
    // Logged out, the next visitor of the browser sees none of it.
    visitor.submit_raw("/panier", "/api/logout", &[]).await;
    assert!(visitor.get("/panier").await.contains("Votre panier est vide"));
}

/// Seed 000: each field of a purchase order refused with its own message,
/// nothing stored; then the right one confirms the order.
#[tokio::test]
async fn a_purchase_order_is_checked_field_by_field_and_confirms_the_order() {
    let app = TestApp::spawn().await;
    let mairie = app.sponsor("mairie").await;
    let techniques = structure_id(&app, TECHNIQUES).await;
    let shopper = cart_of(&app, Some(mairie.account_id), &[(booklets(50), 2)]).await;
    let id = checkout::place(&app.state, &mairie, &shopper, &form(techniques, "chorus", "", ""), now()).await.unwrap();
    assert_eq!(status_of(&app, id).await, "awaiting_purchase_order");

    let browser = app.browser();
    browser.login("mairie", PASSWORD).await;
    let page = browser.get(&format!("/commanditaire/commandes/{id}")).await;
    assert!(page.contains("il manque") && page.contains("numéro d'engagement"), "the page says what is missing");
    let label = "Ville de Saint-Aubin-des-Castors — Services techniques";
    let good = [("label", label), ("siret", TECHNIQUES), ("service_code", "ST-44"), ("engagement", "1234567890")];
    let send = |fields: Vec<(&'static str, String)>, file: Option<Vec<u8>>| {
        let browser = &browser;
        async move {
            let mut form = multipart::Form::new();
            for (name, value) in fields {
                form = form.text(name, value);
            }
            if let Some(bytes) = file {
                form = form.part("pdf", multipart::Part::bytes(bytes).file_name("bon.pdf"));
            }
            let back = format!("/commanditaire/commandes/{id}");
            let res = browser
                .post_from(&back, &format!("{back}/bon-de-commande"), "text/html")
                .multipart(form)
                .send()
                .await
                .expect("upload");
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
            browser.get(&location).await
        }
    };
    let with = |field: &str, value: &str| -> Vec<(&'static str, String)> {
        good.iter().map(|&(k, v)| (k, if k == field { value.to_owned() } else { v.to_owned() })).collect()
    };
    let signed = pdf("Bon de commande signé");
    let cases: [PurchaseOrderCase; 8] = [
        (with("label", "Mairie"), Some(signed.clone()), "doit être celui de la structure commanditaire"),
        (with("siret", FINANCES), Some(signed.clone()), "n'est pas celui de la structure commanditaire"),
        (with("siret", "21449001300016"), Some(signed.clone()), "SIRET"),
        (with("service_code", ""), Some(signed.clone()), "Le code service est obligatoire"),
        (with("service_code", "ANC-01"), Some(signed.clone()), "n'est pas un code service actif"),
        (with("engagement", "123456789"), Some(signed.clone()), "exactement 10 chiffres (vous en avez saisi 9)"),
        (with("engagement", "1234567890"), None, "Joignez le bon de commande signé"),
        (with("engagement", "1234567890"), Some(b"GIF89a not a pdf".to_vec()), "doit être un fichier PDF"),
    ];
    for (fields, file, expected) in cases {
        let page = send(fields, file).await;
        let error = page.error().unwrap_or_default();
        assert!(error.contains(expected), "expected « {expected} », got {error:?}");
        assert_eq!(status_of(&app, id).await, "awaiting_purchase_order", "nothing changes");
        assert_eq!(app.count("SELECT COUNT(*) FROM order_files").await, 0, "nothing stored");
    }
    let before = mails_to(&app, "commandes@saint-aubin-des-castors.example").len();
    let page = send(with("engagement", "12345 67890"), Some(signed.clone())).await;
    assert!(page.contains("votre commande est confirmée"), "{:?}", page.error());
    assert_eq!(status_of(&app, id).await, "confirmed");
    let (code, engagement): (String, String) =
        sqlx::query_as("SELECT po_service_code, po_engagement FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!((code.as_str(), engagement.as_str()), ("ST-44", "1234567890"));
    let stored: Vec<u8> = app.value_of("SELECT content FROM order_files WHERE order_id = $1", id).await;
    assert_eq!(stored, signed, "the signed PDF is kept as sent");
    assert_eq!(mails_to(&app, "commandes@saint-aubin-des-castors.example").len(), before + 1, "confirmed: an email");
    let again = send(with("engagement", "1234567890"), Some(signed)).await;
    assert!(again.error().unwrap_or_default().contains("déjà été reçu"));
    let journal: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE entity = 'order' AND entity_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(journal, ["place", "purchase_order"]);

    // The summary PDF, for the manager and for the agency's staff.
    let res = browser
        .client
        .get(format!("{}/commanditaire/commandes/{id}/recapitulatif.pdf", browser.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = pdf_text(&res.bytes().await.unwrap());
    for expected in ["Récapitulatif de commande", "Services techniques", "048,00", "Total TTC", "1234567890"] {
        assert!(text.contains(expected), "the summary shows {expected}: {text}");
    }
    let staff = app.browser();
    staff.login("agence.nantes", PASSWORD).await;
    assert_eq!(staff.get(&format!("/agence/commandes/{id}")).await.status, StatusCode::OK);
    let listed = staff.get("/agence/commandes?statut=confirmed").await;
    assert!(listed.contains("Services techniques"));
    let res =
        staff.client.get(format!("{}/agence/commandes/{id}/bon-de-commande.pdf", staff.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// A purchase order's fields, its file, and the refusal expected.
type PurchaseOrderCase = (Vec<(&'static str, String)>, Option<Vec<u8>>, &'static str);

/// A private sponsor pays by transfer: confirmed at once, with the IBAN and
/// the order's number as the reference; Chorus Pro is refused to it.
#[tokio::test]
async fn a_private_sponsor_pays_by_transfer_with_the_orders_reference() {
    let app = TestApp::spawn().await;
    let fondation = app.sponsor("fondation").await;
    let structure: i64 =
        app.value_of("SELECT structure_id FROM structure_managers WHERE account_id = $1", fondation.account_id).await;
    let shopper = cart_of(&app, Some(fondation.account_id), &[(booklets(10), 1), (Product::Accompaniment, 1)]).await;
    let why =
        refusal(checkout::place(&app.state, &fondation, &shopper, &form(structure, "chorus", "", ""), now()).await);
    assert!(why.contains("réservé aux structures publiques"), "{why}");
    let id =
        checkout::place(&app.state, &fondation, &shopper, &form(structure, "transfer", "", ""), now()).await.unwrap();
    assert_eq!(status_of(&app, id).await, "confirmed");
    let browser = app.browser();
    browser.login("fondation", PASSWORD).await;
    let page = browser.get(&format!("/commanditaire/commandes/{id}")).await;
    assert!(page.contains("FR76 3000 4000 0312 3456 7890 143"), "the IBAN, grouped");
    let number: String = format!("C{}-", app::server::clock::paris_year(now()));
    assert!(page.text_of("class=\"reference\"").unwrap_or_default().starts_with(&number));
    // 100 € of passes, fees 4 €, accompaniment 1 200 €; VAT 20 % of 1 204 € = 240,80 €.
    let total: i64 = app.value_of("SELECT total_incl_vat FROM orders WHERE id = $1", id).await;
    assert_eq!(total, 10_000 + 120_400 + 24_080);
    let email = mails_to(&app, "dons@fondation-castors.example");
    assert!(email.len() == 1 && email[0].contains("FR76"), "the email says how to pay");
}

/// UNEFOIS has one use left: of 20 checkouts at once, exactly one gets it;
/// the others are refused and keep nothing, and the numbers stay gapless.
#[tokio::test]
async fn the_last_use_of_a_code_goes_to_exactly_one_of_20_simultaneous_checkouts() {
    let app = TestApp::spawn().await;
    let mairie = app.sponsor("mairie").await;
    let finances = structure_id(&app, FINANCES).await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let shopper = cart_of(&app, Some(mairie.account_id), &[(Product::Delivery, 1), (booklets(20), 1)]).await;
        let (state, mairie) = (app.state.clone(), mairie.clone());
        tasks.push(tokio::spawn(async move {
            checkout::place(&state, &mairie, &shopper, &form(finances, "chorus", "UNEFOIS", ""), now()).await
        }));
    }
    let mut placed = Vec::new();
    let mut refused = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(id) => placed.push(id),
            Err(ServerError::Refused(AppError::InvalidField(_, why) | AppError::Conflict(why))) => {
                assert!(why.contains("UNEFOIS") || why.contains("utilis"), "{why}");
                refused += 1;
            }
            Err(e) => panic!("unexpected failure: {e:?}"),
        }
    }
    assert_eq!((placed.len(), refused), (1, 19));
    let (uses, max): (i64, i64) = sqlx::query_as("SELECT uses, max_uses FROM discount_codes WHERE code = 'UNEFOIS'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(uses, max);
    assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 1);
    // 30 € off fees of 8 € + 15 €: the discount stops at the fees, the
    // passes' 200 € are paid in full.
    let (discount, total): (i64, i64) = sqlx::query_as("SELECT discount, total_incl_vat FROM orders WHERE id = $1")
        .bind(placed[0])
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!((discount, total), (2_300, 20_000));
    // The next orders take the next numbers, without a gap.
    for _ in 0..2 {
        let shopper = cart_of(&app, Some(mairie.account_id), &[(booklets(20), 1)]).await;
        checkout::place(&app.state, &mairie, &shopper, &form(finances, "chorus", "", ""), now()).await.unwrap();
    }
    let numbers: Vec<i64> =
        sqlx::query_scalar("SELECT sequence FROM orders ORDER BY sequence").fetch_all(app.db.pool()).await.unwrap();
    assert_eq!(numbers, [1, 2, 3]);
}

/// A pending manager cannot order; a deactivated structure cannot either;
/// its open orders go to the structure taking it over, journaled.
#[tokio::test]
async fn open_orders_move_to_the_structure_taking_over() {
    let app = TestApp::spawn().await;
    let mairie = app.sponsor("mairie").await;
    let (techniques, finances) = (structure_id(&app, TECHNIQUES).await, structure_id(&app, FINANCES).await);
    let shopper = cart_of(&app, Some(mairie.account_id), &[(booklets(10), 1)]).await;
    let id = checkout::place(&app.state, &mairie, &shopper, &form(techniques, "chorus", "", ""), now()).await.unwrap();
    let done =
        deactivation::deactivate(&app.state, &StructureCaller::Sponsor(mairie.clone()), TECHNIQUES, FINANCES, now())
            .await
            .unwrap();
    assert_eq!((done.transferred.open_orders, done.transferred.orders.clone()), (1, vec![id]));
    let now_for: i64 = app.value_of("SELECT structure_id FROM orders WHERE id = $1", id).await;
    assert_eq!(now_for, finances);
    let journaled: i64 = app
        .value_of(
            "SELECT COUNT(*) FROM audit_events WHERE entity = 'order' AND action = 'transfer' AND entity_id = $1",
            id,
        )
        .await;
    assert_eq!(journaled, 1);
    let shopper = cart_of(&app, Some(mairie.account_id), &[(booklets(10), 1)]).await;
    let why = refusal(checkout::place(&app.state, &mairie, &shopper, &form(techniques, "chorus", "", ""), now()).await);
    assert!(why.contains("désactivée"), "{why}");
    let ccas = app.sponsor("ccas").await;
    let why = refusal(checkout::place(&app.state, &ccas, &shopper, &form(finances, "chorus", "", ""), now()).await);
    assert!(why.contains("ne gérez pas"), "{why}");
    assert_eq!(OrderStatus::from_code(&status_of(&app, id).await), Some(OrderStatus::AwaitingPurchaseOrder));
}

/// Staff set the shop's prices; the catalogue follows, an order placed
/// before keeps its own; a bad rate is refused and changes nothing.
#[tokio::test]
async fn staff_set_the_prices_and_orders_keep_those_of_their_day() {
    let app = TestApp::spawn().await;
    let mairie = app.sponsor("mairie").await;
    let finances = structure_id(&app, FINANCES).await;
    let shopper = cart_of(&app, Some(mairie.account_id), &[(booklets(20), 1)]).await;
    let id = checkout::place(&app.state, &mairie, &shopper, &form(finances, "chorus", "", ""), now()).await.unwrap();

    let staff = app.browser();
    staff.login("agence.nantes", PASSWORD).await;
    let fields = [
        ("face_values", "20, 30"),
        ("booklet_size", "5"),
        ("fee_rate", "5"),
        ("accompaniment", "1 000"),
        ("delivery", "20"),
        ("vat_rate", "20"),
        ("iban", ""),
    ];
    let mut bad = fields;
    bad[2] = ("fee_rate", "cinq");
    let page = staff.submit("/agence/boutique", "/api/save_shop_settings", &bad).await;
    assert!(page.error().unwrap_or_default().contains("Frais contributifs"), "{:?}", page.error());
    let page = staff.submit("/agence/boutique", "/api/save_shop_settings", &fields).await;
    assert!(page.contains("Les prix de la boutique sont enregistrés"), "{:?}", page.error());
    let catalogue = app.browser().get("/boutique").await;
    assert!(catalogue.contains("Carnet de 5 Pass Castors de 30") && !catalogue.contains("de 50"));
    let prices: String = app.value_of("SELECT prices FROM orders WHERE id = $1", id).await;
    let kept: PriceList = serde_json::from_str(&prices).unwrap();
    assert_eq!(kept, PriceList::default(), "the order keeps the prices of its day");
    let total: i64 = app.value_of("SELECT total_incl_vat FROM orders WHERE id = $1", id).await;
    assert_eq!(total, 20_000 + 800 + 160);
}
