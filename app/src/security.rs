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

/// The login page's address for someone who asked for `here` (a path and
/// query of ours) without a session: `/connexion?suivant=…`, so that the
/// login leads back to it.
pub fn login_path(here: &str) -> String {
    match own_path(here) {
        Some(here) if here != "/" && !here.starts_with("/connexion") => {
            let mut to = String::from("/connexion?suivant=");
            percent_encode(here, &mut to);
            to
        }
        _ => "/connexion".to_owned(),
    }
}

/// `candidate` if it is a path of this site (`/bons/3?x=1`), else None: a
/// scheme, a host (`//ev.il`, `/\ev.il`, which browsers read as one) or a
/// control character makes it someone else's. Where a login or a form
/// leads back to is only ever one of these.
pub fn own_path(candidate: &str) -> Option<&str> {
    let mut chars = candidate.chars();
    let ours = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !candidate.chars().any(|c| c.is_control() || c.is_whitespace());
    ours.then_some(candidate)
}

/// Percent-encodes `text` for a query string value, appended to `out`.
pub fn percent_encode(text: &str, out: &mut String) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_paths_are_places_to_go_back_to() {
        for ours in ["/", "/bons/3", "/agence/adherents?q=martin&agence=NA", "/fournisseur/factures/1?pdf=1"] {
            assert_eq!(own_path(ours), Some(ours));
        }
        for theirs in [
            "",
            "bons",
            "//ev.il/x",
            "/\\ev.il/x",
            "https://ev.il/",
            "javascript:alert(1)",
            "/\t/ev.il",
            "/ /ev.il",
            "/bons\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(own_path(theirs), None, "{theirs:?}");
        }
    }

    #[test]
    fn the_login_page_leads_back_to_the_page_asked_for() {
        assert_eq!(login_path("/bons/1"), "/connexion?suivant=/bons/1");
        assert_eq!(
            login_path("/agence/adherents?q=é&x=1"),
            "/connexion?suivant=/agence/adherents%3Fq%3D%C3%A9%26x%3D1"
        );
        assert_eq!(login_path("/"), "/connexion");
        assert_eq!(login_path("//ev.il"), "/connexion");
        assert_eq!(login_path("/connexion?suivant=/bons"), "/connexion");
    }
}
