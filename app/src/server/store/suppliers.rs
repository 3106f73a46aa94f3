//! Partner suppliers.

use crate::domain::{StoredBool, Timestamp};
use crate::model::agency::SupplierFile;
use crate::server::db::WriteTx;
use crate::server::error::UniqueKey;
use sqlx::{AnyConnection, AnyPool, FromRow, Row};

/// Two suppliers of an agency never share a name.
pub const NAME_KEY: UniqueKey = UniqueKey { table: "suppliers", columns: &["agency_id", "name"] };

#[derive(Debug, Clone, FromRow)]
pub struct SupplierRecord {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
    #[sqlx(try_from = "StoredBool")]
    pub active: bool,
}

/// The suppliers a member of `agency_id` may choose, by name.
pub async fn active_for_agency(pool: &AnyPool, agency_id: i64) -> Result<Vec<SupplierRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, agency_id, name, active FROM suppliers WHERE agency_id = $1 AND active = 1 ORDER BY name",
    )
    .bind(agency_id)
    .fetch_all(pool)
    .await
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<SupplierRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, agency_id, name, active FROM suppliers WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn find_by_id(pool: &AnyPool, id: i64) -> Result<Option<SupplierRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, agency_id, name, active FROM suppliers WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

// The back office: a supplier's identity, contact and bank details.

const SELECT_FILE: &str = "SELECT s.id, s.agency_id, a.code AS agency_code, a.name AS agency_name, s.name, s.active,
        s.siret, s.contact_name, s.email, s.phone, s.address, s.iban, s.bic,
        (SELECT COUNT(*) FROM accounts l WHERE l.supplier_id = s.id) AS logins
   FROM suppliers s
   JOIN agencies a ON a.id = s.agency_id";

/// What staff type about a supplier, checked.
pub struct SupplierFields<'a> {
    pub name: &'a str,
    pub siret: &'a str,
    pub contact_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub address: Option<&'a str>,
    pub iban: Option<&'a str>,
    pub bic: Option<&'a str>,
}

/// An agency's suppliers (every agency's with None) whose name, SIRET and
/// contact hold every word of `typed` (accents and case aside), active ones
/// first, by name.
pub async fn list_files(pool: &AnyPool, agency_id: Option<i64>, typed: &str) -> Result<Vec<SupplierFile>, sqlx::Error> {
    let scope = if agency_id.is_some() { "s.agency_id = $1" } else { "$1 IS NULL" };
    let found = super::search::KeyMatch::new("s.id", "suppliers", typed, 2);
    let sql = format!("{SELECT_FILE} WHERE {scope} AND {} ORDER BY s.active DESC, s.name, a.code", found.condition);
    let mut query = sqlx::query_as(&sql).bind(agency_id);
    for pattern in found.patterns {
        query = query.bind(pattern);
    }
    query.fetch_all(pool).await
}

pub async fn find_file(pool: &AnyPool, id: i64) -> Result<Option<SupplierFile>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_FILE} WHERE s.id = $1")).bind(id).fetch_optional(pool).await
}

/// Reads a supplier inside a write transaction, locking its row until commit.
pub async fn find_file_for_update(tx: &mut WriteTx, id: i64) -> Result<Option<SupplierFile>, sqlx::Error> {
    let lock = tx.row_lock("s");
    sqlx::query_as(&format!("{SELECT_FILE} WHERE s.id = $1{lock}")).bind(id).fetch_optional(tx.conn()).await
}

/// Another supplier of the agency (than `except`) with this name or this SIRET.
pub async fn clash(
    conn: &mut AnyConnection,
    agency_id: i64,
    name: &str,
    siret: &str,
    except: Option<i64>,
) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, siret FROM suppliers
          WHERE agency_id = $1 AND (LOWER(name) = LOWER($2) OR siret = $3) AND ($4 IS NULL OR id <> $4)
          ORDER BY id LIMIT 1",
    )
    .bind(agency_id)
    .bind(name)
    .bind(siret)
    .bind(except)
    .fetch_optional(conn)
    .await
}

pub async fn insert_file(
    conn: &mut AnyConnection,
    agency_id: i64,
    f: &SupplierFields<'_>,
    created_at: Timestamp,
) -> Result<i64, sqlx::Error> {
    let insert = sqlx::query(
        "INSERT INTO suppliers (agency_id, created_at, active, name, siret, contact_name, email, phone, address, iban, bic,
                                search_key)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(agency_id)
    .bind(created_at);
    bind_fields(insert, f).fetch_one(conn).await?.try_get(0)
}

pub async fn update_file(conn: &mut AnyConnection, id: i64, f: &SupplierFields<'_>) -> Result<(), sqlx::Error> {
    let update = sqlx::query(
        "UPDATE suppliers SET name = $2, siret = $3, contact_name = $4, email = $5, phone = $6, address = $7,
                iban = $8, bic = $9, search_key = $10
          WHERE id = $1",
    )
    .bind(id);
    bind_fields(update, f).execute(conn).await?;
    Ok(())
}

type Statement<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds what staff type, in `SupplierFields`' order, after the statement's first placeholders.
fn bind_fields<'q>(query: Statement<'q>, f: &SupplierFields<'q>) -> Statement<'q> {
    query
        .bind(f.name)
        .bind(f.siret)
        .bind(f.contact_name)
        .bind(f.email)
        .bind(f.phone)
        .bind(f.address)
        .bind(f.iban)
        .bind(f.bic)
        .bind(super::search::supplier_key(f.name, f.siret, f.contact_name))
}

pub async fn set_active(conn: &mut AnyConnection, id: i64, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE suppliers SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(i64::from(active))
        .execute(conn)
        .await?;
    Ok(())
}
