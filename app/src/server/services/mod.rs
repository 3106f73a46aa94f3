//! Business operations. Each takes who is asking and the time, opens at most
//! one transaction, and returns what the caller shows.

pub mod accounts;
pub mod agencies;
pub mod discounts;
pub mod invoices;
pub mod members;
pub mod passes;
pub mod payments;
pub mod shop;
pub mod statements;
pub mod structures;
pub mod suppliers;
pub mod team;
pub mod vouchers;

use crate::server::audit::{self, Actor, Change, Entity};
use crate::server::db::WriteTx;
use crate::server::error::ServerError;
use chrono::{DateTime, Utc};

/// Appends to the audit journal inside `tx`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn journal(
    tx: &mut WriteTx,
    actor: &Actor,
    entity: Entity,
    id: i64,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    Ok(audit::append(tx, actor, Change { entity, entity_id: id, action, before, after }, now).await?)
}
