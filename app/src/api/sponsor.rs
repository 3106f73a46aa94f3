//! The sponsor's space (`/commanditaire`): the structures a manager
//! manages, activating and deactivating a public structure (seed 004),
//! and the requests to manage their structures. Acting on a structure
//! needs to be one of its approved managers, or staff of its agency.

use crate::error::AppError;
use crate::model::structures::*;
#[cfg(feature = "ssr")]
use crate::server::{auth::Sponsor, guards::StructureCaller};
use leptos::prelude::*;

/// « Mes structures »: the structures I manage (or asked to), and the
/// requests waiting for my approval.
#[server(endpoint = "sponsor_home")]
pub async fn sponsor_home() -> Result<SponsorOverview, AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, sponsor: Sponsor| async move { structures::home(&state, &sponsor).await }).await
}

/// The structures I manage, or asked to manage.
#[server(endpoint = "my_structures")]
pub async fn my_structures() -> Result<Vec<ManagedStructure>, AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, sponsor: Sponsor| async move { structures::mine(&state, &sponsor).await }).await
}

/// « Activer une structure publique », steps 4 and 5: the structure behind
/// the SIRET typed, to confirm.
#[server(endpoint = "activation_preview")]
pub async fn activation_preview(siret: String) -> Result<ActivationStep, AppError> {
    use crate::{api::context, server::services::structures::activation};
    context::serve(|state, sponsor: Sponsor| async move { activation::preview(&state, &sponsor, &siret).await }).await
}

/// Steps 6 and 7: the action confirmed, « L'action a été réalisée ».
#[server(endpoint = "activate_structure")]
pub async fn activate_structure(siret: String) -> Result<ActivationDone, AppError> {
    use crate::{api::context, server::services::structures::activation};
    context::serve(|state, sponsor: Sponsor| async move {
        let done = activation::activate(&state, &sponsor, &siret, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/commanditaire/activer?fait={}", done.structure_id));
        Ok(done)
    })
    .await
}

/// « Inactiver une structure publique », steps 4 to 6: the structure, and
/// whether a « SIRET reprenant l'activité » is needed.
#[server(endpoint = "deactivation_preview")]
pub async fn deactivation_preview(siret: String) -> Result<DeactivationStep, AppError> {
    use crate::{api::context, server::services::structures::deactivation};
    context::serve(|state, caller: StructureCaller| async move { deactivation::preview(&state, &caller, &siret).await })
        .await
}

/// The deactivation confirmed; `taking_over` is the SIRET reprenant
/// l'activité (required while the register says the SIRET is open).
#[server(endpoint = "deactivate_structure")]
pub async fn deactivate_structure(siret: String, taking_over: Option<String>) -> Result<DeactivationDone, AppError> {
    use crate::{api::context, server::services::structures::deactivation};
    context::serve(|state, caller: StructureCaller| async move {
        let taking_over = taking_over.unwrap_or_default();
        let done = deactivation::deactivate(&state, &caller, &siret, &taking_over, chrono::Utc::now()).await?;
        if matches!(caller, StructureCaller::Sponsor(_)) {
            leptos_axum::redirect(&format!("/commanditaire/inactiver?fait={}", done.structure_id));
        }
        Ok(done)
    })
    .await
}

/// Requests to manage the structures I am the main manager of.
#[server(endpoint = "manager_requests")]
pub async fn manager_requests() -> Result<Vec<ManagerRequest>, AppError> {
    use crate::{api::context, server::services::structures};
    context::serve(|state, sponsor: Sponsor| async move { structures::requests(&state, &sponsor).await }).await
}

/// The main manager (or staff) approves (`decision` = `approve`) or
/// refuses (`refuse`) `login`'s request to manage the structure.
#[server(endpoint = "decide_manager")]
pub async fn decide_manager(structure: String, login: String, decision: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::structures::activation};
    context::serve(|state, caller: StructureCaller| async move {
        let approve = match decision.trim() {
            "approve" => true,
            "refuse" => false,
            _ => return Err(AppError::Invalid("Choisissez : approuver ou refuser la demande.".into()).into()),
        };
        activation::decide(&state, &caller, &structure, &login, approve, chrono::Utc::now()).await
    })
    .await
}
