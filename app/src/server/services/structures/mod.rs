//! Sponsors' structures (seed 004): activating one by its SIRET, its
//! managers, deactivating it (taken over by another when the register says
//! its SIRET is still open), and what staff keep of it (service codes, what
//! Chorus Pro requires). Every action checks the caller's right first:
//! an approved manager of the structure, or staff of its agency.

pub mod activation;
pub mod deactivation;
pub mod register;

use super::agencies::{self, history_view};
use super::journal;
use crate::domain::search;
use crate::domain::structure::MAX_SERVICE_CODE;
use crate::domain::{ChorusRequirement, ManagerState, Siret};
use crate::error::AppError;
use crate::model::structures::{
    ManagedStructure, ManagerRequest, SponsorList, SponsorManager, SponsorOverview, Structure, StructureDetail,
    StructureList,
};
use crate::server::audit::{self, Actor, Entity};
use crate::server::error::ServerError;
use crate::server::guards::StructureCaller;
use crate::server::store::structures::{self as store, ManagedRow};
use crate::server::{
    AppState,
    auth::{Sponsor, Staff},
};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

fn not_found() -> AppError {
    AppError::NotFound("Structure".into())
}

/// A SIRET as typed, or the rule's sentence.
pub(crate) fn parse_siret(typed: &str) -> Result<Siret, ServerError> {
    Siret::parse(typed).map_err(|e| AppError::field("siret", e.to_string()).into())
}

/// Refuses anyone but an approved manager of the structure or staff of its
/// agency: « Vous ne gérez pas cette structure. »
pub async fn ensure_manages(
    conn: &mut AnyConnection,
    caller: &StructureCaller,
    structure: &Structure,
) -> Result<(), ServerError> {
    let manages = match caller {
        StructureCaller::Staff(staff) => staff.covers(structure.agency_id),
        StructureCaller::Sponsor(sponsor) => store::find_manager(conn, structure.id, sponsor.account_id)
            .await?
            .is_some_and(|m| m.state == ManagerState::Approved),
    };
    if manages { Ok(()) } else { Err(AppError::NotStructureManager.into()) }
}

/// Whether `account_id` may order for the structure: an approved manager
/// of an active structure. A pending manager waits for the main manager's
/// approval; a deactivated structure orders no more.
pub async fn ensure_can_order(conn: &mut AnyConnection, account_id: i64, structure_id: i64) -> Result<(), ServerError> {
    let structure = store::find_on(conn, structure_id).await?.ok_or_else(not_found)?;
    let manager = store::find_manager(conn, structure.id, account_id).await?;
    match manager.map(|m| m.state) {
        Some(ManagerState::Approved) => {}
        Some(ManagerState::Pending) => {
            return Err(AppError::Conflict(format!(
                "Votre demande de gestion de « {} » attend l'approbation de son gestionnaire principal : \
                 vous ne pouvez pas encore commander pour cette structure.",
                structure.label
            ))
            .into());
        }
        Some(ManagerState::Refused) | None => return Err(AppError::NotStructureManager.into()),
    }
    if !structure.active {
        return Err(AppError::Conflict(format!(
            "La structure « {} » est désactivée : elle ne peut plus commander.",
            structure.label
        ))
        .into());
    }
    Ok(())
}

/// The structures a sponsor's manager manages, or asked to manage.
#[tracing::instrument(skip_all, fields(sponsor = %sponsor.login))]
pub async fn mine(state: &AppState, sponsor: &Sponsor) -> Result<Vec<ManagedStructure>, ServerError> {
    let rows = store::list_for_manager(state.db.pool(), sponsor.account_id).await?;
    Ok(rows.into_iter().map(|r| ManagedStructure { structure: r.structure, main: r.main, state: r.state }).collect())
}

/// The sponsor's home: their structures and the requests waiting on them.
#[tracing::instrument(skip_all, fields(sponsor = %sponsor.login))]
pub async fn home(state: &AppState, sponsor: &Sponsor) -> Result<SponsorOverview, ServerError> {
    Ok(SponsorOverview { structures: mine(state, sponsor).await?, requests: requests(state, sponsor).await? })
}

/// Requests to manage the structures whose main manager is the caller.
#[tracing::instrument(skip_all, fields(sponsor = %sponsor.login))]
pub async fn requests(state: &AppState, sponsor: &Sponsor) -> Result<Vec<ManagerRequest>, ServerError> {
    Ok(store::requests_for_main(state.db.pool(), sponsor.account_id).await?)
}

/// The agency's structures, with their register state.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn list(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    typed: &str,
) -> Result<StructureList, ServerError> {
    let typed = agencies::typed_search(typed)?;
    let chosen = agencies::pick(state, staff, asked).await?;
    let rows = store::list_for_agency(state.db.pool(), staff.scope(chosen), &typed).await?;
    Ok(StructureList { desk: agencies::desk(state, staff, chosen).await?, rows })
}

/// `/agence/commanditaires`: the sponsors' managers of the agency, each
/// with the structures they manage (or asked to, or were refused). A search
/// keeps the managers whose login holds every word, or who manage a
/// structure whose label, SIRET or town does (accents and case aside).
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn sponsors(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    typed: &str,
) -> Result<SponsorList, ServerError> {
    let typed = agencies::typed_search(typed)?;
    let chosen = agencies::pick(state, staff, asked).await?;
    let pool = state.db.pool();
    let found: Option<HashSet<i64>> = match typed.trim().is_empty() {
        true => None,
        false => Some(store::list_for_agency(pool, staff.scope(chosen), &typed).await?.iter().map(|s| s.id).collect()),
    };
    let words = search::words(&typed);
    let mut managed: HashMap<i64, Vec<ManagedStructure>> = HashMap::new();
    for row in store::sponsors_structures(pool, staff.scope(chosen)).await? {
        let ManagedRow { structure, main, state } = row.managed;
        managed.entry(row.account_id).or_default().push(ManagedStructure { structure, main, state });
    }
    let kept: Vec<_> = store::sponsor_accounts(pool, staff.scope(chosen))
        .await?
        .into_iter()
        .filter(|a| {
            found.as_ref().is_none_or(|found| {
                (!words.is_empty() && search::matches(&a.login, &typed))
                    || managed.get(&a.id).is_some_and(|m| m.iter().any(|s| found.contains(&s.structure.id)))
            })
        })
        .collect();
    let rows = kept
        .into_iter()
        .map(|a| SponsorManager {
            structures: managed.remove(&a.id).unwrap_or_default(),
            login: a.login,
            active: a.active,
        })
        .collect();
    Ok(SponsorList { desk: agencies::desk(state, staff, chosen).await?, rows })
}

/// One structure in the back office: register, managers, service codes, history.
#[tracing::instrument(skip_all, fields(staff = %staff.login, structure = id))]
pub async fn detail(state: &AppState, staff: &Staff, id: &str) -> Result<StructureDetail, ServerError> {
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let pool = state.db.pool();
    let structure = store::find(pool, id).await?.filter(|s| staff.covers(s.agency_id)).ok_or_else(not_found)?;
    let establishment = match &structure.siret {
        Some(siret) => store::find_establishment(&mut *pool.acquire().await?, siret).await?,
        None => None,
    };
    let taken_over_label = match structure.taken_over_by {
        Some(by) => store::find(pool, by).await?.map(|s| s.label),
        None => None,
    };
    Ok(StructureDetail {
        taken_over_label,
        establishment,
        managers: store::managers(pool, id).await?,
        service_codes: store::service_codes(&mut *pool.acquire().await?, id).await?,
        history: history_view(audit::history(pool, Entity::Structure, id).await?)?,
        structure,
    })
}

/// The structure `id` (as a form sends it), locked, if the staff member covers its agency.
async fn staff_structure(
    tx: &mut crate::server::db::WriteTx,
    staff: &Staff,
    id: &str,
) -> Result<Structure, ServerError> {
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    Ok(store::find_for_update(tx, id).await?.filter(|s| staff.covers(s.agency_id)).ok_or_else(not_found)?)
}

/// A Chorus Pro service code for the structure, active at once.
#[tracing::instrument(skip_all, fields(staff = %staff.login, structure = id))]
pub async fn add_service_code(
    state: &AppState,
    staff: &Staff,
    id: &str,
    code: &str,
    label: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let code = code.trim();
    let label = label.trim();
    if code.is_empty() || code.chars().count() > MAX_SERVICE_CODE || code.chars().any(char::is_control) {
        return Err(AppError::field(
            "code",
            format!(
                "Le code service compte 1 à {MAX_SERVICE_CODE} caractères, tel que Chorus Pro l'indique (ex. ST-44)."
            ),
        )
        .into());
    }
    if label.is_empty() || label.chars().count() > 200 || label.chars().any(char::is_control) {
        return Err(AppError::field("label", "Le libellé du code service compte 1 à 200 caractères.").into());
    }
    let mut tx = state.db.begin_write().await?;
    let structure = staff_structure(&mut tx, staff, id).await?;
    store::insert_service_code(tx.conn(), structure.id, code, label).await.map_err(|e| {
        let e = ServerError::from(e);
        if e.breaks(store::SERVICE_CODE_KEY) {
            AppError::Conflict(format!("Le code service « {code} » existe déjà pour cette structure.")).into()
        } else {
            e
        }
    })?;
    let after = json!({ "service_code": code, "label": label, "active": true });
    journal(&mut tx, &Actor::staff(staff), Entity::Structure, structure.id, "add_service_code", json!({}), after, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (or reactivates) one of the structure's service codes: an
/// inactive code stays listed and is offered no more.
#[tracing::instrument(skip_all, fields(staff = %staff.login, structure = id))]
pub async fn set_service_code_active(
    state: &AppState,
    staff: &Staff,
    id: &str,
    code: &str,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let code = code.trim();
    let mut tx = state.db.begin_write().await?;
    let structure = staff_structure(&mut tx, staff, id).await?;
    let current = store::find_service_code(tx.conn(), structure.id, code)
        .await?
        .ok_or_else(|| AppError::NotFound("Code service".into()))?;
    if current.active != active {
        store::set_service_code_active(tx.conn(), structure.id, code, active).await?;
        let action = if active { "activate_service_code" } else { "deactivate_service_code" };
        let before = json!({ "service_code": code, "active": !active });
        let after = json!({ "service_code": code, "active": active });
        journal(&mut tx, &Actor::staff(staff), Entity::Structure, structure.id, action, before, after, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What Chorus Pro requires of the invoices sent to the structure.
#[tracing::instrument(skip_all, fields(staff = %staff.login, structure = id))]
pub async fn set_chorus_requirement(
    state: &AppState,
    staff: &Staff,
    id: &str,
    requirement: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let requirement = ChorusRequirement::from_code(requirement.trim()).ok_or_else(|| {
        AppError::field(
            "requirement",
            "Choisissez ce que Chorus Pro exige : rien, le code service, le numéro d'engagement, les deux, ou l'un des deux.",
        )
    })?;
    let mut tx = state.db.begin_write().await?;
    let structure = staff_structure(&mut tx, staff, id).await?;
    if structure.chorus != requirement {
        store::set_chorus(tx.conn(), structure.id, requirement).await?;
        let before = json!({ "chorus": structure.chorus.label() });
        let after = json!({ "chorus": requirement.label() });
        journal(&mut tx, &Actor::staff(staff), Entity::Structure, structure.id, "set_chorus", before, after, now)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
