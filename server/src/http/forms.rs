//! Forms at the edge: what a request may carry, what a server function's
//! refusal answers, and where a form posted without the WASM leads back to.
//!
//! - A body is read whole, up to the site's limit, before anything else
//!   sees it; past the limit (declared or not: a chunked body too) the
//!   answer is 413 with a French sentence. A NUL character (`%00`) in the
//!   address or a form is refused (422): nobody types one, PostgreSQL
//!   cannot store one in text, and SQLite ends the text there.
//! - A server function's refusal carries its error's own status: a form the
//!   server cannot read is a 422, not a 500 in the error log.
//! - Leptos sends a form posted without the WASM back to its `Referer`, with
//!   the error in the address (`__path`, `__err`). Here the way back is kept
//!   only as a path of our own (else `/`), and the error travels in a
//!   short-lived signed cookie instead (`FORM_ERROR_COOKIE`): an address can
//!   be written by anyone, a page shows only errors the server produced.
//! - A page asked for with `__path`/`__err` in its address is sent to the
//!   same address without them (Leptos would show that error, on the server
//!   and in the browser); the page the cookie is for gets its error
//!   (`app::FormError`), and the cookie is cleared.
//! - On that page, the fields of the form the error came from that it is
//!   about (`AppError::fields`) are marked `aria-invalid` and described by
//!   its notice (`app::FORM_ERROR_ID`), as the browser does with the WASM:
//!   a screen reader tells which field to correct.

use app::{FormError, error::AppError, server::AppState};
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
// Leptos encodes a server function's error in URL-safe base64 with padding
// (`URL_SAFE`); the cookie's own value has none.
use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use leptos::server_fn::error::{FromServerFnError, SERVER_FN_ERROR_HEADER};
use std::sync::Arc;

pub const FORM_ERROR_COOKIE: &str = "bons_form_error";
/// Long enough for the redirect to be followed on a slow phone.
const FORM_ERROR_SECONDS: u32 = 120;
/// A cookie holds about 4 KB; an error longer than this is summed up.
const MAX_COOKIE_VALUE: usize = 3_500;

/// What the form edges need to know.
#[derive(Clone)]
pub struct Forms {
    keys: Arc<app::server::codes::Keyring>,
    secure: bool,
    /// `https://bons.example.org`
    public_origin: String,
    body_limit: usize,
}

impl Forms {
    pub fn new(state: &AppState, public_origin: &str, body_limit: usize) -> Forms {
        Forms {
            keys: state.keys.clone(),
            secure: state.settings.secure_cookies(),
            public_origin: public_origin.to_owned(),
            body_limit,
        }
    }
}

/// Reads the body whole, refusing it past the limit (413) or when it cannot
/// be read (400), with a French sentence either way.
pub async fn limit_body(State(forms): State<Forms>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    if has_nul(parts.uri.path().as_bytes()) || parts.uri.query().is_some_and(|q| has_nul(q.as_bytes())) {
        return refusal(&parts.headers, &nul_refused());
    }
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > forms.body_limit as u64) {
        drain(body).await;
        return refusal(&parts.headers, &AppError::TooLarge);
    }
    match read_body(body, forms.body_limit).await {
        Ok(bytes) if has_nul(&bytes) => refusal(&parts.headers, &nul_refused()),
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(e) => refusal(&parts.headers, &e),
    }
}

/// A NUL, raw or percent-encoded.
fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

fn nul_refused() -> AppError {
    AppError::Invalid("Ce que vous avez envoyé contient un caractère invisible : effacez-le puis réessayez.".into())
}

async fn read_body(mut body: Body, limit: usize) -> Result<Bytes, AppError> {
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
        // A sender that hangs up half-way: nothing to answer for.
        let frame = frame.map_err(|_| AppError::Unreadable)?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                drain(body).await;
                return Err(AppError::TooLarge);
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(bytes))
}

/// What of a refused body is read and dropped before the answer.
const DRAIN_BYTES: usize = 1024 * 1024;
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads what is left of a refused body (up to `DRAIN_BYTES`, for at most
/// `DRAIN_TIME`) and drops it. A client still sending would otherwise see
/// the connection reset (we close it with its data unread) instead of the
/// 413 that says why; a body far past the limit is cut off all the same.
async fn drain(mut body: Body) {
    let mut left = DRAIN_BYTES;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(frame)) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
            let read = frame.data_ref().map_or(0, Bytes::len);
            if read >= left {
                break;
            }
            left -= read;
        }
    })
    .await;
}

/// A refusal before any handler ran: a short French page for a browser, the
/// error as server functions encode it for anyone else.
fn refusal(headers: &HeaderMap, e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
    if accepts_html(headers) {
        let mut message = String::new();
        app::security::escape_html(&e.to_string(), &mut message);
        let html = format!(
            "<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width, initial-scale=1\"><title>Bons Castors</title><p>{message}</p></html>"
        );
        return (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    }
    (status, [(header::CONTENT_TYPE, "application/json")], e.ser()).into_response()
}

/// Server functions' answers and pages' addresses, as the module says.
pub async fn form_edges(State(forms): State<Forms>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/api/") {
        let html = accepts_html(request.headers());
        let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let response = with_error_status(next.run(request).await).await;
        return if html { way_back(&forms, response, host.as_deref()) } else { response };
    }
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    if let Some(query) = request.uri().query() {
        let (clean, found) = without_error(query);
        if found.is_some() {
            let to = if clean.is_empty() { path } else { format!("{path}?{clean}") };
            return see_other(&to);
        }
    }
    let here = path_and_query(request.uri());
    let Some(found) = read_cookie(&forms, request.headers()) else {
        return next.run(request).await;
    };
    if found.0 != here {
        return next.run(request).await;
    }
    let error = found.1.clone();
    request.extensions_mut().insert(found.1);
    let mut response = next.run(request).await;
    response.headers_mut().append(header::SET_COOKIE, cookie(&forms, "", 0));
    mark_fields(response, &error).await
}

/// The largest page whose fields are marked (ours are far smaller).
const MAX_MARKED_PAGE: usize = 4 * 1024 * 1024;

/// The page sent back with `error`, its form's fields marked (see the module).
async fn mark_fields(response: Response, error: &FormError) -> Response {
    let decoded = error.decoded();
    let fields = decoded.fields();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if fields.is_empty() || !html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_MARKED_PAGE).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, AppError::Internal.to_string()).into_response();
    };
    let Ok(page) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    match marked(page, &error.source, &fields) {
        Ok(page) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(page))
        }
        Err(e) => {
            tracing::warn!(error = %e, "form error's fields left unmarked");
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// `page` with the `fields` of the form posting to `source` marked invalid
/// and described by the form's error notice.
fn marked(page: &str, source: &str, fields: &[&str]) -> Result<String, String> {
    use lol_html::{ElementContentHandlers, RewriteStrSettings, Selector, html_content::Element, rewrite_str};
    use std::borrow::Cow;
    // Sources and field names are ours (paths, identifiers); anything else
    // could not be put in a selector.
    let plain = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c));
    if !plain(source) {
        return Ok(page.to_owned());
    }
    let mut settings = RewriteStrSettings::new();
    for field in fields.iter().filter(|field| plain(field)) {
        let selector: Selector = format!(r#"form[action="{source}"] [name="{field}"]:not([type="hidden"])"#)
            .parse()
            .map_err(|e| format!("selector for {field}: {e}"))?;
        let mark = ElementContentHandlers::default().element(|el: &mut Element| {
            el.set_attribute("aria-invalid", "true")?;
            let described = el.get_attribute("aria-describedby").unwrap_or_default();
            el.set_attribute("aria-describedby", format!("{} {described}", app::FORM_ERROR_ID).trim())?;
            Ok(())
        });
        settings = settings.append_element_content_handler((Cow::Owned(selector), mark));
    }
    rewrite_str(page, settings).map_err(|e| e.to_string())
}

/// A server function's refusal is encoded with status 500 whatever it is
/// (server_fn's `error_response`), for a form it could not even read too:
/// the error's own status replaces it.
async fn with_error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, AppError::Internal.ser()).into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The redirect that answers a form posted without the WASM: to a path of
/// ours only, with the error moved from the address to the cookie.
fn way_back(forms: &Forms, mut response: Response, host: Option<&str>) -> Response {
    let Some(location) = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) else {
        return response;
    };
    let path = own_location(location, &forms.public_origin, host);
    let (path, error) = match path.split_once('?') {
        Some((path, query)) => {
            let (clean, found) = without_error(query);
            (if clean.is_empty() { path.to_owned() } else { format!("{path}?{clean}") }, found.flatten())
        }
        None => (path, None),
    };
    if let Ok(value) = HeaderValue::from_str(&path) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    if let Some(error) = error {
        response.headers_mut().append(header::SET_COOKIE, form_error_cookie(forms, &path, error));
    }
    response
}

/// Where a redirect may lead: the path and query of an address on our own
/// origin (or the host the request was sent to), a path of ours, else `/`.
fn own_location(location: &str, public_origin: &str, host: Option<&str>) -> String {
    let path = match location.split_once("://") {
        Some((_, rest)) => {
            let (authority, path) = rest.find('/').map_or((rest, "/"), |at| (&rest[..at], &rest[at..]));
            let ours = location.starts_with(public_origin) && location[public_origin.len()..].starts_with('/')
                || host.is_some_and(|h| h.eq_ignore_ascii_case(authority));
            if ours { path } else { "/" }
        }
        None => location,
    };
    app::security::own_path(path).unwrap_or("/").to_owned()
}

/// The query without Leptos's `__path` and `__err`, and, when it had
/// either, the error they carried (its server function's path, and the
/// error encoded) if it had both.
fn without_error(query: &str) -> (String, Option<Option<FormError>>) {
    let (mut source, mut error) = (None, None);
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "__path" => source = Some(value.into_owned()),
            "__err" => error = Some(value.into_owned()),
            _ => {
                kept.append_pair(&key, &value);
            }
        }
    }
    let had_any = source.is_some() || error.is_some();
    let found = source.zip(error).map(|(source, error)| FormError { source, error });
    (kept.finish(), had_any.then_some(found))
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query().map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// A redirect of a browser to one of our pages with `error` for it, for the
/// handlers outside Leptos (the invoice PDF's upload).
pub fn back_with_error(state: &AppState, to: &str, source: &str, error: &AppError) -> Response {
    let forms = Forms::new(state, "", 0);
    let found = FormError { source: source.to_owned(), error: URL_SAFE.encode(error.ser()) };
    let mut response = see_other(to);
    response.headers_mut().append(header::SET_COOKIE, form_error_cookie(&forms, to, found));
    response
}

fn see_other(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// The cookie carrying `error` to the page at `to`, signed.
fn form_error_cookie(forms: &Forms, to: &str, mut error: FormError) -> HeaderValue {
    let mut value = encode(to, &error);
    if value.len() > MAX_COOKIE_VALUE {
        let summed_up = AppError::Invalid("Le formulaire n'a pas été enregistré : vérifiez-le puis réessayez.".into());
        error.error = URL_SAFE.encode(summed_up.ser());
        value = encode(to, &error);
    }
    let signed = format!("{value}.{}", forms.keys.sign_flash(&value));
    cookie(forms, &signed, FORM_ERROR_SECONDS)
}

fn encode(to: &str, error: &FormError) -> String {
    let json = serde_json::json!({ "to": to, "source": error.source, "error": error.error });
    URL_SAFE_NO_PAD.encode(json.to_string())
}

fn cookie(forms: &Forms, value: &str, max_age: u32) -> HeaderValue {
    let secure = if forms.secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{FORM_ERROR_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static("bons_form_error=; Path=/; Max-Age=0"))
}

/// The page the cookie is for and its error, if the cookie is ours.
fn read_cookie(forms: &Forms, headers: &HeaderMap) -> Option<(String, FormError)> {
    let value = app::server::auth::cookie_value(headers, FORM_ERROR_COOKIE)?;
    let (value, signature) = value.rsplit_once('.')?;
    if !forms.keys.verify_flash(value, signature) {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(value).ok()?).ok()?;
    let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Some((text("to")?, FormError { source: text("source")?, error: text("error")? }))
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_of_the_form_that_failed_are_marked_and_no_other() {
        let page = r#"<form action="/api/save"><input name="code" aria-describedby="aide"><input type="hidden" name="id"><input name="name"></form><form action="/api/create"><input name="code"></form>"#;
        let out = marked(page, "/api/save", &["code", "id"]).unwrap();
        assert_eq!(
            out,
            r#"<form action="/api/save"><input name="code" aria-describedby="erreur-formulaire aide" aria-invalid="true"><input type="hidden" name="id"><input name="name"></form><form action="/api/create"><input name="code"></form>"#
        );
        assert_eq!(marked(page, "/api/x\"]", &["code"]).unwrap(), page, "nothing put in a selector but our names");
    }

    #[test]
    fn a_form_leads_back_only_to_our_own_pages() {
        let origin = "https://bons.example.org";
        let back = |l: &str| own_location(l, origin, Some("10.0.0.5:3000"));
        assert_eq!(back("https://bons.example.org/bons/3?x=1"), "/bons/3?x=1");
        assert_eq!(back("http://10.0.0.5:3000/agence"), "/agence");
        assert_eq!(back("/bons/nouveau?emis=4"), "/bons/nouveau?emis=4");
        for elsewhere in [
            "https://ev.il/phish",
            "https://bons.example.org.ev.il/x",
            "https://bons.example.org@ev.il/x",
            "//ev.il/x",
            "/\\ev.il/x",
            "javascript:alert(1)",
            "https://bons.example.org//ev.il/x",
        ] {
            assert_eq!(back(elsewhere), "/", "{elsewhere}");
        }
    }

    #[test]
    fn leptos_error_parameters_are_taken_out_of_a_query() {
        let (clean, error) = without_error("suivant=%2Fbons&__path=%2Fapi%2Flogin&__err=eyJ9&x=a+b");
        assert_eq!(clean, "suivant=%2Fbons&x=a+b");
        assert_eq!(error, Some(Some(FormError { source: "/api/login".into(), error: "eyJ9".into() })));
        assert_eq!(without_error("q=martin"), ("q=martin".to_owned(), None));
        assert_eq!(without_error("__err=x").1, Some(None), "half of it is still taken out");
    }
}
