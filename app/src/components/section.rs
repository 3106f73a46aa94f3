//! A part of a page under its own heading.

use leptos::prelude::*;

/// A `<section>` headed by `title`; `hint` says what it is for (what its
/// form will do) before `children`. `class` is the stylesheet's and the
/// tests' name for it.
#[component]
pub fn Section(
    title: &'static str,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class=class>
            <h2>{title}</h2>
            {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
            {children()}
        </section>
    }
}
