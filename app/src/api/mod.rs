//! Server functions: thin. Each finds who is asking, makes one service call,
//! and returns what the page renders. Their URLs are stable (`/api/<name>`) so
//! plain HTML forms post to them when the WASM has not loaded.

pub mod agency;
pub mod auth;
pub mod invoices;
pub mod money;
pub mod supplier;
pub mod vouchers;

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use crate::{error::AppError, server::AppState};
    use axum::http::{StatusCode, header, request::Parts};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    pub fn request() -> Result<(AppState, Parts), AppError> {
        let parts = use_context::<Parts>().ok_or(AppError::Internal)?;
        Ok((AppState::current()?, parts))
    }

    /// A JSON client (the hydrated app, a test, a script) calling a server
    /// function gets the error's HTTP status. A plain form post keeps the
    /// redirect Leptos gives it, and a page rendering on the server (which
    /// calls server functions directly) keeps its own status.
    pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            let json_call = use_context::<Parts>().is_some_and(|p| {
                let wants_html = p
                    .headers
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"));
                p.uri.path().starts_with("/api/") && !wants_html
            });
            if let (true, Some(response)) = (json_call, use_context::<ResponseOptions>()) {
                response.set_status(StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
            }
        }
        result
    }
}
