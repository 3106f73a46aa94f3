//! A form's field: its label, then its input.

use leptos::prelude::*;

/// A labelled input, `name` both its field's name and its id (what the label
/// points at, and what the tests fill) unless `id` says otherwise (two forms
/// on one page with the same fields). `kind` is its `type`, text unless
/// said; the other props are the input's attributes of the same name.
#[component]
pub fn Field(
    name: &'static str,
    #[prop(optional, into)] id: Option<String>,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] autocapitalize: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional, into)] value: MaybeProp<String>,
    #[prop(optional, into)] min: Option<String>,
    #[prop(optional, into)] max: Option<String>,
    #[prop(optional, into)] minlength: Option<String>,
    #[prop(optional, into)] maxlength: Option<String>,
    #[prop(optional)] accept: Option<&'static str>,
    /// The id of the hint under the field.
    #[prop(optional)]
    described_by: Option<&'static str>,
    #[prop(optional)] required: bool,
    /// Where each keystroke goes, for a page that reads the field as it is
    /// typed (an amount's live preview).
    #[prop(optional)]
    typed: Option<RwSignal<String>>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| name.to_owned());
    view! {
        <label for=id.clone()>{label}</label>
        <input
            id=id
            name=name
            type=kind
            inputmode=inputmode
            autocomplete=autocomplete
            autocapitalize=autocapitalize
            placeholder=placeholder
            min=min
            max=max
            minlength=minlength
            maxlength=maxlength
            accept=accept
            aria-describedby=described_by
            value=move || value.get()
            required=required
            on:input=move |ev| {
                if let Some(typed) = typed {
                    typed.set(event_target_value(&ev));
                }
            }
        />
    }
}
