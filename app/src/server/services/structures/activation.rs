//! « Activer une structure publique » (seed 004, section 2): the manager
//! types the SIRET (step 4), confirms the structure shown (step 5) and the
//! action (step 6); « L'action a été réalisée » (step 7). The first account
//! of a structure becomes its main manager; a later one asks to manage it
//! and waits for the main manager's (or staff's) approval.

use super::{ensure_manages, not_found, parse_siret, register};
use crate::domain::{ChorusRequirement, ManagerState, RegisterState, Siret, StructureKind, Timestamp};
use crate::error::AppError;
use crate::model::structures::{ActivationDone, ActivationPlan, ActivationStep, Establishment, Structure};
use crate::server::audit::{Actor, Entity};
use crate::server::db::WriteTx;
use crate::server::error::ServerError;
use crate::server::guards::StructureCaller;
use crate::server::services::journal;
use crate::server::store::accounts;
use crate::server::store::structures::{self as store, NewStructure};
use crate::server::{AppState, auth::Sponsor};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// The register's word on the SIRET: known and open, or refused.
async fn open_establishment(conn: &mut AnyConnection, siret: &Siret) -> Result<Establishment, ServerError> {
    let establishment = register::known(conn, siret).await?;
    if establishment.state == RegisterState::Closed {
        return Err(AppError::Conflict(format!(
            "Le SIRET {siret} est fermé dans la base SIRENE : cette structure ne peut pas être activée."
        ))
        .into());
    }
    Ok(establishment)
}

/// What confirming would do for this caller, or why it is refused.
async fn plan(
    conn: &mut AnyConnection,
    sponsor: &Sponsor,
    structure: Option<&Structure>,
) -> Result<ActivationPlan, ServerError> {
    let Some(s) = structure else {
        return Ok(ActivationPlan::Create);
    };
    if s.kind != StructureKind::Public {
        return Err(AppError::Conflict(format!("Ce SIRET est celui de « {} », une structure privée.", s.label)).into());
    }
    let mine = store::find_manager(conn, s.id, sponsor.account_id).await?.map(|m| m.state);
    match (s.active, mine) {
        (true, Some(ManagerState::Approved)) => {
            Err(AppError::Conflict(format!("La structure « {} » est déjà active, et vous la gérez.", s.label)).into())
        }
        (_, Some(ManagerState::Pending)) => Err(AppError::Conflict(format!(
            "Votre demande de gestion de « {} » attend déjà l'approbation de son gestionnaire principal.",
            s.label
        ))
        .into()),
        (false, Some(ManagerState::Approved)) => Ok(ActivationPlan::Reactivate),
        (false, _) if !store::has_main_manager(conn, s.id).await? => Ok(ActivationPlan::Reactivate),
        _ => Ok(ActivationPlan::JoinAsPending),
    }
}

/// Steps 4 and 5: the structure behind the SIRET typed, and what
/// confirming will do. Refuses an invalid SIRET, one unknown to the
/// register or closed there, and a structure the caller already manages.
#[tracing::instrument(skip_all, fields(sponsor = %sponsor.login))]
pub async fn preview(state: &AppState, sponsor: &Sponsor, siret: &str) -> Result<ActivationStep, ServerError> {
    let siret = parse_siret(siret)?;
    let mut conn = state.db.pool().acquire().await?;
    let establishment = open_establishment(&mut conn, &siret).await?;
    let structure = store::find_by_siret(&mut conn, siret.as_str()).await?;
    let plan = plan(&mut conn, sponsor, structure.as_ref()).await?;
    Ok(ActivationStep { establishment, plan })
}

/// Steps 6 and 7: the same checks, then the structure is created (or
/// reactivated) with the caller as its main manager when it has none, or
/// the caller's request to manage it waits for approval. Journaled.
#[tracing::instrument(skip_all, fields(sponsor = %sponsor.login))]
pub async fn activate(
    state: &AppState,
    sponsor: &Sponsor,
    siret: &str,
    now: DateTime<Utc>,
) -> Result<ActivationDone, ServerError> {
    let mut tx = state.db.begin_write().await?;
    let done = activate_in(&mut tx, sponsor, siret, now).await?;
    tx.commit().await?;
    tracing::info!(structure = done.structure_id, state = done.state.code(), "structure activation");
    Ok(done)
}

/// `activate`, inside the caller's transaction: the checkout opens an
/// account and activates its structure in one.
pub(crate) async fn activate_in(
    tx: &mut WriteTx,
    sponsor: &Sponsor,
    siret: &str,
    now: DateTime<Utc>,
) -> Result<ActivationDone, ServerError> {
    let siret = parse_siret(siret)?;
    let stamp = Timestamp::new(now);
    let actor = Actor::sponsor(sponsor);
    let establishment = open_establishment(tx.conn(), &siret).await?;
    let structure = store::find_by_siret_for_update(tx, siret.as_str()).await?;
    let plan = plan(tx.conn(), sponsor, structure.as_ref()).await?;
    let (id, label) = match (&structure, plan) {
        (None, _) => {
            let label = establishment.label();
            let new = NewStructure {
                agency_id: sponsor.agency_id,
                kind: StructureKind::Public,
                siret: Some(siret.as_str()),
                siren: None,
                label: &label,
                address: None,
                postcode: establishment.postcode.as_deref(),
                city: establishment.city.as_deref(),
                chorus: ChorusRequirement::None,
                created_at: stamp,
            };
            let id = store::insert_structure(tx.conn(), &new).await.map_err(|e| {
                let e = ServerError::from(e);
                if e.breaks(store::SIRET_KEY) {
                    AppError::Conflict(format!("Le SIRET {siret} vient d'être activé : recommencez.")).into()
                } else {
                    e
                }
            })?;
            let after = json!({ "siret": siret.as_str(), "label": label, "kind": "public", "active": true });
            journal(tx, &actor, Entity::Structure, id, "create", json!({}), after, now).await?;
            (id, label)
        }
        (Some(s), ActivationPlan::Reactivate) => {
            store::reactivate(tx.conn(), s.id).await?;
            let before = json!({ "active": false, "taken_over_by": s.taken_over_by });
            let after = json!({ "active": true, "taken_over_by": null });
            journal(tx, &actor, Entity::Structure, s.id, "activate", before, after, now).await?;
            (s.id, s.label.clone())
        }
        (Some(s), _) => (s.id, s.label.clone()),
    };
    let main = plan != ActivationPlan::JoinAsPending && !store::has_main_manager(tx.conn(), id).await?;
    let already = store::find_manager(tx.conn(), id, sponsor.account_id).await?;
    let done = if already.is_some_and(|m| m.state == ManagerState::Approved) {
        ActivationDone { structure_id: id, label, state: ManagerState::Approved, main: already.is_some_and(|m| m.main) }
    } else {
        let state = if plan == ActivationPlan::JoinAsPending { ManagerState::Pending } else { ManagerState::Approved };
        store::put_manager(tx.conn(), id, sponsor.account_id, main, state, stamp).await?;
        let action = if state == ManagerState::Pending { "request_manager" } else { "add_manager" };
        let after = json!({ "login": sponsor.login, "main": main, "manager": state.label() });
        journal(tx, &actor, Entity::Structure, id, action, json!({}), after, now).await?;
        ActivationDone { structure_id: id, label, state, main }
    };
    Ok(done)
}

/// The main manager (or staff of the structure's agency) approves or
/// refuses a request to manage the structure; journaled. An approved
/// manager may then act on the structure and order for it.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), structure = structure_id))]
pub async fn decide(
    state: &AppState,
    caller: &StructureCaller,
    structure_id: &str,
    login: &str,
    approve: bool,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let id: i64 = structure_id.trim().parse().map_err(|_| not_found())?;
    let login = login.trim().to_lowercase();
    let mut tx = state.db.begin_write().await?;
    let structure = store::find_for_update(&mut tx, id).await?.ok_or_else(not_found)?;
    ensure_manages(tx.conn(), caller, &structure).await?;
    if let StructureCaller::Sponsor(sponsor) = caller {
        let main = store::find_manager(tx.conn(), id, sponsor.account_id).await?.is_some_and(|m| m.main);
        if !main {
            return Err(AppError::Conflict(
                "Seul le gestionnaire principal de la structure (ou votre agence Castors) approuve les demandes de gestion."
                    .into(),
            )
            .into());
        }
    }
    let no_request =
        || AppError::Conflict(format!("Aucune demande de gestion de « {login} » n'attend pour cette structure."));
    let account = accounts::find_account_by_login(tx.conn(), &login).await?.ok_or_else(no_request)?;
    let decision = if approve { ManagerState::Approved } else { ManagerState::Refused };
    if !store::decide_manager(tx.conn(), id, account.id, decision, Timestamp::new(now), caller.login()).await? {
        return Err(no_request().into());
    }
    let action = if approve { "approve_manager" } else { "refuse_manager" };
    let before = json!({ "login": login, "manager": ManagerState::Pending.label() });
    let after = json!({ "login": login, "manager": decision.label() });
    journal(&mut tx, &Actor::structure_caller(caller), Entity::Structure, id, action, before, after, now).await?;
    tx.commit().await?;
    Ok(())
}
