//! The agency back office: dashboard, members (and their CSV import),
//! suppliers, the agency's settings, vouchers. Staff of an agency see only
//! that agency's things; an administrator sees every agency and picks one
//! (by its two-character code, `agence=NA`) where it matters.

// A server function takes one string per field of its form (the supplier's
// has nine); the browser-side functions the macro generates carry no
// attribute of ours, so the allowance is the module's.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::server::{auth::Staff, guards::Admin};
use crate::{
    domain::{Money, VoucherStatus},
    error::AppError,
};
use leptos::prelude::*;
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
pub struct Tally {
    pub count: i64,
    pub amount: Money,
}

/// What the agency owes one supplier: accepted invoices not yet paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub number: Option<String>,
    pub member_number: String,
    pub member_name: String,
    pub supplier: String,
    /// "23/11/2026 15:09"
    pub locked_at: String,
    pub wrong_codes: i64,
}

/// The figures staff look at first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub desk: Desk,
    /// "novembre 2026": the Paris calendar month the tallies cover.
    pub month: String,
    pub issued: Tally,
    pub used: Tally,
    pub to_pay: Vec<SupplierDue>,
    pub to_pay_total: Money,
    /// Invoice lines that do not match their voucher and were not overridden,
    /// on invoices still to process, and how many invoices carry them.
    pub open_flags: i64,
    pub invoices_with_flags: i64,
    pub locked: Vec<LockedVoucher>,
}

/// One member in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub number: String,
    pub name: String,
    pub email: Option<String>,
    /// "31/12/2026"
    pub fee_paid_until: Option<String>,
    pub fee_paid_up: bool,
    pub active: bool,
    pub agency_code: String,
}

/// The most rows a list shows: narrow the search for the others.
pub const LIST_LIMIT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberList {
    pub desk: Desk,
    pub rows: Vec<MemberRow>,
    /// More rows matched than `LIST_LIMIT`.
    pub truncated: bool,
}

/// One event of the audit journal, as staff read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// "23/11/2026 15:09"
    pub at: String,
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
    pub number: Option<String>,
    pub status: VoucherStatus,
    /// Staff undid its use: 91-annulé, its number kept.
    pub use_cancelled: bool,
    pub amount: Money,
    pub supplier: String,
    pub member_number: String,
    pub member_name: String,
    /// "23/11/2026"
    pub requested_on: String,
    /// "23/11/2026 15:09"
    pub used_at: Option<String>,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub number: String,
    pub name: String,
    pub email: Option<String>,
    /// `2026-12-31`, for the date field.
    pub fee_paid_until_iso: Option<String>,
    /// "31/12/2026"
    pub fee_paid_until: Option<String>,
    pub fee_paid_up: bool,
    pub active: bool,
    /// "Nantes (NA)"
    pub agency: String,
    /// "23/11/2026"
    pub member_since: String,
    pub vouchers: Vec<AgencyVoucherRow>,
    /// The temporary password just generated, shown this once.
    pub temporary_password: Option<String>,
    /// The page was opened with a password hand-over that was already shown
    /// (or expired).
    pub hand_over_gone: bool,
    pub history: Vec<HistoryEvent>,
}

/// What a form creating something for an agency needs: the agencies to
/// choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskOnly {
    pub desk: Desk,
}

/// What became of one line of an imported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
    Refused,
}

impl ImportOutcome {
    pub const ALL: [ImportOutcome; 4] =
        [ImportOutcome::Created, ImportOutcome::Updated, ImportOutcome::Unchanged, ImportOutcome::Refused];

    pub const fn code(self) -> &'static str {
        match self {
            ImportOutcome::Created => "created",
            ImportOutcome::Updated => "updated",
            ImportOutcome::Unchanged => "unchanged",
            ImportOutcome::Refused => "refused",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportOutcome> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            ImportOutcome::Created => "créé",
            ImportOutcome::Updated => "mis à jour",
            ImportOutcome::Unchanged => "inchangé",
            ImportOutcome::Refused => "refusé",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: i64,
    /// "23/11/2026 15:09"
    pub at: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
/// The file's columns, in the template's order.
pub const IMPORT_HEADER: [&str; 4] = ["N° d'adhérent", "Nom", "Email", "Cotisation à jour jusqu'au"];

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierRow {
    pub id: i64,
    pub name: String,
    /// "442 908 123 00015"
    pub siret: Option<String>,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub agency_code: String,
    pub logins: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierList {
    pub desk: Desk,
    pub rows: Vec<SupplierRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierLogin {
    pub login: String,
    pub active: bool,
    /// "23/11/2026"
    pub created_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierDetail {
    pub id: i64,
    pub name: String,
    pub agency: String,
    pub active: bool,
    /// As shown ("442 908 123 00015") and as the form's value.
    pub siret: Option<String>,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// "FR76 3000 4000 0312 3456 7890 143"
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub logins: Vec<SupplierLogin>,
    /// The login just created or reset and its temporary password, shown this once.
    pub temporary_password: Option<(String, String)>,
    pub hand_over_gone: bool,
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
    pub agency: String,
    /// "23/12/2026"
    pub valid_until: String,
    pub validated_at: Option<String>,
    pub locked_at: Option<String>,
    pub wrong_codes: i64,
    /// The invoice that claims it: number and status, as "F-2026-001 (acceptée)".
    pub invoice: Option<String>,
    pub paid_on: Option<String>,
    pub use_cancelled_at: Option<String>,
    /// Staff may undo its use (11-livré, on no invoice).
    pub can_undo_use: bool,
    pub history: Vec<HistoryEvent>,
}

#[server(endpoint = "agency_dashboard")]
pub async fn agency_dashboard(agency: Option<String>) -> Result<Dashboard, AppError> {
    use crate::{api::context, server::services::agency};
    context::serve(|state, staff: Staff| async move {
        agency::dashboard(&state, &staff, agency.as_deref(), chrono::Utc::now()).await
    })
    .await
}

/// The agencies a form may file something under.
#[server(endpoint = "agency_desk")]
pub async fn agency_desk(agency: Option<String>) -> Result<DeskOnly, AppError> {
    use crate::{api::context, server::services::agency};
    context::serve(|state, staff: Staff| async move {
        let chosen = agency::pick(&state, &staff, agency.as_deref()).await?;
        Ok(DeskOnly { desk: agency::desk(&state, &staff, chosen).await? })
    })
    .await
}

#[server(endpoint = "agency_members")]
pub async fn agency_members(q: Option<String>, agency: Option<String>) -> Result<MemberList, AppError> {
    use crate::{api::context, server::services::members};
    context::serve(|state, staff: Staff| async move {
        members::search(&state, &staff, q.as_deref().unwrap_or_default(), agency.as_deref(), chrono::Utc::now()).await
    })
    .await
}

/// Creates a member and their login; lands on the member's page, which
/// shows the temporary password once.
#[server(endpoint = "create_member")]
pub async fn create_member(
    agency: Option<String>,
    number: String,
    name: String,
    email: String,
    fee_paid_until: String,
) -> Result<(), AppError> {
    use crate::{
        api::context,
        server::services::members::{self, MemberInput},
    };
    context::serve(|state, staff: Staff| async move {
        let input = MemberInput { name, email, fee_paid_until };
        let (number, hand_over) =
            members::create(&state, &staff, agency.as_deref(), &number, &input, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/adherents/{number}?remise={hand_over}"));
        Ok(())
    })
    .await
}

/// A member by number, with their vouchers; `hand_over` is the link's key
/// to a temporary password just generated.
#[server(endpoint = "agency_member")]
pub async fn agency_member(number: String, hand_over: Option<String>) -> Result<MemberDetail, AppError> {
    use crate::{api::context, server::services::members};
    context::serve(|state, staff: Staff| async move {
        members::detail(&state, &staff, &number, hand_over.as_deref(), chrono::Utc::now()).await
    })
    .await
}

#[server(endpoint = "update_member")]
pub async fn update_member(
    number: String,
    name: String,
    email: String,
    fee_paid_until: String,
) -> Result<(), AppError> {
    use crate::{
        api::context,
        server::services::members::{self, MemberInput},
    };
    context::serve(|state, staff: Staff| async move {
        let input = MemberInput { name, email, fee_paid_until };
        let number = members::update(&state, &staff, &number, &input, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/adherents/{number}"));
        Ok(())
    })
    .await
}

/// Deactivates (`active=0`) or reactivates (`active=1`) a member and their login.
#[server(endpoint = "set_member_active")]
pub async fn set_member_active(number: String, active: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::members};
    context::serve(|state, staff: Staff| async move {
        let active = parse_switch(&active)?;
        let number = members::set_active(&state, &staff, &number, active, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/adherents/{number}"));
        Ok(())
    })
    .await
}

/// A new temporary password for a member, shown once on their page.
#[server(endpoint = "reset_member_password")]
pub async fn reset_member_password(number: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::members};
    context::serve(|state, staff: Staff| async move {
        let (number, hand_over) = members::reset_password(&state, &staff, &number, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/adherents/{number}?remise={hand_over}"));
        Ok(())
    })
    .await
}

/// The import page: recent imports and, with `report`, one import's report.
#[server(endpoint = "member_imports")]
pub async fn member_imports(report: Option<String>, agency: Option<String>) -> Result<ImportPage, AppError> {
    use crate::{api::context, server::services::member_import};
    context::serve(|state, staff: Staff| async move {
        member_import::page(&state, &staff, report.as_deref(), agency.as_deref()).await
    })
    .await
}

#[server(endpoint = "agency_suppliers")]
pub async fn agency_suppliers(agency: Option<String>) -> Result<SupplierList, AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve(|state, staff: Staff| async move { suppliers::list(&state, &staff, agency.as_deref()).await }).await
}

#[server(endpoint = "create_supplier")]
pub async fn create_supplier(
    agency: Option<String>,
    name: String,
    siret: String,
    contact_name: String,
    email: String,
    phone: String,
    address: String,
    iban: String,
    bic: String,
) -> Result<(), AppError> {
    use crate::{
        api::context,
        server::services::suppliers::{self, SupplierInput},
    };
    context::serve(|state, staff: Staff| async move {
        let input = SupplierInput { name, siret, contact_name, email, phone, address, iban, bic };
        let id = suppliers::create(&state, &staff, agency.as_deref(), &input, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/fournisseurs/{id}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "agency_supplier")]
pub async fn agency_supplier(id: String, hand_over: Option<String>) -> Result<SupplierDetail, AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve(|state, staff: Staff| async move {
        suppliers::detail(&state, &staff, supplier_id(&id)?, hand_over.as_deref(), chrono::Utc::now()).await
    })
    .await
}

#[server(endpoint = "update_supplier")]
pub async fn update_supplier(
    id: String,
    name: String,
    siret: String,
    contact_name: String,
    email: String,
    phone: String,
    address: String,
    iban: String,
    bic: String,
) -> Result<(), AppError> {
    use crate::{
        api::context,
        server::services::suppliers::{self, SupplierInput},
    };
    context::serve(|state, staff: Staff| async move {
        let id = supplier_id(&id)?;
        let input = SupplierInput { name, siret, contact_name, email, phone, address, iban, bic };
        suppliers::update(&state, &staff, id, &input, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/fournisseurs/{id}"));
        Ok(())
    })
    .await
}

/// Deactivates (`active=0`) or reactivates (`active=1`) a supplier: an
/// inactive supplier is offered to no member and its logins see nothing.
#[server(endpoint = "set_supplier_active")]
pub async fn set_supplier_active(id: String, active: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve(|state, staff: Staff| async move {
        let (id, active) = (supplier_id(&id)?, parse_switch(&active)?);
        suppliers::set_active(&state, &staff, id, active, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/fournisseurs/{id}"));
        Ok(())
    })
    .await
}

/// A login for the supplier's staff, with a temporary password shown once.
#[server(endpoint = "create_supplier_login")]
pub async fn create_supplier_login(id: String, login: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve(|state, staff: Staff| async move {
        let id = supplier_id(&id)?;
        let hand_over = suppliers::create_login(&state, &staff, id, &login, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/fournisseurs/{id}?remise={hand_over}"));
        Ok(())
    })
    .await
}

/// Deactivates (`active=0`) or reactivates (`active=1`) a supplier's login.
#[server(endpoint = "set_supplier_login_active")]
pub async fn set_supplier_login_active(login: String, active: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve(|state, staff: Staff| async move {
        let active = parse_switch(&active)?;
        let id = suppliers::set_login_active(&state, &staff, &login, active, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/fournisseurs/{id}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "agency_settings")]
pub async fn agency_settings(agency: Option<String>) -> Result<SettingsPage, AppError> {
    use crate::{api::context, server::services::agency};
    context::serve(|state, staff: Staff| async move { agency::settings_page(&state, &staff, agency.as_deref()).await })
        .await
}

#[server(endpoint = "save_agency_settings")]
pub async fn save_agency_settings(
    agency: Option<String>,
    code: String,
    centre_code: String,
    validity_days: String,
    max_voucher: String,
    code_length: String,
) -> Result<(), AppError> {
    use crate::{api::context, domain::AgencySettings, server::services::agency};
    context::serve(|state, staff: Staff| async move {
        let target = agency::pick(&state, &staff, agency.as_deref()).await?;
        let settings = AgencySettings::parse(&code, &centre_code, &validity_days, &max_voucher, &code_length)
            .map_err(AppError::Invalid)?;
        let code = agency::save_settings(&state, &staff, target, &settings, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/parametres?agence={code}&enregistre=1"));
        Ok(())
    })
    .await
}

/// An administrator opens a new agency.
#[server(endpoint = "create_agency")]
pub async fn create_agency(
    name: String,
    code: String,
    centre_code: String,
    validity_days: String,
    max_voucher: String,
    code_length: String,
) -> Result<(), AppError> {
    use crate::{api::context, domain::AgencySettings, server::services::agency};
    context::serve(|state, Admin(staff)| async move {
        let settings = AgencySettings::parse(&code, &centre_code, &validity_days, &max_voucher, &code_length)
            .map_err(AppError::Invalid)?;
        let code = agency::create(&state, &staff, &name, &settings, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/parametres?agence={code}&enregistre=1"));
        Ok(())
    })
    .await
}

/// The agency's vouchers: by voucher number, member number or name, and status.
#[server(endpoint = "agency_vouchers")]
pub async fn agency_vouchers(
    q: Option<String>,
    status: Option<String>,
    agency: Option<String>,
) -> Result<AgencyVoucherList, AppError> {
    use crate::{api::context, server::services::agency_vouchers};
    context::serve(|state, staff: Staff| async move {
        agency_vouchers::search(
            &state,
            &staff,
            q.as_deref().unwrap_or_default(),
            status.as_deref().unwrap_or_default(),
            agency.as_deref(),
            chrono::Utc::now(),
        )
        .await
    })
    .await
}

#[server(endpoint = "agency_voucher")]
pub async fn agency_voucher(id: String) -> Result<AgencyVoucherDetail, AppError> {
    use crate::{api::context, server::services::agency_vouchers};
    context::serve(|state, staff: Staff| async move {
        agency_vouchers::detail(&state, &staff, voucher_id(&id)?, chrono::Utc::now()).await
    })
    .await
}

/// Undoes a mistaken use, with a written reason: the voucher becomes
/// 91-annulé and keeps its number, which is never given again.
#[server(endpoint = "undo_voucher_use")]
pub async fn undo_voucher_use(id: String, reason: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::agency_vouchers};
    context::serve(|state, staff: Staff| async move {
        let id = voucher_id(&id)?;
        agency_vouchers::undo_use(&state, &staff, id, &reason, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/agence/bons/{id}"));
        Ok(())
    })
    .await
}

/// `1` or `0`, as the activation buttons send it.
#[cfg(feature = "ssr")]
fn parse_switch(value: &str) -> Result<bool, AppError> {
    match value.trim() {
        "1" => Ok(true),
        "0" => Ok(false),
        _ => Err(AppError::Invalid("Le formulaire est incomplet : rechargez la page puis réessayez.".into())),
    }
}

#[cfg(feature = "ssr")]
fn supplier_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| AppError::NotFound("Fournisseur".into()))
}

#[cfg(feature = "ssr")]
fn voucher_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::VoucherNotFound)
}
