use crate::api::supplier::supplier_vouchers;
use crate::components::{Loaded, Shell, Space, StatusSelect, Table, or_empty, voucher_statuses};
use crate::domain::voucher::{DELIVERED_STATUSES, SINCE_LAST_MONTH};
use crate::model::supplier::{DeliveredList, DeliveredVoucher};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Bons livrés: the supplier's used vouchers by day of use and status, with
/// totals and the same list as a spreadsheet. The filter is a plain GET
/// form: it works without the WASM, and the address can be bookmarked.
#[component]
pub fn DeliveredVouchersPage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(
        move || {
            let q = query.read();
            (Some(q.get("du").unwrap_or_else(|| SINCE_LAST_MONTH.to_owned())), q.get("au"), q.get("statut"))
        },
        |(du, au, statut)| supplier_vouchers(du, au, statut),
    );
    view! {
        <Shell space=Space::Supplier title="Bons livrés — Espace fournisseur" heading="Bons livrés">
            <Loaded resource=list ok=|list| view! { <Delivered list /> } />
        </Shell>
    }
}

#[component]
fn Delivered(list: DeliveredList) -> impl IntoView {
    let csv = format!("/fournisseur/bons.csv?{}", list.query());
    let chosen = list.status.clone();
    view! {
        <form method="get" action="/fournisseur/bons" class="form filters" role="search">
            <div class="filter-days">
                <label>
                    "Du" <input type="date" name="du" value=list.from.clone() />
                </label>
                <label>
                    "Au" <input type="date" name="au" value=list.to.clone() />
                </label>
            </div>
            <StatusSelect label="Statut" all="Tous" statuses=voucher_statuses(&DELIVERED_STATUSES) chosen=RwSignal::new(chosen) />
            <button type="submit" class="button">
                "Afficher"
            </button>
        </form>
        <section class="totals" aria-label="Totaux">
            <p class="total">
                <strong class="total-count">{list.count}</strong>
                {if list.count == 1 { " bon — " } else { " bons — " }}
                <strong class="total-amount">{list.total.to_string()}</strong>
                " à payer (hors annulés)"
            </p>
            <ul class="status-totals">
                {list
                    .by_status
                    .iter()
                    .map(|t| {
                        view! {
                            <li data-status=t.status.code()>
                                {t.status.label()} " : " {t.count} " — " {t.amount.to_string()}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <a class="button button-small" href=csv rel="external" download>
                "Exporter (CSV, Excel)"
            </a>
        </section>
        {or_empty(
            list.vouchers.is_empty(),
            "Aucun bon livré sur cette période.",
            || view! {
                <Table
                    class="vouchers delivered"
                    columns=vec!["N° du bon", "Date d'utilisation", "Valeur du bon", "Statut", "Adhérent", "Facture"]
                    unwrapped=true
                >
                    {list.vouchers.into_iter().map(|v| view! { <DeliveredLine v /> }).collect_view()}
                </Table>
            }
        )}
        <h2>"Pass encaissés"</h2>
        {or_empty(
            list.passes.is_empty(),
            "Aucun pass encaissé sur cette période.",
            move || view! {
                <p class="passes-total">
                    <strong class="passes-count">{list.passes.len()}</strong>
                    " pass — "
                    <strong class="passes-amount">{list.passes_total.to_string()}</strong>
                    " à payer"
                </p>
                <Table
                    class="passes spent"
                    columns=vec!["N° du pass", "Date d'encaissement", "Valeur du pass", "Commanditaire", "Facture"]
                    unwrapped=true
                >
                    {list
                        .passes
                        .into_iter()
                        .map(|p| {
                            view! {
                                <tr class="pass-row">
                                    <td data-label="N° du pass" class="number">{p.number.to_string()}</td>
                                    <td data-label="Date d'encaissement" class="used-at">{p.spent_at.to_string()}</td>
                                    <td data-label="Valeur du pass" class="amount">{p.face_value.decimal_fr()}</td>
                                    <td data-label="Commanditaire">{p.sponsor}</td>
                                    <td data-label="Facture" class="pass-invoice">
                                        {match (p.invoice, p.paid_on) {
                                            (Some(i), Some(paid)) => format!("{i} — payé le {paid}"),
                                            (None, Some(paid)) => format!("payé le {paid}"),
                                            (Some(i), None) => format!("{i} (facturé)"),
                                            (None, None) => "—".to_owned(),
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </Table>
            }
        )}
    }
}

#[component]
fn DeliveredLine(v: DeliveredVoucher) -> impl IntoView {
    let invoice = match (&v.invoice, &v.paid_on) {
        (Some(i), _) => view! {
            <a href=format!("/fournisseur/factures/{}", i.id)>{i.number.clone()}</a>
            " (" {i.status.label()} ")"
        }
        .into_any(),
        (None, Some(paid)) => view! { "payé le " {paid.to_string()} }.into_any(),
        (None, None) => view! { "—" }.into_any(),
    };
    view! {
        <tr class="voucher-row" data-status=v.status.code()>
            <td data-label="N° du bon" class="number">
                {v.number.to_string()}
            </td>
            <td data-label="Date d'utilisation" class="used-at">
                {v.used_at.to_string()}
            </td>
            <td data-label="Valeur du bon" class="amount">
                {v.amount.decimal_fr()}
            </td>
            <td data-label="Statut" class="status">
                {v.status.label()}
            </td>
            <td data-label="Adhérent">{v.member_initials}</td>
            <td data-label="Facture" class="invoice">
                {invoice}
            </td>
        </tr>
    }
}
