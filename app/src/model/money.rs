//! Where the money follows the vouchers: reconciliation, payment batches,
//! members' statements.

use super::agency::{Desk, HistoryEvent};
use super::invoices::{InvoiceDetail, InvoiceSummary};
use crate::domain::{Day, InvoiceStatus, Money, Month, ParisTime, Period};
use serde::{Deserialize, Serialize};

/// The agency's supplier invoices, in one status or all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgencyInvoiceList {
    pub desk: Desk,
    pub status: Option<InvoiceStatus>,
    pub rows: Vec<InvoiceSummary>,
}

/// One invoice on the reconciliation screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconcileView {
    pub invoice: InvoiceDetail,
    pub agency_code: String,
    /// Received, and every line matches or was overridden.
    pub can_accept: bool,
    /// The payment batch holding it, once accepted and batched.
    pub batch_id: Option<i64>,
    pub history: Vec<HistoryEvent>,
}

/// A payment batch in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BatchRow {
    pub id: i64,
    pub agency_code: String,
    pub created_at: ParisTime,
    /// The login of who prepared it.
    pub created_by: String,
    pub total: Money,
    pub invoices: i64,
    /// Once the transfers left: their day.
    pub paid_on: Option<Day>,
    pub reference: Option<String>,
}

/// The payments screen: what is ready to pay, and the batches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentsPage {
    pub desk: Desk,
    /// Accepted invoices no batch holds yet.
    pub ready: Vec<InvoiceSummary>,
    pub ready_total: Money,
    pub batches: Vec<BatchRow>,
}

/// One bank transfer of a batch: everything owed to one supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub supplier: String,
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// The supplier's invoice numbers, for the transfer's wording.
    pub invoice_numbers: Vec<String>,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchDetail {
    pub batch: BatchRow,
    pub transfers: Vec<Transfer>,
    pub invoices: Vec<InvoiceSummary>,
    /// Today in Paris: the date field's default.
    pub today: Day,
    pub history: Vec<HistoryEvent>,
}

/// A statement run's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RunRow {
    pub id: i64,
    pub agency_code: String,
    pub month: Month,
    pub started_at: ParisTime,
    pub started_by: String,
    pub total: i64,
    pub done: i64,
    pub emailed: i64,
    pub no_email: i64,
    pub failed: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::domain::StoredBool"))]
    pub finished: bool,
}

/// One statement, as staff and the member list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StatementRow {
    pub id: i64,
    pub member_number: String,
    pub member_name: String,
    pub period_from: Day,
    pub period_to: Day,
    pub created_at: ParisTime,
    pub voucher_count: i64,
    pub total: Money,
    pub invoiced: Money,
    pub emailed_to: Option<String>,
    pub emailed_at: Option<ParisTime>,
    pub email_error: Option<String>,
}

impl StatementRow {
    /// The days it covers.
    pub fn period(&self) -> Period {
        Period { from: self.period_from, to: self.period_to }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementsPage {
    pub desk: Desk,
    /// The month a run proposes by default (the previous one); its days
    /// are the single statement's default period.
    pub default_month: Month,
    pub runs: Vec<RunRow>,
    pub recent: Vec<StatementRow>,
}
