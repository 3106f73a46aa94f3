//! Sponsors' structures, their managers and service codes, and the SIRENE
//! register they are checked against.

use crate::domain::{
    ChorusRequirement, ManagerState, RegisterSource, RegisterState, Role, StoredBool, StructureKind, Timestamp,
};
use crate::model::structures::{Establishment, Manager, ManagerRequest, ServiceCode, Structure};
use crate::server::db::WriteTx;
use crate::server::error::UniqueKey;
use sqlx::{AnyConnection, AnyPool, FromRow, Row};

/// A SIRET is one structure's.
pub const SIRET_KEY: UniqueKey = UniqueKey { table: "structures", columns: &["siret"] };
/// A service code is written once per structure.
pub const SERVICE_CODE_KEY: UniqueKey =
    UniqueKey { table: "structure_service_codes", columns: &["structure_id", "code"] };

// The SIRENE register.

/// One establishment of the register, as read from its file or typed by staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishmentRow {
    pub siret: String,
    pub state: RegisterState,
    pub name: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

/// Rows per INSERT: 7 placeholders each, well under both backends' limits.
const ROWS_PER_STATEMENT: usize = 100;

/// Writes establishments, replacing what was known of their SIRETs; a row
/// identical to the stored one (source aside) is left as it is. Returns how
/// many rows were new or changed.
pub async fn upsert_establishments(
    conn: &mut AnyConnection,
    rows: &[EstablishmentRow],
    source: RegisterSource,
    at: Timestamp,
) -> Result<u64, sqlx::Error> {
    let mut changed = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO sirene_establishments (siret, state, name, postcode, city, source, updated_at)
             VALUES {}
             ON CONFLICT (siret) DO UPDATE SET state = excluded.state, name = excluded.name,
                    postcode = excluded.postcode, city = excluded.city, source = excluded.source,
                    updated_at = excluded.updated_at
              WHERE sirene_establishments.state <> excluded.state
                 OR sirene_establishments.source <> excluded.source
                 OR sirene_establishments.name IS DISTINCT FROM excluded.name
                 OR sirene_establishments.postcode IS DISTINCT FROM excluded.postcode
                 OR sirene_establishments.city IS DISTINCT FROM excluded.city",
            super::values(chunk.len(), 7)
        );
        let mut insert = sqlx::query(&sql);
        for row in chunk {
            insert = insert
                .bind(&row.siret)
                .bind(row.state)
                .bind(&row.name)
                .bind(&row.postcode)
                .bind(&row.city)
                .bind(source)
                .bind(at);
        }
        changed += insert.execute(&mut *conn).await?.rows_affected();
    }
    Ok(changed)
}

const SELECT_ESTABLISHMENT: &str =
    "SELECT siret, state, name, postcode, city, source, updated_at FROM sirene_establishments";

pub async fn find_establishment(conn: &mut AnyConnection, siret: &str) -> Result<Option<Establishment>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_ESTABLISHMENT} WHERE siret = $1"))
        .bind(siret)
        .fetch_optional(conn)
        .await
        .map_err(super::in_row("sirene_establishments", siret.to_owned()))
}

// Structures.

/// A `Structure`'s columns: `s` is the structure, `r` its register entry.
const STRUCTURE_COLUMNS: &str = "s.id, s.agency_id, s.kind, s.siret, s.siren, s.label, s.address, s.postcode, s.city,
        s.chorus, s.active, s.deactivated_at, s.taken_over_by, r.state AS register_state";

const FROM_STRUCTURES: &str = "FROM structures s LEFT JOIN sirene_establishments r ON r.siret = s.siret";

/// What a new structure is.
pub struct NewStructure<'a> {
    pub agency_id: i64,
    pub kind: StructureKind,
    pub siret: Option<&'a str>,
    pub siren: Option<&'a str>,
    pub label: &'a str,
    pub address: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub city: Option<&'a str>,
    pub chorus: ChorusRequirement,
    pub created_at: Timestamp,
}

pub async fn insert_structure(conn: &mut AnyConnection, s: &NewStructure<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO structures (agency_id, kind, siret, siren, label, address, postcode, city, chorus, active, created_at,
                                 search_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11) RETURNING id",
    )
    .bind(s.agency_id)
    .bind(s.kind)
    .bind(s.siret)
    .bind(s.siren)
    .bind(s.label)
    .bind(s.address)
    .bind(s.postcode)
    .bind(s.city)
    .bind(s.chorus)
    .bind(s.created_at)
    .bind(super::search::structure_key(s.label, s.siret, s.city))
    .fetch_one(conn)
    .await?
    .try_get(0)
}

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<Structure>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {STRUCTURE_COLUMNS} {FROM_STRUCTURES} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(super::in_row("structures", id))
}

/// A structure, read on a connection the caller holds.
pub async fn find_on(conn: &mut AnyConnection, id: i64) -> Result<Option<Structure>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {STRUCTURE_COLUMNS} {FROM_STRUCTURES} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(super::in_row("structures", id))
}

/// Reads a structure inside a write transaction, locking its row until commit.
pub async fn find_for_update(tx: &mut WriteTx, id: i64) -> Result<Option<Structure>, sqlx::Error> {
    let lock = tx.row_lock("s");
    sqlx::query_as(&format!("SELECT {STRUCTURE_COLUMNS} {FROM_STRUCTURES} WHERE s.id = $1{lock}"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await
        .map_err(super::in_row("structures", id))
}

/// The structure of a SIRET, locked until commit.
pub async fn find_by_siret_for_update(tx: &mut WriteTx, siret: &str) -> Result<Option<Structure>, sqlx::Error> {
    let lock = tx.row_lock("s");
    sqlx::query_as(&format!("SELECT {STRUCTURE_COLUMNS} {FROM_STRUCTURES} WHERE s.siret = $1{lock}"))
        .bind(siret)
        .fetch_optional(tx.conn())
        .await
        .map_err(super::in_row("structures", siret.to_owned()))
}

pub async fn find_by_siret(conn: &mut AnyConnection, siret: &str) -> Result<Option<Structure>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {STRUCTURE_COLUMNS} {FROM_STRUCTURES} WHERE s.siret = $1"))
        .bind(siret)
        .fetch_optional(conn)
        .await
        .map_err(super::in_row("structures", siret.to_owned()))
}

/// An agency's structures (every agency's with None) whose label, SIRET and
/// town hold every word of `typed` (accents and case aside), active ones
/// first, by label.
pub async fn list_for_agency(
    pool: &AnyPool,
    agency_id: Option<i64>,
    typed: &str,
) -> Result<Vec<Structure>, sqlx::Error> {
    let (scope, key) = super::agency_scope("s.agency_id", agency_id);
    let found = super::search::KeyMatch::new("s.id", "structures", typed, 2);
    let sql = format!(
        "SELECT {STRUCTURE_COLUMNS} {FROM_STRUCTURES} WHERE {scope} AND {} ORDER BY s.active DESC, s.label, s.id",
        found.condition
    );
    let mut query = sqlx::query_as(&sql).bind(key);
    for pattern in found.patterns {
        query = query.bind(pattern);
    }
    query.fetch_all(pool).await
}

/// A structure, with the manager's standing in it.
#[derive(Debug, Clone, FromRow)]
pub struct ManagedRow {
    #[sqlx(flatten)]
    pub structure: Structure,
    #[sqlx(try_from = "StoredBool")]
    pub main: bool,
    pub state: ManagerState,
}

/// The structures an account manages or asked to manage (refusals aside).
pub async fn list_for_manager(pool: &AnyPool, account_id: i64) -> Result<Vec<ManagedRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STRUCTURE_COLUMNS}, m.main, m.state
           FROM structure_managers m
           JOIN structures s ON s.id = m.structure_id
           LEFT JOIN sirene_establishments r ON r.siret = s.siret
          WHERE m.account_id = $1 AND m.state <> $2
          ORDER BY s.active DESC, s.label, s.id"
    ))
    .bind(account_id)
    .bind(ManagerState::Refused)
    .fetch_all(pool)
    .await
}

/// A sponsor's login, as the back office lists it.
#[derive(Debug, Clone, FromRow)]
pub struct SponsorAccount {
    pub id: i64,
    pub login: String,
    #[sqlx(try_from = "StoredBool")]
    pub active: bool,
}

/// The sponsors' accounts of an agency (every agency's with None), by login.
pub async fn sponsor_accounts(pool: &AnyPool, agency_id: Option<i64>) -> Result<Vec<SponsorAccount>, sqlx::Error> {
    let (scope, key) = super::agency_scope("a.agency_id", agency_id);
    sqlx::query_as(&format!(
        "SELECT a.id, a.login, a.active FROM accounts a WHERE {scope} AND a.role = $2 ORDER BY a.login"
    ))
    .bind(key)
    .bind(Role::Sponsor)
    .fetch_all(pool)
    .await
}

/// One structure a sponsor's account manages, asked to manage or was
/// refused, with that account's standing in it.
#[derive(Debug, Clone, FromRow)]
pub struct SponsorStructureRow {
    pub account_id: i64,
    #[sqlx(flatten)]
    pub managed: ManagedRow,
}

/// The structures of the sponsors' accounts of an agency (every agency's
/// with None), refusals included: by account, active structures first, by label.
pub async fn sponsors_structures(
    pool: &AnyPool,
    agency_id: Option<i64>,
) -> Result<Vec<SponsorStructureRow>, sqlx::Error> {
    let (scope, key) = super::agency_scope("a.agency_id", agency_id);
    sqlx::query_as(&format!(
        "SELECT m.account_id, {STRUCTURE_COLUMNS}, m.main, m.state
           FROM accounts a
           JOIN structure_managers m ON m.account_id = a.id
           JOIN structures s ON s.id = m.structure_id
           LEFT JOIN sirene_establishments r ON r.siret = s.siret
          WHERE {scope} AND a.role = $2
          ORDER BY a.login, s.active DESC, s.label, s.id"
    ))
    .bind(key)
    .bind(Role::Sponsor)
    .fetch_all(pool)
    .await
}

pub async fn reactivate(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE structures SET active = 1, deactivated_at = NULL, taken_over_by = NULL WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn deactivate(
    conn: &mut AnyConnection,
    id: i64,
    at: Timestamp,
    taken_over_by: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE structures SET active = 0, deactivated_at = $2, taken_over_by = $3 WHERE id = $1")
        .bind(id)
        .bind(at)
        .bind(taken_over_by)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_chorus(conn: &mut AnyConnection, id: i64, chorus: ChorusRequirement) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE structures SET chorus = $2 WHERE id = $1").bind(id).bind(chorus).execute(conn).await?;
    Ok(())
}

// Managers.

/// An account's standing with a structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct ManagerRecord {
    #[sqlx(try_from = "StoredBool")]
    pub main: bool,
    pub state: ManagerState,
}

pub async fn find_manager(
    conn: &mut AnyConnection,
    structure_id: i64,
    account_id: i64,
) -> Result<Option<ManagerRecord>, sqlx::Error> {
    sqlx::query_as("SELECT main, state FROM structure_managers WHERE structure_id = $1 AND account_id = $2")
        .bind(structure_id)
        .bind(account_id)
        .fetch_optional(conn)
        .await
        .map_err(super::in_row("structure_managers", structure_id))
}

/// Whether the structure has an approved main manager.
pub async fn has_main_manager(conn: &mut AnyConnection, structure_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT account_id FROM structure_managers WHERE structure_id = $1 AND main = 1 AND state = $2",
    )
    .bind(structure_id)
    .bind(ManagerState::Approved)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Records (or records again, after a refusal) an account's standing with a structure.
pub async fn put_manager(
    conn: &mut AnyConnection,
    structure_id: i64,
    account_id: i64,
    main: bool,
    state: ManagerState,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO structure_managers (structure_id, account_id, main, state, requested_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (structure_id, account_id) DO UPDATE SET main = excluded.main, state = excluded.state,
                requested_at = excluded.requested_at, decided_at = NULL, decided_by = NULL",
    )
    .bind(structure_id)
    .bind(account_id)
    .bind(i64::from(main))
    .bind(state)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Approves or refuses a pending request; returns whether there was one.
pub async fn decide_manager(
    conn: &mut AnyConnection,
    structure_id: i64,
    account_id: i64,
    state: ManagerState,
    at: Timestamp,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE structure_managers SET state = $3, decided_at = $4, decided_by = $5
          WHERE structure_id = $1 AND account_id = $2 AND state = $6",
    )
    .bind(structure_id)
    .bind(account_id)
    .bind(state)
    .bind(at)
    .bind(by)
    .bind(ManagerState::Pending)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A structure's managers: the main one first, then by request.
pub async fn managers(pool: &AnyPool, structure_id: i64) -> Result<Vec<Manager>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.login, m.main, m.state, m.requested_at
           FROM structure_managers m JOIN accounts a ON a.id = m.account_id
          WHERE m.structure_id = $1
          ORDER BY m.main DESC, m.requested_at, a.login",
    )
    .bind(structure_id)
    .fetch_all(pool)
    .await
    .map_err(super::in_row("structure_managers", structure_id))
}

/// Requests waiting on the structures whose main manager is `account_id`.
pub async fn requests_for_main(pool: &AnyPool, account_id: i64) -> Result<Vec<ManagerRequest>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id AS structure_id, s.label AS structure_label, a.login, p.requested_at
           FROM structure_managers mm
           JOIN structure_managers p ON p.structure_id = mm.structure_id AND p.state = $2
           JOIN structures s ON s.id = p.structure_id
           JOIN accounts a ON a.id = p.account_id
          WHERE mm.account_id = $1 AND mm.main = 1 AND mm.state = $3
          ORDER BY p.requested_at, s.label",
    )
    .bind(account_id)
    .bind(ManagerState::Pending)
    .bind(ManagerState::Approved)
    .fetch_all(pool)
    .await
}

/// Whether an account is an approved manager of both structures.
pub async fn manages_both(conn: &mut AnyConnection, account_id: i64, a: i64, b: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM structure_managers WHERE account_id = $1 AND structure_id IN ($2, $3) AND state = $4",
    )
    .bind(account_id)
    .bind(a)
    .bind(b)
    .bind(ManagerState::Approved)
    .fetch_one(conn)
    .await?;
    Ok(n == 2)
}

/// Whether two structures have an approved manager in common.
pub async fn share_a_manager(conn: &mut AnyConnection, a: i64, b: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM structure_managers x
           JOIN structure_managers y ON y.account_id = x.account_id AND y.structure_id = $2 AND y.state = $3
          WHERE x.structure_id = $1 AND x.state = $3",
    )
    .bind(a)
    .bind(b)
    .bind(ManagerState::Approved)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

// Service codes.

pub async fn service_codes(conn: &mut AnyConnection, structure_id: i64) -> Result<Vec<ServiceCode>, sqlx::Error> {
    sqlx::query_as(
        "SELECT code, label, active FROM structure_service_codes WHERE structure_id = $1 ORDER BY active DESC, code",
    )
    .bind(structure_id)
    .fetch_all(conn)
    .await
}

pub async fn insert_service_code(
    conn: &mut AnyConnection,
    structure_id: i64,
    code: &str,
    label: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO structure_service_codes (structure_id, code, label, active) VALUES ($1, $2, $3, 1) RETURNING id",
    )
    .bind(structure_id)
    .bind(code)
    .bind(label)
    .fetch_one(conn)
    .await?
    .try_get(0)
}

/// A service code's active flag, if the structure has that code.
pub async fn find_service_code(
    conn: &mut AnyConnection,
    structure_id: i64,
    code: &str,
) -> Result<Option<ServiceCode>, sqlx::Error> {
    sqlx::query_as("SELECT code, label, active FROM structure_service_codes WHERE structure_id = $1 AND code = $2")
        .bind(structure_id)
        .bind(code)
        .fetch_optional(conn)
        .await
}

pub async fn set_service_code_active(
    conn: &mut AnyConnection,
    structure_id: i64,
    code: &str,
    active: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE structure_service_codes SET active = $3 WHERE structure_id = $1 AND code = $2")
        .bind(structure_id)
        .bind(code)
        .bind(i64::from(active))
        .execute(conn)
        .await?;
    Ok(())
}
