use crate::components::{Loaded, SearchBox, Shell, Space};
use crate::security::escape_html;
use crate::{api::vouchers::my_vouchers, domain::voucher::WEB_VOUCHER_LABEL, model::vouchers::VoucherRow};
use leptos::prelude::*;
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
        row.number.as_ref().map(ToString::to_string).unwrap_or_default(),
        row.requested_on
    );
    matches_text(&haystack, search)
}

/// `matches_search` on a row's text: the server's rows and the browser's
/// table rows (`row_text`) are searched by this one rule.
pub fn matches_text(haystack: &str, search: &str) -> bool {
    crate::domain::search::matches(haystack, search)
}

/// The table's rows as HTML, written in one go: every voucher, in the order
/// of `rows`, those the search does not match `hidden`.
///
/// A member's list holds every voucher they ever had. Through Leptos's
/// renderer (a keyed `For`, a component per row) 200 rows took about a
/// quarter of the page's server time in a profile; written as one string
/// they cost a few microseconds. The search box then shows and hides the
/// rows in place (`VoucherListPage`), reading them from the table itself.
///
/// A row is as short as it can be: 200 of them are most of the page, which
/// is compressed whole for every request. The cells' labels on a phone come
/// from the stylesheet (`.my-vouchers`), not from an attribute per cell;
/// the day of the request, searched but not shown, rides on the row.
pub fn rows_html(rows: &[VoucherRow], search: &str) -> String {
    use std::fmt::Write;
    let mut html = String::with_capacity(rows.len() * 320);
    for row in rows {
        let status = row.status.code();
        let hidden = if matches_search(row, search) { "" } else { " hidden" };
        let _ = write!(
            html,
            "<tr class=\"voucher-row\" data-status=\"{status}\" data-day=\"{}\"{hidden}><td>{WEB_VOUCHER_LABEL}</td>\
             <td class=\"status\">{}</td><td class=\"amount\">{}</td><td>",
            row.requested_on,
            row.status.label(),
            row.amount.decimal_fr(),
        );
        escape_html(&row.supplier, &mut html);
        html.push_str("</td><td class=\"number\">");
        match &row.number {
            Some(number) => escape_html(&number.to_string(), &mut html),
            None => html.push('—'),
        }
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

/// The member's vouchers as the list page holds them. The server writes
/// every row into the table; the browser hydrating that table needs none of
/// them again (the search reads the rows in the table), so the page's
/// hydration data carries two numbers, not 200 rows a second time (a third
/// of the page, and of its compression, in a profile). When the page is
/// drawn in the browser (a link followed in the app) the rows come with
/// the call and are written by the browser.
#[derive(Debug, Clone, PartialEq)]
struct ListedVouchers {
    /// How many vouchers the member has.
    count: usize,
    /// How many of them the search in the page's address matches.
    matching: usize,
    /// Empty in a browser that hydrated the server's table.
    rows: Vec<VoucherRow>,
}

impl ListedVouchers {
    fn new(rows: Vec<VoucherRow>, search: &str) -> ListedVouchers {
        let matching = rows.iter().filter(|r| matches_search(r, search)).count();
        ListedVouchers { count: rows.len(), matching, rows }
    }
}

impl serde::Serialize for ListedVouchers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.count, self.matching).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for ListedVouchers {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (count, matching) = <(usize, usize)>::deserialize(deserializer)?;
        Ok(ListedVouchers { count, matching, rows: Vec::new() })
    }
}

/// "Demande de bons": the member's vouchers, newest first, with a search box
/// that filters as you type (and, without the WASM, on submit).
#[component]
pub fn VoucherListPage() -> impl IntoView {
    let query = use_query_map();
    let typed = query.read_untracked().get("q").unwrap_or_default();
    let search = RwSignal::new(typed.clone());
    let vouchers = Resource::new(
        || (),
        move |_| {
            let typed = typed.clone();
            async move { my_vouchers().await.map(|rows| ListedVouchers::new(rows, &typed)) }
        },
    );

    view! {
        <Shell space=Space::Member title="Demande de bons — Bons Castors" heading="Demande de bons">
            <form method="get" action="/bons" class="search" role="search">
                <SearchBox label="Rechercher dans le tableau ci-dessous :" placeholder="écrivez ici ..." search />
            </form>
            <Loaded
                resource=vouchers
                ok=move |listed| {
                    if listed.count == 0 {
                        return view! {
                            <p class="empty">
                                "Vous n'avez encore demandé aucun bon. "
                                <a href="/bons/nouveau">"DEMANDE DE BONS CASTORS WEB"</a>
                            </p>
                        }
                            .into_any();
                    }
                    // Hydrating, the rows are the server's, already in the table.
                    let html = search.with_untracked(|search| rows_html(&listed.rows, search));
                    let none_match = RwSignal::new(listed.matching == 0);
                    let body = NodeRef::<leptos::html::Tbody>::new();
                    show_matching_rows(body, search, none_match);
                    view! {
                        <table class="vouchers my-vouchers">
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
                        <Show when=move || none_match.get()>
                            <p class="empty">"Aucun bon ne correspond à votre recherche."</p>
                        </Show>
                    }
                        .into_any()
                }
            />
            <p>
                <a class="button" href="/bons/nouveau">
                    "DEMANDE DE BONS CASTORS WEB"
                </a>
            </p>
        </Shell>
    }
}

/// As the member types, each row of the table is shown or hidden in place,
/// by what the row says (`row_text`), and the "nothing matches" line with
/// them.
fn show_matching_rows(body: NodeRef<leptos::html::Tbody>, search: RwSignal<String>, none_match: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let Some(body) = body.get() else { return };
        let table_rows = body.rows();
        let mut any = false;
        search.with(|search| {
            for i in 0..table_rows.length() {
                if let Some(tr) = table_rows.item(i) {
                    let show = matches_text(&row_text(&tr), search);
                    any |= show;
                    let _ = tr.toggle_attribute_with_force("hidden", !show);
                }
            }
        });
        none_match.set(!any);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (body, search, none_match);
}

/// What a row of the table says, as `matches_search` reads a voucher: its
/// cells but the last (the « Ouvrir » button), and the day of the request.
#[cfg(feature = "hydrate")]
fn row_text(tr: &web_sys::Element) -> String {
    let cells = tr.children();
    let mut text = String::new();
    for i in 0..cells.length().saturating_sub(1) {
        if let Some(cell) = cells.item(i) {
            text.push_str(&cell.text_content().unwrap_or_default());
            text.push(' ');
        }
    }
    text.push_str(&tr.get_attribute("data-day").unwrap_or_default());
    text
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
            number: "W2026.NA.442.00000007".parse().ok(),
            requested_on: crate::domain::Day::parse_iso("2026-11-23").unwrap(),
        }
    }

    #[test]
    fn search_finds_a_voucher_by_any_column() {
        for q in [
            "",
            "  ",
            "matériaux",
            "materiaux",
            "LIVRE",
            "livré",
            "11-livré",
            "1 234,00",
            "00000007",
            "bon castors",
            "23/11",
        ] {
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
        assert!(html.contains(r#"<td class="number">—</td>"#), "{html}");
        assert!(html.contains(r#"data-day="23/11/2026""#), "the day searched rides on the row: {html}");
        assert!(!html.contains(" hidden"), "no search, every row shown: {html}");

        // Every row is kept, those the search misses hidden.
        let html = rows_html(&[issued, row()], "ouest");
        assert_eq!(html.matches("<tr ").count(), 2, "{html}");
        assert!(html.starts_with(r#"<tr class="voucher-row" data-status="1" data-day="23/11/2026" hidden>"#), "{html}");
        assert!(html.contains(r#"<tr class="voucher-row" data-status="11" data-day="23/11/2026">"#), "{html}");
    }

    #[test]
    fn search_hides_what_does_not_match() {
        for q in ["bois", "1-emis", "00000008", "ouest bois"] {
            assert!(!matches_search(&row(), q), "{q:?} should not match");
        }
    }

    #[test]
    fn a_rows_text_in_the_table_is_searched_like_the_voucher() {
        // What the browser reads of a row (`row_text`): the cells' text and the day.
        let text = "BON CASTORS WEB 11-livré 1\u{a0}234,00 Matériaux de l'Ouest W2026.NA.442.00000007 23/11/2026";
        for q in ["matériaux", "11-livré", "1 234,00", "00000007", "23/11", "ouest livré"] {
            assert_eq!(matches_text(text, q), matches_search(&row(), q), "{q:?}");
            assert!(matches_text(text, q), "{q:?}");
        }
        assert!(!matches_text(text, "bois"));
    }

    #[test]
    fn the_hydration_data_carries_counts_not_rows() {
        let listed = ListedVouchers::new(vec![row(), row()], "bois");
        let json = serde_json::to_string(&listed).unwrap();
        assert_eq!(json, "[2,0]");
        let back: ListedVouchers = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ListedVouchers { count: 2, matching: 0, rows: vec![] });
    }
}
