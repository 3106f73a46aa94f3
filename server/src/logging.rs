//! The server's log: plain lines for a person at a terminal, or JSON lines
//! for a log collector (`BONS_LOG_FORMAT=json`). Either way, every line
//! written while a request is served carries the request's span: its id
//! (`X-Request-Id`), method and path (`http::request_id`).

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
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).with_span_list(true).try_init(),
    };
    installed.map_err(|e| e.to_string())
}
