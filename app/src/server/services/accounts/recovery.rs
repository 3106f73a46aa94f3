//! « Mot de passe oublié ? »: a single-use link by email, valid one hour,
//! to choose a new password.
//!
//! Asking gives the same answer whether or not an account matches, in the
//! same time: the request only charges the address's budget, and the link
//! is looked up, stored and mailed by a task of its own after the answer.
//! Links are stored as the SHA-256 of their token, work once, and a newer
//! one replaces the older. Using one ends every session of the account.

use super::super::journal;
use crate::domain::password;
use crate::domain::{Timestamp, member::typed_login};
use crate::error::AppError;
use crate::model::auth::PasswordLink;
use crate::server::audit::{Actor, Entity};
use crate::server::error::ServerError;
use crate::server::store::accounts::{self, links, links::Purpose, links::Reachable};
use crate::server::{AppState, budgets, codes::sha256_hex, strength};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

/// How long a forgotten password's link works.
pub const RESET_MINUTES: i64 = 60;
/// What every stale, used, replaced or unknown link says: nothing more
/// (a guessed token learns nothing).
pub const STALE: &str = "Ce lien n'est plus valable : il a déjà servi, a été remplacé par un lien plus récent ou a expiré. Demandez-en un nouveau.";

/// A link's token: 32 random bytes in hex.
pub(super) fn token_shape_ok(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// « Recevoir un lien »: charges the asking address's budget, then sends
/// the links in the background. Refused only when the address has asked
/// too often, whoever it asked about.
#[tracing::instrument(skip_all)]
pub async fn request_reset(
    state: &AppState,
    asked: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let asked = typed_login(asked);
    if asked.is_empty() || asked.chars().count() > 254 {
        return Err(AppError::field(
            "identifiant",
            "Indiquez votre n° d'adhérent, votre identifiant ou votre adresse e-mail.",
        )
        .into());
    }
    let mut tx = state.db.begin_write().await?;
    let allowed = budgets::charge(&mut tx, budgets::RESET_PER_ADDRESS, address, now).await?;
    tx.commit().await?;
    if !allowed {
        tracing::warn!(%address, "password reset refused: attempt budget spent");
        return Err(AppError::TooManyAttempts.into());
    }
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = send_reset_links(&state, &asked, now).await {
            tracing::error!(error = %e, "password reset link not sent");
        }
    });
    Ok(())
}

/// Finds the accounts `asked` names (a login, or an email address: a
/// supplier's logins share one) and mails each a new link, within the
/// account's own budget. Returns how many were sent.
pub async fn send_reset_links(state: &AppState, asked: &str, now: DateTime<Utc>) -> Result<usize, ServerError> {
    let found = match links::reachable_by_login(state.db.pool(), asked).await? {
        Some(account) => vec![account],
        None if asked.contains('@') => links::reachable_by_email(state.db.pool(), asked).await?,
        None => Vec::new(),
    };
    let mut sent = 0;
    for account in found {
        let Some(email) = account.email.clone().filter(|e| e.contains('@')) else {
            tracing::info!(account = account.id, "password reset asked for an account without an email address");
            continue;
        };
        let mut tx = state.db.begin_write().await?;
        let allowed = budgets::charge(&mut tx, budgets::RESET_PER_ACCOUNT, &account.id.to_string(), now).await?;
        let token = hex::encode(rand::random::<[u8; 32]>());
        if allowed {
            let expires = Timestamp::new(now + TimeDelta::minutes(RESET_MINUTES));
            let hash = sha256_hex(token.as_bytes());
            links::insert(
                tx.conn(),
                account.id,
                Purpose::Reset,
                &hash,
                "mot de passe oublié",
                Timestamp::new(now),
                expires,
            )
            .await?;
        }
        tx.commit().await?;
        if !allowed {
            tracing::warn!(account = account.id, "password reset not sent: the account's budget is spent");
            continue;
        }
        let url = format!("{}/reinitialiser/{token}", state.settings.public_url);
        let body = format!(
            "Bonjour{},\n\n\
             Vous avez demandé à choisir un nouveau mot de passe pour votre compte Castors « {} ».\n\n\
             Ouvrez ce lien dans l'heure pour le choisir (il ne sert qu'une fois) :\n{url}\n\n\
             Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.\n\n\
             — Castors\n",
            greeting(&account),
            account.login,
        );
        match state.mailer.send_text(&email, "Castors — choisir un nouveau mot de passe".into(), body).await {
            Ok(()) => sent += 1,
            Err(e) => tracing::error!(account = account.id, error = %e, "password reset email not sent"),
        }
    }
    Ok(sent)
}

fn greeting(account: &Reachable) -> String {
    account.name.as_deref().map(|n| format!(" {n}")).unwrap_or_default()
}

/// What the page behind a link shows: the form, or why not.
#[tracing::instrument(skip_all)]
pub async fn check_link(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<PasswordLink, ServerError> {
    let stale = PasswordLink { login: None, invitation: false, refusal: Some(STALE.into()) };
    if !token_shape_ok(token) {
        return Ok(stale);
    }
    let mut conn = state.db.pool().acquire().await?;
    let Some(link) = links::find(&mut conn, &sha256_hex(token.as_bytes())).await? else {
        return Ok(stale);
    };
    if link.used_at.is_some() || link.expires_at <= Timestamp::new(now) {
        return Ok(stale);
    }
    let Some(account) = links::reachable(&mut conn, link.account_id).await? else {
        return Ok(stale);
    };
    Ok(PasswordLink {
        login: Some(account.login),
        invitation: link.purpose() == Some(Purpose::Invitation),
        refusal: None,
    })
}

/// Sets the password chosen from a link: the link is used once, every
/// session of the account ends, the event is journaled and the person is
/// told by email. Returns the login, for the login page.
#[tracing::instrument(skip_all)]
pub async fn choose_password(
    state: &AppState,
    token: &str,
    new: String,
    confirm: String,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    if !token_shape_ok(token) {
        return Err(AppError::Invalid(STALE.into()).into());
    }
    password::check_choice(&new, &confirm).map_err(|e| AppError::field(e.field(), e.to_string()))?;
    let token_hash = sha256_hex(token.as_bytes());
    let mut conn = state.db.pool().acquire().await?;
    let link = links::find(&mut conn, &token_hash)
        .await?
        .filter(|l| l.used_at.is_none() && l.expires_at > Timestamp::new(now))
        .ok_or_else(|| AppError::Invalid(STALE.into()))?;
    let account = links::reachable(&mut conn, link.account_id).await?.ok_or_else(|| AppError::Invalid(STALE.into()))?;
    drop(conn);
    if let Some(weak) = strength::weakness(&new, &account.first_guesses()) {
        return Err(AppError::field("new", weak).into());
    }
    let hash = super::logins::hash(new).await?;

    let mut tx = state.db.begin_write().await?;
    if !links::take(tx.conn(), link.id, Timestamp::new(now)).await? {
        return Err(AppError::Invalid(STALE.into()).into());
    }
    accounts::set_password_hash(tx.conn(), account.id, &hash).await?;
    let ended = accounts::delete_account_sessions(tx.conn(), account.id, None).await?;
    budgets::clear_login(&mut tx, &account.login).await?;
    let action = match link.purpose() {
        Some(Purpose::Invitation) => "accept_invitation",
        _ => "reset_password",
    };
    let actor = Actor::account(account.id, &account.login, account.role);
    let after = json!({ "sessions_ended": ended });
    journal(&mut tx, &actor, Entity::Account, account.id, action, json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(account = account.id, ended, action, "password chosen from a link");
    tell_password_changed(state, &account, now).await;
    Ok(account.login)
}

/// « Votre mot de passe a été modifié »: to the account's address, after
/// any change; a failure to send is logged, the change stands.
pub async fn tell_password_changed(state: &AppState, account: &Reachable, now: DateTime<Utc>) {
    let Some(email) = account.email.as_deref().filter(|e| e.contains('@')) else {
        return;
    };
    let body = format!(
        "Bonjour{},\n\n\
         Le mot de passe de votre compte Castors « {} » a été modifié le {}.\n\
         Les autres appareils connectés à ce compte ont été déconnectés.\n\n\
         Si ce n'est pas vous, choisissez-en un nouveau sans attendre : {}/mot-de-passe-oublie\n\
         et prévenez votre agence Castors.\n\n\
         — Castors\n",
        greeting(account),
        account.login,
        Timestamp::new(now).paris(),
        state.settings.public_url,
    );
    if let Err(e) = state.mailer.send_text(email, "Castors — votre mot de passe a été modifié".into(), body).await
    {
        tracing::error!(account = account.id, error = %e, "password change notice not sent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_token_of_the_right_shape_is_looked_up() {
        assert!(token_shape_ok(&"a1".repeat(32)));
        assert!(!token_shape_ok(&"a1".repeat(31)));
        assert!(!token_shape_ok(&format!("{}zz", "a1".repeat(31))));
        assert!(!token_shape_ok(""));
    }

    #[test]
    fn a_member_number_is_read_in_any_form_and_logins_without_case() {
        assert_eq!(typed_login("  Agence.Nantes "), "agence.nantes");
        assert_eq!(typed_login("Camille.Martin@Exemple.fr"), "camille.martin@exemple.fr");
        assert_eq!(typed_login("44000123b"), "44000123B");
    }
}
