//! `crash-test`: nothing acknowledged is lost.
//!
//! Runs the release `bons serve` on a fresh database under load (phones
//! looping "request a voucher, use it"), kills it with SIGKILL at a random
//! moment, restarts it on the same database, and again, `--kills` times. After
//! a last restart it checks that every use a phone saw acknowledged (voucher
//! id → number and code) is in the database and is shown again by the
//! server, that numbers are still unique and gapless per series, and on
//! SQLite that `PRAGMA integrity_check` says `ok`. Uses whose answer was cut
//! by a kill may or may not have happened; the phone retries them after the
//! restart, as a member would, and whatever the retry answers counts.
//!
//! With `--servers 2`, two servers share the database as behind a load
//! balancer, the phones spread over both; each round kills one of them (in
//! turn) while the other goes on serving.
//!
//! Exit status: 0 when every check holds, 1 on any violation, 2 when the run
//! itself could not be done (no binary, no PostgreSQL, the first server never
//! ready).

use bench::client::{Phone, Receipt};
use bench::scratch::{Backend, Scratch};
use bench::server::{Server, ServerSetup, log_tail};
use bench::{DEMO_MEMBER, DEMO_PASSWORD};
use clap::Parser;
use rand::{Rng, SeedableRng, rngs::StdRng};
use sqlx::{AnyConnection, Connection};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use std::{os::unix::process::ExitStatusExt, path::PathBuf, process::ExitCode};
use tokio::task::JoinSet;

/// `vouchers.status` of a used voucher (11-livré); later states are higher.
const USED: i64 = 11;
const SIGKILL: i32 = 9;
/// At most this many lines of each kind of problem are printed.
const SHOWN: usize = 20;

#[derive(Parser)]
#[command(
    name = "crash-test",
    about = "Kill the release bons server under load, restart it, check nothing acknowledged is lost"
)]
struct Args {
    /// Which database the server runs on.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// PostgreSQL server (no database name); a fresh database is created there and dropped after.
    #[arg(long, env = "BONS_TEST_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// The server binary, as built by `make release`.
    #[arg(long, default_value = "target/release/bons")]
    bons: PathBuf,
    /// The built site, as written by `make release`.
    #[arg(long, default_value = "target/site")]
    site_root: PathBuf,
    /// Servers on the one database, phones spread over them; one is killed
    /// per round, in turn.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=4))]
    servers: u8,
    /// How many times a server is killed.
    #[arg(long, default_value_t = 20)]
    kills: u32,
    /// Phones sending requests at the same time.
    #[arg(long, default_value_t = 16)]
    phones: usize,
    /// Earliest kill, in milliseconds after the server answers its health check.
    #[arg(long, default_value_t = 300)]
    min_ms: u64,
    /// Latest kill, in milliseconds after the server answers its health check.
    #[arg(long, default_value_t = 1500)]
    max_ms: u64,
    /// Keep the temporary directory (SQLite file, server log) and the
    /// PostgreSQL database. The SQLite directory is always kept after a failure.
    #[arg(long)]
    keep: bool,
    /// Print a line per kill.
    #[arg(long, short)]
    verbose: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("crash-test ({}): {e}", args.backend.label());
            ExitCode::from(2)
        }
    }
}

/// Whether every check held.
async fn run(args: &Args) -> bench::Result<bool> {
    if args.min_ms > args.max_ms || args.phones == 0 || args.kills == 0 {
        return Err("need --min-ms <= --max-ms, at least one phone and one kill".into());
    }
    if !args.bons.is_file() {
        return Err(format!("{} not found: build it first with `make release`", args.bons.display()).into());
    }
    sqlx::any::install_default_drivers();
    let scratch = match args.backend {
        Backend::Sqlite => Scratch::sqlite()?,
        Backend::Postgres => Scratch::postgres(&args.postgres).await?,
    };
    println!("crash test on {} with {} server(s): {}", args.backend.label(), args.servers, scratch.describe());
    let outcome = crash_test(args, &scratch).await;
    if let Ok(report) = &outcome {
        report.print(args.backend);
    }
    let passed = matches!(&outcome, Ok(report) if report.violations.is_empty());
    if !passed {
        eprintln!("server log (last lines):\n{}", log_tail(&scratch.dir().join("bons.log"), 20));
    }
    if let Err(e) = scratch.finish(args.keep || (!passed && args.backend == Backend::Sqlite)).await {
        eprintln!("crash-test: could not clean up: {e}");
    }
    outcome.map(|_| passed)
}

/// Everything the run saw, and what went wrong.
#[derive(Default)]
struct Report {
    kills: u32,
    kill_window_ms: (u64, u64),
    load: RoundReport,
    /// Voucher id → what the phone was told. A use is acknowledged when
    /// `use_voucher` answered it in full with a success status.
    acknowledged: BTreeMap<i64, Receipt>,
    /// Uses whose answer was cut and never answered by a retry.
    unanswered: BTreeSet<i64>,
    rounds_without_use: u32,
    ready_times: Vec<Duration>,
    receipts_shown_again: usize,
    found_in_db: usize,
    numbered_in_db: usize,
    unanswered_used_in_db: usize,
    /// Cut uses found committed when the server came back (then retried).
    cut_uses_committed: usize,
    series: Vec<Series>,
    integrity: Option<String>,
    duration: Duration,
    violations: Vec<String>,
}

struct Series {
    agency_id: i64,
    year: i64,
    count: usize,
    highest: Option<(i64, String)>,
    last_sequence: Option<i64>,
}

async fn crash_test(args: &Args, scratch: &Scratch) -> bench::Result<Report> {
    let started = Instant::now();
    let setup = ServerSetup::new(
        args.bons.clone(),
        scratch.database_url.clone(),
        args.site_root.clone(),
        scratch.dir().join("bons.log"),
    );
    setup.run("demo").await?;
    let mut rng = StdRng::from_os_rng();
    let mut report = Report { kill_window_ms: (args.min_ms, args.max_ms), ..Report::default() };
    let mut workers: Vec<Worker> = Vec::with_capacity(args.phones);

    let mut servers: Vec<Option<Server>> = (0..args.servers).map(|_| None).collect();
    let mut came_back = true;
    for round in 1..=args.kills {
        // The server killed last round comes back (all of them, at first).
        if !start_missing(&setup, &mut servers, &mut report).await? {
            came_back = false;
            break;
        }
        let bases: Vec<String> = servers.iter().flatten().map(|s| s.base.clone()).collect();
        if workers.is_empty() {
            // Sessions live in the database: each phone logs in once, on the first server.
            for _ in 0..args.phones {
                workers.push(Worker::logged_in(&bases[0]).await?);
            }
        }
        report.cut_uses_committed += note_committed_uses(&mut workers, &scratch.database_url).await?;
        let killing = Arc::new(AtomicBool::new(false));
        let mut running = JoinSet::new();
        for (i, worker) in workers.drain(..).enumerate() {
            running.spawn(worker.round(bases[i % bases.len()].clone(), killing.clone()));
        }
        let delay = rng.random_range(args.min_ms..=args.max_ms);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        // Set before the signal: a request that fails from now on was cut by the kill.
        killing.store(true, Ordering::SeqCst);
        let victim = round as usize % servers.len();
        let server = servers[victim].take().ok_or("no server to kill")?;
        let pid = server.pid();
        let status = server.kill().await.map_err(|e| format!("kill {round} (pid {pid}): {e}"))?;
        if status.signal() == Some(SIGKILL) {
            report.kills += 1;
        } else {
            report.violations.push(format!("bons serve (pid {pid}) ended by itself under load: {status}"));
        }

        let (mut acks, mut cut, mut cut_uses, mut retried) = (0, 0, 0, 0);
        while let Some(done) = running.join_next().await {
            let (worker, seen) = done?;
            workers.push(worker);
            (acks, cut, cut_uses, retried) =
                (acks + seen.acks.len(), cut + seen.cut, cut_uses + seen.cut_uses.len(), retried + seen.retried_uses);
            report.merge(seen);
        }
        if acks == 0 {
            report.rounds_without_use += 1;
        }
        if args.verbose {
            println!(
                "  round {round:>2}: server {victim} (pid {pid}) killed {delay} ms into the load; \
                 {acks} uses acknowledged, {retried} retried, {cut} requests cut ({cut_uses} uses)"
            );
        }
    }

    // The last restart: every acknowledged use must be shown again as it
    // was, by each server.
    if came_back && start_missing(&setup, &mut servers, &mut report).await? {
        for server in servers.iter().flatten() {
            check_receipts_shown_again(&mut report, &workers, &server.base).await;
        }
        for server in servers.iter_mut().filter_map(Option::take) {
            match server.stop(Duration::from_secs(15)).await {
                Ok((status, true)) if status.success() => {}
                Ok((status, _)) => {
                    report.violations.push(format!("a server did not stop cleanly on SIGTERM: {status}"));
                }
                Err(e) => report.violations.push(format!("a server could not be stopped: {e}")),
            }
        }
    }
    if let Err(e) = check_database(&mut report, scratch).await {
        report.violations.push(format!("cannot read the database after the kills: {e}"));
    }
    report.duration = started.elapsed();
    Ok(report)
}

/// Starts the servers not running (all at first, then the one killed);
/// after a kill, a server that does not come back is a violation (false),
/// not an error of the run.
async fn start_missing(
    setup: &ServerSetup,
    servers: &mut [Option<Server>],
    report: &mut Report,
) -> bench::Result<bool> {
    for slot in servers.iter_mut().filter(|s| s.is_none()) {
        match setup.start().await {
            Ok(server) => {
                report.ready_times.push(server.ready_after);
                *slot = Some(server);
            }
            Err(e) if report.kills > 0 => {
                report.violations.push(format!("bons did not come back after kill {}: {e}", report.kills));
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// One phone, kept across rounds with its session and the voucher whose
/// use it has not seen answered yet.
struct Worker {
    phone: Phone,
    suppliers: Vec<i64>,
    max_euros: i64,
    unanswered_use: Option<i64>,
    /// The number the database held for `unanswered_use` when the server came
    /// back: the use had been committed, its answer lost. The retry must get it.
    committed_as: Option<String>,
}

/// What the phones saw in one round (or, summed, in all).
#[derive(Default)]
struct RoundReport {
    sent: u64,
    answered: u64,
    cut: u64,
    requested: u64,
    acks: Vec<(i64, Receipt)>,
    /// Vouchers whose `use_voucher` answer was cut.
    cut_uses: Vec<i64>,
    retried_uses: u64,
    problems: Vec<String>,
}

impl Worker {
    async fn logged_in(base: &str) -> bench::Result<Worker> {
        let phone = Phone::new()?;
        phone.login(base, DEMO_MEMBER, DEMO_PASSWORD).await?;
        let (suppliers, max_cents) = phone.request_choices(base).await?;
        Ok(Worker {
            phone,
            suppliers,
            max_euros: (max_cents / 100).clamp(1, 500),
            unanswered_use: None,
            committed_as: None,
        })
    }

    /// Requests and uses vouchers until a request fails after `killing` is set.
    async fn round(mut self, base: String, killing: Arc<AtomicBool>) -> (Worker, RoundReport) {
        let mut seen = RoundReport::default();
        let cut_by_kill = |what: &str, e: reqwest::Error, seen: &mut RoundReport| {
            seen.cut += 1;
            if !killing.load(Ordering::SeqCst) {
                seen.problems.push(format!("{what} failed while the server was up: {e}"));
            }
        };
        while !killing.load(Ordering::SeqCst) {
            let id = match self.unanswered_use {
                // The member taps again after the restart.
                Some(id) => {
                    seen.retried_uses += 1;
                    id
                }
                None => {
                    let supplier = self.suppliers[rand::random_range(0..self.suppliers.len())].to_string();
                    let amount = rand::random_range(1..=self.max_euros).to_string();
                    seen.sent += 1;
                    let fields = [("supplier_id", supplier.as_str()), ("amount", amount.as_str())];
                    match self.phone.call(&base, "request_voucher", &fields).await {
                        Ok(answer) => {
                            seen.answered += 1;
                            match answer.json.as_i64().filter(|_| answer.is_ok()) {
                                Some(id) => {
                                    seen.requested += 1;
                                    id
                                }
                                None => {
                                    seen.problems.push(format!("request_voucher: {} {}", answer.status, answer.json));
                                    break;
                                }
                            }
                        }
                        Err(e) => {
                            cut_by_kill("request_voucher", e, &mut seen);
                            break;
                        }
                    }
                }
            };
            seen.sent += 1;
            match self.phone.call(&base, "use_voucher", &[("id", &id.to_string())]).await {
                Ok(answer) => {
                    seen.answered += 1;
                    self.unanswered_use = None;
                    match Receipt::from_json(&answer.json["receipt"]).filter(|_| answer.is_ok()) {
                        Some(receipt) => {
                            if let Some(number) = self.committed_as.take().filter(|n| *n != receipt.number) {
                                seen.problems.push(format!(
                                    "use_voucher {id}: committed as {number} before the kill, the retry answered {receipt}"
                                ));
                            }
                            seen.acks.push((id, receipt));
                        }
                        None => {
                            seen.problems.push(format!("use_voucher {id}: {} {}", answer.status, answer.json));
                            break;
                        }
                    }
                }
                Err(e) => {
                    self.unanswered_use = Some(id);
                    seen.cut_uses.push(id);
                    cut_by_kill("use_voucher", e, &mut seen);
                    break;
                }
            }
        }
        (self, seen)
    }
}

impl Report {
    fn merge(&mut self, seen: RoundReport) {
        for (id, receipt) in seen.acks {
            self.unanswered.remove(&id);
            match self.acknowledged.get(&id) {
                Some(earlier) if *earlier != receipt => self.violations.push(format!(
                    "voucher {id}: use_voucher answered {earlier}, then {receipt} (a use must answer the same every time)"
                )),
                Some(_) => {}
                None => {
                    self.acknowledged.insert(id, receipt);
                }
            }
        }
        self.unanswered.extend(&seen.cut_uses);
        self.violations.extend(seen.problems.iter().map(|p| format!("unexpected answer: {p}")));
        let load = &mut self.load;
        load.sent += seen.sent;
        load.answered += seen.answered;
        load.cut += seen.cut;
        load.requested += seen.requested;
        load.cut_uses.extend(seen.cut_uses);
        load.retried_uses += seen.retried_uses;
    }

    fn print(&self, backend: Backend) {
        let ms = |d: &Duration| d.as_millis();
        let line = |label: &str, value: String| println!("  {label:<28} {value}");
        let (min_ms, max_ms) = self.kill_window_ms;
        line("kills (SIGKILL)", format!("{}, each {min_ms}–{max_ms} ms into the load", self.kills));
        line(
            "requests sent",
            format!(
                "{} (answered {}, cut by a kill {}), vouchers requested {}",
                self.load.sent, self.load.answered, self.load.cut, self.load.requested
            ),
        );
        line("uses acknowledged", self.acknowledged.len().to_string());
        line(
            "use answers cut by a kill",
            format!(
                "{} (found committed at restart {}, retried {}; never answered {}, of which used in DB {})",
                self.load.cut_uses.len(),
                self.cut_uses_committed,
                self.load.retried_uses,
                self.unanswered.len(),
                self.unanswered_used_in_db
            ),
        );
        line(
            "uses found in DB",
            format!(
                "{} of {} acknowledged (vouchers numbered in DB: {})",
                self.found_in_db,
                self.acknowledged.len(),
                self.numbered_in_db
            ),
        );
        line(
            "shown again after restart",
            format!("{} of {} (same number and code)", self.receipts_shown_again, self.acknowledged.len()),
        );
        for s in &self.series {
            let highest = s.highest.as_ref().map_or("none".to_owned(), |(_, n)| n.clone());
            let max = s.highest.as_ref().map_or(0, |(seq, _)| *seq);
            let last = s.last_sequence.map_or("no row".to_owned(), |l| l.to_string());
            line(
                &format!("series agency {} year {}", s.agency_id, s.year),
                format!("highest {highest}: {} numbered, max {max}, last_sequence {last}", s.count),
            );
        }
        line(
            "integrity_check",
            match (backend, &self.integrity) {
                (Backend::Postgres, _) => "n/a (PostgreSQL)".to_owned(),
                (Backend::Sqlite, Some(result)) => result.clone(),
                (Backend::Sqlite, None) => "not run".to_owned(),
            },
        );
        if let (Some(min), Some(max)) = (self.ready_times.iter().min(), self.ready_times.iter().max()) {
            let mean = self.ready_times.iter().sum::<Duration>() / u32::try_from(self.ready_times.len()).unwrap_or(1);
            line("start to ready", format!("min {} ms, mean {} ms, max {} ms", ms(min), ms(&mean), ms(max)));
        }
        if self.rounds_without_use > 0 {
            line("rounds without any use", format!("{} (server slow to answer?)", self.rounds_without_use));
        }
        line("duration", format!("{:.1} s", self.duration.as_secs_f64()));
        if self.violations.is_empty() {
            println!("crash test passed on {}: nothing acknowledged was lost, numbers gapless", backend.label());
        } else {
            for v in self.violations.iter().take(SHOWN) {
                eprintln!("VIOLATION: {v}");
            }
            if self.violations.len() > SHOWN {
                eprintln!("… and {} more violations", self.violations.len() - SHOWN);
            }
            eprintln!("crash test FAILED on {}: {} violations", backend.label(), self.violations.len());
        }
    }
}

/// Before the phones retry the uses whose answers a kill cut, reads from the
/// database which of them had been committed. Connects afresh each time, after
/// the server has started: the server, not this tool, recovers from the crash.
async fn note_committed_uses(workers: &mut [Worker], database_url: &str) -> bench::Result<usize> {
    if workers.iter().all(|w| w.unanswered_use.is_none()) {
        return Ok(0);
    }
    let mut db = AnyConnection::connect(database_url).await?;
    let mut committed = 0;
    for worker in workers.iter_mut() {
        worker.committed_as = None;
        if let Some(id) = worker.unanswered_use {
            let number: Option<Option<String>> = sqlx::query_scalar("SELECT number FROM vouchers WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut db)
                .await?;
            worker.committed_as = number.flatten();
            committed += usize::from(worker.committed_as.is_some());
        }
    }
    db.close().await?;
    Ok(committed)
}

/// `open_voucher` on the restarted server shows each acknowledged use with
/// the number and code the phone was given.
async fn check_receipts_shown_again(report: &mut Report, workers: &[Worker], base: &str) {
    let ids: Vec<(i64, Receipt)> = report.acknowledged.iter().map(|(id, r)| (*id, r.clone())).collect();
    let mut checking = JoinSet::new();
    for (i, worker) in workers.iter().enumerate() {
        let share: Vec<(i64, Receipt)> = ids.iter().skip(i).step_by(workers.len()).cloned().collect();
        let (phone, base) = (worker.phone.clone(), base.to_owned());
        checking.spawn(async move {
            let mut wrong = Vec::new();
            for (id, given) in share {
                match phone.call(&base, "open_voucher", &[("id", &id.to_string())]).await {
                    Ok(card) if card.is_ok() => match Receipt::from_json(&card.json["receipt"]) {
                        Some(shown) if shown == given => {}
                        Some(shown) => wrong.push(format!("voucher {id}: acknowledged {given}, shown {shown}")),
                        None => wrong.push(format!("voucher {id}: acknowledged {given}, shown without receipt")),
                    },
                    Ok(card) => {
                        wrong.push(format!("voucher {id}: open_voucher answered {} {}", card.status, card.json))
                    }
                    Err(e) => wrong.push(format!("voucher {id}: open_voucher failed: {e}")),
                }
            }
            wrong
        });
    }
    let mut wrong = Vec::new();
    while let Some(done) = checking.join_next().await {
        match done {
            Ok(w) => wrong.extend(w),
            Err(e) => wrong.push(format!("a checking task failed: {e}")),
        }
    }
    report.receipts_shown_again = ids.len().saturating_sub(wrong.len());
    report.violations.extend(wrong.into_iter().map(|w| format!("after restart, {w}")));
}

type VoucherRow = (i64, i64, i64, Option<i64>, Option<i64>, Option<String>);

/// Reads the database after the last server has stopped: acknowledged uses
/// are there, numbers are unique and gapless per (agency, year) and agree
/// with `number_series`, and SQLite's file is sound.
async fn check_database(report: &mut Report, scratch: &Scratch) -> bench::Result<()> {
    let mut db = AnyConnection::connect(&scratch.database_url).await?;
    let vouchers: Vec<VoucherRow> =
        sqlx::query_as("SELECT id, status, agency_id, number_year, number_seq, number FROM vouchers ORDER BY id")
            .fetch_all(&mut db)
            .await?;
    let series_rows: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT agency_id, year, last_sequence FROM number_series").fetch_all(&mut db).await?;
    if scratch.backend == Backend::Sqlite {
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check").fetch_all(&mut db).await?;
        let result = rows.into_iter().map(|(r,)| r).collect::<Vec<_>>().join("; ");
        if result != "ok" {
            report.violations.push(format!("PRAGMA integrity_check: {result}"));
        }
        report.integrity = Some(result);
    }
    db.close().await?;
    let mut violations = Vec::new();

    let by_id: BTreeMap<i64, &VoucherRow> = vouchers.iter().map(|v| (v.0, v)).collect();
    for (id, given) in &report.acknowledged {
        match by_id.get(id) {
            Some((_, status, _, _, _, Some(number))) if *number == given.number && *status >= USED => {
                report.found_in_db += 1;
            }
            Some((_, status, _, _, _, number)) => violations.push(format!(
                "acknowledged use lost: voucher {id} was answered {given}, the database has status {status}, number {}",
                number.as_deref().unwrap_or("none")
            )),
            None => violations.push(format!("acknowledged use lost: voucher {id} ({given}) is not in the database")),
        }
    }
    report.unanswered_used_in_db =
        report.unanswered.iter().filter(|id| by_id.get(id).is_some_and(|v| v.5.is_some())).count();

    // Per (agency, year): sequence → number.
    let mut series: BTreeMap<(i64, i64), BTreeMap<i64, String>> = BTreeMap::new();
    let mut numbers = BTreeSet::new();
    for (id, status, agency_id, year, seq, number) in &vouchers {
        match (year, seq, number) {
            (Some(year), Some(seq), Some(number)) => {
                report.numbered_in_db += 1;
                if *status < USED {
                    violations.push(format!("voucher {id} has number {number} but status {status}"));
                }
                if !number.starts_with(&format!("W{year}.")) || !number.ends_with(&format!(".{seq:08}")) {
                    violations
                        .push(format!("voucher {id}: number {number} does not match year {year}, sequence {seq}"));
                }
                if !numbers.insert(number.clone()) {
                    violations.push(format!("number {number} given twice (voucher {id} and another)"));
                }
                if let Some(other) = series.entry((*agency_id, *year)).or_default().insert(*seq, number.clone()) {
                    violations
                        .push(format!("sequence {seq} of agency {agency_id}, {year} given twice: {other}, {number}"));
                }
            }
            (None, None, None) if *status < USED => {}
            _ => violations.push(format!(
                "voucher {id} is half numbered: status {status}, year {year:?}, sequence {seq:?}, number {number:?}"
            )),
        }
    }
    let last: BTreeMap<(i64, i64), i64> = series_rows.iter().map(|(a, y, l)| ((*a, *y), *l)).collect();
    let keys: BTreeSet<(i64, i64)> = series.keys().chain(last.keys()).copied().collect();
    for (agency_id, year) in keys {
        let given = series.get(&(agency_id, year));
        let count = given.map_or(0, BTreeMap::len);
        let highest = given.and_then(|g| g.last_key_value()).map(|(seq, number)| (*seq, number.clone()));
        let max = highest.as_ref().map_or(0, |(seq, _)| *seq);
        let last_sequence = last.get(&(agency_id, year)).copied();
        if i64::try_from(count).ok() != Some(max)
            || given.and_then(|g| g.first_key_value()).is_some_and(|(s, _)| *s != 1)
        {
            let missing: Vec<i64> =
                (1..=max).filter(|s| !given.is_some_and(|g| g.contains_key(s))).take(SHOWN).collect();
            violations.push(format!(
                "series agency {agency_id}, {year} has gaps: {count} numbers up to {max}, missing {missing:?}"
            ));
        }
        if last_sequence.unwrap_or(0) != max {
            violations.push(format!(
                "series agency {agency_id}, {year}: number_series.last_sequence is {last_sequence:?}, highest number given {max}"
            ));
        }
        report.series.push(Series { agency_id, year, count, highest, last_sequence });
    }
    report.violations.extend(violations);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns the checks read, on a scratch SQLite file.
    async fn database(vouchers: &[(i64, i64, Option<i64>)], last_sequence: Option<i64>) -> Scratch {
        sqlx::any::install_default_drivers();
        let scratch = Scratch::sqlite().unwrap();
        let mut db = AnyConnection::connect(&scratch.database_url).await.unwrap();
        for ddl in [
            "CREATE TABLE vouchers (id INTEGER PRIMARY KEY, status INTEGER NOT NULL, agency_id INTEGER NOT NULL, \
             number_year INTEGER, number_seq INTEGER, number TEXT)",
            "CREATE TABLE number_series (agency_id INTEGER, year INTEGER, last_sequence INTEGER)",
        ] {
            sqlx::query(ddl).execute(&mut db).await.unwrap();
        }
        for (id, status, seq) in vouchers {
            sqlx::query("INSERT INTO vouchers VALUES ($1, $2, 1, $3, $4, $5)")
                .bind(*id)
                .bind(*status)
                .bind(seq.map(|_| 2026_i64))
                .bind(*seq)
                .bind(seq.map(|s| format!("W2026.NA.442.{s:08}")))
                .execute(&mut db)
                .await
                .unwrap();
        }
        if let Some(last) = last_sequence {
            sqlx::query("INSERT INTO number_series VALUES (1, 2026, $1)").bind(last).execute(&mut db).await.unwrap();
        }
        db.close().await.unwrap();
        scratch
    }

    fn acknowledged(uses: &[(i64, i64)]) -> Report {
        let receipt = |seq: i64| Receipt { number: format!("W2026.NA.442.{seq:08}"), code: "1234".into() };
        Report { acknowledged: uses.iter().map(|(id, seq)| (*id, receipt(*seq))).collect(), ..Report::default() }
    }

    async fn violations(scratch: Scratch, mut report: Report) -> Vec<String> {
        check_database(&mut report, &scratch).await.unwrap();
        scratch.finish(false).await.unwrap();
        report.violations
    }

    #[tokio::test]
    async fn a_gapless_series_holding_every_acknowledged_use_passes() {
        let scratch = database(&[(1, 11, Some(1)), (2, 1, None), (3, 11, Some(2)), (4, 11, Some(3))], Some(3)).await;
        let mut report = acknowledged(&[(1, 1), (4, 3)]);
        check_database(&mut report, &scratch).await.unwrap();
        assert_eq!(report.violations, Vec::<String>::new());
        assert_eq!((report.found_in_db, report.numbered_in_db, report.integrity.as_deref()), (2, 3, Some("ok")));
        assert_eq!(report.series[0].highest, Some((3, "W2026.NA.442.00000003".to_owned())));
        scratch.finish(false).await.unwrap();
    }

    #[tokio::test]
    async fn a_lost_acknowledged_use_is_reported() {
        // Voucher 2 was answered W2026.NA.442.00000002, but the database still has it unused.
        let found =
            violations(database(&[(1, 11, Some(1)), (2, 1, None)], Some(1)).await, acknowledged(&[(2, 2)])).await;
        assert!(found.iter().any(|v| v.starts_with("acknowledged use lost: voucher 2")), "{found:?}");
    }

    #[tokio::test]
    async fn gaps_and_a_series_out_of_step_are_reported() {
        let found = violations(database(&[(1, 11, Some(1)), (2, 11, Some(3))], Some(3)).await, Report::default()).await;
        assert!(found.iter().any(|v| v.contains("has gaps") && v.contains("missing [2]")), "{found:?}");
        let found = violations(database(&[(1, 11, Some(1)), (2, 11, Some(2))], Some(3)).await, Report::default()).await;
        assert!(found.iter().any(|v| v.contains("last_sequence is Some(3), highest number given 2")), "{found:?}");
    }

    #[test]
    fn a_use_answering_differently_the_second_time_is_a_violation() {
        let mut report = Report::default();
        let answer = |id: i64, number: &str| RoundReport {
            acks: vec![(id, Receipt { number: number.into(), code: "1234".into() })],
            ..RoundReport::default()
        };
        report.merge(RoundReport { cut_uses: vec![7], ..RoundReport::default() });
        report.merge(answer(7, "W2026.NA.442.00000001"));
        assert!(report.unanswered.is_empty(), "the retry answered it");
        report.merge(answer(7, "W2026.NA.442.00000001"));
        assert!(report.violations.is_empty());
        report.merge(answer(7, "W2026.NA.442.00000002"));
        assert_eq!(report.violations.len(), 1, "{:?}", report.violations);
    }
}
