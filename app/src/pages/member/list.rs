use crate::{
    api::vouchers::{VoucherRow, my_vouchers},
    components::{Loading, MemberShell, show_result},
    domain::voucher::WEB_VOUCHER_LABEL,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Does a row match what the member typed in the search box? Every word must
/// appear somewhere in the row, ignoring case.
pub fn matches_search(row: &VoucherRow, search: &str) -> bool {
    // The common case, and every server render: no search, every row.
    if search.trim().is_empty() {
        return true;
    }
    let haystack = format!(
        "{} {} {} {} {} {}",
        WEB_VOUCHER_LABEL,
        row.status.label(),
        row.amount.decimal_fr(),
        row.supplier,
        row.number.as_deref().unwrap_or_default(),
        row.requested_on
    )
    .to_lowercase()
    .replace('\u{a0}', " ");
    search.to_lowercase().split_whitespace().all(|word| haystack.contains(word))
}

/// "Demande de bons": the member's vouchers, newest first, with a search box
/// that filters as you type (and, without the WASM, on submit).
#[component]
pub fn VoucherListPage() -> impl IntoView {
    let query = use_query_map();
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let vouchers = Resource::new(|| (), |_| my_vouchers());

    view! {
        <Title text="Demande de bons — Bons Castors" />
        <MemberShell>
            <h1>"Demande de bons"</h1>
            <form method="get" action="/bons" class="search" role="search">
                <label for="q">"Rechercher dans le tableau ci-dessous :"</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    placeholder="écrivez ici ..."
                    prop:value=search
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </form>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    show_result(
                        vouchers.await,
                        move |rows| {
                            if rows.is_empty() {
                                return view! {
                                    <p class="empty">
                                        "Vous n'avez encore demandé aucun bon. "
                                        <a href="/bons/nouveau">"DEMANDE DE BONS CASTORS WEB"</a>
                                    </p>
                                }
                                    .into_any();
                            }
                            // Filtered once per change of the search, for both the
                            // table and the "nothing matches" line.
                            let shown = Memo::new(move |_| {
                                search.with(|search| {
                                    rows.iter().filter(|r| matches_search(r, search)).cloned().collect::<Vec<_>>()
                                })
                            });
                            view! {
                                <table class="vouchers">
                                    <thead>
                                        <tr>
                                            <th>"Type de bon"</th>
                                            <th>"Statut du Bon"</th>
                                            <th>"Valeur du bon"</th>
                                            <th>"Fournisseur"</th>
                                            <th>"N° du bon"</th>
                                            <th>
                                                <span class="visually-hidden">"Ouvrir"</span>
                                            </th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        <For each=move || shown.get() key=|r| (r.id, r.status) let:r>
                                            <VoucherLine row=r />
                                        </For>
                                    </tbody>
                                </table>
                                <Show when=move || shown.with(Vec::is_empty)>
                                    <p class="empty">"Aucun bon ne correspond à votre recherche."</p>
                                </Show>
                            }
                                .into_any()
                        },
                    )
                })}
            </Suspense>
            <p>
                <a class="button" href="/bons/nouveau">
                    "DEMANDE DE BONS CASTORS WEB"
                </a>
            </p>
        </MemberShell>
    }
}

#[component]
fn VoucherLine(row: VoucherRow) -> impl IntoView {
    let href = format!("/bons/{}", row.id);
    // A used voucher's card is what the member shows at the counter: the
    // service worker fetches the cards so marked, whenever it sees this list
    // online, so they open without network (see server/src/http/site.rs).
    let offline_card = row.number.is_some().then(|| row.status.code());
    view! {
        <tr class="voucher-row" data-status=row.status.code()>
            <td data-label="Type de bon">{WEB_VOUCHER_LABEL}</td>
            <td data-label="Statut du Bon" class="status">
                {row.status.label()}
            </td>
            <td data-label="Valeur du bon" class="amount">
                {row.amount.decimal_fr()}
            </td>
            <td data-label="Fournisseur">{row.supplier}</td>
            <td data-label="N° du bon" class="number">
                {row.number.unwrap_or_else(|| "—".into())}
            </td>
            <td>
                <a class="button button-small" href=href data-offline-card=offline_card>
                    "Ouvrir"
                </a>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, VoucherStatus};

    fn row() -> VoucherRow {
        VoucherRow {
            id: 1,
            status: VoucherStatus::Delivered,
            amount: Money::from_cents(123_400),
            supplier: "Matériaux de l'Ouest".into(),
            number: Some("W2026.NA.442.00000007".into()),
            requested_on: "23/11/2026".into(),
        }
    }

    #[test]
    fn search_finds_a_voucher_by_any_column() {
        for q in
            ["", "  ", "matériaux", "livré", "11-livré", "1 234,00", "00000007", "bon castors", "23/11", "ouest livré"]
        {
            assert!(matches_search(&row(), q), "{q:?} should match");
        }
    }

    #[test]
    fn search_hides_what_does_not_match() {
        for q in ["bois", "1-emis", "00000008", "ouest bois"] {
            assert!(!matches_search(&row(), q), "{q:?} should not match");
        }
    }
}
