//! Checking a voucher from its delivery slip.

use super::Field;
use leptos::prelude::*;

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
