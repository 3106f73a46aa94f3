//! Sponsors' structures in the back office: the agency's structures with
//! what the SIRENE register says of them, a SIRET's state recorded by hand
//! when the imported register lacks it, and one structure's page (billing
//! address, register, managers, service codes, what Chorus Pro requires,
//! its journal).

use super::desk::{AgencyPicker, DeskSearch, History};
use crate::api::structures::{AddServiceCode, RecordSiretState, SetChorusRequirement, SetServiceCodeActive};
use crate::api::structures::{agency_structure, agency_structures};
use crate::components::{
    ActionError, DetailPage, Fact, Field, Refreshing, Section, Shell, Space, Submit, Table, done_notice, id_resource,
    or_empty,
};
use crate::domain::{ChorusRequirement, RegisterState, Siret, StructureKind};
use crate::model::structures::{Establishment, Manager, ServiceCode, Structure, StructureDetail};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::collections::HashMap;

#[component]
pub fn StructuresPage() -> impl IntoView {
    let query = use_query_map();
    let record = ServerAction::<RecordSiretState>::new();
    // A state recorded may be that of a listed structure's SIRET.
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let agency = move || query.read().get("agence");
    let page = Resource::new(
        move || (search.get(), agency(), record.version().get()),
        |(q, agency, _)| agency_structures(Some(q), agency),
    );
    let recorded = move || query.read().get("enregistre").is_some();
    view! {
        <Shell space=Space::Agency title="Structures — Agence Castors" heading="Structures">
            <p class="hint">
                "Les structures des commanditaires : publiques (SIRET, factures déposées sur Chorus Pro) ou privées (payées par virement)."
            </p>
            <DeskSearch
                action="/agence/structures"
                class="search"
                label="Structure, SIRET ou ville :"
                placeholder="nom de la structure"
                search
                agency=Signal::derive(agency)
            />
            <Refreshing
                resource=page
                ok=move |list| {
                    view! {
                        <AgencyPicker desk=list.desk action="/agence/structures" all=true />
                        {done_notice(recorded(), "L'état du SIRET est enregistré.")}
                        {or_empty(
                            list.rows.is_empty(),
                            if search.with_untracked(String::is_empty) { "Aucune structure." } else { "Aucune structure ne correspond." },
                            || view! { <StructureTable rows=list.rows /> },
                        )}
                    }
                }
            />
            <RecordState record />
        </Shell>
    }
}

#[component]
fn StructureTable(rows: Vec<Structure>) -> impl IntoView {
    // The structure taking over a deactivated one is, in practice, one of
    // the same list: its label is read from there.
    let labels: HashMap<i64, String> = rows.iter().map(|s| (s.id, s.label.clone())).collect();
    let columns = vec!["Structure", "SIRET", "Nature", "Base SIRENE", "État", "Chorus Pro"];
    view! {
        <Table class="table structures" columns>
            {rows
                .into_iter()
                .map(|s| {
                    let taken_over = s.taken_over_by.map(|id| labels.get(&id).cloned().unwrap_or_else(|| format!("n° {id}")));
                    let state = activity(s.active, taken_over.as_deref());
                    view! {
                        <tr
                            class=if s.active { "structure-row" } else { "structure-row inactive" }
                            data-siret=s.siret.clone().unwrap_or_default()
                        >
                            <td>
                                <a href=format!("/agence/structures/{}", s.id)>{s.label}</a>
                            </td>
                            <td class="siret">{s.siret.as_deref().map(Siret::shown).unwrap_or_else(|| "—".into())}</td>
                            <td>{s.kind.label()}</td>
                            <td class="register-state">{register_cell(s.kind, s.siret.is_some(), s.register_state)}</td>
                            <td class="status">{state}</td>
                            <td class="chorus">{chorus_cell(s.kind, s.chorus)}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}

/// « active », or « inactive » and who took its invoices over.
fn activity(active: bool, taken_over: Option<&str>) -> String {
    match (active, taken_over) {
        (true, _) => "active".into(),
        (false, Some(by)) => format!("inactive — reprise par « {by} »"),
        (false, None) => "inactive".into(),
    }
}

/// The register's word on a structure's SIRET: a public structure's SIRET
/// it does not know is said so; a private one without SIRET has none.
fn register_cell(kind: StructureKind, has_siret: bool, state: Option<RegisterState>) -> &'static str {
    match (state, has_siret) {
        (Some(state), _) => state.label(),
        (None, true) => "inconnu de la base SIRENE",
        (None, false) if kind == StructureKind::Private => "—",
        (None, false) => "SIRET manquant",
    }
}

/// A private structure pays by transfer: Chorus Pro has nothing to require.
fn chorus_cell(kind: StructureKind, chorus: ChorusRequirement) -> &'static str {
    match kind {
        StructureKind::Public => chorus.label(),
        StructureKind::Private => "— (payée par virement)",
    }
}

/// « Enregistrer l'état d'un SIRET »: for a SIRET the imported extract of
/// the register lacks (a sponsor activating it is told to ask the agency),
/// or whose state changed since. The register is every agency's.
#[component]
fn RecordState(record: ServerAction<RecordSiretState>) -> impl IntoView {
    view! {
        <Section
            title="Enregistrer l'état d'un SIRET"
            class="record-siret"
            hint="Pour un SIRET absent de la base SIRENE importée, ou dont l'état a changé depuis l'import."
        >
            <ActionForm action=record attr:class="form form-narrow">
                <Field name="siret" label="SIRET" inputmode="numeric" placeholder="214 490 013 00049" required=true />
                <label for="state">"État en base SIRENE"</label>
                <select id="state" name="state" required>
                    {RegisterState::ALL
                        .into_iter()
                        .map(|state| view! { <option value=state.code()>{state.label()}</option> })
                        .collect_view()}
                </select>
                <Field name="name" label="Libellé de l'établissement (facultatif)" maxlength="200" />
                <Submit action=record label="Enregistrer l'état" primary=true />
            </ActionForm>
        </Section>
    }
}

#[component]
pub fn StructurePage() -> impl IntoView {
    let add_code = ServerAction::<AddServiceCode>::new();
    let code_switch = ServerAction::<SetServiceCodeActive>::new();
    let chorus = ServerAction::<SetChorusRequirement>::new();
    let page = id_resource(
        move || add_code.version().get() + code_switch.version().get() + chorus.version().get(),
        |id, _| agency_structure(id),
    );
    view! {
        <DetailPage space=Space::Agency title="Structure" back="/agence/structures"
            resource=page
            ok=move |d| view! { <StructureView d add_code code_switch chorus /> }
        />
    }
}

#[component]
fn StructureView(
    d: StructureDetail,
    add_code: ServerAction<AddServiceCode>,
    code_switch: ServerAction<SetServiceCodeActive>,
    chorus: ServerAction<SetChorusRequirement>,
) -> impl IntoView {
    let s = d.structure;
    let id = s.id.to_string();
    let address = [
        s.address.clone(),
        Some(format!("{} {}", s.postcode.clone().unwrap_or_default(), s.city.clone().unwrap_or_default())),
    ]
    .into_iter()
    .flatten()
    .map(|line| line.trim().to_owned())
    .filter(|line| !line.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let public = s.kind == StructureKind::Public;
    let siret = match (&s.siret, &s.siren) {
        (Some(siret), _) => Siret::shown(siret),
        (None, Some(siren)) => format!("— (SIREN {siren})"),
        (None, None) => "—".into(),
    };
    let register = register_fact(&s, d.establishment.as_ref());
    let state = activity(s.active, d.taken_over_label.as_deref());
    let inactive = (!s.active).then(|| {
        let since = s.deactivated_at.map(|at| at.to_string());
        view! { <Inactive since taken_over=s.taken_over_by.zip(d.taken_over_label) /> }
    });
    let (kind, chorus_required) = (s.kind.label(), chorus_cell(s.kind, s.chorus));
    let codes = if public {
        view! { <ServiceCodes id=id.clone() codes=d.service_codes add_code code_switch /> }.into_any()
    } else {
        view! { <p class="hint">"Structure privée : payée par virement, sans code service ni Chorus Pro."</p> }
            .into_any()
    };
    view! {
        <h1>{s.label}</h1>
        {inactive}
        <dl class="card">
            <Fact term="Nature">{kind}</Fact>
            <Fact term="SIRET" class="siret">{siret}</Fact>
            <Fact term="Adresse de facturation" class="address">
                {if address.is_empty() { "—".to_owned() } else { address }}
            </Fact>
            <Fact term="Base SIRENE" class="register-state">{register}</Fact>
            <Fact term="État" class="status">{state}</Fact>
            <Fact term="Chorus Pro" class="chorus">{chorus_required}</Fact>
        </dl>
        {public.then(|| view! { <ChorusForm id current=s.chorus chorus /> })}
        <Managers managers=d.managers />
        {codes}
        <History events=d.history />
    }
}

/// Since when a structure is inactive, and the structure that receives its
/// invoices since, when there is one.
#[component]
fn Inactive(since: Option<String>, taken_over: Option<(i64, String)>) -> impl IntoView {
    let head = match since {
        Some(at) => format!("Structure inactive depuis le {at}"),
        None => "Structure inactive".to_owned(),
    };
    view! {
        <div class="notice notice-warn structure-inactive">
            <p>
                {head}
                {taken_over
                    .map(|(id, label)| {
                        view! {
                            " : ses factures sont reprises par "
                            <a href=format!("/agence/structures/{id}")>{label}</a>
                        }
                    })}
                "."
            </p>
        </div>
    }
}

/// « active (A) — base SIRENE, le 12/05/2026 10:00 », with the register's
/// name of the establishment when it differs from the structure's.
fn register_fact(s: &Structure, e: Option<&Establishment>) -> String {
    match e {
        Some(e) => {
            let mut fact = format!("{} — {}, le {}", e.state.label(), e.source.label(), e.updated_at);
            if let Some(name) = e.name.as_deref().filter(|name| *name != s.label) {
                fact.push_str(&format!(" (« {name} »)"));
            }
            fact
        }
        None => register_cell(s.kind, s.siret.is_some(), None).to_owned(),
    }
}

/// What Chorus Pro requires of the invoices sent to the structure: the
/// five cases, the current one selected.
#[component]
fn ChorusForm(id: String, current: ChorusRequirement, chorus: ServerAction<SetChorusRequirement>) -> impl IntoView {
    view! {
        <Section
            title="Exigences de Chorus Pro"
            class="chorus-requirement"
            hint="Ce que le bon de commande et la facture doivent porter pour être acceptés sur Chorus Pro."
        >
            <ActionForm action=chorus attr:class="form form-narrow">
                <input type="hidden" name="id" value=id />
                <label for="requirement">"Chorus Pro exige"</label>
                <select id="requirement" name="requirement">
                    {ChorusRequirement::ALL
                        .into_iter()
                        .map(|r| {
                            view! {
                                <option value=r.code() selected=r == current>
                                    {r.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <Submit action=chorus label="Enregistrer les exigences" />
            </ActionForm>
        </Section>
    }
}

#[component]
fn Managers(managers: Vec<Manager>) -> impl IntoView {
    view! {
        <Section title="Gestionnaires" class="structure-managers">
            {or_empty(
                managers.is_empty(),
                "Aucun gestionnaire.",
                || view! {
                    <Table class="table managers" columns=vec!["Identifiant", "Gestionnaire", "Demandé le"]>
                        {managers
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <tr class="manager-row" data-state=m.state.code()>
                                        <td class="login">{m.login}</td>
                                        <td class="standing">{m.state.standing(m.main)}</td>
                                        <td>{m.requested_at.to_string()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </Table>
                }
            )}
        </Section>
    }
}

/// The structure's Chorus Pro service codes: an inactive one stays listed
/// and is offered to the sponsor no more.
#[component]
fn ServiceCodes(
    id: String,
    codes: Vec<ServiceCode>,
    add_code: ServerAction<AddServiceCode>,
    code_switch: ServerAction<SetServiceCodeActive>,
) -> impl IntoView {
    let structure = id.clone();
    view! {
        <Section title="Codes service" class="service-codes">
            <ActionError action=code_switch />
            {or_empty(
                codes.is_empty(),
                "Aucun code service.",
                || view! {
                    <Table class="table service-codes" columns=vec!["Code service", "Libellé", "État"] action="Action">
                        {codes
                            .into_iter()
                            .map(|c| view! { <ServiceCodeRow id=structure.clone() c code_switch /> })
                            .collect_view()}
                    </Table>
                }
            )}
            <ActionForm action=add_code attr:class="form form-narrow">
                <input type="hidden" name="id" value=id />
                <Field name="code" label="Nouveau code service" autocapitalize="characters" placeholder="ST-45" required=true />
                <Field name="label" label="Libellé" maxlength="200" required=true />
                <Submit action=add_code label="Ajouter le code service" />
            </ActionForm>
        </Section>
    }
}

#[component]
fn ServiceCodeRow(id: String, c: ServiceCode, code_switch: ServerAction<SetServiceCodeActive>) -> impl IntoView {
    let verb = if c.active { "Désactiver" } else { "Réactiver" };
    let aria = format!("{verb} le code service {}", c.code);
    view! {
        <tr class=if c.active { "service-code" } else { "service-code inactive" }>
            <td class="code">{c.code.clone()}</td>
            <td>{c.label}</td>
            <td class="status">{if c.active { "actif" } else { "désactivé" }}</td>
            <td>
                <ActionForm action=code_switch>
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="code" value=c.code />
                    <input type="hidden" name="active" value=if c.active { "0" } else { "1" } />
                    <button type="submit" class="button button-small" aria-label=aria>
                        {verb}
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
