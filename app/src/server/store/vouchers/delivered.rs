//! A supplier's delivered vouchers (used at its counter), with the invoice
//! of its own that claims each one.

use crate::domain::{InvoiceStatus, Timestamp, VoucherStatus, member::initials};
use crate::model::supplier::{DeliveredVoucher, InvoiceClaim};
use crate::server::store::in_row;
use sqlx::{AnyPool, FromRow, Row, any::AnyRow};

/// A delivered voucher as the supplier's list shows it, with the first of
/// this supplier's invoices whose matching (or overridden) line claims it.
/// The member's name is read as initials: it never reaches the supplier.
impl<'r> FromRow<'r, AnyRow> for DeliveredVoucher {
    fn from_row(row: &'r AnyRow) -> Result<DeliveredVoucher, sqlx::Error> {
        let invoice = match (row.try_get("invoice_id")?, row.try_get("invoice_number")?, row.try_get("invoice_status")?)
        {
            (Some(id), Some(number), Some(status)) => Some(InvoiceClaim { id, number, status }),
            _ => None,
        };
        Ok(DeliveredVoucher {
            number: row.try_get("number")?,
            used_at: row.try_get("used_at")?,
            amount: row.try_get("amount_cents")?,
            status: row.try_get("status")?,
            member_initials: initials(&row.try_get::<String, _>("member_name")?),
            invoice,
            paid_on: row.try_get("paid_on")?,
        })
    }
}

/// Which used vouchers: bounds `[from, until)`.
pub struct DeliveredQuery {
    pub supplier_id: i64,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub status: Option<VoucherStatus>,
}

/// One query for the whole list, newest use first; the claims are grouped
/// once rather than looked up per row.
pub async fn list(pool: &AnyPool, q: &DeliveredQuery) -> Result<Vec<DeliveredVoucher>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id, v.number, v.used_at, v.amount_cents, v.status, m.name AS member_name, v.paid_on,
                ci.id AS invoice_id, ci.number AS invoice_number, ci.status AS invoice_status
           FROM vouchers v
           JOIN members m ON m.id = v.member_id
           LEFT JOIN (SELECT l.voucher_id, MIN(i.id) AS invoice_id
                        FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                       WHERE i.supplier_id = $1 AND (l.flag IS NULL OR l.override_reason IS NOT NULL)
                       GROUP BY l.voucher_id) c ON c.voucher_id = v.id
           LEFT JOIN invoices ci ON ci.id = c.invoice_id
          WHERE v.supplier_id = $1 AND v.used_at IS NOT NULL
            AND ($2 IS NULL OR v.used_at >= $2) AND ($3 IS NULL OR v.used_at < $3)
            AND ($4 IS NULL OR v.status = $4)
          ORDER BY v.used_at DESC, v.id DESC",
    )
    .bind(q.supplier_id)
    .bind(q.from)
    .bind(q.until)
    .bind(q.status)
    .fetch_all(pool)
    .await
    .map_err(in_row("vouchers delivered by supplier", q.supplier_id))
}

/// This supplier's invoice claiming a voucher.
pub async fn claim(pool: &AnyPool, supplier_id: i64, voucher_id: i64) -> Result<Option<InvoiceClaim>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.id, i.number, i.status FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
          WHERE l.voucher_id = $1 AND i.supplier_id = $2 AND (l.flag IS NULL OR l.override_reason IS NOT NULL)
          ORDER BY i.id LIMIT 1",
    )
    .bind(voucher_id)
    .bind(supplier_id)
    .fetch_optional(pool)
    .await
}

/// The figures of the supplier's home page.
#[derive(Debug, Clone, FromRow)]
pub struct HomeFigures {
    /// Delivered (11-livré) and on none of the supplier's invoices yet.
    pub to_invoice: i64,
    pub to_invoice_cents: i64,
    pub invoices_to_correct: i64,
    pub active_keys: i64,
}

pub async fn home_figures(pool: &AnyPool, supplier_id: i64) -> Result<HomeFigures, sqlx::Error> {
    // SUM over BIGINT is NUMERIC on PostgreSQL: cast back to read an integer.
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM vouchers v WHERE v.supplier_id = $1 AND v.status = $2 AND NOT EXISTS
                   (SELECT 1 FROM invoice_lines l WHERE l.voucher_id = v.id
                       AND (l.flag IS NULL OR l.override_reason IS NOT NULL))) AS to_invoice,
                (SELECT CAST(COALESCE(SUM(v.amount_cents), 0) AS BIGINT) FROM vouchers v
                  WHERE v.supplier_id = $1 AND v.status = $2 AND NOT EXISTS
                   (SELECT 1 FROM invoice_lines l WHERE l.voucher_id = v.id
                       AND (l.flag IS NULL OR l.override_reason IS NOT NULL))) AS to_invoice_cents,
                (SELECT COUNT(*) FROM invoices WHERE supplier_id = $1 AND status = $3)
                    AS invoices_to_correct,
                (SELECT COUNT(*) FROM api_keys WHERE supplier_id = $1 AND revoked_at IS NULL) AS active_keys",
    )
    .bind(supplier_id)
    .bind(VoucherStatus::Delivered)
    .bind(InvoiceStatus::ToCorrect)
    .fetch_one(pool)
    .await
}
