//! Accounts people recover themselves: « Mot de passe oublié ? », its
//! single-use link, and how hard a new password must be to guess.

use crate::common;

use app::server::audit::{self, Entity};
use app::server::services::accounts::recovery::STALE;
use common::{Browser, PAID_UP, PASSWORD, TestApp, link_in, mails_to, main_of, message, nth_mail};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

const EMAIL: &str = "camille.martin@exemple.fr";
const CHOSEN: &str = "grue jaune sous la pluie d'automne";

/// The test server, trusting X-Forwarded-For: each test picks the address
/// its requests come from, as behind the production reverse proxy.
async fn app_with_email() -> TestApp {
    let app = TestApp::spawn_with(|c| c.trust_proxy = true).await;
    app.update_row_with("UPDATE members SET email = $1 WHERE number = $2", EMAIL, PAID_UP).await;
    app
}

async fn ask(browser: &Browser, identifiant: &str) -> common::Page {
    browser.submit("/mot-de-passe-oublie", "/api/forgot_password", &[("identifiant", identifiant)]).await
}

async fn choose(browser: &Browser, link: &str, new: &str, confirm: &str) -> common::Page {
    let token = link.trim_start_matches("/reinitialiser/");
    browser.submit(link, "/api/choose_password", &[("token", token), ("new", new), ("confirm", confirm)]).await
}

async fn login_call(browser: &Browser, password: &str) -> StatusCode {
    browser.call("login", &[("number", PAID_UP), ("password", password)]).await.0
}

async fn logged_in(browser: &Browser) -> bool {
    browser.call("whoami", &[]).await.0 == StatusCode::OK
}

/// The whole way, without the WASM: the login page's link, the request,
/// the email, the page behind its link, a refused weak password, the new
/// one; every session ends, the old password no longer works, the link
/// works once, the change is journaled and the person told.
#[tokio::test]
async fn a_member_who_forgot_their_password_chooses_a_new_one_from_the_emailed_link() {
    let app = app_with_email().await;
    let laptop = app.browser_from("192.0.2.10");
    laptop.login(PAID_UP, PASSWORD).await;
    assert!(logged_in(&laptop).await);

    let phone = app.browser_from("192.0.2.11");
    let login_page = phone.get("/connexion").await;
    assert!(login_page.contains("href=\"/mot-de-passe-oublie\"") && login_page.contains("Mot de passe oublié ?"));
    let asked = ask(&phone, " 44000123b ").await;
    assert_eq!(asked.location.as_deref(), Some("/mot-de-passe-oublie?envoye=1"));
    assert!(asked.contains("un lien vient d'y être envoyé"), "{}", asked.body);

    let mail = nth_mail(&app, EMAIL, 1, &[]).await;
    assert!(mail.contains(PAID_UP) && mail.contains("dans l'heure"), "{mail}");
    let link = link_in(&mail);
    assert_eq!(link.len(), "/reinitialiser/".len() + 64, "{link}");
    let page = phone.get(&link).await;
    assert!(page.contains("Choisir mon mot de passe") && page.contains(PAID_UP), "{}", page.body);

    // A weak password is refused with zxcvbn's reasons in French; a
    // mismatch is named; neither uses the link.
    let weak = choose(&phone, &link, "motdepasse2026", "motdepasse2026").await;
    let said = weak.error().unwrap_or_default();
    assert!(said.starts_with("Ce mot de passe est trop facile à deviner."), "{said}");
    let mismatch = choose(&phone, &link, CHOSEN, "autre chose encore").await;
    assert!(mismatch.error().unwrap_or_default().contains("différentes"));
    let short = choose(&phone, &link, "court", "court").await;
    assert!(short.error().unwrap_or_default().contains("au moins 10 caractères"));

    let chosen = choose(&phone, &link, CHOSEN, CHOSEN).await;
    assert_eq!(chosen.location.as_deref(), Some(format!("/connexion?nouveau=1&identifiant={PAID_UP}").as_str()));
    assert!(chosen.contains("Votre mot de passe est enregistré"), "{}", chosen.body);
    assert!(chosen.contains(&format!("value=\"{PAID_UP}\"")), "the login typed in");
    assert!(!logged_in(&laptop).await, "every session of the account ended");
    let fresh = app.browser_from("192.0.2.12");
    assert_eq!(login_call(&fresh, PASSWORD).await, StatusCode::UNAUTHORIZED, "the old password no longer works");
    assert_eq!(login_call(&fresh, CHOSEN).await, StatusCode::OK);
    assert!(logged_in(&fresh).await, "the new password opens the account");

    // Once only.
    let again = phone.get(&link).await;
    assert!(again.contains(STALE) && again.contains("Demander un nouveau lien"), "{}", again.body);
    let reused = choose(&phone, &link, "une tout autre phrase de castor", "une tout autre phrase de castor").await;
    assert_eq!(reused.error().as_deref(), Some(STALE));

    let account = app.count(&format!("SELECT id FROM accounts WHERE login = '{PAID_UP}'")).await;
    let event = audit::history(app.db.pool(), Entity::Account, account).await.unwrap().pop().unwrap();
    assert_eq!((event.action.as_str(), event.actor.as_str()), ("reset_password", PAID_UP));
    assert!(!event.after.contains(CHOSEN));
    let notices: Vec<String> = mails_to(&app, EMAIL).into_iter().filter(|m| m.contains("a été modifié le")).collect();
    assert_eq!(notices.len(), 1, "the person is told");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM account_links").fetch_all(app.db.pool()).await.unwrap();
    let token = link.trim_start_matches("/reinitialiser/");
    assert!(!stored.iter().any(|h| h == token), "the token is stored hashed");
}

/// The answer says nothing of whether an account matched: an unknown
/// login, an account without an email address and a known one get the
/// same redirect and page, and only the known one gets a message. An
/// email address finds its account, whatever its case.
#[tokio::test]
async fn the_answer_is_the_same_for_known_and_unknown_accounts() {
    let app = app_with_email().await;
    let visitor = app.browser_from("192.0.2.20");
    let pages = [
        ask(&visitor, "personne.inconnue").await,
        ask(&visitor, "44000124B").await,
        ask(&visitor, "Camille.Martin@Exemple.FR").await,
    ];
    for page in &pages {
        assert_eq!(page.location, pages[0].location);
        assert_eq!(main_of(page), main_of(&pages[0]));
    }
    let mail = nth_mail(&app, EMAIL, 1, &[]).await;
    assert!(mail.contains(PAID_UP));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.mails().len(), 1, "one message: to the known account with an address");
}

/// Enumeration by timing: 50 requests about a known account and 50 about
/// an unknown login, alternated, from fresh addresses: the medians stay
/// within a factor of two (the link is looked up and mailed after the
/// answer).
#[tokio::test]
async fn asking_about_a_known_or_an_unknown_account_takes_the_same_time() {
    let app = app_with_email().await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..100 {
        let visitor = app.browser_from(&format!("198.51.100.{}", i + 1));
        let (asked, times) = if i % 2 == 0 { (PAID_UP, &mut known) } else { ("personne.inconnue", &mut unknown) };
        let started = Instant::now();
        let page = ask(&visitor, asked).await;
        times.push(started.elapsed());
        assert_eq!(page.location.as_deref(), Some("/mot-de-passe-oublie?envoye=1"));
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[25].as_secs_f64(), unknown[25].as_secs_f64());
    eprintln!("median answer: known {:.2} ms, unknown {:.2} ms", k * 1e3, u * 1e3);
    assert!(k < 2.0 * u && u < 2.0 * k, "known {k:.4} s vs unknown {u:.4} s");
}

/// Stale links get one sentence: forged, malformed, expired, replaced by
/// a newer one; nothing changes.
#[tokio::test]
async fn forged_expired_and_replaced_links_are_refused_with_a_clear_page() {
    let app = app_with_email().await;
    let visitor = app.browser_from("192.0.2.30");
    for link in [format!("/reinitialiser/{}", "ab".repeat(32)), "/reinitialiser/pas-un-jeton".to_owned()] {
        let page = visitor.get(&link).await;
        assert!(page.contains(STALE), "{link}: {}", page.body);
        let posted = choose(&visitor, &link, CHOSEN, CHOSEN).await;
        assert_eq!(posted.error().as_deref(), Some(STALE));
    }

    ask(&visitor, PAID_UP).await;
    let first = link_in(&nth_mail(&app, EMAIL, 1, &[]).await);
    ask(&visitor, PAID_UP).await;
    let second = link_in(&nth_mail(&app, EMAIL, 2, &[&first]).await);
    assert_ne!(first, second);
    assert!(visitor.get(&first).await.contains(STALE), "a newer link replaces the older");
    assert!(visitor.get(&second).await.contains("Choisir mon mot de passe"));

    sqlx::query("UPDATE account_links SET expires_at = '2020-01-01T00:00:00.000000Z'")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert!(visitor.get(&second).await.contains(STALE), "expired after an hour");
    assert_eq!(choose(&visitor, &second, CHOSEN, CHOSEN).await.error().as_deref(), Some(STALE));
    assert_eq!(login_call(&app.browser_from("192.0.2.31"), PASSWORD).await, StatusCode::OK, "nothing changed");
}

/// Budgets: an address asks ten times in a quarter of an hour, then is
/// refused (429, whatever it names); an account gets three links an hour,
/// however many addresses ask.
#[tokio::test]
async fn requests_are_budgeted_per_address_and_links_per_account() {
    let app = app_with_email().await;
    let visitor = app.browser_from("192.0.2.40");
    for _ in 0..10 {
        let (status, _) = visitor.call("forgot_password", &[("identifiant", "personne.inconnue")]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, json) = visitor.call("forgot_password", &[("identifiant", PAID_UP)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert!(message(&json).contains("Trop de tentatives"), "{json}");

    for i in 0..5 {
        let (status, _) =
            app.browser_from(&format!("192.0.2.{}", 50 + i)).call("forgot_password", &[("identifiant", PAID_UP)]).await;
        assert_eq!(status, StatusCode::OK);
    }
    nth_mail(&app, EMAIL, 3, &[]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let links = mails_to(&app, EMAIL).into_iter().filter(|m| m.contains("/reinitialiser/")).count();
    assert_eq!(links, 3, "three links an hour to one account");
}

/// A member without an email address gets in with an activation letter:
/// staff of their agency print it (nobody else may), its code opens the
/// page where the member chooses a password, once; a wrong or reused code
/// gets one sentence; a newer letter replaces the older.
#[tokio::test]
async fn an_activation_letter_opens_the_account_once() {
    let app = TestApp::spawn_with(|c| c.trust_proxy = true).await;
    let staff = app.logged_in("agence.nantes").await;
    let from = "/agence/adherents/44000124B";
    let page = staff.get(from).await;
    assert!(page.contains("Aucune invitation envoyée") && page.contains("Imprimer une lettre d'activation"));

    // Only the member's agency prints it.
    let letter =
        |browser: &Browser| browser.post_from(from, "/agence/comptes/44000124B/lettre", "application/pdf").send();
    assert_eq!(letter(&app.browser()).await.unwrap().status(), StatusCode::SEE_OTHER, "to log in first");
    assert_eq!(letter(&app.logged_in(PAID_UP).await).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(letter(&app.logged_in("ouest").await).await.unwrap().status(), StatusCode::FORBIDDEN);
    let rennes = common::agency::rennes_staff(&app).await;
    assert_eq!(letter(&rennes).await.unwrap().status(), StatusCode::NOT_FOUND);

    let first = common::activation_letter(&staff, from, "44000124B").await;
    let code = common::activation_letter(&staff, from, "44000124B").await;
    assert_ne!(first, code);
    assert!(staff.get(from).await.contains("Lettre d'activation imprimée le"));

    let visitor = app.browser_from("192.0.2.60");
    let try_code = async |login: &str, code: &str| {
        visitor.call("activate_account", &[("identifiant", login), ("code", code)]).await
    };
    let wrong = app::server::services::accounts::invitations::WRONG_CODE;
    for (login, typed) in [("44000124B", first.as_str()), ("44000123B", code.as_str()), ("44000124B", "abcd-efgh-jkmn")]
    {
        let (status, json) = try_code(login, typed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{login} {typed}: {json}");
        assert_eq!(message(&json), wrong, "the replaced letter, another's login, a made-up code: one sentence");
    }
    // Typed loosely: spaces, capitals, no dashes.
    let loose = code.replace('-', " ").to_uppercase();
    let link = common::activate(&visitor, "44000124b", &loose).await;
    let chosen = common::choose_password(&visitor, &link, "la brouette rouge du jardin").await;
    assert_eq!(chosen.location.as_deref(), Some("/connexion?nouveau=1&identifiant=44000124B"));
    assert_eq!(
        visitor.call("login", &[("number", "44000124B"), ("password", "la brouette rouge du jardin")]).await.0,
        StatusCode::OK
    );
    let (status, json) = try_code("44000124B", &code).await;
    assert_eq!((status, message(&json).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, wrong), "once");
    assert!(staff.get(from).await.contains("utilisée le"));

    // Guessing codes from one address is bounded.
    let guesser = app.browser_from("192.0.2.61");
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(
            guesser.call("activate_account", &[("identifiant", "44000124B"), ("code", "abcd-efgh-jkmn")]).await.0,
        );
    }
    assert_eq!(statuses[..10], [StatusCode::UNPROCESSABLE_ENTITY; 10]);
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
}

/// « Renvoyer l'invitation »: a newer invitation replaces the older, whose
/// link then gets the clear refusal; an invitation older than 7 days too.
#[tokio::test]
async fn a_resent_invitation_replaces_the_older_and_both_expire() {
    let app = app_with_email().await;
    let staff = app.logged_in("agence.nantes").await;
    let from = "/agence/adherents/44000123B";
    assert!(staff.get(from).await.contains("Renvoyer l'invitation"));
    let sent = staff.submit(from, "/api/send_invitation", &[("login", PAID_UP), ("retour", from)]).await;
    assert_eq!(sent.location.as_deref(), Some(format!("{from}?invitation={PAID_UP}").as_str()));
    assert!(sent.contains("Invitation envoyée : elle remplace la précédente."));
    let first = link_in(&nth_mail(&app, EMAIL, 1, &[]).await);
    staff.submit(from, "/api/send_invitation", &[("login", PAID_UP), ("retour", from)]).await;
    let second = link_in(&nth_mail(&app, EMAIL, 2, &[&first]).await);
    let visitor = app.browser();
    assert!(visitor.get(&first).await.contains(STALE));
    let page = visitor.get(&second).await;
    assert!(page.contains("Bienvenue") && page.contains(PAID_UP), "{}", page.body);
    sqlx::query("UPDATE account_links SET expires_at = '2020-01-01T00:00:00.000000Z'")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert!(visitor.get(&second).await.contains(STALE), "7 days at most");
}

/// A hash made with older, lighter parameters is made again with today's
/// at the next successful login, transparently; a wrong password changes
/// nothing.
#[tokio::test]
async fn an_old_hash_is_upgraded_at_the_next_login() {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let app = TestApp::spawn().await;
    let light = argon2::Argon2::new(
        argon2::Algorithm::Argon2i,
        argon2::Version::V0x13,
        argon2::Params::new(8 * 1024, 1, 1, None).unwrap(),
    );
    let old = light.hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng)).unwrap().to_string();
    app.update_row_with("UPDATE accounts SET password_hash = $1 WHERE login = $2", old.as_str(), PAID_UP).await;
    let stored =
        async || -> String { app.value_of("SELECT password_hash FROM accounts WHERE login = $1", PAID_UP).await };

    assert_eq!(login_call(&app.browser(), "pas le bon").await, StatusCode::UNAUTHORIZED);
    assert_eq!(stored().await, old, "a wrong password upgrades nothing");
    assert_eq!(login_call(&app.browser(), PASSWORD).await, StatusCode::OK);
    let new = stored().await;
    assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
    assert_eq!(login_call(&app.browser(), PASSWORD).await, StatusCode::OK, "the same password, the new hash");
    assert_eq!(stored().await, new, "made once");
}

/// « Mon compte » lists the account's open sessions, this device first,
/// with the browser and address each logged in from; « Déconnecter les
/// autres appareils » ends the others (journaled), not this one, nor
/// another account's.
#[tokio::test]
async fn my_account_lists_the_devices_and_logs_the_others_out() {
    let app = app_with_email().await;
    let phone = app.browser_from("192.0.2.70");
    let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
    let res = phone
        .post_from("/connexion", "/api/login", "application/json")
        .header(reqwest::header::USER_AGENT, android)
        .form(&[("number", PAID_UP), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let laptop = app.browser_from("192.0.2.71");
    laptop.login(PAID_UP, PASSWORD).await;
    let other_member = app.logged_in(common::UNPAID).await;

    let page = phone.get("/mon-compte").await;
    assert!(page.contains("Mon compte") && page.contains(EMAIL), "{}", page.body);
    let (_, json) = phone.call("account_page", &[]).await;
    let sessions = json["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{json}");
    assert_eq!(sessions[0]["this_device"], true, "this device first");
    assert_eq!(
        (sessions[0]["device"].as_str(), sessions[0]["address"].as_str()),
        (Some("Chrome sur Android"), Some("192.0.2.70"))
    );
    assert_eq!(sessions[1]["address"], "192.0.2.71");
    assert!(page.contains("Chrome sur Android") && page.contains("(cet appareil)"));
    assert!(page.contains("Déconnecter les autres appareils"));

    let done = phone.submit("/mon-compte", "/api/end_other_sessions", &[]).await;
    assert_eq!(done.location.as_deref(), Some("/mon-compte?deconnectes=1"));
    assert!(done.contains("1 autre appareil a été déconnecté."));
    assert!(!done.contains("Déconnecter les autres appareils"), "nothing left to log out");
    assert!(logged_in(&phone).await, "this device stays");
    assert!(!logged_in(&laptop).await, "the other is logged out");
    assert!(logged_in(&other_member).await, "another account's sessions are untouched");
    let account = app.count(&format!("SELECT id FROM accounts WHERE login = '{PAID_UP}'")).await;
    let event = audit::history(app.db.pool(), Entity::Account, account).await.unwrap().pop().unwrap();
    assert_eq!(event.action, "end_other_sessions");
}

/// The path of the `/confirmer-adresse/…` link in a message.
fn email_link_in(mail: &str) -> String {
    let start = mail.find("/confirmer-adresse/").expect("a confirmation link");
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '-').collect()
}

/// « Changer d'adresse e-mail »: the current password is asked, the link
/// goes to the new address and a notice to the old one; nothing changes
/// until the link is opened and confirmed, once; then the account's (and
/// the member's file's) address is the new one, the change journaled and
/// the old address told; a forgotten password reaches the new address.
#[tokio::test]
async fn a_new_email_address_is_confirmed_from_a_link_sent_to_it() {
    const NEW: &str = "camille@nouvelle-adresse.fr";
    let app = app_with_email().await;
    let phone = app.browser_from("192.0.2.80");
    phone.login(PAID_UP, PASSWORD).await;
    let page = phone.get("/mon-compte").await;
    assert!(page.contains("Changer d'adresse e-mail") && page.contains("Nouvelle adresse e-mail"), "{}", page.body);

    let change = |email: &'static str, current: &'static str| {
        let phone = &phone;
        async move { phone.submit("/mon-compte", "/api/change_email", &[("email", email), ("current", current)]).await }
    };
    // Refusals: each with its sentence, nothing sent, nothing stored.
    let wrong = change(NEW, "pas le bon mot de passe").await;
    assert_eq!(wrong.error().as_deref(), Some("Le mot de passe actuel est incorrect."));
    let malformed = change("camille@", PASSWORD).await;
    assert!(malformed.error().unwrap_or_default().starts_with("Adresse e-mail invalide"), "{:?}", malformed.error());
    let same = change("Camille.Martin@EXEMPLE.fr", PASSWORD).await;
    assert!(same.error().unwrap_or_default().contains("est déjà l'adresse de ce compte"), "{:?}", same.error());
    assert!(mails_to(&app, NEW).is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM account_links WHERE purpose = 'email'").await, 0);

    let asked = change(NEW, PASSWORD).await;
    assert_eq!(asked.location.as_deref(), Some("/mon-compte?lien=camille%40nouvelle-adresse.fr"));
    assert!(asked.contains("Un lien de confirmation vient d'être envoyé à « camille@nouvelle-adresse.fr »"));
    let to_new = mails_to(&app, NEW);
    assert_eq!(to_new.len(), 1);
    let notice: Vec<String> = mails_to(&app, EMAIL).into_iter().filter(|m| m.contains(NEW)).collect();
    assert_eq!(notice.len(), 1, "the old address is told of the request");
    let email_now = || app.value_of::<_, String>("SELECT email FROM members WHERE number = $1", PAID_UP);
    assert_eq!(email_now().await, EMAIL, "nothing changes before the link is used");

    // A link opened by a mail scanner changes nothing: confirming is a button.
    let link = email_link_in(&to_new[0]);
    let other = app.browser_from("192.0.2.81");
    let shown = other.get(&link).await;
    assert!(shown.contains("CONFIRMER CETTE ADRESSE") && shown.contains(NEW), "{}", shown.body);
    assert_eq!(email_now().await, EMAIL);
    let token = link.trim_start_matches("/confirmer-adresse/");
    let done = other.submit(&link, "/api/confirm_email", &[("token", token)]).await;
    assert_eq!(done.location.as_deref(), Some(link.as_str()));
    assert!(done.contains("C'est fait") && done.contains(NEW), "{}", done.body);
    assert_eq!(email_now().await, NEW, "the member's file follows");
    let account: String = app.value_of("SELECT email FROM accounts WHERE login = $1", PAID_UP).await;
    assert_eq!(account, NEW);
    assert!(phone.get("/mon-compte").await.contains(NEW));
    let told: Vec<String> =
        mails_to(&app, EMAIL).into_iter().filter(|m| m.contains("et plus à cette adresse")).collect();
    assert_eq!(told.len(), 1, "the old address is told of the change");

    // Once only; a forged token confirms nothing.
    let (status, json) = other.call("confirm_email", &[("token", token)]).await;
    assert_eq!((status, message(&json)), (StatusCode::UNPROCESSABLE_ENTITY, STALE.to_owned()));
    assert!(other.get(&link).await.contains("C'est fait"), "the used link says it was done");
    let forged = other.get(&format!("/confirmer-adresse/{}", "cd".repeat(32))).await;
    assert!(forged.contains(STALE), "{}", forged.body);
    let (status, json) = other.call("confirm_email", &[("token", &"cd".repeat(32))]).await;
    assert_eq!((status, message(&json)), (StatusCode::UNPROCESSABLE_ENTITY, STALE.to_owned()));

    let id = app.count(&format!("SELECT id FROM accounts WHERE login = '{PAID_UP}'")).await;
    let actions: Vec<String> =
        audit::history(app.db.pool(), Entity::Account, id).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions[actions.len() - 2..], ["ask_email_change", "change_email"], "{actions:?}");

    // « Mot de passe oublié ? » now writes to the new address.
    ask(&app.browser_from("192.0.2.82"), NEW).await;
    let reset = nth_mail(&app, NEW, 1, &[]).await;
    assert!(reset.contains("/reinitialiser/"), "{reset}");
}

/// A newer request replaces the older link, and a link expires after 24 hours.
#[tokio::test]
async fn an_email_link_is_replaced_by_a_newer_one_and_expires() {
    let app = app_with_email().await;
    let phone = app.browser_from("192.0.2.85");
    phone.login(PAID_UP, PASSWORD).await;
    for email in ["premiere@exemple.fr", "seconde@exemple.fr"] {
        let asked = phone.submit("/mon-compte", "/api/change_email", &[("email", email), ("current", PASSWORD)]).await;
        assert!(asked.location.is_some(), "{:?}", asked.error());
    }
    let first = email_link_in(&mails_to(&app, "premiere@exemple.fr")[0]);
    let replaced = phone.get(&first).await;
    assert!(replaced.contains(STALE), "{}", replaced.body);
    let second = email_link_in(&mails_to(&app, "seconde@exemple.fr")[0]);
    app.update_row("UPDATE account_links SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE purpose = $1", "email")
        .await;
    assert!(phone.get(&second).await.contains(STALE));
    let token = second.trim_start_matches("/confirmer-adresse/");
    let late = phone.submit(&second, "/api/confirm_email", &[("token", token)]).await;
    assert_eq!(late.error().as_deref(), Some(STALE));
    let email: String = app.value_of("SELECT email FROM members WHERE number = $1", PAID_UP).await;
    assert_eq!(email, EMAIL);
}

/// A mistake in one field names that field, for the form to mark it
/// invalid, tie the message to it and put the focus there.
#[tokio::test]
async fn a_mistake_names_the_field_it_is_in() {
    let app = app_with_email().await;
    let phone = app.browser_from("192.0.2.90");
    phone.login(PAID_UP, PASSWORD).await;
    let ouest = app.supplier_id("Matériaux de l'Ouest").await;
    // A function, its form, and the field its mistake is in.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: [Case; 6] = [
        ("change_email", vec![("email", "camille@"), ("current", PASSWORD)], "email"),
        ("change_email", vec![("email", "autre@exemple.fr"), ("current", "pas le bon")], "current"),
        ("change_password", vec![("current", PASSWORD), ("new", "court"), ("confirm", "court")], "new"),
        ("change_password", vec![("current", PASSWORD), ("new", CHOSEN), ("confirm", "autre chose")], "confirm"),
        ("change_password", vec![("current", "pas le bon"), ("new", CHOSEN), ("confirm", CHOSEN)], "current"),
        ("request_voucher", vec![("supplier_id", &ouest), ("amount", "douze")], "amount"),
    ];
    for (function, fields, field) in cases {
        let (status, json) = phone.call(function, &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{function} {fields:?}: {json}");
        let error: app::error::AppError = serde_json::from_value(json.clone()).expect("an AppError");
        assert_eq!(error.fields(), [field], "{function} {fields:?}: {json}");
        assert!(!error.to_string().is_empty());
    }
    // The supplier's invoice form and the counter check.
    let till = app.logged_in("ouest").await;
    let invoice = |amount: &'static str, lines: &'static str| {
        [("number", "F-1"), ("date", "01/12/2026"), ("amount", amount), ("lines", lines)]
    };
    for (fields, field) in [
        (invoice("10", "pas un bon"), "lines"),
        (invoice("dix", "W2026.NA.442.00000001 1234 10"), "amount"),
        (invoice("12", "W2026.NA.442.00000001 1234 10"), "amount"),
    ] {
        let (status, json) = till.call("supplier_submit_invoice", &fields).await;
        let error: app::error::AppError = serde_json::from_value(json.clone()).expect("an AppError");
        assert_eq!((status, error.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec![field]), "{fields:?}: {json}");
    }
    let (_, json) = till.call("supplier_check", &[("number", "W20"), ("code", "1234")]).await;
    let error: app::error::AppError = serde_json::from_value(json.clone()).expect("an AppError");
    assert_eq!(error.fields(), ["number"], "{json}");

    let (status, json) = app.browser().call("login", &[("number", PAID_UP), ("password", "faux")]).await;
    let error: app::error::AppError = serde_json::from_value(json).unwrap();
    assert_eq!((status, error.fields()), (StatusCode::UNAUTHORIZED, vec!["number", "password"]));
}
