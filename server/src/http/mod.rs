//! The HTTP surface: Leptos pages and server functions, static files, the
//! health check, and the middleware around them.

pub mod agency_files;
pub mod compress;
pub mod files;
pub mod forms;
pub mod guard;
pub mod metrics;
pub mod request_id;
pub mod shop_files;
pub mod site;
pub mod till;

use app::{App, server::AppState, shell};
use axum::{Router, extract::State, http::StatusCode, middleware, routing::get};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::{Arc, OnceLock};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::trace::TraceLayer;

/// Forms here are a few fields; anything bigger is not one of ours.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Smaller answers (a server function's JSON) gain a few bytes from
/// compression and cost an encoder's set-up each; pages, whose size is not
/// known before they stream, are always compressed.
const MIN_COMPRESSED_BYTES: u16 = 1024;

/// The app's routes, listed once per process.
///
/// Listing them runs the app with resources suppressed, and Leptos keeps
/// that switch in one process-wide flag (`SuppressResourceLoad`): a page of
/// another server of the same process whose resource is first polled
/// meanwhile waits forever (leptos-rs/leptos#4773). Tests run many servers
/// side by side in one process; one of their pages was caught by it, now
/// and then, and answered « Rechargez la page » after `PAGE_DEADLINE`.
/// Listed once, before any server of the process is built, no page can be
/// rendering while it is done.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole site: four groups of routes, each with the layers of its own
/// kind of request, merged here; then what every answer gets. A route's
/// edges follow from the group it is in, never from where it is listed.
///
/// | group      | cross-site posts | body limit                | page nonce, cache headers |
/// |------------|------------------|---------------------------|---------------------------|
/// | `pages`    | refused          | 64 KiB, read whole        | yes                       |
/// | `uploads`  | refused          | each upload's own         | no                        |
/// | `till`     | allowed (a key)  | 256 KiB, the API's own    | no                        |
/// | `health`   | (GET only)       | none needed               | no                        |
pub fn router(state: AppState) -> Router {
    let edge = guard::Edge::new(&state.settings.public_url);
    metrics::recorder();
    Router::new()
        .merge(pages(&state, &edge))
        .merge(uploads(&edge))
        .merge(till::router())
        .merge(health())
        // Every route above, counted under its template.
        .route_layer(middleware::from_fn(metrics::track))
        .layer(middleware::from_fn_with_state(edge, guard::security_headers))
        // Pages whole, with brotli; then what is left: pages for browsers
        // without brotli, larger server function answers. Static files come
        // pre-compressed.
        .layer(middleware::from_fn(compress::pages))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(SizeAbove::new(MIN_COMPRESSED_BYTES))))
        .layer(TraceLayer::new_for_http().make_span_with(request_id::span))
        // Outside the trace layer, whose span names the id.
        .layer(middleware::from_fn(request_id::tag))
        .with_state(state)
}

/// What a browser asks for with its session cookie: pages, server
/// functions, the service worker and static files, downloads. Bodies are
/// read whole here, so that one past the limit is refused (413) whether or
/// not it declared its length; a state-changing request from another site
/// is refused (403); a page that does not render in time is answered with
/// a reload message.
fn pages(state: &AppState, edge: &guard::Edge) -> Router<AppState> {
    let forms = forms::Forms::new(state, &edge.public_origin, MAX_BODY_BYTES);
    let site = Arc::new(site::Site::load(&state.leptos_options));
    let options = state.leptos_options.clone();
    Router::new()
        .merge(site::router(site.clone()))
        .merge(files::downloads())
        .merge(shop_files::downloads())
        .leptos_routes_with_context(state, routes(), app::security::provide_page_nonce, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(guard::page_nonce))
        .layer(middleware::from_fn_with_state(site, site::cache_headers))
        .layer(middleware::from_fn_with_state(forms.clone(), forms::form_edges))
        .layer(middleware::from_fn_with_state(forms, forms::limit_body))
        .layer(middleware::from_fn_with_state(edge.clone(), guard::page_deadline))
        .layer(middleware::from_fn_with_state(edge.clone(), guard::refuse_cross_site))
}

/// Files sent by a browser (an invoice's PDF, a member import, a sponsor's
/// purchase order): each route
/// has its own body limit, sized for its file; cross-site posts are
/// refused as for pages.
fn uploads(edge: &guard::Edge) -> Router<AppState> {
    Router::new()
        .merge(files::uploads())
        .merge(shop_files::uploads())
        .merge(agency_files::router())
        .layer(middleware::from_fn_with_state(edge.clone(), guard::page_deadline))
        .layer(middleware::from_fn_with_state(edge.clone(), guard::refuse_cross_site))
}

/// For load balancers, supervisors, start-up scripts and the metrics
/// scraper: `/healthz` says the process answers (restart it if not),
/// `/readyz` that it can serve (send it requests only then), `/metrics`
/// what it counts (with its token).
fn health() -> Router<AppState> {
    Router::new().route("/healthz", get(alive)).route("/readyz", get(ready)).route("/metrics", get(metrics::render))
}

/// 200 while the process answers requests, whatever its database does.
async fn alive() -> StatusCode {
    StatusCode::OK
}

/// 200 when the database answers and its schema is the one this binary
/// expects (every migration applied); 503 otherwise, with why.
async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.pending_migrations().await {
        Ok(0) => (StatusCode::OK, "ready\n"),
        Ok(pending) => {
            tracing::warn!(pending, "not ready: migrations not applied");
            (StatusCode::SERVICE_UNAVAILABLE, "migrations pending\n")
        }
        Err(e) => {
            tracing::error!(error = %e, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}
