//! Invoices to sponsors: the seller's identity, the yearly series, the
//! invoices as issued and their Chorus Pro state.

use crate::domain::billing::{ChorusState, DocumentType, InvoiceDocument, InvoiceKind, InvoiceNumber, Party};
use crate::domain::{Day, Money, ParisTime, Timestamp};
use sqlx::{AnyConnection, FromRow};

#[derive(Debug, Clone, FromRow)]
struct SellerRecord {
    name: String,
    siret: String,
    vat_number: String,
    street: String,
    postcode: String,
    city: String,
}

/// The seller as the agency's invoices name it, once staff have given it.
pub async fn seller(conn: &mut AnyConnection, agency_id: i64) -> Result<Option<Party>, sqlx::Error> {
    let row: Option<SellerRecord> =
        sqlx::query_as("SELECT name, siret, vat_number, street, postcode, city FROM sellers WHERE agency_id = $1")
            .bind(agency_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| Party {
        siren: Some(r.siret[..9.min(r.siret.len())].to_owned()),
        siret: Some(r.siret),
        name: r.name,
        vat_number: Some(r.vat_number),
        street: r.street,
        postcode: r.postcode,
        city: r.city,
    }))
}

pub async fn save_seller(
    conn: &mut AnyConnection,
    agency_id: i64,
    seller: &Party,
    at: Timestamp,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sellers (agency_id, name, siret, vat_number, street, postcode, city, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (agency_id) DO UPDATE SET name = excluded.name, siret = excluded.siret,
            vat_number = excluded.vat_number, street = excluded.street, postcode = excluded.postcode,
            city = excluded.city, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(agency_id)
    .bind(&seller.name)
    .bind(seller.siret.as_deref().unwrap_or_default())
    .bind(seller.vat_number.as_deref().unwrap_or_default())
    .bind(&seller.street)
    .bind(&seller.postcode)
    .bind(&seller.city)
    .bind(at)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// The next number of `year`'s series, in the issuing transaction: the row
/// stays locked until it commits, and a rollback gives the number back.
pub async fn next_number(conn: &mut AnyConnection, year: i32) -> Result<InvoiceNumber, sqlx::Error> {
    let sequence = sqlx::query_scalar(
        "INSERT INTO sponsor_invoice_series (year, last_sequence) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last_sequence = sponsor_invoice_series.last_sequence + 1
         RETURNING last_sequence",
    )
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?;
    Ok(InvoiceNumber { year, sequence })
}

/// Writes an issued invoice or credit note; its id.
pub async fn insert(
    conn: &mut AnyConnection,
    order_id: i64,
    agency_id: i64,
    doc: &InvoiceDocument,
    corrects: Option<i64>,
    at: Timestamp,
    by: &str,
) -> Result<i64, sqlx::Error> {
    let document = serde_json::to_string(doc).map_err(|e| sqlx::Error::Encode(e.into()))?;
    sqlx::query_scalar(
        "INSERT INTO sponsor_invoices (order_id, agency_id, year, sequence, type_code, kind, instalment, corrects,
            document, total_excl_vat, vat, total_incl_vat, issued_at, issued_by, due_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(order_id)
    .bind(agency_id)
    .bind(i64::from(doc.number.year))
    .bind(doc.number.sequence)
    .bind(doc.document_type.code())
    .bind(doc.billed.kind.code())
    .bind(i64::from(doc.billed.instalment))
    .bind(corrects)
    .bind(document)
    .bind(doc.totals.excl_vat)
    .bind(doc.totals.vat)
    .bind(doc.totals.incl_vat)
    .bind(at)
    .bind(by)
    .bind(doc.due_on)
    .fetch_one(conn)
    .await
}

/// An invoice as listed, and what it says.
#[derive(Debug, Clone, FromRow)]
pub struct InvoiceRecord {
    pub id: i64,
    pub order_id: i64,
    pub agency_id: i64,
    pub document: String,
    pub chorus_state: ChorusState,
    pub chorus_reference: Option<String>,
    pub chorus_note: Option<String>,
    pub chorus_updated_at: Option<ParisTime>,
    pub issued_at: ParisTime,
    pub due_on: Day,
    pub total_incl_vat: Money,
}

impl InvoiceRecord {
    pub fn document(&self) -> Result<InvoiceDocument, sqlx::Error> {
        serde_json::from_str(&self.document)
            .map_err(|e| sqlx::Error::Decode(format!("sponsor_invoices row {}: {e}", self.id).into()))
    }
}

const COLUMNS: &str = "id, order_id, agency_id, document, chorus_state, chorus_reference, chorus_note,
    chorus_updated_at, issued_at, due_on, total_incl_vat";

/// An order's invoices and credit notes, in the order they were issued.
pub async fn of_order(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM sponsor_invoices WHERE order_id = $1 ORDER BY id"))
        .bind(order_id)
        .fetch_all(conn)
        .await
        .map_err(super::in_row("sponsor_invoices of order", order_id))
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM sponsor_invoices WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(super::in_row("sponsor_invoices", id))
}

/// Whether the order's invoice of this kind and instalment is issued (and
/// not cancelled by a credit note).
/// When the order's first invoice (the passes') was issued, and by whom.
pub async fn first_issued(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<Option<(crate::domain::ParisTime, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT issued_at, issued_by FROM sponsor_invoices WHERE order_id = $1 AND kind = $2 AND type_code = $3
          ORDER BY id LIMIT 1",
    )
    .bind(order_id)
    .bind(InvoiceKind::Passes.code())
    .bind(DocumentType::Invoice.code())
    .fetch_optional(conn)
    .await
}

pub async fn issued(
    conn: &mut AnyConnection,
    order_id: i64,
    kind: InvoiceKind,
    instalment: u8,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sponsor_invoices WHERE order_id = $1 AND kind = $2 AND instalment = $3
            AND type_code = $4 AND chorus_state <> 'cancelled'",
    )
    .bind(order_id)
    .bind(kind.code())
    .bind(i64::from(instalment))
    .bind(DocumentType::Invoice.code())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Moves an invoice from `from` to `to`, if it is still in `from`: false
/// when someone else moved it first.
pub async fn set_chorus_state(
    conn: &mut AnyConnection,
    id: i64,
    from: ChorusState,
    to: ChorusState,
    reference: Option<&str>,
    note: Option<&str>,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sponsor_invoices SET chorus_state = $3, chorus_reference = COALESCE($4, chorus_reference),
            chorus_note = $5, chorus_updated_at = $6
         WHERE id = $1 AND chorus_state = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(reference)
    .bind(note)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A report the accompaniment's instalment is invoiced on, as uploaded.
pub struct NewReport<'a> {
    pub order_id: i64,
    pub instalment: u8,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub at: Timestamp,
    pub by: &'a str,
}

pub async fn insert_report(conn: &mut AnyConnection, r: &NewReport<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_reports (order_id, instalment, file_name, sha256, size_bytes, content, uploaded_at, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(r.order_id)
    .bind(i64::from(r.instalment))
    .bind(r.file_name)
    .bind(r.sha256)
    .bind(i64::try_from(r.content.len()).unwrap_or(i64::MAX))
    .bind(r.content)
    .bind(r.at)
    .bind(r.by)
    .execute(conn)
    .await?;
    Ok(())
}

/// The instalments whose report is kept, in order.
pub async fn reports(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<u8>, sqlx::Error> {
    let rows: Vec<i64> =
        sqlx::query_scalar("SELECT instalment FROM order_reports WHERE order_id = $1 ORDER BY instalment")
            .bind(order_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().filter_map(|i| u8::try_from(i).ok()).collect())
}

pub async fn report_file(
    conn: &mut AnyConnection,
    order_id: i64,
    instalment: u8,
) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT file_name, content FROM order_reports WHERE order_id = $1 AND instalment = $2")
        .bind(order_id)
        .bind(i64::from(instalment))
        .fetch_optional(conn)
        .await
}
