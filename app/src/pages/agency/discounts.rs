//! `/agence/ristournes`: the agency's discount codes (« codes de
//! ristourne ») for the sponsors' shop: how often each was used, a new
//! one, switching one off.

use super::desk::{AgencyField, AgencyPicker};
use crate::api::agency::{CreateDiscountCode, DeactivateDiscountCode, agency_discount_codes};
use crate::components::{Field, Loaded, Section, Shell, Space, Submit, Table, done_notice, or_empty};
use crate::model::shop::DiscountCodeRow;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DiscountCodesPage() -> impl IntoView {
    let query = use_query_map();
    let create = ServerAction::<CreateDiscountCode>::new();
    let deactivate = ServerAction::<DeactivateDiscountCode>::new();
    let page = Resource::new(
        move || (query.read().get("agence"), create.version().get() + deactivate.version().get()),
        |(agency, _)| agency_discount_codes(agency),
    );
    let created = move || query.read().get("cree").is_some();
    let deactivated = move || query.read().get("desactive").is_some();
    view! {
        <Shell space=Space::Agency title="Codes de ristourne — Agence Castors" heading="Codes de ristourne">
            <p class="hint">
                "Un code de ristourne réduit les frais et services d'une commande de Pass Castors, jamais la valeur des pass."
            </p>
            <Loaded
                resource=page
                ok=move |list| {
                    let chosen = list.desk.chosen.clone();
                    view! {
                        <AgencyPicker desk=list.desk.clone() action="/agence/ristournes" />
                        {done_notice(created(), "Le code de ristourne est créé.")}
                        {done_notice(deactivated(), "Le code de ristourne est désactivé.")}
                        {match chosen {
                            Some(_) => {
                                view! {
                                    {or_empty(
                                        list.rows.is_empty(),
                                        "Aucun code de ristourne.",
                                        || view! { <CodeTable rows=list.rows deactivate /> },
                                    )}
                                    <NewCode desk=list.desk create />
                                }
                                    .into_any()
                            }
                            None => {
                                view! { <p class="hint">"Choisissez l'agence dont vous voulez voir les codes."</p> }
                                    .into_any()
                            }
                        }}
                    }
                }
            />
        </Shell>
    }
}

#[component]
fn CodeTable(rows: Vec<DiscountCodeRow>, deactivate: ServerAction<DeactivateDiscountCode>) -> impl IntoView {
    let columns = vec!["Code", "Remise", "Valable du", "au", "Utilisations", "Réservé à", "État"];
    view! {
        <Table class="table discount-codes" columns action="Désactiver">
            {rows
                .into_iter()
                .map(|row| {
                    let c = row.code;
                    let uses = format!("{} / {}", c.uses, c.max_uses);
                    let reserved = c
                        .sponsor_id
                        .map(|id| format!("commanditaire n° {id}"))
                        .unwrap_or_else(|| "tous les commanditaires".into());
                    let code = c.code.clone();
                    view! {
                        <tr class="discount-code">
                            <td class="code">{c.code}</td>
                            <td>{c.discount.to_string()}</td>
                            <td>{c.valid_from.to_string()}</td>
                            <td>{c.valid_until.to_string()}</td>
                            <td class="amount">{uses}</td>
                            <td>{reserved}</td>
                            <td>{row.state.label()}</td>
                            <td>
                                {c
                                    .active
                                    .then(|| {
                                        view! {
                                            <ActionForm action=deactivate>
                                                <input type="hidden" name="id" value=row.id.to_string() />
                                                <button
                                                    type="submit"
                                                    class="button button-small"
                                                    aria-label=format!("Désactiver le code {code}")
                                                >
                                                    "Désactiver"
                                                </button>
                                            </ActionForm>
                                        }
                                    })}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}

#[component]
fn NewCode(desk: crate::model::agency::Desk, create: ServerAction<CreateDiscountCode>) -> impl IntoView {
    view! {
        <Section title="Nouveau code de ristourne" class="new-discount-code">
            <ActionForm action=create attr:class="form form-narrow">
                <AgencyField desk />
                <Field
                    name="code"
                    label="Code (lettres, chiffres, tirets)"
                    autocapitalize="characters"
                    maxlength=crate::domain::discount::MAX_CODE_LENGTH.to_string()
                    required=true
                />
                <Field
                    name="discount"
                    label="Remise : un pourcentage (« 10 % ») ou un montant HT (« 50 € »)"
                    required=true
                />
                <Field name="valid_from" label="Valable du" kind="date" required=true />
                <Field name="valid_until" label="au (inclus)" kind="date" required=true />
                <Field
                    name="max_uses"
                    label="Nombre maximum d'utilisations"
                    kind="number"
                    min="1"
                    max="100000"
                    required=true
                />
                <Submit action=create label="Créer le code" primary=true />
            </ActionForm>
        </Section>
    }
}
