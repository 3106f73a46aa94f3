//! What every response carries, and what the server refuses at its edge:
//! state changes from other sites, or through GET.

use crate::common;

use common::{PAID_UP, TestApp};
use reqwest::{StatusCode, header};

#[tokio::test]
async fn pages_carry_a_content_security_policy_naming_their_own_nonce() {
    let app = TestApp::spawn().await;
    let res = app.browser().client.get(format!("{}/connexion", app.base)).send().await.unwrap();
    let headers = res.headers().clone();
    let body = res.text().await.unwrap();
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    for directive in ["'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(body.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the policy's nonce");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain http");

    // Two loads, two nonces.
    let again = app.browser().client.get(format!("{}/connexion", app.base)).send().await.unwrap();
    assert_ne!(again.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap(), csp);

    // Server function answers and files run nothing at all.
    let res = app.browser().client.post(format!("{}/api/whoami", app.base)).send().await.unwrap();
    assert!(res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("default-src 'none'"));
}

#[tokio::test]
async fn hsts_is_sent_when_the_site_is_served_over_https() {
    let app = TestApp::spawn_with(|c| c.public_url = Some("https://bons.example.org".into())).await;
    let res = app.browser().client.get(format!("{}/connexion", app.base)).send().await.unwrap();
    assert!(res.headers()[header::STRICT_TRANSPORT_SECURITY].to_str().unwrap().starts_with("max-age="));
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused_and_changes_nothing() {
    let (app, member) = TestApp::spawn_with_member().await;
    let supplier = app.supplier_id("Matériaux de l'Ouest").await;
    let id = member.request_voucher_json(&supplier, "20").await.to_string();

    let hostile = [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
    ];
    for extra in &hostile {
        for (action, fields) in [
            ("use_voucher", vec![("id", id.as_str())]),
            ("request_voucher", vec![("supplier_id", supplier.as_str()), ("amount", "15")]),
            ("logout", vec![]),
        ] {
            let mut req = member.client.post(format!("{}/api/{action}", app.base)).form(&fields);
            for (k, v) in extra {
                req = req.header(*k, *v);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{action} with {extra:?}");
            assert!(res.text().await.unwrap().contains("ne vient pas de ce site"));
        }
    }
    assert_eq!(app.voucher_row(id.parse().unwrap()).await, (1, None, None), "still 1-EMIS");
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers").await, 1, "no voucher requested");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1, "still logged in");

    // The same requests from the site itself go through.
    let res = member
        .client
        .post(format!("{}/api/use_voucher", app.base))
        .header("sec-fetch-site", "same-origin")
        .header("origin", &app.base)
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn nothing_changes_state_through_get() {
    let (app, member) = TestApp::spawn_with_member().await;
    let supplier = app.supplier_id("Matériaux de l'Ouest").await;
    let id = member.request_voucher_json(&supplier, "20").await;
    for url in [
        format!("/api/use_voucher?id={id}"),
        format!("/api/validate_voucher?id={id}"),
        format!("/api/request_voucher?supplier_id={supplier}&amount=10"),
        "/api/logout".to_owned(),
    ] {
        let res = member.client.get(format!("{}{url}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{url}");
    }
    assert_eq!(app.voucher_row(id).await, (1, None, None));
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let (app, member) = TestApp::spawn_with_member().await;
    let huge = "9".repeat(200 * 1024);
    let res = member
        .client
        .post(format!("{}/api/request_voucher", app.base))
        .form(&[("supplier_id", "1"), ("amount", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers").await, 0);
}

/// Building a server lists the app's routes, which Leptos does with every
/// resource of the process held back. A page of another server of the same
/// process rendered meanwhile used to wait forever (and be answered
/// « Rechargez la page » after the page deadline). Servers are built here
/// while a member's pages are loaded without pause: every page comes back,
/// rendered, well within the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_another_server_in_the_process_holds_no_page_back() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (app, member) = TestApp::spawn_with_member().await;
    let stop = Arc::new(AtomicBool::new(false));
    let loaders: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, stop) = (member.client.clone(), format!("{}/bons", app.base), stop.clone());
            tokio::spawn(async move {
                let mut loads = 0;
                while !stop.load(Ordering::Relaxed) {
                    let failed = |e: String| format!("page load {loads}: {e}");
                    let res = client
                        .get(&url)
                        .header(header::ACCEPT, "text/html")
                        .timeout(std::time::Duration::from_secs(5))
                        .send()
                        .await
                        .map_err(|e| failed(e.to_string()))?;
                    let status = res.status();
                    let body = res.text().await.map_err(|e| failed(e.to_string()))?;
                    if status != StatusCode::OK || !body.contains("Demande de bons") {
                        return Err(failed(format!("{status} {body}")));
                    }
                    loads += 1;
                }
                Ok::<_, String>(loads)
            })
        })
        .collect();
    let built = 300;
    let state = app.state.clone();
    tokio::task::spawn_blocking(move || {
        for _ in 0..built {
            drop(server::http::router(state.clone()));
        }
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut loads = 0;
    for loader in loaders {
        loads += loader.await.unwrap().unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(loads >= 4, "pages were loaded while the servers were built: {loads}");
    println!("{built} servers built while {loads} pages were loaded, each within 5 s");
}

/// A page asked for without a session answers 303 to the login page,
/// whatever the request accepts (a browser without the WASM, the service
/// worker, a script), and the login leads back to that page: through the
/// form posted without the WASM as through the hydrated app, and only to a
/// page of ours.
#[tokio::test]
async fn a_page_asked_for_without_a_session_sends_to_the_login_page_which_leads_back_to_it() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    for accept in [None, Some("*/*"), Some("text/html")] {
        for (page, login) in [
            ("/", "/connexion"),
            ("/bons/1", "/connexion?suivant=/bons/1"),
            ("/agence", "/connexion?suivant=/agence"),
            ("/agence/adherents?q=martin", "/connexion?suivant=/agence/adherents%3Fq%3Dmartin"),
            ("/fournisseur/factures/3", "/connexion?suivant=/fournisseur/factures/3"),
        ] {
            let mut request = anonymous.client.get(format!("{}{page}", app.base));
            if let Some(accept) = accept {
                request = request.header(header::ACCEPT, accept);
            }
            let res = request.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{page} with {accept:?}");
            assert_eq!(res.headers()[header::LOCATION], login, "{page} with {accept:?}");
        }
    }
    // The login page carries the way back in its form.
    let page = anonymous.get("/connexion?suivant=/bons/1").await;
    assert!(page.body.contains(r#"name="suivant" value="/bons/1""#), "{}", page.body);
    let page = anonymous.get("/connexion?suivant=//ev.il/x").await;
    assert!(!page.body.contains("ev.il"), "only our own paths are carried");

    // Without the WASM: the form's post lands on the page asked for.
    let browser = app.browser();
    let res = browser
        .submit_raw(
            "/connexion?suivant=/bons/1",
            "/api/login",
            &[("number", PAID_UP), ("password", common::PASSWORD), ("suivant", "/bons/1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/bons/1");
    // With the WASM: the same, told in the answer.
    let res = app
        .browser()
        .client
        .post(format!("{}/api/login", app.base))
        .header(header::ACCEPT, "application/json")
        .form(&[("number", "agence.nantes"), ("password", common::PASSWORD), ("suivant", "/agence/bons")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::LOCATION], "/agence/bons", "the app goes where the answer says");
    // Another site's address, or nothing: the role's home.
    for (suivant, home) in
        [("//ev.il/x", "/fournisseur"), ("https://ev.il/", "/fournisseur"), ("/\\ev.il", "/fournisseur")]
    {
        let res = app
            .browser()
            .submit_raw(
                "/connexion",
                "/api/login",
                &[("number", "ouest"), ("password", common::PASSWORD), ("suivant", suivant)],
            )
            .await;
        assert_eq!(res.headers()[header::LOCATION], home, "{suivant}");
    }
}

/// A voucher that does not exist or is someone else's answers 404 with
/// the French page, as does anything missing in the back office; a page of
/// another role's space answers 403.
#[tokio::test]
async fn a_voucher_missing_or_someone_elses_answers_404_and_another_space_403() {
    let (app, owner) = TestApp::spawn_with_member().await;
    let id = app.voucher_for(&owner, "Matériaux de l'Ouest", "20").await;
    let other = app.logged_in(common::UNPAID).await;
    for (who, page) in [
        (&owner, "/bons/999999".to_owned()),
        (&owner, "/bons/abc".to_owned()),
        (&other, format!("/bons/{id}")),
        (&other, format!("/bons/{id}/utiliser")),
        (&other, format!("/bons/{id}/code")),
    ] {
        let page_seen = who.get(&page).await;
        assert_eq!(page_seen.status, StatusCode::NOT_FOUND, "{page}");
        assert!(page_seen.contains("Ce bon est introuvable."), "{page}");
    }
    let staff = app.logged_in("agence.nantes").await;
    for page in
        ["/agence/adherents/44999999Z", "/agence/factures/999999", "/agence/paiements/999999", "/agence/bons/999999"]
    {
        assert_eq!(staff.get(page).await.status, StatusCode::NOT_FOUND, "{page}");
    }
    assert_eq!(owner.get("/agence").await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.get("/bons").await.status, StatusCode::FORBIDDEN);
    assert_eq!(owner.get(&format!("/bons/{id}")).await.status, StatusCode::OK);
}

/// An error written in the address (`__path`, `__err`, `pdf_erreur`) is
/// never shown as the server's: the page is sent to its address without
/// it. A form posted without the WASM still shows its real error, once,
/// carried by a cookie the server signed.
#[tokio::test]
async fn an_error_written_in_the_address_is_never_shown_as_the_servers() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let planted =
        base64::engine::general_purpose::URL_SAFE.encode(r#"{"Invalid":"Compte bloqué : appelez le 0899 123 456."}"#);
    let browser = app.browser();
    for (asked, clean) in [
        (format!("/connexion?__path=/api/login&__err={planted}"), "/connexion".to_owned()),
        (
            format!("/connexion?suivant=%2Fbons&__path=%2Fapi%2Flogin&__err={planted}"),
            "/connexion?suivant=%2Fbons".to_owned(),
        ),
        (format!("/verifier?__err={planted}&__path=/api/check_code"), "/verifier".to_owned()),
    ] {
        let page = browser.get(&asked).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{asked}");
        assert_eq!(page.location.as_deref(), Some(clean.as_str()), "{asked}");
        let page = browser.get(&clean).await;
        assert!(!page.contains("0899") && page.error().is_none(), "{clean}: {:?}", page.error());
    }

    // A real mistake, posted without the WASM: the error comes back once.
    let res = browser.login(PAID_UP, "pas le bon").await;
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, "/connexion", "no error in the address");
    let page = browser.get(&location).await;
    assert_eq!(page.error().as_deref(), Some("N° d'adhérent ou mot de passe incorrect."));
    assert_eq!(browser.get(&location).await.error(), None, "shown once");
    // A cookie the server did not sign shows nothing.
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::json!({ "to": "/connexion", "source": "/api/login", "error": planted }).to_string());
    let res = app
        .browser()
        .client
        .get(format!("{}/connexion", app.base))
        .header(header::COOKIE, format!("bons_form_error={forged}.{}", "0".repeat(32)))
        .send()
        .await
        .unwrap();
    assert!(!res.text().await.unwrap().contains("0899"));

    // The invoice page's PDF refusal: not from the address either.
    let supplier = app.logged_in("ouest").await;
    let member = app.logged_in(PAID_UP).await;
    let (_, number, code) = common::used_voucher(&app, &member, "42").await;
    let (status, id) = supplier.send_invoice("F-1", "42", &format!("{number};{code};42")).await;
    assert_eq!(status, StatusCode::OK, "{id}");
    let page = supplier.get(&format!("/fournisseur/factures/{id}?pdf_erreur=Appelez+le+0899")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.contains("0899"));
    let res = supplier.upload_pdf(id.as_i64().unwrap(), "f.pdf", b"%PDF-1.4 pas un PDF".to_vec(), true).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/fournisseur/factures/{id}"));
    assert_eq!(
        supplier.get(&back).await.error().as_deref(),
        Some("Ce fichier n'est pas un PDF : envoyez la facture au format PDF.")
    );
}

/// A form posted without the WASM is sent back to the page it came from
/// only when that page is ours: another site's `Referer` leads to `/`.
#[tokio::test]
async fn a_form_posted_without_the_wasm_goes_back_only_to_our_own_pages() {
    let (app, member) = TestApp::spawn_with_member().await;
    let id = app.voucher_for(&member, "Matériaux de l'Ouest", "20").await.to_string();
    for (referer, back) in [
        (format!("{}/bons/{id}", app.base), format!("/bons/{id}")),
        ("https://ev.il/phish".to_owned(), "/".to_owned()),
        (format!("{}.ev.il/x", app.base), "/".to_owned()),
        ("//ev.il/x".to_owned(), "/".to_owned()),
    ] {
        // A cancel without the confirmation box ticked: refused, back to the form.
        let res = member
            .client
            .post(format!("{}/api/cancel_voucher", app.base))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, referer.as_str())
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FOUND, "{referer}");
        assert_eq!(res.headers()[header::LOCATION], back.as_str(), "{referer}");
    }
    assert_eq!(app.voucher_row(id.parse().unwrap()).await.0, 1, "still 1-EMIS");
}

/// The router's four groups (`server/src/http/mod.rs`), each through one of
/// its routes: what every answer carries, then each group's own policy on
/// cross-site posts and on body size.
#[tokio::test]
async fn each_group_of_routes_has_its_own_edges() {
    use common::supplier::error_of;
    let (app, member) = TestApp::spawn_with_member().await;
    let ouest = app.logged_in("ouest").await;
    let till = app.till("ouest").await;
    let at = |path: &str| format!("{}{path}", app.base);
    let past_forms_limit = "9".repeat(100 * 1024);

    // Every group: the common headers, and an id to find the request by.
    let answers = [
        ("page", member.client.get(at("/")).send().await.unwrap()),
        ("server function", member.client.post(at("/api/my_vouchers")).send().await.unwrap()),
        ("download", ouest.client.get(at("/fournisseur/bons.csv")).send().await.unwrap()),
        ("upload", ouest.upload_pdf(999_999, "x.pdf", b"pas un pdf".to_vec(), false).await),
        ("till", till.client.get(at("/api/v1/invoices")).bearer_auth(&till.key).send().await.unwrap()),
        ("health", app.browser().client.get(at("/healthz")).send().await.unwrap()),
    ];
    for (group, res) in &answers {
        let h = res.headers();
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{group}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{group}");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{group}");
        assert!(h.contains_key(header::CONTENT_SECURITY_POLICY), "{group}");
        let id = h["x-request-id"].to_str().unwrap();
        assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{group}: {id}");
    }
    let ids: std::collections::HashSet<_> =
        answers.iter().map(|(_, res)| res.headers()["x-request-id"].clone()).collect();
    assert_eq!(ids.len(), answers.len(), "one id per request");
    // Only pages name a nonce, and only pages get the site's cache policy.
    let page = &answers[0].1;
    assert!(page.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("'nonce-"));
    assert_eq!(page.headers()[header::CACHE_CONTROL], "private, no-store");
    for (group, res) in &answers[4..] {
        assert!(!res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("nonce"), "{group}");
    }
    // A load balancer's id is kept; an odd one is replaced.
    let health = |id: &'static str| app.browser().client.get(at("/healthz")).header("x-request-id", id).send();
    assert_eq!(health("lb-7f3a.01").await.unwrap().headers()["x-request-id"], "lb-7f3a.01");
    assert_ne!(health("<script>").await.unwrap().headers()["x-request-id"], "<script>");

    // Pages and server functions: cross-site posts refused, 64 KiB at most.
    let cross_site = member
        .client
        .post(at("/api/request_voucher"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("supplier_id", "1"), ("amount", "42")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let too_big = member
        .client
        .post(at("/api/request_voucher"))
        .form(&[("supplier_id", "1"), ("amount", past_forms_limit.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers").await, 0);

    // Uploads: cross-site posts refused; past 64 KiB the upload itself judges.
    let cross_site = ouest
        .client
        .post(at("/fournisseur/factures/1/pdf"))
        .header("sec-fetch-site", "cross-site")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let big = ouest.upload_pdf(999_999, "x.pdf", past_forms_limit.clone().into_bytes(), false).await;
    assert_eq!(big.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&big.json().await.unwrap()).contains("n'est pas un PDF"));

    // The till's API: a key, never a cookie, so another site's page is no
    // threat and is not refused; its bodies may pass 64 KiB, not 256 KiB.
    let from_a_page = till
        .client
        .post(at("/api/v1/vouchers/check"))
        .bearer_auth(&till.key)
        .header("sec-fetch-site", "cross-site")
        .json(&serde_json::json!({ "number": "W2026.NA.442.09999999", "code": "ABCD1234" }))
        .send()
        .await
        .unwrap();
    assert_eq!(from_a_page.status(), StatusCode::UNPROCESSABLE_ENTITY, "checked, not refused");
    let (status, json) = till
        .post("/api/v1/vouchers/check", &serde_json::json!({ "number": past_forms_limit, "code": "ABCD1234" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    let (status, _) = till
        .post("/api/v1/vouchers/check", &serde_json::json!({ "number": "9".repeat(300 * 1024), "code": "x" }))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// The opening tag of the form field whose `id` is `id`.
fn field_tag<'a>(page: &'a common::Page, id: &str) -> &'a str {
    let at = page.body.find(&format!(" id=\"{id}\"")).unwrap_or_else(|| panic!("no field {id}"));
    let start = page.body[..at].rfind('<').expect("a tag");
    let end = at + page.body[at..].find('>').expect("a tag's end");
    &page.body[start..=end]
}

/// A form posted without the WASM comes back with its fields marked as the
/// browser would mark them: the fields the mistake is in are
/// `aria-invalid` and described by the announced notice; no other field,
/// not even one of the same name in another form of the page.
#[tokio::test]
async fn a_form_posted_without_the_wasm_comes_back_with_its_mistaken_fields_marked() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let res = browser.login(PAID_UP, "pas le bon").await;
    let page = browser.get(res.headers()[header::LOCATION].to_str().unwrap()).await;
    assert!(page.contains(r#"id="erreur-formulaire""#) && page.contains(r#"role="alert""#), "{}", page.body);
    for field in ["number", "password"] {
        let tag = field_tag(&page, field);
        assert!(tag.contains(r#"aria-invalid="true""#), "{tag}");
        assert!(tag.contains(r#"aria-describedby="erreur-formulaire""#), "{tag}");
    }
    // Shown once: the page loaded again is clean.
    let again = browser.get("/connexion").await;
    assert!(!again.contains("aria-invalid") && !again.contains("erreur-formulaire"));

    // The settings page has two forms with the same fields.
    let admin = app.logged_in(common::agency::ADMIN).await;
    let fields = [
        ("agency", "NA"),
        ("code", "NA"),
        ("centre_code", "44"),
        ("validity_days", "30"),
        ("max_voucher", "3000"),
        ("code_length", "4"),
    ];
    let res = admin.submit_raw("/agence/parametres?agence=NA", "/api/save_agency_settings", &fields).await;
    let back = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, "/agence/parametres?agence=NA");
    let page = admin.get(&back).await;
    assert_eq!(page.error().as_deref(), Some("Le code centre compte trois chiffres (ex. 442)."));
    let marked = field_tag(&page, "centre_code");
    assert!(marked.contains(r#"aria-invalid="true""#) && marked.contains("erreur-formulaire"), "{marked}");
    for other in ["code", "validity_days", "new_centre_code", "new_code"] {
        let tag = field_tag(&page, other);
        assert!(!tag.contains("aria-invalid") && !tag.contains("erreur-formulaire"), "{tag}");
    }
}
