//! A supplier's delivered vouchers (used at its counter), with the invoice
//! of its own that claims each one.

use crate::domain::{InvoiceStatus, VoucherStatus};
use crate::server::store::in_row;
use sqlx::{AnyPool, FromRow};

#[derive(Debug, Clone, FromRow)]
pub struct DeliveredRecord {
    pub id: i64,
    pub number: String,
    pub used_at: String,
    pub amount_cents: i64,
    pub status: VoucherStatus,
    pub member_name: String,
    pub paid_on: Option<String>,
    /// The first of this supplier's invoices whose matching (or overridden)
    /// line claims the voucher.
    pub invoice_id: Option<i64>,
    pub invoice_number: Option<String>,
    pub invoice_status: Option<InvoiceStatus>,
}

/// Which used vouchers: instants are UTC stamps, bounds `[from, until)`.
pub struct DeliveredQuery<'a> {
    pub supplier_id: i64,
    pub from: Option<&'a str>,
    pub until: Option<&'a str>,
    pub status: Option<VoucherStatus>,
}

/// One query for the whole list, newest use first; the claims are grouped
/// once rather than looked up per row.
pub async fn list(pool: &AnyPool, q: &DeliveredQuery<'_>) -> Result<Vec<DeliveredRecord>, sqlx::Error> {
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

/// This supplier's invoice claiming a voucher: id, number, status.
pub async fn claim(
    pool: &AnyPool,
    supplier_id: i64,
    voucher_id: i64,
) -> Result<Option<(i64, String, InvoiceStatus)>, sqlx::Error> {
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
