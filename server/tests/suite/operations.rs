//! What an operator does beside the server: backups taken while it serves,
//! restored into an empty database; readiness, metrics; background jobs
//! shared by several servers under leases.

use crate::common;

use app::server::audit::{self, Verdict};
use app::server::db::{Backend, BackupError};
use common::{PAID_UP, TestApp, sequence_of};
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// (number, code) of a used voucher as its member's screen shows it.
async fn shown(phone: &common::Browser, id: i64) -> (String, String) {
    let (status, card) = phone.call("open_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    let receipt = &card["receipt"];
    (receipt["number"].as_str().unwrap().to_owned(), receipt["code"].as_str().unwrap().to_owned())
}

/// A backup taken while members use vouchers restores into an empty
/// database that passes `bons audit verify`, shows every used voucher's
/// number and code again, and numbers the next use right after the last.
#[tokio::test]
async fn a_backup_taken_under_load_restores_whole() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let backup = app.dir.path().join("sauvegarde.db");
    if app.db.backend() == Backend::Postgres {
        let refused = app.db.backup(&backup).await.unwrap_err();
        assert!(matches!(refused, BackupError::UsePgDump), "{refused}");
        assert!(refused.to_string().contains("pg_dump --format=custom"), "{refused}");
        return;
    }
    let ouest = app.supplier_id("Matériaux de l'Ouest").await;
    // Three counters using vouchers, each use acknowledged with its code,
    // until some uses have been acknowledged after the backup.
    let (acks, after) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let backing_up = Arc::new(AtomicBool::new(false));
    let counters: Vec<_> = (0..3)
        .map(|_| {
            let (phone, ouest) =
                (common::Browser { client: phone.client.clone(), base: phone.base.clone() }, ouest.clone());
            let (acks, after, backing_up) = (acks.clone(), after.clone(), backing_up.clone());
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                while after.load(Ordering::SeqCst) < 6 {
                    let id = phone.request_voucher_json(&ouest, "15").await;
                    let (status, card) = phone.call("use_voucher", &[("id", &id.to_string())]).await;
                    assert_eq!(status, StatusCode::OK, "{card}");
                    let receipt = &card["receipt"];
                    let at = std::time::Instant::now();
                    acks.fetch_add(1, Ordering::SeqCst);
                    if backing_up.load(Ordering::SeqCst) {
                        after.fetch_add(1, Ordering::SeqCst);
                    }
                    acknowledged.push((
                        id,
                        receipt["number"].as_str().unwrap().to_owned(),
                        receipt["code"].as_str().unwrap().to_owned(),
                        at,
                    ));
                }
                acknowledged
            })
        })
        .collect();
    while acks.load(Ordering::SeqCst) < 6 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let started = std::time::Instant::now();
    backing_up.store(true, Ordering::SeqCst);
    app.db.backup(&backup).await.expect("an online backup");
    let mut uses = Vec::new();
    for counter in counters {
        uses.extend(counter.await.unwrap());
    }
    assert!(uses.iter().any(|u| u.3 < started), "some uses were acknowledged before the backup");
    assert!(uses.iter().any(|u| u.3 > started), "some uses came after it: it was taken under load");
    assert!(matches!(app.db.backup(&backup).await, Err(BackupError::Exists(_))), "a backup never overwrites a file");

    // Restored into a new file, then served with the same secret.
    let restored_url = format!("sqlite://{}?mode=rwc", app.dir.path().join("restauree.db").display());
    server::ops::restore(&backup, &restored_url).await.expect("restored");
    let refused = server::ops::restore(&backup, &restored_url).await.unwrap_err();
    assert!(refused.to_string().contains("n'est pas vide"), "{refused}");
    let not_one = app.dir.path().join("pas-une-sauvegarde.db");
    std::fs::write(&not_one, b"bonjour").unwrap();
    let other_url = format!("sqlite://{}?mode=rwc", app.dir.path().join("autre.db").display());
    let refused = server::ops::restore(&not_one, &other_url).await.unwrap_err();
    assert!(refused.to_string().contains("n'est pas une sauvegarde de bons"), "{refused}");
    assert!(!app.dir.path().join("autre.db").exists(), "a refused restore writes nothing");

    let twin = app.twin_with(|c| c.database_url = restored_url.clone()).await;
    assert!(matches!(audit::verify(twin.db.pool()).await.unwrap(), Verdict::Intact { .. }), "bons audit verify");
    let twin_phone = twin.logged_in(PAID_UP).await;
    let kept: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, number FROM vouchers WHERE number IS NOT NULL ORDER BY id")
            .fetch_all(twin.db.pool())
            .await
            .unwrap();
    let by_id: BTreeMap<i64, (String, String)> = uses.iter().map(|u| (u.0, (u.1.clone(), u.2.clone()))).collect();
    for u in uses.iter().filter(|u| u.3 < started) {
        assert!(kept.iter().any(|(id, _)| *id == u.0), "a use acknowledged before the backup is in it");
    }
    let mut restored_uses = 0;
    for (id, _) in &kept {
        if let Some(before) = by_id.get(id) {
            assert_eq!(&shown(&twin_phone, *id).await, before, "voucher {id}: same number, same code");
            restored_uses += 1;
        }
    }
    assert!(restored_uses > 0);
    // The numbering goes on from the last number in the backup: no gap, no duplicate.
    let mut sequences: Vec<u32> = kept.iter().map(|(_, n)| sequence_of(n)).collect();
    sequences.sort_unstable();
    let last = *sequences.last().unwrap();
    assert_eq!(sequences, (sequences[0]..=last).collect::<Vec<_>>(), "gapless in the backup");
    let id = twin_phone.request_voucher_json(&ouest, "15").await;
    let (status, card) = twin_phone.call("use_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert_eq!(sequence_of(card["receipt"]["number"].as_str().unwrap()), last + 1);
}

/// `/healthz` says the process answers; `/readyz` that its database answers
/// with the schema this binary expects.
#[tokio::test]
async fn readiness_says_whether_the_database_can_serve() {
    let app = TestApp::spawn().await;
    let get = |path: &'static str| {
        let url = format!("{}{path}", app.base);
        async move { reqwest::get(url).await.unwrap().status() }
    };
    assert_eq!(get("/healthz").await, StatusCode::OK);
    assert_eq!(get("/readyz").await, StatusCode::OK);
    assert_eq!(app.db.pending_migrations().await.unwrap(), 0);
    // A migration undone (an older schema): not ready, still alive.
    let last: i64 =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations").fetch_one(app.db.pool()).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1").bind(last).execute(app.db.pool()).await.unwrap();
    assert_eq!(app.db.pending_migrations().await.unwrap(), 1);
    assert_eq!(get("/readyz").await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get("/healthz").await, StatusCode::OK);
}

/// The value of the series `series` (name and labels, as printed) in a
/// Prometheus text answer.
fn value_of(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

/// `/metrics` answers its token's bearer only, counts what operators watch,
/// and never shows a member's data or a code.
#[tokio::test]
async fn metrics_count_what_operators_watch_for_the_token_s_bearer_only() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some("jeton-de-supervision".into())).await;
    let client = reqwest::Client::new();
    let scrape = |token: Option<&'static str>| {
        let mut request = client.get(format!("{}/metrics", app.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let res = request.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    assert_eq!(scrape(None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(scrape(Some("jeton")).await.0, StatusCode::UNAUTHORIZED);
    let (status, before) = scrape(Some("jeton-de-supervision")).await;
    assert_eq!(status, StatusCode::OK);
    let uses_before = value_of(&before, "bons_voucher_uses_total").unwrap_or(0.0);

    let phone = app.logged_in(PAID_UP).await;
    assert_eq!(app.browser().login(PAID_UP, "pas le bon").await.status(), StatusCode::FOUND);
    let id = phone.request_voucher_json(&app.supplier_id("Matériaux de l'Ouest").await, "42").await;
    let (status, card) = phone.call("use_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    let (number, code) = (card["receipt"]["number"].as_str().unwrap(), card["receipt"]["code"].as_str().unwrap());

    let (_, text) = scrape(Some("jeton-de-supervision")).await;
    assert!(value_of(&text, "bons_voucher_uses_total").unwrap() >= uses_before + 1.0, "{text}");
    assert!(value_of(&text, r#"bons_http_requests_total{route="/api/use_voucher",status="200"}"#).unwrap() >= 1.0);
    assert!(value_of(&text, r#"bons_login_refusals_total{why="credentials"}"#).unwrap() >= 1.0);
    assert!(text.contains(r#"bons_http_request_duration_seconds_bucket{route="/api/use_voucher",le="0.01"}"#));
    assert!(value_of(&text, r#"bons_db_pool_connections{state="idle"}"#).is_some(), "{text}");
    assert!(value_of(&text, "bons_db_pool_max_connections").unwrap() >= 1.0);
    assert!(text.contains("bons_group_commit_writes_count"), "uses are group-committed: {text}");
    assert!(value_of(&text, r#"bons_jobs_held{by="this_server"}"#).is_some(), "lease holders: {text}");
    for secret in [PAID_UP, number, "Camille Martin", "jeton-de-supervision"] {
        assert!(!text.contains(secret), "{secret} in /metrics");
    }
    // A few digits could be part of a figure; as a label's value they would be the code.
    assert!(!text.contains(&format!("\"{code}\"")), "the code in /metrics");
}

/// A request waiting for a database connection shows in /metrics: the
/// waits' sum grows by the time it waited (its rate is the average number
/// of requests waiting).
#[tokio::test]
async fn metrics_show_the_time_spent_waiting_for_a_database_connection() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some("jeton".into())).await;
    let scrape = || async {
        let res =
            reqwest::Client::new().get(format!("{}/metrics", app.base)).bearer_auth("jeton").send().await.unwrap();
        let text = res.text().await.unwrap();
        value_of(&text, "bons_db_pool_wait_seconds_sum").unwrap_or(0.0)
    };
    let before = scrape().await;
    // Every connection of the pool taken: the next request must wait.
    let pool = app.db.pool();
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.unwrap());
    }
    let readyz = tokio::spawn(reqwest::get(format!("{}/readyz", app.base)));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(!readyz.is_finished(), "no connection was free: the request waits");
    drop(held);
    assert_eq!(readyz.await.unwrap().unwrap().status(), StatusCode::OK);
    let waited = scrape().await - before;
    assert!(waited >= 0.35, "the wait is counted: {waited} s");
}

/// Servers started at once on a new database: one migrates, the others wait
/// for it and find the schema up to date; each migration is applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_starting_at_once_migrate_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    let postgres = common::PostgresDatabase::create_if_asked().await;
    let url = match &postgres {
        Some(database) => database.url(),
        None => format!("sqlite://{}?mode=rwc", dir.path().join("neuve.db").display()),
    };
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                let db = app::server::db::Db::connect(&url).await.expect("connected");
                db.migrate().await.map(|()| db)
            })
        })
        .collect();
    let mut started = Vec::new();
    for start in starts {
        started.push(start.await.unwrap().expect("every server starts"));
    }
    for db in &started {
        assert_eq!(db.pending_migrations().await.unwrap(), 0);
    }
    let (applied, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT version) FROM _sqlx_migrations")
            .fetch_one(started[0].pool())
            .await
            .unwrap();
    assert_eq!(applied, distinct, "each migration applied once");
    for db in started {
        db.close().await;
    }
}

/// The lease of a job named `name` (unknown to the scan, which leaves it
/// alone), due now.
async fn test_job(app: &TestApp, name: &str) {
    sqlx::query("INSERT INTO jobs (name, due_at) VALUES ($1, '2000-01-01T00:00:00.000000Z')")
        .bind(name)
        .execute(app.db.pool())
        .await
        .unwrap();
}

async fn holder(app: &TestApp, name: &str) -> Option<String> {
    sqlx::query_scalar("SELECT holder FROM jobs WHERE name = $1").bind(name).fetch_one(app.db.pool()).await.unwrap()
}

/// One server at a time holds a job; its lease is renewed while it works;
/// once it has run out, another server takes the job, and the first one's
/// writes under that job are refused from then on.
#[tokio::test]
async fn a_job_is_held_by_one_server_until_its_lease_runs_out() {
    use app::server::jobs::Lease;
    let app = TestApp::spawn_with(|c| c.lease_seconds = 1).await;
    let twin = app.twin_with(|c| c.lease_seconds = 1).await;
    test_job(&app, "essai").await;
    let lease = Lease::claim(&app.state, "essai").await.unwrap().expect("claimed by the first server");
    assert_eq!(holder(&app, "essai").await.as_deref(), Some(app.state.jobs.id()));
    assert!(Lease::claim(&twin.state, "essai").await.unwrap().is_none(), "held: not claimable");
    // Three leases' time later, still held: renewed every third of a second.
    tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
    assert!(Lease::claim(&twin.state, "essai").await.unwrap().is_none(), "renewed: still held");
    assert!(lease.go_on());

    // The first server stalls (its lease runs out): the twin takes over.
    sqlx::query("UPDATE jobs SET lease_until = '2000-01-01T00:00:00.000000Z' WHERE name = 'essai'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let taken = Lease::claim(&twin.state, "essai").await.unwrap().expect("claimed by the twin");
    assert_eq!(holder(&app, "essai").await.as_deref(), Some(twin.state.jobs.id()));
    // The first server's next write under the job is refused, and it stops.
    let mut tx = app.db.begin_write().await.unwrap();
    assert!(!lease.fence(tx.conn()).await.unwrap(), "the stalled server's write is fenced off");
    drop(tx);
    assert!(!lease.go_on(), "the stalled server goes no further");
    lease.hand_back().await;
    assert_eq!(holder(&app, "essai").await.as_deref(), Some(twin.state.jobs.id()), "its hand-back changes nothing");
    assert!(taken.go_on());
    taken.finish(None).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE name = 'essai'").await, 0, "a one-off job, done, is gone");
}

/// A server that stops hands its jobs back: another takes them at once.
#[tokio::test]
async fn a_stopping_server_hands_its_jobs_back() {
    use app::server::jobs::Lease;
    let app = TestApp::spawn().await;
    let twin = app.twin_with(|_| {}).await;
    test_job(&app, "essai").await;
    let lease = Lease::claim(&app.state, "essai").await.unwrap().expect("claimed");
    assert!(Lease::claim(&twin.state, "essai").await.unwrap().is_none(), "held for 60 s");
    app.state.jobs.stop(app.db.pool()).await;
    assert!(!lease.go_on(), "a stopping server's jobs end at their next step");
    assert_eq!(holder(&app, "essai").await, None, "handed back");
    assert!(Lease::claim(&twin.state, "essai").await.unwrap().is_some(), "taken by the twin at once");
}

/// The hourly sweep runs once an hour whichever servers are up: the first
/// to start does it, a second one finds it done.
#[tokio::test]
async fn the_hourly_sweep_is_done_by_one_server_per_hour() {
    let app = TestApp::spawn().await;
    let due: String =
        sqlx::query_scalar("SELECT due_at FROM jobs WHERE name = 'hourly'").fetch_one(app.db.pool()).await.unwrap();
    let next = chrono::DateTime::parse_from_rfc3339(&due).unwrap().with_timezone(&chrono::Utc);
    let in_an_hour = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!((next - in_an_hour).num_seconds().abs() < 60, "swept at start, due again in an hour: {due}");
    let twin = app.twin_with(|_| {}).await;
    let again: String =
        sqlx::query_scalar("SELECT due_at FROM jobs WHERE name = 'hourly'").fetch_one(twin.db.pool()).await.unwrap();
    assert_eq!(again, due, "the second server did not sweep again");
}
