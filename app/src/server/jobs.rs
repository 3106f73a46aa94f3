//! Background work when several servers share one database: the hourly sweep
//! and the statement runs are jobs (`store::jobs`), each worked on by one
//! server at a time under a lease it renews while it works. A server that
//! dies stops renewing; once its lease has run out, another server's scan
//! claims the job and finishes it. A server that stops cleanly hands its
//! jobs back at once.
//!
//! Writes a job makes in its own transactions are fenced: the transaction
//! renews the lease first, and a server that lost it writes nothing (see
//! `Lease::fence`).

use crate::domain::Timestamp;
use crate::server::AppState;
use crate::server::store::jobs as store;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, AnyPool};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The sweep: expired vouchers, the orders' reminders, the passes' year-end
/// reports.
pub const HOURLY: &str = "hourly";

/// How often the sweep runs.
const HOURLY_EVERY: Duration = Duration::from_secs(3600);

/// The job of statement run `id`.
pub fn statement_run(id: i64) -> String {
    format!("statement-run:{id}")
}

/// A job by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Hourly,
    StatementRun(i64),
}

impl Job {
    pub fn parse(name: &str) -> Option<Job> {
        if name == HOURLY {
            return Some(Job::Hourly);
        }
        name.strip_prefix("statement-run:").and_then(|id| id.parse().ok()).map(Job::StatementRun)
    }
}

/// This server as a worker: its name in the `jobs` table, its lease, and
/// the jobs it runs.
pub struct Worker {
    id: String,
    lease: Duration,
    stop: watch::Sender<bool>,
    tasks: Mutex<JoinSet<()>>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("id", &self.id).field("lease", &self.lease).finish()
    }
}

impl Worker {
    /// A worker named after this host and process, with a nonce: two
    /// servers in one process (tests) are two workers.
    pub fn new(lease: Duration) -> Worker {
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "bons".to_owned());
        let nonce: u32 = rand::random();
        Worker {
            id: format!("{host}:{}:{nonce:08x}", std::process::id()),
            lease: lease.max(Duration::from_secs(1)),
            stop: watch::channel(false).0,
            tasks: Mutex::new(JoinSet::new()),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// How long a lease lasts unrenewed.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// How often leases are renewed, and claimable jobs looked for: three
    /// renewals fit in a lease, so one slow renewal does not lose it.
    pub fn beat(&self) -> Duration {
        self.lease / 3
    }

    /// The end of a lease taken or renewed at `now`.
    fn until(&self, now: DateTime<Utc>) -> Timestamp {
        Timestamp::new(now + chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::seconds(60)))
    }

    /// Whether the server is stopping: jobs end at their next step.
    pub fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// Runs a job's work in the background, followed by `stop`.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while tasks.try_join_next().is_some() {}
        tasks.spawn(work);
    }

    /// Stops: the jobs under way end at their next step (each hands its
    /// job back), then whatever this server still holds is handed back, for
    /// another server to take up at once. A job still busy after a beat (10 s
    /// at most: a service manager's stop timeout is not much longer) is cut
    /// where it is, its step's transaction rolled back, and handed back too.
    pub async fn stop(&self, pool: &AnyPool) {
        self.stop.send_replace(true);
        let mut tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        let wait = self.beat().min(Duration::from_secs(10));
        let ended = tokio::time::timeout(wait, async { while tasks.join_next().await.is_some() {} }).await;
        if ended.is_err() {
            tracing::warn!(worker = %self.id, "background jobs still busy at shutdown: cut and handed back");
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        match store::hand_back(pool, &self.id, None).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(worker = %self.id, jobs = n, "jobs handed back"),
            Err(e) => {
                tracing::error!(worker = %self.id, error = %e, "jobs not handed back: taken up when their lease ends")
            }
        }
    }
}

/// A job held by this server, renewed in the background until it is
/// finished, handed back or dropped.
pub struct Lease {
    name: String,
    worker: Arc<Worker>,
    pool: AnyPool,
    lost: Arc<AtomicBool>,
    renewer: JoinHandle<()>,
}

impl Lease {
    /// Claims a job, if it is still claimable.
    pub async fn claim(state: &AppState, name: &str) -> Result<Option<Lease>, sqlx::Error> {
        let now = Utc::now();
        let worker = &state.jobs;
        if !store::claim(state.db.pool(), name, worker.id(), Timestamp::new(now), worker.until(now)).await? {
            return Ok(None);
        }
        tracing::info!(job = name, worker = %worker.id(), "job claimed");
        crate::server::meters::job_claimed(if name == HOURLY { "hourly" } else { "statement_run" });
        Ok(Some(Lease::held(state, name)))
    }

    /// Records a new job held by this server, in `conn`'s transaction; the
    /// lease runs once it is committed (`Lease::held`).
    pub async fn create(state: &AppState, conn: &mut AnyConnection, name: &str) -> Result<(), sqlx::Error> {
        let now = Utc::now();
        store::create_held(conn, name, state.jobs.id(), Timestamp::new(now), state.jobs.until(now)).await
    }

    /// The lease of a job this server holds, renewed from now on.
    pub fn held(state: &AppState, name: &str) -> Lease {
        let lost = Arc::new(AtomicBool::new(false));
        let renewer = tokio::spawn(renew(state.jobs.clone(), state.db.pool().clone(), name.to_owned(), lost.clone()));
        Lease { name: name.to_owned(), worker: state.jobs.clone(), pool: state.db.pool().clone(), lost, renewer }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this server still holds the job and should go on with it:
    /// false once the lease is lost or the server is stopping.
    pub fn go_on(&self) -> bool {
        !self.lost.load(Ordering::Relaxed) && !self.worker.stopping()
    }

    /// Renews the lease inside the transaction of the job's next writes:
    /// false (nothing to commit) when another server took the job over.
    pub async fn fence(&self, conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
        let until = self.worker.until(Utc::now());
        let held = store::renew(conn, &self.name, self.worker.id(), until).await?;
        if !held {
            self.lost.store(true, Ordering::Relaxed);
            tracing::warn!(job = %self.name, worker = %self.worker.id(), "lease lost: the job's writes are dropped");
        }
        Ok(held)
    }

    /// The job done: due again at `next`, or gone for a one-off job.
    pub async fn finish(&self, next: Option<DateTime<Utc>>) {
        self.renewer.abort();
        let next = next.map(Timestamp::new);
        if let Err(e) = store::finish(&self.pool, &self.name, self.worker.id(), next).await {
            tracing::error!(job = %self.name, error = %e, "job end not recorded: taken up again when its lease ends");
        }
    }

    /// The job left unfinished, for another server (or this one) to take up.
    pub async fn hand_back(&self) {
        self.renewer.abort();
        if self.lost.load(Ordering::Relaxed) {
            return;
        }
        match store::hand_back(&self.pool, self.worker.id(), Some(&self.name)).await {
            Ok(_) => tracing::info!(job = %self.name, "job handed back unfinished"),
            Err(e) => {
                tracing::error!(job = %self.name, error = %e, "job not handed back: taken up when its lease ends")
            }
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

/// Renews a lease every beat until it is lost. A renewal that fails (the
/// database briefly away) is tried again at the next beat: the lease holds
/// for three.
async fn renew(worker: Arc<Worker>, pool: AnyPool, name: String, lost: Arc<AtomicBool>) {
    let mut beat = tokio::time::interval(worker.beat());
    beat.tick().await;
    loop {
        beat.tick().await;
        match store::renew(&pool, &name, worker.id(), worker.until(Utc::now())).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job = %name, worker = %worker.id(), "lease lost to another server");
                lost.store(true, Ordering::Relaxed);
                return;
            }
            Err(e) => tracing::warn!(job = %name, error = %e, "lease not renewed; tried again"),
        }
    }
}

/// Looks for claimable jobs and starts those it wins. `sweep_now` runs the
/// hourly sweep before returning, when it is due (at start-up: overdue
/// vouchers are recorded expired before the first request is answered).
pub async fn scan(state: &AppState, sweep_now: bool) {
    if state.jobs.stopping() {
        return;
    }
    let names = match store::claimable(state.db.pool(), Timestamp::new(Utc::now())).await {
        Ok(names) => names,
        Err(e) => {
            tracing::error!(error = %e, "claimable jobs not read");
            return;
        }
    };
    for name in names {
        let Some(job) = Job::parse(&name) else {
            tracing::warn!(job = %name, "a job this version does not know: left alone");
            continue;
        };
        let lease = match Lease::claim(state, &name).await {
            Ok(Some(lease)) => lease,
            Ok(None) => continue,
            Err(e) => {
                tracing::error!(job = %name, error = %e, "job not claimed");
                continue;
            }
        };
        let (jobs, state) = (state.jobs.clone(), state.clone());
        match job {
            Job::Hourly if sweep_now => sweep(state, lease).await,
            Job::Hourly => jobs.spawn(sweep(state, lease)),
            Job::StatementRun(id) => jobs.spawn(crate::server::services::statements::resume_run(state, id, lease)),
        }
    }
}

/// Scans every beat until the server stops.
pub async fn keep_scanning(state: AppState) {
    let mut beat = tokio::time::interval(state.jobs.beat());
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stop = state.jobs.stop.subscribe();
    beat.tick().await;
    loop {
        tokio::select! {
            _ = beat.tick() => scan(&state, false).await,
            _ = stopped(&mut stop) => return,
        }
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

/// The hourly sweep; each part is done once per voucher, reminder or report
/// even if it ran twice (their updates are conditional).
async fn sweep(state: AppState, lease: Lease) {
    let now = Utc::now();
    if let Err(e) = crate::server::services::vouchers::expire_overdue(&state, now).await {
        tracing::error!(error = %e, "expiring overdue vouchers");
    }
    if let Err(e) = crate::server::services::shop::way::remind_overdue(&state, now).await {
        tracing::error!(error = %e, "reminding the orders' overdue steps");
    }
    if let Err(e) = crate::server::services::shop::year_end::send_due(&state, now).await {
        tracing::error!(error = %e, "sending the passes' year-end reports");
    }
    let next = now + chrono::Duration::from_std(HOURLY_EVERY).unwrap_or(chrono::Duration::hours(1));
    lease.finish(Some(next)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_known_by_their_names() {
        assert_eq!(Job::parse("hourly"), Some(Job::Hourly));
        assert_eq!(Job::parse(&statement_run(42)), Some(Job::StatementRun(42)));
        assert_eq!(Job::parse("statement-run:x"), None);
        assert_eq!(Job::parse("nightly"), None);
    }
}
