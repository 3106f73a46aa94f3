//! API keys of suppliers' tills, stored as their SHA-256.

use crate::domain::Timestamp;
use crate::model::supplier::ApiKeyView;
use crate::server::db::WriteTx;
use sqlx::{AnyConnection, AnyPool};

const SELECT_KEY: &str =
    "SELECT id, supplier_id, label, prefix, created_at, created_by, last_used_at, revoked_at FROM api_keys";

pub struct NewKey<'a> {
    pub supplier_id: i64,
    pub label: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_at: Timestamp,
    pub created_by: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, k: &NewKey<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO api_keys (supplier_id, label, prefix, key_hash, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(k.supplier_id)
    .bind(k.label)
    .bind(k.prefix)
    .bind(k.key_hash)
    .bind(k.created_at)
    .bind(k.created_by)
    .fetch_one(conn)
    .await
}

/// A supplier's keys, newest first, revoked ones included.
pub async fn list_for_supplier(pool: &AnyPool, supplier_id: i64) -> Result<Vec<ApiKeyView>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_KEY} WHERE supplier_id = $1 ORDER BY id DESC"))
        .bind(supplier_id)
        .fetch_all(pool)
        .await
}

/// The same inside a write transaction (to count active keys before adding one).
pub async fn list_for_supplier_in(conn: &mut AnyConnection, supplier_id: i64) -> Result<Vec<ApiKeyView>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_KEY} WHERE supplier_id = $1 ORDER BY id DESC"))
        .bind(supplier_id)
        .fetch_all(conn)
        .await
}

/// The key whose SHA-256 this is, revoked or not.
pub async fn find_by_hash(pool: &AnyPool, key_hash: &str) -> Result<Option<ApiKeyView>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_KEY} WHERE key_hash = $1")).bind(key_hash).fetch_optional(pool).await
}

pub async fn find_for_update(tx: &mut WriteTx, id: i64) -> Result<Option<ApiKeyView>, sqlx::Error> {
    let lock = tx.row_lock("");
    sqlx::query_as(&format!("{SELECT_KEY} WHERE id = $1{lock}")).bind(id).fetch_optional(tx.conn()).await
}

/// Revokes a key once; whether it changed.
pub async fn revoke(conn: &mut AnyConnection, id: i64, at: Timestamp, by: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE api_keys SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .bind(at)
        .bind(by)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a use unless one was recorded since `unless_after`.
pub async fn touch(
    conn: &mut AnyConnection,
    id: i64,
    at: Timestamp,
    unless_after: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(id)
        .bind(at)
        .bind(unless_after)
        .execute(conn)
        .await?;
    Ok(())
}
