//! Shared pieces of the tools that exercise the release `bons` binary from
//! the outside: a scratch database on either backend, a `bons` process that
//! can be started, killed and restarted, an HTTP client that logs in and
//! calls server functions the way the hydrated app does, a load generator,
//! and the raw database loop the benchmark compares the server with.
//!
//! Unix only: the server is killed with SIGKILL and stopped with SIGTERM.

pub mod client;
pub mod floor;
pub mod load;
pub mod scratch;
pub mod server;

/// Errors of these tools end the run with a message; their type does not matter.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The demo member whose fee is paid up, loaded by `bons demo`.
pub const DEMO_MEMBER: &str = "44000123B";
pub const DEMO_PASSWORD: &str = "castors";
/// The demo member whose fee is not paid up: the benchmark gives them 200 vouchers.
pub const DEMO_OTHER_MEMBER: &str = "44000124B";
/// An active demo supplier of the Nantes agency.
pub const DEMO_SUPPLIER: &str = "Matériaux de l'Ouest";
