//! A request id on every log line of a request.
//!
//! The id is the load balancer's `X-Request-Id` when it sent a sane one (so
//! its log and ours name the same request), else 16 hex digits drawn here.
//! It is written in the request's span, which every line logged while the
//! request is served carries, and sent back in the answer's `X-Request-Id`:
//! a person reporting a failure can quote it, and staff find the lines.

use axum::http::{HeaderName, HeaderValue, Request};
use axum::{body::Body, middleware::Next, response::Response};
use tracing::Span;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

/// Gives the request its id (outside the trace layer, which reads it) and
/// the answer the same id.
pub async fn tag(mut request: Request<Body>, next: Next) -> Response {
    let id = request.headers().get(&HEADER).filter(|v| is_sane(v.as_bytes())).cloned().unwrap_or_else(draw);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    response.headers_mut().insert(HEADER, id);
    response
}

/// The request's span: its id, method and path. Never the query: the
/// public check link carries a signature there.
pub fn span(request: &Request<Body>) -> Span {
    let id = request.extensions().get::<RequestId>().and_then(|id| id.0.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
}

fn draw() -> HeaderValue {
    let id = format!("{:016x}", rand::random::<u64>());
    HeaderValue::from_str(&id).expect("hex digits are a header value")
}

/// Up to 64 letters, digits, `-`, `_` or `.`: anything else is a client's
/// invention we do not copy into our log.
fn is_sane(id: &[u8]) -> bool {
    (1..=64).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_are_kept() {
        assert!(is_sane(b"3f9c2a7b-1d2e-4c5f-8a9b-0c1d2e3f4a5b"));
        assert!(!is_sane(b""));
        assert!(!is_sane(b"a b"));
        assert!(!is_sane(b"x\ny"));
        assert!(!is_sane("é".as_bytes()));
        assert!(!is_sane(&[b'a'; 65]));
        assert_eq!(draw().len(), 16);
    }
}
