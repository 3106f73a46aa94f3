//! Tables of rows, and the line said instead when there are none.

use leptos::prelude::*;

/// A table headed by `columns`, each of `children` a row. Back-office tables
/// sit in a box that scrolls sideways on a phone; the supplier's
/// (`unwrapped`) fold each row into a card instead, from its cells'
/// `data-label`. `action` names, for screen readers only, a last column of
/// buttons; `foot` is the table's totals.
#[component]
pub fn Table(
    /// The table's classes, as the stylesheet and the tests know it (`"table members"`).
    class: &'static str,
    columns: Vec<&'static str>,
    #[prop(optional)] action: Option<&'static str>,
    #[prop(optional)] unwrapped: bool,
    #[prop(optional)] foot: Option<AnyView>,
    children: Children,
) -> impl IntoView {
    let table = view! {
        <table class=class>
            <thead>
                <tr>
                    {columns.into_iter().map(|column| view! { <th>{column}</th> }).collect_view()}
                    {action
                        .map(|action| {
                            view! {
                                <th>
                                    <span class="visually-hidden">{action}</span>
                                </th>
                            }
                        })}
                </tr>
            </thead>
            <tbody>{children()}</tbody>
            {foot.map(|foot| view! { <tfoot>{foot}</tfoot> })}
        </table>
    };
    if unwrapped { table.into_any() } else { view! { <div class="table-wrap">{table}</div> }.into_any() }
}

/// `full()` when there is something to show, else `message` in its place
/// (« Aucun … »).
pub fn or_empty<V: IntoView + 'static>(empty: bool, message: &'static str, full: impl FnOnce() -> V) -> AnyView {
    if empty { view! { <p class="empty">{message}</p> }.into_any() } else { full().into_any() }
}
