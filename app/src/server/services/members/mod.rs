//! Members in the back office: search, create (with their login), edit,
//! deactivate and reactivate, reset the password. Staff reach only their
//! own agency's members; an administrator reaches every agency's.

pub mod import;

use super::agencies::{self, changed_fields, history_view};
use super::{accounts::invitations, accounts::logins, journal};
use crate::domain::contact::{parse_email, parse_name};
use crate::domain::{Day, MemberNumber, Role, Timestamp, agency::LIST_LIMIT, day::parse_day, member::fee_paid_up};
use crate::error::AppError;
use crate::model::agency::{AgencyVoucherRow, MemberDetail, MemberList};
use crate::server::audit::{self, Actor, Entity};
use crate::server::error::ServerError;
use crate::server::store::accounts::{self, NewAccount, links};
use crate::server::store::members::{self, MemberFile, NewMember};
use crate::server::store::vouchers;
use crate::server::{AppState, auth::Staff, services::vouchers::agency::row_view};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// What staff type about a member (the number is typed once, at creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInput {
    pub name: String,
    pub email: String,
    /// `31/12/2026`, `2026-12-31`, or empty: not paid up.
    pub fee_paid_until: String,
}

/// The same, checked.
pub(crate) struct CheckedMember {
    pub name: String,
    pub email: Option<String>,
    pub fee_paid_until: Option<Day>,
}

/// A member's new login, as the journal keeps it.
pub(crate) fn login_json(number: &str, member_id: i64, agency_id: i64) -> Value {
    json!({ "login": number, "role": Role::Member, "member_id": member_id, "agency_id": agency_id })
}

pub(crate) fn check(input: &MemberInput) -> Result<CheckedMember, ServerError> {
    let name = parse_name(&input.name, "le nom de l'adhérent").map_err(|e| AppError::field("name", e))?;
    let email = parse_email(&input.email).map_err(|e| AppError::field("email", e))?;
    let fee_paid_until = parse_fee_day(&input.fee_paid_until).map_err(|e| AppError::field("fee_paid_until", e))?;
    Ok(CheckedMember { name, email, fee_paid_until })
}

/// The last day the fee covers; empty is none.
pub(crate) fn parse_fee_day(typed: &str) -> Result<Option<Day>, String> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    parse_day(typed).map(|d| Some(Day::new(d))).map_err(|e| format!("Cotisation à jour jusqu'au : {e}"))
}

/// A member's fields as the journal keeps them (the day in ISO form).
pub(crate) fn member_json(name: &str, email: Option<&str>, fee: Option<Day>) -> Value {
    json!({ "name": name, "email": email, "fee_paid_until": fee })
}

#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn search(
    state: &AppState,
    staff: &Staff,
    typed: &str,
    asked: Option<&str>,
    now: DateTime<Utc>,
) -> Result<MemberList, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let typed = agencies::typed_search(typed)?;
    let limit = i64::try_from(LIST_LIMIT + 1).unwrap_or(i64::MAX);
    let mut found = members::search(state.db.pool(), staff.scope(chosen), &typed, limit).await?;
    let truncated = found.len() > LIST_LIMIT;
    found.truncate(LIST_LIMIT);
    let today = Timestamp::new(now).paris_day();
    Ok(MemberList { desk: agencies::desk(state, staff, chosen).await?, rows: found, today, truncated })
}

/// Creates a member of the staff member's agency (an administrator names
/// it) and their login, the member number, with a password nobody knows;
/// a member with an email address is sent an invitation to choose theirs.
/// Returns the number and whether the invitation went (else staff print
/// an activation letter).
#[tracing::instrument(skip_all, fields(staff = %staff.login, number = %number))]
pub async fn create(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    number: &str,
    input: &MemberInput,
    now: DateTime<Utc>,
) -> Result<(String, bool), ServerError> {
    let agency_id = staff.agency_for_new(agencies::pick(state, staff, asked).await?)?;
    let number: MemberNumber = number
        .parse()
        .map_err(|e: crate::domain::member::MemberNumberError| AppError::field("number", e.to_string()))?;
    let member = check(input)?;
    let hash = logins::unusable_hash().await?;

    let mut tx = state.db.begin_write().await?;
    let taken = |agency| {
        AppError::Conflict(if agency == agency_id {
            format!("L'adhérent n° {number} existe déjà : ouvrez sa fiche pour le modifier.")
        } else {
            format!("Le n° {number} est celui d'un adhérent d'une autre agence.")
        })
    };
    let new = NewMember {
        agency_id,
        number: number.as_str(),
        name: &member.name,
        email: member.email.as_deref(),
        fee_paid_until: member.fee_paid_until,
        created_at: Timestamp::new(now),
    };
    let id = match members::insert(tx.conn(), &new).await {
        Ok(id) => id,
        Err(e) => {
            let e = ServerError::from(e);
            if !e.breaks(members::NUMBER_KEY) {
                return Err(e);
            }
            // Whose number it is decides the sentence: read once the write is undone.
            drop(tx);
            let owner = members::find_by_number(state.db.pool(), number.as_str()).await?;
            return Err(taken(owner.map_or(agency_id, |m| m.agency_id)).into());
        }
    };
    let account = accounts::insert_account(
        tx.conn(),
        &NewAccount {
            login: number.as_str(),
            password_hash: &hash,
            role: Role::Member,
            member_id: Some(id),
            supplier_id: None,
            agency_id: Some(agency_id),
            created_at: Timestamp::new(now),
        },
    )
    .await
    .map_err(ServerError::from)
    .map_err(|e| {
        if e.breaks(accounts::LOGIN_KEY) {
            AppError::Conflict(format!("Le n° {number} est déjà l'identifiant d'un autre compte.")).into()
        } else {
            e
        }
    })?;
    let actor = Actor::staff(staff);
    let mut after = member_json(&member.name, member.email.as_deref(), member.fee_paid_until);
    after["number"] = json!(number.as_str());
    journal(&mut tx, &actor, Entity::Member, id, "create", json!({}), after, now).await?;
    let after = login_json(number.as_str(), id, agency_id);
    journal(&mut tx, &actor, Entity::Account, account, "create", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(member = id, agency = agency_id, "member created");
    let reachable = links::reachable_by_login(state.db.pool(), number.as_str()).await?.ok_or(AppError::Internal)?;
    // A failed sending leaves the member created: the page offers to send
    // it again or to print a letter.
    let invited = invitations::invite(state, &actor, &reachable, now).await.unwrap_or_else(|e| {
        tracing::warn!(member = id, error = ?e, "invitation not sent at creation");
        false
    });
    Ok((number.to_string(), invited))
}

/// A member of the staff member's agency, by number; anyone else's is as
/// unknown as a missing one.
async fn own_member(state: &AppState, staff: &Staff, number: &str) -> Result<MemberFile, ServerError> {
    let number = number.trim().to_ascii_uppercase();
    Ok(members::find_by_number(state.db.pool(), &number)
        .await?
        .filter(|m| staff.covers(m.agency_id))
        .ok_or_else(not_found)?)
}

fn not_found() -> AppError {
    AppError::NotFound("Adhérent".into())
}

#[tracing::instrument(skip_all, fields(staff = %staff.login, number = %number))]
pub async fn detail(
    state: &AppState,
    staff: &Staff,
    number: &str,
    now: DateTime<Utc>,
) -> Result<MemberDetail, ServerError> {
    let m = own_member(state, staff, number).await?;
    let pool = state.db.pool();
    let mut conn = pool.acquire().await?;
    let account = match accounts::member_account(&mut conn, m.id).await? {
        Some(account) => links::reachable(&mut conn, account.id).await?,
        None => None,
    };
    drop(conn);
    let access = match &account {
        Some(account) => Some(invitations::access(state, account).await?),
        None => None,
    };
    let today = Timestamp::new(now).paris_day();
    let vouchers = vouchers::list_for_member(pool, m.id)
        .await?
        .into_iter()
        .map(|v| row_view(v, today))
        .collect::<Vec<AgencyVoucherRow>>();
    // The member's events and their login's (invitations, letters, the
    // password chosen), in the journal's order.
    let mut events = audit::history(pool, Entity::Member, m.id).await?;
    if let Some(account) = &account {
        events.extend(audit::history(pool, Entity::Account, account.id).await?);
        events.sort_by_key(|e| e.id);
    }
    let history = history_view(events)?;
    Ok(MemberDetail { fee_paid_up: fee_paid_up(m.fee_paid_until, today), access, file: m, vouchers, history })
}

/// Name, email and fee paid-up day; returns the member's number.
#[tracing::instrument(skip_all, fields(staff = %staff.login, number = %number))]
pub async fn update(
    state: &AppState,
    staff: &Staff,
    number: &str,
    input: &MemberInput,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let checked = check(input)?;
    let number = number.trim().to_ascii_uppercase();
    let mut tx = state.db.begin_write().await?;
    let m = members::find_by_number_for_update(&mut tx, &number)
        .await?
        .filter(|m| staff.covers(m.agency_id))
        .ok_or_else(not_found)?;
    let before = member_json(&m.name, m.email.as_deref(), m.fee_paid_until);
    let after = member_json(&checked.name, checked.email.as_deref(), checked.fee_paid_until);
    if before != after {
        members::update(tx.conn(), &m, &checked.name, checked.email.as_deref(), checked.fee_paid_until).await?;
        let (before, after) = changed_fields(&before, &after);
        journal(&mut tx, &Actor::staff(staff), Entity::Member, m.id, "update", before, after, now).await?;
    }
    tx.commit().await?;
    Ok(m.number)
}

/// A deactivated member can neither log in nor request a voucher (their
/// login is deactivated with them, and every phone logged in to it is
/// logged out); reactivating lets them log in again.
#[tracing::instrument(skip_all, fields(staff = %staff.login, number = %number))]
pub async fn set_active(
    state: &AppState,
    staff: &Staff,
    number: &str,
    active: bool,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let number = number.trim().to_ascii_uppercase();
    let mut tx = state.db.begin_write().await?;
    let m = members::find_by_number_for_update(&mut tx, &number)
        .await?
        .filter(|m| staff.covers(m.agency_id))
        .ok_or_else(not_found)?;
    if m.active != active {
        members::set_active(tx.conn(), m.id, active).await?;
        if let Some(account) = accounts::member_account(tx.conn(), m.id).await? {
            accounts::set_account_active(tx.conn(), account.id, active).await?;
            // Sessions opened before a deactivation must not come back with
            // the account: both ways, none is left.
            accounts::delete_account_sessions(tx.conn(), account.id, None).await?;
        }
        let action = if active { "reactivate" } else { "deactivate" };
        let (before, after) = (json!({ "active": !active }), json!({ "active": active }));
        journal(&mut tx, &Actor::staff(staff), Entity::Member, m.id, action, before, after, now).await?;
    }
    tx.commit().await?;
    tracing::info!(member = m.id, active, "member activation set");
    Ok(m.number)
}
