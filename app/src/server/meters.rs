//! What the service counts for its operators (exported for Prometheus at
//! `/metrics`, `server/src/http/metrics.rs`). Every name is here, with what
//! it counts; labels are a few fixed words, never a member's data, a
//! number or a code.

use metrics::{counter, histogram};

/// How long a query or transaction waited for a database connection, in
/// seconds (`bons_db_pool_wait_seconds`): the rate of its sum is the
/// average number of them waiting. Read from sqlx's own event.
pub fn pool_wait(seconds: f64) {
    histogram!("bons_db_pool_wait_seconds").record(seconds);
}

/// A voucher used at a counter (1-EMIS → 11-livré).
pub fn voucher_used() {
    counter!("bons_voucher_uses_total").increment(1);
}

/// A pass spent at a supplier's till.
pub fn pass_spent() {
    counter!("bons_passes_spent_total").increment(1);
}

/// A number and code that did not check: `kind` is `voucher` or `pass`.
pub fn check_failed(kind: &'static str) {
    counter!("bons_failed_checks_total", "kind" => kind).increment(1);
}

/// A voucher or pass locked after too many wrong codes.
pub fn locked(kind: &'static str) {
    counter!("bons_locks_total", "kind" => kind).increment(1);
}

/// A login refused: `why` is `credentials` (wrong password or unknown
/// login) or `budget` (too many attempts).
pub fn login_refused(why: &'static str) {
    counter!("bons_login_refusals_total", "why" => why).increment(1);
}

/// A statement run `started` or `finished`.
pub fn statement_run(event: &'static str) {
    counter!("bons_statement_runs_total", "event" => event).increment(1);
}

/// An email handed to the transport: `sent` or `failed`.
pub fn email(outcome: &'static str) {
    counter!("bons_emails_total", "outcome" => outcome).increment(1);
}

/// A background job claimed by this server: `kind` is `hourly` or
/// `statement_run` (a run taken over from a server that stopped).
pub fn job_claimed(kind: &'static str) {
    counter!("bons_jobs_claimed_total", "kind" => kind).increment(1);
}

/// The writes committed together by one group commit.
pub fn group_commit(writes: usize) {
    histogram!("bons_group_commit_writes").record(writes as f64);
}
