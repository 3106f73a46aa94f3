//! The big links of a space's home page, made for a thumb.

use leptos::prelude::*;

/// A tile leading to `href`: `label`, and under it, when given, what is
/// waiting there (`sub`: « 3 bons à facturer »). The `primary` tile is the
/// space's main task.
#[component]
pub fn Tile(
    href: &'static str,
    label: &'static str,
    #[prop(optional)] primary: bool,
    #[prop(optional, into)] sub: Option<String>,
) -> impl IntoView {
    let class = if primary { "tile tile-primary" } else { "tile" };
    match sub {
        None => view! { <a class=class href=href>{label}</a> }.into_any(),
        Some(sub) => view! {
            <a class=class href=href>
                <span>{label} <span class="tile-sub">{sub}</span></span>
            </a>
        }
        .into_any(),
    }
}
