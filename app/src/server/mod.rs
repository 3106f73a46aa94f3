//! Everything that needs the database or the server's secrets. Compiled only
//! with the `ssr` feature: none of it reaches the browser.

pub mod audit;
pub mod auth;
pub mod budgets;
pub mod clock;
pub mod codes;
pub mod db;
pub mod demo;
pub mod services;
pub mod store;

use crate::domain::{Money, SecretCodeLength};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Business settings, validated once at start (see `server/src/config.rs`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The most a single voucher may be worth.
    pub max_voucher: Money,
    /// How many days a requested voucher stays usable, the day of request included.
    pub validity_days: u32,
    pub code_length: SecretCodeLength,
    /// Where people reach this server, e.g. `https://bons.castors.fr`; the QR
    /// code's links start with it.
    pub public_url: String,
    pub session_days: u32,
    /// Behind a reverse proxy: take the client's address from the last entry
    /// of `X-Forwarded-For` (attempt budgets count per address).
    pub trust_proxy: bool,
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
            max_voucher: Money::from_euros(3_000),
            validity_days: 30,
            code_length: SecretCodeLength::DEFAULT,
            public_url: "http://127.0.0.1:3000".into(),
            session_days: 30,
            trust_proxy: false,
        }
    }
}

/// What every request handler and server function can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: db::Db,
    pub settings: Arc<Settings>,
    pub keys: Arc<codes::Keys>,
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
