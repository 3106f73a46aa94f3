//! Seed 004's two actions as wizards, one step per address so that each
//! works without the WASM: « Saisir le SIRET » (`?`), « Confirmer la
//! structure » (`?siret=`), « Confirmer l'action » (`?siret=…&etape=action`),
//! « L'action a été réalisée » (`?fait=<structure>`).

use crate::api::sponsor::{
    ActivateStructure, DeactivateStructure, activation_preview, deactivation_preview, sponsor_home,
};
use crate::components::{BackLink, ErrorNotice, Fact, Field, Loaded, Shell, Space, Submit};
use crate::domain::Siret;
use crate::error::AppError;
use crate::model::structures::{ActivationPlan, ActivationStep, DeactivationStep, ManagedStructure};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// Where a wizard is, as its address says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Address {
    siret: Option<String>,
    action: bool,
    done: Option<i64>,
}

fn address() -> Memo<Address> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        Address {
            siret: q.get("siret").filter(|s| !s.trim().is_empty()),
            action: q.get("etape").as_deref() == Some("action"),
            done: q.get("fait").and_then(|f| f.parse().ok()),
        }
    })
}

/// A wizard's step, drawn from the page's one resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Step<P> {
    /// Step 4: type the SIRET (again, after `refused`).
    Siret { typed: String, refused: Option<String> },
    /// Steps 5 and 6: the structure to confirm, then the action.
    Confirm { siret: String, preview: P, action: bool },
    /// The last step, and the structure as it is now (None: not among the caller's).
    Done(Option<ManagedStructure>),
}

/// A refusal the person can mend by typing another SIRET; anything else
/// (not logged in, not a sponsor) is the page's error.
fn retyped<P>(siret: String, result: Result<P, AppError>, action: bool) -> Result<Step<P>, AppError> {
    match result {
        Ok(preview) => Ok(Step::Confirm { siret, preview, action }),
        Err(
            AppError::Invalid(why)
            | AppError::InvalidField(_, why)
            | AppError::InvalidFields(_, why)
            | AppError::Conflict(why),
        ) => Ok(Step::Siret { typed: siret, refused: Some(why) }),
        Err(AppError::NotStructureManager) => {
            Ok(Step::Siret { typed: siret, refused: Some(AppError::NotStructureManager.to_string()) })
        }
        Err(e) => Err(e),
    }
}

async fn done_step<P>(id: i64) -> Result<Step<P>, AppError> {
    let home = sponsor_home().await?;
    Ok(Step::Done(home.structures.into_iter().find(|m| m.structure.id == id)))
}

/// « Activer une structure publique ».
#[component]
pub fn ActivatePage() -> impl IntoView {
    let at = address();
    let step = Resource::new(
        move || at.get(),
        |at| async move {
            match (at.done, at.siret) {
                (Some(id), _) => done_step(id).await,
                (None, Some(siret)) => retyped(siret.clone(), activation_preview(siret).await, at.action),
                (None, None) => sponsor_home().await.map(|_| Step::Siret { typed: String::new(), refused: None }),
            }
        },
    );
    view! {
        <Shell space=Space::Sponsor title={Space::Sponsor.tab_title("Activer une structure publique")} heading="Activer une structure publique">
            <Loaded resource=step ok=activation_step />
            <BackLink href="/commanditaire" label="Retour à mes structures" />
        </Shell>
    }
}

fn activation_step(step: Step<ActivationStep>) -> AnyView {
    match step {
        Step::Siret { typed, refused } => {
            view! { <SiretForm path="/commanditaire/activer" what="à activer" typed refused /> }.into_any()
        }
        Step::Confirm { siret, preview, action } => {
            let e = preview.establishment.clone();
            let plan = match preview.plan {
                ActivationPlan::Create => "La structure sera activée, et vous en serez le gestionnaire principal.",
                ActivationPlan::Reactivate => "La structure, inactive, sera activée de nouveau.",
                ActivationPlan::JoinAsPending => {
                    "Cette structure a déjà un gestionnaire principal : votre demande de gestion attendra son approbation."
                }
            };
            let (label, shown, state) = (e.label(), Siret::shown(&e.siret), e.state.label());
            let town = format!("{} {}", e.postcode.unwrap_or_default(), e.city.unwrap_or_default());
            view! {
                <dl class="card structure">
                    <Fact term="Raison sociale">{label}</Fact>
                    <Fact term="SIRET">{shown}</Fact>
                    <Fact term="Commune">{town}</Fact>
                    <Fact term="Base SIRENE">{state}</Fact>
                </dl>
                <p>{plan}</p>
                {if action { view! { <ConfirmActivation siret /> }.into_any() } else { confirm_structure("/commanditaire/activer", &siret) }}
            }
            .into_any()
        }
        Step::Done(structure) => view! {
            <p class="notice notice-ok" role="status">"L'action a été réalisée."</p>
            {structure.map(|m| view! { <p>{managed_sentence(&m)}</p> })}
        }
        .into_any(),
    }
}

#[component]
fn ConfirmActivation(siret: String) -> impl IntoView {
    let activate = ServerAction::<ActivateStructure>::new();
    view! {
        <h2>"Confirmer l'action"</h2>
        <ActionForm action=activate attr:class="form">
            <input type="hidden" name="siret" value=siret />
            <Submit action=activate label="CONFIRMER L'ACTIVATION" primary=true />
        </ActionForm>
    }
}

/// « Inactiver une structure publique ».
#[component]
pub fn DeactivatePage() -> impl IntoView {
    let at = address();
    let step = Resource::new(
        move || at.get(),
        |at| async move {
            match (at.done, at.siret) {
                (Some(id), _) => done_step(id).await,
                (None, Some(siret)) => retyped(siret.clone(), deactivation_preview(siret).await, at.action),
                (None, None) => sponsor_home().await.map(|_| Step::Siret { typed: String::new(), refused: None }),
            }
        },
    );
    view! {
        <Shell space=Space::Sponsor title={Space::Sponsor.tab_title("Inactiver une structure publique")} heading="Inactiver une structure publique">
            <Loaded resource=step ok=deactivation_step />
            <BackLink href="/commanditaire" label="Retour à mes structures" />
        </Shell>
    }
}

fn deactivation_step(step: Step<DeactivationStep>) -> AnyView {
    match step {
        Step::Siret { typed, refused } => {
            view! { <SiretForm path="/commanditaire/inactiver" what="à inactiver" typed refused /> }.into_any()
        }
        Step::Confirm { siret, preview, action } => {
            let s = preview.structure.clone();
            let (label, shown) = (s.label, s.siret.as_deref().map(Siret::shown).unwrap_or_default());
            let state = s.register_state.map(|r| r.label()).unwrap_or("—");
            let case = if preview.needs_taking_over {
                "Ce SIRET est actif en base SIRENE : indiquez le SIRET reprenant l'activité, une structure publique \
                 active que vous gérez, qui recevra désormais les factures et les commandes en cours de celle-ci."
            } else {
                "Ce SIRET est fermé en base SIRENE : la structure sera inactivée dès votre confirmation."
            };
            view! {
                <dl class="card structure">
                    <Fact term="Raison sociale">{label}</Fact>
                    <Fact term="SIRET">{shown}</Fact>
                    <Fact term="Base SIRENE">{state}</Fact>
                </dl>
                <p>{case}</p>
                {if action {
                    view! { <ConfirmDeactivation siret needs_taking_over=preview.needs_taking_over /> }.into_any()
                } else {
                    confirm_structure("/commanditaire/inactiver", &siret)
                }}
            }
            .into_any()
        }
        Step::Done(structure) => view! {
            <p class="notice notice-ok" role="status">"L'action a été réalisée."</p>
            {structure.map(|m| view! { <p>{managed_sentence(&m)}</p> })}
        }
        .into_any(),
    }
}

#[component]
fn ConfirmDeactivation(siret: String, needs_taking_over: bool) -> impl IntoView {
    let deactivate = ServerAction::<DeactivateStructure>::new();
    view! {
        <h2>"Confirmer l'action"</h2>
        <ActionForm action=deactivate attr:class="form">
            <input type="hidden" name="siret" value=siret />
            {needs_taking_over
                .then(|| {
                    view! {
                        <Field
                            name="taking_over"
                            label="SIRET reprenant l'activité"
                            inputmode="numeric"
                            placeholder="214 490 013 00023"
                            required=true
                        />
                    }
                })}
            <Submit action=deactivate label="CONFIRMER L'INACTIVATION" primary=true />
        </ActionForm>
    }
}

/// The id of the SIRET's refusal, which the field refers to.
const SIRET_REFUSAL_ID: &str = "siret-refuse";

/// Step 4: the SIRET typed, sent by a plain GET form to the next step; a
/// refused SIRET's sentence is tied to the field, on the server too.
#[component]
fn SiretForm(path: &'static str, what: &'static str, typed: String, refused: Option<String>) -> impl IntoView {
    let marked = refused.is_some();
    view! {
        <form method="get" action=path class="form">
            <label for="siret">{format!("SIRET de la structure {what}")}</label>
            <input
                id="siret"
                name="siret"
                inputmode="numeric"
                required=true
                value=typed
                placeholder="214 490 013 00015"
                aria-invalid=marked.then_some("true")
                aria-describedby=marked.then_some(SIRET_REFUSAL_ID)
            />
            {refused.map(|why| view! { <ErrorNotice error=AppError::field("siret", why) id=SIRET_REFUSAL_ID /> })}
            <button type="submit" class="button button-primary">"VALIDER"</button>
        </form>
    }
}

/// Step 5's answer: this structure, or another SIRET.
fn confirm_structure(path: &'static str, siret: &str) -> AnyView {
    let next = format!("{path}?siret={}&etape=action", siret.replace(' ', ""));
    view! {
        <p class="actions">
            <a class="button button-primary" href=next>"C'EST BIEN CETTE STRUCTURE"</a>
            " "
            <a class="button" href=path>"SAISIR UN AUTRE SIRET"</a>
        </p>
    }
    .into_any()
}

/// Where the structure stands, for the last step.
fn managed_sentence(m: &ManagedStructure) -> String {
    use crate::domain::ManagerState;
    let label = &m.structure.label;
    match (m.structure.active, m.state) {
        (false, _) => format!("La structure « {label} » est inactive."),
        (true, ManagerState::Pending) => {
            format!("Votre demande de gestion de « {label} » attend l'approbation de son gestionnaire principal.")
        }
        (true, _) => format!("La structure « {label} » est active, et vous la gérez."),
    }
}
