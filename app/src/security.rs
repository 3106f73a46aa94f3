//! The page's Content-Security-Policy. It names the nonce Leptos gives this
//! page's inline scripts (hydration, resolved resources), so only those run;
//! `'wasm-unsafe-eval'` lets the browser compile the app's WASM.

#[cfg(feature = "ssr")]
pub fn provide_content_security_policy() {
    use axum::http::{HeaderValue, header};
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'",
        nonce.as_inner()
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}
