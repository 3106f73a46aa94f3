//! Supplier invoices in the back office: the list by status, and the
//! reconciliation screen of one invoice (each line against its voucher,
//! overrides with a reason, accept or send back).

use super::desk::{AgencyPicker, History};
use crate::api::money::{AcceptInvoice, OverrideInvoiceLine, SendBackInvoice, agency_invoice, agency_invoices};
use crate::components::Fact;
use crate::components::id_resource;
use crate::components::{ActionError, DetailPage, Loaded, Section, Shell, Space, StatusSelect, Submit, Table};
use crate::components::{invoice_statuses, or_empty};
use crate::model::invoices::{InvoiceLineView, InvoiceSummary};
use crate::model::money::ReconcileView;
use crate::{domain::InvoiceStatus, pages::supplier::invoices::status_text};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        move || (query.read().get("agence"), query.read().get("statut")),
        |(agency, status)| agency_invoices(agency, status),
    );
    view! {
        <Shell space=Space::Agency title="Factures fournisseurs — Agence Castors" heading="Factures fournisseurs">
            <Loaded
                resource=page
                ok=|list| {
                    let chosen = list.status.map(InvoiceStatus::code).unwrap_or_default();
                    let agency = list.desk.chosen.clone().unwrap_or_default();
                    view! {
                        <AgencyPicker desk=list.desk action="/agence/factures" all=true />
                        <form method="get" action="/agence/factures" class="filters" role="search">
                            <input type="hidden" name="agence" value=agency />
                            <StatusSelect
                                label="Statut"
                                all="Toutes"
                                statuses=invoice_statuses()
                                chosen=RwSignal::new(chosen.to_owned())
                            />
                            <button type="submit" class="button button-small">
                                "Filtrer"
                            </button>
                        </form>
                        {or_empty(list.rows.is_empty(), "Aucune facture.", || view! { <InvoiceTable rows=list.rows /> })}
                    }
                }
            />
        </Shell>
    }
}

/// Invoices, one per row, each opening its reconciliation screen.
#[component]
pub fn InvoiceTable(rows: Vec<InvoiceSummary>) -> impl IntoView {
    view! {
        <Table
            class="table agency-invoices"
            columns=vec!["Fournisseur", "N° de facture", "Date", "Montant TTC", "Lignes", "Écarts", "Statut"]
        >
            {rows
                .into_iter()
                .map(|i| {
                    let status = status_text(&i);
                    let flags = if i.open_flags > 0 { i.open_flags.to_string() } else { "—".into() };
                    let flags_class = if i.open_flags > 0 { "flags flagged" } else { "flags" };
                    view! {
                        <tr class="invoice-row" data-status=i.status.code()>
                            <td>{i.supplier}</td>
                            <td class="number">
                                <a href=format!("/agence/factures/{}", i.id)>{i.number}</a>
                            </td>
                            <td>{i.invoice_date.to_string()}</td>
                            <td class="amount">{i.amount.to_string()}</td>
                            <td>{i.line_count}</td>
                            <td class=flags_class>{flags}</td>
                            <td class="status">{status}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}

#[component]
pub fn ReconcilePage() -> impl IntoView {
    let override_line = ServerAction::<OverrideInvoiceLine>::new();
    let accept = ServerAction::<AcceptInvoice>::new();
    let send_back = ServerAction::<SendBackInvoice>::new();
    let versions = move || override_line.version().get() + accept.version().get() + send_back.version().get();
    let page = id_resource(versions, |id, _| agency_invoice(id));
    view! {
        <DetailPage space=Space::Agency title="Rapprochement" back="/agence/factures"
            resource=page
            ok=move |v| view! { <Reconcile v override_line accept send_back /> }
        />
    }
}

#[component]
fn Reconcile(
    v: ReconcileView,
    override_line: ServerAction<OverrideInvoiceLine>,
    accept: ServerAction<AcceptInvoice>,
    send_back: ServerAction<SendBackInvoice>,
) -> impl IntoView {
    let s = v.invoice.summary.clone();
    let id = s.id.to_string();
    let received = s.status == InvoiceStatus::Received;
    let open = v.invoice.lines.iter().filter(|l| l.flag.is_some() && l.override_reason.is_none()).count();
    let status = status_text(&s);
    view! {
        <h1>"Facture n° " <span class="invoice-number">{s.number.clone()}</span></h1>
        <dl class="card">
            <Fact term="Fournisseur">{s.supplier.clone()}</Fact>
            <Fact term="Agence">{v.agency_code.clone()}</Fact>
            <Fact term="Date de facture">{s.invoice_date.to_string()}</Fact>
            <Fact term="Montant TTC" class="amount">{s.amount.to_string()}</Fact>
            <Fact term="Reçue le">{s.submitted_at.to_string()}</Fact>
            <Fact term="Statut" class="invoice-status" status=s.status.code()>{status}</Fact>
            <Fact term="PDF">
                {if s.has_pdf {
                    view! { <a href=format!("/factures/{}/pdf", s.id)>"Télécharger la facture"</a> }.into_any()
                } else {
                    view! { "non déposé" }.into_any()
                }}
            </Fact>
            {v
                .batch_id
                .map(|b| {
                    view! {
                        <Fact term="Lot de paiement">
                            <a href=format!("/agence/paiements/{b}")>{format!("Lot n° {b}")}</a>
                        </Fact>
                    }
                })}
        </dl>

        <h2>"Lignes"</h2>
        <p class="hint">
            {if open == 0 {
                "Chaque ligne correspond à son bon.".to_owned()
            } else {
                format!("{open} ligne(s) ne correspondent pas à leur bon.")
            }}
        </p>
        <Table
            class="table reconcile-lines"
            columns=vec!["Ligne", "N° du bon", "Montant", "Valeur du bon", "Contrôle", ""]
        >
            {v
                .invoice
                .lines
                .into_iter()
                .map(|l| view! { <ReconcileLine l invoice=s.id.to_string() received override_line /> })
                .collect_view()}
        </Table>
        <ActionError action=override_line />

        {received
            .then(|| {
                let accept_id = id.clone();
                let back_id = id.clone();
                view! {
                    <Section class="decide" title="Décision">
                        <ActionForm action=accept>
                            <input type="hidden" name="id" value=accept_id />
                            <ActionError action=accept />
                            <button type="submit" class="button button-primary" disabled=!v.can_accept>
                                "Accepter la facture"
                            </button>
                            {(!v.can_accept)
                                .then(|| {
                                    view! {
                                        <p class="hint">
                                            "Une facture s'accepte quand chaque ligne correspond à son bon, ou a été acceptée avec un motif."
                                        </p>
                                    }
                                })}
                        </ActionForm>
                        <ActionForm action=send_back attr:class="form form-narrow">
                            <input type="hidden" name="id" value=back_id />
                            <label for="send-back-reason">"Renvoyer au fournisseur : ce qu'il doit corriger"</label>
                            <textarea id="send-back-reason" name="reason" rows="3" required></textarea>
                            <Submit action=send_back label="Renvoyer à corriger" />
                        </ActionForm>
                    </Section>
                }
            })}
        <History events=v.history />
    }
}

#[component]
fn ReconcileLine(
    l: InvoiceLineView,
    invoice: String,
    received: bool,
    override_line: ServerAction<OverrideInvoiceLine>,
) -> impl IntoView {
    let (class, result) = match (l.flag, &l.override_reason) {
        (None, _) => ("line-ok", "Conforme".to_owned()),
        (Some(flag), Some(reason)) => (
            "line-ok line-overridden",
            format!("{} — accepté : {reason} ({})", flag.label(), l.override_by.clone().unwrap_or_default()),
        ),
        (Some(flag), None) => ("line-flagged", flag.label().to_owned()),
    };
    let can_override = received && l.override_reason.is_none() && l.flag.is_some_and(|f| f.staff_may_override());
    let refused_here = received && l.override_reason.is_none() && l.flag.is_some() && !can_override;
    let position = l.position.to_string();
    let field = format!("override-{}", l.position);
    view! {
        <tr class=format!("voucher-row {class}") data-line=l.position>
            <td>{l.position}</td>
            <td class="number">{l.voucher_number}</td>
            <td class="amount">{l.amount.to_string()}</td>
            <td>{l.voucher_amount.map(|m| m.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td class="check-result">{result}</td>
            <td>
                {can_override
                    .then(|| {
                        view! {
                            <ActionForm action=override_line attr:class="override">
                                <input type="hidden" name="id" value=invoice />
                                <input type="hidden" name="line" value=position />
                                <label for=field.clone()>"Motif"</label>
                                <input id=field name="reason" type="text" required />
                                <button type="submit" class="button button-small">
                                    "Accepter la ligne"
                                </button>
                            </ActionForm>
                        }
                    })}
                {refused_here
                    .then(|| {
                        view! { <span class="hint">"À corriger par le fournisseur"</span> }
                    })}
            </td>
        </tr>
    }
}
