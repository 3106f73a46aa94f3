//! View pieces used by several pages: the frame of each space (`shell`), a
//! page drawn from its resource and one thing's page (`loaded`), tables,
//! sections, form fields, a form's end (`Submit`), search boxes and status
//! filters, the number-and-code check, a card's facts, results and notices. A page says what
//! is on it; how a table, a field or a notice is written is said here once.

mod chart;
mod check;
mod fact;
mod field;
mod filters;
mod loaded;
pub mod network;
mod section;
mod shell;
mod table;
mod tile;

pub use chart::MonthlyChartView;
pub use check::{NumberAndCode, answer_then_form};
pub use fact::Fact;
pub use field::Field;
pub use filters::{SearchBox, StatusSelect, invoice_statuses, voucher_statuses};
pub use loaded::{BackLink, DetailPage, Loaded, Refreshing, id_resource};
pub use section::Section;
pub use shell::{Shell, Space};
pub use table::{Table, or_empty};
pub use tile::Tile;

use crate::error::AppError;
use leptos::prelude::*;
#[cfg(not(feature = "ssr"))]
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Renders a server result: `ok` on success, a French message on error, and
/// the login page for someone who is not (or no longer) logged in, which
/// leads back here once they are.
///
/// Rendered on the server, the page's answer says the same: a 303 to the
/// login page whatever the request accepts (a browser without the WASM, the
/// service worker), and the error's own status otherwise (404 for what does
/// not exist or is not the visitor's, 403 for another role's space), so that
/// nothing keeps an error page as the page.
pub fn show_result<T, V>(result: Result<T, AppError>, ok: impl FnOnce(T) -> V) -> AnyView
where
    V: IntoView + 'static,
{
    match result {
        Ok(value) => ok(value).into_any(),
        Err(AppError::NotLoggedIn) => {
            let location = use_location();
            let search = location.search.get_untracked();
            let here = if search.is_empty() {
                location.pathname.get_untracked()
            } else {
                format!("{}?{search}", location.pathname.get_untracked())
            };
            to_login(crate::security::login_path(&here))
        }
        Err(error) => {
            #[cfg(feature = "ssr")]
            page_status(error.status_code(), None);
            view! { <ErrorNotice error /> }.into_any()
        }
    }
}

#[cfg(feature = "ssr")]
fn to_login(to: String) -> AnyView {
    page_status(303, Some(&to));
    ().into_any()
}

#[cfg(not(feature = "ssr"))]
fn to_login(to: String) -> AnyView {
    view! { <Redirect path=to /> }.into_any()
}

/// Sets the status (and where to go) of the page being rendered on the
/// server.
#[cfg(feature = "ssr")]
fn page_status(status: u16, location: Option<&str>) {
    use axum::http::{HeaderValue, StatusCode, header};
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    response.set_status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        response.insert_header(header::LOCATION, value);
    }
}

#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <p class="notice notice-error" role="alert">
            {error.to_string()}
        </p>
    }
}

/// `text` as a notice when `shown`: `class` says which ("notice
/// notice-warn member-inactive").
pub fn notice(shown: bool, class: &'static str, text: &'static str) -> Option<impl IntoView + use<>> {
    shown.then(|| view! { <p class=class>{text}</p> })
}

/// What was just done (« Paramètres enregistrés. »), when `shown`: screen
/// readers announce it.
pub fn done_notice(shown: bool, text: &'static str) -> Option<impl IntoView + use<>> {
    shown.then(|| {
        view! {
            <p class="notice notice-ok" role="status">
                {text}
            </p>
        }
    })
}

/// An action's error, if its last run failed: shown under the form that ran it.
#[component]
pub fn ActionError<I, O>(action: ServerAction<I>) -> impl IntoView
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })
}

/// A page whose forms change what its resource shows (an order's page and
/// its many steps): each of its `Submit`s' actions that succeeds counts
/// here, and the page's resource, which reads the count, loads again. An
/// action's redirect back to the same address would not reload it, and one
/// that failed keeps the page (and its error) as it is.
#[derive(Clone, Copy)]
pub struct PageChanges(RwSignal<u64>);

impl PageChanges {
    /// Provides the count to the page's forms; read it in the resource's source.
    pub fn provide() -> PageChanges {
        let changes = PageChanges(RwSignal::new(0));
        provide_context(changes);
        changes
    }

    pub fn get(self) -> u64 {
        self.0.get()
    }
}

/// The end of a form: its action's error, if its last run failed, then the
/// button that sends it (`primary` for the page's main action).
#[component]
pub fn Submit<I, O>(action: ServerAction<I>, label: &'static str, #[prop(optional)] primary: bool) -> impl IntoView
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    if let Some(PageChanges(count)) = use_context::<PageChanges>() {
        Effect::new(move |_| {
            if matches!(action.value().get(), Some(Ok(_))) {
                count.update(|n| *n += 1);
            }
        });
    }
    view! {
        <ActionError action />
        <button type="submit" class=if primary { "button button-primary" } else { "button" }>
            {label}
        </button>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading">"Chargement…"</p> }
}

/// A form whose server function's arguments the page already knows (a
/// voucher's id): without the WASM it posts its fields like
/// any form; with it, a submit dispatches `input` through `action`.
/// `ActionForm` would read the arguments back from the form's fields, with a
/// query-string decoder that the main WASM bundle then carries: the pages at
/// the counter use this instead (see docs/PERFORMANCE.md, the bundle).
#[component]
pub fn SendForm<S>(
    action: ServerAction<S>,
    input: S,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    // The browser has checked the form's own constraints (a required
    // checkbox) before it fires `submit`.
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(input.clone());
    };
    view! {
        <form method="post" action=S::url() class=class on:submit=send>
            {children()}
        </form>
    }
}
