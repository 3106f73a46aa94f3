//! The built site as phones get it: the service worker, and how long each
//! kind of response may be kept.
//!
//! - `/sw.js` is written here, at start: the worker's code
//!   (`service_worker.js`) under two constants, the build's id and the
//!   list of static files to keep. The id is a hash of the worker and of
//!   those files' contents, so every release that changes any of them gets
//!   a new worker, new cache names, and takes over at the next visit.
//! - The bundle's files, whose names carry their content's hash
//!   (`hash-files`), may be kept for a year; the worker, the manifest and
//!   `pwa.js` are checked at every use; pages are private and never stored
//!   by the browser: the member's copies are the worker's alone, which a
//!   logout empties (the browser's cache, or its back-forward cache, would
//!   keep them past it).
//!   Built with `--split`, the main JS and WASM are checked at every use as
//!   well: their names do not follow their content (`Site::revalidated`).
//! - Static files are served pre-compressed (cargo-leptos `--precompress`
//!   writes `.br` and `.gz` beside them); pages and server function answers
//!   are compressed on the way out (`CompressionLayer`, in `mod.rs`).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, body::Body, middleware::Next, routing::get};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use leptos::config::LeptosOptions;
use sha2::{Digest, Sha256};
use std::{path::Path, sync::Arc};

/// The worker's code; `Site::load` writes `BUILD` and `PRECACHE` above it.
const SERVICE_WORKER: &str = include_str!("service_worker.js");

/// Shown by the worker when the network fails and it has no copy of the page.
pub const OFFLINE_PAGE: &str = "/hors-ligne.html";

/// Static files of `public/` the worker keeps besides the bundle and the icons.
const KEPT_PUBLIC_FILES: [&str; 4] = ["/pwa.js", "/manifest.webmanifest", "/favicon.svg", OFFLINE_PAGE];

const FOR_A_YEAR: &str = "public, max-age=31536000, immutable";
const FOR_A_WEEK: &str = "public, max-age=604800";
const CHECK_FIRST: &str = "no-cache";
const PRIVATE_NEVER_STORED: &str = "private, no-store";

/// What the site serves besides the pages, worked out once at start.
pub struct Site {
    /// This build's id, in the worker's cache names.
    pub build: String,
    /// The files the worker keeps at install, as paths (`/pkg/bons.<hash>.wasm`).
    pub precache: Vec<String>,
    service_worker: String,
    /// The bundle's names carry a hash: they may be kept for good.
    hashed: bool,
    /// Bundle files whose names carry a hash that is not their content's.
    /// With `--split`, cargo-leptos names the main JS and WASM from their
    /// content before it writes the chunks' loader's hashed name into them:
    /// a build that changes only a chunk ships them under the previous
    /// build's names, with a loader name that is new. Kept for a year, the
    /// previous copies would ask for a loader that no longer exists.
    revalidated: Vec<String>,
    /// The offline page's policy: no script, its own inline style by hash.
    offline_page_policy: HeaderValue,
}

impl Site {
    /// Reads the built site under `site_root` (files that are missing, as in
    /// tests run without `cargo leptos build`, are left out).
    pub fn load(options: &LeptosOptions) -> Site {
        let bundle = app::site::bundle(options);
        let root = Path::new(&*options.site_root);
        // With `--split`, the main JS imports the chunks' loader: without it
        // offline, no page hydrates. The chunks themselves (the supplier
        // space, the back office, the occasional pages) are not kept at
        // install: the counter's pages never need them; the worker keeps
        // each one the first time it is fetched, like any file under /pkg/.
        let mut precache: Vec<String> =
            [&bundle.js, &bundle.split, &bundle.wasm, &bundle.css].into_iter().cloned().collect();
        precache.extend(KEPT_PUBLIC_FILES.iter().map(|f| (*f).to_owned()));
        precache.extend(icons(root));
        precache.retain(|path| root.join(path.trim_start_matches('/')).is_file());

        let mut id = Sha256::new();
        id.update(SERVICE_WORKER);
        for path in &precache {
            id.update(path);
            id.update(std::fs::read(root.join(path.trim_start_matches('/'))).unwrap_or_default());
        }
        let build = hex::encode(&id.finalize()[..8]);
        let split = root.join(bundle.split.trim_start_matches('/')).is_file();
        let revalidated = if split { vec![bundle.js.clone(), bundle.wasm.clone()] } else { Vec::new() };
        let list = serde_json::to_string(&precache).expect("a list of strings is JSON");
        let service_worker = format!(
            "// Written by the server for this build (server/src/http/site.rs).\n\
             const BUILD = \"{build}\";\nconst PRECACHE = {list};\n\n{SERVICE_WORKER}"
        );
        let offline_page = std::fs::read_to_string(root.join(OFFLINE_PAGE.trim_start_matches('/'))).unwrap_or_default();
        Site {
            build,
            precache,
            service_worker,
            hashed: bundle.hashed,
            revalidated,
            offline_page_policy: offline_page_policy(&offline_page),
        }
    }
}

/// The icons under `<site>/icons/`, without their compressed twins.
fn icons(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join("icons")) else {
        return Vec::new();
    };
    let mut icons: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| !name.ends_with(".br") && !name.ends_with(".gz"))
        .map(|name| format!("/icons/{name}"))
        .collect();
    icons.sort();
    icons
}

/// A policy that lets the offline page's one inline `<style>` apply, by its
/// SHA-256, and nothing else run.
fn offline_page_policy(html: &str) -> HeaderValue {
    let style = html
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(css, _)| format!(" style-src 'sha256-{}';", BASE64.encode(Sha256::digest(css))))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none';{style} img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'none'"))
}

/// `/sw.js`, from the site's root so that it may control every page.
pub fn router<S: Clone + Send + Sync + 'static>(site: Arc<Site>) -> Router<S> {
    Router::new().route("/sw.js", get(service_worker)).with_state(site)
}

async fn service_worker(State(site): State<Arc<Site>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            // Browsers check for a new worker at each visit: never from a cache.
            (header::CACHE_CONTROL, HeaderValue::from_static(CHECK_FIRST)),
            // A worker's own policy governs the requests it makes: same origin only.
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; connect-src 'self'")),
        ],
        site.service_worker.clone(),
    )
        .into_response()
}

/// Sets how long a response may be kept, unless its handler said so itself.
pub async fn cache_headers(State(site): State<Arc<Site>>, request: Request<Body>, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let ok = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    if path == OFFLINE_PAGE && ok {
        headers.insert(header::CONTENT_SECURITY_POLICY, site.offline_page_policy.clone());
    }
    if !ok || headers.contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let is_page =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let policy = if path.starts_with("/pkg/") {
        if site.hashed && !site.revalidated.contains(&path) { FOR_A_YEAR } else { CHECK_FIRST }
    } else if path.starts_with("/icons/") || path == "/favicon.svg" {
        FOR_A_WEEK
    } else if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
        return response;
    } else if is_page && path != OFFLINE_PAGE {
        PRIVATE_NEVER_STORED
    } else {
        CHECK_FIRST
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offline_page_policy_names_its_style_and_runs_nothing() {
        let policy = offline_page_policy("<head><style>body { margin: 0; }</style></head>");
        let policy = policy.to_str().unwrap();
        let expected = BASE64.encode(Sha256::digest("body { margin: 0; }"));
        assert!(policy.contains(&format!("style-src 'sha256-{expected}'")), "{policy}");
        assert!(policy.starts_with("default-src 'none';"), "{policy}");
        assert!(!policy.contains("script-src") && !policy.contains("unsafe-inline"), "{policy}");
    }

    fn site_with(files: &[(&str, &str)]) -> (tempfile::TempDir, LeptosOptions) {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let options = LeptosOptions::builder().output_name("bons").site_root(dir.path().display().to_string()).build();
        (dir, options)
    }

    #[test]
    fn a_new_build_gets_a_new_worker_and_the_same_build_the_same_one() {
        let files = [
            ("pkg/bons.wasm", "wasm 1"),
            ("pkg/bons.js", "js"),
            ("pkg/__wasm_split.______________________.js", "loader"),
            ("pkg/split_agency_page_1234.wasm", "back office"),
            ("pwa.js", "register"),
            ("icons/a.png", "png"),
        ];
        let (_dir, options) = site_with(&files);
        let (first, again) = (Site::load(&options), Site::load(&options));
        assert_eq!(first.build, again.build, "two servers of one release agree");
        assert_eq!(
            first.precache,
            [
                "/pkg/bons.js",
                "/pkg/__wasm_split.______________________.js",
                "/pkg/bons.wasm",
                "/pwa.js",
                "/icons/a.png"
            ],
            "the chunks' loader is kept, not the chunks"
        );
        assert_eq!(first.revalidated, ["/pkg/bons.js", "/pkg/bons.wasm"], "a split build's main files");
        let (_other, options) = site_with(&[
            ("pkg/bons.wasm", "wasm 2"),
            ("pkg/bons.js", "js"),
            ("pwa.js", "register"),
            ("icons/a.png", "png"),
        ]);
        assert_ne!(Site::load(&options).build, first.build, "one byte of the bundle changed");
    }

    #[tokio::test]
    async fn each_kind_of_response_gets_its_lifetime() {
        use axum::{body::Body, http::Request, middleware};
        use tower::ServiceExt;
        let site = Arc::new(Site {
            build: "b".into(),
            precache: Vec::new(),
            service_worker: String::new(),
            hashed: true,
            revalidated: vec!["/pkg/bons.main.js".into()],
            offline_page_policy: HeaderValue::from_static("default-src 'none'"),
        });
        let html = || async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], "<p>page</p>") };
        let app: Router = Router::new()
            .route("/pkg/bons.abc.wasm", get(|| async { "wasm" }))
            .route("/pkg/bons.main.js", get(|| async { "js" }))
            .route("/icons/castors-192.png", get(|| async { "png" }))
            .route("/pwa.js", get(|| async { "js" }))
            .route("/bons", get(html))
            .route(OFFLINE_PAGE, get(html))
            .route("/api/my_vouchers", axum::routing::post(|| async { "[]" }))
            .layer(middleware::from_fn_with_state(site, cache_headers));
        let expected = [
            ("GET", "/pkg/bons.abc.wasm", Some("public, max-age=31536000, immutable")),
            ("GET", "/pkg/bons.main.js", Some("no-cache")),
            ("GET", "/icons/castors-192.png", Some("public, max-age=604800")),
            ("GET", "/pwa.js", Some("no-cache")),
            ("GET", "/bons", Some("private, no-store")),
            ("GET", OFFLINE_PAGE, Some("no-cache")),
            ("POST", "/api/my_vouchers", None),
            ("GET", "/pkg/missing.wasm", None),
        ];
        for (method, path, lifetime) in expected {
            let request = Request::builder().method(method).uri(path).body(Body::empty()).unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            let got = response.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(got.as_deref(), lifetime, "{method} {path}");
        }
    }

    #[test]
    fn the_worker_of_a_site_not_built_still_loads() {
        let options = LeptosOptions::builder().output_name("bons").site_root("/nonexistent").build();
        let site = Site::load(&options);
        assert!(site.precache.is_empty());
        assert!(site.service_worker.starts_with("// Written by the server"));
        assert!(site.service_worker.contains(&format!("const BUILD = \"{}\";", site.build)));
        assert!(site.service_worker.contains("const PRECACHE = [];"));
    }
}
