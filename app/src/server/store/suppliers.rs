//! Partner suppliers.

use sqlx::{AnyConnection, AnyPool, FromRow};

#[derive(Debug, Clone, FromRow)]
pub struct SupplierRecord {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
    pub active: i64,
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
