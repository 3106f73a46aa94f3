//! What the phone's browser and its service worker get from the server: the
//! worker itself, static files pre-compressed with their cache lifetimes,
//! compressed private pages, and the marks on the member's pages that tell
//! the worker which cards to keep for offline reading.

use crate::common;

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use common::{PAID_UP, TestApp, used_voucher};
use reqwest::{StatusCode, header};
use sha2::{Digest, Sha256};
use std::path::Path;

/// A built site as `cargo leptos build --release --precompress` leaves it,
/// with small stand-ins for the bundle and the real files of `public/`.
fn built_site(root: &Path) {
    let public = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public");
    let write = |path: &str, bytes: &[u8]| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write("pkg/bons.js", b"export function hydrate() {}");
    write("pkg/bons.wasm", b"\0asm\x01\0\0\0");
    write("pkg/bons.css", b"body { margin: 0 }");
    write("pkg/bons.css.br", b"pretend brotli");
    for file in ["manifest.webmanifest", "hors-ligne.html", "pwa.js", "favicon.svg", "icons/castors-192.png"] {
        write(file, &std::fs::read(public.join(file)).unwrap());
    }
    write("icons/castors-192.png.br", b"a compressed twin, never kept by itself");
}

async fn app_with_site() -> TestApp {
    let site = tempfile::tempdir().unwrap().keep();
    built_site(&site);
    TestApp::spawn_with(|c| c.site_root = site.display().to_string()).await
}

#[tokio::test]
async fn the_service_worker_comes_from_the_root_with_this_build_s_files_and_is_never_cached() {
    let app = app_with_site().await;
    let res = app.browser().client.get(format!("{}/sw.js", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache", "browsers must see a new release at the next visit");
    assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "default-src 'none'; connect-src 'self'");
    let worker = res.text().await.unwrap();

    let build = worker.split("const BUILD = \"").nth(1).and_then(|r| r.split('"').next()).expect("the build's id");
    assert_eq!(build.len(), 16, "{build}");
    let list = worker.split("const PRECACHE = ").nth(1).and_then(|r| r.split(";\n").next()).expect("the list");
    let precache: Vec<String> = serde_json::from_str(list).unwrap();
    for file in ["/pkg/bons.js", "/pkg/bons.wasm", "/pkg/bons.css", "/hors-ligne.html", "/icons/castors-192.png"] {
        assert!(precache.iter().any(|p| p == file), "{file} missing from {precache:?}");
    }
    assert!(precache.iter().all(|p| !p.ends_with(".br")), "{precache:?}");
    assert!(worker.contains("self.addEventListener(\"fetch\""), "the worker's code follows");

    // A second server of the same release, behind the same address, hands
    // out the same worker: phones do not flip between two.
    let twin = app.twin_with(|c| c.site_root = app.state.leptos_options.site_root.to_string()).await;
    let again = twin.browser().client.get(format!("{}/sw.js", twin.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(again, worker);
}

#[tokio::test]
async fn static_files_come_pre_compressed_with_their_lifetimes() {
    let app = app_with_site().await;
    let client = &app.browser().client;
    let get = |path: &str, encoding: &str| {
        client.get(format!("{}{path}", app.base)).header(header::ACCEPT_ENCODING, encoding).send()
    };

    let css = get("/pkg/bons.css", "br, gzip").await.unwrap();
    assert_eq!(css.headers()[header::CONTENT_ENCODING], "br", "the .br written at build time");
    // Unhashed names here (no hash.txt beside the test binary): checked at each use.
    assert_eq!(css.headers()[header::CACHE_CONTROL], "no-cache");
    assert_eq!(css.bytes().await.unwrap().as_ref(), b"pretend brotli");

    let manifest = get("/manifest.webmanifest", "identity").await.unwrap();
    assert_eq!(manifest.headers()[header::CONTENT_TYPE], "application/manifest+json");
    let manifest: serde_json::Value = manifest.json().await.unwrap();
    assert_eq!((manifest["name"].as_str(), manifest["display"].as_str()), (Some("Bons Castors"), Some("standalone")));

    let icon = get("/icons/castors-192.png", "identity").await.unwrap();
    assert_eq!(icon.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(icon.headers()[header::CACHE_CONTROL], "public, max-age=604800");

    // The offline page: its own inline style, allowed by hash, and no script.
    let offline = get("/hors-ligne.html", "identity").await.unwrap();
    let policy = offline.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    let html = offline.text().await.unwrap();
    let style = html.split("<style>").nth(1).and_then(|r| r.split("</style>").next()).unwrap();
    assert!(policy.contains(&format!("style-src 'sha256-{}'", BASE64.encode(Sha256::digest(style)))), "{policy}");
    assert!(policy.starts_with("default-src 'none'") && !policy.contains("script"), "{policy}");
}

#[tokio::test]
async fn pages_are_compressed_and_kept_by_no_shared_cache() {
    let (app, member) = TestApp::spawn_with_member().await;
    let (_, number, _) = used_voucher(&app, &member, "120").await;
    let page = |encoding: &'static str| {
        member
            .client
            .get(format!("{}/bons", app.base))
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
    };
    let plain = page("identity").await.unwrap();
    assert_eq!(plain.headers()[header::CACHE_CONTROL], "private, no-store");
    let plain = plain.bytes().await.unwrap().len();
    for encoding in ["br", "gzip"] {
        let res = page(encoding).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], encoding);
        assert!(res.headers()[header::VARY].to_str().unwrap().contains("accept-encoding"));
        assert_eq!(res.headers()[header::CACHE_CONTROL], "private, no-store");
        let sent = res.bytes().await.unwrap();
        // At least 40 % saved: short pages are compressed at brotli's quality 2
        // (http/compress.rs), which saves about half of a 2-3 KB page and three
        // quarters of a longer one; gzip does about the same.
        assert!(sent.len() * 10 < plain * 6, "{encoding}: {} bytes sent for a page of {plain}", sent.len());
        if encoding == "br" {
            // Pages are compressed whole (http/compress.rs): the browser reads the whole page.
            let mut page = String::new();
            std::io::Read::read_to_string(&mut brotli::Decompressor::new(&sent[..], 4096), &mut page).unwrap();
            assert!(page.contains(&number), "{page}");
            assert_eq!(page.len(), plain, "the same page as sent uncompressed, to its last script");
        }
    }
}

#[tokio::test]
async fn the_list_marks_the_cards_the_service_worker_keeps_for_offline_reading() {
    let (app, member) = TestApp::spawn_with_member().await;
    let (used, number, _) = used_voucher(&app, &member, "42").await;
    let issued = member.request_voucher_json(&app.supplier_id("Matériaux de l'Ouest").await, "7").await;

    let list = member.get("/bons").await;
    assert!(list.contains(&number));
    // The "Ouvrir" link of a voucher, as the service worker reads it.
    let link_to = |id: i64| {
        let href = format!(r#"href="/bons/{id}""#);
        let at = list.body.find(&href).unwrap_or_else(|| panic!("no link to voucher {id}: {}", list.body));
        let start = list.body[..at].rfind("<a ").unwrap();
        list.body[start..at + list.body[at..].find('>').unwrap()].to_owned()
    };
    // Only used vouchers' cards are fetched in the background, with their status.
    assert!(link_to(used).contains(r#"data-offline-card="11""#), "{}", link_to(used));
    assert!(!link_to(issued).contains("data-offline-card"), "{}", link_to(issued));

    // Each card says its status, so a kept card is fetched again when it changes.
    assert!(member.get(&format!("/bons/{used}")).await.body.contains(r#"data-voucher-status="11""#));
    assert!(member.get(&format!("/bons/{issued}")).await.body.contains(r#"data-voucher-status="1""#));
}

/// The service worker keeps a card from its own fetch (no `Accept:
/// text/html`, no redirect followed) only when the answer is a whole 200
/// page of that address with no `Location`. While the session lasts the
/// member's pages are such pages, kept by no cache but the worker's; once it
/// has ended, each answer is a redirect or carries a `Location`, whichever
/// way the server says it, and holds nothing of the member.
#[tokio::test]
async fn the_worker_gets_whole_pages_with_a_session_and_nothing_to_keep_without() {
    let (app, member) = TestApp::spawn_with_member().await;
    let (id, number, code) = used_voucher(&app, &member, "30").await;
    let pages = ["/".to_owned(), "/bons".to_owned(), format!("/bons/{id}"), format!("/bons/{id}/code")];
    let fetch = |path: &str| member.client.get(format!("{}{path}", app.base)).header(header::ACCEPT, "*/*").send();

    for path in &pages {
        let res = fetch(path).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.headers().get(header::LOCATION).is_none(), "{path}");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "private, no-store", "{path}: no browser cache keeps it");
        assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
        let body = res.text().await.unwrap();
        assert!(body.contains("</body>") && body.contains("</html>"), "{path}: the worker keeps whole pages: {body}");
        assert!(body.contains("Se déconnecter"), "{path}: the member's page: {body}");
    }
    let card = fetch(&format!("/bons/{id}")).await.unwrap().text().await.unwrap();
    assert!(card.contains(&number) && card.contains(&code), "{card}");

    let out = member.submit_raw("/bons", "/api/logout", &[]).await;
    assert!(out.status().is_redirection(), "{}", out.status());
    for path in &pages {
        let res = fetch(path).await.unwrap();
        let (status, location) = (res.status(), res.headers().get(header::LOCATION).cloned());
        let body = res.text().await.unwrap();
        assert!(status.is_redirection() || location.is_some(), "{path}: {status} without a Location: {body}");
        assert!(location.is_some_and(|l| l.to_str().unwrap().starts_with("/connexion")), "{path}");
        for secret in [PAID_UP, &number, &code] {
            assert!(!body.contains(secret), "{path}: {secret} in {body}");
        }
    }
}

/// A phone, or a reverse proxy, fetches static files one after the other on
/// a kept-alive connection: each is answered at once. A static file leaves
/// as headers, then body; with Nagle's algorithm on, the body waited for the
/// client's delayed ACK, about 40 ms (issue 12, finding 11).
#[tokio::test]
async fn static_files_on_a_kept_alive_connection_come_without_a_stall() {
    const FETCHES: usize = 100;
    let app = app_with_site().await;
    // One connection, kept alive from one request to the next.
    let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    let fetch = || async {
        let started = std::time::Instant::now();
        let res = client.get(format!("{}/hors-ligne.html", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(!res.bytes().await.unwrap().is_empty());
        started.elapsed()
    };
    fetch().await;
    let mut times = Vec::new();
    for _ in 0..FETCHES {
        times.push(fetch().await);
    }
    times.sort();
    let stalled = times.iter().filter(|t| **t >= std::time::Duration::from_millis(35)).count();
    println!(
        "{FETCHES} static files in a row on one connection: median {:?}, slowest {:?}, {stalled} of 35 ms or more",
        times[FETCHES / 2],
        times[FETCHES - 1]
    );
    // Without TCP_NODELAY, one file in eight or so waits; here a busy machine
    // may make a few slow.
    assert!(stalled <= 3, "{stalled} of {FETCHES} files waited 35 ms or more: Nagle's algorithm is on");
}
