//! Payment batches: accepted invoices paid together, one bank transfer per
//! supplier.

use crate::domain::{Day, InvoiceStatus, Money, Timestamp, VoucherStatus};
use crate::model::money::BatchRow;
use crate::server::db::WriteTx;
use sqlx::{AnyConnection, AnyPool, FromRow};

/// A batch as screens list it, and the agency whose staff see it.
#[derive(Debug, Clone, FromRow)]
pub struct BatchRecord {
    #[sqlx(flatten)]
    pub row: BatchRow,
    pub agency_id: i64,
}

const SELECT_BATCH: &str = "SELECT b.id, b.agency_id, a.code AS agency_code, b.created_at,
        COALESCE(c.login, '') AS created_by, b.total_cents AS total, b.paid_on, b.reference,
        (SELECT COUNT(*) FROM invoices i WHERE i.batch_id = b.id) AS invoices
   FROM payment_batches b
   JOIN agencies a ON a.id = b.agency_id
   LEFT JOIN accounts c ON c.id = b.created_by";

pub async fn insert(
    conn: &mut AnyConnection,
    agency_id: i64,
    created_at: Timestamp,
    created_by: i64,
    total: Money,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO payment_batches (agency_id, created_at, created_by, total_cents) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(agency_id)
    .bind(created_at)
    .bind(created_by)
    .bind(total)
    .fetch_one(conn)
    .await
}

/// Puts an accepted invoice in a batch. False when another batch took it first.
pub async fn add_invoice(conn: &mut AnyConnection, batch_id: i64, invoice_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE invoices SET batch_id = $1 WHERE id = $2 AND status = $3 AND batch_id IS NULL")
        .bind(batch_id)
        .bind(invoice_id)
        .bind(InvoiceStatus::Accepted)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<BatchRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_BATCH} WHERE b.id = $1")).bind(id).fetch_optional(pool).await
}

pub async fn find_for_update(tx: &mut WriteTx, id: i64) -> Result<Option<BatchRecord>, sqlx::Error> {
    let lock = tx.row_lock("b");
    sqlx::query_as(&format!("{SELECT_BATCH} WHERE b.id = $1{lock}")).bind(id).fetch_optional(tx.conn()).await
}

/// An agency's batches (every agency's with None), newest first.
pub async fn list(pool: &AnyPool, agency_id: Option<i64>) -> Result<Vec<BatchRecord>, sqlx::Error> {
    let (scope, agency) = super::agency_scope("b.agency_id", agency_id);
    sqlx::query_as(&format!("{SELECT_BATCH} WHERE {scope} ORDER BY b.id DESC LIMIT 100"))
        .bind(agency)
        .fetch_all(pool)
        .await
}

/// Records the transfers' day. False when the batch was already paid.
pub async fn mark_paid(
    conn: &mut AnyConnection,
    id: i64,
    paid_on: Day,
    paid_at: Timestamp,
    reference: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE payment_batches SET paid_on = $2, paid_at = $3, reference = $4 WHERE id = $1 AND paid_on IS NULL",
    )
    .bind(id)
    .bind(paid_on)
    .bind(paid_at)
    .bind(reference)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The batch's invoices become paid on that day; returns how many.
pub async fn pay_invoices(conn: &mut AnyConnection, batch_id: i64, paid_on: Day) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE invoices SET status = $3, paid_on = $2 WHERE batch_id = $1 AND status = $4")
        .bind(batch_id)
        .bind(paid_on)
        .bind(InvoiceStatus::Paid)
        .bind(InvoiceStatus::Accepted)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// The vouchers those invoices claimed: id, number, status.
pub async fn vouchers_of_batch(
    conn: &mut AnyConnection,
    batch_id: i64,
) -> Result<Vec<(i64, Option<String>, VoucherStatus)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id, v.number, v.status FROM vouchers v JOIN invoices i ON i.id = v.invoice_id
          WHERE i.batch_id = $1 ORDER BY v.id",
    )
    .bind(batch_id)
    .fetch_all(conn)
    .await
}

/// Invoiced vouchers of the batch become paid on that day; returns how many.
pub async fn pay_vouchers(conn: &mut AnyConnection, batch_id: i64, paid_on: Day) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE vouchers SET status = $3, paid_on = $2
          WHERE status = $4 AND invoice_id IN (SELECT id FROM invoices WHERE batch_id = $1)",
    )
    .bind(batch_id)
    .bind(paid_on)
    .bind(VoucherStatus::Paid)
    .bind(VoucherStatus::Invoiced)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The passes those invoices claimed and not yet paid: id.
pub async fn passes_of_batch(conn: &mut AnyConnection, batch_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT p.id FROM passes p JOIN invoices i ON i.id = p.invoice_id
          WHERE i.batch_id = $1 AND p.paid_on IS NULL ORDER BY p.id",
    )
    .bind(batch_id)
    .fetch_all(conn)
    .await
}

/// Invoiced passes of the batch are paid on that day; returns how many.
pub async fn pay_passes(conn: &mut AnyConnection, batch_id: i64, paid_on: Day) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE passes SET paid_on = $2
          WHERE paid_on IS NULL AND invoice_id IN (SELECT id FROM invoices WHERE batch_id = $1)",
    )
    .bind(batch_id)
    .bind(paid_on)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
