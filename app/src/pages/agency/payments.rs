//! Paying suppliers: the accepted invoices waiting for payment, the batches,
//! and one batch with its transfers (one per supplier) and the form that
//! records the day they left.

use super::desk::{AgencyPicker, History};
use super::invoices::InvoiceTable;
use crate::api::money::{CreatePaymentBatch, MarkBatchPaid, payment_batch, payment_batches};
use crate::components::Fact;
use crate::components::id_resource;
use crate::components::{DetailPage, Field, Loaded, Section, Shell, Space, Submit, Table, or_empty};
use crate::model::money::BatchDetail;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PaymentBatchesPage() -> impl IntoView {
    let query = use_query_map();
    let create = ServerAction::<CreatePaymentBatch>::new();
    let page = Resource::new(move || (query.read().get("agence"), create.version().get()), |(a, _)| payment_batches(a));
    view! {
        <Shell space=Space::Agency title="Paiements — Agence Castors" heading="Paiements">
            <Loaded
                resource=page
                ok=move |p| {
                    let agency = p.desk.chosen.clone().unwrap_or_default();
                    let can_batch = !p.ready.is_empty() && (!p.desk.is_admin || !agency.is_empty());
                    let must_choose = p.desk.is_admin && agency.is_empty() && !p.ready.is_empty();
                    // The suppliers with an invoice to pay, once each.
                    let mut suppliers: Vec<(i64, String)> =
                        p.ready.iter().map(|i| (i.supplier_id, i.supplier.clone())).collect();
                    suppliers.sort_by(|a, b| a.1.cmp(&b.1));
                    suppliers.dedup();
                    view! {
                        <AgencyPicker desk=p.desk.clone() action="/agence/paiements" all=true />
                        <h2>"Factures acceptées à payer"</h2>
                        {or_empty(
                            p.ready.is_empty(),
                            "Aucune facture acceptée n'attend de paiement.",
                            || view! {
                                <InvoiceTable rows=p.ready.clone() />
                                <p class="total">
                                    "Total à payer : " <strong class="amount">{p.ready_total.to_string()}</strong>
                                </p>
                            }
                        )}
                        {can_batch
                            .then(|| {
                                view! {
                                    <ActionForm action=create attr:class="form form-narrow">
                                        <input type="hidden" name="agency" value=agency.clone() />
                                        <label for="supplier">"Factures à payer"</label>
                                        <select id="supplier" name="supplier">
                                            <option value="">"Tous les fournisseurs"</option>
                                            {suppliers
                                                .iter()
                                                .map(|(id, name)| {
                                                    view! { <option value=id.to_string()>{name.clone()}</option> }
                                                })
                                                .collect_view()}
                                        </select>
                                        <Submit action=create label="Préparer un lot de paiement" primary=true />
                                    </ActionForm>
                                }
                            })}
                        {must_choose
                            .then(|| {
                                view! {
                                    <p class="hint">
                                        "Choisissez une agence pour préparer son lot : un lot paie les factures d'une seule agence."
                                    </p>
                                }
                            })}
                        <h2>"Lots de paiement"</h2>
                        {or_empty(
                            p.batches.is_empty(),
                            "Aucun lot de paiement.",
                            || view! {
                                <Table
                                    class="table batches"
                                    columns=vec!["Lot", "Agence", "Préparé le", "Factures", "Total", "Payé le"]
                                >
                                    {p
                                        .batches
                                        .into_iter()
                                        .map(|b| {
                                            view! {
                                                <tr class="batch-row">
                                                    <td>
                                                        <a href=format!(
                                                            "/agence/paiements/{}",
                                                            b.id,
                                                        )>{format!("Lot n° {}", b.id)}</a>
                                                    </td>
                                                    <td>{b.agency_code}</td>
                                                    <td>{b.created_at.to_string()}</td>
                                                    <td>{b.invoices}</td>
                                                    <td class="amount">{b.total.to_string()}</td>
                                                    <td>{b.paid_on.map_or_else(|| "à payer".into(), |d| d.to_string())}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </Table>
                            }
                        )}
                    }
                }
            />
        </Shell>
    }
}

#[component]
pub fn PaymentBatchPage() -> impl IntoView {
    let pay = ServerAction::<MarkBatchPaid>::new();
    let page = id_resource(move || pay.version().get(), |id, _| payment_batch(id));
    view! {
        <DetailPage space=Space::Agency title="Lot de paiement" back="/agence/paiements"
            resource=page
            ok=move |b| view! { <Batch b pay /> }
        />
    }
}

#[component]
fn Batch(b: BatchDetail, pay: ServerAction<MarkBatchPaid>) -> impl IntoView {
    let batch = b.batch.clone();
    let id = batch.id.to_string();
    view! {
        <h1>{format!("Lot de paiement n° {}", batch.id)}</h1>
        <dl class="card">
            <Fact term="Agence">{batch.agency_code.clone()}</Fact>
            <Fact term="Préparé le">{format!("{} par {}", batch.created_at, batch.created_by)}</Fact>
            <Fact term="Total" class="amount">{batch.total.to_string()}</Fact>
            <Fact term="Statut" class="batch-status">
                {match (&batch.paid_on, &batch.reference) {
                    (Some(day), Some(reference)) => format!("payé le {day} (référence {reference})"),
                    (Some(day), None) => format!("payé le {day}"),
                    _ => "à payer".to_owned(),
                }}
            </Fact>
        </dl>
        <h2>"Virements"</h2>
        <Table class="table transfers" columns=vec!["Fournisseur", "IBAN", "BIC", "Factures", "Montant"]>
            {b
                .transfers
                .into_iter()
                .map(|t| {
                    let missing = t.iban.is_none();
                    view! {
                        <tr class=if missing { "transfer-row missing-iban" } else { "transfer-row" }>
                            <td>{t.supplier}</td>
                            <td class="iban">{t.iban.unwrap_or_else(|| "IBAN manquant : complétez la fiche du fournisseur".into())}</td>
                            <td>{t.bic.unwrap_or_default()}</td>
                            <td>{t.invoice_numbers.join(", ")}</td>
                            <td class="amount">{t.amount.to_string()}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
        <h2>"Factures du lot"</h2>
        <InvoiceTable rows=b.invoices />
        {batch
            .paid_on
            .is_none()
            .then(|| {
                view! {
                    <Section
                        class="pay"
                        title="Marquer le lot payé"
                        hint="Quand les virements sont partis : les factures passent « payée » et leurs bons 31-payé, à cette date."
                    >
                        <ActionForm action=pay attr:class="form form-narrow">
                            <input type="hidden" name="id" value=id />
                            <Field
                                name="paid_on"
                                label="Date des virements"
                                kind="date"
                                value=b.today.iso()
                                max=b.today.iso()
                                required=true
                            />
                            <Field name="reference" label="Référence du virement (facultatif)" maxlength="80" />
                            <Submit action=pay label="Marquer payé" primary=true />
                        </ActionForm>
                    </Section>
                }
            })}
        <History events=b.history />
    }
}
