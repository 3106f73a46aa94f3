//! The supplier's space: the counter check, delivered vouchers, invoices,
//! the till's API keys.

use super::invoices::InvoiceDetail;
use crate::domain::{Day, InvoiceStatus, Money, ParisTime, VoucherNumber, VoucherStatus};
use serde::{Deserialize, Serialize};

/// The supplier's home: who is logged in, and what needs doing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierOverview {
    pub supplier: String,
    pub login: String,
    /// Today in Paris, `2026-11-23`: the new invoice's default date.
    pub today: String,
    /// Delivered vouchers on none of the supplier's invoices yet.
    pub to_invoice: i64,
    pub to_invoice_amount: Money,
    pub invoices_to_correct: i64,
    pub active_keys: i64,
}

/// One of the supplier's invoices claiming a voucher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct InvoiceClaim {
    pub id: i64,
    pub number: String,
    pub status: InvoiceStatus,
}

/// The answer to a counter check by number and secret code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterCheck {
    pub number: VoucherNumber,
    /// The supplier the voucher was issued for.
    pub supplier: String,
    /// Issued for the supplier asking: the only one who may deliver on it and invoice it.
    pub own: bool,
    pub amount: Money,
    pub status: VoucherStatus,
    pub used_at: ParisTime,
    pub member_initials: String,
    /// The supplier's own invoice that claims it; never said of another supplier's voucher.
    pub invoice: Option<InvoiceClaim>,
}

impl CounterCheck {
    /// On an invoice already, or past the invoiced status.
    pub fn already_invoiced(&self) -> bool {
        self.invoice.is_some() || matches!(self.status, VoucherStatus::Invoiced | VoucherStatus::Paid)
    }
}

/// One delivered voucher in the supplier's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveredVoucher {
    pub number: VoucherNumber,
    pub used_at: ParisTime,
    pub amount: Money,
    pub status: VoucherStatus,
    pub member_initials: String,
    pub invoice: Option<InvoiceClaim>,
    /// Once paid.
    pub paid_on: Option<Day>,
}

/// Count and value of the listed vouchers in one status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusTotal {
    pub status: VoucherStatus,
    pub count: i64,
    pub amount: Money,
}

/// The delivered vouchers page: the filter as applied, the rows, the totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveredList {
    /// `2026-10-01` or empty: what the filter form shows again.
    pub from: String,
    pub to: String,
    /// `11`, `21`, `31`, `91` or empty for every status.
    pub status: String,
    pub vouchers: Vec<DeliveredVoucher>,
    /// Vouchers listed, and the value of those that will be paid (a use
    /// undone, 91-annulé, is listed but not counted).
    pub count: i64,
    pub total: Money,
    pub by_status: Vec<StatusTotal>,
    /// Pass Castors spent at this supplier over the same days (listed when
    /// no status is chosen, or 11-livré), newest first, and their value.
    pub passes: Vec<crate::model::passes::SpentPass>,
    pub passes_total: Money,
}

impl DeliveredList {
    /// The same filter as a query string, for the CSV export link.
    pub fn query(&self) -> String {
        format!("du={}&au={}&statut={}", self.from, self.to, self.status)
    }
}

/// An invoice as its page shows it, with what the correction form needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierInvoiceView {
    pub detail: InvoiceDetail,
    /// The lines as the lines box shows them, without their codes (never stored).
    pub lines_text: String,
}

/// A till's API key, as stored (without its hash) and as the keys page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ApiKeyView {
    pub id: i64,
    pub supplier_id: i64,
    pub label: String,
    /// `bons_3f9a1c2d`: enough to tell keys apart, useless to log in.
    pub prefix: String,
    pub created_at: ParisTime,
    pub created_by: String,
    pub last_used_at: Option<ParisTime>,
    pub revoked_at: Option<ParisTime>,
}

/// A key just created, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub label: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeys {
    pub keys: Vec<ApiKeyView>,
    pub new_key: Option<NewApiKey>,
    /// Where the till sends its requests, e.g. `https://bons.castors.fr/api/v1`.
    pub api_base: String,
}
