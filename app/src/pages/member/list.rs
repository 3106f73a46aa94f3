use crate::{
    api::vouchers::{VoucherRow, my_vouchers},
    components::{Loading, MemberShell, show_result},
    domain::voucher::WEB_VOUCHER_LABEL,
    security::escape_html,
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

/// The table's rows as HTML, written in one go: every voucher, in the order
/// of `rows`, those the search does not match `hidden`.
///
/// A member's list holds every voucher they ever had. Through Leptos's
/// renderer (a keyed `For`, a component per row) 200 rows took about a
/// quarter of the page's server time in a profile; written as one string
/// they cost a few microseconds. The search box then shows and hides the
/// rows in place (`VoucherListPage`), which needs every row in the page,
/// in this order.
pub fn rows_html(rows: &[VoucherRow], search: &str) -> String {
    use std::fmt::Write;
    let mut html = String::with_capacity(rows.len() * 480);
    for row in rows {
        let status = row.status.code();
        let hidden = if matches_search(row, search) { "" } else { " hidden" };
        let _ = write!(
            html,
            "<tr class=\"voucher-row\" data-status=\"{status}\"{hidden}>\
             <td data-label=\"Type de bon\">{WEB_VOUCHER_LABEL}</td>\
             <td data-label=\"Statut du Bon\" class=\"status\">{}</td>\
             <td data-label=\"Valeur du bon\" class=\"amount\">{}</td>\
             <td data-label=\"Fournisseur\">",
            row.status.label(),
            row.amount.decimal_fr(),
        );
        escape_html(&row.supplier, &mut html);
        html.push_str("</td><td data-label=\"N° du bon\" class=\"number\">");
        escape_html(row.number.as_deref().unwrap_or("—"), &mut html);
        let _ = write!(html, "</td><td><a class=\"button button-small\" href=\"/bons/{}\"", row.id);
        // A used voucher's card is what the member shows at the counter: the
        // service worker fetches the cards so marked, whenever it sees this
        // list online, so they open without network (see server/src/http/site.rs).
        if row.number.is_some() {
            let _ = write!(html, " data-offline-card=\"{status}\"");
        }
        html.push_str(">Ouvrir</a></td></tr>");
    }
    html
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
                    // The attribute for the page as sent (a search sent
                    // without the WASM stays in the box), the property as
                    // the member types.
                    value=search.get_untracked()
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
                            let html = search.with_untracked(|search| rows_html(&rows, search));
                            // Which rows the search matches, once per change of
                            // the search, for the table and the "nothing matches" line.
                            let shown = Memo::new(move |_| {
                                search.with(|search| rows.iter().map(|r| matches_search(r, search)).collect::<Vec<_>>())
                            });
                            let body = NodeRef::<leptos::html::Tbody>::new();
                            show_matching_rows(body, shown);
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
                                    <tbody node_ref=body inner_html=html></tbody>
                                </table>
                                <Show when=move || shown.with(|shown| !shown.contains(&true))>
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

/// As the member types, each row of the table is shown or hidden in place:
/// the table holds every row, in the order of `shown` (`rows_html`).
fn show_matching_rows(body: NodeRef<leptos::html::Tbody>, shown: Memo<Vec<bool>>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let Some(body) = body.get() else { return };
        let table_rows = body.rows();
        shown.with(|shown| {
            for (i, &show) in shown.iter().enumerate() {
                if let Some(tr) = table_rows.item(i as u32) {
                    let _ = tr.toggle_attribute_with_force("hidden", !show);
                }
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (body, shown);
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
    fn the_rows_are_written_in_order_escaped_and_hidden_when_the_search_misses() {
        let issued = VoucherRow {
            id: 2,
            status: VoucherStatus::Issued,
            supplier: "Bois & <Fils> \"l'atelier\"".into(),
            number: None,
            ..row()
        };
        let html = rows_html(&[issued.clone(), row()], "");
        assert_eq!(html.matches("<tr ").count(), 2, "{html}");
        assert!(html.find("/bons/2").unwrap() < html.find("/bons/1").unwrap(), "in the order given: {html}");
        assert!(html.contains("Bois &amp; &lt;Fils&gt; &quot;l&#39;atelier&quot;"), "{html}");
        assert!(!html.contains("<Fils>"), "{html}");
        // Only a used voucher's card is kept for offline reading.
        assert!(html.contains(r#"href="/bons/1" data-offline-card="11">Ouvrir</a>"#), "{html}");
        assert!(html.contains(r#"href="/bons/2">Ouvrir</a>"#), "{html}");
        assert!(html.contains(r#"<td data-label="N° du bon" class="number">—</td>"#), "{html}");
        assert!(!html.contains(" hidden"), "no search, every row shown: {html}");

        // Every row is kept, those the search misses hidden.
        let html = rows_html(&[issued, row()], "ouest");
        assert_eq!(html.matches("<tr ").count(), 2, "{html}");
        assert!(html.starts_with(r#"<tr class="voucher-row" data-status="1" hidden>"#), "{html}");
        assert!(html.contains(r#"<tr class="voucher-row" data-status="11">"#), "{html}");
    }

    #[test]
    fn search_hides_what_does_not_match() {
        for q in ["bois", "1-emis", "00000008", "ouest bois"] {
            assert!(!matches_search(&row(), q), "{q:?} should not match");
        }
    }
}
