use crate::api::sponsor::{DecideManager, sponsor_home};
use crate::components::{ActionError, Loaded, Shell, Space, Table, Tile, or_empty};
use crate::domain::{ManagerState, Siret};
use crate::model::structures::{ManagedStructure, ManagerRequest, SponsorOverview};
use leptos::prelude::*;

/// « Mes structures »: the structures the manager manages (or asked to),
/// the requests waiting for their approval, and the two actions of seed 004.
#[component]
pub fn SponsorHomePage() -> impl IntoView {
    let decide = ServerAction::<DecideManager>::new();
    let home = Resource::new(move || decide.version().get(), |_| sponsor_home());
    view! {
        <Shell space=Space::Sponsor title="Espace commanditaire — Bons Castors" heading="Mes structures">
            <nav class="tiles">
                <Tile href="/commanditaire/activer" label="Activer une structure publique" primary=true />
                <Tile href="/commanditaire/inactiver" label="Inactiver une structure publique" />
            </nav>
            <Loaded resource=home ok=move |h: SponsorOverview| view! { <Home h decide /> } />
        </Shell>
    }
}

#[component]
fn Home(h: SponsorOverview, decide: ServerAction<DecideManager>) -> impl IntoView {
    view! {
        {or_empty(
            h.structures.is_empty(),
            "Vous ne gérez encore aucune structure : activez la vôtre par son SIRET.",
            || view! {
                <Table class="table structures" columns=vec!["Structure", "SIRET", "Base SIRENE", "État", "Vous êtes"]>
                    {h.structures.into_iter().map(|m| view! { <StructureRow m /> }).collect_view()}
                </Table>
            },
        )}
        {(!h.requests.is_empty())
            .then(|| {
                view! {
                    <h2>"Demandes de gestion à approuver"</h2>
                    <ul class="manager-requests">
                        {h.requests.into_iter().map(|r| view! { <RequestItem r decide /> }).collect_view()}
                    </ul>
                }
            })}
    }
}

#[component]
fn StructureRow(m: ManagedStructure) -> impl IntoView {
    let s = m.structure;
    let role = match (m.state, m.main) {
        (ManagerState::Approved, true) => "gestionnaire principal",
        (ManagerState::Approved, false) => "gestionnaire",
        (state, _) => state.label(),
    };
    view! {
        <tr data-siret=s.siret.clone().unwrap_or_default()>
            <td>{s.label}</td>
            <td>{s.siret.as_deref().map(Siret::shown).unwrap_or_else(|| "—".into())}</td>
            <td>{s.register_state.map(|r| r.label()).unwrap_or("—")}</td>
            <td class="status">{if s.active { "active" } else { "inactive" }}</td>
            <td>{role}</td>
        </tr>
    }
}

#[component]
fn RequestItem(r: ManagerRequest, decide: ServerAction<DecideManager>) -> impl IntoView {
    let structure = r.structure_id.to_string();
    view! {
        <li class="card">
            <p>
                <strong>{r.login.clone()}</strong>
                " demande à gérer « " {r.structure_label} " » (depuis le " {r.requested_at.to_string()} ")."
            </p>
            <Decide structure=structure.clone() login=r.login.clone() decision="approve" label="APPROUVER" decide />
            <Decide structure login=r.login decision="refuse" label="REFUSER" decide />
            <ActionError action=decide />
        </li>
    }
}

/// One decision on a request: a form of its own, its fields known.
#[component]
fn Decide(
    structure: String,
    login: String,
    decision: &'static str,
    label: &'static str,
    decide: ServerAction<DecideManager>,
) -> impl IntoView {
    let class = if decision == "approve" { "button button-primary" } else { "button" };
    view! {
        <ActionForm action=decide attr:class="form form-inline">
            <input type="hidden" name="structure" value=structure />
            <input type="hidden" name="login" value=login />
            <input type="hidden" name="decision" value=decision />
            <button type="submit" class=class>{label}</button>
        </ActionForm>
    }
}
