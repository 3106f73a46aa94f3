//! Supplier invoices as their screens show them, to the supplier and to the
//! agency. Rows decode straight into these shapes (`ssr`): the store's
//! records add only what screens do not show.

use crate::domain::{Day, InvoiceStatus, LineFlag, Money, ParisTime};
use serde::{Deserialize, Serialize};

/// One invoice in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct InvoiceSummary {
    pub id: i64,
    /// The supplier's invoice number.
    pub number: String,
    pub supplier_id: i64,
    pub supplier: String,
    pub invoice_date: Day,
    /// Total including VAT.
    pub amount: Money,
    pub status: InvoiceStatus,
    /// Why the agency sent it back (status "à corriger").
    pub correction_reason: Option<String>,
    /// Once paid: the day of its batch's transfers.
    pub paid_on: Option<Day>,
    /// Lines that do not match their voucher and were not overridden.
    pub open_flags: i64,
    pub line_count: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::domain::StoredBool"))]
    pub has_pdf: bool,
    pub submitted_at: ParisTime,
}

/// One line of an invoice and what the check of its voucher found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct InvoiceLineView {
    pub position: i64,
    pub voucher_number: String,
    pub amount: Money,
    /// The voucher's value, when the number is a voucher of this supplier.
    pub voucher_amount: Option<Money>,
    /// None when the line matches its voucher.
    pub flag: Option<LineFlag>,
    /// Staff accepted a flagged line anyway, for this reason.
    pub override_reason: Option<String>,
    pub override_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDetail {
    pub summary: InvoiceSummary,
    pub lines: Vec<InvoiceLineView>,
}
