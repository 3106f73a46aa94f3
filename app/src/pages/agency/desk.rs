//! Pieces the back office's pages share: the administrator's agency
//! selector, a voucher table, a journal.

use crate::components::{SearchBox, Section, Table, or_empty};
use crate::domain::VoucherStatus;
use crate::model::agency::{AgencyVoucherRow, Desk, HistoryEvent};
use leptos::prelude::*;

/// For an administrator: a GET form choosing the agency the page shows
/// (`agence=NA`); `all` offers "every agency" too. Staff see nothing: their
/// agency is implied.
#[component]
pub fn AgencyPicker(desk: Desk, action: &'static str, #[prop(optional)] all: bool) -> impl IntoView {
    desk.is_admin.then(|| {
        let chosen = desk.chosen.clone().unwrap_or_default();
        view! {
            <form method="get" action=action class="picker" role="search">
                <label for="agence">"Agence"</label>
                <select id="agence" name="agence">
                    {all
                        .then(|| {
                            view! {
                                <option value="" selected=chosen.is_empty()>
                                    "Toutes les agences"
                                </option>
                            }
                        })}
                    {(!all && chosen.is_empty())
                        .then(|| view! { <option value="">"— Choisissez —"</option> })}
                    {agency_options(desk, &chosen)}
                </select>
                <button type="submit" class="button button-small">
                    "Afficher"
                </button>
            </form>
        }
    })
}

/// In a form creating something: an administrator picks its agency (the
/// field `agency`); staff read which agency it goes to.
#[component]
pub fn AgencyField(desk: Desk) -> impl IntoView {
    if desk.is_admin {
        let chosen = desk.chosen.clone().unwrap_or_default();
        view! {
            <label for="agency">"Agence"</label>
            <select id="agency" name="agency" required>
                <option value="">"— Choisissez —"</option>
                {agency_options(desk, &chosen)}
            </select>
        }
        .into_any()
    } else {
        let name = desk.agencies.first().map(|a| format!("{} ({})", a.name, a.code)).unwrap_or_default();
        view! { <p class="hint">"Agence : " {name}</p> }.into_any()
    }
}

/// One option per agency the desk offers, « Nantes (NA) », the chosen one
/// selected.
fn agency_options(desk: Desk, chosen: &str) -> impl IntoView + use<> {
    desk.agencies
        .into_iter()
        .map(|a| {
            let selected = a.code == chosen;
            view! {
                <option value=a.code.clone() selected=selected>
                    {format!("{} ({})", a.name, a.code)}
                </option>
            }
        })
        .collect_view()
}

/// "91-annulé (utilisation annulée)" for a use the agency undid.
pub fn status_text(row: &AgencyVoucherRow) -> String {
    if row.use_cancelled {
        format!("{} (utilisation annulée)", VoucherStatus::Cancelled.label())
    } else {
        row.status.label().to_owned()
    }
}

/// Vouchers, one per row, each opening its page in the back office.
#[component]
pub fn VoucherTable(rows: Vec<AgencyVoucherRow>, #[prop(optional)] show_member: bool) -> impl IntoView {
    let mut columns = vec!["N° du bon", "Statut", "Valeur", "Fournisseur"];
    if show_member {
        columns.push("Adhérent");
    }
    columns.extend(["Demandé le", "Utilisé le"]);
    view! {
        <Table class="table agency-vouchers" columns>
            {rows
                .into_iter()
                .map(|r| {
                    let status = status_text(&r);
                    let href = format!("/agence/bons/{}", r.id);
                    let number = r.number.as_ref().map_or_else(|| "—".into(), ToString::to_string);
                    view! {
                        <tr
                            class="voucher-row"
                            data-status=r.status.code()
                            data-cancelled-use=r.use_cancelled.then_some("1")
                        >
                            <td class="number">
                                <a href=href>{number}</a>
                                {r.locked.then(|| view! { " " <span class="badge badge-warn">"bloqué"</span> })}
                            </td>
                            <td class="status">{status}</td>
                            <td class="amount">{r.amount.to_string()}</td>
                            <td>{r.supplier}</td>
                            {show_member
                                .then(|| {
                                    view! {
                                        <td>
                                            <a href=format!(
                                                "/agence/adherents/{}",
                                                r.member_number,
                                            )>{r.member_number.clone()}</a>
                                            " "
                                            {r.member_name}
                                        </td>
                                    }
                                })}
                            <td>{r.requested_on.to_string()}</td>
                            <td>{r.used_at.map_or_else(|| "—".into(), |at| at.to_string())}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}

/// The journal's events about one thing, oldest first.
#[component]
pub fn History(events: Vec<HistoryEvent>) -> impl IntoView {
    view! {
        <Section class="history" title="Historique">
            {or_empty(
                events.is_empty(),
                "Aucun événement au journal.",
                || view! {
                    <ol class="history-events">
                        {events
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <li class="history-event">
                                        <p class="history-head">
                                            <strong>{e.action}</strong>
                                            " — "
                                            {e.at.to_string()}
                                            " — "
                                            {e.who}
                                        </p>
                                        {(!e.changes.is_empty())
                                            .then(|| {
                                                view! {
                                                    <ul class="history-changes">
                                                        {e
                                                            .changes
                                                            .into_iter()
                                                            .map(|(field, before, after)| {
                                                                let value = if before == after {
                                                                    before
                                                                } else {
                                                                    format!("{before} → {after}")
                                                                };
                                                                view! { <li>{field} " : " {value}</li> }
                                                            })
                                                            .collect_view()}
                                                    </ul>
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
            )}
        </Section>
    }
}

/// Under a list cut at 200 rows: « Seuls les 200 premiers sont affichés »
/// (`which` = "premiers", "plus récents").
pub fn truncated(cut: bool, which: &str) -> Option<impl IntoView + use<>> {
    cut.then(|| {
        view! { <p class="hint">{format!("Seuls les 200 {which} sont affichés : précisez la recherche.")}</p> }
    })
}

/// A back-office list's search: the box, `children` (more filters), the
/// agency an administrator chose (kept), and the button for a browser
/// without the WASM.
#[component]
pub fn DeskSearch(
    action: &'static str,
    class: &'static str,
    label: &'static str,
    placeholder: &'static str,
    search: RwSignal<String>,
    agency: Signal<Option<String>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <form method="get" action=action class=class role="search">
            <SearchBox label placeholder search autocomplete="off" />
            {children.map(|children| children())}
            {move || agency.get().map(|a| view! { <input type="hidden" name="agence" value=a /> })}
            <button type="submit" class="button button-small">
                "Rechercher"
            </button>
        </form>
    }
}
