//! What the agency back office's pages and server functions exchange:
//! dashboard, members and their import, suppliers, settings, vouchers.

use crate::domain::{
    Day, InvoiceStatus, Money, Month, ParisTime, VoucherNumber, VoucherStatus, member_file::ImportOutcome,
};
use serde::{Deserialize, Serialize};

/// An agency as the selector shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyChoice {
    pub code: String,
    pub name: String,
}

/// Who sits at the desk: an administrator gets a selector of agencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desk {
    pub is_admin: bool,
    /// Every agency for an administrator; the staff member's own otherwise.
    pub agencies: Vec<AgencyChoice>,
    /// The code of the agency the page is about (None: an administrator
    /// looking at every agency).
    pub chosen: Option<String>,
}

/// A count of vouchers and what they are worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Tally {
    pub count: i64,
    pub amount: Money,
}

/// What the agency owes one supplier: accepted invoices not yet paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SupplierDue {
    pub supplier_id: i64,
    pub supplier: String,
    pub invoices: i64,
    pub amount: Money,
}

/// A voucher locked after too many wrong codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedVoucher {
    pub id: i64,
    pub number: Option<VoucherNumber>,
    pub member_number: String,
    pub member_name: String,
    pub supplier: String,
    pub locked_at: Option<ParisTime>,
    pub wrong_codes: i64,
}

/// The figures staff look at first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub desk: Desk,
    /// The Paris calendar month the tallies cover ("novembre 2026").
    pub month: Month,
    pub issued: Tally,
    pub used: Tally,
    pub to_pay: Vec<SupplierDue>,
    pub to_pay_total: Money,
    /// Invoice lines that do not match their voucher and were not overridden,
    /// on invoices still to process, and how many invoices carry them.
    pub open_flags: i64,
    pub invoices_with_flags: i64,
    pub locked: Vec<LockedVoucher>,
    /// Vouchers used and passes spent, month by month, the last twelve months.
    pub chart: crate::model::chart::MonthlyChart,
    /// Sponsors' orders whose current step is past its deadline (seed 003).
    pub late_orders: Vec<crate::model::shop::OverdueStep>,
}

/// A member as the agency keeps them, as their list and page show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MemberFile {
    pub id: i64,
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub number: String,
    pub name: String,
    pub email: Option<String>,
    /// The last day the fee covers.
    pub fee_paid_until: Option<Day>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::domain::StoredBool"))]
    pub active: bool,
    /// A member since then.
    pub created_at: ParisTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberList {
    pub desk: Desk,
    pub rows: Vec<MemberFile>,
    /// Today in Paris: whose fee is paid up (`domain::member::fee_paid_up`).
    pub today: Day,
    /// More rows matched than `domain::agency::LIST_LIMIT`.
    pub truncated: bool,
}

/// One event of the audit journal, as staff read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub at: ParisTime,
    pub who: String,
    /// What happened, in French.
    pub action: String,
    /// Each field that changed: name, before, after.
    pub changes: Vec<(String, String, String)>,
}

/// A voucher as the back office lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyVoucherRow {
    pub id: i64,
    pub number: Option<VoucherNumber>,
    pub status: VoucherStatus,
    /// Staff undid its use: 91-annulé, its number kept.
    pub use_cancelled: bool,
    pub amount: Money,
    pub supplier: String,
    pub member_number: String,
    pub member_name: String,
    /// The day of the request, in Paris.
    pub requested_on: Day,
    pub used_at: Option<ParisTime>,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub file: MemberFile,
    pub fee_paid_up: bool,
    pub vouchers: Vec<AgencyVoucherRow>,
    /// Their login's way in (None: the member has no login).
    pub access: Option<crate::model::auth::Access>,
    pub history: Vec<HistoryEvent>,
}

/// What a form creating something for an agency needs: the agencies to
/// choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskOnly {
    pub desk: Desk,
}

/// One run of an import, as stored and as the import page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ImportSummary {
    pub id: i64,
    pub agency_id: i64,
    #[cfg_attr(feature = "ssr", sqlx(rename = "imported_at"))]
    pub at: ParisTime,
    #[cfg_attr(feature = "ssr", sqlx(rename = "imported_by"))]
    pub by: String,
    pub agency_code: String,
    pub file_name: String,
    /// Why the whole file was refused; then there are no lines.
    pub refusal: Option<String>,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub refused: i64,
}

/// One line of a run's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ImportLine {
    /// The line of the file (the header is line 1).
    pub line: i64,
    pub member_number: String,
    pub outcome: ImportOutcome,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub summary: ImportSummary,
    pub lines: Vec<ImportLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPage {
    pub desk: Desk,
    pub recent: Vec<ImportSummary>,
    pub report: Option<ImportReport>,
}

/// Where the upload form sends the file (a plain multipart POST, handled
/// outside Leptos), and where the template is downloaded.
pub const IMPORT_UPLOAD_PATH: &str = "/agence/adherents/import/envoi";
pub const IMPORT_TEMPLATE_PATH: &str = "/agence/adherents/import/modele.csv";

/// An upload refused before any file could be read: the page names the
/// problem from this code (`?refus=…`), so no free text travels in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadProblem {
    NoAgency,
    NoFile,
}

impl UploadProblem {
    pub const fn code(self) -> &'static str {
        match self {
            UploadProblem::NoAgency => "agence",
            UploadProblem::NoFile => "fichier",
        }
    }

    pub fn from_code(code: &str) -> Option<UploadProblem> {
        [UploadProblem::NoAgency, UploadProblem::NoFile].into_iter().find(|p| p.code() == code)
    }

    pub const fn message(self) -> &'static str {
        match self {
            UploadProblem::NoAgency => "Choisissez l'agence des adhérents importés.",
            UploadProblem::NoFile => {
                "Aucun fichier reçu, ou un fichier de plus de 2 Mo : choisissez un fichier CSV puis envoyez-le."
            }
        }
    }
}

/// A supplier as the agency keeps it: identity, contact and bank details
/// as stored, and how many logins work for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SupplierFile {
    pub id: i64,
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub name: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::domain::StoredBool"))]
    pub active: bool,
    /// 14 digits: `Siret::shown` groups them.
    pub siret: Option<String>,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// `Iban::shown` groups it by four.
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub logins: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierList {
    pub desk: Desk,
    pub rows: Vec<SupplierFile>,
}

/// `/agence/equipe`: the back office's own accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamList {
    pub desk: Desk,
    pub rows: Vec<TeamMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub login: String,
    /// « Agence » or « Administrateur ».
    pub role: String,
    /// The agency's code; None for an administrator.
    pub agency: Option<String>,
    pub active: bool,
    pub created_on: Day,
    pub access: crate::model::auth::Access,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierLogin {
    pub login: String,
    pub active: bool,
    pub created_on: Day,
    pub access: crate::model::auth::Access,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierDetail {
    pub file: SupplierFile,
    pub logins: Vec<SupplierLogin>,
    pub history: Vec<HistoryEvent>,
}

/// An agency's settings as its form shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySettingsView {
    pub name: String,
    pub code: String,
    pub centre_code: String,
    pub validity_days: u32,
    pub max_voucher: Money,
    pub code_length: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsPage {
    pub desk: Desk,
    /// None: an administrator who has not chosen an agency yet.
    pub agency: Option<AgencySettingsView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyVoucherList {
    pub desk: Desk,
    pub rows: Vec<AgencyVoucherRow>,
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyVoucherDetail {
    pub row: AgencyVoucherRow,
    /// The agency's name and code; its code alone if the agency is gone.
    pub agency_name: Option<String>,
    pub agency_code: String,
    pub valid_until: Day,
    pub validated_at: Option<ParisTime>,
    pub locked_at: Option<ParisTime>,
    pub wrong_codes: i64,
    /// The invoice that claims it.
    pub invoice: Option<VoucherInvoice>,
    pub paid_on: Option<Day>,
    pub use_cancelled_at: Option<ParisTime>,
    /// Staff may undo its use (11-livré, on no invoice).
    pub can_undo_use: bool,
    pub history: Vec<HistoryEvent>,
}

/// The invoice that claims a voucher: its number and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoucherInvoice {
    pub number: String,
    pub status: InvoiceStatus,
}

/// "F-2026-001 (acceptée)".
impl std::fmt::Display for VoucherInvoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.number, self.status.label())
    }
}
