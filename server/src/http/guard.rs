//! Edges every response passes: security headers, and the refusal of
//! state-changing requests sent from another site.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// What the guard needs to know about where the site lives.
#[derive(Clone)]
pub struct Edge {
    /// `https://bons.example.org`, without a trailing slash.
    pub public_origin: String,
    pub https: bool,
}

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
        Edge { public_origin: origin.to_owned(), https: origin.starts_with("https://") }
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
