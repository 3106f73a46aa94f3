//! `/metrics`, in Prometheus text format, for the operators' scraper only:
//! it answers a request bearing `BONS_METRICS_TOKEN`, and does not exist
//! without one. What the service counts is named in `app::server::meters`;
//! here, every request by route template and status with its latency, and
//! the database pool read when scraped. Never a member's data or a code:
//! labels are route templates (`/bons/{id}`), statuses and fixed words.

use app::server::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::Instant;

/// Request latencies, in seconds: a use at the counter is milliseconds, a
/// page tens of them, a statement PDF may take a second.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
/// Writes per group commit (at most `GROUP_MAX`, 64).
const GROUP_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];
/// Waits for a database connection, in seconds: none is a fraction of a
/// millisecond; the pool gives up after 15.
const WAIT_BUCKETS: &[f64] = &[0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0];

/// The process's recorder, installed by the first server of the process
/// (the servers of a test process share it).
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("bons_http_request_duration_seconds".into()), LATENCY_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full("bons_group_commit_writes".into()), GROUP_BUCKETS))
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full("bons_db_pool_wait_seconds".into()), WAIT_BUCKETS));
        let recorder = match builder {
            Ok(builder) => builder.build_recorder(),
            Err(e) => {
                tracing::error!(error = %e, "metrics buckets refused: summaries instead");
                PrometheusBuilder::new().build_recorder()
            }
        };
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first: /metrics shows nothing");
        }
        handle
    })
}

/// Counts each routed request by its route's template and its status, and
/// times it (until its answer's headers).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("(autre)", MatchedPath::as_str).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_str().to_owned();
    metrics::counter!("bons_http_requests_total", "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("bons_http_request_duration_seconds", "route" => route).record(started.elapsed().as_secs_f64());
    response
}

/// The metrics, for the bearer of the token.
pub async fn render(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.settings.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Digests compared: how long the comparison takes says nothing of the token.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(token.as_bytes()) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
    }
    let pool = state.db.pool();
    let (open, idle) = (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX));
    metrics::gauge!("bons_db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("bons_db_pool_connections", "state" => "in_use").set(f64::from(open.saturating_sub(idle)));
    metrics::gauge!("bons_db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    // The background jobs whose lease runs, held by this server or others.
    let now = app::domain::Timestamp::new(chrono::Utc::now());
    match app::server::store::jobs::held(pool, now).await {
        Ok(held) => {
            let mine = held.iter().filter(|job| job.holder == state.jobs.id()).count();
            let others = held.len() - mine;
            metrics::gauge!("bons_jobs_held", "by" => "this_server").set(mine as f64);
            metrics::gauge!("bons_jobs_held", "by" => "other_servers").set(others as f64);
        }
        Err(e) => tracing::warn!(error = %e, "held jobs not read for /metrics"),
    }
    let recorder = recorder();
    recorder.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], recorder.render()).into_response()
}
