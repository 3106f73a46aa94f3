//! « Inactiver une structure publique » (seed 004, section 3), its two
//! cases: a SIRET closed (F) in the SIRENE register is deactivated once
//! confirmed; a SIRET still open (A) needs a « SIRET reprenant l'activité »:
//! an active public structure that the same manager manages, which
//! receives the invoices and open orders of the deactivated one from then on.

use super::{ensure_manages, parse_siret, register};
use crate::domain::{RegisterState, Siret, StructureKind, Timestamp};
use crate::error::AppError;
use crate::model::structures::{DeactivationDone, DeactivationStep, Structure, TransferCounts};
use crate::server::AppState;
use crate::server::audit::{Actor, Entity};
use crate::server::db::WriteTx;
use crate::server::error::ServerError;
use crate::server::guards::StructureCaller;
use crate::server::services::journal;
use crate::server::store::structures as store;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// The active structure of a SIRET that the caller may act on.
async fn to_deactivate(
    conn: &mut AnyConnection,
    caller: &StructureCaller,
    structure: Option<Structure>,
    siret: &Siret,
) -> Result<(Structure, RegisterState), ServerError> {
    let structure =
        structure.ok_or_else(|| AppError::Invalid(format!("Aucune structure n'est activée sous le SIRET {siret}.")))?;
    ensure_manages(conn, caller, &structure).await?;
    if !structure.active {
        return Err(AppError::Conflict(format!("La structure « {} » est déjà inactive.", structure.label)).into());
    }
    let register_state = match structure.register_state {
        Some(state) => state,
        None => return Err(register::unknown(siret)),
    };
    Ok((structure, register_state))
}

/// Steps 4 to 6: the structure behind the SIRET typed, and whether its
/// deactivation needs a taking-over SIRET (the register says it is open).
#[tracing::instrument(skip_all, fields(caller = %caller.login()))]
pub async fn preview(state: &AppState, caller: &StructureCaller, siret: &str) -> Result<DeactivationStep, ServerError> {
    let siret = parse_siret(siret)?;
    let mut conn = state.db.pool().acquire().await?;
    let structure = store::find_by_siret(&mut conn, siret.as_str()).await?;
    let (structure, register_state) = to_deactivate(&mut conn, caller, structure, &siret).await?;
    Ok(DeactivationStep { structure, needs_taking_over: register_state == RegisterState::Open })
}

/// Checks the taking-over SIRET: an active public structure, other than
/// the one deactivated, that the same manager manages. Each refusal says
/// which rule failed.
async fn taking_over(
    tx: &mut WriteTx,
    caller: &StructureCaller,
    from: &Structure,
    typed: &str,
) -> Result<Structure, ServerError> {
    let siret =
        Siret::parse(typed).map_err(|e| AppError::field("taking_over", format!("SIRET reprenant l'activité : {e}")))?;
    if from.siret.as_deref() == Some(siret.as_str()) {
        let why = "Le SIRET reprenant l'activité doit être celui d'une autre structure que celle à inactiver.";
        return Err(AppError::field("taking_over", why).into());
    }
    let to = store::find_by_siret_for_update(tx, siret.as_str()).await?.ok_or_else(|| {
        AppError::field(
            "taking_over",
            format!(
                "Le SIRET reprenant l'activité ({siret}) n'est celui d'aucune structure activée : activez-la d'abord."
            ),
        )
    })?;
    if to.kind != StructureKind::Public {
        return Err(AppError::field(
            "taking_over",
            format!("La structure reprenant l'activité (« {} ») n'est pas une structure publique.", to.label),
        )
        .into());
    }
    if !to.active {
        return Err(AppError::field(
            "taking_over",
            format!(
                "La structure reprenant l'activité (« {} ») est inactive : elle ne peut pas recevoir les factures.",
                to.label
            ),
        )
        .into());
    }
    let same_manager = match caller {
        StructureCaller::Sponsor(sponsor) => store::manages_both(tx.conn(), sponsor.account_id, from.id, to.id).await?,
        StructureCaller::Staff(staff) => {
            staff.covers(to.agency_id) && store::share_a_manager(tx.conn(), from.id, to.id).await?
        }
    };
    if !same_manager {
        return Err(AppError::field("taking_over", format!(
            "La structure reprenant l'activité (« {} ») n'est pas gérée par le même gestionnaire que celle à inactiver.",
            to.label
        ))
        .into());
    }
    Ok(to)
}

/// Steps 6 to 9: deactivates the structure. When the register says its
/// SIRET is open, `taking_over` (the SIRET reprenant l'activité) is
/// required; when closed, it may be given. The taking-over structure is
/// recorded and receives what `transfer_to_taking_over` moves. Journaled:
/// the deactivation, the taking over, the transfer.
#[tracing::instrument(skip_all, fields(caller = %caller.login()))]
pub async fn deactivate(
    state: &AppState,
    caller: &StructureCaller,
    siret: &str,
    taking_over_siret: &str,
    now: DateTime<Utc>,
) -> Result<DeactivationDone, ServerError> {
    let siret = parse_siret(siret)?;
    let mut tx = state.db.begin_write().await?;
    let structure = store::find_by_siret_for_update(&mut tx, siret.as_str()).await?;
    let (from, register_state) = to_deactivate(tx.conn(), caller, structure, &siret).await?;
    let to =
        match (register_state, taking_over_siret.trim()) {
            (RegisterState::Open, "") => {
                return Err(AppError::field("taking_over", format!(
                "Le SIRET {siret} est toujours actif dans la base SIRENE : indiquez le SIRET reprenant l'activité, \
                 qui recevra les factures de « {} ».",
                from.label
            ))
            .into());
            }
            (_, "") => None,
            (_, typed) => Some(taking_over(&mut tx, caller, &from, typed).await?),
        };
    let actor = Actor::structure_caller(caller);
    store::deactivate(tx.conn(), from.id, Timestamp::new(now), to.as_ref().map(|t| t.id)).await?;
    let before = json!({ "active": true });
    let after = json!({
        "active": false,
        "register_state": register_state.code(),
        "taken_over_by": to.as_ref().map(|t| t.id),
        "taken_over_siret": to.as_ref().and_then(|t| t.siret.clone()),
    });
    journal(&mut tx, &actor, Entity::Structure, from.id, "deactivate", before, after, now).await?;
    let mut transferred = TransferCounts::default();
    if let Some(to) = &to {
        transferred = transfer_to_taking_over(&mut tx, from.id, to.id).await?;
        let moved = json!({
            "from": from.id,
            "from_siret": from.siret,
            "to": to.id,
            "to_siret": to.siret,
            "open_orders": transferred.open_orders,
            "invoices": transferred.invoices,
        });
        journal(&mut tx, &actor, Entity::Structure, from.id, "transfer", json!({}), moved.clone(), now).await?;
        journal(&mut tx, &actor, Entity::Structure, to.id, "take_over", json!({}), moved, now).await?;
        for &order in &transferred.orders {
            let before = json!({ "structure": from.label, "siret": from.siret });
            let after = json!({ "structure": to.label, "siret": to.siret });
            journal(&mut tx, &actor, Entity::Order, order, "transfer", before, after, now).await?;
        }
    }
    tx.commit().await?;
    tracing::info!(structure = from.id, taken_over_by = ?to.as_ref().map(|t| t.id), "structure deactivated");
    Ok(DeactivationDone {
        structure_id: from.id,
        label: from.label,
        taken_over_by: to.map(|t| (t.id, t.label)),
        transferred,
    })
}

/// Moves what a deactivated structure still had running to the structure
/// taking over its activity, inside the deactivation's transaction, and
/// returns what moved: its orders not cancelled (each order's history says
/// so). Invoices to sponsors do not exist yet (the next issue issues them):
/// their count stays zero until then.
pub async fn transfer_to_taking_over(tx: &mut WriteTx, from: i64, to: i64) -> Result<TransferCounts, ServerError> {
    let moved = crate::server::store::shop::transfer_open_orders(tx.conn(), from, to).await?;
    Ok(TransferCounts { open_orders: moved.len() as u64, invoices: 0, orders: moved })
}
