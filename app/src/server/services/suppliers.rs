//! Partner suppliers in the back office: identity (SIRET), contact and bank
//! details, activation, and their staff's logins.

use super::agencies::{self, changed_fields, history_view};
use super::{accounts::invitations, accounts::logins, journal};
use crate::domain::contact::{parse_address, parse_email, parse_name, parse_optional_name, parse_phone};
use crate::domain::{Bic, Iban, Role, Siret, Timestamp};
use crate::error::AppError;
use crate::model::agency::{SupplierDetail, SupplierFile, SupplierList, SupplierLogin};
use crate::server::audit::{self, Actor, Entity};
use crate::server::error::ServerError;
use crate::server::store::accounts::{self, NewAccount, links};
use crate::server::store::suppliers::{self, SupplierFields};
use crate::server::{AppState, auth::Staff, clock};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// What staff type about a supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierInput {
    pub name: String,
    pub siret: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    /// Optional until the first payment; checked when given.
    pub iban: String,
    pub bic: String,
}

struct CheckedSupplier {
    name: String,
    siret: Siret,
    contact_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    iban: Option<Iban>,
    bic: Option<Bic>,
}

impl CheckedSupplier {
    fn fields(&self) -> SupplierFields<'_> {
        SupplierFields {
            name: &self.name,
            siret: self.siret.as_str(),
            contact_name: self.contact_name.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
            address: self.address.as_deref(),
            iban: self.iban.as_ref().map(Iban::as_str),
            bic: self.bic.as_ref().map(Bic::as_str),
        }
    }
}

fn check(input: &SupplierInput) -> Result<CheckedSupplier, ServerError> {
    let invalid = |field: &'static str| move |e: String| AppError::field(field, e);
    let optional = |s: &str| if s.trim().is_empty() { None } else { Some(s.to_owned()) };
    Ok(CheckedSupplier {
        name: parse_name(&input.name, "le nom du fournisseur").map_err(invalid("name"))?,
        siret: Siret::parse(&input.siret).map_err(|e| invalid("siret")(e.to_string()))?,
        contact_name: parse_optional_name(&input.contact_name, "le nom du contact").map_err(invalid("contact_name"))?,
        email: parse_email(&input.email).map_err(invalid("email"))?,
        phone: parse_phone(&input.phone).map_err(invalid("phone"))?,
        address: parse_address(&input.address).map_err(invalid("address"))?,
        iban: optional(&input.iban).map(|s| Iban::parse(&s)).transpose().map_err(|e| invalid("iban")(e.to_string()))?,
        bic: optional(&input.bic).map(|s| Bic::parse(&s)).transpose().map_err(|e| invalid("bic")(e.to_string()))?,
    })
}

fn fields_json(f: &SupplierFields<'_>) -> Value {
    json!({
        "name": f.name,
        "siret": f.siret,
        "contact_name": f.contact_name,
        "email": f.email,
        "phone": f.phone,
        "address": f.address,
        "iban": f.iban,
        "bic": f.bic,
    })
}

fn file_json(s: &SupplierFile) -> Value {
    fields_json(&SupplierFields {
        name: &s.name,
        siret: s.siret.as_deref().unwrap_or_default(),
        contact_name: s.contact_name.as_deref(),
        email: s.email.as_deref(),
        phone: s.phone.as_deref(),
        address: s.address.as_deref(),
        iban: s.iban.as_deref(),
        bic: s.bic.as_deref(),
    })
}

fn not_found() -> AppError {
    AppError::NotFound("Fournisseur".into())
}

#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn list(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    typed: &str,
) -> Result<SupplierList, ServerError> {
    let typed = agencies::typed_search(typed)?;
    let chosen = agencies::pick(state, staff, asked).await?;
    let rows = suppliers::list_files(state.db.pool(), staff.scope(chosen), &typed).await?;
    Ok(SupplierList { desk: agencies::desk(state, staff, chosen).await?, rows })
}

#[tracing::instrument(skip_all, fields(staff = %staff.login, supplier = id))]
pub async fn detail(state: &AppState, staff: &Staff, id: i64) -> Result<SupplierDetail, ServerError> {
    let pool = state.db.pool();
    let s = suppliers::find_file(pool, id).await?.filter(|s| staff.covers(s.agency_id)).ok_or_else(not_found)?;
    let accounts = accounts::supplier_accounts(pool, s.id).await?;
    let mut logins = Vec::with_capacity(accounts.len());
    let mut conn = pool.acquire().await?;
    for a in accounts {
        let reachable = links::reachable(&mut conn, a.id).await?.ok_or(AppError::Internal)?;
        let access = invitations::access(state, &reachable).await?;
        logins.push(SupplierLogin { login: a.login, active: a.active, created_on: a.created_at.paris_day(), access });
    }
    drop(conn);
    let history = history_view(audit::history(pool, Entity::Supplier, s.id).await?)?;
    Ok(SupplierDetail { file: s, logins, history })
}

/// Refuses a name or SIRET another supplier of the agency already has.
async fn check_clash(
    tx: &mut crate::server::db::WriteTx,
    agency_id: i64,
    s: &CheckedSupplier,
    except: Option<i64>,
) -> Result<(), ServerError> {
    let clash = suppliers::clash(tx.conn(), agency_id, &s.name, s.siret.as_str(), except).await?;
    match clash {
        Some((name, siret)) if siret.as_deref() == Some(s.siret.as_str()) => {
            Err(AppError::Conflict(format!("Le SIRET {} est déjà celui du fournisseur « {name} ».", s.siret)).into())
        }
        Some((name, _)) => {
            Err(AppError::Conflict(format!("Un fournisseur de l'agence s'appelle déjà « {name} ».")).into())
        }
        None => Ok(()),
    }
}

fn clash_from_index(e: sqlx::Error) -> ServerError {
    let e = ServerError::from(e);
    if e.breaks(suppliers::NAME_KEY) {
        AppError::Conflict("Un fournisseur de l'agence porte déjà ce nom.".into()).into()
    } else {
        e
    }
}

/// A new partner supplier, active at once; returns its id.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn create(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    input: &SupplierInput,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let agency_id = staff.agency_for_new(agencies::pick(state, staff, asked).await?)?;
    let checked = check(input)?;
    let mut tx = state.db.begin_write().await?;
    check_clash(&mut tx, agency_id, &checked, None).await?;
    let fields = checked.fields();
    let id =
        suppliers::insert_file(tx.conn(), agency_id, &fields, Timestamp::new(now)).await.map_err(clash_from_index)?;
    let mut after = fields_json(&fields);
    after["active"] = json!(true);
    journal(&mut tx, &Actor::staff(staff), Entity::Supplier, id, "create", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(supplier = id, agency = agency_id, "supplier created");
    Ok(id)
}

#[tracing::instrument(skip_all, fields(staff = %staff.login, supplier = id))]
pub async fn update(
    state: &AppState,
    staff: &Staff,
    id: i64,
    input: &SupplierInput,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let checked = check(input)?;
    let mut tx = state.db.begin_write().await?;
    let current = suppliers::find_file_for_update(&mut tx, id)
        .await?
        .filter(|s| staff.covers(s.agency_id))
        .ok_or_else(not_found)?;
    check_clash(&mut tx, current.agency_id, &checked, Some(id)).await?;
    let fields = checked.fields();
    let (before, after) = (file_json(&current), fields_json(&fields));
    if before != after {
        suppliers::update_file(tx.conn(), id, &fields).await.map_err(clash_from_index)?;
        let (before, after) = changed_fields(&before, &after);
        journal(&mut tx, &Actor::staff(staff), Entity::Supplier, id, "update", before, after, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An inactive supplier is offered to no member, and its logins see
/// nothing (each is logged out); vouchers already issued for it stay as
/// they are.
#[tracing::instrument(skip_all, fields(staff = %staff.login, supplier = id))]
pub async fn set_active(
    state: &AppState,
    staff: &Staff,
    id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let mut tx = state.db.begin_write().await?;
    let current = suppliers::find_file_for_update(&mut tx, id)
        .await?
        .filter(|s| staff.covers(s.agency_id))
        .ok_or_else(not_found)?;
    if current.active != active {
        suppliers::set_active(tx.conn(), id, active).await?;
        accounts::delete_supplier_sessions(tx.conn(), id).await?;
        let action = if active { "activate" } else { "deactivate" };
        let (before, after) = (json!({ "active": !active }), json!({ "active": active }));
        journal(&mut tx, &Actor::staff(staff), Entity::Supplier, id, action, before, after, now).await?;
    }
    tx.commit().await?;
    tracing::info!(supplier = id, active, "supplier activation set");
    Ok(())
}

/// Supplier logins are chosen by staff: lower case (the login form lowers
/// what is typed), starting with a letter so none reads as a member number.
pub(crate) fn parse_login(typed: &str) -> Result<String, ServerError> {
    let login = typed.trim().to_lowercase();
    let ok = (3..=40).contains(&login.len())
        && login.starts_with(|c: char| c.is_ascii_lowercase())
        && login.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if ok {
        Ok(login)
    } else {
        Err(AppError::field(
            "login",
            "L'identifiant compte 3 à 40 caractères : lettres sans accent, chiffres, point, tiret ou tiret bas, en commençant par une lettre (ex. ouest.caisse2).",
        ).into())
    }
}

/// A login for the supplier's staff, with a password nobody knows; an
/// invitation goes to the supplier's email address to choose it. Returns
/// whether it went (else staff print an activation letter).
#[tracing::instrument(skip_all, fields(staff = %staff.login, supplier = supplier_id, login = %login))]
pub async fn create_login(
    state: &AppState,
    staff: &Staff,
    supplier_id: i64,
    login: &str,
    now: DateTime<Utc>,
) -> Result<bool, ServerError> {
    let login = parse_login(login)?;
    let hash = logins::unusable_hash().await?;
    let mut tx = state.db.begin_write().await?;
    let supplier = suppliers::find_file_for_update(&mut tx, supplier_id)
        .await?
        .filter(|s| staff.covers(s.agency_id))
        .ok_or_else(not_found)?;
    let account = logins::open(
        tx.conn(),
        &NewAccount {
            login: &login,
            password_hash: &hash,
            role: Role::Supplier,
            member_id: None,
            supplier_id: Some(supplier.id),
            agency_id: None,
            created_at: Timestamp::new(now),
        },
    )
    .await?;
    let after = json!({ "login": login, "role": Role::Supplier, "supplier_id": supplier.id });
    journal(&mut tx, &Actor::staff(staff), Entity::Account, account, "create", json!({}), after.clone(), now).await?;
    journal(&mut tx, &Actor::staff(staff), Entity::Supplier, supplier.id, "add_login", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(supplier = supplier.id, %login, "supplier login created");
    let mut conn = state.db.pool().acquire().await?;
    let reachable = links::reachable(&mut conn, account).await?.ok_or(AppError::Internal)?;
    drop(conn);
    Ok(invitations::invite(state, &Actor::staff(staff), &reachable, now).await.unwrap_or_else(|e| {
        tracing::warn!(account, error = ?e, "invitation not sent at the login's creation");
        false
    }))
}

/// Deactivates or reactivates one of a supplier's logins; returns the supplier.
#[tracing::instrument(skip_all, fields(staff = %staff.login, login = %login))]
pub async fn set_login_active(
    state: &AppState,
    staff: &Staff,
    login: &str,
    active: bool,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let login = login.trim().to_lowercase();
    let mut tx = state.db.begin_write().await?;
    let not_found = || AppError::NotFound("Identifiant".into());
    let account = accounts::find_account_by_login(tx.conn(), &login)
        .await?
        .filter(|a| a.role == Role::Supplier)
        .ok_or_else(not_found)?;
    let supplier_id = account.supplier_id.ok_or_else(not_found)?;
    let supplier = suppliers::find_file_for_update(&mut tx, supplier_id)
        .await?
        .filter(|s| staff.covers(s.agency_id))
        .ok_or_else(not_found)?;
    if account.active != active {
        accounts::set_account_active(tx.conn(), account.id, active).await?;
        accounts::delete_account_sessions(tx.conn(), account.id, None).await?;
        let action = if active { "reactivate" } else { "deactivate" };
        let before = json!({ "login": login, "active": !active });
        let after = json!({ "login": login, "active": active });
        let actor = Actor::staff(staff);
        journal(&mut tx, &actor, Entity::Account, account.id, action, before.clone(), after.clone(), now).await?;
        journal(&mut tx, &actor, Entity::Supplier, supplier.id, action, before, after, now).await?;
    }
    tx.commit().await?;
    Ok(supplier.id)
}

/// The supplier space's home: what is left to invoice, what to correct.
#[tracing::instrument(skip_all, fields(supplier = user.supplier_id))]
pub async fn home(
    state: &AppState,
    user: &crate::server::auth::SupplierUser,
    now: DateTime<Utc>,
) -> Result<crate::model::supplier::SupplierOverview, ServerError> {
    let figures = crate::server::store::vouchers::delivered::home_figures(state.db.pool(), user.supplier_id).await?;
    Ok(crate::model::supplier::SupplierOverview {
        supplier: user.supplier_name.clone(),
        login: user.login.clone(),
        today: clock::iso_day(clock::paris_date(now)),
        to_invoice: figures.to_invoice,
        to_invoice_amount: crate::domain::Money::from_cents(figures.to_invoice_cents),
        invoices_to_correct: figures.invoices_to_correct,
        active_keys: figures.active_keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supplier_logins_never_read_as_member_numbers() {
        assert_eq!(parse_login(" Ouest.Caisse2 ").unwrap(), "ouest.caisse2");
        for bad in ["", "ab", "44000123b", "1ouest", "ouest caisse", "é-ouest", &"a".repeat(41)] {
            assert!(parse_login(bad).is_err(), "{bad:?}");
        }
    }
}
