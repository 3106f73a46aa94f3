//! Server functions: thin. Each names who may ask (a guard, run by
//! `context::serve`), makes one service call, and returns what the page
//! renders. Their URLs are stable (`/api/<name>`) so
//! plain HTML forms post to them when the WASM has not loaded.

pub mod agency;
pub mod auth;
pub mod money;
pub mod shop;
pub mod sponsor;
pub mod structures;
pub mod supplier;
pub mod vouchers;

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use crate::error::AppError;
    use crate::server::{AppState, error::ServerError};
    use axum::extract::FromRequestParts;
    use axum::http::{StatusCode, header, request::Parts};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    pub fn request() -> Result<(AppState, Parts), AppError> {
        Ok((AppState::current()?, parts()?))
    }

    /// The request's method, address and headers.
    pub fn parts() -> Result<Parts, AppError> {
        use_context::<Parts>().ok_or(AppError::Internal)
    }

    /// The address the request came from: attempt budgets count per address.
    pub fn address(state: &AppState) -> Result<String, AppError> {
        Ok(crate::server::auth::client_address(state, &parts()?))
    }

    /// A server function's body, run for whoever the guard `G` lets in
    /// (`crate::server::guards`): the guard refuses anyone else with its
    /// own error. Then, as `finish` says, a JSON caller gets the error's
    /// status.
    ///
    /// The guard is an axum extractor, run on the request's parts the way
    /// `leptos_axum::extract_with_state` would; called directly, its
    /// refusal stays an `AppError` instead of becoming a `ServerFnError`
    /// string.
    /// The body's failures keep their cause up to here, where one that is
    /// not a refusal is logged and becomes « erreur interne ».
    pub async fn serve<G, T, Body>(body: impl FnOnce(AppState, G) -> Body) -> Result<T, AppError>
    where
        G: FromRequestParts<AppState, Rejection = AppError>,
        Body: Future<Output = Result<T, ServerError>>,
    {
        let answer = async {
            let (state, mut parts) = request()?;
            let who = G::from_request_parts(&mut parts, &state).await?;
            Ok(body(state, who).await?)
        };
        finish(answer.await)
    }

    /// A form's server function: `serve`s the body, then leads to the page
    /// whose address the body returns, which shows what was done (a plain
    /// form post is redirected there; with the WASM, the router goes
    /// there). Nothing is redirected when the body fails.
    pub async fn serve_and_redirect<G, Body>(body: impl FnOnce(AppState, G) -> Body) -> Result<(), AppError>
    where
        G: FromRequestParts<AppState, Rejection = AppError>,
        Body: Future<Output = Result<String, ServerError>>,
    {
        let next = serve(body).await?;
        leptos_axum::redirect(&next);
        Ok(())
    }

    /// A JSON client (the hydrated app, a test, a script) calling a server
    /// function gets the error's HTTP status. A plain form post keeps the
    /// redirect Leptos gives it, and a page rendering on the server (which
    /// calls server functions directly) keeps its own status.
    pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            let json_call =
                use_context::<Parts>().is_some_and(|p| p.uri.path().starts_with("/api/") && !wants_html(&p));
            if let (true, Some(response)) = (json_call, use_context::<ResponseOptions>()) {
                response.set_status(StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
            }
        }
        result
    }

    /// The screen a server function leads to, when the hydrated app draws it
    /// from the answer itself: a form post (no WASM) is redirected there; a
    /// JSON call gets only the `Location` header, without the header that
    /// would make the app navigate there and ask the server again. The
    /// service worker reads that header to fetch a fresh copy of the
    /// voucher's page for offline reading (`refreshAfter`, service_worker.js).
    pub fn shown_next(path: &str) {
        if use_context::<Parts>().is_some_and(|p| wants_html(&p)) {
            leptos_axum::redirect(path);
        } else if let (Some(response), Ok(path)) =
            (use_context::<ResponseOptions>(), header::HeaderValue::from_str(path))
        {
            response.insert_header(header::LOCATION, path);
        }
    }

    /// A browser's plain form post, not the app's or a script's JSON call.
    fn wants_html(parts: &Parts) -> bool {
        parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    }
}
