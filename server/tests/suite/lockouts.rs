//! Nobody can lock others out: sessions end when a password changes hands or
//! an account closes, a stranger's wrong passwords never keep a person out
//! of a device they use, a stranger's wrong codes never lock a member's
//! voucher nor its payment, and guessing stays bounded. Through the real
//! server, on SQLite or PostgreSQL.

use crate::common;

use app::server::audit::{self, Entity};
use app::server::budgets;
use common::supplier::{Till, error_of};
use common::{Browser, PAID_UP, PASSWORD, TestApp, UNPAID, message, today, used_voucher, wrong};
use reqwest::StatusCode;
use serde_json::{Value, json};

const NEW_PASSWORD: &str = "une longue phrase de castor";

/// Budgets count per address: the client's address comes from
/// X-Forwarded-For, as behind the reverse proxy of a production set-up.
async fn behind_proxy() -> TestApp {
    TestApp::spawn_with(|c| c.trust_proxy = true).await
}

async fn logged_in_from(app: &TestApp, login: &str, address: &str) -> Browser {
    let browser = app.browser_from(address);
    let (status, json) = login_call(&browser, login, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{login} logs in from {address}: {json}");
    browser
}

async fn login_call(browser: &Browser, login: &str, password: &str) -> (StatusCode, Value) {
    browser.call("login", &[("number", login), ("password", password)]).await
}

async fn logged_in(browser: &Browser) -> bool {
    match browser.call("my_account", &[]).await {
        (StatusCode::OK, _) => true,
        (StatusCode::UNAUTHORIZED, _) => false,
        other => panic!("my_account answered {other:?}"),
    }
}

/// A password chosen from an activation letter (or any link) ends every
/// session the account had.
#[tokio::test]
async fn a_password_chosen_from_a_letter_ends_every_session_the_member_had() {
    let app = TestApp::spawn().await;
    let (phone, tablet) = (app.logged_in(PAID_UP).await, app.logged_in(PAID_UP).await);
    let staff = app.logged_in("agence.nantes").await;
    assert!(logged_in(&phone).await && logged_in(&tablet).await);

    let code = common::activation_letter(&staff, "/agence/adherents/44000123B", PAID_UP).await;
    assert!(logged_in(&phone).await, "a letter alone changes nothing");
    let link = common::activate(&app.browser(), PAID_UP, &code).await;
    common::choose_password(&app.browser(), &link, NEW_PASSWORD).await;

    for device in [&phone, &tablet] {
        assert!(!logged_in(device).await, "a session opened with the old password is over");
        assert_eq!(device.call("my_vouchers", &[]).await.0, StatusCode::UNAUTHORIZED);
        assert_ne!(device.get("/bons").await.status, StatusCode::OK);
    }
    assert!(logged_in(&staff).await, "the staff member who reset it stays logged in");
    // Another member's sessions are untouched.
    let other = app.logged_in(UNPAID).await;
    let code = common::activation_letter(&staff, "/agence/adherents/44000123B", PAID_UP).await;
    let link = common::activate(&app.browser(), PAID_UP, &code).await;
    common::choose_password(&app.browser(), &link, "encore une autre phrase de castor").await;
    assert!(logged_in(&other).await);
}

#[tokio::test]
async fn deactivating_then_reactivating_an_account_brings_none_of_its_sessions_back() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in("agence.nantes").await;
    let switch = async |name: &str, fields: &[(&str, &str)]| {
        let (status, json) = staff.call(name, fields).await;
        assert_eq!(status, StatusCode::OK, "{name} {fields:?}: {json}");
    };

    // A member.
    let phone = app.logged_in(PAID_UP).await;
    switch("set_member_active", &[("number", PAID_UP), ("active", "0")]).await;
    assert!(!logged_in(&phone).await);
    switch("set_member_active", &[("number", PAID_UP), ("active", "1")]).await;
    assert!(!logged_in(&phone).await, "the old cookie does not work again");
    assert!(logged_in(&app.logged_in(PAID_UP).await).await, "the member logs in again");

    // One of a supplier's logins.
    let counter = app.logged_in("ouest").await;
    switch("set_supplier_login_active", &[("login", "ouest"), ("active", "0")]).await;
    switch("set_supplier_login_active", &[("login", "ouest"), ("active", "1")]).await;
    assert!(!logged_in(&counter).await);
    assert_eq!(counter.call("supplier_home", &[]).await.0, StatusCode::UNAUTHORIZED);

    // A whole supplier: every one of its logins is logged out.
    let counter = app.logged_in("ouest").await;
    let supplier = app.supplier_id("Matériaux de l'Ouest").await;
    switch("set_supplier_active", &[("id", &supplier), ("active", "0")]).await;
    switch("set_supplier_active", &[("id", &supplier), ("active", "1")]).await;
    assert!(!logged_in(&counter).await);
    assert!(logged_in(&app.logged_in("ouest").await).await, "the supplier's staff log in again");
}

#[tokio::test]
async fn changing_ones_own_password_logs_out_every_other_device_but_this_one() {
    let app = TestApp::spawn().await;
    let (phone, laptop) = (app.logged_in(PAID_UP).await, app.logged_in(PAID_UP).await);
    let change = async |current: &str, new: &str, confirm: &str| {
        phone.call("change_password", &[("current", current), ("new", new), ("confirm", confirm)]).await
    };

    // Every mistake is named and changes nothing.
    for (current, new, confirm, said) in [
        ("devine", NEW_PASSWORD, NEW_PASSWORD, "Le mot de passe actuel est incorrect."),
        (PASSWORD, "court", "court", "Le nouveau mot de passe compte au moins 10 caractères."),
        (PASSWORD, "motdepasse2026", "motdepasse2026", "Ce mot de passe est trop facile à deviner."),
        (PASSWORD, "44000123B2026", "44000123B2026", "Ce mot de passe est trop facile à deviner."),
        (PASSWORD, NEW_PASSWORD, "une autre phrase", "Les deux saisies du nouveau mot de passe sont différentes"),
        ("", NEW_PASSWORD, NEW_PASSWORD, "Indiquez votre mot de passe actuel."),
    ] {
        let (status, json) = change(current, new, confirm).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
        assert!(message(&json).starts_with(said), "{json}");
    }
    assert!(logged_in(&laptop).await, "nothing changed yet");

    // Without the WASM, the form posts and lands on its page with the notice.
    let page = phone
        .submit(
            "/mot-de-passe",
            "/api/change_password",
            &[("current", PASSWORD), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/mot-de-passe?modifie=1"));
    assert!(page.contains("Votre mot de passe a été modifié. Vos autres appareils ont été déconnectés."));

    assert!(logged_in(&phone).await, "the device that changed it stays logged in");
    assert!(!logged_in(&laptop).await, "every other device is logged out");
    assert_eq!(login_call(&app.browser(), PAID_UP, PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login_call(&app.browser(), PAID_UP, NEW_PASSWORD).await.0, StatusCode::OK);

    let account = app.count(&format!("SELECT id FROM accounts WHERE login = '{PAID_UP}'")).await;
    let event = audit::history(app.db.pool(), Entity::Account, account).await.unwrap().pop().unwrap();
    assert_eq!((event.action.as_str(), event.actor.as_str()), ("change_password", PAID_UP));
    assert!(!event.after.contains(NEW_PASSWORD) && !event.before.contains(PASSWORD), "{event:?}");
}

#[tokio::test]
async fn wrong_current_passwords_are_budgeted_per_account() {
    let (_app, phone) = TestApp::spawn_with_member().await;
    let change = async |current: &str| {
        phone.call("change_password", &[("current", current), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]).await.0
    };
    for _ in 0..budgets::PASSWORD_CHANGE_PER_ACCOUNT.limit {
        assert_eq!(change("devine").await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(change(PASSWORD).await, StatusCode::TOO_MANY_REQUESTS, "a session left open is no way to guess");
}

#[tokio::test]
async fn a_strangers_wrong_passwords_never_keep_a_person_out() {
    let app = behind_proxy().await;
    // The finding: five wrong passwords for `admin` from one address, then
    // the right one from another address.
    for login in ["admin", PAID_UP] {
        let stranger = app.browser_from("203.0.113.7");
        for _ in 0..5 {
            assert_eq!(login_call(&stranger, login, "devine").await.0, StatusCode::UNAUTHORIZED);
        }
        let (status, json) = login_call(&stranger, login, PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the stranger's own budget is spent: {json}");

        let person = app.browser_from("198.51.100.4");
        let (status, json) = login_call(&person, login, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{login} gets in from a new device elsewhere: {json}");
    }
}

#[tokio::test]
async fn a_device_that_logged_in_before_gets_in_while_its_login_is_guessed_from_many_addresses() {
    let app = behind_proxy().await;
    // The member's phone has logged in before, on the network the strangers will use.
    let phone = logged_in_from(&app, PAID_UP, "203.0.113.0").await;
    assert_eq!(phone.call("logout", &[]).await.0, StatusCode::OK);

    // Guesses spread over addresses spend the login's budget for devices it does not know.
    let per_address = budgets::LOGIN_PER_LOGIN_AND_ADDRESS.limit;
    for i in 0..budgets::LOGIN_PER_LOGIN.limit {
        let stranger = app.browser_from(&format!("203.0.113.{}", i / per_address));
        assert_eq!(login_call(&stranger, PAID_UP, "devine").await.0, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let new_device = app.browser_from("192.0.2.50");
    let (status, json) = login_call(&new_device, PAID_UP, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(message(&json).contains("connectez-vous depuis un appareil que vous avez déjà utilisé"), "{json}");

    // The member's phone knows the account: it gets in.
    let (status, json) = login_call(&phone, PAID_UP, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(logged_in(&phone).await);

    // A device cookie with a forged signature is no key.
    let account = app.count(&format!("SELECT id FROM accounts WHERE login = '{PAID_UP}'")).await;
    let forged = format!("bons_appareil={account}.{}.{}", "ab".repeat(16), "cd".repeat(16));
    let res = reqwest::Client::new()
        .post(format!("{}/api/login", app.base))
        .header("x-forwarded-for", "192.0.2.51")
        .header("accept", "application/json")
        .header(reqwest::header::COOKIE, forged)
        .form(&[("number", PAID_UP), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "a forged device cookie counts for nothing");

    // A new password chosen from the agency's letter lifts the refusal.
    let staff = logged_in_from(&app, "agence.nantes", "192.0.2.99").await;
    let code = common::activation_letter(&staff, "/agence/adherents/44000123B", PAID_UP).await;
    let member = app.browser_from("192.0.2.98");
    let link = common::activate(&member, PAID_UP, &code).await;
    common::choose_password(&member, &link, NEW_PASSWORD).await;
    assert_eq!(
        login_call(&new_device, PAID_UP, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED,
        "now only a wrong password"
    );
}

#[tokio::test]
async fn guessing_a_password_is_bounded_per_address_per_login_and_per_device() {
    let app = behind_proxy().await;
    // Failures answered (401) before the budget refuses (429).
    let failures_until_refused = async |browsers: &mut dyn FnMut(usize) -> (Browser, String)| {
        for i in 0..1000 {
            let (browser, login) = browsers(i);
            match login_call(&browser, &login, "devine").await.0 {
                StatusCode::UNAUTHORIZED => continue,
                StatusCode::TOO_MANY_REQUESTS => return i,
                other => panic!("attempt {i}: {other}"),
            }
        }
        panic!("never refused");
    };

    // One address, one login.
    let pair = failures_until_refused(&mut |_| (app.browser_from("203.0.113.1"), PAID_UP.to_owned())).await;
    // One address, many logins (five each).
    let address =
        failures_until_refused(&mut |i| (app.browser_from("203.0.113.2"), format!("4401{:04}Z", i / 5))).await;
    // One login, many addresses.
    let login =
        failures_until_refused(&mut |i| (app.browser_from(&format!("198.51.100.{i}")), UNPAID.to_owned())).await;
    // One known device: its own five, then as any other device.
    let device = logged_in_from(&app, "ouest", "192.0.2.1").await;
    let mut known = 0;
    loop {
        let (status, _) = login_call(&device, "ouest", "devine").await;
        if status != StatusCode::UNAUTHORIZED {
            break;
        }
        known += 1;
    }
    let address_alone = budgets::LOGIN_PER_LOGIN_AND_ADDRESS.limit;
    assert_eq!(pair as i64, address_alone);
    assert_eq!(address as i64, budgets::LOGIN_PER_ADDRESS.limit);
    assert_eq!(login as i64, budgets::LOGIN_PER_LOGIN.limit);
    assert_eq!(known as i64, budgets::LOGIN_PER_DEVICE.limit + address_alone);
    println!(
        "password guesses answered before a refusal: {pair} per (login, address) in 15 min, {address} per address \
         in 15 min, {login} per login from unknown devices in an hour (at most {} a day), {} on a known device \
         before it counts as unknown",
        login * 24,
        budgets::LOGIN_PER_DEVICE.limit
    );
}

/// The number of wrong codes counted on a voucher, and whether it is locked.
async fn lock_state(app: &TestApp, id: i64) -> (i64, bool) {
    let (failures, locked): (i64, Option<String>) =
        sqlx::query_as("SELECT code_failures, locked_at FROM vouchers WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    (failures, locked.is_some())
}

async fn check_from(app: &TestApp, address: &str, number: &str, code: &str) -> (StatusCode, Value) {
    app.browser_from(address).call("check_code", &[("number", number), ("code", code)]).await
}

#[tokio::test]
async fn a_strangers_wrong_codes_never_lock_a_members_voucher_nor_its_payment() {
    let app = behind_proxy().await;
    let phone = logged_in_from(&app, PAID_UP, "198.51.100.4").await;
    let (id, number, code) = used_voucher(&app, &phone, "42").await;

    // Another supplier's staff, then anonymous visitors from many addresses.
    app.other_supplier().await;
    let bois = logged_in_from(&app, "bois", "192.0.2.8").await;
    for _ in 0..3 {
        let (status, _) = bois.call("supplier_check", &[("number", &number), ("code", &wrong(&code))]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    for i in 3..budgets::CHECK_PER_VOUCHER_DAY.limit {
        let (status, _) = check_from(&app, &format!("203.0.113.{i}"), &number, &wrong(&code)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(lock_state(&app, id).await, (0, false), "nobody but its supplier counts toward a voucher's lock");

    // The number's budget of the day is spent for everyone else…
    let (status, json) = check_from(&app, "203.0.113.200", &number, &code).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert!(message(&json).contains("Trop de codes erronés ont été saisis aujourd'hui pour ce numéro"), "{json}");

    // …not for the voucher's own supplier, at the counter and on the invoice.
    let ouest = logged_in_from(&app, "ouest", "192.0.2.9").await;
    let (status, json) = ouest.call("supplier_check", &[("number", &number), ("code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let lines = format!("{number} ; {code} ; 42");
    let (status, json) = ouest.send_invoice("F-STRANGERS", "42", &lines).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let flag: Option<String> = app.value_of("SELECT flag FROM invoice_lines WHERE voucher_number = $1", &number).await;
    assert_eq!(flag, None, "the invoice line matches its voucher");
}

#[tokio::test]
async fn only_the_vouchers_own_supplier_locks_it_and_its_invoice_still_matches_the_right_code() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let (id, number, code) = used_voucher(&app, &phone, "42").await;
    let ouest = app.logged_in("ouest").await;
    let check = async |code: &str| ouest.call("supplier_check", &[("number", &number), ("code", code)]).await.0;

    for _ in 0..budgets::CODE_FAILURES_BEFORE_LOCK {
        assert_eq!(check(&wrong(&code)).await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(lock_state(&app, id).await, (budgets::CODE_FAILURES_BEFORE_LOCK, true));
    let lock = audit::history(app.db.pool(), Entity::Voucher, id).await.unwrap().pop().unwrap();
    assert_eq!((lock.action.as_str(), lock.actor.as_str()), ("lock", "ouest"));
    assert_eq!(check(&code).await, StatusCode::UNPROCESSABLE_ENTITY, "locked: the counter check refuses");

    // Reconciling compares, it does not guess: the right code matches.
    let till = app.till("ouest").await;
    let line = json!({ "voucher_number": number, "code": code, "amount_cents": 4200 });
    let body = json!({ "number": "T-LOCKED", "date": today(), "amount_cents": 4200, "lines": [line] });
    let (status, json) = till.post("/api/v1/invoices", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(json["lines"][0]["flag"], Value::Null, "{json}");
    assert!(lock_state(&app, id).await.1, "the lock stays for the agency to lift");
}

/// A till whose requests come from `address`.
fn till_from(app: &TestApp, key: &str, address: &str) -> Till {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", address.parse().unwrap());
    let client = reqwest::Client::builder().default_headers(headers).build().unwrap();
    Till { client, base: app.base.clone(), key: key.to_owned() }
}

#[tokio::test]
async fn guessing_a_code_is_bounded_per_address_per_key_and_per_voucher_per_day() {
    let app = behind_proxy().await;
    let phone = logged_in_from(&app, PAID_UP, "198.51.100.4").await;
    let (_, number, code) = used_voucher(&app, &phone, "42").await;
    let unknown = |i: usize| format!("W2026.NA.442.{:08}", 70_000 + i);

    // Per address: 20 wrong codes, whatever the numbers.
    let mut per_address = 0;
    while check_from(&app, "203.0.113.1", &unknown(per_address), "1234").await.0 == StatusCode::UNPROCESSABLE_ENTITY {
        per_address += 1;
    }
    // Per key: 20, whatever the addresses.
    let key = app.api_key("ouest", "Caisse 1").await;
    let mut per_key = 0;
    while till_from(&app, &key, &format!("192.0.2.{per_key}")).check(&unknown(100 + per_key), "1234").await.0
        == StatusCode::UNPROCESSABLE_ENTITY
    {
        per_key += 1;
    }
    // Per voucher and day: 10 from anyone but its supplier, whatever the addresses.
    let mut per_voucher = 0;
    while check_from(&app, &format!("198.51.100.{}", 10 + per_voucher), &number, &wrong(&code)).await.0
        == StatusCode::UNPROCESSABLE_ENTITY
    {
        per_voucher += 1;
    }
    assert_eq!(per_address as i64, budgets::CHECK_PER_ADDRESS.limit);
    assert_eq!(per_key as i64, budgets::CHECK_PER_API_KEY.limit);
    assert_eq!(per_voucher as i64, budgets::CHECK_PER_VOUCHER_DAY.limit);
    let digits = 4;
    println!(
        "code guesses answered before a refusal: {per_address} per address and {per_key} per key or account in 15 \
         min; {per_voucher} per voucher and day from anyone but its supplier (a {digits}-digit code: at most \
         {per_voucher} in 10^{digits} a day); {} in a row from its supplier before it locks",
        budgets::CODE_FAILURES_BEFORE_LOCK
    );
}

#[tokio::test]
async fn invoice_lines_are_charged_to_the_same_budgets_as_the_counter_check() {
    let app = behind_proxy().await;
    let phone = logged_in_from(&app, PAID_UP, "198.51.100.4").await;
    let mut used = Vec::new();
    for amount in ["10", "20", "30"] {
        used.push(used_voucher(&app, &phone, amount).await);
    }
    let till = till_from(&app, &app.api_key("ouest", "Caisse 1").await, "192.0.2.1");
    let limit = budgets::CHECK_PER_API_KEY.limit as usize;
    // The till has spent all but three of its budget on unknown numbers.
    for i in 0..limit - 3 {
        let (status, _) = till.check(&format!("W2026.NA.442.{:08}", 80_000 + i), "1234").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let line = |(_, number, code): &(i64, String, String), right: bool, cents: i64| json!({ "voucher_number": number, "code": if right { code.clone() } else { wrong(code) }, "amount_cents": cents });
    let invoice = |number: &str, lines: Vec<Value>| {
        let total: i64 = lines.iter().map(|l| l["amount_cents"].as_i64().unwrap()).sum();
        json!({ "number": number, "date": today(), "amount_cents": total, "lines": lines })
    };
    let invoices = async || app.count("SELECT COUNT(*) FROM invoices").await;

    // Two wrong codes and a right one: stored, the two flagged, charged two.
    let (status, json) = till
        .post("/api/v1/invoices", &invoice("T-1", vec![line(&used[0], false, 1000), line(&used[1], false, 2000)]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(json["lines"][0]["flag"], "code_mismatch");

    // Two more wrong codes would go past the budget: refused whole, nothing said of the lines.
    let before = invoices().await;
    let (status, json) = till
        .post("/api/v1/invoices", &invoice("T-2", vec![line(&used[2], false, 3000), line(&used[0], false, 1000)]))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert!(error_of(&json).contains("la facture n'a pas été enregistrée"), "{json}");
    assert_eq!(invoices().await, before, "nothing stored");

    // The budget is the counter check's: the right code is refused there now…
    assert_eq!(till.check(&used[2].1, &used[2].2).await.0, StatusCode::TOO_MANY_REQUESTS);
    // …and a spent budget refuses an invoice even with right codes (its answer would tell).
    let (status, _) = till.post("/api/v1/invoices", &invoice("T-3", vec![line(&used[2], true, 3000)])).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // The supplier space's form is charged per account the same way.
    let ouest = logged_in_from(&app, "ouest", "192.0.2.2").await;
    let lines = format!("{} ; {} ; 30", used[2].1, wrong(&used[2].2));
    assert_eq!(ouest.send_invoice("F-1", "30", &lines).await.0, StatusCode::OK);
    let account = app.count("SELECT id FROM accounts WHERE login = 'ouest'").await;
    let charged: i64 = sqlx::query_scalar("SELECT failures FROM attempt_budgets WHERE scope = $1 AND subject = $2")
        .bind(budgets::CHECK_PER_ACCOUNT.scope)
        .bind(account.to_string())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(charged, 1, "one wrong code on the form, one failure charged to the account");
}
