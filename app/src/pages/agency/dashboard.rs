//! `/agence`: the figures staff look at first.

use super::desk::AgencyPicker;
use crate::{
    api::{agency::agency_dashboard, vouchers::UnlockVoucher},
    components::{ActionError, AgencyShell, Loading, show_result},
    model::agency::{Dashboard, LockedVoucher},
};
use leptos::prelude::*;
use leptos_meta::Title;
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
        <Title text="Tableau de bord — Agence Castors" />
        <AgencyShell>
            <h1>"Tableau de bord"</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    show_result(page.await, move |d| view! { <DashboardView d unlock /> })
                })}
            </Transition>
        </AgencyShell>
    }
}

#[component]
fn DashboardView(d: Dashboard, unlock: ServerAction<UnlockVoucher>) -> impl IntoView {
    let month = d.month.clone();
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

        <section class="to-pay">
            <h2>"À payer aux fournisseurs"</h2>
            {if d.to_pay.is_empty() {
                view! { <p class="empty">"Aucune facture acceptée en attente de paiement."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th>"Fournisseur"</th>
                                    <th>"Factures acceptées"</th>
                                    <th>"Montant à payer"</th>
                                </tr>
                            </thead>
                            <tbody>
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
                            </tbody>
                            <tfoot>
                                <tr>
                                    <th colspan="2">"Total"</th>
                                    <td class="amount to-pay-total">{d.to_pay_total.to_string()}</td>
                                </tr>
                            </tfoot>
                        </table>
                    </div>
                    <p>
                        <a href="/agence/paiements">"Préparer un paiement"</a>
                    </p>
                }
                    .into_any()
            }}
        </section>

        <section class="open-flags">
            <h2>"Lignes de factures signalées"</h2>
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
        </section>

        <section class="locked">
            <h2>"Bons bloqués"</h2>
            <p class="hint">
                "Bloqués après cinq codes secrets erronés : débloquez-les après avoir vérifié auprès du fournisseur ou de l'adhérent."
            </p>
            <ActionError action=unlock />
            {if d.locked.is_empty() {
                view! { <p class="empty">"Aucun bon bloqué."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th>"N° du bon"</th>
                                    <th>"Adhérent"</th>
                                    <th>"Fournisseur"</th>
                                    <th>"Bloqué le"</th>
                                    <th>"Codes erronés"</th>
                                    <th>
                                        <span class="visually-hidden">"Débloquer"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {d
                                    .locked
                                    .into_iter()
                                    .map(|v| view! { <LockedRow v unlock /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn LockedRow(v: LockedVoucher, unlock: ServerAction<UnlockVoucher>) -> impl IntoView {
    view! {
        <tr class="locked-voucher">
            <td class="number">
                <a href=format!("/agence/bons/{}", v.id)>{v.number.unwrap_or_else(|| "—".into())}</a>
            </td>
            <td>{v.member_number} " " {v.member_name}</td>
            <td>{v.supplier}</td>
            <td>{v.locked_at}</td>
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
