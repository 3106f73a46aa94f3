//! A person's own account, whatever their role: changing their password,
//! choosing a new one when it is forgotten (`recovery`), getting in the
//! first time (`invitations`).

pub mod api_keys;
pub mod email;
pub mod invitations;
pub mod logins;
pub mod recovery;

use super::journal;
use crate::domain::Timestamp;
use crate::domain::password::{self, PasswordChange};
use crate::error::AppError;
use crate::model::auth::{AccountOverview, OpenSession};
use crate::server::audit::{Actor, Entity};
use crate::server::auth::{hash_password, password_matches};
use crate::server::error::ServerError;
use crate::server::store::accounts::{self, SessionRecord, links};
use crate::server::{AppState, budgets, strength};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Changes the password of the account behind `session` once its current
/// password is given; every other session of the account ends (whoever
/// knew the old password is out), the one making the change stays.
///
/// Wrong current passwords are charged to the account's own budget, so a
/// session left open on a shared computer is not a way to guess it.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    state: &AppState,
    session: &SessionRecord,
    session_hash: &str,
    change: PasswordChange,
    now: DateTime<Utc>,
) -> Result<u64, ServerError> {
    password::check_change(&change).map_err(|e| AppError::field(e.field(), e.to_string()))?;
    let account = links::reachable_by_login(state.db.pool(), &session.login)
        .await?
        .filter(|a| a.id == session.account_id)
        .ok_or(AppError::NotLoggedIn)?;
    if let Some(weak) = strength::weakness(&change.new, &account.first_guesses()) {
        return Err(AppError::field("new", weak).into());
    }
    let PasswordChange { current, new, .. } = change;
    confirm_current_password(state, session, current, now).await?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new)).await.map_err(|_| AppError::Internal)?;

    let mut tx = state.db.begin_write().await?;
    accounts::set_password_hash(tx.conn(), session.account_id, &hash).await?;
    let ended = accounts::delete_account_sessions(tx.conn(), session.account_id, Some(session_hash)).await?;
    budgets::clear_login(&mut tx, &session.login).await?;
    let actor = Actor::account(session.account_id, &session.login, session.role);
    let after = json!({ "other_sessions_ended": ended });
    journal(&mut tx, &actor, Entity::Account, session.account_id, "change_password", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(account = session.account_id, ended, "password changed by its owner");
    recovery::tell_password_changed(state, &account, now).await;
    Ok(ended)
}

/// Checks that `current` is the password of the account behind `session`
/// before a change that needs it (password, email address). A wrong one is
/// charged to the account's own budget, so a session left open on a shared
/// computer is not a way to guess it; a right one is not.
pub async fn confirm_current_password(
    state: &AppState,
    session: &SessionRecord,
    current: String,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let budget = [(budgets::PASSWORD_CHANGE_PER_ACCOUNT, session.account_id.to_string())];
    let mut tx = state.db.begin_write().await?;
    let allowed = budgets::charge_all(&mut tx, &budget, now).await?;
    tx.commit().await?;
    if !allowed {
        return Err(AppError::TooManyAttempts.into());
    }
    let stored = accounts::find_login(state.db.pool(), &session.login)
        .await?
        .filter(|a| a.id == session.account_id)
        .ok_or(AppError::NotLoggedIn)?
        .password_hash;
    let matches = tokio::task::spawn_blocking(move || password_matches(&current, &stored))
        .await
        .map_err(|_| AppError::Internal)?;
    if !matches {
        return Err(AppError::field("current", "Le mot de passe actuel est incorrect.").into());
    }
    let mut tx = state.db.begin_write().await?;
    budgets::refund_all(&mut tx, &budget).await?;
    tx.commit().await?;
    Ok(())
}

/// « Mon compte »: the login, its address, and its open sessions (this
/// device's first).
#[tracing::instrument(skip_all)]
pub async fn page(
    state: &AppState,
    session: &SessionRecord,
    session_hash: &str,
    now: DateTime<Utc>,
) -> Result<AccountOverview, ServerError> {
    let account = links::reachable_by_login(state.db.pool(), &session.login)
        .await?
        .filter(|a| a.id == session.account_id)
        .ok_or(AppError::NotLoggedIn)?;
    let rows = accounts::open_sessions(state.db.pool(), session.account_id, Timestamp::new(now)).await?;
    let mut sessions: Vec<OpenSession> = rows
        .into_iter()
        .map(|r| OpenSession {
            this_device: r.token_hash == session_hash,
            device: r.device.unwrap_or_else(|| "Appareil inconnu".into()),
            address: r.address.unwrap_or_else(|| "—".into()),
            opened: r.created_at.paris(),
            last_seen: r.last_seen_at.unwrap_or(r.created_at).paris(),
        })
        .collect();
    sessions.sort_by_key(|s| !s.this_device);
    Ok(AccountOverview { login: account.login, role: account.role, email: account.email, sessions })
}

/// « Déconnecter les autres appareils »: every session of the account but
/// this one ends (journaled); returns how many.
#[tracing::instrument(skip_all)]
pub async fn end_other_sessions(
    state: &AppState,
    session: &SessionRecord,
    session_hash: &str,
    now: DateTime<Utc>,
) -> Result<u64, ServerError> {
    let mut tx = state.db.begin_write().await?;
    let ended = accounts::delete_account_sessions(tx.conn(), session.account_id, Some(session_hash)).await?;
    let actor = Actor::account(session.account_id, &session.login, session.role);
    let after = json!({ "sessions_ended": ended });
    journal(&mut tx, &actor, Entity::Account, session.account_id, "end_other_sessions", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(account = session.account_id, ended, "other sessions ended by their owner");
    Ok(ended)
}
