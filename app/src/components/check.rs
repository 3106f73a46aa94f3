//! Checking a voucher from its delivery slip, and the counter screens'
//! shape: the answer to the last number and code typed, then the form
//! again for the next.

use super::Field;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A counter screen's body (« Vérifier un bon », « Encaisser un pass »):
/// the answer to the last number and code typed, `(its number, its view)`,
/// under `again`, then `form` — a new one, empty, for the next (keyed on
/// the answer: patching the old inputs would keep what was typed).
/// Without an answer, the form alone, its number filled from `?numero=`
/// (the QR code's check page links there).
pub fn answer_then_form<V, F, FV>(answer: Option<(String, V)>, again: &'static str, form: F) -> impl IntoView
where
    V: IntoView + 'static,
    F: Fn(String) -> FV + Clone + Send + Sync + 'static,
    FV: IntoView + 'static,
{
    let (key, shown) = match answer {
        Some((number, view)) => (number, Some(view)),
        None => (String::new(), None),
    };
    let prefill = match shown {
        Some(_) => String::new(),
        None => use_query_map().read_untracked().get("numero").unwrap_or_default(),
    };
    let answered = shown.is_some();
    view! {
        {shown}
        {answered.then(|| view! { <h2>{again}</h2> })}
        <For each=move || [key.clone()] key=|k| k.clone() children=move |_| form(prefill.clone()) />
    }
}

/// The voucher number and the secret code written on a delivery slip, and
/// the button that checks them: the public check page and the supplier's
/// counter ask the same, each inside its own `ActionForm`. `number` fills
/// the number (`?numero=`); `children` stand between the fields and the
/// button (the action's error); the counter's button is `big`.
#[component]
pub fn NumberAndCode(
    #[prop(into)] number: Signal<String>,
    /// While a check is under way the button waits.
    #[prop(into)]
    pending: Signal<bool>,
    #[prop(optional)] big: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <Field
            name="number"
            label="N° du bon"
            autocomplete="off"
            autocapitalize="characters"
            placeholder="W2026.NA.442.00000123"
            value=number
            required=true
        />
        <Field
            name="code"
            label="Code secret"
            inputmode="numeric"
            autocomplete="off"
            placeholder="5312"
            required=true
        />
        {children()}
        <button
            type="submit"
            class=if big { "button button-primary button-big" } else { "button button-primary" }
            disabled=move || pending.get()
        >
            "VÉRIFIER"
        </button>
    }
}
