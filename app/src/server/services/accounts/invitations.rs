//! Getting into an account staff opened, without a password ever shown
//! on a screen or written in an email.
//!
//! - With an email address: an invitation, a single-use link valid 7 days
//!   to the page where the person chooses their password (the same page as
//!   a forgotten password's, `recovery`).
//! - Without one (members at the counter): a printable activation letter
//!   with a one-time code valid 30 days; typed on `/activer` with the
//!   login, it opens that page for an hour.
//!
//! Staff can send either again (the newer replaces the older) and see
//! whether it was used. Every sending is journaled.

use super::super::journal;
use crate::domain::{Role, Timestamp, member::typed_login};
use crate::error::AppError;
use crate::model::auth::{Access, SentLink};
use crate::server::audit::{Actor, Entity};
use crate::server::auth::Staff;
use crate::server::error::ServerError;
use crate::server::pdf::Flow;
use crate::server::store::accounts::links::{self, OPENED_BY_CODE, Purpose, Reachable};
use crate::server::{AppState, budgets, codes::sha256_hex};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

/// How long an emailed invitation works.
pub const INVITATION_DAYS: i64 = 7;
/// How long an activation letter's code works.
pub const ACTIVATION_DAYS: i64 = 30;
/// How long the page an activation code opens stays open.
const OPENED_MINUTES: i64 = 60;

/// What `/activer` says to every wrong login, code or stale code.
pub const WRONG_CODE: &str = "Identifiant ou code d'activation incorrect, ou code expiré : vérifiez votre lettre, ou demandez-en une nouvelle à votre agence.";

/// Emails `account` an invitation if it has an address (false if not),
/// replacing any earlier one. Journaled as `by`'s doing.
pub async fn invite(
    state: &AppState,
    by: &Actor,
    account: &Reachable,
    now: DateTime<Utc>,
) -> Result<bool, ServerError> {
    let Some(email) = account.email.clone().filter(|e| e.contains('@')) else {
        return Ok(false);
    };
    let token = hex::encode(rand::random::<[u8; 32]>());
    let until = Timestamp::new(now + TimeDelta::days(INVITATION_DAYS));
    let mut tx = state.db.begin_write().await?;
    let hash = sha256_hex(token.as_bytes());
    links::insert(tx.conn(), account.id, Purpose::Invitation, &hash, &by.name, Timestamp::new(now), until).await?;
    let after = json!({ "invitation": "envoyée", "until": until.rfc3339() });
    journal(&mut tx, by, Entity::Account, account.id, "invite", json!({}), after, now).await?;
    tx.commit().await?;
    let url = format!("{}/reinitialiser/{token}", state.settings.public_url);
    let body = format!(
        "Bonjour{},\n\n\
         Votre compte Castors est ouvert. Votre identifiant : {}\n\n\
         Choisissez votre mot de passe en ouvrant ce lien (il ne sert qu'une fois, jusqu'au {}) :\n{url}\n\n\
         Ensuite, connectez-vous sur {}/connexion avec votre identifiant et ce mot de passe.\n\n\
         — Castors\n",
        account.name.as_deref().map(|n| format!(" {n}")).unwrap_or_default(),
        account.login,
        until.paris(),
        state.settings.public_url,
    );
    if let Err(e) =
        state.mailer.send_text(&email, "Castors — bienvenue, choisissez votre mot de passe".into(), body).await
    {
        tracing::error!(account = account.id, error = %e, "invitation not sent");
        return Err(AppError::Conflict(format!(
            "L'invitation n'a pas pu être envoyée à {email} : vérifiez l'adresse, ou imprimez une lettre d'activation."
        ))
        .into());
    }
    Ok(true)
}

/// The account of `login` if it is in `staff`'s agencies.
async fn covered_account(state: &AppState, staff: &Staff, login: &str) -> Result<Reachable, ServerError> {
    let login = typed_login(login);
    let not_found = || AppError::NotFound("Compte".into());
    let account = links::reachable_by_login(state.db.pool(), &login).await?.ok_or_else(not_found)?;
    let mut conn = state.db.pool().acquire().await?;
    let covered = match links::agency_of(&mut conn, account.id).await? {
        Some(agency) => staff.covers(agency),
        // An administrator's account belongs to no agency: administrators' business.
        None => account.role == Role::Admin && staff.is_admin(),
    };
    if !covered {
        return Err(not_found().into());
    }
    Ok(account)
}

/// « Renvoyer l'invitation »: a new one replaces the one sent before.
#[tracing::instrument(skip_all, fields(staff = %staff.login, login = %login))]
pub async fn send_again(
    state: &AppState,
    staff: &Staff,
    login: &str,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let account = covered_account(state, staff, login).await?;
    if !invite(state, &Actor::staff(staff), &account, now).await? {
        return Err(AppError::Conflict(format!(
            "Le compte {} n'a pas d'adresse e-mail : imprimez une lettre d'activation.",
            account.login
        ))
        .into());
    }
    Ok(account.login)
}

/// A new activation letter (PDF) for `login`: its code replaces the one
/// of an earlier letter. The code exists only in the PDF.
#[tracing::instrument(skip_all, fields(staff = %staff.login, login = %login))]
pub async fn activation_letter(
    state: &AppState,
    staff: &Staff,
    login: &str,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), ServerError> {
    let account = covered_account(state, staff, login).await?;
    let code = super::logins::readable_code();
    let until = Timestamp::new(now + TimeDelta::days(ACTIVATION_DAYS));
    let mut tx = state.db.begin_write().await?;
    let hash = code_hash(account.id, &code);
    let by = Actor::staff(staff);
    links::insert(tx.conn(), account.id, Purpose::Activation, &hash, &by.name, Timestamp::new(now), until).await?;
    let after = json!({ "activation_letter": "imprimée", "until": until.rfc3339() });
    journal(&mut tx, &by, Entity::Account, account.id, "activation_letter", json!({}), after, now).await?;
    tx.commit().await?;

    let mut flow = Flow::default();
    flow.title("Castors — activation de votre compte");
    flow.gap(12.0);
    if let Some(name) = &account.name {
        flow.line(12.0, format!("Bonjour {name},"));
        flow.gap(6.0);
    }
    flow.paragraph(
        11.0,
        "Votre compte Castors est ouvert. Pour choisir votre mot de passe, rendez-vous à l'adresse ci-dessous \
         et saisissez votre identifiant et ce code d'activation. Le code ne sert qu'une fois.",
    );
    flow.gap(10.0);
    flow.line(12.0, format!("Adresse : {}/activer", state.settings.public_url));
    flow.bold_line(14.0, format!("Identifiant : {}", account.login));
    flow.bold_line(14.0, format!("Code d'activation : {code}"));
    flow.line(11.0, format!("Valable jusqu'au {}", until.paris()));
    flow.gap(10.0);
    flow.paragraph(
        10.0,
        "Gardez ce code pour vous : l'agence ne vous le demandera jamais. Si vous perdez cette lettre, \
         demandez-en une nouvelle à votre agence : elle remplace celle-ci.",
    );
    Ok((account.login, flow.finish("Activation de votre compte Castors")))
}

/// Codes are short: hashed with their account, so two letters' codes never
/// meet in the table's unique index, and a code opens its account only.
fn code_hash(account_id: i64, code: &str) -> String {
    let typed: String = code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    sha256_hex(format!("{account_id}:{typed}").as_bytes())
}

/// `/activer`: the login and the letter's code open the page where the
/// person chooses their password; returns that page's token. Every attempt
/// is charged to the address's budget (refunded on success), and one
/// sentence answers every mistake.
#[tracing::instrument(skip_all)]
pub async fn activate(
    state: &AppState,
    login: &str,
    code: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let login = typed_login(login);
    if login.is_empty() || code.trim().is_empty() {
        return Err(
            AppError::Invalid("Saisissez votre identifiant et le code de votre lettre d'activation.".into()).into()
        );
    }
    let budget = [(budgets::ACTIVATION_PER_ADDRESS, address.to_owned())];
    let mut tx = state.db.begin_write().await?;
    let allowed = budgets::charge_all(&mut tx, &budget, now).await?;
    tx.commit().await?;
    if !allowed {
        return Err(AppError::TooManyAttempts.into());
    }
    let wrong = || AppError::field("code", WRONG_CODE);
    let account = links::reachable_by_login(state.db.pool(), &login).await?.ok_or_else(wrong)?;
    let mut tx = state.db.begin_write().await?;
    let link = links::find(tx.conn(), &code_hash(account.id, code))
        .await?
        .filter(|l| l.account_id == account.id && l.purpose() == Some(Purpose::Activation))
        .ok_or_else(wrong)?;
    if !links::take(tx.conn(), link.id, Timestamp::new(now)).await? {
        return Err(wrong().into());
    }
    let token = hex::encode(rand::random::<[u8; 32]>());
    let until = Timestamp::new(now + TimeDelta::minutes(OPENED_MINUTES));
    let hash = sha256_hex(token.as_bytes());
    links::insert(tx.conn(), account.id, Purpose::Invitation, &hash, OPENED_BY_CODE, Timestamp::new(now), until)
        .await?;
    budgets::refund_all(&mut tx, &budget).await?;
    tx.commit().await?;
    Ok(token)
}

/// How staff see an account's way in: its address and latest invitation
/// or letter.
pub async fn access(state: &AppState, account: &Reachable) -> Result<Access, ServerError> {
    let latest = links::latest_sent(state.db.pool(), account.id).await?.map(|(letter, sent, until, used, replaced)| {
        SentLink { letter, sent_at: sent.paris(), until: until.paris(), used_at: used.map(Timestamp::paris), replaced }
    });
    Ok(Access { login: account.login.clone(), email: account.email.clone(), latest })
}
