//! What every response carries, and what the server refuses at its edge:
//! state changes from other sites, or through GET.

mod common;

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
    let app = TestApp::spawn().await;
    let member = app.logged_in(PAID_UP).await;
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
    let app = TestApp::spawn().await;
    let member = app.logged_in(PAID_UP).await;
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
    let app = TestApp::spawn().await;
    let member = app.logged_in(PAID_UP).await;
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
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };
    let app = TestApp::spawn().await;
    let member = app.logged_in(PAID_UP).await;
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
