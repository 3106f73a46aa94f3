//! Who may call a server function, as request extractors: a server function
//! names the guard it needs (`context::serve(|state, member: Member| …)`)
//! and never sees a request of anyone else. Each guard refuses with the
//! error its pages already explain (« Connectez-vous », another space…).
//!
//! The same extractors serve axum handlers (`FromRequestParts<AppState>`),
//! like the till's `Till` in `server/src/http/till.rs`.

use super::auth::{self, Member, Sponsor, Staff, SupplierUser};
use super::{AppState, store::accounts::SessionRecord};
use crate::domain::Role;
use crate::error::AppError;
use axum::{extract::FromRequestParts, http::request::Parts};

impl FromRequestParts<AppState> for Member {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Member, AppError> {
        auth::require_member(state, parts).await
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Staff, AppError> {
        auth::require_staff(state, parts).await
    }
}

impl FromRequestParts<AppState> for SupplierUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<SupplierUser, AppError> {
        auth::require_supplier(state, parts).await
    }
}

impl FromRequestParts<AppState> for Sponsor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Sponsor, AppError> {
        auth::require_sponsor(state, parts).await
    }
}

/// Who may act on a structure: a sponsor's manager or agency staff. Which
/// structure they may act on is the service's check
/// (`services::structures::ensure_manages`: « Vous ne gérez pas cette structure. »).
#[derive(Debug, Clone)]
pub enum StructureCaller {
    Sponsor(Sponsor),
    Staff(Staff),
}

impl StructureCaller {
    pub fn login(&self) -> &str {
        match self {
            StructureCaller::Sponsor(s) => &s.login,
            StructureCaller::Staff(s) => &s.login,
        }
    }
}

impl FromRequestParts<AppState> for StructureCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<StructureCaller, AppError> {
        let session = auth::current_account(state, parts).await?.ok_or(AppError::NotLoggedIn)?;
        match session.role {
            Role::Sponsor => auth::require_sponsor(state, parts).await.map(StructureCaller::Sponsor),
            Role::Agency | Role::Admin => auth::require_staff(state, parts).await.map(StructureCaller::Staff),
            Role::Member | Role::Supplier => Err(AppError::SponsorOnly),
        }
    }
}

/// An administrator: agency staff of no one agency, who set the agencies up.
#[derive(Debug, Clone)]
pub struct Admin(pub Staff);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Admin, AppError> {
        let staff = auth::require_staff(state, parts).await?;
        if staff.is_admin() { Ok(Admin(staff)) } else { Err(AppError::AdminOnly) }
    }
}

/// Anyone logged in, whatever their role, with the session they use.
#[derive(Debug, Clone)]
pub struct Account {
    pub session: SessionRecord,
    /// The hash of this request's session token: "this device".
    pub session_hash: String,
}

impl FromRequestParts<AppState> for Account {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Account, AppError> {
        let session = auth::current_account(state, parts).await?.ok_or(AppError::NotLoggedIn)?;
        let session_hash = auth::session_hash(parts).ok_or(AppError::NotLoggedIn)?;
        Ok(Account { session, session_hash })
    }
}

/// Whoever is asking, logged in or not: public pages and the login form.
/// Carries the request's address (attempt budgets count per address) and
/// the account, when there is one.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub address: String,
    pub account: Option<SessionRecord>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, AppError> {
        Ok(Visitor { address: auth::client_address(state, parts), account: auth::current_account(state, parts).await? })
    }
}

/// No condition at all: what anyone may read without a session (the public
/// check behind the QR code). Reads nothing of the request.
#[derive(Debug, Clone, Copy)]
pub struct Anyone;

impl FromRequestParts<AppState> for Anyone {
    type Rejection = AppError;

    async fn from_request_parts(_: &mut Parts, _: &AppState) -> Result<Anyone, AppError> {
        Ok(Anyone)
    }
}
