//! Two `bons serve` processes on one PostgreSQL database, as behind a load
//! balancer: a voucher is used once and numbers stay gapless whichever
//! server each tap reaches, and a statement run whose server dies (SIGKILL)
//! or stops (SIGTERM) is finished by the other, each member's statement
//! made and emailed once. PostgreSQL only: on the SQLite pass these tests
//! say so and return.

use crate::common;

use bench::client::{Phone, Receipt};
use bench::floor::{DemoIds, insert_issued_vouchers, insert_month_of_uses};
use bench::server::{Server, ServerSetup};
use common::{PAID_UP, PASSWORD, PostgresDatabase, sequence_of};
use futures::{StreamExt, stream};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The demo data on a fresh PostgreSQL database, and two servers on it
/// sharing one mail folder, background jobs leased for `lease` seconds.
struct TwoServers {
    /// Server A: taken out to be killed or stopped.
    a: Option<Server>,
    a_base: String,
    b: Server,
    url: String,
    dir: tempfile::TempDir,
    _database: PostgresDatabase,
}

async fn two_servers(lease: u64) -> Option<TwoServers> {
    let Some(database) = PostgresDatabase::create_if_asked().await else {
        println!("two servers on one database: PostgreSQL only (BONS_TEST_DATABASE_URL unset), skipped");
        return None;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut setup = ServerSetup::new(
        PathBuf::from(env!("CARGO_BIN_EXE_bons")),
        database.url(),
        dir.path().join("site"),
        dir.path().join("bons.log"),
    );
    setup.rust_log = "info".into();
    setup.mail_dir = Some(dir.path().join("mail"));
    setup.env.push(("BONS_LEASE_SECONDS".into(), lease.to_string()));
    setup.run("demo").await.expect("bons demo");
    let a = setup.start().await.expect("server A");
    let b = setup.start().await.expect("server B");
    Some(TwoServers { a_base: a.base.clone(), a: Some(a), b, url: database.url(), dir, _database: database })
}

async fn connect(url: &str) -> sqlx::AnyConnection {
    bench::floor::connect(url).await.expect("database")
}

async fn count(url: &str, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&mut connect(url).await).await.expect(sql)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_vouchers_tapped_a_hundred_times_each_across_two_servers_get_one_gapless_number_each() {
    let Some(two) = two_servers(60).await else { return };
    let mut db = connect(&two.url).await;
    let ids = DemoIds::read(&mut db).await.expect("demo ids");
    let vouchers = insert_issued_vouchers(&mut db, &ids, ids.member_id, 50).await.expect("50 vouchers");
    let before = count(&two.url, "SELECT COALESCE(MAX(last_sequence), 0) FROM number_series").await;
    // Ten phones of the member, logged in on A: sessions live in the
    // database, so each phone is known to both servers.
    let mut phones = Vec::new();
    for _ in 0..10 {
        let phone = Phone::new().expect("phone");
        phone.login(&two.a_base, PAID_UP, PASSWORD).await.expect("login");
        phones.push(phone);
    }
    // 5,000 taps at once (200 in flight): voucher v tapped 100 times, every
    // other tap to each server.
    let taps = (0..5000).map(|t| {
        let (voucher, phone) = (vouchers[t % vouchers.len()], phones[t % phones.len()].clone());
        let base = if t % 2 == 0 { two.a_base.clone() } else { two.b.base.clone() };
        async move {
            let answer = phone.call(&base, "use_voucher", &[("id", &voucher.to_string())]).await;
            (voucher, t % 2, answer)
        }
    });
    let answers: Vec<_> = stream::iter(taps).buffer_unordered(200).collect().await;
    let mut seen: BTreeMap<i64, BTreeSet<(String, String)>> = BTreeMap::new();
    let mut by_server = [0; 2];
    for (voucher, server, answer) in answers {
        let answer = answer.expect("every tap is answered");
        assert!(answer.is_ok(), "voucher {voucher}: {} {}", answer.status, answer.json);
        let receipt = Receipt::from_json(&answer.json["receipt"]).expect("the used card, with number and code");
        seen.entry(voucher).or_default().insert((receipt.number, receipt.code));
        by_server[server] += 1;
    }
    assert_eq!(by_server, [2500, 2500], "half the taps to each server");
    assert_eq!(seen.len(), 50, "every voucher answered");
    let mut sequences = BTreeSet::new();
    for (voucher, receipts) in &seen {
        assert_eq!(
            receipts.len(),
            1,
            "voucher {voucher}: its 100 answers agree on one number and one code: {receipts:?}"
        );
        let (number, _) = receipts.first().expect("one");
        assert!(sequences.insert(i64::from(sequence_of(number))), "number {number} given twice");
    }
    let expected: BTreeSet<i64> = (before + 1..=before + 50).collect();
    assert_eq!(sequences, expected, "50 consecutive numbers after the {before} already given, none skipped");
    let after = count(&two.url, "SELECT COALESCE(MAX(last_sequence), 0) FROM number_series").await;
    assert_eq!(after, before + 50, "50 numbers consumed, not 5,000");
    println!(
        "two servers, 50 vouchers × 100 simultaneous taps (2,500 per server): 50 numbers {}–{}, one code each",
        before + 1,
        before + 50
    );
}

/// Staff of the demo agency, logged in on `base`.
async fn desk(base: &str) -> Phone {
    let desk = Phone::new().expect("phone");
    desk.login(base, "agence.nantes", PASSWORD).await.expect("staff login");
    desk
}

/// The run's counts, read from `base`.
async fn run_on(desk: &Phone, base: &str, id: &str) -> serde_json::Value {
    let answer = desk.call(base, "statement_run", &[("id", id)]).await.expect("statement_run");
    assert!(answer.is_ok(), "{} {}", answer.status, answer.json);
    answer.json
}

/// Starts last month's run on A with 1,000 members to work through, and
/// returns once A has kept its first batch, the run unfinished.
async fn run_under_way(two: &TwoServers, desk: &Phone) -> (String, String, i64) {
    let mut db = connect(&two.url).await;
    let ids = DemoIds::read(&mut db).await.expect("demo ids");
    let month = insert_month_of_uses(&mut db, &ids, 1000, 2).await.expect("a month of uses");
    let started = desk.call(&two.a_base, "start_statement_run", &[("month", &month)]).await.expect("start");
    assert!(started.is_ok(), "{} {}", started.status, started.json);
    let (id, total) = (started.json["id"].to_string(), started.json["total"].as_i64().expect("total"));
    assert!(total >= 1000, "{}", started.json);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let run = run_on(desk, &two.b.base, &id).await;
        assert_ne!(run["finished"], true, "the run ended before it could be interrupted: {run}");
        if run["done"].as_i64().unwrap_or(0) >= 200 {
            return (id, month, total);
        }
        assert!(Instant::now() < deadline, "no batch kept within 120 s: {run}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits for B to finish the run; returns its counts and how long it took.
async fn finished_by_b(two: &TwoServers, desk: &Phone, id: &str) -> (serde_json::Value, Duration) {
    let started = Instant::now();
    loop {
        let run = run_on(desk, &two.b.base, id).await;
        if run["finished"] == true {
            return (run, started.elapsed());
        }
        assert!(started.elapsed() < Duration::from_secs(180), "the run is not finished by B: {run}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Exactly one statement per member with a use in the month, and exactly
/// one email per statement, to that member; the journal intact.
async fn once_each(two: &TwoServers, month: &str, total: i64) {
    let from = format!("{month}-01");
    let per_member: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT member_id, COUNT(*) FROM statements WHERE period_from = $1 GROUP BY member_id ORDER BY member_id",
    )
    .bind(&from)
    .fetch_all(&mut connect(&two.url).await)
    .await
    .expect("statements");
    assert_eq!(per_member.len() as i64, total, "every member of the run has a statement");
    let twice: Vec<_> = per_member.iter().filter(|(_, n)| *n != 1).collect();
    assert!(twice.is_empty(), "members with more than one statement: {twice:?}");
    let unsent = count(
        &two.url,
        &format!("SELECT COUNT(*) FROM statements WHERE period_from = '{from}' AND emailed_at IS NULL AND emailed_to IS NOT NULL"),
    )
    .await;
    assert_eq!(unsent, 0, "every statement with an address recorded emailed");
    let emailed = count(
        &two.url,
        &format!("SELECT COUNT(*) FROM statements WHERE period_from = '{from}' AND emailed_at IS NOT NULL"),
    )
    .await;
    let mails = mails_to(&two.dir.path().join("mail"));
    let recipients: BTreeSet<&String> = mails.iter().collect();
    assert_eq!(recipients.len(), mails.len(), "one email per member, none twice");
    assert_eq!(mails.len() as i64, emailed, "one email per statement emailed");
    let db = app::server::db::Db::connect(&two.url).await.expect("database");
    let verdict = app::server::audit::verify(db.pool()).await.expect("journal");
    assert!(matches!(verdict, app::server::audit::Verdict::Intact { .. }), "journal chain intact: {verdict:?}");
    let jobs = count(&two.url, "SELECT COUNT(*) FROM jobs WHERE name LIKE 'statement-run:%'").await;
    assert_eq!(jobs, 0, "the run's job is done");
}

/// The recipient of each statement email in the folder (files named after
/// their Message-ID, `releve.{id}.….eml`).
fn mails_to(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("mail folder")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?;
            if !(name.starts_with("releve.") && name.ends_with(".eml")) {
                return None;
            }
            let text = std::fs::read_to_string(&path).ok()?;
            text.lines().find_map(|l| l.strip_prefix("To: ")).map(str::to_owned)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_statement_run_whose_server_is_killed_is_finished_by_the_other_once_per_member() {
    let Some(mut two) = two_servers(2).await else { return };
    let desk = desk(&two.a_base).await;
    let (id, month, total) = run_under_way(&two, &desk).await;
    // SIGKILL: nothing handed back, B waits for A's lease (2 s) to run out.
    let a = two.a.take().expect("A");
    let pid = a.pid();
    let status = a.kill().await.expect("kill A");
    let at_kill = run_on(&desk, &two.b.base, &id).await;
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "A (pid {pid}) died of SIGKILL");
    assert_ne!(at_kill["finished"], true, "A was killed mid-run: {at_kill}");
    let (run, took) = finished_by_b(&two, &desk, &id).await;
    assert_eq!(run["done"].as_i64(), Some(total), "{run}");
    once_each(&two, &month, total).await;
    println!(
        "statement run of {total} members, server A killed (SIGKILL) with {} done: finished by B {:.1} s later \
         (lease 2 s); {total} statements, one email each",
        at_kill["done"],
        took.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_stopped_mid_run_hands_the_run_back_at_once() {
    // A lease of 30 s: a hand-back is seen well before it could run out.
    let Some(mut two) = two_servers(30).await else { return };
    let desk = desk(&two.a_base).await;
    let (id, month, total) = run_under_way(&two, &desk).await;
    let a = two.a.take().expect("A");
    let (status, in_time) = a.stop(Duration::from_secs(25)).await.expect("SIGTERM A");
    assert!(in_time && status.success(), "A stopped cleanly within its grace ({status})");
    let (run, took) = finished_by_b(&two, &desk, &id).await;
    assert_eq!(run["done"].as_i64(), Some(total), "{run}");
    // B scans every 10 s (a third of the lease): it took the run over at
    // its next scan, not after A's lease ran out.
    assert!(took < Duration::from_secs(25), "B took over the handed-back run in {took:?}");
    once_each(&two, &month, total).await;
    println!(
        "statement run of {total} members, server A stopped (SIGTERM): handed back, finished by B {:.1} s later",
        took.as_secs_f64()
    );
}
