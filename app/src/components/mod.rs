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
mod focus;
mod loaded;
pub mod network;
mod section;
mod shell;
mod spoken;
mod table;
mod tile;

pub use chart::MonthlyChartView;
pub use check::{NumberAndCode, answer_then_form};
pub use fact::Fact;
pub use field::Field;
pub use filters::{SearchBox, StatusSelect, invoice_statuses, voucher_statuses};
pub use focus::FocusOnNavigation;
pub use loaded::{BackLink, DetailPage, Loaded, Refreshing, id_resource};
pub use section::Section;
pub use shell::{Shell, Space};
pub use spoken::{SpokenChars, spelled};
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

/// An error, announced as it appears (`role="alert"`). In a form, the
/// fields it is about (`AppError::fields`) are marked `aria-invalid` and
/// described by it, and the first takes the focus; when the error goes (the
/// form sent again), so do the marks.
///
/// `id` names the notice for a field that refers to it itself (a page's
/// own check of a field, rendered on the server). The error of a form
/// posted without the WASM is `FORM_ERROR_ID` on both sides: the server
/// marks that form's fields with it (`server/src/http/forms.rs`).
#[component]
pub fn ErrorNotice(error: AppError, #[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    let fields: Vec<String> = error.fields().into_iter().map(str::to_owned).collect();
    let id = id.or_else(|| crate::FormError::is_the_pages(&error).then_some(crate::FORM_ERROR_ID));
    let notice = NodeRef::<leptos::html::P>::new();
    #[cfg(feature = "hydrate")]
    {
        let id = id.map_or_else(next_error_id, str::to_owned);
        let tied = id.clone();
        Effect::new(move |_| {
            if let Some(notice) = notice.get() {
                field_errors::tie(&notice, &tied, &fields);
            }
        });
        on_cleanup(move || field_errors::untie(&id));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = fields;
    view! {
        <p class="notice notice-error" role="alert" id=id node_ref=notice>
            {error.to_string()}
        </p>
    }
}

#[cfg(feature = "hydrate")]
fn next_error_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("erreur-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// In the browser: an error notice tied to the fields it is about.
#[cfg(feature = "hydrate")]
mod field_errors {
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement};

    /// Gives `notice` its id, marks the named fields of its form invalid and
    /// described by it, and puts the focus on the first.
    pub fn tie(notice: &Element, id: &str, fields: &[String]) {
        notice.set_id(id);
        let Some(form) = notice.closest("form").ok().flatten() else {
            return;
        };
        let mut first = None;
        for field in fields {
            // Field names are ours: plain identifiers.
            let Ok(Some(input)) = form.query_selector(&format!("[name=\"{field}\"]:not([type=hidden])")) else {
                continue;
            };
            let _ = input.set_attribute("aria-invalid", "true");
            let described = input.get_attribute("aria-describedby").unwrap_or_default();
            if !described.split_whitespace().any(|d| d == id) {
                let _ = input.set_attribute("aria-describedby", format!("{id} {described}").trim());
            }
            first.get_or_insert(input);
        }
        if let Some(input) = first.and_then(|i| i.dyn_into::<HtmlElement>().ok()) {
            let _ = input.focus();
        }
    }

    /// Takes the marks of the error `id` off every field.
    pub fn untie(id: &str) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(marked) = document.query_selector_all(&format!("[aria-describedby~=\"{id}\"]")) else {
            return;
        };
        for i in 0..marked.length() {
            let Some(input) = marked.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let _ = input.remove_attribute("aria-invalid");
            let described = input.get_attribute("aria-describedby").unwrap_or_default();
            let kept: Vec<&str> = described.split_whitespace().filter(|d| *d != id).collect();
            if kept.is_empty() {
                let _ = input.remove_attribute("aria-describedby");
            } else {
                let _ = input.set_attribute("aria-describedby", &kept.join(" "));
            }
        }
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
