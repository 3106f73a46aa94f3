//! A page drawn from its one resource, and the page of one thing in a space.

use super::{Loading, Shell, Space, show_result};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Serialize, de::DeserializeOwned};

/// What a page shows of its resource: « Chargement… » while it loads, then
/// `ok` of its value (or the error, or the way to the login page: see
/// `show_result`).
#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, AppError>>, ok: F) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! { <Suspense fallback=Loading>{move || shown(resource, ok.clone())}</Suspense> }
}

/// The same for a list whose search or filter loads it anew: meanwhile it
/// keeps showing the rows it had (a `Transition`). A component of its own,
/// so that the pages that never reload (the member's, in the main bundle)
/// do not carry a transition each.
#[component]
pub fn Refreshing<T, V, F>(resource: Resource<Result<T, AppError>>, ok: F) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! { <Transition fallback=Loading>{move || shown(resource, ok.clone())}</Transition> }
}

fn shown<T, V>(resource: Resource<Result<T, AppError>>, ok: impl FnOnce(T) -> V + Send + 'static) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    Suspend::new(async move { show_result(resource.await, ok) })
}

/// The resource of one thing's page: the thing whose id is in the page's
/// address (`:id`), loaded again when the address changes or when `also`
/// does. `also` is what else the page's answer depends on: the versions of
/// its actions (their redirect lands on this same address, so with the WASM
/// nothing else would reload it), a query parameter.
pub fn id_resource<T, A, Fut>(
    also: impl Fn() -> A + Send + Sync + 'static,
    fetch: impl Fn(String, A) -> Fut + Send + Sync + 'static,
) -> Resource<Result<T, AppError>>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    A: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let params = use_params_map();
    Resource::new(move || (params.read().get("id").unwrap_or_default(), also()), move |(id, a)| fetch(id, a))
}

/// One thing's page (a member, a voucher, an invoice…) or a form that needs
/// its resource first, in one of `space`'s lists: the space's frame, the
/// thing as its resource says, and the way back to the list (`back`, the
/// list's address: « Retour aux adhérents »). `title` names the page in
/// the browser's tab (« Adhérent — Agence Castors ») and, when `headed`,
/// as its heading before anything loads (a form: « Nouvel adhérent »).
#[component]
pub fn DetailPage<T, V, F>(
    space: Space,
    title: &'static str,
    #[prop(optional)] headed: bool,
    back: &'static str,
    resource: Resource<Result<T, AppError>>,
    ok: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    let heading = if headed { title } else { "" };
    view! {
        <Shell space title=space.tab_title(title) heading>
            <Loaded resource ok />
            <BackLink href=back label=space.back_to(back) />
        </Shell>
    }
}

/// « Retour aux … »: the way back to a list, under the page.
#[component]
pub fn BackLink(href: &'static str, #[prop(into)] label: String) -> impl IntoView {
    view! {
        <p>
            <a href=href>{label}</a>
        </p>
    }
}
