//! A person's own account, whatever their role: changing their password,
//! choosing a new one when it is forgotten (`recovery`), getting in the
//! first time (`invitations`).

pub mod api_keys;
pub mod invitations;
pub mod logins;
pub mod recovery;

use super::journal;
use crate::domain::password::{self, PasswordChange};
use crate::error::AppError;
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
    password::check_change(&change).map_err(|e| AppError::Invalid(e.to_string()))?;
    let account = links::reachable_by_login(state.db.pool(), &session.login)
        .await?
        .filter(|a| a.id == session.account_id)
        .ok_or(AppError::NotLoggedIn)?;
    let mut known: Vec<&str> = vec![&account.login];
    known.extend(account.email.as_deref());
    known.extend(account.name.as_deref());
    if let Some(weak) = strength::weakness(&change.new, &known) {
        return Err(AppError::Invalid(weak).into());
    }
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
    let PasswordChange { current, new, .. } = change;
    let (matches, hash) = tokio::task::spawn_blocking(move || {
        let matches = password_matches(&current, &stored);
        (matches, matches.then(|| hash_password(&new)))
    })
    .await
    .map_err(|_| AppError::Internal)?;
    let Some(hash) = hash.filter(|_| matches) else {
        return Err(AppError::Invalid("Le mot de passe actuel est incorrect.".into()).into());
    };

    let mut tx = state.db.begin_write().await?;
    budgets::refund_all(&mut tx, &budget).await?;
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
