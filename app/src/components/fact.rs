//! One line of a card: a `<dl>` says what a thing is, fact by fact.

use leptos::prelude::*;

/// `term`, then its value (`children`): a `<dt>` and its `<dd>`. `class`
/// is the value's, as the stylesheet and the tests know it (`"amount"`);
/// `status` its `data-status` (the code of the status it shows).
#[component]
pub fn Fact(
    term: &'static str,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] status: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <dt>{term}</dt>
        <dd class=class data-status=status>
            {children()}
        </dd>
    }
}
