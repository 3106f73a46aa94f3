//! `/agence`: the figures staff look at first.

use super::desk::AgencyPicker;
use crate::api::{agency::agency_dashboard, vouchers::UnlockVoucher};
use crate::components::{ActionError, MonthlyChartView, Refreshing, Section, Shell, Space, Table, or_empty};
use crate::model::agency::{Dashboard, LockedVoucher};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let unlock = ServerAction::<UnlockVoucher>::new();
    // Unlocking from here reloads the figures (with the WASM; without it,
    // the form post comes back to this page).
    let page = Resource::new(
        move || (query.read().get("agence"), unlock.version().get()),
        |(agency, _)| agency_dashboard(agency),
    );
    view! {
        <Shell space=Space::Agency title="Tableau de bord — Agence Castors" heading="Tableau de bord">
            <Refreshing
                resource=page
                ok=move |d| view! { <DashboardView d unlock /> }
            />
        </Shell>
    }
}

#[component]
fn DashboardView(d: Dashboard, unlock: ServerAction<UnlockVoucher>) -> impl IntoView {
    let month = d.month.to_string();
    view! {
        <AgencyPicker desk=d.desk action="/agence" all=true />
        <section class="figures" aria-label="Ce mois-ci">
            <div class="figure figure-issued">
                <h2>"Bons émis en " {month.clone()}</h2>
                <p class="figure-count">{d.issued.count}</p>
                <p class="figure-amount">{d.issued.amount.to_string()}</p>
            </div>
            <div class="figure figure-used">
                <h2>"Bons utilisés en " {month}</h2>
                <p class="figure-count">{d.used.count}</p>
                <p class="figure-amount">{d.used.amount.to_string()}</p>
            </div>
        </section>

        <Section class="monthly" title="Mois par mois">
            {or_empty(
                d.chart.is_empty(),
                "Aucun bon utilisé ni pass encaissé ces douze derniers mois.",
                move || view! {
                    <MonthlyChartView chart=d.chart title="Bons utilisés et pass encaissés, les douze derniers mois" />
                },
            )}
        </Section>

        <Section class="to-pay" title="À payer aux fournisseurs">
            {or_empty(
                d.to_pay.is_empty(),
                "Aucune facture acceptée en attente de paiement.",
                || view! {
                    <Table
                        class="table"
                        columns=vec!["Fournisseur", "Factures acceptées", "Montant à payer"]
                        foot=view! {
                            <tr>
                                <th colspan="2">"Total"</th>
                                <td class="amount to-pay-total">{d.to_pay_total.to_string()}</td>
                            </tr>
                        }
                            .into_any()
                    >
                        {d
                            .to_pay
                            .into_iter()
                            .map(|due| {
                                view! {
                                    <tr class="due">
                                        <td>
                                            <a href=format!(
                                                "/agence/fournisseurs/{}",
                                                due.supplier_id,
                                            )>{due.supplier}</a>
                                        </td>
                                        <td>{due.invoices}</td>
                                        <td class="amount">{due.amount.to_string()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </Table>
                    <p>
                        <a href="/agence/paiements">"Préparer un paiement"</a>
                    </p>
                }
            )}
        </Section>

        <Section class="open-flags" title="Lignes de factures signalées">
            {if d.open_flags == 0 {
                view! { <p class="empty">"Aucune ligne signalée en attente."</p> }.into_any()
            } else {
                view! {
                    <p class="notice notice-warn">
                        <strong class="open-flags-count">{d.open_flags}</strong>
                        {if d.open_flags == 1 { " ligne signalée" } else { " lignes signalées" }}
                        " sur "
                        {d.invoices_with_flags}
                        {if d.invoices_with_flags == 1 { " facture à traiter. " } else { " factures à traiter. " }}
                        <a href="/agence/factures">"Voir les factures"</a>
                    </p>
                }
                    .into_any()
            }}
        </Section>

        <LateOrders rows=d.late_orders />

        <Section
            class="locked"
            title="Bons bloqués"
            hint="Bloqués après cinq codes secrets erronés : débloquez-les après avoir vérifié auprès du fournisseur ou de l'adhérent."
        >
            <ActionError action=unlock />
            {or_empty(
                d.locked.is_empty(),
                "Aucun bon bloqué.",
                || view! {
                    <Table
                        class="table"
                        columns=vec!["N° du bon", "Adhérent", "Fournisseur", "Bloqué le", "Codes erronés"]
                        action="Débloquer"
                    >
                        {d
                            .locked
                            .into_iter()
                            .map(|v| view! { <LockedRow v unlock /> })
                            .collect_view()}
                    </Table>
                }
            )}
        </Section>
    }
}

#[component]
fn LockedRow(v: LockedVoucher, unlock: ServerAction<UnlockVoucher>) -> impl IntoView {
    view! {
        <tr class="locked-voucher">
            <td class="number">
                <a href=format!("/agence/bons/{}", v.id)>{v.number.map_or_else(|| "—".into(), |n| n.to_string())}</a>
            </td>
            <td>{v.member_number} " " {v.member_name}</td>
            <td>{v.supplier}</td>
            <td>{v.locked_at.map_or_else(|| "—".into(), |at| at.to_string())}</td>
            <td>{v.wrong_codes}</td>
            <td>
                <ActionForm action=unlock>
                    <input type="hidden" name="id" value=v.id.to_string() />
                    <button type="submit" class="button button-small">
                        "Débloquer"
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// The sponsors' orders whose current step is overdue (seed 003's
/// deadlines), each leading to its page.
#[component]
pub fn LateOrders(rows: Vec<crate::model::shop::OverdueStep>) -> impl IntoView {
    view! {
        <Section class="late-orders" title="Commandes en retard">
            {or_empty(
                rows.is_empty(),
                "Aucune commande en retard sur ses délais.",
                || view! {
                    <Table class="table" columns=vec!["N° de commande", "Structure", "Étape en retard", "À faire par", "Attendue le"]>
                        {rows
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <tr class="late-order">
                                        <td>
                                            <a href=format!("/agence/commandes/{}", r.order_id)>{r.number}</a>
                                        </td>
                                        <td>{r.structure}</td>
                                        <td>{r.step}</td>
                                        <td>{r.actor}</td>
                                        <td>{format!("{} (en retard)", r.due)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </Table>
                },
            )}
        </Section>
    }
}
