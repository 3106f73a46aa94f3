//! Edges every response passes: security headers, the refusal of
//! state-changing requests sent from another site, and a deadline for pages.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{body::Body, middleware::Next};

/// What the guard needs to know about where the site lives.
#[derive(Clone)]
pub struct Edge {
    /// `https://bons.example.org`, without a trailing slash.
    pub public_origin: String,
    pub https: bool,
    /// The longest a page may take to render before the visitor is told to
    /// reload it.
    pub page_deadline: Duration,
}

/// Pages render in milliseconds; one that takes this long is stuck.
pub const PAGE_DEADLINE: Duration = Duration::from_secs(15);

impl Edge {
    pub fn new(public_url: &str) -> Edge {
        let origin = public_url.trim_end_matches('/');
        // The origin is scheme://host[:port]: drop any path.
        let origin = match origin.find("://").map(|i| i + 3) {
            Some(start) => match origin[start..].find('/') {
                Some(slash) => &origin[..start + slash],
                None => origin,
            },
            None => origin,
        };
        Edge { public_origin: origin.to_owned(), https: origin.starts_with("https://"), page_deadline: PAGE_DEADLINE }
    }
}

/// Refuses a state-changing request (anything but GET, HEAD, OPTIONS) that
/// the browser says comes from another site: a form on a hostile page cannot
/// spend a member's voucher, even with a session cookie.
pub async fn refuse_cross_site(State(edge): State<Edge>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(request.headers(), &edge) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site state-changing request");
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Requête refusée : elle ne vient pas de ce site. Rechargez la page puis réessayez.",
        )
            .into_response();
    }
    next.run(request).await
}

/// A page (GET or HEAD) that has not rendered within the deadline is
/// answered 503 with a French "reload" message instead of keeping the phone
/// waiting; a reload renders it afresh. The one stall seen, a page rendered
/// while another server of the process listed its routes, cannot happen
/// any more (`routes` in `mod.rs`); this guards against any other. Only
/// reads are cut short: a state-changing request always runs to its end.
pub async fn page_deadline(State(edge): State<Edge>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(edge.page_deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(%path, deadline = ?edge.page_deadline, "page rendering missed its deadline");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::RETRY_AFTER, "1")],
                "<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Rechargez la page</title>\
                 <p>La page met trop de temps à s'afficher. Rechargez-la.</p></html>",
            )
                .into_response()
        }
    }
}

fn is_cross_site(headers: &HeaderMap, edge: &Edge) -> bool {
    // Browsers send Sec-Fetch-Site with every request they make today.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    // Older browsers: compare Origin with our own origin, or with the Host the
    // request was sent to (the site may be reached by more than one name).
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some("null") => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
            origin != edge.public_origin && origin_host != host
        }
    }
}

/// Draws the nonce of a page load: Leptos writes it on the page's inline
/// scripts (`app::security::provide_page_nonce`) and the page's policy names
/// it. An HTML answer that set no policy of its own gets this one.
pub async fn page_nonce(mut request: Request<Body>, next: Next) -> Response {
    let nonce = app::security::PageNonce(leptos::nonce::Nonce::new().to_string());
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html
        && !response.headers().contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&app::security::page_policy(&nonce.0))
    {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Headers every response carries. The page's Content-Security-Policy is set
/// by the page itself (`app::security`), since it names that page's nonce.
pub async fn security_headers(State(edge): State<Edge>, request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // Anything that is not a page (files, server function answers) runs nothing.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    if edge.https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[tokio::test]
    async fn a_stuck_page_is_answered_with_a_reload_message_and_a_post_is_not_cut() {
        use axum::{Router, middleware, routing::get};
        use tower::ServiceExt;
        let mut edge = Edge::new("http://127.0.0.1:3000");
        edge.page_deadline = Duration::from_millis(50);
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            "rendu"
        };
        let app = Router::new()
            .route("/lent", get(slow).post(slow))
            .layer(middleware::from_fn_with_state(edge, page_deadline));
        let get_it = Request::get("/lent").body(Body::empty()).unwrap();
        let response = app.clone().oneshot(get_it).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(response.into_body(), 10_000).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("Rechargez-la"));
        let post_it = Request::post("/lent").body(Body::empty()).unwrap();
        assert_eq!(app.oneshot(post_it).await.unwrap().status(), StatusCode::OK);
    }

    #[test]
    fn the_public_origin_drops_paths() {
        assert_eq!(Edge::new("https://bons.example.org/").public_origin, "https://bons.example.org");
        assert_eq!(Edge::new("http://127.0.0.1:3000/x/y").public_origin, "http://127.0.0.1:3000");
        assert!(Edge::new("https://bons.example.org").https);
    }

    #[test]
    fn what_counts_as_cross_site() {
        let edge = Edge::new("https://bons.example.org");
        assert!(!is_cross_site(&headers(&[]), &edge), "no browser hints: scripts and tills");
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")]), &edge));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")]), &edge), "typed or bookmarked");
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")]), &edge));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")]), &edge));
        assert!(!is_cross_site(&headers(&[("origin", "https://bons.example.org")]), &edge));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example")]), &edge));
        assert!(is_cross_site(&headers(&[("origin", "null")]), &edge));
        assert!(!is_cross_site(&headers(&[("origin", "http://10.0.0.5:3000"), ("host", "10.0.0.5:3000")]), &edge));
    }
}
