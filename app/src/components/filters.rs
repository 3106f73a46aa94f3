//! What a list is searched and filtered by: plain GET forms, so that they
//! work without the WASM and the address can be bookmarked.

use crate::domain::{InvoiceStatus, VoucherStatus};
use leptos::prelude::*;

/// A list's search box (`q`): with the WASM the list follows as one types,
/// without it the form is sent.
#[component]
pub fn SearchBox(
    label: &'static str,
    placeholder: &'static str,
    search: RwSignal<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label for="q">{label}</label>
        <input
            id="q"
            name="q"
            type="search"
            autocomplete=autocomplete
            placeholder=placeholder
            // The attribute for the page as sent (a search sent without the
            // WASM stays in the box), the property as one types.
            value=search.get_untracked()
            prop:value=search
            on:input=move |ev| search.set(event_target_value(&ev))
        />
    }
}

/// The `statut` a list shows: `all` (« Tous », « Toutes ») or one of
/// `statuses` (code and label). With the WASM a change is read at once
/// into `chosen`.
#[component]
pub fn StatusSelect(
    label: &'static str,
    all: &'static str,
    statuses: Vec<(String, &'static str)>,
    chosen: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for="statut">{label}</label>
        <select id="statut" name="statut" on:change=move |ev| chosen.set(event_target_value(&ev))>
            <option value="" selected=move || chosen.with(String::is_empty)>
                {all}
            </option>
            {statuses
                .into_iter()
                .map(|(code, label)| {
                    let selected = {
                        let code = code.clone();
                        move || chosen.with(|chosen| *chosen == code)
                    };
                    view! {
                        <option value=code selected=selected>
                            {label}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

/// Voucher statuses as `StatusSelect` offers them.
pub fn voucher_statuses(statuses: &[VoucherStatus]) -> Vec<(String, &'static str)> {
    statuses.iter().map(|s| (s.code().to_string(), s.label())).collect()
}

/// Invoice statuses as `StatusSelect` offers them.
pub fn invoice_statuses() -> Vec<(String, &'static str)> {
    InvoiceStatus::ALL.iter().map(|s| (s.code().to_owned(), s.label())).collect()
}
