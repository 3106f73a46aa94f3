//! Pages compressed whole, with brotli.
//!
//! The general compression layer (tower-http) compresses as the body
//! streams: its encoder cannot know the page's size, so it sets up the
//! largest window (4 MB) and zeroes it and its match tables for every page,
//! a fifth of a page's server time in a profile of the list page. Pages are
//! rendered whole before they are sent (`SsrMode::Async`), so nothing is lost
//! by buffering one: it is compressed in one go, with a window fitted to its
//! size, at a quality that keeps it cheap (`QUALITY`).
//! Everything else (server functions' answers, clients without brotli) still
//! goes through the general layer, which leaves an encoded answer alone.

use axum::body::{Body, to_bytes};
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{extract::Request, middleware::Next};

/// Brotli's quality for pages. From 3 up the encoder keeps hash chains;
/// 2 keeps one slot per hash, and pages (rows of the same markup, or the
/// same head and shell) lose little by it: "Demande de bons" with 200
/// vouchers, 63 KB, compresses to 2.7 KB instead of 2.5 KB at quality 4, in
/// a third less of the server's time. Short pages were tried at 4 (170df76):
/// the login page gained 83 bytes (1,220 to 1,137, under a millisecond on
/// slow 4G) for 2.6 times the compression time, and the page's rate under
/// `wrk` fell from 11.9 k to 6.9 k requests per second. Never 5 or more:
/// from 5 the encoder sets up tables of megabytes for each page.
const QUALITY: i32 = 2;
const _: () = assert!(QUALITY <= 4, "from 5 brotli sets up megabyte tables per page");

/// Smaller pages are sent as they are (`MIN_COMPRESSED_BYTES` in `mod.rs`).
const MIN_BYTES: usize = 1024;

/// No page of ours comes near; a bigger one is an error, not a page.
const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

pub async fn pages(req: Request, next: Next) -> Response {
    let brotli = accepts_brotli(req.headers());
    let res = next.run(req).await;
    let html =
        res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if !brotli || !html || res.headers().contains_key(CONTENT_ENCODING) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let page = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "page body could not be read for compression");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    parts.headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    if page.len() < MIN_BYTES {
        return Response::from_parts(parts, Body::from(page));
    }
    let compressed = compress(&page);
    parts.headers.insert(CONTENT_ENCODING, HeaderValue::from_static("br"));
    parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(compressed.len()));
    Response::from_parts(parts, Body::from(compressed))
}

/// `br` listed in Accept-Encoding, and not with `q=0`.
fn accepts_brotli(headers: &HeaderMap) -> bool {
    headers.get_all(ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|item| {
        let mut parts = item.split(';').map(str::trim);
        parts.next().is_some_and(|name| name.eq_ignore_ascii_case("br"))
            && parts.all(|param| param.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()).is_none_or(|q| q > 0.0))
    })
}

/// The page in brotli, with the smallest window that holds all of it.
fn compress(page: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: QUALITY,
        // 2^lgwin - 16 bytes of window: brotli's bounds are 10 and 24.
        lgwin: (usize::BITS - (page.len() + 16).leading_zeros()).clamp(10, 24) as i32,
        size_hint: page.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(page.len() / 4);
    brotli::BrotliCompress(&mut &page[..], &mut out, &params).expect("brotli writes to memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_ENCODING, HeaderValue::from_str(accept).unwrap());
        h
    }

    #[test]
    fn brotli_is_used_when_the_browser_lists_it() {
        assert!(accepts_brotli(&headers("gzip, deflate, br, zstd")));
        assert!(accepts_brotli(&headers("br;q=0.5")));
        assert!(!accepts_brotli(&headers("gzip, br;q=0")));
        assert!(!accepts_brotli(&headers("gzip, deflate")));
        assert!(!accepts_brotli(&headers("identity")));
        assert!(!accepts_brotli(&HeaderMap::new()));
    }

    #[test]
    fn a_page_comes_back_whole_from_its_compressed_form() {
        for size in [1500usize, 70_000, 300_000] {
            let page: Vec<u8> = (0..size)
                .map(|i| b"<tr><td>W2026.44.442.00000123</td><td>Bon</td></tr>"[i % 50] ^ (i / 977) as u8)
                .collect();
            let compressed = compress(&page);
            assert!(compressed.len() * 4 < page.len(), "{size}: {} bytes", compressed.len());
            let mut back = Vec::new();
            brotli::Decompressor::new(&compressed[..], 4096).read_to_end(&mut back).unwrap();
            assert_eq!(back, page, "{size} bytes");
        }
    }
}
