//! The agency back office: dashboard, members (and their CSV import),
//! suppliers, the agency's settings, vouchers. Staff of an agency see only
//! that agency's things; an administrator sees every agency and picks one
//! (by its two-character code, `agence=NA`) where it matters.

// A server function takes one string per field of its form (the supplier's
// has nine); the browser-side functions the macro generates carry no
// attribute of ours, so the allowance is the module's.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::model::agency::*;
#[cfg(feature = "ssr")]
use crate::server::{auth::Staff, guards::Admin};
use leptos::prelude::*;

#[server(endpoint = "agency_dashboard")]
pub async fn agency_dashboard(agency: Option<String>) -> Result<Dashboard, AppError> {
    use crate::{api::context, server::services::agencies};
    context::serve(|state, staff: Staff| async move {
        agencies::dashboard(&state, &staff, agency.as_deref(), chrono::Utc::now()).await
    })
    .await
}

/// The agencies a form may file something under.
#[server(endpoint = "agency_desk")]
pub async fn agency_desk(agency: Option<String>) -> Result<DeskOnly, AppError> {
    use crate::{api::context, server::services::agencies};
    context::serve(|state, staff: Staff| async move {
        let chosen = agencies::pick(&state, &staff, agency.as_deref()).await?;
        Ok(DeskOnly { desk: agencies::desk(&state, &staff, chosen).await? })
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
    use crate::api::context;
    use crate::server::services::members::{self, MemberInput};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let input = MemberInput { name, email, fee_paid_until };
        let (number, invited) =
            members::create(&state, &staff, agency.as_deref(), &number, &input, chrono::Utc::now()).await?;
        Ok(format!("/agence/adherents/{number}?cree={}", if invited { "invitation" } else { "lettre" }))
    })
    .await
}

/// A member by number, with their vouchers and their login's way in.
#[server(endpoint = "agency_member")]
pub async fn agency_member(number: String) -> Result<MemberDetail, AppError> {
    use crate::{api::context, server::services::members};
    context::serve(
        |state, staff: Staff| async move { members::detail(&state, &staff, &number, chrono::Utc::now()).await },
    )
    .await
}

#[server(endpoint = "update_member")]
pub async fn update_member(
    number: String,
    name: String,
    email: String,
    fee_paid_until: String,
) -> Result<(), AppError> {
    use crate::api::context;
    use crate::server::services::members::{self, MemberInput};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let input = MemberInput { name, email, fee_paid_until };
        let number = members::update(&state, &staff, &number, &input, chrono::Utc::now()).await?;
        Ok(format!("/agence/adherents/{number}"))
    })
    .await
}

/// Deactivates (`active=0`) or reactivates (`active=1`) a member and their login.
#[server(endpoint = "set_member_active")]
pub async fn set_member_active(number: String, active: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::members};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let active = parse_switch(&active)?;
        let number = members::set_active(&state, &staff, &number, active, chrono::Utc::now()).await?;
        Ok(format!("/agence/adherents/{number}"))
    })
    .await
}

/// A new temporary password for a member, shown once on their page.
/// « Renvoyer l'invitation » to a member's or a supplier's login: a new
/// link by email replaces the one sent before; back to `retour`, one of
/// the agency's pages.
#[server(endpoint = "send_invitation")]
pub async fn send_invitation(login: String, retour: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts::invitations};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let login = invitations::send_again(&state, &staff, &login, chrono::Utc::now()).await?;
        let back = crate::security::own_path(&retour)
            .map(|p| p.split('?').next().unwrap_or(p))
            .filter(|p| p.starts_with("/agence/"))
            .unwrap_or("/agence");
        let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("invitation", &login).finish();
        Ok(format!("{back}?{query}"))
    })
    .await
}

/// The import page: recent imports and, with `report`, one import's report.
#[server(endpoint = "member_imports")]
pub async fn member_imports(report: Option<String>, agency: Option<String>) -> Result<ImportPage, AppError> {
    use crate::{api::context, server::services::members};
    context::serve(|state, staff: Staff| async move {
        members::import::page(&state, &staff, report.as_deref(), agency.as_deref()).await
    })
    .await
}

#[server(endpoint = "agency_suppliers")]
pub async fn agency_suppliers(q: Option<String>, agency: Option<String>) -> Result<SupplierList, AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve(|state, staff: Staff| async move {
        suppliers::list(&state, &staff, agency.as_deref(), q.as_deref().unwrap_or_default()).await
    })
    .await
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
    use crate::api::context;
    use crate::server::services::suppliers::{self, SupplierInput};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let input = SupplierInput { name, siret, contact_name, email, phone, address, iban, bic };
        let id = suppliers::create(&state, &staff, agency.as_deref(), &input, chrono::Utc::now()).await?;
        Ok(format!("/agence/fournisseurs/{id}"))
    })
    .await
}

#[server(endpoint = "agency_supplier")]
pub async fn agency_supplier(id: String) -> Result<SupplierDetail, AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve(|state, staff: Staff| async move { suppliers::detail(&state, &staff, supplier_id(&id)?).await })
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
    use crate::api::context;
    use crate::server::services::suppliers::{self, SupplierInput};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let id = supplier_id(&id)?;
        let input = SupplierInput { name, siret, contact_name, email, phone, address, iban, bic };
        suppliers::update(&state, &staff, id, &input, chrono::Utc::now()).await?;
        Ok(format!("/agence/fournisseurs/{id}"))
    })
    .await
}

/// Deactivates (`active=0`) or reactivates (`active=1`) a supplier: an
/// inactive supplier is offered to no member and its logins see nothing.
#[server(endpoint = "set_supplier_active")]
pub async fn set_supplier_active(id: String, active: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let (id, active) = (supplier_id(&id)?, parse_switch(&active)?);
        suppliers::set_active(&state, &staff, id, active, chrono::Utc::now()).await?;
        Ok(format!("/agence/fournisseurs/{id}"))
    })
    .await
}

/// A login for the supplier's staff, with a temporary password shown once.
#[server(endpoint = "create_supplier_login")]
pub async fn create_supplier_login(id: String, login: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let id = supplier_id(&id)?;
        let invited = suppliers::create_login(&state, &staff, id, &login, chrono::Utc::now()).await?;
        Ok(format!("/agence/fournisseurs/{id}?identifiant={}", if invited { "invitation" } else { "lettre" }))
    })
    .await
}

/// Deactivates (`active=0`) or reactivates (`active=1`) a supplier's login.
#[server(endpoint = "set_supplier_login_active")]
pub async fn set_supplier_login_active(login: String, active: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let active = parse_switch(&active)?;
        let id = suppliers::set_login_active(&state, &staff, &login, active, chrono::Utc::now()).await?;
        Ok(format!("/agence/fournisseurs/{id}"))
    })
    .await
}

/// `/agence/equipe`: the back office's accounts (the agency's; every one
/// for an administrator).
#[server(endpoint = "agency_team")]
pub async fn agency_team(agency: Option<String>) -> Result<TeamList, AppError> {
    use crate::{api::context, server::services::team};
    context::serve(|state, staff: Staff| async move { team::list(&state, &staff, agency.as_deref()).await }).await
}

/// A new back-office account (`role`: `agence` or `administrateur`); an
/// invitation goes to its address. Administrators only.
#[server(endpoint = "create_staff_account")]
pub async fn create_staff_account(
    login: String,
    email: String,
    role: String,
    agency: Option<String>,
) -> Result<(), AppError> {
    use crate::{api::context, server::services::team};
    context::serve_and_redirect(|state, Admin(admin)| async move {
        let login = team::create(&state, &admin, &login, &email, &role, agency.as_deref(), chrono::Utc::now()).await?;
        let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("cree", &login).finish();
        Ok(format!("/agence/equipe?{query}"))
    })
    .await
}

/// Closes (`active=0`) or reopens (`active=1`) a back-office account.
/// Administrators only.
#[server(endpoint = "set_staff_account_active")]
pub async fn set_staff_account_active(login: String, active: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::team};
    context::serve_and_redirect(|state, Admin(admin)| async move {
        let active = parse_switch(&active)?;
        team::set_active(&state, &admin, &login, active, chrono::Utc::now()).await?;
        Ok("/agence/equipe".into())
    })
    .await
}

#[server(endpoint = "agency_settings")]
pub async fn agency_settings(agency: Option<String>) -> Result<SettingsPage, AppError> {
    use crate::{api::context, server::services::agencies};
    context::serve(
        |state, staff: Staff| async move { agencies::settings_page(&state, &staff, agency.as_deref()).await },
    )
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
    use crate::{api::context, domain::AgencySettings, server::services::agencies};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let target = agencies::pick(&state, &staff, agency.as_deref()).await?;
        let settings = AgencySettings::parse(&code, &centre_code, &validity_days, &max_voucher, &code_length)
            .map_err(|(field, why)| AppError::field(field, why))?;
        let code = agencies::save_settings(&state, &staff, target, &settings, chrono::Utc::now()).await?;
        Ok(format!("/agence/parametres?agence={code}&enregistre=1"))
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
    use crate::{api::context, domain::AgencySettings, server::services::agencies};
    context::serve_and_redirect(|state, Admin(staff)| async move {
        let settings = AgencySettings::parse(&code, &centre_code, &validity_days, &max_voucher, &code_length)
            .map_err(|(field, why)| AppError::field(field, why))?;
        let code = agencies::create(&state, &staff, &name, &settings, chrono::Utc::now()).await?;
        Ok(format!("/agence/parametres?agence={code}&enregistre=1"))
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
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, staff: Staff| async move {
        vouchers::agency::search(
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
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, staff: Staff| async move {
        vouchers::agency::detail(&state, &staff, voucher_id(&id)?, chrono::Utc::now()).await
    })
    .await
}

/// Undoes a mistaken use, with a written reason: the voucher becomes
/// 91-annulé and keeps its number, which is never given again.
#[server(endpoint = "undo_voucher_use")]
pub async fn undo_voucher_use(id: String, reason: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let id = voucher_id(&id)?;
        vouchers::agency::undo_use(&state, &staff, id, &reason, chrono::Utc::now()).await?;
        Ok(format!("/agence/bons/{id}"))
    })
    .await
}

/// `1` or `0`, as the activation buttons send it.
/// `/agence/ristournes`: the agency's discount codes.
#[server(endpoint = "agency_discount_codes")]
pub async fn agency_discount_codes(agency: Option<String>) -> Result<crate::model::shop::DiscountCodeList, AppError> {
    use crate::{api::context, server::services::discounts};
    context::serve(|state, staff: Staff| async move {
        discounts::page(&state, &staff, agency.as_deref(), chrono::Utc::now()).await
    })
    .await
}

/// A new discount code of the agency (an administrator says which).
#[server(endpoint = "create_discount_code")]
pub async fn create_discount_code(
    agency: Option<String>,
    code: String,
    discount: String,
    valid_from: String,
    valid_until: String,
    max_uses: String,
) -> Result<(), AppError> {
    use crate::api::context;
    use crate::server::services::{agencies, discounts};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let target = agencies::pick(&state, &staff, agency.as_deref()).await?;
        let input = discounts::CodeInput { code, discount, valid_from, valid_until, max_uses, sponsor_id: None };
        discounts::create(&state, &staff, target, &input, chrono::Utc::now()).await?;
        let agency = agency.unwrap_or_default();
        Ok(format!("/agence/ristournes?agence={}&cree=1", agency.trim().to_ascii_uppercase()))
    })
    .await
}

/// Switches a discount code off before its end.
#[server(endpoint = "deactivate_discount_code")]
pub async fn deactivate_discount_code(id: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::discounts};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let id = id.trim().parse::<i64>().ok().filter(|id| *id > 0);
        let id = id.ok_or_else(|| AppError::NotFound("Code de ristourne".into()))?;
        let agency = discounts::deactivate(&state, &staff, id, chrono::Utc::now()).await?;
        Ok(format!("/agence/ristournes?agence={agency}&desactive=1"))
    })
    .await
}

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
