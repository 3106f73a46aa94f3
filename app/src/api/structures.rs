//! The agency back office's side of sponsors' structures: the agency's
//! structures with their register state, a SIRET's state recorded by hand,
//! service codes, and what Chorus Pro requires of each structure. Staff of
//! an agency see only that agency's structures; the register is shared.

use crate::error::AppError;
use crate::model::structures::*;
#[cfg(feature = "ssr")]
use crate::server::auth::Staff;
use leptos::prelude::*;

#[server(endpoint = "agency_structures")]
pub async fn agency_structures(q: Option<String>, agency: Option<String>) -> Result<StructureList, AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, staff: Staff| async move {
        structures::list(&state, &staff, agency.as_deref(), q.as_deref().unwrap_or_default()).await
    })
    .await
}

#[server(endpoint = "agency_structure")]
pub async fn agency_structure(id: String) -> Result<StructureDetail, AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, staff: Staff| async move { structures::detail(&state, &staff, &id).await }).await
}

/// `/agence/commanditaires`: the sponsors' managers of the agency and
/// the structures each manages.
#[server(endpoint = "agency_sponsors")]
pub async fn agency_sponsors(q: Option<String>, agency: Option<String>) -> Result<SponsorList, AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, staff: Staff| async move {
        structures::sponsors(&state, &staff, agency.as_deref(), q.as_deref().unwrap_or_default()).await
    })
    .await
}

/// A SIRET's state (`A` or `F`) recorded by hand, for a SIRET the
/// imported register lacks; the structures' page then says it was recorded.
#[server(endpoint = "record_siret_state")]
pub async fn record_siret_state(siret: String, state: String, name: Option<String>) -> Result<Establishment, AppError> {
    use crate::{api::context, server::services::structures::register};
    context::serve(|app, staff: Staff| async move {
        let recorded = register::record_state(
            &app,
            &staff,
            &siret,
            &state,
            name.as_deref().unwrap_or_default(),
            chrono::Utc::now(),
        )
        .await?;
        leptos_axum::redirect("/agence/structures?enregistre=1");
        Ok(recorded)
    })
    .await
}

#[server(endpoint = "add_service_code")]
pub async fn add_service_code(id: String, code: String, label: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, staff: Staff| async move {
        structures::add_service_code(&state, &staff, &id, &code, &label, chrono::Utc::now()).await
    })
    .await
}

/// `active`: `1` or `0`, as the buttons send it.
#[server(endpoint = "set_service_code_active")]
pub async fn set_service_code_active(id: String, code: String, active: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, staff: Staff| async move {
        let active = match active.trim() {
            "1" => true,
            "0" => false,
            _ => {
                return Err(AppError::Invalid(
                    "Le formulaire est incomplet : rechargez la page puis réessayez.".into(),
                )
                .into());
            }
        };
        structures::set_service_code_active(&state, &staff, &id, &code, active, chrono::Utc::now()).await
    })
    .await
}

/// `requirement`: `none`, `service_code`, `engagement`, `both` or `either`.
#[server(endpoint = "set_chorus_requirement")]
pub async fn set_chorus_requirement(id: String, requirement: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, staff: Staff| async move {
        structures::set_chorus_requirement(&state, &staff, &id, &requirement, chrono::Utc::now()).await
    })
    .await
}
