//! A page drawn from its one resource, and the page of one thing in a space.

use super::{Loading, Shell, Space, show_result};
use crate::error::AppError;
use leptos::prelude::*;

/// What a page shows of its resource: « Chargement… » while it loads, then
/// `ok` of its value (or the error, or the way to the login page: see
/// `show_result`). With `keep`, a page whose search or filter loads anew
/// keeps showing the rows it had meanwhile (a `Transition`).
#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, AppError>>, ok: F, #[prop(optional)] keep: bool) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    let body = move || {
        let ok = ok.clone();
        Suspend::new(async move { show_result(resource.await, ok) })
    };
    if keep {
        view! { <Transition fallback=Loading>{body}</Transition> }.into_any()
    } else {
        view! { <Suspense fallback=Loading>{body}</Suspense> }.into_any()
    }
}

/// One thing's page (a member, a voucher, an invoice…) or a form that needs
/// its resource first: the space's frame, `heading` if the page has one
/// before it loads, the thing as its resource says, and the way back to the
/// list it belongs to.
#[component]
pub fn DetailPage<T, V, F>(
    /// The browser tab's title.
    title: &'static str,
    space: Space,
    #[prop(optional)] heading: &'static str,
    resource: Resource<Result<T, AppError>>,
    ok: F,
    /// The list's address and the link's words (« Retour aux … »).
    back: (&'static str, &'static str),
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Shell space title heading>
            <Loaded resource ok />
            <BackLink href=back.0 label=back.1 />
        </Shell>
    }
}

/// « Retour aux … »: the way back to a list, under the page.
#[component]
pub fn BackLink(href: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <p>
            <a href=href>{label}</a>
        </p>
    }
}
