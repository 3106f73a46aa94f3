//! The agency dashboard's figures: each one query, summed by the database.
//! `agency_id` None means every agency (an administrator's view).

use crate::domain::InvoiceStatus;
use sqlx::{AnyPool, FromRow};

fn scope(column: &str, agency_id: Option<i64>) -> String {
    if agency_id.is_some() { format!("{column} = $1") } else { "$1 IS NULL".into() }
}

/// Vouchers requested in [from, to) (UTC instants as stored): count and cents.
pub async fn requested_between(
    pool: &AnyPool,
    agency_id: Option<i64>,
    from: &str,
    to: &str,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM vouchers
          WHERE {} AND requested_at >= $2 AND requested_at < $3",
        scope("agency_id", agency_id)
    ))
    .bind(agency_id)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await
}

/// Vouchers used in [from, to) and not undone since: count and cents.
pub async fn used_between(
    pool: &AnyPool,
    agency_id: Option<i64>,
    from: &str,
    to: &str,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM vouchers
          WHERE {} AND used_at >= $2 AND used_at < $3 AND use_cancelled_at IS NULL",
        scope("agency_id", agency_id)
    ))
    .bind(agency_id)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct DueRecord {
    pub supplier_id: i64,
    pub supplier_name: String,
    pub invoices: i64,
    pub amount_cents: i64,
}

/// Accepted invoices not yet paid, summed per supplier, largest first.
pub async fn due_per_supplier(pool: &AnyPool, agency_id: Option<i64>) -> Result<Vec<DueRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT s.id AS supplier_id, s.name AS supplier_name, COUNT(*) AS invoices,
                CAST(COALESCE(SUM(i.amount_cents), 0) AS BIGINT) AS amount_cents
           FROM invoices i JOIN suppliers s ON s.id = i.supplier_id
          WHERE {} AND i.status = $2
          GROUP BY s.id, s.name
          ORDER BY amount_cents DESC, s.name",
        scope("i.agency_id", agency_id)
    ))
    .bind(agency_id)
    .bind(InvoiceStatus::Accepted)
    .fetch_all(pool)
    .await
}

/// Flagged lines not overridden, on invoices still to process (received or
/// sent back): how many lines, on how many invoices.
pub async fn open_flags(pool: &AnyPool, agency_id: Option<i64>) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT COUNT(*), COUNT(DISTINCT i.id)
           FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
          WHERE {} AND i.status IN ($2, $3)
            AND l.flag IS NOT NULL AND l.override_reason IS NULL",
        scope("i.agency_id", agency_id)
    ))
    .bind(agency_id)
    .bind(InvoiceStatus::Received)
    .bind(InvoiceStatus::ToCorrect)
    .fetch_one(pool)
    .await
}
