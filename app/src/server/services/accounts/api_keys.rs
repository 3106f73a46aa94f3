//! API keys of suppliers' tills: created and revoked in the supplier space
//! (or by `bons api-key create`), checked on every call to `/api/v1`.
//!
//! A key is `bons_` and 64 hex digits (256 random bits): shown once, stored
//! as its SHA-256 only. Its first characters (`bons_3f9a1c2d`) are kept in
//! clear to tell keys apart on screen.

use crate::domain::{Role, Timestamp};
use crate::error::AppError;
use crate::model::supplier::{ApiKeys, NewApiKey};
use crate::server::audit::{Actor, ActorRole, Entity};
use crate::server::error::ServerError;
use crate::server::services::{invoices::Submitter, journal, vouchers::Checker};
use crate::server::store;
use crate::server::store::accounts::api_keys::{self, NewKey};
use crate::server::{AppState, auth::SupplierUser, budgets, codes::sha256_hex};
use axum::http::{HeaderValue, request::Parts};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

const KEY_START: &str = "bons_";
/// Hex digits of the key kept in clear after `bons_`.
const PREFIX_DIGITS: usize = 8;
const MAX_LABEL: usize = 60;
/// More active keys than tills a shop has is a mistake, or a leak.
pub const MAX_ACTIVE_KEYS: usize = 20;
/// A use is recorded at most this often per key.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);
/// The cookie that carries a new key to the page that shows it once.
const FRESH_KEY_COOKIE: &str = "bons_new_api_key";
const FRESH_KEY_SECONDS: i64 = 120;

/// A till, as the API knows it once its key is accepted.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub key_id: i64,
    pub prefix: String,
    pub label: String,
    pub supplier_id: i64,
    pub supplier_name: String,
    pub agency_id: i64,
}

impl ApiClient {
    /// The journal's "who": the key, named by its prefix and label.
    pub fn actor(&self) -> Actor {
        let name = format!("clé API {} ({})", self.prefix, self.label);
        Actor { account_id: None, name, role: ActorRole::Account(Role::Supplier) }
    }

    /// Invoices sent through the API: their lines' codes are charged like
    /// the API's checks, to the address and to the key.
    pub fn submitter(&self, address: &str) -> Submitter {
        Submitter {
            actor: self.actor(),
            supplier_id: self.supplier_id,
            agency_id: self.agency_id,
            budgets: self.check_budgets(address),
        }
    }

    /// Checks through the API are charged to the address and to the key,
    /// with the same limits as a logged-in account.
    pub fn checker(&self, address: &str) -> Checker {
        Checker { actor: self.actor(), supplier_id: Some(self.supplier_id), budgets: self.check_budgets(address) }
    }

    fn check_budgets(&self, address: &str) -> Vec<(budgets::Budget, String)> {
        vec![(budgets::CHECK_PER_ADDRESS, address.to_owned()), (budgets::CHECK_PER_API_KEY, self.key_id.to_string())]
    }
}

/// Why a request's key was not accepted (each is a 401 with its sentence).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefusal {
    #[error("Clé API manquante : envoyez l'en-tête « Authorization: Bearer <clé> ».")]
    Missing,
    #[error("Clé API inconnue : vérifiez la clé recopiée dans la caisse.")]
    Unknown,
    #[error("Cette clé API a été révoquée : créez-en une autre dans l'espace fournisseur (Caisse (API)).")]
    Revoked,
    /// Not a refusal of the key: the supplier closed, or the database failed.
    #[error("{0}")]
    Other(AppError),
}

impl KeyRefusal {
    /// The database failed: logged here with its cause, « erreur interne » to the till.
    fn failed(e: sqlx::Error) -> KeyRefusal {
        KeyRefusal::Other(ServerError::from(e).into())
    }
}

/// A key just created: its id and the key itself, which nobody will see again.
pub struct CreatedKey {
    pub id: i64,
    pub prefix: String,
    pub key: String,
}

fn check_label(label: &str) -> Result<String, AppError> {
    let label = label.trim();
    if label.is_empty() {
        return Err(AppError::field("label", "Donnez un nom à la clé, par exemple « Caisse 1 »."));
    }
    if label.chars().count() > MAX_LABEL || label.chars().any(char::is_control) {
        let why = format!("Le nom de la clé s'écrit sur une ligne, en {MAX_LABEL} caractères au plus.");
        return Err(AppError::field("label", why));
    }
    Ok(label.to_owned())
}

/// Creates a key for `supplier_id`, journaled as `actor`'s doing.
async fn create(
    state: &AppState,
    supplier_id: i64,
    label: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<CreatedKey, ServerError> {
    let label = check_label(label)?;
    let key = format!("{KEY_START}{}", hex::encode(rand::random::<[u8; 32]>()));
    let prefix = key[..KEY_START.len() + PREFIX_DIGITS].to_owned();
    let mut tx = state.db.begin_write().await?;
    // The supplier's row, locked, serializes its key creations: on
    // PostgreSQL two at once would otherwise both count 19 and make 21.
    store::suppliers::find_file_for_update(&mut tx, supplier_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Fournisseur".into()))?;
    let active = api_keys::list_for_supplier_in(tx.conn(), supplier_id).await?;
    if active.iter().filter(|k| k.revoked_at.is_none()).count() >= MAX_ACTIVE_KEYS {
        return Err(AppError::Conflict(format!(
            "Vous avez déjà {MAX_ACTIVE_KEYS} clés actives : révoquez celles qui ne servent plus avant d'en créer une autre."
        )).into());
    }
    let new = NewKey {
        supplier_id,
        label: &label,
        prefix: &prefix,
        key_hash: &sha256_hex(key.as_bytes()),
        created_at: Timestamp::new(now),
        created_by: &actor.name,
    };
    let id = api_keys::insert(tx.conn(), &new).await?;
    let after = json!({ "supplier_id": supplier_id, "label": label, "prefix": prefix });
    journal(&mut tx, actor, Entity::ApiKey, id, "create", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(key = id, supplier = supplier_id, %prefix, "API key created");
    Ok(CreatedKey { id, prefix, key })
}

#[tracing::instrument(skip_all, fields(supplier = user.supplier_id))]
pub async fn create_for_user(
    state: &AppState,
    user: &SupplierUser,
    label: &str,
    now: DateTime<Utc>,
) -> Result<CreatedKey, ServerError> {
    create(state, user.supplier_id, label, &Actor::supplier(user), now).await
}

/// For the command line (`bons api-key create`): a key for the supplier of
/// an active supplier login.
#[tracing::instrument(skip_all, fields(login = %login))]
pub async fn create_for_login(
    state: &AppState,
    login: &str,
    label: &str,
    now: DateTime<Utc>,
) -> Result<CreatedKey, ServerError> {
    let supplier: Option<(i64, i64)> = sqlx::query_as(
        "SELECT s.id, s.active FROM accounts a JOIN suppliers s ON s.id = a.supplier_id
          WHERE a.login = $1 AND a.role = $2 AND a.active = 1",
    )
    .bind(login)
    .bind(Role::Supplier)
    .fetch_optional(state.db.pool())
    .await?;
    match supplier {
        Some((id, 1)) => create(state, id, label, &Actor::system("bons api-key create"), now).await,
        Some(_) => Err(AppError::SupplierInactive.into()),
        None => Err(AppError::NotFound(format!("Identifiant fournisseur « {login} »")).into()),
    }
}

/// The keys page: every key of the supplier, and the one this browser just
/// created if `fresh` is it.
#[tracing::instrument(skip_all, fields(supplier = user.supplier_id))]
pub async fn page(
    state: &AppState,
    user: &SupplierUser,
    fresh: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ApiKeys, ServerError> {
    let records = api_keys::list_for_supplier(state.db.pool(), user.supplier_id).await?;
    let new_key = match fresh {
        Some(key) => store::accounts::api_keys::find_by_hash(state.db.pool(), &sha256_hex(key.as_bytes()))
            .await?
            .filter(|k| k.supplier_id == user.supplier_id && k.revoked_at.is_none())
            .filter(|k| now - k.created_at.utc() < TimeDelta::minutes(5))
            .map(|k| NewApiKey { label: k.label, key: key.to_owned() }),
        None => None,
    };
    Ok(ApiKeys {
        keys: records,
        new_key,
        api_base: format!("{}/api/v1", state.settings.public_url.trim_end_matches('/')),
    })
}

/// Revokes one of the supplier's keys; revoking twice is harmless.
#[tracing::instrument(skip_all, fields(supplier = user.supplier_id, key = %id))]
pub async fn revoke(state: &AppState, user: &SupplierUser, id: &str, now: DateTime<Utc>) -> Result<(), ServerError> {
    let not_found = || AppError::NotFound("Clé API".into());
    let id: i64 = id.trim().parse().ok().filter(|id| *id > 0).ok_or_else(not_found)?;
    let mut tx = state.db.begin_write().await?;
    let key = api_keys::find_for_update(&mut tx, id)
        .await?
        .filter(|k| k.supplier_id == user.supplier_id)
        .ok_or_else(not_found)?;
    let at = Timestamp::new(now);
    if api_keys::revoke(tx.conn(), id, at, &user.login).await? {
        let before = json!({ "revoked": false, "prefix": key.prefix });
        let after = json!({ "revoked": true, "revoked_at": at.rfc3339() });
        journal(&mut tx, &Actor::supplier(user), Entity::ApiKey, id, "revoke", before, after, now).await?;
        tracing::info!(key = id, supplier = user.supplier_id, "API key revoked");
    }
    tx.commit().await?;
    Ok(())
}

/// The till behind a request's `Authorization: Bearer <key>`, its supplier
/// still a partner. Records the key's use (at most once a minute).
#[tracing::instrument(skip_all)]
pub async fn authenticate(
    state: &AppState,
    authorization: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ApiClient, KeyRefusal> {
    let authorization = authorization.map(str::trim).filter(|v| !v.is_empty()).ok_or(KeyRefusal::Missing)?;
    let key = match authorization.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") => key.trim(),
        _ => return Err(KeyRefusal::Missing),
    };
    let well_formed =
        key.strip_prefix(KEY_START).is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if !well_formed {
        return Err(KeyRefusal::Unknown);
    }
    let record = api_keys::find_by_hash(state.db.pool(), &sha256_hex(key.as_bytes()))
        .await
        .map_err(KeyRefusal::failed)?
        .ok_or(KeyRefusal::Unknown)?;
    if record.revoked_at.is_some() {
        return Err(KeyRefusal::Revoked);
    }
    let supplier = store::suppliers::find_by_id(state.db.pool(), record.supplier_id)
        .await
        .map_err(KeyRefusal::failed)?
        .filter(|s| s.active)
        .ok_or(KeyRefusal::Other(AppError::SupplierInactive))?;
    let recent = record.last_used_at.is_some_and(|at| now - at.utc() < TOUCH_EVERY);
    if !recent {
        touch(state, record.id, now).await.map_err(|e| KeyRefusal::Other(e.into()))?;
    }
    Ok(ApiClient {
        key_id: record.id,
        prefix: record.prefix,
        label: record.label,
        supplier_id: supplier.id,
        supplier_name: supplier.name,
        agency_id: supplier.agency_id,
    })
}

async fn touch(state: &AppState, id: i64, now: DateTime<Utc>) -> Result<(), ServerError> {
    let mut tx = state.db.begin_write().await?;
    api_keys::touch(tx.conn(), id, Timestamp::new(now), Timestamp::new(now - TOUCH_EVERY)).await?;
    Ok(tx.commit().await?)
}

/// The cookie carrying a new key to the keys page (or, with None, the one
/// that forgets it). HttpOnly, SameSite=Strict, two minutes: it never
/// reaches a script, another site or a URL.
pub fn fresh_key_cookie(state: &AppState, key: Option<&str>) -> Result<HeaderValue, AppError> {
    let secure = if state.settings.secure_cookies() { "; Secure" } else { "" };
    let (value, max_age) = match key {
        Some(key) => (key, FRESH_KEY_SECONDS),
        None => ("", 0),
    };
    HeaderValue::from_str(&format!(
        "{FRESH_KEY_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .map_err(|_| AppError::Internal)
}

/// The key this browser was just given, if its cookie is still there.
pub fn take_fresh_key(parts: &Parts) -> Option<String> {
    crate::server::auth::cookie_value(&parts.headers, FRESH_KEY_COOKIE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_one_short_line() {
        assert_eq!(check_label("  Caisse 1 ").unwrap(), "Caisse 1");
        for bad in ["", "   ", "a\nb", &"x".repeat(61)] {
            assert!(matches!(check_label(bad), Err(AppError::InvalidField(f, _)) if f == "label"), "{bad:?}");
        }
    }
}
