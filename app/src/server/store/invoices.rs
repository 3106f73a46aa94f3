//! Supplier invoices, their lines and their PDF.

use crate::domain::{Day, InvoiceStatus, LineFlag, Money, Timestamp};
use crate::model::invoices::{InvoiceLineView, InvoiceSummary};
use crate::server::db::WriteTx;
use crate::server::error::UniqueKey;
use sqlx::{AnyConnection, AnyPool, FromRow};

/// A supplier numbers its invoices once.
pub const NUMBER_KEY: UniqueKey = UniqueKey { table: "invoices", columns: &["supplier_id", "number"] };

/// An invoice as its screens show it, and what decides who sees it and
/// whether a batch holds it.
#[derive(Debug, Clone, FromRow)]
pub struct InvoiceRecord {
    #[sqlx(flatten)]
    pub summary: InvoiceSummary,
    pub agency_id: i64,
    pub batch_id: Option<i64>,
}

const SELECT_INVOICE: &str = "SELECT i.id, i.supplier_id, i.agency_id, i.number, i.invoice_date,
        i.amount_cents AS amount, i.status, i.correction_reason, i.submitted_at, i.batch_id, i.paid_on,
        s.name AS supplier,
        (SELECT COUNT(*) FROM invoice_lines l
          WHERE l.invoice_id = i.id AND l.flag IS NOT NULL AND l.override_reason IS NULL) AS open_flags,
        (SELECT COUNT(*) FROM invoice_lines l WHERE l.invoice_id = i.id) AS line_count,
        (SELECT COUNT(*) FROM invoice_files f WHERE f.invoice_id = i.id) AS has_pdf
   FROM invoices i
   JOIN suppliers s ON s.id = i.supplier_id";

/// A line as screens show it, and the voucher it was matched to.
#[derive(Debug, Clone, FromRow)]
pub struct LineRecord {
    #[sqlx(flatten)]
    pub view: InvoiceLineView,
    pub voucher_id: Option<i64>,
    pub pass_id: Option<i64>,
}

pub struct NewInvoice<'a> {
    pub supplier_id: i64,
    pub agency_id: i64,
    pub number: &'a str,
    pub invoice_date: Day,
    pub amount: Money,
    pub submitted_at: Timestamp,
    pub submitted_by: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, i: &NewInvoice<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO invoices (supplier_id, agency_id, number, invoice_date, amount_cents, status, submitted_at, submitted_by)
         VALUES ($1, $2, $3, $4, $5, $8, $6, $7) RETURNING id",
    )
    .bind(i.supplier_id)
    .bind(i.agency_id)
    .bind(i.number)
    .bind(i.invoice_date)
    .bind(i.amount)
    .bind(i.submitted_at)
    .bind(i.submitted_by)
    .bind(InvoiceStatus::Received)
    .fetch_one(conn)
    .await
}

/// A corrected invoice goes back to `received` with its new header.
pub async fn replace_header(conn: &mut AnyConnection, id: i64, i: &NewInvoice<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE invoices SET number = $2, invoice_date = $3, amount_cents = $4, status = $7,
                correction_reason = NULL, submitted_at = $5, submitted_by = $6
          WHERE id = $1",
    )
    .bind(id)
    .bind(i.number)
    .bind(i.invoice_date)
    .bind(i.amount)
    .bind(i.submitted_at)
    .bind(i.submitted_by)
    .bind(InvoiceStatus::Received)
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewLine<'a> {
    pub invoice_id: i64,
    pub position: i64,
    pub voucher_number: &'a str,
    pub amount: Money,
    pub voucher_id: Option<i64>,
    /// The pass the line names, when it names one of this supplier's.
    pub pass_id: Option<i64>,
    pub code_ok: bool,
    pub flag: Option<LineFlag>,
}

pub async fn insert_line(conn: &mut AnyConnection, l: &NewLine<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, voucher_number, amount_cents, voucher_id, code_ok, flag,
                                    pass_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(l.invoice_id)
    .bind(l.position)
    .bind(l.voucher_number)
    .bind(l.amount)
    .bind(l.voucher_id)
    .bind(i64::from(l.code_ok))
    .bind(l.flag)
    .bind(l.pass_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes an invoice sent back « à corriger » that its supplier withdraws:
/// its lines and PDF go with it (ON DELETE CASCADE); false if it was no
/// longer sent back.
pub async fn delete_sent_back(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM invoices WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(InvoiceStatus::ToCorrect)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_lines(conn: &mut AnyConnection, invoice_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM invoice_lines WHERE invoice_id = $1").bind(invoice_id).execute(conn).await?;
    Ok(())
}

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_INVOICE} WHERE i.id = $1")).bind(id).fetch_optional(pool).await
}

/// Reads an invoice inside a write transaction, locking its row until commit.
pub async fn find_for_update(tx: &mut WriteTx, id: i64) -> Result<Option<InvoiceRecord>, sqlx::Error> {
    let lock = tx.row_lock("i");
    sqlx::query_as(&format!("{SELECT_INVOICE} WHERE i.id = $1{lock}")).bind(id).fetch_optional(tx.conn()).await
}

/// A supplier's invoices, newest first.
pub async fn list_for_supplier(pool: &AnyPool, supplier_id: i64) -> Result<Vec<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_INVOICE} WHERE i.supplier_id = $1 ORDER BY i.id DESC"))
        .bind(supplier_id)
        .fetch_all(pool)
        .await
}

/// An agency's invoices (every agency's with None) in one status, or all,
/// newest first; at most `limit`.
pub async fn list_for_agency(
    pool: &AnyPool,
    agency_id: Option<i64>,
    status: Option<InvoiceStatus>,
    limit: i64,
) -> Result<Vec<InvoiceRecord>, sqlx::Error> {
    // A NULL parameter has no type PostgreSQL can infer: absent filters are
    // left out of the text rather than bound as NULL.
    let (scope, agency) = super::agency_scope("i.agency_id", agency_id);
    let status_filter = if status.is_some() { "i.status = $2" } else { "$2 = ''" };
    sqlx::query_as(&format!("{SELECT_INVOICE} WHERE {scope} AND {status_filter} ORDER BY i.id DESC LIMIT $3"))
        .bind(agency)
        .bind(status.map_or("", InvoiceStatus::code))
        .bind(limit)
        .fetch_all(pool)
        .await
}

const SELECT_LINE: &str = "SELECT l.position, l.voucher_number, l.amount_cents AS amount, l.voucher_id, l.pass_id,
        l.flag, l.override_reason, l.override_by, COALESCE(v.amount_cents, p.face_value) AS voucher_amount
   FROM invoice_lines l
   LEFT JOIN vouchers v ON v.id = l.voucher_id
   LEFT JOIN passes p ON p.id = l.pass_id";

/// An invoice's lines, in order; on the pool or inside a transaction.
pub async fn lines<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    invoice_id: i64,
) -> Result<Vec<LineRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_LINE} WHERE l.invoice_id = $1 ORDER BY l.position"))
        .bind(invoice_id)
        .fetch_all(db)
        .await
}

/// Is this invoice number already used by this supplier (on another invoice
/// than `except`)?
pub async fn number_taken(
    conn: &mut AnyConnection,
    supplier_id: i64,
    number: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE supplier_id = $1 AND number = $2 AND ($3 IS NULL OR id <> $3)",
    )
    .bind(supplier_id)
    .bind(number)
    .bind(except)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// The invoice (other than `except`) one of whose matching lines already
/// claims this voucher: its number and status. Only invoices received,
/// accepted or paid claim: one sent back « à corriger » leaves its
/// vouchers free for another invoice until it is sent again.
pub async fn claim_on_voucher(
    conn: &mut AnyConnection,
    voucher_id: i64,
    except: Option<i64>,
) -> Result<Option<(String, InvoiceStatus)>, sqlx::Error> {
    claim(conn, "voucher_id", voucher_id, except).await
}

/// The same for a pass.
pub async fn claim_on_pass(
    conn: &mut AnyConnection,
    pass_id: i64,
    except: Option<i64>,
) -> Result<Option<(String, InvoiceStatus)>, sqlx::Error> {
    claim(conn, "pass_id", pass_id, except).await
}

/// `column`: the line's `voucher_id` or `pass_id` (ours, never typed).
async fn claim(
    conn: &mut AnyConnection,
    column: &'static str,
    id: i64,
    except: Option<i64>,
) -> Result<Option<(String, InvoiceStatus)>, sqlx::Error> {
    let sql = format!(
        "SELECT i.number, i.status FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
          WHERE l.{column} = $1 AND (l.flag IS NULL OR l.override_reason IS NOT NULL)
            AND ($2 IS NULL OR i.id <> $2) AND i.status <> $3
          ORDER BY i.id LIMIT 1"
    );
    sqlx::query_as(&sql).bind(id).bind(except).bind(InvoiceStatus::ToCorrect).fetch_optional(conn).await
}

/// The stored PDF: file name and bytes.
pub async fn pdf(pool: &AnyPool, invoice_id: i64) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT file_name, content FROM invoice_files WHERE invoice_id = $1")
        .bind(invoice_id)
        .fetch_optional(pool)
        .await
}

pub struct NewFile<'a> {
    pub invoice_id: i64,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub uploaded_at: Timestamp,
}

/// Stores (or replaces) an invoice's PDF.
pub async fn put_pdf(conn: &mut AnyConnection, f: &NewFile<'_>) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM invoice_files WHERE invoice_id = $1").bind(f.invoice_id).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO invoice_files (invoice_id, file_name, sha256, size_bytes, content, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(f.invoice_id)
    .bind(f.file_name)
    .bind(f.sha256)
    .bind(i64::try_from(f.content.len()).unwrap_or(i64::MAX))
    .bind(f.content)
    .bind(f.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Staff accept a flagged line anyway, for a written reason. False when
/// the line is not flagged or already overridden.
pub async fn override_line(
    conn: &mut AnyConnection,
    invoice_id: i64,
    position: i64,
    reason: &str,
    by: &str,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invoice_lines SET override_reason = $3, override_by = $4, override_at = $5
          WHERE invoice_id = $1 AND position = $2 AND flag IS NOT NULL AND override_reason IS NULL",
    )
    .bind(invoice_id)
    .bind(position)
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A line found not to match any more when the invoice was accepted (its
/// voucher's use undone, say): flagged again, any override dropped.
pub async fn reflag_line(
    conn: &mut AnyConnection,
    invoice_id: i64,
    position: i64,
    flag: LineFlag,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE invoice_lines SET flag = $3, override_reason = NULL, override_by = NULL, override_at = NULL
          WHERE invoice_id = $1 AND position = $2",
    )
    .bind(invoice_id)
    .bind(position)
    .bind(flag)
    .execute(conn)
    .await?;
    Ok(())
}

/// `received` → `accepted`. False when it was not `received` any more.
pub async fn accept(conn: &mut AnyConnection, id: i64, at: Timestamp) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE invoices SET status = $3, accepted_at = $2 WHERE id = $1 AND status = $4")
        .bind(id)
        .bind(at)
        .bind(InvoiceStatus::Accepted)
        .bind(InvoiceStatus::Received)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// `received` → `to_correct`, with the reason the supplier reads.
pub async fn send_back(conn: &mut AnyConnection, id: i64, reason: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE invoices SET status = $3, correction_reason = $2 WHERE id = $1 AND status = $4")
        .bind(id)
        .bind(reason)
        .bind(InvoiceStatus::ToCorrect)
        .bind(InvoiceStatus::Received)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// An agency's accepted invoices that no payment batch holds yet, oldest first.
pub async fn accepted_unbatched(conn: &mut AnyConnection, agency_id: i64) -> Result<Vec<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT_INVOICE} WHERE i.agency_id = $1 AND i.status = $2 AND i.batch_id IS NULL ORDER BY i.id"
    ))
    .bind(agency_id)
    .bind(InvoiceStatus::Accepted)
    .fetch_all(conn)
    .await
}

/// The invoices of a payment batch, by supplier; on the pool or inside a
/// transaction.
pub async fn in_batch<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    batch_id: i64,
) -> Result<Vec<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_INVOICE} WHERE i.batch_id = $1 ORDER BY s.name, i.id"))
        .bind(batch_id)
        .fetch_all(db)
        .await
}
