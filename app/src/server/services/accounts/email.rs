//! « Changer d'adresse e-mail » (« Mon compte »): the new address is
//! confirmed by a single-use link sent to it (valid 24 hours), the old one is
//! told at once and again when the change is made. Until the link is used
//! nothing changes: a mistyped address costs nothing.

use super::super::journal;
use super::recovery::{STALE, token_shape_ok};
use crate::domain::{Timestamp, contact::parse_email};
use crate::error::AppError;
use crate::model::auth::EmailLink;
use crate::server::audit::{Actor, Entity};
use crate::server::error::ServerError;
use crate::server::store::accounts::{self, SessionRecord, links, links::Purpose, links::Reachable};
use crate::server::{AppState, codes::sha256_hex};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

/// How long a link confirming a new address works.
pub const EMAIL_LINK_HOURS: i64 = 24;

/// Asks for `typed` to become the account's address once the current
/// password is given: a link goes to the new address, a notice to the old.
/// Returns the new address, as it will be kept.
#[tracing::instrument(skip_all)]
pub async fn request_change(
    state: &AppState,
    session: &SessionRecord,
    typed: &str,
    current: String,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let new = parse_email(typed)
        .map_err(|e| AppError::field("email", e))?
        .ok_or_else(|| AppError::field("email", "Indiquez la nouvelle adresse e-mail."))?;
    let account = links::reachable_by_login(state.db.pool(), &session.login)
        .await?
        .filter(|a| a.id == session.account_id)
        .ok_or(AppError::NotLoggedIn)?;
    if account.email.as_deref().is_some_and(|old| old.eq_ignore_ascii_case(&new)) {
        return Err(AppError::field("email", format!("« {new} » est déjà l'adresse de ce compte.")).into());
    }
    super::confirm_current_password(state, session, current, now).await?;

    let token = hex::encode(rand::random::<[u8; 32]>());
    let expires = Timestamp::new(now + TimeDelta::hours(EMAIL_LINK_HOURS));
    let mut tx = state.db.begin_write().await?;
    links::insert_email_change(
        tx.conn(),
        account.id,
        &sha256_hex(token.as_bytes()),
        &new,
        Timestamp::new(now),
        expires,
    )
    .await?;
    let actor = Actor::account(account.id, &account.login, account.role);
    let (before, after) = (json!({ "email": account.email }), json!({ "asked": new }));
    journal(&mut tx, &actor, Entity::Account, account.id, "ask_email_change", before, after, now).await?;
    tx.commit().await?;

    let url = format!("{}/confirmer-adresse/{token}", state.settings.public_url);
    let body = format!(
        "Bonjour,\n\n\
         Vous avez demandé que les messages de votre compte Castors « {} » arrivent désormais à cette adresse.\n\n\
         Ouvrez ce lien dans les {EMAIL_LINK_HOURS} heures pour le confirmer (il ne sert qu'une fois) :\n{url}\n\n\
         Si vous n'avez rien demandé, ignorez ce message : rien ne change.\n\n\
         — Castors\n",
        account.login,
    );
    // The link is the only way to the change: if it cannot be sent, say so.
    state.mailer.send_text(&new, "Castors — confirmer votre nouvelle adresse e-mail".into(), body).await.map_err(
        |e| {
            tracing::error!(account = account.id, error = %e, "email change link not sent");
            AppError::Invalid(format!(
                "Le message de confirmation n'a pas pu partir vers « {new} ». Réessayez plus tard."
            ))
        },
    )?;
    if let Some(old) = account.email.as_deref().filter(|e| e.contains('@')) {
        let body = format!(
            "Bonjour,\n\n\
             Le {}, quelqu'un connecté à votre compte Castors « {} » a demandé que ses messages arrivent désormais à « {new} ».\n\
             Rien ne change tant que le lien envoyé à cette adresse n'est pas ouvert.\n\n\
             Si ce n'est pas vous, changez votre mot de passe sans attendre ({}/mot-de-passe-oublie)\n\
             et prévenez votre agence Castors.\n\n\
             — Castors\n",
            Timestamp::new(now).paris(),
            account.login,
            state.settings.public_url,
        );
        if let Err(e) =
            state.mailer.send_text(old, "Castors — demande de changement d'adresse e-mail".into(), body).await
        {
            tracing::error!(account = account.id, error = %e, "email change notice not sent");
        }
    }
    tracing::info!(account = account.id, "email change asked");
    Ok(new)
}

/// What the page behind a link shows: the address to confirm, or why not.
#[tracing::instrument(skip_all)]
pub async fn check_link(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<EmailLink, ServerError> {
    let stale = EmailLink { login: None, email: None, confirmed: false, refusal: Some(STALE.into()) };
    let Some((link, account)) = found(state, token).await? else {
        return Ok(stale);
    };
    let email = link.new_email.clone().unwrap_or_default();
    if link.used_at.is_some() && account.email.as_deref() == Some(email.as_str()) && !link.replaced {
        return Ok(EmailLink { login: Some(account.login), email: Some(email), confirmed: true, refusal: None });
    }
    if !works(&link, now) {
        return Ok(stale);
    }
    Ok(EmailLink { login: Some(account.login), email: Some(email), confirmed: false, refusal: None })
}

/// The email-change link of this token and its account.
async fn found(state: &AppState, token: &str) -> Result<Option<(links::LinkRecord, Reachable)>, ServerError> {
    if !token_shape_ok(token) {
        return Ok(None);
    }
    let mut conn = state.db.pool().acquire().await?;
    let Some(link) = links::find(&mut conn, &sha256_hex(token.as_bytes())).await? else {
        return Ok(None);
    };
    if link.purpose() != Some(Purpose::Email) || link.new_email.is_none() {
        return Ok(None);
    }
    Ok(links::reachable(&mut conn, link.account_id).await?.map(|account| (link, account)))
}

fn works(link: &links::LinkRecord, now: DateTime<Utc>) -> bool {
    link.used_at.is_none() && link.expires_at > Timestamp::new(now)
}

/// « Confirmer cette adresse »: the link is used once, the address becomes
/// the account's (and its member's file's), the change is journaled and the
/// old address told. Returns the new address.
#[tracing::instrument(skip_all)]
pub async fn confirm(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<String, ServerError> {
    let (link, account) = found(state, token)
        .await?
        .filter(|(link, _)| works(link, now))
        .ok_or_else(|| AppError::Invalid(STALE.into()))?;
    let new = link.new_email.clone().unwrap_or_default();
    let mut tx = state.db.begin_write().await?;
    if !links::take(tx.conn(), link.id, Timestamp::new(now)).await? {
        return Err(AppError::Invalid(STALE.into()).into());
    }
    accounts::set_email(tx.conn(), account.id, &new).await?;
    let actor = Actor::account(account.id, &account.login, account.role);
    let (before, after) = (json!({ "email": account.email }), json!({ "email": new }));
    journal(&mut tx, &actor, Entity::Account, account.id, "change_email", before, after, now).await?;
    tx.commit().await?;
    tracing::info!(account = account.id, "email address changed");
    if let Some(old) = account.email.as_deref().filter(|e| e.contains('@') && !e.eq_ignore_ascii_case(&new)) {
        let body = format!(
            "Bonjour,\n\n\
             Depuis le {}, les messages de votre compte Castors « {} » arrivent à « {new} » et plus à cette adresse.\n\n\
             Si ce n'est pas vous, prévenez votre agence Castors sans attendre.\n\n\
             — Castors\n",
            Timestamp::new(now).paris(),
            account.login,
        );
        if let Err(e) = state.mailer.send_text(old, "Castors — votre adresse e-mail a été modifiée".into(), body).await
        {
            tracing::error!(account = account.id, error = %e, "email changed notice not sent");
        }
    }
    Ok(new)
}
