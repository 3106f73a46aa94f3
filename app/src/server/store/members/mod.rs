//! Members as the back office keeps them: search, create, edit, activate.

pub mod imports;

use crate::domain::{Day, Timestamp};
pub use crate::model::agency::MemberFile;
use crate::server::db::WriteTx;
use crate::server::error::UniqueKey;
use crate::server::store::search::KeyMatch;
use sqlx::{AnyConnection, AnyPool};

/// A member number is one member's, across agencies.
pub const NUMBER_KEY: UniqueKey = UniqueKey { table: "members", columns: &["number"] };

const SELECT_MEMBER: &str = "SELECT m.id, m.agency_id, a.code AS agency_code, a.name AS agency_name, m.number,
        m.name, m.email, m.fee_paid_until, m.active, m.created_at
   FROM members m
   JOIN agencies a ON a.id = m.agency_id";

/// An agency's members (every agency's with None) whose name or number
/// holds every word of `typed`, accents and case aside, by name; at most
/// `limit` of them.
pub async fn search(
    pool: &AnyPool,
    agency_id: Option<i64>,
    typed: &str,
    limit: i64,
) -> Result<Vec<MemberFile>, sqlx::Error> {
    let scope = if agency_id.is_some() { "m.agency_id = $1" } else { "$1 IS NULL" };
    let found = KeyMatch::new("m.id", "members", typed, 3);
    let sql = format!("{SELECT_MEMBER} WHERE {scope} AND {} ORDER BY m.name, m.number LIMIT $2", found.condition);
    let mut query = sqlx::query_as(&sql).bind(agency_id).bind(limit);
    for pattern in found.patterns {
        query = query.bind(pattern);
    }
    query.fetch_all(pool).await
}

pub async fn find_by_number(pool: &AnyPool, number: &str) -> Result<Option<MemberFile>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_MEMBER} WHERE m.number = $1")).bind(number).fetch_optional(pool).await
}

/// Reads a member inside a write transaction, locking the row until commit.
pub async fn find_by_number_for_update(tx: &mut WriteTx, number: &str) -> Result<Option<MemberFile>, sqlx::Error> {
    let lock = tx.row_lock("m");
    sqlx::query_as(&format!("{SELECT_MEMBER} WHERE m.number = $1{lock}")).bind(number).fetch_optional(tx.conn()).await
}

/// The members with these numbers, whatever their agency.
pub async fn find_by_numbers(conn: &mut AnyConnection, numbers: &[String]) -> Result<Vec<MemberFile>, sqlx::Error> {
    super::where_in(conn, &format!("{SELECT_MEMBER} WHERE m.number"), numbers).await
}

pub struct NewMember<'a> {
    pub agency_id: i64,
    pub number: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub fee_paid_until: Option<Day>,
    pub created_at: Timestamp,
}

pub async fn insert(conn: &mut AnyConnection, m: &NewMember<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO members (agency_id, number, name, email, fee_paid_until, active, created_at, search_key)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id",
    )
    .bind(m.agency_id)
    .bind(m.number)
    .bind(m.name)
    .bind(m.email)
    .bind(m.fee_paid_until)
    .bind(m.created_at)
    .bind(super::search::member_key(m.name, m.number))
    .fetch_one(conn)
    .await
}

/// Name, email and fee of `member` as staff set them; the number stays.
pub async fn update(
    conn: &mut AnyConnection,
    member: &MemberFile,
    name: &str,
    email: Option<&str>,
    fee_paid_until: Option<Day>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE members SET name = $2, email = $3, fee_paid_until = $4, search_key = $5 WHERE id = $1")
        .bind(member.id)
        .bind(name)
        .bind(email)
        .bind(fee_paid_until)
        .bind(super::search::member_key(name, &member.number))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_active(conn: &mut AnyConnection, id: i64, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE members SET active = $2 WHERE id = $1").bind(id).bind(i64::from(active)).execute(conn).await?;
    Ok(())
}

pub async fn find_by_id(pool: &AnyPool, id: i64) -> Result<Option<MemberFile>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_MEMBER} WHERE m.id = $1")).bind(id).fetch_optional(pool).await
}

/// The members with these ids, in no particular order.
pub async fn find_by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<MemberFile>, sqlx::Error> {
    super::where_in(conn, &format!("{SELECT_MEMBER} WHERE m.id"), ids).await
}
