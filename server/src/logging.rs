//! The server's log: plain lines for a person at a terminal, or JSON lines
//! for a log collector (`BONS_LOG_FORMAT=json`). Either way, every line
//! written while a request is served carries the request's span: its id
//! (`X-Request-Id`), method and path (`http::request_id`).
//!
//! The same subscriber turns sqlx's event after each connection acquired
//! into `/metrics`' database pool wait (`PoolWaits`), whatever the filter.

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{Filtered, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, the
    /// event's fields (`message` among them), and `spans`, the spans it was
    /// logged in, outermost first, each with its fields.
    Json,
}

impl LogFormat {
    /// `BONS_LOG_FORMAT`: `text` (or unset) or `json`.
    pub fn from_env() -> Result<LogFormat, String> {
        match std::env::var("BONS_LOG_FORMAT").unwrap_or_default().trim() {
            "" | "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("BONS_LOG_FORMAT vaut « {other} » : choisissez text ou json")),
        }
    }
}

/// Installs the process's log, filtered by `filter`, written to `writer`.
pub fn install<W>(format: LogFormat, filter: EnvFilter, writer: W) -> Result<(), String>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let lines = tracing_subscriber::fmt::layer().with_writer(writer);
    let lines = match format {
        LogFormat::Text => lines.with_filter(filter).boxed(),
        LogFormat::Json => {
            lines.json().flatten_event(true).with_current_span(false).with_span_list(true).with_filter(filter).boxed()
        }
    };
    tracing_subscriber::registry().with(lines).with(pool_waits()).try_init().map_err(|e| e.to_string())
}

/// Where sqlx tells how long a connection took to acquire (at DEBUG, as
/// `Db::connect` asks), with the seconds in a field ending `_after_secs`.
const ACQUIRE_TARGET: &str = "sqlx::pool::acquire";

/// Records each wait for a database connection in `/metrics`
/// (`meters::pool_wait`): sqlx exposes no count of the tasks waiting, but
/// tells each one's wait once it ends.
pub struct PoolWaits;

/// The layer, with its own filter: it sees sqlx's acquisitions and
/// nothing else, and the log's filter does not hide them from it.
pub fn pool_waits<S>() -> Filtered<PoolWaits, Targets, S>
where
    S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    PoolWaits.with_filter(Targets::new().with_target(ACQUIRE_TARGET, Level::DEBUG))
}

impl<S: Subscriber> Layer<S> for PoolWaits {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != ACQUIRE_TARGET {
            return;
        }
        let mut waited = Waited(None);
        event.record(&mut waited);
        if let Some(seconds) = waited.0 {
            app::server::meters::pool_wait(seconds);
        }
    }
}

/// sqlx's field is `aquired_after_secs` (sic) in 0.8: any name ending so.
struct Waited(Option<f64>);

impl Visit for Waited {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name().ends_with("_after_secs") {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}
