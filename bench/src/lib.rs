//! Shared pieces of the tools that exercise the release `bons` binary from
//! the outside: a scratch database on either backend, a `bons` process that
//! can be started, killed and restarted, and an HTTP client that logs in and
//! calls server functions the way the hydrated app does.
//!
//! Unix only: the server is killed with SIGKILL and stopped with SIGTERM.

pub mod client;
pub mod scratch;
pub mod server;

/// Errors of these tools end the run with a message; their type does not matter.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The demo member whose fee is paid up, loaded by `bons demo`.
pub const DEMO_MEMBER: &str = "44000123B";
pub const DEMO_PASSWORD: &str = "castors";
