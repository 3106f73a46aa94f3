//! `/agence/commanditaires`: the sponsors' managers of the agency, each
//! with the structures they manage (or asked to manage) and what became
//! of those structures.

use super::desk::{AgencyPicker, DeskSearch};
use crate::api::structures::agency_sponsors;
use crate::components::{Refreshing, Shell, Space, Table, or_empty};
use crate::domain::Siret;
use crate::model::structures::{ManagedStructure, SponsorManager};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SponsorsPage() -> impl IntoView {
    let query = use_query_map();
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let agency = move || query.read().get("agence");
    let page = Resource::new(move || (search.get(), agency()), |(q, agency)| agency_sponsors(Some(q), agency));
    view! {
        <Shell space=Space::Agency title="Commanditaires — Agence Castors" heading="Commanditaires">
            <p class="hint">
                "Les gestionnaires des structures commanditaires : chacun se connecte à l'espace commanditaire et commande pour les structures qu'il gère."
            </p>
            <DeskSearch
                action="/agence/commanditaires"
                class="search"
                label="Identifiant ou structure :"
                placeholder="identifiant, structure, SIRET ou ville"
                search
                agency=Signal::derive(agency)
            />
            <Refreshing
                resource=page
                ok=move |list| {
                    view! {
                        <AgencyPicker desk=list.desk action="/agence/commanditaires" all=true />
                        {or_empty(
                            list.rows.is_empty(),
                            if search.with_untracked(String::is_empty) { "Aucun commanditaire." } else { "Aucun commanditaire ne correspond." },
                            || view! { <SponsorTable rows=list.rows /> },
                        )}
                    }
                }
            />
        </Shell>
    }
}

#[component]
fn SponsorTable(rows: Vec<SponsorManager>) -> impl IntoView {
    view! {
        <Table class="table sponsors" columns=vec!["Identifiant", "Compte", "Structures gérées"]>
            {rows
                .into_iter()
                .map(|m| {
                    let login = m.login.clone();
                    view! {
                        <tr class="sponsor-row" data-login=login>
                            <td class="login">{m.login}</td>
                            <td>{if m.active { "actif" } else { "désactivé" }}</td>
                            <td>
                                {or_empty(
                                    m.structures.is_empty(),
                                    "Aucune structure.",
                                    || view! {
                                        <ul class="sponsor-structures">
                                            {m
                                                .structures
                                                .into_iter()
                                                .map(|s| view! { <ManagedItem s /> })
                                                .collect_view()}
                                        </ul>
                                    },
                                )}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}

/// « Ville de … — Services techniques (214 490 013 00015) : gestionnaire
/// principal, structure active ».
#[component]
fn ManagedItem(s: ManagedStructure) -> impl IntoView {
    let structure = s.structure;
    let siret = structure.siret.as_deref().map(|siret| format!(" ({})", Siret::shown(siret)));
    let state = if structure.active { "structure active" } else { "structure inactive" };
    view! {
        <li class="sponsor-structure" data-state=s.state.code()>
            <a href=format!("/agence/structures/{}", structure.id)>{structure.label}</a>
            {siret}
            " : "
            <span class="standing">{s.state.standing(s.main)}</span>
            ", "
            <span class="status">{state}</span>
        </li>
    }
}
