//! The page's Content-Security-Policy. It names the nonce this page's inline
//! scripts carry (hydration, resolved resources), so only those run;
//! `'wasm-unsafe-eval'` lets the browser compile the app's WASM.
//!
//! The HTTP layer draws the nonce for each request (`PageNonce`, in the
//! request's extensions), hands it to Leptos as the page's nonce
//! (`provide_page_nonce`), and writes the header on the response itself
//! (`server/src/http/guard.rs`): the header never depends on the page's
//! rendering reaching the response options. (Setting it from the page was
//! seen, about one load in four under the browser tests, to leave a page
//! with the fallback policy and every script blocked.)

/// `text` escaped for HTML, as text or as an attribute's value, appended to
/// `out`: for the few pieces of HTML written without Leptos's renderer.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The nonce of one page load.
#[derive(Debug, Clone)]
pub struct PageNonce(pub String);

/// The policy of a page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

/// Makes the request's `PageNonce` the nonce Leptos writes on the page's
/// scripts. Called in the route's additional context, after Leptos has
/// provided the request's parts.
#[cfg(feature = "ssr")]
pub fn provide_page_nonce() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<PageNonce>().cloned());
    match nonce {
        Some(PageNonce(value)) => provide_context(leptos::nonce::Nonce::from_value(value)),
        None => tracing::warn!("a page rendered without a nonce from the HTTP layer"),
    }
}
