//! The agency back office, story by story, through the real server and the
//! forms a desk browser posts (on SQLite, or PostgreSQL with
//! BONS_TEST_DATABASE_URL): members and their CSV import, suppliers,
//! settings, vouchers and undoing a use, the dashboard; and staff of another
//! agency, who find none of it.

use crate::common;

use app::domain::InvoiceLineInput;
use app::server::audit::{self, Entity};
use app::server::services::invoices::{self, InvoiceInput, Submitter};
use chrono::Utc;
use common::agency::{ADMIN, NANTES_STAFF, rennes_staff, report_lines};
use common::{PAID_UP, PASSWORD, TestApp, message, sequence_of, used_voucher, used_voucher_at, wrong};
use reqwest::{StatusCode, header};
use serde_json::Value;

const OUEST: &str = "Matériaux de l'Ouest";

/// Every member as stored: what an import must not change.
async fn members_snapshot(app: &TestApp) -> Vec<(String, String, Option<String>, Option<String>, i64, i64)> {
    sqlx::query_as("SELECT number, name, email, fee_paid_until, active, agency_id FROM members ORDER BY number")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

async fn journal_actions(app: &TestApp, entity: Entity, id: i64) -> Vec<String> {
    audit::history(app.db.pool(), entity, id).await.unwrap().into_iter().map(|e| e.action).collect()
}

async fn member_id(app: &TestApp, number: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM members WHERE number = $1").bind(number).fetch_one(app.db.pool()).await.unwrap()
}

/// Whether a login and password open a session (as the hydrated app asks:
/// 200, or the refusal's status).
async fn login_status(app: &TestApp, login: &str, password: &str) -> StatusCode {
    app.browser().call("login", &[("number", login), ("password", password)]).await.0
}

/// Where a login lands, through the form.
async fn lands_on(app: &TestApp, login: &str, password: &str) -> Option<String> {
    let res = app.browser().login(login, password).await;
    res.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).map(str::to_owned)
}

fn next_year_end() -> String {
    format!("{}-12-31", app::server::clock::paris_year(Utc::now()) + 1)
}

/// A member staff create gets an invitation by email: no password is
/// shown to staff or written in the email; the member chooses theirs from
/// the link, logs in and may request. The page says where the invitation
/// stands.
#[tokio::test]
async fn staff_create_a_member_who_chooses_their_password_from_the_invitation() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;

    let page = staff.create_member("44000300c", " Jeanne   Leroy ", "Jeanne@Exemple.FR", &next_year_end()).await;
    let location = page.location.clone().unwrap();
    assert_eq!(location, "/agence/adherents/44000300C?cree=invitation");
    assert!(page.contains("Une invitation à choisir son mot de passe lui a été envoyée"), "{}", page.body);
    assert!(page.contains("Jeanne Leroy") && page.contains("Jeanne@exemple.fr"));
    assert!(page.contains("Invitation envoyée le") && page.contains("Renvoyer l'invitation"));
    assert!(!page.contains("mot de passe provisoire"), "no password on any screen");

    // The email: the login and a link, no password; the link works once.
    let mail = common::nth_mail(&app, "Jeanne@exemple.fr", 1, &[]).await;
    assert!(mail.contains("44000300C") && mail.contains("Choisissez votre mot de passe"), "{mail}");
    let link = common::link_in(&mail);
    let phone = app.browser();
    let chosen = common::choose_password(&phone, &link, "lierre sur le vieux mur de pierre").await;
    assert_eq!(chosen.location.as_deref(), Some("/connexion?nouveau=1&identifiant=44000300C"));
    assert!(staff.get("/agence/adherents/44000300C").await.contains("utilisée le"), "staff see it was used");

    // The member logs in with their number and that password, and may request.
    let password = "lierre sur le vieux mur de pierre";
    assert_eq!(lands_on(&app, "44000300C", password).await.as_deref(), Some("/"));
    phone.login("44000300c", password).await;
    let (status, me) = phone.call("whoami", &[]).await;
    assert_eq!(
        (status, me["name"].as_str(), me["fee_paid_up"].as_bool()),
        (StatusCode::OK, Some("Jeanne Leroy"), Some(true))
    );
    phone.request_voucher_json(&app.supplier_id(OUEST).await, "12").await;

    // Journaled: the member and their login, by the staff member; the
    // invitation and its acceptance.
    let id = member_id(&app, "44000300C").await;
    let created = audit::history(app.db.pool(), Entity::Member, id).await.unwrap().remove(0);
    assert_eq!(
        (created.action.as_str(), created.actor.as_str(), created.role.as_str()),
        ("create", NANTES_STAFF, "agency")
    );
    assert!(created.after.contains("\"number\":\"44000300C\""), "{}", created.after);
    let account = app.count("SELECT id FROM accounts WHERE login = '44000300C'").await;
    let actions = journal_actions(&app, Entity::Account, account).await;
    assert_eq!(actions, ["create", "invite", "accept_invitation"], "{actions:?}");
    for event in audit::history(app.db.pool(), Entity::Account, account).await.unwrap() {
        assert!(!event.after.contains(password), "the password is never journaled");
    }

    // Every bad input is named, and creates nothing.
    let rennes = rennes_staff(&app).await;
    let before = members_snapshot(&app).await;
    let accounts = app.count("SELECT COUNT(*) FROM accounts").await;
    let cases: [(&common::Browser, [&str; 4], &str); 7] = [
        (&staff, ["4400030C", "Paul Roux", "", ""], "N° d'adhérent invalide"),
        (&staff, ["44000301C", "  ", "", ""], "Indiquez le nom de l'adhérent."),
        (&staff, ["44000301C", "Paul Roux", "paul@", ""], "Adresse e-mail invalide : « paul@ »"),
        (&staff, ["44000301C", "Paul Roux", "", "31/02/2027"], "Cotisation à jour jusqu'au : Date invalide"),
        (&staff, ["44000300C", "Paul Roux", "", ""], "L'adhérent n° 44000300C existe déjà"),
        (&rennes, [PAID_UP, "Paul Roux", "", ""], "celui d'un adhérent d'une autre agence"),
        (&staff, ["ouest", "Paul Roux", "", ""], "N° d'adhérent invalide"),
    ];
    for (who, [number, name, email, fee], expected) in cases {
        let page = who.create_member(number, name, email, fee).await;
        let error = page.error().unwrap_or_default();
        assert!(error.contains(expected), "{number} {name} {email} {fee}: {error:?}");
        assert_eq!(
            page.location.as_deref(),
            Some("/agence/adherents/nouveau"),
            "back on the form, no error in the address"
        );
    }
    assert_eq!(members_snapshot(&app).await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, accounts);

    // An administrator names the agency; without one, the form says so.
    let admin = app.logged_in(ADMIN).await;
    let (status, json) = admin
        .call(
            "create_member",
            &[("number", "44000302C"), ("name", "Lou Lenoir"), ("email", ""), ("fee_paid_until", "")],
        )
        .await;
    assert_eq!((status, message(&json)), (StatusCode::UNPROCESSABLE_ENTITY, "Choisissez l'agence.".to_owned()));
    let (status, json) = admin
        .call(
            "create_member",
            &[("agency", "RE"), ("number", "44000302C"), ("name", "Lou Lenoir"), ("email", ""), ("fee_paid_until", "")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let agency: String = sqlx::query_scalar(
        "SELECT a.code FROM members m JOIN agencies a ON a.id = m.agency_id WHERE m.number = '44000302C'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(agency, "RE");
}

#[tokio::test]
async fn staff_edit_deactivate_reactivate_and_reset_a_member() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let phone = app.logged_in(PAID_UP).await;
    let (voucher, number, _) = used_voucher(&app, &phone, "42").await;
    let page = format!("/agence/adherents/{PAID_UP}");

    // The member's page: their data and their vouchers, each opening its page.
    let file = staff.get(&page).await;
    assert!(file.contains("Camille Martin") && file.contains(&number));
    assert!(file.contains(&format!("href=\"/agence/bons/{voucher}\"")));

    // Edit: the fee lapses, so the member gets no voucher any more.
    let edited = staff
        .submit(
            &page,
            "/api/update_member",
            &[
                ("number", PAID_UP),
                ("name", "Camille Martin-Durand"),
                ("email", "camille@exemple.fr"),
                ("fee_paid_until", "01/01/2020"),
            ],
        )
        .await;
    assert_eq!(edited.location.as_deref(), Some(page.as_str()));
    assert!(edited.contains("Camille Martin-Durand") && edited.contains("pas à jour (jusqu'au 01/01/2020)"));
    let (status, _) =
        phone.call("request_voucher", &[("supplier_id", &app.supplier_id(OUEST).await), ("amount", "10")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not paid up");
    let bad = staff
        .submit(
            &page,
            "/api/update_member",
            &[("number", PAID_UP), ("name", ""), ("email", ""), ("fee_paid_until", "")],
        )
        .await;
    assert_eq!(bad.error().as_deref(), Some("Indiquez le nom de l'adhérent."));
    staff
        .submit(
            &page,
            "/api/update_member",
            &[("number", PAID_UP), ("name", "Camille Martin"), ("email", ""), ("fee_paid_until", &next_year_end())],
        )
        .await;

    // Deactivated: the open session and new logins are refused.
    let off = staff.submit(&page, "/api/set_member_active", &[("number", PAID_UP), ("active", "0")]).await;
    assert!(off.contains("Adhérent désactivé"), "{:?}", off.error());
    assert_eq!(phone.call("whoami", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        phone.call("request_voucher", &[("supplier_id", &app.supplier_id(OUEST).await), ("amount", "10")]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login_status(&app, PAID_UP, PASSWORD).await, StatusCode::UNAUTHORIZED);
    // Reactivated: the member logs in again (the session ended with the deactivation stays ended).
    staff.submit(&page, "/api/set_member_active", &[("number", PAID_UP), ("active", "1")]).await;
    assert_eq!(phone.call("whoami", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login_status(&app, PAID_UP, PASSWORD).await, StatusCode::OK);

    // Without an email address there is no invitation to send: staff print
    // an activation letter, whose code opens the page where Camille chooses
    // a new password; the old one stops working.
    let file = staff.get(&page).await;
    assert!(!file.contains("Renvoyer l'invitation") && file.contains("Imprimer une lettre d'activation"));
    let code = common::activation_letter(&staff, &page, PAID_UP).await;
    assert!(staff.get(&page).await.contains("Lettre d'activation imprimée le"));
    let link = common::activate(&app.browser(), "44000123b", &code).await;
    let password = "une grue jaune dans la pluie";
    common::choose_password(&app.browser(), &link, password).await;
    assert_eq!(login_status(&app, PAID_UP, PASSWORD).await, StatusCode::UNAUTHORIZED);
    assert_eq!(login_status(&app, PAID_UP, password).await, StatusCode::OK);

    let id = member_id(&app, PAID_UP).await;
    let actions = journal_actions(&app, Entity::Member, id).await;
    assert_eq!(actions[1..], ["update", "update", "deactivate", "reactivate"], "{actions:?}");
    let update = audit::history(app.db.pool(), Entity::Member, id).await.unwrap().remove(1);
    let (before, after): (Value, Value) =
        (serde_json::from_str(&update.before).unwrap(), serde_json::from_str(&update.after).unwrap());
    assert_eq!(before["name"], "Camille Martin");
    assert_eq!(after["fee_paid_until"], "2020-01-01");
    let history = staff.get(&page).await;
    assert!(history.contains("Désactivation") && history.contains("Lettre d'activation imprimée"));
    assert!(history.contains("Mot de passe choisi (invitation ou lettre d'activation)"), "the login's events too");
}

#[tokio::test]
async fn members_are_found_by_number_or_name_within_the_agency() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let found = staff.get("/agence/adherents?q=martin").await;
    assert!(found.body.contains(r#"value="martin""#), "the search box keeps what was typed");
    assert!(found.contains("Camille Martin") && !found.contains("Dominique Bernard"));
    let found = staff.get("/agence/adherents?q=44000124").await;
    assert!(found.contains("Dominique Bernard") && !found.contains("Camille Martin"));
    assert!(found.contains("(pas à jour)"), "the fee status shows");
    assert!(staff.get("/agence/adherents?q=zzz").await.contains("Aucun adhérent ne correspond."));
    // A % typed is a character, not a wildcard.
    assert!(staff.get("/agence/adherents?q=%25").await.contains("Aucun adhérent ne correspond."));
    let (status, list) = staff.call("agency_members", &[("q", "MARTIN")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["rows"].as_array().unwrap().len(), 1);

    // Staff of another agency see their own members only; an administrator all.
    let rennes = rennes_staff(&app).await;
    let (_, list) = rennes.call("agency_members", &[("q", "")]).await;
    assert_eq!(list["rows"], Value::Array(vec![]));
    assert!(!rennes.get("/agence/adherents").await.contains("Camille"));
    let admin = app.logged_in(ADMIN).await;
    let (_, list) = admin.call("agency_members", &[("q", "")]).await;
    assert_eq!(list["rows"].as_array().unwrap().len(), 2);
    let (_, list) = admin.call("agency_members", &[("q", ""), ("agency", "RE")]).await;
    assert_eq!(list["rows"], Value::Array(vec![]));
}

const IMPORT: &str = "\u{feff}N° d'adhérent;Nom;Email;Cotisation à jour jusqu'au
44000400A;Alice Morel;alice@exemple.fr;31/12/2099
44000123B;Camille Martin;camille@exemple.fr;
44000124B;Dominique Bernard;;
4400040A;Bruno Lefèvre;;
44000401A;;;
44000402A;Chloé Faure;chloe@;
44000403A;Denis Roux;;31/02/2027
44000400A;Alice Morel;;
44000900R;Intrus;;
;;;
";

#[tokio::test]
async fn a_csv_import_reports_every_line_and_importing_it_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let rennes = rennes_staff(&app).await;
    rennes.create_member("44000900R", "Renée Dupuis", "", "").await;
    let staff = app.logged_in(NANTES_STAFF).await;

    let (location, report) = staff.import_members("adhérents.csv", IMPORT).await;
    assert!(location.starts_with("/agence/adherents/import?rapport="), "{location}");
    assert!(report.contains("adhérents.csv") && report.contains(NANTES_STAFF));
    assert_eq!(
        report.text_of("class=\"import-counts\"").as_deref(),
        Some("1 créé(s), 1 mis à jour, 1 inchangé(s), 6 refusé(s)")
    );
    let lines = report_lines(&report);
    let expected: [(i64, &str, &str, &str); 9] = [
        (5, "4400040A", "refused", "N° d'adhérent invalide"),
        (6, "44000401A", "refused", "Indiquez le nom de l'adhérent."),
        (7, "44000402A", "refused", "Adresse e-mail invalide : « chloe@ »"),
        (8, "44000403A", "refused", "Cotisation à jour jusqu'au : Date invalide : « 31/02/2027 »"),
        (9, "44000400A", "refused", "figure déjà ligne 2 du fichier"),
        (10, "44000900R", "refused", "celui d'un adhérent d'une autre agence"),
        (2, "44000400A", "created", "Adhérent créé"),
        (3, "44000123B", "updated", "Modifié : e-mail."),
        (4, "44000124B", "unchanged", "Déjà à jour."),
    ];
    assert_eq!(lines.len(), expected.len(), "{lines:?}");
    for ((line, number, outcome, detail), expected) in lines.iter().zip(expected) {
        assert_eq!((*line, number.as_str(), outcome.as_str()), (expected.0, expected.1, expected.2));
        assert!(detail.contains(expected.3), "line {line}: {detail:?}");
    }

    // Done: Alice exists with her login, Camille's email is set, nothing else.
    let alice: (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT name, email, fee_paid_until FROM members WHERE number = '44000400A'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(alice, ("Alice Morel".into(), Some("alice@exemple.fr".into()), Some("2099-12-31".into())));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE login = '44000400A' AND role = 'member'").await, 1);
    let camille: Option<String> = app.value_of("SELECT email FROM members WHERE number = $1", PAID_UP).await;
    assert_eq!(camille.as_deref(), Some("camille@exemple.fr"));
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 4, "2 demo + Rennes' + Alice");
    // Her login has no password until she chooses one from the invitation
    // sent to her address (after the import's answer).
    assert_eq!(login_status(&app, "44000400A", PASSWORD).await, StatusCode::UNAUTHORIZED);
    let link = common::link_in(&common::nth_mail(&app, "alice@exemple.fr", 1, &[]).await);
    common::choose_password(&app.browser(), &link, "alice aime les tuiles rouges").await;
    assert_eq!(login_status(&app, "44000400A", "alice aime les tuiles rouges").await, StatusCode::OK);
    assert!(common::mails_to(&app, "camille@exemple.fr").is_empty(), "only new members are invited");

    // The report stays readable, and is listed; not by another agency.
    let later = staff.get(&location).await;
    assert_eq!(report_lines(&later), lines);
    assert!(staff.get("/agence/adherents/import").await.contains(&location.replace("/agence/adherents/import", "")));
    let elsewhere = rennes.get(&location).await;
    assert_eq!(elsewhere.error().as_deref(), Some("Import introuvable."));
    assert!(!elsewhere.contains("Alice"));

    // The same file again: every line unchanged or refused, nothing written.
    let before = members_snapshot(&app).await;
    let events = app.count("SELECT COUNT(*) FROM audit_events").await;
    let (_, again) = staff.import_members("adhérents.csv", IMPORT).await;
    assert_eq!(
        again.text_of("class=\"import-counts\"").as_deref(),
        Some("0 créé(s), 0 mis à jour, 3 inchangé(s), 6 refusé(s)")
    );
    assert_eq!(members_snapshot(&app).await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events").await, events, "nothing journaled: nothing changed");

    // Commas, quotes, no byte-order mark, columns in another order.
    let (_, commas) = staff.import_members("b.csv", "Nom,N° d'adhérent\r\n\"Roux, Élise\",44000410a\r\n").await;
    assert_eq!(
        commas.text_of("class=\"import-counts\"").as_deref(),
        Some("1 créé(s), 0 mis à jour, 0 inchangé(s), 0 refusé(s)")
    );
    let name: String = sqlx::query_scalar("SELECT name FROM members WHERE number = '44000410A'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(name, "Roux, Élise");

    // A file saved in Latin-1, or without the right header, is refused whole.
    let before = members_snapshot(&app).await;
    let res = staff.upload_members("latin1.csv", b"N\xB0 d'adh\xE9rent;Nom\n44000420A;Zo\xE9\n".to_vec(), None).await;
    let refused = staff.get(res.headers()[header::LOCATION].to_str().unwrap()).await;
    assert!(refused.contains("n'est pas enregistré en UTF-8"), "{}", refused.body);
    let (_, no_header) = staff.import_members("x.csv", "44000421A;Zoé\n").await;
    assert!(no_header.contains("La colonne « N° d'adhérent » manque"));
    assert_eq!(members_snapshot(&app).await, before);

    // The template: the header row, in UTF-8 with its mark.
    let res = staff.client.get(format!("{}/agence/adherents/import/modele.csv", staff.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        "\u{feff}N° d'adhérent;Nom;Email;Cotisation à jour jusqu'au\r\n".as_bytes()
    );

    // An administrator must say which agency; no file at all is named too.
    let admin = app.logged_in(ADMIN).await;
    let res = admin.upload_members("a.csv", IMPORT.as_bytes().to_vec(), None).await;
    let back = admin.get(res.headers()[header::LOCATION].to_str().unwrap()).await;
    assert_eq!(back.error().as_deref(), Some("Choisissez l'agence des adhérents importés."));
    let res = staff.upload_members("", Vec::new(), None).await;
    let back = staff.get(res.headers()[header::LOCATION].to_str().unwrap()).await;
    assert!(back.error().unwrap_or_default().starts_with("Aucun fichier reçu"));
    // Members cannot send files; a visitor is sent to log in.
    let phone = app.logged_in(PAID_UP).await;
    assert_eq!(phone.upload_members("a.csv", IMPORT.as_bytes().to_vec(), None).await.status(), StatusCode::FORBIDDEN);
    let visitor = app.browser().upload_members("a.csv", IMPORT.as_bytes().to_vec(), None).await;
    assert_eq!(
        (visitor.status(), visitor.headers()[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/connexion")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM member_imports").await,
        5,
        "three files read, two refused whole; the rest never reached an import"
    );
    assert_eq!(members_snapshot(&app).await, before);
}

#[tokio::test]
async fn suppliers_get_checked_siret_and_bank_details_and_their_own_logins() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let form = |name: &'static str, siret: &'static str, iban: &'static str, bic: &'static str, email: &'static str| {
        [
            ("name", name),
            ("siret", siret),
            ("contact_name", "Jean Poste"),
            ("email", email),
            ("phone", "02 40 00 00 00"),
            ("address", "1 rue du Port\n44000 Nantes"),
            ("iban", iban),
            ("bic", bic),
        ]
    };
    let iban = "fr76 3000 4000 0312 3456 7890 143";
    let suppliers = app.count("SELECT COUNT(*) FROM suppliers").await;
    let refusals = [
        (form("Poste", "35600000001231", iban, "", ""), "SIRET invalide : sa clé de contrôle ne correspond pas."),
        (form("Poste", "4429081230001", iban, "", ""), "Le SIRET compte 14 chiffres"),
        (
            form("Poste", "35600000001230", "FR7630004000031234567890144", "", ""),
            "IBAN invalide : ses chiffres de contrôle",
        ),
        (
            form("Poste", "35600000001230", "FR763000400003123456789014", "", ""),
            "Un IBAN FR compte 27 caractères ; celui-ci en compte 26.",
        ),
        (form("Poste", "35600000001230", iban, "BNPAFRP", ""), "BIC invalide"),
        (form("Poste", "35600000001230", iban, "", "poste@"), "Adresse e-mail invalide"),
        (form("Poste", "442 908 123 00015", iban, "", ""), "est déjà celui du fournisseur « Matériaux de l'Ouest »"),
        (form("matériaux de l'ouest", "35600000001230", iban, "", ""), "s'appelle déjà « Matériaux de l'Ouest »"),
        (form("", "35600000001230", iban, "", ""), "Indiquez le nom du fournisseur."),
    ];
    for (fields, expected) in refusals {
        let page = staff.submit("/agence/fournisseurs/nouveau", "/api/create_supplier", &fields).await;
        let error = page.error().unwrap_or_default();
        assert!(error.contains(expected), "{fields:?}: {error:?}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM suppliers").await, suppliers, "nothing created");

    // La Poste's establishments: digit sum divisible by five, not Luhn.
    let page = staff
        .submit(
            "/agence/fournisseurs/nouveau",
            "/api/create_supplier",
            &form("La Poste Nantes", "356 000 000 01230", iban, "psstfrppnte", ""),
        )
        .await;
    let location = page.location.clone().unwrap();
    assert!(location.starts_with("/agence/fournisseurs/"), "{location}: {:?}", page.error());
    assert_eq!(page.text_of("class=\"siret\"").as_deref(), Some("356 000 000 01230"));
    assert_eq!(page.text_of("class=\"iban\"").as_deref(), Some("FR76 3000 4000 0312 3456 7890 143"));
    assert!(page.contains("PSSTFRPPNTE"));
    let id: i64 = location.trim_start_matches("/agence/fournisseurs/").parse().unwrap();
    let stored: (String, String) = sqlx::query_as("SELECT siret, iban FROM suppliers WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, ("35600000001230".into(), "FR7630004000031234567890143".into()));

    // Edited: the change is journaled field by field.
    let mut fields = form("La Poste Nantes", "35600000001230", iban, "", "");
    fields[4] = ("phone", "+33 2 40 99 99 99");
    let edited = staff
        .submit(&location, "/api/update_supplier", &[&[("id", id.to_string().as_str())][..], &fields[..]].concat())
        .await;
    assert!(edited.contains("+33 2 40 99 99 99"), "{:?}", edited.error());
    let events = audit::history(app.db.pool(), Entity::Supplier, id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["create", "update"]);
    assert_eq!(events[1].after, r#"{"bic":null,"phone":"+33 2 40 99 99 99"}"#);

    // A login for its counter: an invitation to the supplier's address, or
    // a letter to print without one.
    let with_login = staff
        .submit(&location, "/api/create_supplier_login", &[("id", &id.to_string()), ("login", "Poste.Comptoir")])
        .await;
    let invited = with_login.location.as_deref().unwrap_or_default();
    let email: Option<String> = app.value_of("SELECT email FROM suppliers WHERE id = $1", id).await;
    let password = "copeaux de chene sous l'etabli";
    let link = match email {
        Some(email) => {
            assert!(invited.ends_with("?identifiant=invitation"), "{invited}");
            common::link_in(&common::nth_mail(&app, &email, 1, &[]).await)
        }
        None => {
            assert!(invited.ends_with("?identifiant=lettre"), "{invited}");
            let code = common::activation_letter(&staff, &location, "poste.comptoir").await;
            common::activate(&app.browser(), "Poste.Comptoir", &code).await
        }
    };
    assert!(with_login.contains("poste.comptoir"));
    common::choose_password(&app.browser(), &link, password).await;
    assert_eq!(lands_on(&app, "poste.comptoir", password).await.as_deref(), Some("/fournisseur"));
    let taken =
        staff.submit(&location, "/api/create_supplier_login", &[("id", &id.to_string()), ("login", "ouest")]).await;
    assert_eq!(taken.error().as_deref(), Some("L'identifiant « ouest » est déjà pris : choisissez-en un autre."));
    let bad =
        staff.submit(&location, "/api/create_supplier_login", &[("id", &id.to_string()), ("login", "44000123B")]).await;
    assert!(bad.error().unwrap_or_default().starts_with("L'identifiant compte 3 à 40 caractères"));

    // Deactivating the login shuts it out.
    let counter = app.browser();
    counter.login("poste.comptoir", password).await;
    staff.submit(&location, "/api/set_supplier_login_active", &[("login", "poste.comptoir"), ("active", "0")]).await;
    assert_eq!(login_status(&app, "poste.comptoir", password).await, StatusCode::UNAUTHORIZED);
    assert_eq!(counter.call("whoami", &[]).await.0, StatusCode::UNAUTHORIZED, "its session is over");

    // Deactivating the supplier: members no longer see it; reactivating brings it back.
    let phone = app.logged_in(PAID_UP).await;
    assert!(phone.get("/bons/nouveau").await.contains("La Poste Nantes"));
    staff.submit(&location, "/api/set_supplier_active", &[("id", &id.to_string()), ("active", "0")]).await;
    assert!(!phone.get("/bons/nouveau").await.contains("La Poste Nantes"));
    let (status, json) = phone.call("request_voucher", &[("supplier_id", &id.to_string()), ("amount", "10")]).await;
    assert_eq!(
        (status, message(&json)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Ce fournisseur n'est pas (ou plus) partenaire : choisissez-en un autre dans la liste.".to_owned()
        )
    );
    let ouest_id = app.supplier_id(OUEST).await;
    staff.submit("/agence/fournisseurs", "/api/set_supplier_active", &[("id", &ouest_id), ("active", "0")]).await;
    assert_eq!(app.count("SELECT active FROM suppliers WHERE name = 'Matériaux de l''Ouest'").await, 0);
    assert!(staff.get("/agence/fournisseurs").await.contains("inactif"));
    staff.submit("/agence/fournisseurs", "/api/set_supplier_active", &[("id", &ouest_id), ("active", "1")]).await;
    staff.submit(&location, "/api/set_supplier_active", &[("id", &id.to_string()), ("active", "1")]).await;
    assert!(phone.get("/bons/nouveau").await.contains("La Poste Nantes"));
    let actions = journal_actions(&app, Entity::Supplier, id).await;
    assert_eq!(actions, ["create", "update", "add_login", "deactivate", "deactivate", "activate"], "{actions:?}");
}

#[tokio::test]
async fn agency_settings_shape_the_next_vouchers_and_codes_stay_unique() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let phone = app.logged_in(PAID_UP).await;
    let (_, first, _) = used_voucher(&app, &phone, "42").await;
    assert_eq!(sequence_of(&first), 1);

    let settings =
        |code: &'static str, centre: &'static str, days: &'static str, max: &'static str, length: &'static str| {
            vec![
                ("code", code),
                ("centre_code", centre),
                ("validity_days", days),
                ("max_voucher", max),
                ("code_length", length),
            ]
        };
    let page = staff.get("/agence/parametres").await;
    assert!(page.contains("s'applique aux bons utilisés à partir de maintenant"));
    let saved =
        staff.submit("/agence/parametres", "/api/save_agency_settings", &settings("nb", "443", "10", "500", "6")).await;
    assert!(saved.contains("Paramètres enregistrés."), "{:?}", saved.error());
    assert_eq!(saved.location.as_deref(), Some("/agence/parametres?agence=NB&enregistre=1"));

    // The member's next voucher follows them: maximum, validity, number, code length.
    let ouest = app.supplier_id(OUEST).await;
    let (status, json) = phone.call("request_voucher", &[("supplier_id", &ouest), ("amount", "600")]).await;
    assert_eq!(
        (status, message(&json)),
        (StatusCode::UNPROCESSABLE_ENTITY, "Le montant ne peut pas dépasser 500\u{a0}€ par bon.".to_owned())
    );
    let (id, number, code) = used_voucher(&app, &phone, "42").await;
    let parsed: app::domain::VoucherNumber = number.parse().unwrap();
    assert_eq!((parsed.agency_code(), parsed.centre_code(), parsed.sequence()), ("NB", "443", 2), "the series goes on");
    assert_eq!(code.len(), 6);
    let valid_until: String = app.value_of("SELECT valid_until FROM vouchers WHERE id = $1", id).await;
    let today = app::server::clock::paris_date(Utc::now());
    assert_eq!(valid_until, app::server::clock::iso_day(today + chrono::Days::new(9)), "10 days, today included");
    // The voucher used before keeps its number and code.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM vouchers WHERE number = '{first}'")).await, 1);

    // Each bad value is named and changes nothing.
    let stored = || async {
        sqlx::query_as::<_, (String, String, i64, i64, i64)>(
            "SELECT code, centre_code, validity_days, max_voucher_cents, code_length FROM agencies WHERE code = 'NB'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap()
    };
    let before = stored().await;
    for (fields, expected) in [
        (settings("N", "443", "10", "500", "6"), "Le code agence compte deux caractères"),
        (settings("NB", "44", "10", "500", "6"), "Le code centre compte trois chiffres"),
        (settings("NB", "443", "0", "500", "6"), "La durée de validité est un nombre de jours entre 1 et 366."),
        (settings("NB", "443", "10", "12,50", "6"), "Le montant maximum d'un bon est un nombre entier d'euros"),
        (settings("NB", "443", "10", "500", "9"), "La longueur du code secret doit être comprise entre 4 et 8"),
    ] {
        let page = staff.submit("/agence/parametres", "/api/save_agency_settings", &fields).await;
        assert!(page.error().unwrap_or_default().contains(expected), "{fields:?}: {:?}", page.error());
    }
    assert_eq!(stored().await, before);

    // Codes are unique; a code another agency numbered vouchers with is retired.
    let admin = app.logged_in(ADMIN).await;
    let created = admin
        .submit(
            "/agence/parametres",
            "/api/create_agency",
            &[&[("name", "Angers")][..], &settings("AN", "449", "30", "3000", "4")[..]].concat(),
        )
        .await;
    assert_eq!(created.location.as_deref(), Some("/agence/parametres?agence=AN&enregistre=1"), "{:?}", created.error());
    let clash =
        staff.submit("/agence/parametres", "/api/save_agency_settings", &settings("AN", "443", "10", "500", "6")).await;
    assert_eq!(
        clash.error().as_deref(),
        Some("Le code AN est déjà celui de l'agence Angers : chaque agence a son propre code.")
    );
    let retired = admin
        .submit(
            "/agence/parametres?agence=AN",
            "/api/save_agency_settings",
            &[&[("agency", "AN")][..], &settings("NA", "449", "30", "3000", "4")[..]].concat(),
        )
        .await;
    assert_eq!(
        retired.error().as_deref(),
        Some("Le code NA figure dans les numéros de bons d'une autre agence : il ne peut plus être attribué.")
    );
    let (status, json) = staff
        .call("create_agency", &[&[("name", "Brest")][..], &settings("BR", "290", "30", "3000", "4")[..]].concat())
        .await;
    assert_eq!(
        (status, message(&json)),
        (StatusCode::FORBIDDEN, "Réservé aux administrateurs de la coopérative.".to_owned())
    );
    let rennes = rennes_staff(&app).await;
    let (status, _) = rennes
        .call("save_agency_settings", &[&[("agency", "NB")][..], &settings("NB", "443", "10", "500", "4")[..]].concat())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not their agency");
    assert_eq!(stored().await, before);

    let nantes: i64 = app.count("SELECT id FROM agencies WHERE code = 'NB'").await;
    let event = audit::history(app.db.pool(), Entity::Agency, nantes).await.unwrap().pop().unwrap();
    assert_eq!((event.action.as_str(), event.actor.as_str()), ("settings", NANTES_STAFF));
    assert_eq!(
        event.before,
        r#"{"centre_code":"442","code":"NA","code_length":4,"max_voucher_cents":300000,"validity_days":30}"#
    );
}

#[tokio::test]
async fn staff_find_vouchers_read_their_history_and_unlock_them() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let phone = app.logged_in(PAID_UP).await;
    let (used, number, code) = used_voucher(&app, &phone, "42").await;
    let (_, other_number, _) = used_voucher_at(&app, &phone, "Bois & Charpente 44", "30").await;
    let issued = phone.request_voucher_json(&app.supplier_id(OUEST).await, "20").await;

    let ids =
        |json: &Value| json["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let (_, by_number) = staff.call("agency_vouchers", &[("q", &number.to_lowercase())]).await;
    assert_eq!(ids(&by_number), [used]);
    let (_, by_member) = staff.call("agency_vouchers", &[("q", PAID_UP)]).await;
    assert_eq!(ids(&by_member).len(), 3);
    let (_, by_name) = staff.call("agency_vouchers", &[("q", "camille")]).await;
    assert_eq!(ids(&by_name).len(), 3);
    let (_, issued_only) = staff.call("agency_vouchers", &[("q", ""), ("status", "1")]).await;
    assert_eq!(ids(&issued_only), [issued]);
    let (status, json) = staff.call("agency_vouchers", &[("q", ""), ("status", "7")]).await;
    assert_eq!(
        (status, message(&json)),
        (StatusCode::UNPROCESSABLE_ENTITY, "Choisissez un statut dans la liste.".to_owned())
    );
    let list = staff.get("/agence/bons?statut=11").await;
    assert!(list.contains(&number) && list.contains(&other_number));
    assert!(!list.contains(&format!("href=\"/agence/bons/{issued}\"")), "the issued voucher is filtered out");

    // Five wrong codes from its supplier lock it: its page and the dashboard say so, and unlock it.
    let counter = app.logged_in("ouest").await;
    for _ in 0..5 {
        counter.call("check_code", &[("number", &number), ("code", &wrong(&code))]).await;
    }
    let page = staff.get(&format!("/agence/bons/{used}")).await;
    assert!(page.contains("Bon bloqué") && page.contains("Camille Martin") && page.contains(OUEST));
    assert!(
        page.contains("Demande du bon")
            && page.contains("Utilisation (numéro et code secret)")
            && page.contains("Bloqué après des codes erronés")
    );
    assert!(staff.get("/agence").await.contains(&format!("href=\"/agence/bons/{used}\"")));
    let after = staff.submit("/agence", "/api/unlock_voucher", &[("id", &used.to_string())]).await;
    assert!(after.location.as_deref().unwrap_or_default().starts_with("/agence"), "back on the dashboard");
    assert!(after.contains("Aucun bon bloqué."));
    assert!(staff.get(&format!("/agence/bons/{used}")).await.contains("Débloqué"));
    assert_eq!(counter.call("check_code", &[("number", &number), ("code", &code)]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn undoing_a_use_keeps_the_number_consumed_and_is_refused_once_invoiced() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let phone = app.logged_in(PAID_UP).await;
    let (v1, n1, c1) = used_voucher(&app, &phone, "42").await;
    let (v2, n2, c2) = used_voucher(&app, &phone, "30").await;
    let page = format!("/agence/bons/{v1}");
    assert!(staff.get(&page).await.contains("Annuler l'utilisation"));

    // A reason is required; without it nothing changes.
    let refused = staff.submit(&page, "/api/undo_voucher_use", &[("id", &v1.to_string()), ("reason", "  ")]).await;
    assert_eq!(
        refused.error().as_deref(),
        Some("Indiquez le motif de l'annulation : il est conservé au journal avec votre nom.")
    );
    assert_eq!(app.voucher_row(v1).await.0, 11);

    let undone = staff
        .submit(&page, "/api/undo_voucher_use", &[("id", &v1.to_string()), ("reason", "Utilisé au mauvais comptoir")])
        .await;
    assert_eq!(undone.location.as_deref(), Some(page.as_str()));
    assert!(undone.contains("91-annulé (utilisation annulée)") && undone.contains("ne sera jamais réutilisé"));
    assert!(!undone.contains("Annuler l'utilisation de ce bon"), "done once");
    let (status, number, _) = app.voucher_row(v1).await;
    assert_eq!((status, number.as_deref()), (91, Some(n1.as_str())), "91-annulé, its number kept");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM vouchers WHERE id = {v1} AND use_cancelled_at IS NOT NULL")).await,
        1
    );
    let event = audit::history(app.db.pool(), Entity::Voucher, v1).await.unwrap().pop().unwrap();
    assert_eq!((event.action.as_str(), event.actor.as_str()), ("undo_use", NANTES_STAFF));
    let (before, after): (Value, Value) =
        (serde_json::from_str(&event.before).unwrap(), serde_json::from_str(&event.after).unwrap());
    assert_eq!((before["status"].as_str(), before["number"].as_str()), (Some("11-livré"), Some(n1.as_str())));
    assert_eq!(
        (after["status"].as_str(), after["reason"].as_str()),
        (Some("91-annulé"), Some("Utilisé au mauvais comptoir"))
    );

    // The number is never given again: the next use takes the next one.
    assert_eq!(app.count("SELECT last_sequence FROM number_series").await, 2);
    let (_, n3, _) = used_voucher(&app, &phone, "10").await;
    assert_eq!(sequence_of(&n3), 3);

    // Listed as cancelled everywhere; the member's screens say why, with no code.
    let found = staff.get(&format!("/agence/bons?q={n1}")).await;
    assert!(found.contains("91-annulé (utilisation annulée)"));
    assert!(found.body.contains(&format!(r#"value="{n1}""#)), "the search box keeps the number searched");
    let list = phone.get("/bons").await;
    assert!(list.contains(&n1) && list.contains("91-annulé"));
    let card = phone.get(&format!("/bons/{v1}")).await;
    assert!(card.contains("a été annulée par votre agence") && card.contains(&n1), "{}", card.body);
    assert!(!card.contains(&format!(">{c1}<")) && !card.contains("<svg"), "no code, no QR code");
    let code_page = phone.get(&format!("/bons/{v1}/code")).await;
    assert!(code_page.contains("a été annulée par votre agence") && !code_page.contains("VALIDER LE BON"));
    // Whoever checks the delivery slip's number and code learns it will not be paid.
    let counter = app.browser();
    let checked = counter.submit("/verifier", "/api/check_code", &[("number", &n1), ("code", &c1)]).await;
    let checked = counter.get(checked.location.as_deref().expect("to the check's answer")).await;
    assert!(checked.contains("Bon annulé") && checked.contains("il ne sera pas payé"), "{}", checked.body);
    assert!(!checked.contains("Bon authentique"));
    assert!(
        phone
            .get(&format!("/bons/{v1}/utiliser"))
            .await
            .contains("Ce bon ne peut plus être utilisé (statut 91-annulé).")
    );
    assert_eq!(phone.call("validate_voucher", &[("id", &v1.to_string())]).await.0, StatusCode::CONFLICT);
    assert_eq!(phone.call("use_voucher", &[("id", &v1.to_string())]).await.0, StatusCode::CONFLICT);
    let (status, json) = staff.call("undo_voucher_use", &[("id", &v1.to_string()), ("reason", "encore")]).await;
    assert_eq!(
        (status, message(&json)),
        (
            StatusCode::CONFLICT,
            "L'utilisation de ce bon ne peut pas être annulée : son utilisation est déjà annulée.".to_owned()
        )
    );

    // Once an invoice claims a voucher, its use can no longer be undone.
    let by = Submitter::user(&app.supplier_user("ouest").await);
    let line = InvoiceLineInput { voucher_number: n2.clone(), code: c2, amount: "30".into() };
    let input = InvoiceInput {
        number: "F-2026-07".into(),
        date: app::server::clock::iso_day(app::server::clock::paris_date(Utc::now())),
        amount: "30".into(),
        lines: vec![line],
    };
    invoices::submit_invoice(&app.state, &by, &input, Utc::now()).await.unwrap();
    assert!(!staff.get(&format!("/agence/bons/{v2}")).await.contains("Annuler l'utilisation de ce bon"));
    let (status, json) = staff.call("undo_voucher_use", &[("id", &v2.to_string()), ("reason", "erreur")]).await;
    assert_eq!((status, message(&json)), (StatusCode::CONFLICT, "Ce bon figure sur la facture n° F-2026-07 du fournisseur (reçue) : son utilisation ne peut plus être annulée.".to_owned()));
    assert_eq!(app.voucher_row(v2).await.0, 11);
    // Nor can an unused voucher's.
    let issued = phone.request_voucher_json(&app.supplier_id(OUEST).await, "5").await;
    let (status, json) = staff.call("undo_voucher_use", &[("id", &issued.to_string()), ("reason", "erreur")]).await;
    assert_eq!(
        (status, message(&json)),
        (StatusCode::CONFLICT, "L'utilisation de ce bon ne peut pas être annulée : il n'a pas été utilisé.".to_owned())
    );
}

#[tokio::test]
async fn the_dashboard_shows_this_months_figures_amounts_due_open_flags_and_locked_vouchers() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let phone = app.logged_in(PAID_UP).await;
    let (_, n1, c1) = used_voucher(&app, &phone, "42").await;
    let (_, n2, c2) = used_voucher(&app, &phone, "30").await;
    phone.request_voucher_json(&app.supplier_id(OUEST).await, "20").await;

    // An accepted invoice for the first voucher (acceptance is the
    // reconciliation's job: set here), a flagged line for the second.
    let by = Submitter::user(&app.supplier_user("ouest").await);
    let today = app::server::clock::iso_day(app::server::clock::paris_date(Utc::now()));
    let invoice = |number: &str, voucher: &str, code: &str, amount: &str| InvoiceInput {
        number: number.into(),
        date: today.clone(),
        amount: amount.into(),
        lines: vec![InvoiceLineInput { voucher_number: voucher.into(), code: code.into(), amount: amount.into() }],
    };
    let accepted =
        invoices::submit_invoice(&app.state, &by, &invoice("F-1", &n1, &c1, "42"), Utc::now()).await.unwrap();
    app.update_row("UPDATE invoices SET status = 'accepted' WHERE id = $1", accepted).await;
    invoices::submit_invoice(&app.state, &by, &invoice("F-2", &n2, &wrong(&c2), "30"), Utc::now()).await.unwrap();
    // Four more wrong codes from its supplier lock the second voucher (the invoice's was the first).
    let counter = app.logged_in("ouest").await;
    for _ in 0..4 {
        counter.call("check_code", &[("number", &n2), ("code", &wrong(&c2))]).await;
    }

    let (status, d) = staff.call("agency_dashboard", &[]).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!((d["issued"]["count"].as_i64(), d["issued"]["amount"].as_i64()), (Some(3), Some(9_200)));
    assert_eq!((d["used"]["count"].as_i64(), d["used"]["amount"].as_i64()), (Some(2), Some(7_200)));
    assert_eq!(d["to_pay"].as_array().unwrap().len(), 1);
    assert_eq!(
        (d["to_pay"][0]["supplier"].as_str(), d["to_pay"][0]["invoices"].as_i64(), d["to_pay"][0]["amount"].as_i64()),
        (Some(OUEST), Some(1), Some(4_200))
    );
    assert_eq!((d["open_flags"].as_i64(), d["invoices_with_flags"].as_i64()), (Some(1), Some(1)));
    let locked = d["locked"].as_array().unwrap();
    assert_eq!(
        (locked.len(), locked[0]["number"].as_str(), locked[0]["wrong_codes"].as_i64()),
        (1, Some(n2.as_str()), Some(5))
    );

    let page = staff.get("/agence").await;
    assert_eq!(page.text_of("class=\"figure-count\"").as_deref(), Some("3"));
    assert_eq!(page.text_of("class=\"amount to-pay-total\"").as_deref(), Some("42\u{a0}€"));
    assert_eq!(page.text_of("class=\"open-flags-count\"").as_deref(), Some("1"));
    assert!(page.contains("href=\"/agence/factures\"") && page.contains(">Débloquer<") && page.contains(&n2));

    // Undoing a use takes it out of "used this month".
    let (v4, _, _) = used_voucher(&app, &phone, "10").await;
    let (_, d) = staff.call("agency_dashboard", &[]).await;
    assert_eq!((d["used"]["count"].as_i64(), d["used"]["amount"].as_i64()), (Some(3), Some(8_200)));
    let (status, json) = staff.call("undo_voucher_use", &[("id", &v4.to_string()), ("reason", "erreur")]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (_, d) = staff.call("agency_dashboard", &[]).await;
    assert_eq!((d["used"]["count"].as_i64(), d["used"]["amount"].as_i64()), (Some(2), Some(7_200)));
    assert_eq!(d["issued"]["count"].as_i64(), Some(4), "it was issued this month all the same");

    // Another agency's staff see their own (empty) figures; an administrator sees every agency, or one.
    let rennes = rennes_staff(&app).await;
    let (_, d) = rennes.call("agency_dashboard", &[]).await;
    assert_eq!(
        (d["issued"]["count"].as_i64(), d["to_pay"].as_array().unwrap().len(), d["locked"].as_array().unwrap().len()),
        (Some(0), 0, 0)
    );
    assert!(!rennes.get("/agence").await.contains("Camille"));
    let admin = app.logged_in(ADMIN).await;
    let (_, d) = admin.call("agency_dashboard", &[]).await;
    assert_eq!(d["issued"]["count"].as_i64(), Some(4));
    let (_, d) = admin.call("agency_dashboard", &[("agency", "RE")]).await;
    assert_eq!(d["issued"]["count"].as_i64(), Some(0));
    let page = admin.get("/agence?agence=RE").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.contains(&n2), "Rennes has no locked voucher");
}

#[tokio::test]
async fn staff_of_another_agency_find_nothing_of_nantes_and_change_nothing() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (voucher, number, code) = used_voucher(&app, &phone, "42").await;
    let nantes = app.logged_in(NANTES_STAFF).await;
    let (report, _) = nantes.import_members("a.csv", "N° d'adhérent;Nom\n44000500A;Anne Vidal\n").await;
    let rennes = rennes_staff(&app).await;
    let ouest = app.supplier_id(OUEST).await;
    let voucher_id = voucher.to_string();
    let before = (members_snapshot(&app).await, app.count("SELECT COUNT(*) FROM audit_events").await);

    for path in [
        format!("/agence/adherents/{PAID_UP}"),
        format!("/agence/fournisseurs/{ouest}"),
        format!("/agence/bons/{voucher}"),
        report.clone(),
    ] {
        let page = rennes.get(&path).await;
        let error = page.error().unwrap_or_default();
        assert!(error.ends_with("introuvable."), "{path}: {error:?}");
        for private in ["Camille", PAID_UP, number.as_str(), OUEST, "Anne Vidal"] {
            assert!(!page.contains(private), "{path} shows {private}");
        }
    }
    let calls: [(&str, Vec<(&str, &str)>); 13] = [
        ("agency_member", vec![("number", PAID_UP)]),
        ("update_member", vec![("number", PAID_UP), ("name", "X"), ("email", ""), ("fee_paid_until", "")]),
        ("set_member_active", vec![("number", PAID_UP), ("active", "0")]),
        ("send_invitation", vec![("login", PAID_UP), ("retour", "/agence/adherents")]),
        ("agency_supplier", vec![("id", &ouest)]),
        (
            "update_supplier",
            vec![
                ("id", &ouest),
                ("name", "X"),
                ("siret", "44290812300015"),
                ("contact_name", ""),
                ("email", ""),
                ("phone", ""),
                ("address", ""),
                ("iban", ""),
                ("bic", ""),
            ],
        ),
        ("set_supplier_active", vec![("id", &ouest), ("active", "0")]),
        ("create_supplier_login", vec![("id", &ouest), ("login", "intrus")]),
        ("set_supplier_login_active", vec![("login", "ouest"), ("active", "0")]),
        ("agency_voucher", vec![("id", &voucher_id)]),
        ("undo_voucher_use", vec![("id", &voucher_id), ("reason", "intrus")]),
        ("unlock_voucher", vec![("id", &voucher_id)]),
        ("agency_members", vec![("q", ""), ("agency", "NA")]),
    ];
    for (name, fields) in calls {
        let (status, json) = rennes.call(name, &fields).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}: {json}");
    }
    assert_eq!((members_snapshot(&app).await, app.count("SELECT COUNT(*) FROM audit_events").await), before);
    assert_eq!(app.voucher_row(voucher).await.0, 11);
    assert_eq!(login_status(&app, "ouest", PASSWORD).await, StatusCode::OK);
    assert_eq!(phone.call("check_code", &[("number", &number), ("code", &code)]).await.0, StatusCode::OK);
    // Their own lists are empty of Nantes.
    for path in ["/agence", "/agence/adherents", "/agence/fournisseurs", "/agence/bons", "/agence/adherents/import"] {
        let page = rennes.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.contains("Camille") && !page.contains(OUEST) && !page.contains(&number), "{path}");
    }
}

/// `%00` in a search is a NUL character: it matches no member and no
/// voucher (SQLite read it as the end of the text and matched every row),
/// and the desk is told why; `%` and `_` stay characters, not wildcards.
#[tokio::test]
async fn a_search_for_an_invisible_character_matches_nothing_and_says_why() {
    let (app, phone) = TestApp::spawn_with_member().await;
    used_voucher(&app, &phone, "42").await;
    let staff = app.logged_in(NANTES_STAFF).await;
    for function in ["agency_members", "agency_vouchers"] {
        for typed in ["\0", "martin\0", "\u{1}"] {
            let (status, json) = staff.call(function, &[("q", typed)]).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{function} {typed:?}: {json}");
            assert!(message(&json).contains("caractère invisible"), "{json}");
        }
        for typed in ["%", "_", "\\"] {
            let (status, json) = staff.call(function, &[("q", typed)]).await;
            assert_eq!(status, StatusCode::OK, "{function} {typed:?}: {json}");
            assert_eq!(json["rows"], Value::Array(vec![]), "{function} {typed:?}");
        }
    }
    for page in ["/agence/adherents?q=%00", "/agence/bons?q=%00"] {
        let found = staff.get(page).await;
        assert!(found.contains("caractère invisible"), "{page}: {}", found.body);
        assert!(!found.contains("Camille Martin"), "{page} lists nobody");
    }
}

/// « Équipe »: an administrator opens a back-office account; the person
/// gets an invitation, chooses a password and works in the agency; staff
/// see their agency's team but cannot open or close accounts; closing an
/// account ends its sessions.
#[tokio::test]
async fn an_administrator_opens_a_staff_account_by_invitation_and_closes_it() {
    let app = TestApp::spawn().await;
    let admin = app.logged_in(ADMIN).await;
    let team = admin.get("/agence/equipe").await;
    assert!(team.contains("Nouveau compte") && team.contains(NANTES_STAFF), "{}", team.body);

    let fields = |login: &'static str, email: &'static str, role: &'static str| {
        [("login", login), ("email", email), ("role", role), ("agency", "NA")]
    };
    let bad = admin.submit("/agence/equipe", "/api/create_staff_account", &fields("x", "a@b.fr", "agence")).await;
    assert!(bad.error().unwrap_or_default().contains("3 à 40 caractères"), "{:?}", bad.error());
    let no_mail =
        admin.submit("/agence/equipe", "/api/create_staff_account", &fields("sans.adresse", "", "agence")).await;
    assert_eq!(no_mail.error().as_deref(), Some("Indiquez l'adresse e-mail où envoyer l'invitation."));
    let taken = admin
        .submit("/agence/equipe", "/api/create_staff_account", &fields(NANTES_STAFF, "x@exemple.fr", "agence"))
        .await;
    assert!(taken.error().unwrap_or_default().contains("déjà pris"), "{:?}", taken.error());

    let created = admin
        .submit(
            "/agence/equipe",
            "/api/create_staff_account",
            &fields("claire.nantes", "claire@castors.example", "agence"),
        )
        .await;
    assert_eq!(created.location.as_deref(), Some("/agence/equipe?cree=claire.nantes"));
    assert!(created.contains("Le compte « claire.nantes » est créé"), "{}", created.body);
    assert!(created.contains("Invitation envoyée"), "its access shows: {}", created.body);

    let mail = common::nth_mail(&app, "claire@castors.example", 1, &[]).await;
    assert!(mail.contains("claire.nantes") && !mail.to_lowercase().contains("mot de passe :"), "{mail}");
    let claire = app.browser();
    let password = "une grue bleue sur le quai de la fosse";
    common::choose_password(&claire, &common::link_in(&mail), password).await;
    let claire = app.browser();
    let res = claire.login("claire.nantes", password).await;
    assert_eq!(res.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()), Some("/agence"));
    assert!(claire.get("/agence/adherents").await.contains("Camille Martin"), "an agency's staff member");

    // Staff see their team, without the administrator's forms; Rennes sees
    // none of Nantes.
    let staff = app.logged_in(NANTES_STAFF).await;
    let seen = staff.get("/agence/equipe").await;
    assert!(seen.contains("claire.nantes") && !seen.contains("Nouveau compte") && !seen.contains("Désactiver"));
    let (status, _) =
        staff.call("create_staff_account", &fields("intrus.nantes", "i@exemple.fr", "administrateur")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let rennes = rennes_staff(&app).await;
    assert!(!rennes.get("/agence/equipe").await.contains("claire.nantes"));

    // Closed: her session ends, her password no longer opens anything.
    let closed = admin
        .submit("/agence/equipe", "/api/set_staff_account_active", &[("login", "claire.nantes"), ("active", "0")])
        .await;
    assert_eq!(closed.location.as_deref(), Some("/agence/equipe"));
    assert_eq!(claire.call("whoami", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login_status(&app, "claire.nantes", password).await, StatusCode::UNAUTHORIZED);
    let own =
        admin.submit("/agence/equipe", "/api/set_staff_account_active", &[("login", ADMIN), ("active", "0")]).await;
    assert_eq!(own.error().as_deref(), Some("Vous ne pouvez pas désactiver votre propre compte."));
    let id: i64 = app.value_of("SELECT id FROM accounts WHERE login = $1", "claire.nantes").await;
    let actions = journal_actions(&app, Entity::Account, id).await;
    assert_eq!(actions[..2], ["create", "invite"], "{actions:?}");
    assert_eq!(actions.last().map(String::as_str), Some("deactivate"), "{actions:?}");
}

/// Each back-office form's mistake names the field it is in, so that the
/// page marks that field (`aria-invalid`) and ties the sentence to it.
#[tokio::test]
async fn each_back_office_mistake_names_its_field() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let admin = app.logged_in(ADMIN).await;
    let member = app.logged_in(PAID_UP).await;
    let (voucher, _, _) = used_voucher(&app, &member, "42").await;
    let voucher = voucher.to_string();
    let settings = |code, centre, days, max, length| {
        vec![
            ("agency", "NA"),
            ("code", code),
            ("centre_code", centre),
            ("validity_days", days),
            ("max_voucher", max),
            ("code_length", length),
        ]
    };
    let discount = |code, discount, from, until, uses| {
        vec![("code", code), ("discount", discount), ("valid_from", from), ("valid_until", until), ("max_uses", uses)]
    };
    let prices = |face_values, booklet_size, fee_rate, iban| {
        vec![
            ("face_values", face_values),
            ("booklet_size", booklet_size),
            ("fee_rate", fee_rate),
            ("accompaniment", "0"),
            ("delivery", "0"),
            ("vat_rate", "20"),
            ("iban", iban),
        ]
    };
    let mut new_agency = settings("ZZ", "999", "30", "3000", "4");
    new_agency[0] = ("name", "");
    // Who sends it, the function, its form, and the field the mistake is in.
    type Case<'a> = (&'a common::Browser, &'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (&admin, "save_agency_settings", settings("N-", "442", "30", "3000", "4"), "code"),
        (&admin, "save_agency_settings", settings("NA", "44", "30", "3000", "4"), "centre_code"),
        (&admin, "save_agency_settings", settings("NA", "442", "trente", "3000", "4"), "validity_days"),
        (&admin, "save_agency_settings", settings("NA", "442", "30", "12,50", "4"), "max_voucher"),
        (&admin, "save_agency_settings", settings("NA", "442", "30", "3000", "9"), "code_length"),
        (&admin, "create_agency", new_agency, "name"),
        (&staff, "create_discount_code", discount("A B!", "10 %", "01/12/2026", "31/12/2026", "5"), "code"),
        (&staff, "create_discount_code", discount("NOEL", "beaucoup", "01/12/2026", "31/12/2026", "5"), "discount"),
        (&staff, "create_discount_code", discount("NOEL", "10 %", "demain", "31/12/2026", "5"), "valid_from"),
        (&staff, "create_discount_code", discount("NOEL", "10 %", "31/12/2026", "01/12/2026", "5"), "valid_until"),
        (&staff, "create_discount_code", discount("NOEL", "10 %", "01/12/2026", "31/12/2026", "0"), "max_uses"),
        (&staff, "save_shop_settings", prices("dix", "10", "4", ""), "face_values"),
        (&staff, "save_shop_settings", prices("10, 20", "0", "4", ""), "booklet_size"),
        (&staff, "save_shop_settings", prices("10, 20", "10", "cent", ""), "fee_rate"),
        (&staff, "save_shop_settings", prices("10, 20", "10", "4", "FR76 1234"), "iban"),
        (&staff, "issue_statement", vec![("member", " "), ("from", "2026-11-01"), ("to", "2026-11-30")], "member"),
        (&staff, "issue_statement", vec![("member", PAID_UP), ("from", "hier"), ("to", "2026-11-30")], "from"),
        (&staff, "issue_statement", vec![("member", PAID_UP), ("from", "2026-11-30"), ("to", "2026-11-01")], "to"),
        (&staff, "start_statement_run", vec![("month", "13/2026")], "month"),
        (&staff, "record_siret_state", vec![("siret", "123"), ("state", "A")], "siret"),
        (&staff, "record_siret_state", vec![("siret", "21449001300015"), ("state", "Z")], "state"),
        (&staff, "add_service_code", vec![("id", "1"), ("code", ""), ("label", "Voirie")], "code"),
        (&staff, "add_service_code", vec![("id", "1"), ("code", "ST-44"), ("label", " ")], "label"),
        (&staff, "set_chorus_requirement", vec![("id", "1"), ("requirement", "tout")], "requirement"),
        (&staff, "send_back_invoice", vec![("id", "1"), ("reason", "  ")], "reason"),
        (&staff, "undo_voucher_use", vec![("id", voucher.as_str()), ("reason", "")], "reason"),
    ];
    for (who, function, fields, field) in cases {
        let (status, json) = who.call(function, &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{function} {fields:?}: {json}");
        let error: app::error::AppError = serde_json::from_value(json.clone()).expect("an AppError");
        assert_eq!(error.fields(), [field], "{function} {fields:?}: {json}");
    }
    // Several mistakes at once: every one of their fields is named.
    let seller = [
        ("name", "Castors de l'Ouest"),
        ("siret", "123"),
        ("vat_number", ""),
        ("street", "1 rue des Castors"),
        ("postcode", "440"),
        ("city", ""),
    ];
    let (status, json) = staff.call("save_seller_identity", &seller).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    let error: app::error::AppError = serde_json::from_value(json.clone()).expect("an AppError");
    assert_eq!(error.fields(), ["siret", "postcode", "city"], "{json}");
    assert!(error.to_string().contains("Le code postal compte cinq chiffres.") && error.to_string().contains("ville"));
    assert_eq!(app.voucher_row(voucher.parse().unwrap()).await.0, 11, "nothing changed: still 11-livré");
}
