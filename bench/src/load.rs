//! A load generator: `clients` tasks, each with its own HTTP connection,
//! share `total` jobs and time each one. Figures are integers (requests per
//! second, microseconds): the workspace keeps floats out of arithmetic.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What one run saw.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub clients: usize,
    pub ok: usize,
    pub failed: usize,
    pub first_failure: Option<String>,
    pub wall: Duration,
    /// Of the successful jobs, sorted.
    latencies: Vec<Duration>,
}

impl Run {
    /// Successful jobs per second of wall time.
    pub fn per_second(&self) -> u64 {
        let micros = self.wall.as_micros().max(1);
        u64::try_from(self.ok as u128 * 1_000_000 / micros).unwrap_or(u64::MAX)
    }

    /// The latency `per_cent` of the jobs stayed under (nearest rank).
    pub fn percentile(&self, per_cent: usize) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = (self.latencies.len() * per_cent).div_ceil(100).max(1);
        self.latencies[rank.min(self.latencies.len()) - 1]
    }

    pub fn p50(&self) -> Duration {
        self.percentile(50)
    }

    pub fn p99(&self) -> Duration {
        self.percentile(99)
    }

    /// Adds another run of the same kind to this one, as if one.
    pub fn absorb(&mut self, other: Run) {
        self.clients = other.clients;
        self.ok += other.ok;
        self.failed += other.failed;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
        self.wall += other.wall;
        self.latencies.extend(other.latencies);
        self.latencies.sort_unstable();
    }

    pub fn max(&self) -> Duration {
        self.latencies.last().copied().unwrap_or_default()
    }
}

/// Runs `total` jobs on `clients` concurrent tasks. `job(client, n)` does
/// the `n`th job (0-based, each given once) on task `client`'s own
/// resources; an `Err` counts as a failure and is not timed.
pub async fn drive<J, F>(clients: usize, total: usize, job: J) -> Run
where
    J: Fn(usize, usize) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..clients {
        let (job, next) = (job.clone(), next.clone());
        tasks.spawn(async move {
            let mut seen = (Vec::new(), 0_usize, None);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                let t = Instant::now();
                match job(client, n).await {
                    Ok(()) => seen.0.push(t.elapsed()),
                    Err(e) => {
                        seen.1 += 1;
                        seen.2.get_or_insert(e);
                    }
                }
            }
            seen
        });
    }
    let mut run = Run { clients, ..Run::default() };
    while let Some(done) = tasks.join_next().await {
        let (latencies, failed, failure) = done.unwrap_or_else(|e| (Vec::new(), 1, Some(format!("task: {e}"))));
        run.latencies.extend(latencies);
        run.failed += failed;
        if run.first_failure.is_none() {
            run.first_failure = failure;
        }
    }
    run.wall = started.elapsed();
    run.ok = run.latencies.len();
    run.latencies.sort_unstable();
    run
}

/// `12.3 ms`, `850 µs`.
pub fn ms(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1_000 { format!("{micros} µs") } else { format!("{}.{} ms", micros / 1_000, (micros % 1_000) / 100) }
}

/// `a` as a percentage of `b`, e.g. `87 %`.
pub fn percent(a: u64, b: u64) -> u64 {
    (a * 100).checked_div(b).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_of(millis: &[u64]) -> Run {
        let mut latencies: Vec<Duration> = millis.iter().map(|m| Duration::from_millis(*m)).collect();
        latencies.sort_unstable();
        Run { ok: latencies.len(), latencies, wall: Duration::from_secs(2), ..Run::default() }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let run = run_of(&(1..=100).collect::<Vec<_>>());
        assert_eq!(run.p50(), Duration::from_millis(50));
        assert_eq!(run.p99(), Duration::from_millis(99));
        assert_eq!(run.max(), Duration::from_millis(100));
        assert_eq!(run.per_second(), 50);
        let one = run_of(&[7]);
        assert_eq!((one.p50(), one.p99()), (Duration::from_millis(7), Duration::from_millis(7)));
        assert_eq!(Run::default().p99(), Duration::ZERO);
    }

    #[test]
    fn rounds_add_up_to_one_run() {
        let mut run = run_of(&[1, 2]);
        run.absorb(run_of(&[3, 4]));
        assert_eq!(
            (run.ok, run.wall, run.max(), run.p50()),
            (4, Duration::from_secs(4), Duration::from_millis(4), Duration::from_millis(2))
        );
        assert_eq!(run.per_second(), 1);
    }

    #[tokio::test]
    async fn every_job_runs_once_and_failures_are_counted_apart() {
        let run = drive(4, 50, |_, n| async move { if n % 10 == 0 { Err(format!("job {n}")) } else { Ok(()) } }).await;
        assert_eq!((run.ok, run.failed, run.clients), (45, 5, 4));
        assert!(run.first_failure.is_some_and(|f| f.starts_with("job ")));
    }

    #[test]
    fn figures_read_well() {
        assert_eq!(ms(Duration::from_micros(850)), "850 µs");
        assert_eq!(ms(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!((percent(87, 100), percent(1, 0)), (87, 0));
    }
}
