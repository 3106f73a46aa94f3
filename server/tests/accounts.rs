//! Accounts people recover themselves: « Mot de passe oublié ? », its
//! single-use link, and how hard a new password must be to guess.

mod common;

use app::server::audit::{self, Entity};
use app::server::services::accounts::recovery::STALE;
use common::{Browser, PAID_UP, PASSWORD, TestApp, message};
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

/// The messages sent to `to`, quoted-printable undone.
fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.mails().into_iter().map(|m| unquoted(&m)).filter(|m| m.contains(&format!("To: {to}"))).collect()
}

/// A raw message with its quoted-printable body decoded (soft line breaks
/// and `=XX` bytes).
fn unquoted(raw: &str) -> String {
    let raw = raw.replace("=\r\n", "");
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if bytes[i] == b'=' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A page's own content, without the per-response nonce of its scripts.
fn main_of(page: &common::Page) -> &str {
    let start = page.body.find("<main").expect("a main element");
    let end = page.body.find("</main>").expect("its end");
    &page.body[start..end]
}

/// Waits until `n` messages with a link went to `to` (the link is mailed
/// after the answer, by a task of its own); returns the one whose link is
/// not in `seen` (messages are files named at random, not in order).
async fn nth_mail(app: &TestApp, to: &str, n: usize, seen: &[&str]) -> String {
    for _ in 0..200 {
        let with_link: Vec<String> = mails_to(app, to).into_iter().filter(|m| m.contains("/reinitialiser/")).collect();
        if with_link.len() >= n {
            return with_link.into_iter().find(|m| !seen.contains(&link_in(m).as_str())).expect("a new link");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no message {n} to {to}: {:?}", mails_to(app, to));
}

/// The path of the link in a message.
fn link_in(mail: &str) -> String {
    let start = mail.find("/reinitialiser/").expect("a link");
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/').collect()
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
