//! Everything that needs the database or the server's secrets. Compiled only
//! with the `ssr` feature: none of it reaches the browser.

pub mod audit;
pub mod auth;
pub mod budgets;
pub mod cii;
pub mod clock;
pub mod codes;
pub mod db;
pub mod demo;
pub mod error;
pub mod guards;
pub mod images;
pub mod jobs;
pub mod mail;
pub mod meters;
pub mod pdf;
pub mod services;
pub mod spreadsheet;
pub mod store;
pub mod strength;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Server settings, validated once at start (see `server/src/config.rs`).
/// The rules of vouchers (validity, maximum, code length) are each agency's
/// own, stored with the agency (`store::agencies`).
#[derive(Clone)]
pub struct Settings {
    /// Where people reach this server, e.g. `https://bons.castors.fr`; the QR
    /// code's links start with it.
    pub public_url: String,
    pub session_days: u32,
    /// Behind a reverse proxy: take the client's address from the last entry
    /// of `X-Forwarded-For` (attempt budgets count per address).
    pub trust_proxy: bool,
    /// The bearer token `/metrics` asks for; none: no `/metrics`.
    pub metrics_token: Option<String>,
}

/// The metrics token stays out of any log.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("public_url", &self.public_url)
            .field("session_days", &self.session_days)
            .field("trust_proxy", &self.trust_proxy)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Settings {
    /// Cookies get `Secure` when people reach us over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:3000".into(),
            session_days: 30,
            trust_proxy: false,
            metrics_token: None,
        }
    }
}

/// What every request handler and server function can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: db::Db,
    pub settings: Arc<Settings>,
    /// The server key, by version (`codes::Keyring`).
    pub keys: Arc<codes::Keyring>,
    pub mailer: Arc<mail::Mailer>,
    /// This server as a worker of the shared background jobs.
    pub jobs: Arc<jobs::Worker>,
}

impl AppState {
    /// The state of the request being served, from Leptos's context.
    pub fn current() -> Result<AppState, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            crate::error::AppError::Internal
        })
    }
}
