//! The agency dashboard's figures: each one query, summed by the database.
//! `agency_id` None means every agency (an administrator's view).

use crate::domain::{InvoiceStatus, Timestamp};
use crate::model::agency::{SupplierDue, Tally};
use sqlx::AnyPool;

fn scope(column: &str, agency_id: Option<i64>) -> String {
    if agency_id.is_some() { format!("{column} = $1") } else { "$1 IS NULL".into() }
}

/// Which vouchers of a period a tally counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Requested in the period.
    Requested,
    /// Used in the period, and not undone since.
    Used,
}

/// The vouchers requested or used in [from, to): how many, and what they are worth.
pub async fn tally(
    pool: &AnyPool,
    agency_id: Option<i64>,
    counted: Counted,
    from: Timestamp,
    to: Timestamp,
) -> Result<Tally, sqlx::Error> {
    let during = match counted {
        Counted::Requested => "requested_at >= $2 AND requested_at < $3",
        Counted::Used => "used_at >= $2 AND used_at < $3 AND use_cancelled_at IS NULL",
    };
    sqlx::query_as(&format!(
        "SELECT COUNT(*) AS count, CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) AS amount FROM vouchers
          WHERE {} AND {during}",
        scope("agency_id", agency_id)
    ))
    .bind(agency_id)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await
}

/// Accepted invoices not yet paid, summed per supplier, largest first.
pub async fn due_per_supplier(pool: &AnyPool, agency_id: Option<i64>) -> Result<Vec<SupplierDue>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT s.id AS supplier_id, s.name AS supplier, COUNT(*) AS invoices,
                CAST(COALESCE(SUM(i.amount_cents), 0) AS BIGINT) AS amount
           FROM invoices i JOIN suppliers s ON s.id = i.supplier_id
          WHERE {} AND i.status = $2
          GROUP BY s.id, s.name
          ORDER BY amount DESC, s.name",
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

/// What vouchers (used, not undone) and passes (spent) were worth since
/// `from`, summed per UTC hour (`2026-11-23T13`): at most a row per hour,
/// which the service files under Paris months.
pub async fn spent_by_hour(
    pool: &AnyPool,
    agency_id: Option<i64>,
    from: Timestamp,
) -> Result<(Vec<(String, i64)>, Vec<(String, i64)>), sqlx::Error> {
    let vouchers = sqlx::query_as(&format!(
        "SELECT substr(used_at, 1, 13) AS hour, CAST(SUM(amount_cents) AS BIGINT) AS amount FROM vouchers
          WHERE {} AND used_at >= $2 AND use_cancelled_at IS NULL
          GROUP BY substr(used_at, 1, 13)",
        scope("agency_id", agency_id)
    ))
    .bind(agency_id)
    .bind(from)
    .fetch_all(pool)
    .await?;
    let passes = sqlx::query_as(&format!(
        "SELECT substr(used_at, 1, 13) AS hour, CAST(SUM(face_value) AS BIGINT) AS amount FROM passes
          WHERE {} AND used_at >= $2 AND status = 'used'
          GROUP BY substr(used_at, 1, 13)",
        scope("agency_id", agency_id)
    ))
    .bind(agency_id)
    .bind(from)
    .fetch_all(pool)
    .await?;
    Ok((vouchers, passes))
}
