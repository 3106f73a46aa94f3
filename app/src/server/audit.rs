//! The audit journal: who changed what, when, from what to what. Every state
//! change of a voucher, a member's fee status, a supplier or an account
//! appends one event in the same transaction as the change, so a change
//! without its event (or the reverse) cannot be committed.
//!
//! Events form a hash chain: each carries the hash of the one before it, and
//! its own hash covers that and every column. `verify` recomputes the chain
//! and names the first event that does not match. The table is append-only
//! for the application (database triggers refuse UPDATE and DELETE).

use super::auth::{Member, Sponsor, Staff, SupplierUser};
use super::db::{Backend, WriteTx};
use super::guards::StructureCaller;
use super::{clock, codes::sha256_hex};
use crate::domain::Role;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{AnyPool, FromRow};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// None for the system itself or a visitor who is not logged in.
    pub account_id: Option<i64>,
    /// The account's login, or what the system or the visitor is.
    pub name: String,
    pub role: ActorRole,
}

/// What an actor acts as: an account's role, the system, or a visitor.
/// The journal stores its code (`member`…, `system`, `anonymous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorRole {
    Account(Role),
    System,
    Visitor,
}

impl ActorRole {
    pub fn code(self) -> &'static str {
        match self {
            ActorRole::Account(role) => role.code(),
            ActorRole::System => "system",
            ActorRole::Visitor => "anonymous",
        }
    }

    pub fn from_code(code: &str) -> Option<ActorRole> {
        match code {
            "system" => Some(ActorRole::System),
            "anonymous" => Some(ActorRole::Visitor),
            role => Role::from_code(role).map(ActorRole::Account),
        }
    }
}

impl Actor {
    pub fn member(member: &Member) -> Actor {
        Actor::account(member.account_id, &member.login, Role::Member)
    }

    /// A scheduled job or a command of `bons` itself, e.g. `Actor::system("bons demo")`.
    pub fn system(what: &str) -> Actor {
        Actor { account_id: None, name: what.into(), role: ActorRole::System }
    }

    pub fn account(account_id: i64, login: &str, role: Role) -> Actor {
        Actor { account_id: Some(account_id), name: login.into(), role: ActorRole::Account(role) }
    }

    pub fn staff(staff: &Staff) -> Actor {
        Actor::account(staff.account_id, &staff.login, staff.role)
    }

    pub fn supplier(user: &SupplierUser) -> Actor {
        Actor::account(user.account_id, &user.login, Role::Supplier)
    }

    pub fn sponsor(sponsor: &Sponsor) -> Actor {
        Actor::account(sponsor.account_id, &sponsor.login, Role::Sponsor)
    }

    pub fn structure_caller(caller: &StructureCaller) -> Actor {
        match caller {
            StructureCaller::Sponsor(sponsor) => Actor::sponsor(sponsor),
            StructureCaller::Staff(staff) => Actor::staff(staff),
        }
    }

    /// Someone not logged in, known by their address only.
    pub fn visitor(ip: &str) -> Actor {
        Actor { account_id: None, name: format!("visiteur {ip}"), role: ActorRole::Visitor }
    }
}

/// What a journal event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Voucher,
    Member,
    Supplier,
    Account,
    Agency,
    Invoice,
    PaymentBatch,
    Statement,
    ApiKey,
    DiscountCode,
    /// A sponsor's structure: activation, deactivation, managers, service codes.
    Structure,
    /// A sponsor's order: placed, its purchase order, moved to a taking-over structure.
    Order,
    /// A SIRET's state in the SIRENE register, recorded by hand by staff
    /// (its id is the SIRET's fourteen digits as a number).
    Establishment,
    /// An invoice or credit note to a sponsor: issued, its Chorus Pro state.
    SponsorInvoice,
    /// A Pass Castors: spent at a supplier's counter, locked after wrong
    /// codes and unlocked, blocked and unblocked by staff.
    Pass,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Voucher => "voucher",
            Entity::Member => "member",
            Entity::Supplier => "supplier",
            Entity::Account => "account",
            Entity::Agency => "agency",
            Entity::Invoice => "invoice",
            Entity::PaymentBatch => "payment_batch",
            Entity::Statement => "statement",
            Entity::ApiKey => "api_key",
            Entity::DiscountCode => "discount_code",
            Entity::Order => "order",
            Entity::Structure => "structure",
            Entity::Establishment => "establishment",
            Entity::SponsorInvoice => "sponsor_invoice",
            Entity::Pass => "pass",
        }
    }
}

/// One change: the fields that changed, before and after, as JSON objects
/// (an empty object before a creation).
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub entity: Entity,
    pub entity_id: i64,
    pub action: &'a str,
    pub before: Value,
    pub after: Value,
}

/// A stored event, as read back for verification and display.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Event {
    pub id: i64,
    pub at: String,
    pub account_id: Option<i64>,
    pub actor: String,
    pub role: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before: String,
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    /// SHA-256 over the previous hash and every column, each field preceded
    /// by its length so that no two different events hash the same input.
    pub fn compute_hash(&self) -> String {
        let account = self.account_id.map(|a| a.to_string()).unwrap_or_default();
        let (id, entity_id) = (self.id.to_string(), self.entity_id.to_string());
        let fields: [&str; 11] = [
            &self.prev_hash,
            &id,
            &self.at,
            &account,
            &self.actor,
            &self.role,
            &self.entity,
            &entity_id,
            &self.action,
            &self.before,
            &self.after,
        ];
        let mut input = String::with_capacity(256);
        for field in fields {
            input.push_str(&field.len().to_string());
            input.push(':');
            input.push_str(field);
            input.push(';');
        }
        sha256_hex(input.as_bytes())
    }
}

/// The event that follows `last_id` / `last_hash` in the chain.
fn chained(actor: &Actor, change: &Change<'_>, at: String, last_id: i64, last_hash: String) -> Event {
    let mut event = Event {
        id: last_id + 1,
        at,
        account_id: actor.account_id,
        actor: actor.name.clone(),
        role: actor.role.code().into(),
        entity: change.entity.as_str().into(),
        entity_id: change.entity_id,
        action: change.action.into(),
        before: change.before.to_string(),
        after: change.after.to_string(),
        prev_hash: last_hash,
        hash: String::new(),
    };
    event.hash = event.compute_hash();
    event
}

/// One event into the journal, its values bound as $1…$12.
macro_rules! insert_event {
    () => {
        "INSERT INTO audit_events \
         (id, at, account_id, actor, role, entity, entity_id, action, before, after, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    };
}

/// Binds an event's twelve columns, in the order of `insert_event!`.
fn bind_event<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    e: &'q Event,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(e.id)
        .bind(&e.at)
        .bind(e.account_id)
        .bind(&e.actor)
        .bind(&e.role)
        .bind(&e.entity)
        .bind(e.entity_id)
        .bind(&e.action)
        .bind(&e.before)
        .bind(&e.after)
        .bind(&e.prev_hash)
        .bind(&e.hash)
}

/// Appends one event inside the caller's write transaction; returns its id.
/// Reading the chain's end locks it until commit, so appends are serialised
/// across every connection and process.
pub async fn append(
    tx: &mut WriteTx,
    actor: &Actor,
    change: Change<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let lock = tx.row_lock("");
    let (last_id, last_hash): (i64, String) =
        sqlx::query_as(&format!("SELECT last_id, last_hash FROM audit_head WHERE id = 1{lock}"))
            .fetch_one(tx.conn())
            .await?;
    let event = chained(actor, &change, clock::stamp(now), last_id, last_hash);
    // PostgreSQL writes the event and moves the chain's end in one statement:
    // every write of a group commit comes through here, one round trip after
    // the other. SQLite answers from inside the process, and has no INSERT
    // inside WITH.
    let insert_sql = match tx.backend() {
        Backend::Postgres => concat!(
            "WITH event AS (",
            insert_event!(),
            " RETURNING id, hash) UPDATE audit_head SET last_id = event.id, last_hash = event.hash ",
            "FROM event WHERE audit_head.id = 1"
        ),
        Backend::Sqlite => insert_event!(),
    };
    let changed = bind_event(sqlx::query(insert_sql), &event).execute(tx.conn()).await?;
    if tx.backend() == Backend::Sqlite {
        sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
            .bind(event.id)
            .bind(&event.hash)
            .execute(tx.conn())
            .await?;
    } else if changed.rows_affected() != 1 {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(event.id)
}

/// Appends several events at once inside the caller's write transaction,
/// chained in the order given: the chain's end is read and written once,
/// and the events go in by a hundred rows per statement. Returns their ids.
pub async fn append_all(
    tx: &mut WriteTx,
    actor: &Actor,
    changes: Vec<Change<'_>>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let lock = tx.row_lock("");
    let (mut last_id, mut last_hash): (i64, String) =
        sqlx::query_as(&format!("SELECT last_id, last_hash FROM audit_head WHERE id = 1{lock}"))
            .fetch_one(tx.conn())
            .await?;
    let at = clock::stamp(now);
    let mut events = Vec::with_capacity(changes.len());
    for change in changes {
        let event = chained(actor, &change, at.clone(), last_id, last_hash);
        last_id = event.id;
        last_hash = event.hash.clone();
        events.push(event);
    }
    for chunk in events.chunks(100) {
        let sql = format!(
            "INSERT INTO audit_events
                 (id, at, account_id, actor, role, entity, entity_id, action, before, after, prev_hash, hash)
             VALUES {}",
            super::store::values(chunk.len(), 12)
        );
        let mut insert = sqlx::query(&sql);
        for e in chunk {
            insert = bind_event(insert, e);
        }
        insert.execute(tx.conn()).await?;
    }
    sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(last_id)
        .bind(&last_hash)
        .execute(tx.conn())
        .await?;
    Ok(events.into_iter().map(|e| e.id).collect())
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every event checks out; the last hash can be noted elsewhere (on
    /// paper, in an email) to anchor the chain.
    Intact { events: i64, last_hash: String },
    /// The first event that does not check out, and why, in French.
    Broken { event: i64, reason: String },
}

const PAGE: i64 = 2_000;

/// Recomputes the whole chain, page by page, in constant memory, on one
/// connection of a pool, a connection, or a transaction not yet committed
/// (`bons migrate-data` checks its copy before committing it).
pub async fn verify<'a, A>(db: A) -> Result<Verdict, sqlx::Error>
where
    A: sqlx::Acquire<'a, Database = sqlx::Any>,
{
    let mut conn = db.acquire().await?;
    let mut expected_id = 1;
    let mut prev_hash = GENESIS.to_owned();
    loop {
        let page: Vec<Event> = sqlx::query_as(
            "SELECT id, at, account_id, actor, role, entity, entity_id, action, before, after, prev_hash, hash
               FROM audit_events WHERE id >= $1 ORDER BY id LIMIT $2",
        )
        .bind(expected_id)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
        let done = (page.len() as i64) < PAGE;
        for event in page {
            if let Some(reason) = check(&event, expected_id, &prev_hash) {
                return Ok(Verdict::Broken { event: expected_id.min(event.id), reason });
            }
            prev_hash = event.hash;
            expected_id += 1;
        }
        if done {
            break;
        }
    }
    let events = expected_id - 1;
    let (head_id, head_hash): (i64, String) =
        sqlx::query_as("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
    if head_id != events || head_hash != prev_hash {
        return Ok(Verdict::Broken {
            event: events + 1,
            reason: format!(
                "la fin du journal ne correspond pas : {events} événements lus, la tête en annonce {head_id} \
                 (des événements récents ont été supprimés, ou la tête modifiée)"
            ),
        });
    }
    Ok(Verdict::Intact { events, last_hash: prev_hash })
}

fn check(event: &Event, expected_id: i64, prev_hash: &str) -> Option<String> {
    if event.id != expected_id {
        return Some(format!("événement manquant : n° {expected_id} attendu, n° {} trouvé", event.id));
    }
    if event.prev_hash != prev_hash {
        return Some("le lien vers l'événement précédent est rompu (événement inséré, supprimé ou réordonné)".into());
    }
    if event.compute_hash() != event.hash {
        return Some(format!(
            "le contenu a été modifié après coup ({} {} n° {}, {})",
            event.entity, event.action, event.entity_id, event.at
        ));
    }
    None
}

/// The events about one thing, oldest first: a voucher's history.
pub async fn history(pool: &AnyPool, entity: Entity, entity_id: i64) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, account_id, actor, role, entity, entity_id, action, before, after, prev_hash, hash
           FROM audit_events WHERE entity = $1 AND entity_id = $2 ORDER BY id",
    )
    .bind(entity.as_str())
    .bind(entity_id)
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        let mut e = Event {
            id: 1,
            at: "2026-11-23T10:00:00.000000Z".into(),
            account_id: Some(3),
            actor: "44000123B".into(),
            role: "member".into(),
            entity: "voucher".into(),
            entity_id: 7,
            action: "use".into(),
            before: r#"{"status":"1-EMIS"}"#.into(),
            after: r#"{"status":"11-livré"}"#.into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }

    #[test]
    fn every_column_is_covered_by_the_hash() {
        let base = event();
        assert_eq!(check(&base, 1, GENESIS), None);
        let edits: [fn(&mut Event); 10] = [
            |e| e.at.push('0'),
            |e| e.account_id = None,
            |e| e.actor.push('X'),
            |e| e.role = "admin".into(),
            |e| e.entity = "member".into(),
            |e| e.entity_id = 8,
            |e| e.action = "cancel".into(),
            |e| e.before = "{}".into(),
            |e| e.after = r#"{"status":"31-payé"}"#.into(),
            |e| e.id = 2,
        ];
        for edit in edits {
            let mut tampered = base.clone();
            edit(&mut tampered);
            assert_ne!(tampered.compute_hash(), base.hash, "{tampered:?}");
        }
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let mut a = event();
        let mut b = event();
        a.actor = "ab".into();
        a.role = "c".into();
        b.actor = "a".into();
        b.role = "bc".into();
        assert_ne!(a.compute_hash(), b.compute_hash());
    }

    #[test]
    fn a_broken_link_or_a_gap_is_named() {
        let e = event();
        assert!(check(&e, 1, "ff").unwrap().contains("lien"));
        assert!(check(&e, 2, GENESIS).unwrap().contains("n° 2 attendu"));
    }
}
