//! `bench` (`make bench`): the performance budget of issue 5, measured on
//! loopback against the release `bons`, printed, and written to
//! `docs/PERFORMANCE.md` between its `bench:begin` and `bench:end` markers.
//!
//! For each backend (SQLite, then PostgreSQL unless `--no-postgres`), on
//! scratch databases of its own loaded by `bons demo`:
//! - **use**: "use" requests (`POST /api/use_voucher`, as the hydrated app
//!   sends them) on fresh vouchers at 1, 16 and 64 concurrent clients:
//!   requests/s, p50, p99; and, on a second database of the same kind, the
//!   same database work in a plain sqlx loop (`bench::floor`), the floor the
//!   server is compared with;
//! - **pages**: "Demande de bons" of a member with 200 vouchers (half of them
//!   used) against the login page, a small page rendered by the same binary,
//!   at 64 clients; and a static file beside them;
//! - **weight** (once): the bundle's WASM, JS and CSS and a used voucher's
//!   card, as the server sends them raw, gzip and brotli;
//! - **counter** (once, on SQLite): a cold phone in Chromium, network and CPU
//!   throttled, opens a 1-EMIS voucher and taps UTILISER CE BON and OK
//!   (`end2end/bench/counter.mjs`): each tap's time and requests;
//! - **statements**: a hook for issue 4's statement run (see `statements`).
//!
//! The benchmark's own clients run on the same machine as the server: on a
//! machine of two cores they take a share of it, and the figures say what
//! this machine did, under whatever else ran on it then (the load average is
//! printed beside them).
//!
//! Exit status: 0 when the run completed (whether or not targets are met:
//! the note says), 2 when it could not be done.

use bench::floor::{self, DemoIds, Floor};
use bench::load::{Run, drive, ms, percent};
use bench::scratch::{Backend, Scratch};
use bench::server::{Server, ServerSetup, log_tail};
use bench::{DEMO_MEMBER, DEMO_OTHER_MEMBER, DEMO_PASSWORD, client::session_cookie};
use clap::Parser;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, redirect::Policy};
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::{fmt::Write as _, process::ExitCode, sync::Arc, time::Duration};

/// The issue's targets.
const USE_RATIO_TARGET: u64 = 50;
const USE_P99_TARGET: Duration = Duration::from_millis(50);
const PAGE_RATIO_TARGET: u64 = 50;
/// 1 KB = 1000 bytes.
const WASM_JS_BROTLI_BUDGET: u64 = 250_000;
/// What fits in TCP's first round trip (an initial window of ten segments).
const CARD_HTML_BUDGET: u64 = 14_000;

const LEVELS: [usize; 3] = [1, 16, 64];
const PAGE_CLIENTS: usize = 64;
const LIST_VOUCHERS: usize = 200;
const WARM_UP: usize = 64;
/// The counter's profiles (2) × runs (3): a fresh 1-EMIS voucher for each run.
const COUNTER_VOUCHERS: usize = 6;
/// The counter's targets: the confirmation drawn by the page, OK one request.
const CONFIRM_TARGET_MS: u64 = 100;

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

#[derive(Parser)]
#[command(name = "bench", about = "Measure bons's performance budget (issue 5) and write docs/PERFORMANCE.md")]
struct Args {
    /// The server binary, as built by `make release`.
    #[arg(long, default_value = "target/release/bons")]
    bons: PathBuf,
    /// The built site, as written by `make release`.
    #[arg(long, default_value = "target/site")]
    site_root: PathBuf,
    /// PostgreSQL server (no database name); fresh databases are created there and dropped after.
    #[arg(long, env = "BONS_TEST_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// Measure SQLite only.
    #[arg(long)]
    no_postgres: bool,
    /// Uses per level at 16 and 64 clients (a single client makes a fifth as many).
    #[arg(long, default_value_t = 2000)]
    uses: usize,
    /// Requests per page in the page benchmark.
    #[arg(long, default_value_t = 3000)]
    page_requests: usize,
    /// Where the figures are written, between the bench markers.
    #[arg(long, default_value = "docs/PERFORMANCE.md")]
    output: PathBuf,
    /// Print only.
    #[arg(long)]
    no_write: bool,
    /// Keep the scratch databases and the server's log.
    #[arg(long)]
    keep: bool,
    /// Used vouchers of the month for the statement runs, one run each
    /// (empty: no statement run).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    statement_vouchers: Vec<usize>,
    /// Passes on the print-ready sheets measured (0: not measured).
    #[arg(long, default_value_t = 10_000)]
    sheet_passes: usize,
    /// Passes spent at the counter per backend, through the server and raw (0: not measured).
    #[arg(long, default_value_t = 3_000)]
    spend_passes: usize,
    /// Uses per run of the one-or-two-servers comparison on PostgreSQL (0:
    /// not measured).
    #[arg(long, default_value_t = 3_000)]
    servers_uses: usize,
    /// Only the one-or-two-servers comparison (with --no-write).
    #[arg(long)]
    only_servers: bool,
    /// Only the passes: the print-ready sheets and the spending (with --no-write).
    #[arg(long)]
    only_passes: bool,
    /// Only the statement runs (with --no-write, to try a change quickly).
    #[arg(long)]
    only_statements: bool,
    /// Skip the counter on a throttled phone (it needs Node.js, the npm
    /// packages of end2end/ and /usr/bin/chromium).
    #[arg(long)]
    no_counter: bool,
    /// The script that drives Chromium for the counter.
    #[arg(long, default_value = "end2end/bench/counter.mjs")]
    counter_script: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: &Args) -> bench::Result<()> {
    for (path, what) in [(&args.bons, "binary"), (&args.site_root, "site")] {
        if !path.exists() {
            return Err(format!("{} not found: build the release {what} first (`make release`)", path.display()).into());
        }
    }
    if (args.only_statements || args.only_passes || args.only_servers) && !args.no_write {
        return Err("--only-… measures a part: add --no-write, docs/PERFORMANCE.md keeps whole runs".into());
    }
    if args.uses < 5 || args.page_requests == 0 {
        return Err("need --uses of at least 5 and some --page-requests".into());
    }
    sqlx::any::install_default_drivers();
    let mut report = Report { started: chrono::Utc::now(), machine: Machine::read(), ..Report::default() };
    let mut backends = vec![Backend::Sqlite];
    if !args.no_postgres {
        backends.push(Backend::Postgres);
    }
    let only_part = args.only_statements || args.only_passes || args.only_servers;
    if only_part {
        backends.clear();
    }
    for backend in backends {
        println!("bench: {} …", backend.label());
        let (figures, once) = measure_backend(args, backend, report.weight.is_none()).await?;
        if let Some((weight, counter)) = once {
            report.weight = Some(weight);
            report.counter = counter;
        }
        report.backends.push(figures);
    }
    if !only_part || args.only_servers {
        report.servers = two_servers(args).await?;
    }
    if !only_part || args.only_statements {
        report.statements = statements(args).await?;
    }
    if !only_part || args.only_passes {
        report.sheets = pass_sheets(args).await?;
        report.spending = pass_spending(args).await?;
    }
    report.load_after = Machine::load_average();
    let text = report.markdown();
    println!("\n{text}");
    if !args.no_write {
        write_between_markers(&args.output, &text)?;
        println!("bench: figures written to {}", args.output.display());
    }
    Ok(())
}

/// Everything measured on one backend.
struct BackendFigures {
    /// "SQLite 3.46.0", "PostgreSQL 16.4".
    version: String,
    /// Per level: through the server, and the raw floor.
    uses: Vec<(Run, Run)>,
    /// The member's list (brotli, then uncompressed), the login page, and a static file.
    pages: Pages,
    /// The server's peak resident memory (VmHWM), in kB.
    server_peak_kb: Option<u64>,
}

/// Runs of the page benchmark.
struct Pages {
    list: Run,
    list_uncompressed: Run,
    /// A small page rendered by the same binary: the list's yardstick.
    login: Run,
    /// A static file (pre-compressed brotli).
    file: Run,
}

/// What is measured once, on the first backend: the weight, and the counter
/// (unless skipped).
type Once = Option<(Weight, Option<Vec<CounterProfile>>)>;

async fn measure_backend(args: &Args, backend: Backend, once: bool) -> bench::Result<(BackendFigures, Once)> {
    // One database for the server, one of the same kind for the raw loop.
    let served = new_scratch(args, backend).await?;
    let raw = match new_scratch(args, backend).await {
        Ok(raw) => raw,
        Err(e) => {
            served.finish(args.keep).await?;
            return Err(e);
        }
    };
    let measured = measure(args, &served, &raw, once).await;
    if measured.is_err() {
        eprintln!("server log (last lines):\n{}", log_tail(&served.dir().join("bons.log"), 20));
    }
    served.finish(args.keep).await?;
    raw.finish(args.keep).await?;
    measured
}

async fn new_scratch(args: &Args, backend: Backend) -> bench::Result<Scratch> {
    match backend {
        Backend::Sqlite => Scratch::sqlite(),
        Backend::Postgres => Scratch::postgres(&args.postgres).await,
    }
}

fn setup_for(args: &Args, scratch: &Scratch) -> ServerSetup {
    let mut setup = ServerSetup::new(
        args.bons.clone(),
        scratch.database_url.clone(),
        args.site_root.clone(),
        scratch.dir().join("bons.log"),
    );
    // A log line per request would cost more than some requests.
    setup.rust_log = "error".into();
    setup
}

/// How many fresh vouchers each run of uses takes: warm-up, then each level.
fn use_counts(args: &Args) -> Vec<usize> {
    let mut counts = vec![WARM_UP];
    counts.extend(LEVELS.iter().map(|&clients| if clients == 1 { args.uses / 5 } else { args.uses }));
    counts
}

/// Runs whose figures are compared take turns, in a few rounds each, so that
/// whatever else the machine does at the time weighs on both alike.
const ROUNDS: usize = 3;

/// `ids` cut into one share per round.
fn rounds(ids: &[i64]) -> Vec<Arc<Vec<i64>>> {
    ids.chunks(ids.len().div_ceil(ROUNDS).max(1)).map(|chunk| Arc::new(chunk.to_vec())).collect()
}

async fn measure(
    args: &Args,
    served_db: &Scratch,
    raw_db: &Scratch,
    once: bool,
) -> bench::Result<(BackendFigures, Once)> {
    let counts = use_counts(args);
    let setup = setup_for(args, served_db);
    setup.run("demo").await?;
    let (fresh, listed, at_counter, version) = {
        let mut db = floor::connect(&served_db.database_url).await?;
        let ids = DemoIds::read(&mut db).await?;
        let fresh = floor::insert_issued_vouchers(&mut db, &ids, ids.member_id, counts.iter().sum()).await?;
        let listed = floor::insert_issued_vouchers(&mut db, &ids, ids.other_member_id, LIST_VOUCHERS).await?;
        let at_counter = floor::insert_issued_vouchers(&mut db, &ids, ids.member_id, COUNTER_VOUCHERS).await?;
        let version = database_version(&mut db, served_db.backend).await?;
        db.close().await?;
        (fresh, listed, at_counter, version)
    };
    // The floor's database: the same demo data, as many fresh vouchers.
    setup_for(args, raw_db).run("demo").await?;
    let (raw_fresh, raw) = {
        let mut db = floor::connect(&raw_db.database_url).await?;
        let ids = DemoIds::read(&mut db).await?;
        let fresh = floor::insert_issued_vouchers(&mut db, &ids, ids.member_id, counts.iter().sum()).await?;
        db.close().await?;
        (fresh, Floor::connect(&raw_db.database_url, raw_db.backend, &ids).await?)
    };

    let server = setup.start().await?;
    let base = server.base.clone();
    let member = session_cookie(&base, DEMO_MEMBER, DEMO_PASSWORD).await?;
    let other = session_cookie(&base, DEMO_OTHER_MEMBER, DEMO_PASSWORD).await?;

    // Half of the listed member's vouchers used, as the app uses them: their
    // rows show a number, and their cards a code and a QR code.
    let phone = clients(1, &other, "application/json", false)?.remove(0);
    for id in &listed[..LIST_VOUCHERS / 2] {
        use_over_http(&phone, &base, *id).await.map_err(|e| format!("using a listed voucher: {e}"))?;
    }

    let mut uses = Vec::new();
    let (mut fresh, mut raw_fresh) = (fresh.as_slice(), raw_fresh.as_slice());
    for (level, count) in std::iter::once(4).chain(LEVELS).zip(counts) {
        let (batch, rest) = fresh.split_at(count);
        let (raw_batch, raw_rest) = raw_fresh.split_at(count);
        (fresh, raw_fresh) = (rest, raw_rest);
        let phones = Arc::new(clients(level, &member, "application/json", true)?);
        let (mut served, mut floor) = (Run::default(), Run::default());
        for (ids, raw_ids) in rounds(batch).into_iter().zip(rounds(raw_batch)) {
            let (phones, base) = (phones.clone(), base.clone());
            served.absorb(
                drive(level, ids.len(), move |client, n| {
                    let (phone, base, id) = (phones[client].clone(), base.clone(), ids[n]);
                    async move { use_over_http(&phone, &base, id).await }
                })
                .await,
            );
            let raw = raw.clone();
            floor.absorb(
                drive(level, raw_ids.len(), move |_, n| {
                    let (raw, id) = (raw.clone(), raw_ids[n]);
                    async move { raw.use_voucher(id).await.map(|_| ()) }
                })
                .await,
            );
        }
        check(&served, "use_voucher")?;
        check(&floor, "raw use")?;
        if level != 4 {
            println!(
                "  use, {level:>2} clients: server {} req/s, p99 {}; raw sqlx {} uses/s, p99 {}",
                served.per_second(),
                ms(served.p99()),
                floor.per_second(),
                ms(floor.p99())
            );
            uses.push((served, floor));
        }
    }
    raw.close().await;

    let mut pages =
        Pages { list: Run::default(), list_uncompressed: Run::default(), login: Run::default(), file: Run::default() };
    let share = args.page_requests.div_ceil(ROUNDS);
    for _ in 0..ROUNDS {
        pages.list.absorb(page_load(&base, &other, "/bons", true, share).await?);
        // The same without compression: how much of a page's cost is brotli's.
        pages.list_uncompressed.absorb(page_load(&base, &other, "/bons", false, share).await?);
        // The list's yardstick: a page rendered by the same binary, with
        // nothing to read from the database (a visitor's login page).
        pages.login.absorb(page_load(&base, "", "/connexion", true, share).await?);
        pages.file.absorb(page_load(&base, &other, "/hors-ligne.html", true, share).await?);
    }
    println!(
        "  pages: /bons {} req/s ({} uncompressed), /connexion {} req/s, static file {} req/s",
        pages.list.per_second(),
        pages.list_uncompressed.per_second(),
        pages.login.per_second(),
        pages.file.per_second()
    );
    let once = if once {
        let weight = Weight::measure(&base, &other, listed[0]).await?;
        let counter = if args.no_counter { None } else { Some(counter(args, &base, &at_counter).await?) };
        Some((weight, counter))
    } else {
        None
    };
    let server_peak_kb = server_peak_kb(&server);
    stop(server).await?;
    Ok((BackendFigures { version, uses, pages, server_peak_kb }, once))
}

/// One network profile of the counter: the medians of its runs.
struct CounterProfile {
    /// "slow 4G: 150 ms RTT, 1.6 Mbps down, 750 kbps up, CPU 4×"
    network: String,
    rtt_ms: u64,
    /// The button in the document, and painted (after the CSS).
    button_parsed_ms: u64,
    button_ms: u64,
    hydrated_ms: u64,
    confirm_ms: u64,
    confirm_requests: u64,
    code_ms: u64,
    code_requests: u64,
    /// One round trip with the use's request and answer at the profile's rates.
    code_floor_ms: u64,
}

/// The counter on a throttled phone: `end2end/bench/counter.mjs` drives
/// Chromium through each profile, one fresh voucher per run, and prints its
/// figures as JSON.
async fn counter(args: &Args, base: &str, vouchers: &[i64]) -> bench::Result<Vec<CounterProfile>> {
    println!("  counter: a cold phone in Chromium, throttled …");
    let ids = vouchers.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut node = std::process::Command::new("node");
    node.arg(&args.counter_script)
        .args(["--base", base, "--login", DEMO_MEMBER, "--password", DEMO_PASSWORD, "--vouchers", &ids])
        .stderr(std::process::Stdio::inherit());
    let output = tokio::task::spawn_blocking(move || node.output())
        .await?
        .map_err(|e| format!("node {}: {e} (or run with --no-counter)", args.counter_script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): see above, or run with --no-counter",
            args.counter_script.display(),
            output.status
        )
        .into());
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let profiles = json["profiles"].as_array().ok_or("the counter script printed no profiles")?;
    profiles
        .iter()
        .map(|p| {
            let (profile, median) = (&p["profile"], &p["median"]);
            let figure = |v: &serde_json::Value, name: &str| {
                v[name].as_f64().map(|f| f.round() as u64).ok_or(format!("the counter script gave no {name}: {p}"))
            };
            Ok(CounterProfile {
                network: format!(
                    "{}: {} ms RTT, {} down, {} up, CPU {}×",
                    profile["name"].as_str().unwrap_or("?"),
                    figure(profile, "rttMs")?,
                    rate(figure(profile, "downKbps")?),
                    rate(figure(profile, "upKbps")?),
                    figure(profile, "cpu")?
                ),
                rtt_ms: figure(profile, "rttMs")?,
                button_parsed_ms: figure(median, "button_parsed_ms")?,
                button_ms: figure(median, "button_ms")?,
                hydrated_ms: figure(median, "hydrated_ms")?,
                confirm_ms: figure(median, "confirm_ms")?,
                confirm_requests: figure(median, "confirm_requests")?,
                code_ms: figure(median, "code_ms")?,
                code_requests: figure(median, "code_requests")?,
                code_floor_ms: figure(median, "code_floor_ms")?,
            })
        })
        .collect()
}

/// kbit/s as "750 kbps" or "1.6 Mbps".
fn rate(kbps: u64) -> String {
    if kbps >= 1000 { format!("{}.{} Mbps", kbps / 1000, kbps % 1000 / 100) } else { format!("{kbps} kbps") }
}

/// `bons`'s answer to a use, checked: 200 with the code screen to go to.
async fn use_over_http(phone: &Client, base: &str, id: i64) -> Result<(), String> {
    let res = phone
        .post(format!("{base}/api/use_voucher"))
        .form(&[("id", id.to_string())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let next = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    match next {
        Some(to) if status.is_success() && to == format!("/bons/{id}/code") => Ok(()),
        _ => Err(format!("use of {id}: {status} {}", String::from_utf8_lossy(&body))),
    }
}

/// `count` GETs of `path` by 64 clients, as a phone asks: HTML, brotli
/// (or, with `compressed` false, without compression).
async fn page_load(base: &str, cookie: &str, path: &str, compressed: bool, count: usize) -> bench::Result<Run> {
    let browsers = Arc::new(clients(PAGE_CLIENTS, cookie, "text/html", compressed)?);
    let url = Arc::new(format!("{base}{path}"));
    let get = move |client: usize, _| {
        let (browser, url) = (browsers[client].clone(), url.clone());
        async move {
            let res = browser.get(url.as_str()).send().await.map_err(|e| e.to_string())?;
            let status = res.status();
            let body = res.bytes().await.map_err(|e| e.to_string())?;
            if status.is_success() && !body.is_empty() { Ok(()) } else { Err(format!("GET {url}: {status}")) }
        }
    };
    check(&drive(PAGE_CLIENTS, WARM_UP, get.clone()).await, path)?;
    let run = drive(PAGE_CLIENTS, count, get).await;
    check(&run, path)?;
    Ok(run)
}

/// One HTTP client (and so one connection) per simulated phone, all in the
/// same session (none when `cookie` is empty).
fn clients(count: usize, cookie: &str, accept: &'static str, compressed: bool) -> bench::Result<Vec<Client>> {
    let mut headers = HeaderMap::new();
    if !cookie.is_empty() {
        headers.insert(header::COOKIE, HeaderValue::from_str(cookie)?);
    }
    headers.insert(header::ACCEPT, HeaderValue::from_static(accept));
    if compressed {
        // What phones send; the bodies are read, not decoded.
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, gzip"));
    }
    (0..count)
        .map(|_| {
            Client::builder()
                .default_headers(headers.clone())
                .redirect(Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .map_err(Into::into)
        })
        .collect()
}

fn check(run: &Run, what: &str) -> bench::Result<()> {
    match &run.first_failure {
        None => Ok(()),
        Some(failure) => {
            Err(format!("{what}: {} of {} failed, first: {failure}", run.failed, run.failed + run.ok).into())
        }
    }
}

async fn stop(server: Server) -> bench::Result<()> {
    match server.stop(Duration::from_secs(15)).await? {
        (status, true) if status.success() => Ok(()),
        (status, _) => Err(format!("the server did not stop cleanly: {status}").into()),
    }
}

/// The server's peak resident memory so far, from /proc (Linux).
fn server_peak_kb(server: &Server) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

async fn database_version(db: &mut sqlx::AnyConnection, backend: Backend) -> bench::Result<String> {
    Ok(match backend {
        Backend::Sqlite => {
            format!("SQLite {}", sqlx::query_scalar::<_, String>("SELECT sqlite_version()").fetch_one(db).await?)
        }
        Backend::Postgres => {
            let version: String = sqlx::query_scalar("SHOW server_version").fetch_one(db).await?;
            format!("PostgreSQL {}", version.split_whitespace().next().unwrap_or_default())
        }
    })
}

/// Bytes of one file as sent: without compression, gzip, brotli.
struct Sent {
    what: String,
    path: String,
    raw: u64,
    gzip: Option<u64>,
    brotli: Option<u64>,
}

struct Weight {
    bundle: Vec<Sent>,
    card: Sent,
}

impl Weight {
    /// The bundle named by "Demande de bons", and the card of `used_voucher`.
    async fn measure(base: &str, cookie: &str, used_voucher: i64) -> bench::Result<Weight> {
        let http = clients(1, cookie, "text/html", false)?.remove(0);
        let list = http.get(format!("{base}/bons")).send().await?.text().await?;
        let mut bundle = Vec::new();
        for (what, ext) in [("WASM", ".wasm"), ("JS", ".js"), ("CSS", ".css")] {
            let path = pkg_path(&list, ext).ok_or(format!("no /pkg/…{ext} in the page"))?;
            bundle.push(Sent::measure(&http, base, what, &path).await?);
        }
        // A split build's main JS imports the loader of the WASM chunks: the
        // page downloads it too (the chunks, only on the pages that use them).
        let js = pkg_path(&list, ".js").unwrap_or_default();
        let js = http.get(format!("{base}{js}")).send().await?.text().await?;
        if let Some(loader) = split_loader(&js) {
            bundle.push(Sent::measure(&http, base, "JS (chunk loader)", &loader).await?);
        }
        let card = Sent::measure(&http, base, "voucher card (HTML)", &format!("/bons/{used_voucher}")).await?;
        Ok(Weight { bundle, card })
    }

    /// The brotli bytes of the bundle's files whose kind starts with `what`.
    fn brotli(&self, what: &str) -> u64 {
        self.bundle.iter().filter(|s| s.what.starts_with(what)).map(|s| s.brotli.unwrap_or(s.raw)).sum()
    }
}

/// The first `/pkg/…<ext>` the page links to.
fn pkg_path(html: &str, ext: &str) -> Option<String> {
    html.match_indices("\"/pkg/").find_map(|(at, _)| {
        let path = html[at + 1..].split('"').next()?;
        path.ends_with(ext).then(|| path.to_owned())
    })
}

/// The chunks' loader a split build's main JS imports (`./__wasm_split.<hash>.js`).
fn split_loader(js: &str) -> Option<String> {
    let at = js.find("__wasm_split.")?;
    let name = js[at..].split(['"', '\'']).next()?;
    name.ends_with(".js").then(|| format!("/pkg/{name}"))
}

impl Sent {
    async fn measure(http: &Client, base: &str, what: &str, path: &str) -> bench::Result<Sent> {
        let url = format!("{base}{path}");
        let mut sizes = Vec::new();
        for encoding in ["identity", "gzip", "br"] {
            let res = http.get(&url).header(header::ACCEPT_ENCODING, encoding).send().await?;
            if !res.status().is_success() {
                return Err(format!("GET {path}: {}", res.status()).into());
            }
            let sent = res.headers().get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
            let encoded = sent == encoding;
            let bytes = u64::try_from(res.bytes().await?.len())?;
            sizes.push(encoded.then_some(bytes));
        }
        let raw = sizes[0].ok_or(format!("GET {path} came compressed without being asked"))?;
        Ok(Sent { what: what.to_owned(), path: path.to_owned(), raw, gzip: sizes[1], brotli: sizes[2] })
    }
}

/// Used vouchers per member in the statement runs: 10 k vouchers are 500
/// statements, 100 k are 5,000.
const VOUCHERS_PER_MEMBER: usize = 20;
/// The issue's target for a month's statements of an agency.
const STATEMENT_TARGET: Duration = Duration::from_secs(2);

/// "A month's statements for an agency with 100,000 used vouchers: wall
/// time and peak memory". For each size and backend: a scratch database
/// with the demo data, members with an email address each using
/// `VOUCHERS_PER_MEMBER` vouchers last month (written straight to the
/// database, numbers in series), then the run as staff start it from the
/// back office (`start_statement_run`), timed from the request until the
/// run says it is finished; every member must have a statement and an
/// email (one `.eml` file each). Peak memory is the server's VmHWM, read
/// before the run and after it: the server is fresh for each size.
async fn statements(args: &Args) -> bench::Result<Option<Vec<StatementFigures>>> {
    if args.statement_vouchers.is_empty() {
        return Ok(None);
    }
    let mut figures = Vec::new();
    let mut backends = vec![Backend::Sqlite];
    if !args.no_postgres {
        backends.push(Backend::Postgres);
    }
    // The runs' folders (thousands of `.eml` files each) are removed only
    // once every run is measured: on an ext4 without a journal, like this
    // machine's, a file created within a minute or more of thousands being
    // deleted waits while the kernel skips their inodes (`recently_deleted`
    // took a third of the server's time in `perf`), which a cooperative's
    // mail folder, never emptied by the thousand, does not see.
    let (mut scratches, mut failed) = (Vec::new(), None);
    'runs: for backend in backends {
        for &vouchers in &args.statement_vouchers {
            println!("bench: statements of {vouchers} used vouchers on {} …", backend.label());
            let scratch = new_scratch(args, backend).await?;
            let measured = statement_run(args, &scratch, vouchers).await;
            if measured.is_err() {
                eprintln!("server log (last lines):\n{}", log_tail(&scratch.dir().join("bons.log"), 20));
            }
            scratches.push(scratch);
            let (made, wall, peak_before_kb, peak_kb, members) = match measured {
                Ok(measured) => measured,
                Err(e) => {
                    failed = Some(e);
                    break 'runs;
                }
            };
            figures.push(StatementFigures {
                backend,
                used_vouchers: vouchers,
                members,
                made,
                wall,
                peak_before_kb,
                peak_kb,
            });
        }
    }
    for scratch in scratches {
        scratch.finish(args.keep).await?;
    }
    failed.map_or(Ok(Some(figures)), Err)
}

/// One run: (time until every statement is made and kept, time until the
/// run is finished with every email written, peak memory before and after
/// in kB, members).
async fn statement_run(
    args: &Args,
    scratch: &Scratch,
    vouchers: usize,
) -> bench::Result<(Duration, Duration, u64, u64, usize)> {
    let mut setup = setup_for(args, scratch);
    // Each batch of the run logs its phases (read, made, stored, emailed).
    setup.rust_log = "error,app::server::services::statements=debug".into();
    let mail = scratch.dir().join("mail");
    setup.mail_dir = Some(mail.clone());
    setup.run("demo").await?;
    let members = vouchers.div_ceil(VOUCHERS_PER_MEMBER);
    let month = {
        let mut db = floor::connect(&scratch.database_url).await?;
        let ids = DemoIds::read(&mut db).await?;
        let month = floor::insert_month_of_uses(&mut db, &ids, members, VOUCHERS_PER_MEMBER).await?;
        db.close().await?;
        month
    };
    let server = setup.start().await?;
    let base = server.base.clone();
    let staff = session_cookie(&base, "agence.nantes", DEMO_PASSWORD).await?;
    let desk = clients(1, &staff, "application/json", false)?.remove(0);
    let before = server_peak_kb(&server).unwrap_or(0);
    let started = std::time::Instant::now();
    let answer = desk.post(format!("{base}/api/start_statement_run")).form(&[("month", month.as_str())]).send().await?;
    let status = answer.status();
    let run: serde_json::Value = answer.json().await?;
    if !status.is_success() {
        return Err(format!("start_statement_run: {status} {run}").into());
    }
    let id = run["id"].to_string();
    let mut made = None;
    let finished = loop {
        let answer = desk.post(format!("{base}/api/statement_run")).form(&[("id", id.as_str())]).send().await?;
        let run: serde_json::Value = answer.json().await?;
        if made.is_none() && run["done"].as_i64().is_some_and(|done| Some(done) == run["total"].as_i64()) {
            made = Some(started.elapsed());
        }
        if run["finished"] == true {
            break run;
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err(format!("the statement run did not finish in 10 minutes: {run}").into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let wall = started.elapsed();
    let made = made.unwrap_or(wall);
    let peak = server_peak_kb(&server).unwrap_or(0);
    stop(server).await?;
    let expected = i64::try_from(members)?;
    if finished["done"].as_i64() != Some(expected) || finished["emailed"].as_i64() != Some(expected) {
        return Err(format!(
            "the run made or emailed the wrong number of statements for {members} members: {finished}"
        )
        .into());
    }
    let emails = std::fs::read_dir(&mail)?
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml")))
        .count();
    if emails != members {
        return Err(format!("{emails} emails written for {members} members").into());
    }
    Ok((made, wall, before, peak, members))
}

/// The print-ready sheets of a large order (issue 15): what staff
/// download to print its passes, codes on them.
struct SheetFigures {
    passes: usize,
    pages: usize,
    bytes: usize,
    /// From the request until the last byte of the PDF.
    wall: Duration,
    /// The yardstick: the same order's one-page summary PDF, from the same
    /// server, the same way.
    summary: Duration,
    /// The server's VmHWM before the download (start-up, login, the
    /// summary) and after it.
    peak_before_kb: u64,
    peak_kb: u64,
}

/// "Producing the print-ready PDF of 10,000 passes (time and peak
/// memory)": the town's activated order of `bons demo --history` grown to
/// `--sheet-passes` passes (rows written straight to the database), then
/// staff download `/agence/commandes/{id}/pass.pdf` from a fresh server on
/// SQLite; the PDF must have a page per eight passes.
async fn pass_sheets(args: &Args) -> bench::Result<Option<SheetFigures>> {
    if args.sheet_passes == 0 {
        return Ok(None);
    }
    println!("bench: print-ready sheets of {} passes …", args.sheet_passes);
    let scratch = new_scratch(args, Backend::Sqlite).await?;
    let measured = async {
        let setup = setup_for(args, &scratch);
        setup.run_with("demo", &["--history"]).await?;
        let order = {
            let mut db = floor::connect(&scratch.database_url).await?;
            let order = floor::grow_passes(&mut db, args.sheet_passes).await?;
            db.close().await?;
            order
        };
        let server = setup.start().await?;
        let base = server.base.clone();
        let staff = session_cookie(&base, "agence.nantes", DEMO_PASSWORD).await?;
        let desk = clients(1, &staff, "application/pdf", false)?.remove(0);
        let download = |path: String| {
            let desk = desk.clone();
            async move {
                let started = std::time::Instant::now();
                let answer = desk.get(path.as_str()).send().await?;
                let status = answer.status();
                let bytes = answer.bytes().await?;
                if !status.is_success() || !bytes.starts_with(b"%PDF-") {
                    return Err::<_, bench::Error>(format!("{path}: {status}").into());
                }
                Ok((started.elapsed(), bytes.len(), bytes))
            }
        };
        let (summary, _, _) = download(format!("{base}/agence/commandes/{order}/recapitulatif.pdf")).await?;
        let peak_before_kb = server_peak_kb(&server).unwrap_or(0);
        let (wall, size, pdf) = download(format!("{base}/agence/commandes/{order}/pass.pdf")).await?;
        let peak_kb = server_peak_kb(&server).unwrap_or(0);
        stop(server).await?;
        let pages = pdf.windows(11).filter(|w| *w == b"/Type /Page").count()
            - pdf.windows(12).filter(|w| *w == b"/Type /Pages").count();
        if pages != args.sheet_passes.div_ceil(8) {
            return Err(format!("{pages} pages for {} passes, eight a page", args.sheet_passes).into());
        }
        Ok(SheetFigures { passes: args.sheet_passes, pages, bytes: size, wall, summary, peak_before_kb, peak_kb })
    }
    .await;
    if measured.is_err() {
        eprintln!("server log (last lines):\n{}", log_tail(&scratch.dir().join("bons.log"), 20));
    }
    scratch.finish(args.keep).await?;
    measured.map(Some)
}

/// Clients spending passes at once: a cooperative's busiest counters.
const SPEND_CLIENTS: usize = 64;

struct SpendFigures {
    backend: Backend,
    /// Through the server (`POST /api/supplier_spend_pass`), and the raw floor.
    served: Run,
    floor: Run,
}

/// "Spending passes at the counter at 64 clients against its raw floor,
/// like the voucher's use": per backend, two scratch databases with the
/// demo's history, the town's activated order grown to `--spend-passes`
/// passes in each; a supplier's staff (`ouest`) spend them, each with its
/// printed code, through the server, and the same work done by a plain
/// sqlx loop (`Floor::spend_pass`) on the other database, in alternating
/// rounds.
async fn pass_spending(args: &Args) -> bench::Result<Vec<SpendFigures>> {
    if args.spend_passes == 0 {
        return Ok(Vec::new());
    }
    let mut backends = vec![Backend::Sqlite];
    if !args.no_postgres {
        backends.push(Backend::Postgres);
    }
    let mut figures = Vec::new();
    for backend in backends {
        println!("bench: {} passes spent at {SPEND_CLIENTS} counters on {} …", args.spend_passes, backend.label());
        let (served_db, raw_db) = (new_scratch(args, backend).await?, new_scratch(args, backend).await?);
        let measured = spend_run(args, &served_db, &raw_db).await;
        if measured.is_err() {
            eprintln!("server log (last lines):\n{}", log_tail(&served_db.dir().join("bons.log"), 20));
        }
        served_db.finish(args.keep).await?;
        raw_db.finish(args.keep).await?;
        let (served, floor) = measured?;
        println!(
            "  pass spends: server {} req/s, p99 {}; raw sqlx {} spends/s, p99 {}",
            served.per_second(),
            ms(served.p99()),
            floor.per_second(),
            ms(floor.p99())
        );
        figures.push(SpendFigures { backend, served, floor });
    }
    Ok(figures)
}

/// Phones of the one-or-two-servers comparison.
const SERVERS_CLIENTS: usize = 64;

/// Uses through one server, through two, and the raw floor, on PostgreSQL.
struct ServersFigures {
    version: String,
    one: Run,
    two: Run,
    floor: Run,
}

/// The use throughput of one and of two `bons serve` processes on one
/// PostgreSQL database, against the raw floor: where the ceiling is.
async fn two_servers(args: &Args) -> bench::Result<Option<ServersFigures>> {
    if args.no_postgres || args.servers_uses == 0 {
        return Ok(None);
    }
    println!("bench: one and two servers on PostgreSQL, {} uses each …", args.servers_uses);
    let (served_db, raw_db) =
        (new_scratch(args, Backend::Postgres).await?, new_scratch(args, Backend::Postgres).await?);
    let measured = servers_run(args, &served_db, &raw_db).await;
    if measured.is_err() {
        eprintln!("server log (last lines):\n{}", log_tail(&served_db.dir().join("bons.log"), 20));
    }
    served_db.finish(args.keep).await?;
    raw_db.finish(args.keep).await?;
    let figures = measured?;
    println!(
        "  uses at {SERVERS_CLIENTS} clients: 1 server {} req/s (p99 {}), 2 servers {} req/s (p99 {}), raw sqlx {} uses/s",
        figures.one.per_second(),
        ms(figures.one.p99()),
        figures.two.per_second(),
        ms(figures.two.p99()),
        figures.floor.per_second()
    );
    Ok(Some(figures))
}

async fn servers_run(args: &Args, served_db: &Scratch, raw_db: &Scratch) -> bench::Result<ServersFigures> {
    let count = args.servers_uses;
    let setup = setup_for(args, served_db);
    setup.run("demo").await?;
    let (fresh, version) = {
        let mut db = floor::connect(&served_db.database_url).await?;
        let ids = DemoIds::read(&mut db).await?;
        let fresh = floor::insert_issued_vouchers(&mut db, &ids, ids.member_id, WARM_UP + 2 * count).await?;
        let version = database_version(&mut db, served_db.backend).await?;
        db.close().await?;
        (fresh, version)
    };
    setup_for(args, raw_db).run("demo").await?;
    let (raw_fresh, raw) = {
        let mut db = floor::connect(&raw_db.database_url).await?;
        let ids = DemoIds::read(&mut db).await?;
        let fresh = floor::insert_issued_vouchers(&mut db, &ids, ids.member_id, count).await?;
        db.close().await?;
        (fresh, Floor::connect(&raw_db.database_url, raw_db.backend, &ids).await?)
    };
    let (a, b) = (setup.start().await?, setup.start().await?);
    let bases = Arc::new([a.base.clone(), b.base.clone()]);
    let member = session_cookie(&a.base, DEMO_MEMBER, DEMO_PASSWORD).await?;
    let phones = Arc::new(clients(SERVERS_CLIENTS, &member, "application/json", true)?);
    let (warm_up, rest) = fresh.split_at(WARM_UP);
    let (for_one, for_two) = rest.split_at(count);
    // Both servers warmed up (connections open, statements prepared).
    let warm = Arc::new(warm_up.to_vec());
    let (p, w, bs) = (phones.clone(), warm.clone(), bases.clone());
    drive(SERVERS_CLIENTS, warm.len(), move |client, n| {
        let (phone, base, id) = (p[client].clone(), bs[n % 2].clone(), w[n]);
        async move { use_over_http(&phone, &base, id).await }
    })
    .await;
    let (mut one, mut two, mut floor) = (Run::default(), Run::default(), Run::default());
    for ((ids_one, ids_two), raw_ids) in rounds(for_one).into_iter().zip(rounds(for_two)).zip(rounds(&raw_fresh)) {
        let (p, bs) = (phones.clone(), bases.clone());
        one.absorb(
            drive(SERVERS_CLIENTS, ids_one.len(), move |client, n| {
                let (phone, base, id) = (p[client].clone(), bs[0].clone(), ids_one[n]);
                async move { use_over_http(&phone, &base, id).await }
            })
            .await,
        );
        let (p, bs) = (phones.clone(), bases.clone());
        two.absorb(
            drive(SERVERS_CLIENTS, ids_two.len(), move |client, n| {
                let (phone, base, id) = (p[client].clone(), bs[client % 2].clone(), ids_two[n]);
                async move { use_over_http(&phone, &base, id).await }
            })
            .await,
        );
        let raw = raw.clone();
        floor.absorb(
            drive(SERVERS_CLIENTS, raw_ids.len(), move |_, n| {
                let (raw, id) = (raw.clone(), raw_ids[n]);
                async move { raw.use_voucher(id).await.map(|_| ()) }
            })
            .await,
        );
    }
    raw.close().await;
    check(&one, "use_voucher on one server")?;
    check(&two, "use_voucher on two servers")?;
    check(&floor, "raw use")?;
    stop(a).await?;
    stop(b).await?;
    Ok(ServersFigures { version, one, two, floor })
}

/// The passes of a grown order, their codes as printed: (number, code).
async fn printed(database_url: &str, keys: &floor::PassKeys, total: usize) -> bench::Result<Vec<(String, String)>> {
    let mut db = floor::connect(database_url).await?;
    let order = floor::grow_passes(&mut db, total).await?;
    let passes = floor::active_passes(&mut db, order).await?;
    db.close().await?;
    Ok(passes
        .into_iter()
        .map(|(number, cents)| {
            let code = keys.pass_code(&number, cents);
            (number, code)
        })
        .collect())
}

async fn spend_run(args: &Args, served_db: &Scratch, raw_db: &Scratch) -> bench::Result<(Run, Run)> {
    let setup = setup_for(args, served_db);
    setup.run_with("demo", &["--history"]).await?;
    let raw_setup = setup_for(args, raw_db);
    raw_setup.run_with("demo", &["--history"]).await?;
    let keys = floor::PassKeys::from_hex_secret(&setup.secret)?;
    let raw_keys = Arc::new(floor::PassKeys::from_hex_secret(&raw_setup.secret)?);
    // The demo's history spends three and keeps one to try: the rest are active.
    let total = args.spend_passes + 20;
    let served_passes = printed(&served_db.database_url, &keys, total).await?;
    let raw_passes = printed(&raw_db.database_url, &raw_keys, total).await?;
    let count = args.spend_passes.min(served_passes.len()).min(raw_passes.len());
    let ouest: i64 = {
        let mut db = floor::connect(&raw_db.database_url).await?;
        let id = sqlx::query_scalar("SELECT id FROM accounts WHERE login = 'ouest'").fetch_one(&mut db).await?;
        db.close().await?;
        id
    };
    let raw = Floor::connect_for(&raw_db.database_url, raw_db.backend, ouest).await?;
    let server = setup.start().await?;
    let base = server.base.clone();
    let cookie = session_cookie(&base, "ouest", DEMO_PASSWORD).await?;
    let tills = Arc::new(clients(SPEND_CLIENTS, &cookie, "application/json", true)?);
    let share = count.div_ceil(ROUNDS);
    let (mut served, mut floor_run) = (Run::default(), Run::default());
    let (served_passes, raw_passes) = (Arc::new(served_passes), Arc::new(raw_passes));
    for round in 0..ROUNDS {
        let start = round * share;
        let n = share.min(count.saturating_sub(start));
        let (tills, base, passes) = (tills.clone(), base.clone(), served_passes.clone());
        served.absorb(
            drive(SPEND_CLIENTS, n, move |client, i| {
                let (till, base, passes) = (tills[client].clone(), base.clone(), passes.clone());
                async move { spend_over_http(&till, &base, &passes[start + i]).await }
            })
            .await,
        );
        let (raw, passes, keys) = (raw.clone(), raw_passes.clone(), raw_keys.clone());
        floor_run.absorb(
            drive(SPEND_CLIENTS, n, move |_, i| {
                let (raw, passes, keys) = (raw.clone(), passes.clone(), keys.clone());
                async move {
                    let (number, code) = &passes[start + i];
                    raw.spend_pass(number, code, &keys).await
                }
            })
            .await,
        );
    }
    raw.close().await;
    stop(server).await?;
    check(&served, "supplier_spend_pass")?;
    check(&floor_run, "raw pass spend")?;
    Ok((served, floor_run))
}

async fn spend_over_http(till: &Client, base: &str, (number, code): &(String, String)) -> Result<(), String> {
    let answer = till
        .post(format!("{base}/api/supplier_spend_pass"))
        .form(&[("number", number.as_str()), ("code", code.as_str())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status();
    let body = answer.bytes().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("spend of {number}: {status} {}", String::from_utf8_lossy(&body)))
    }
}

struct StatementFigures {
    backend: Backend,
    used_vouchers: usize,
    members: usize,
    /// From the request until every statement is made and kept (in the
    /// members' « Mes relevés »).
    made: Duration,
    /// From the request until the run is finished: every email written too.
    wall: Duration,
    /// The server's VmHWM before the run (start-up, login) and after it.
    peak_before_kb: u64,
    peak_kb: u64,
}

/// Where the figures come from.
#[derive(Default)]
struct Machine {
    cpu: String,
    cores: usize,
    memory: String,
    kernel: String,
    load: String,
    commit: String,
}

impl Machine {
    fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|v| v.trim_start_matches([' ', '\t', ':']).split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| "unknown CPU".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(|| "? GB".into(), |kb| format!("{} GB", (kb + 500_000) / 1_000_000));
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned();
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .unwrap_or_default()
        };
        let dirty =
            if git(&["status", "--porcelain", "--untracked-files=no"]).is_empty() { "" } else { " with local changes" };
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            memory,
            kernel,
            load: Machine::load_average(),
            commit: format!("{}{dirty}", git(&["rev-parse", "--short", "HEAD"])),
        }
    }

    /// The 1-minute load average.
    fn load_average() -> String {
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_owned))
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Report {
    started: chrono::DateTime<chrono::Utc>,
    machine: Machine,
    load_after: String,
    backends: Vec<BackendFigures>,
    weight: Option<Weight>,
    counter: Option<Vec<CounterProfile>>,
    statements: Option<Vec<StatementFigures>>,
    sheets: Option<SheetFigures>,
    spending: Vec<SpendFigures>,
    servers: Option<ServersFigures>,
}

impl Report {
    fn markdown(&self) -> String {
        let m = &self.machine;
        let mut out = String::new();
        let _ = writeln!(out, "{BEGIN}");
        let _ = writeln!(
            out,
            "_Written by `make bench` on {} (commit {}): {}, {} cores, {}, Linux {}; \
             load average {} at the start, {} at the end. Server and load generator share the machine._\n",
            self.started.format("%Y-%m-%d %H:%M UTC"),
            m.commit,
            m.cpu,
            m.cores,
            m.memory,
            m.kernel,
            m.load,
            self.load_after
        );
        self.use_section(&mut out);
        self.servers_section(&mut out);
        self.page_section(&mut out);
        self.weight_section(&mut out);
        self.counter_section(&mut out);
        self.statement_section(&mut out);
        self.sheet_section(&mut out);
        self.spending_section(&mut out);
        let _ = writeln!(out, "{END}");
        out
    }

    fn use_section(&self, out: &mut String) {
        let _ = writeln!(out, "### Using a voucher: `POST /api/use_voucher` on fresh vouchers\n");
        table_head(
            out,
            &[
                "backend",
                "clients",
                "server req/s",
                "p50",
                "p99",
                "raw sqlx uses/s",
                "raw p50",
                "raw p99",
                "server / raw",
            ],
            1,
        );
        for b in &self.backends {
            for (served, raw) in &b.uses {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} % |",
                    b.version,
                    served.clients,
                    served.per_second(),
                    ms(served.p50()),
                    ms(served.p99()),
                    raw.per_second(),
                    ms(raw.p50()),
                    ms(raw.p99()),
                    percent(served.per_second(), raw.per_second())
                );
            }
        }
        let _ = writeln!(out);
        for b in &self.backends {
            let worst_ratio =
                b.uses.iter().map(|(s, r)| percent(s.per_second(), r.per_second())).min().unwrap_or_default();
            let p99 = b.uses.iter().find(|(s, _)| s.clients == 64).map_or(Duration::ZERO, |(s, _)| s.p99());
            let _ = writeln!(
                out,
                "- {}: server / raw at least {worst_ratio} % at every level (target ≥ {USE_RATIO_TARGET} %): {}; \
                 p99 at 64 clients {} (target ≤ {}): {}.",
                b.version,
                verdict(worst_ratio >= USE_RATIO_TARGET, || format!(
                    "missed by {} points",
                    USE_RATIO_TARGET - worst_ratio
                )),
                ms(p99),
                ms(USE_P99_TARGET),
                verdict(p99 <= USE_P99_TARGET, || format!("missed by {}", ms(p99.saturating_sub(USE_P99_TARGET))))
            );
        }
        let _ = writeln!(out);
    }

    fn page_section(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "### \"Demande de bons\" ({LIST_VOUCHERS} vouchers, half used) against the login page, {PAGE_CLIENTS} clients\n"
        );
        table_head(out, &["backend", "page", "req/s", "p50", "p99", "server peak memory (whole run)"], 2);
        for b in &self.backends {
            let p = &b.pages;
            let peak = b.server_peak_kb.map_or("?".to_owned(), |kb| format!("{} MB", kb / 1000));
            for (page, run) in [
                ("`/bons`, rendered, brotli", &p.list),
                ("`/bons`, rendered, not compressed", &p.list_uncompressed),
                ("`/connexion`, rendered, brotli", &p.login),
                ("`/hors-ligne.html`, static, brotli", &p.file),
            ] {
                let _ = writeln!(
                    out,
                    "| {} | {page} | {} | {} | {} | {peak} |",
                    b.version,
                    run.per_second(),
                    ms(run.p50()),
                    ms(run.p99())
                );
            }
        }
        let _ = writeln!(out);
        for b in &self.backends {
            let p = &b.pages;
            let ratio = percent(p.list.per_second(), p.login.per_second());
            let _ = writeln!(
                out,
                "- {}: the rendered list (brotli) serves {ratio} % of the login page's rate (target ≥ {PAGE_RATIO_TARGET} %): {}; \
                 the static file {} %.",
                b.version,
                verdict(ratio >= PAGE_RATIO_TARGET, || format!("missed by {} points", PAGE_RATIO_TARGET - ratio)),
                percent(p.file.per_second(), p.login.per_second())
            );
        }
        let _ = writeln!(out);
    }

    fn weight_section(&self, out: &mut String) {
        let Some(weight) = &self.weight else {
            return;
        };
        let _ = writeln!(out, "### Weight, as sent (1 KB = 1000 bytes)\n");
        table_head(out, &["file", "raw", "gzip", "brotli"], 1);
        for sent in weight.bundle.iter().chain([&weight.card]) {
            let _ = writeln!(
                out,
                "| {} `{}` | {} | {} | {} |",
                sent.what,
                sent.path,
                kb(sent.raw),
                sent.gzip.map_or("not compressed".into(), kb),
                sent.brotli.map_or("not compressed".into(), kb)
            );
        }
        let wasm_js = weight.brotli("WASM") + weight.brotli("JS");
        let card = weight.card.brotli.or(weight.card.gzip).unwrap_or(weight.card.raw);
        let _ = writeln!(
            out,
            "\n- WASM + JS, brotli: {} (target ≤ {}): {}.\n- The voucher card's HTML, brotli: {} (target ≤ {}): {}.\n",
            kb(wasm_js),
            kb(WASM_JS_BROTLI_BUDGET),
            verdict(wasm_js <= WASM_JS_BROTLI_BUDGET, || format!("missed by {}", kb(wasm_js - WASM_JS_BROTLI_BUDGET))),
            kb(card),
            kb(CARD_HTML_BUDGET),
            verdict(card <= CARD_HTML_BUDGET, || format!("missed by {}", kb(card.saturating_sub(CARD_HTML_BUDGET))))
        );
    }

    fn counter_section(&self, out: &mut String) {
        let Some(profiles) = &self.counter else {
            return;
        };
        let _ = writeln!(out, "### At the counter: a cold phone opens a 1-EMIS voucher, UTILISER CE BON, OK\n");
        let _ = writeln!(
            out,
            "Chromium, network and CPU throttled through the DevTools protocol, a fresh profile each run (no \
             cache, logged in), median of 3 runs, on SQLite. From the start of the page's load: the button \
             in the document and painted, and the page hydrated; from each tap: its screen drawn, and the \
             requests the page made. Service workers are blocked: the throttling does not reach their \
             requests.\n"
        );
        table_head(
            out,
            &[
                "network",
                "button in the page / painted",
                "hydrated",
                "UTILISER CE BON → confirmation",
                "its requests",
                "OK → code",
                "its requests",
                "one round trip (floor)",
            ],
            1,
        );
        for c in profiles {
            let _ = writeln!(
                out,
                "| {} | {} / {} ms | {} ms | {} ms | {} | {} ms | {} | {} ms |",
                c.network,
                c.button_parsed_ms,
                c.button_ms,
                c.hydrated_ms,
                c.confirm_ms,
                c.confirm_requests,
                c.code_ms,
                c.code_requests,
                c.code_floor_ms
            );
        }
        let _ = writeln!(out);
        for c in profiles {
            let _ = writeln!(
                out,
                "- {}: the confirmation in {} ms with {} request(s) (target: no request, < {CONFIRM_TARGET_MS} ms): {}; \
                 OK → code in {} ms with {} request(s) (target: one round trip; its floor, {} ms RTT and the \
                 bytes, {} ms): {}.",
                c.network,
                c.confirm_ms,
                c.confirm_requests,
                verdict(c.confirm_requests == 0 && c.confirm_ms < CONFIRM_TARGET_MS, || "missed".into()),
                c.code_ms,
                c.code_requests,
                c.rtt_ms,
                c.code_floor_ms,
                verdict(c.code_requests == 1, || format!("missed: {} requests", c.code_requests))
            );
        }
        let _ = writeln!(out);
    }

    fn sheet_section(&self, out: &mut String) {
        let _ = writeln!(out, "### Print-ready sheets of an order's passes\n");
        let Some(f) = &self.sheets else {
            let _ = writeln!(out, "Not measured in this run (`--sheet-passes 0`).\n");
            return;
        };
        let _ = writeln!(
            out,
            "An order of {} passes (the demo's town order grown in the database), its sheets downloaded by \
             staff from a fresh server on SQLite: eight passes a page, each with its number, its secret code \
             (recomputed from the server secret), its QR code and the sponsor's message. The yardstick is the \
             same order's one-page summary PDF from the same server. Peak memory is the server's VmHWM, before \
             the download and after it.\n",
            f.passes
        );
        table_head(out, &["passes", "pages", "PDF", "time", "summary PDF", "server peak before (MB)", "after (MB)"], 1);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            f.passes,
            f.pages,
            kb(u64::try_from(f.bytes).unwrap_or(u64::MAX)),
            ms(f.wall),
            ms(f.summary),
            mb(f.peak_before_kb),
            mb(f.peak_kb)
        );
    }

    fn spending_section(&self, out: &mut String) {
        let _ = writeln!(out, "### Spending a pass: `POST /api/supplier_spend_pass`, {SPEND_CLIENTS} counters\n");
        if self.spending.is_empty() {
            let _ = writeln!(out, "Not measured in this run (`--spend-passes 0`).\n");
            return;
        }
        let _ = writeln!(
            out,
            "A supplier's staff spend the passes of the demo's town order (grown in the database), each with \
             its printed code, {SPEND_CLIENTS} at once, through the server; the floor is the same database \
             work (session, budgets, the pass locked, its code checked, spent, journaled) done by a plain sqlx \
             loop on a database of the same kind, in alternating rounds.\n"
        );
        table_head(
            out,
            &["backend", "spends", "server req/s", "p50", "p99", "raw spends/s", "raw p99", "server / raw"],
            1,
        );
        for f in &self.spending {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} % |",
                f.backend.label(),
                f.served.ok,
                f.served.per_second(),
                ms(f.served.p50()),
                ms(f.served.p99()),
                f.floor.per_second(),
                ms(f.floor.p99()),
                percent(f.served.per_second(), f.floor.per_second())
            );
        }
        let _ = writeln!(out);
    }

    fn servers_section(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "### One or two server processes on one PostgreSQL, {SERVERS_CLIENTS} clients
"
        );
        let Some(f) = &self.servers else {
            let _ = writeln!(out, "Not measured in this run (`--servers-uses 0` or `--no-postgres`).\n");
            return;
        };
        let _ = writeln!(
            out,
            "{SERVERS_CLIENTS} phones use fresh vouchers of one member, sent to one `bons serve`, then spread over \
             two (every other phone to each) on the same {} database; the floor is the use's database work by \
             a plain sqlx loop (a pool of 16 connections, as one server has) on a database of the same kind. Alternating \
             rounds.\n",
            f.version
        );
        table_head(out, &["processes", "uses", "req/s", "p50", "p99", "of the raw floor"], 1);
        for (label, run) in [("1 server", &f.one), ("2 servers", &f.two), ("raw sqlx floor", &f.floor)] {
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {} | {} | {} % |",
                run.ok,
                run.per_second(),
                ms(run.p50()),
                ms(run.p99()),
                percent(run.per_second(), f.floor.per_second())
            );
        }
        let _ = writeln!(out);
    }

    fn statement_section(&self, out: &mut String) {
        let _ = writeln!(out, "### Statements: a month for an agency, 10 k and 100 k used vouchers\n");
        match &self.statements {
            None => {
                let _ = writeln!(out, "Not measured in this run (`--statement-vouchers` was given no size).\n");
            }
            Some(figures) => {
                let _ = writeln!(
                    out,
                    "A month of used vouchers ({VOUCHERS_PER_MEMBER} per member, each member with an email \
                     address), the run started from the back office. A run makes and keeps the statements by \
                     batches of 200 members (PDF and CSV, in the members' « Mes relevés » from then on), and \
                     emails each batch once kept while the next ones are made (file transport: one `.eml` \
                     each, in a folder on the disk beside the SQLite file). Two times, from the \
                     request: until every statement is made and kept, and until the run says it is finished, \
                     every email written. Peak memory is the server's VmHWM, before the run and after it, on \
                     a fresh server per size.\n"
                );
                table_head(
                    out,
                    &[
                        "backend",
                        "used vouchers",
                        "statements",
                        "made and kept",
                        "finished, emails written",
                        "peak memory before → after",
                    ],
                    1,
                );
                for f in figures {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} → {} MB |",
                        f.backend.label(),
                        f.used_vouchers,
                        f.members,
                        ms(f.made),
                        ms(f.wall),
                        mb(f.peak_before_kb),
                        mb(f.peak_kb)
                    );
                }
                let _ = writeln!(out);
                for f in figures {
                    let _ = writeln!(
                        out,
                        "- {}, {} used vouchers: statements made and kept in {} (target ≤ {}): {}; the whole run, \
                         emails included, {}: {}.",
                        f.backend.label(),
                        f.used_vouchers,
                        ms(f.made),
                        ms(STATEMENT_TARGET),
                        verdict(f.made <= STATEMENT_TARGET, || format!("missed by {}", ms(f.made - STATEMENT_TARGET))),
                        ms(f.wall),
                        verdict(f.wall <= STATEMENT_TARGET, || format!("over by {}", ms(f.wall - STATEMENT_TARGET)))
                    );
                }
                for backend in [Backend::Sqlite, Backend::Postgres] {
                    let of = |f: &&StatementFigures| f.backend == backend;
                    let (Some(small), Some(large)) = (
                        figures.iter().filter(of).min_by_key(|f| f.used_vouchers),
                        figures.iter().filter(of).max_by_key(|f| f.used_vouchers),
                    ) else {
                        continue;
                    };
                    if small.used_vouchers == large.used_vouchers {
                        continue;
                    }
                    // What the run added to the server's peak, at each size.
                    let added = |f: &StatementFigures| f.peak_kb.saturating_sub(f.peak_before_kb);
                    let _ = writeln!(
                        out,
                        "- {}, memory: the run adds {} MB to the server's peak at {} used vouchers and {} MB at {} \
                         ({} times the vouchers).",
                        backend.label(),
                        mb(added(small)),
                        small.used_vouchers,
                        mb(added(large)),
                        large.used_vouchers,
                        large.used_vouchers / small.used_vouchers.max(1)
                    );
                }
                let _ = writeln!(out);
            }
        }
    }
}

/// kB as "12.3" MB.
fn mb(kb: u64) -> String {
    format!("{}.{}", kb / 1000, kb % 1000 / 100)
}

fn verdict(met: bool, missed: impl FnOnce() -> String) -> String {
    if met { "**met**".to_owned() } else { format!("**{}**", missed()) }
}

/// `123.4 KB`
fn kb(bytes: u64) -> String {
    format!("{}.{} KB", bytes / 1000, (bytes % 1000) / 100)
}

/// Replaces what lies between the markers (or appends the block).
fn write_between_markers(path: &Path, block: &str) -> bench::Result<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let updated = match (text.find(BEGIN), text.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            format!("{}{}{}", &text[..begin], block.trim_end(), &text[end + END.len()..])
        }
        _ => format!("{text}\n{block}"),
    };
    std::fs::write(path, updated)?;
    Ok(())
}

/// A Markdown table's head: its columns, the first `left` of them aligned
/// left and the figures after them right.
fn table_head(out: &mut String, columns: &[&str], left: usize) {
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let aligns: Vec<&str> = (0..columns.len()).map(|i| if i < left { "---" } else { "--:" }).collect();
    let _ = writeln!(out, "|{}|", aligns.join("|"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_found_in_the_page() {
        let html = r#"<link rel="modulepreload" href="/pkg/bons.aB-1.js"><link rel="preload" href="/pkg/bons.Cd_2.wasm" as="fetch"><link rel="stylesheet" href="/pkg/bons.eF3.css">"#;
        assert_eq!(pkg_path(html, ".wasm").as_deref(), Some("/pkg/bons.Cd_2.wasm"));
        assert_eq!(pkg_path(html, ".js").as_deref(), Some("/pkg/bons.aB-1.js"));
        assert_eq!(pkg_path(html, ".css").as_deref(), Some("/pkg/bons.eF3.css"));
        assert_eq!(pkg_path(html, ".png"), None);
    }

    #[test]
    fn a_split_build_s_chunk_loader_is_found_in_the_main_js() {
        let js = r#"import*as t from"./__wasm_split.Lk-w_A.js";function f(){}"#;
        assert_eq!(split_loader(js).as_deref(), Some("/pkg/__wasm_split.Lk-w_A.js"));
        assert_eq!(split_loader("import*as t from\"./snippets/x.js\";"), None);
    }

    #[test]
    fn figures_replace_the_last_run_and_keep_the_text_around() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("PERFORMANCE.md");
        std::fs::write(&path, format!("# Intro\n\n{BEGIN}\nold\n{END}\n\n## After\n")).unwrap();
        write_between_markers(&path, &format!("{BEGIN}\nnew\n{END}\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("# Intro\n\n{BEGIN}\nnew\n{END}\n\n## After\n"));
    }

    #[test]
    fn sizes_and_verdicts_read_well() {
        assert_eq!(kb(249_951), "249.9 KB");
        assert_eq!(verdict(true, || unreachable!()), "**met**");
        assert_eq!(verdict(false, || "missed by 3 points".into()), "**missed by 3 points**");
    }
}
