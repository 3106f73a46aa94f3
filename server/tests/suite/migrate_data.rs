//! `bons migrate-data`: a SQLite database that has served (the demo data,
//! its history, vouchers used at the counter) moves whole into a new
//! PostgreSQL database: every row of every table, the audit journal's
//! chain, the numbering, which goes on from the last number. A target
//! holding data is refused untouched; a copy that fails half-way leaves
//! the target empty. PostgreSQL only but for the refusals: on the SQLite
//! pass these tests say so and return.

use crate::common;

use common::{PAID_UP, PostgresDatabase, TestApp, sequence_of, used_voucher};
use sqlx::{Connection, PgConnection, Row, SqliteConnection};
use std::collections::BTreeMap;
use std::process::Output;
use std::time::{Duration, Instant};

/// The `bons` binary, with neither DATABASE_URL nor a secret: migrate-data
/// names its databases and needs no secret.
fn bons(dir: &std::path::Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bons"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("BONS_SECRET")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bons")
}

/// `bons audit verify` on `url`, as an operator runs it.
fn audit_verify(dir: &std::path::Path, url: &str) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bons"))
        .args(["audit", "verify"])
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("BONS_SECRET", "5e".repeat(32))
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bons")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A stopped server's SQLite database: the demo data, with its history if
/// asked, and vouchers the paid-up member used at the counter (numbered,
/// journaled) and one requested but not used.
async fn served_sqlite(history: bool) -> (TestApp, String) {
    let app = TestApp::spawn_with(|c| {
        c.database_url = format!("sqlite://{}?mode=rwc", c.mail_dir.with_file_name("ancienne.db").display());
    })
    .await;
    if history {
        assert!(app::server::demo::history(&app.state).await.expect("demo history"), "history added");
    }
    let phone = app.logged_in(PAID_UP).await;
    for amount in ["12", "30", "7", "45"] {
        used_voucher(&app, &phone, amount).await;
    }
    let ouest = app.supplier_id("Matériaux de l'Ouest").await;
    phone.request_voucher_json(&ouest, "20").await;
    let mut app = app;
    app.stop().await;
    let url = format!("sqlite://{}", app.dir.path().join("ancienne.db").display());
    // A structure taken over by a younger one: a reference to a row that
    // comes later in the same table.
    let mut db = SqliteConnection::connect(&url).await.unwrap();
    let taken = sqlx::query(
        "UPDATE structures SET active = 0, deactivated_at = created_at, taken_over_by = (SELECT max(id) FROM structures)
          WHERE id = (SELECT min(id) FROM structures)",
    )
    .execute(&mut db)
    .await
    .unwrap();
    assert_eq!(taken.rows_affected(), 1);
    db.close().await.unwrap();
    (app, url)
}

/// A table as the tests read it: its columns (name, PostgreSQL type) and
/// primary key.
struct Table {
    name: String,
    columns: Vec<(String, String)>,
    key: Vec<String>,
}

/// The target's tables, read from its catalog (sqlx's own left out).
async fn tables(pg: &mut PgConnection) -> Vec<Table> {
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text
           FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            AND c.table_name <> '_sqlx_migrations'
          ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *pg)
    .await
    .unwrap();
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT kcu.table_name::text, kcu.column_name::text
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu
             ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
          WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY'
          ORDER BY kcu.table_name, kcu.ordinal_position",
    )
    .fetch_all(&mut *pg)
    .await
    .unwrap();
    let mut tables: Vec<Table> = Vec::new();
    for (table, column, data_type) in columns {
        if tables.last().is_none_or(|t| t.name != table) {
            let key = keys.iter().filter(|(t, _)| *t == table).map(|(_, k)| k.clone()).collect();
            tables.push(Table { name: table.clone(), columns: Vec::new(), key });
        }
        tables.last_mut().unwrap().columns.push((column, data_type));
    }
    tables
}

/// Every row of `table`, in key order, each value as text (bytes in hex).
async fn pg_rows(pg: &mut PgConnection, table: &Table) -> Vec<Vec<Option<String>>> {
    let select: Vec<String> = table
        .columns
        .iter()
        .map(|(c, t)| match t.as_str() {
            "bytea" => format!("encode(\"{c}\", 'hex')"),
            "boolean" => format!("CASE WHEN \"{c}\" THEN '1' WHEN NOT \"{c}\" THEN '0' END"),
            _ => format!("\"{c}\"::text"),
        })
        .collect();
    rows(sqlx::query(&select_sql(table, &select)).fetch_all(pg).await.unwrap(), table.columns.len())
}

async fn sqlite_rows(db: &mut SqliteConnection, table: &Table) -> Vec<Vec<Option<String>>> {
    let select: Vec<String> = table
        .columns
        .iter()
        .map(|(c, t)| match t.as_str() {
            "bytea" => format!("CASE WHEN \"{c}\" IS NULL THEN NULL ELSE lower(hex(\"{c}\")) END"),
            _ => format!("CAST(\"{c}\" AS TEXT)"),
        })
        .collect();
    rows(sqlx::query(&select_sql(table, &select)).fetch_all(db).await.unwrap(), table.columns.len())
}

fn select_sql(table: &Table, select: &[String]) -> String {
    // Qualified: the select list's text columns bear the same names.
    let key: Vec<String> = table.key.iter().map(|k| format!("\"{}\".\"{k}\"", table.name)).collect();
    assert!(!key.is_empty(), "{} has a primary key", table.name);
    format!("SELECT {} FROM \"{}\" ORDER BY {}", select.join(", "), table.name, key.join(", "))
}

fn rows<R: Row>(rows: Vec<R>, width: usize) -> Vec<Vec<Option<String>>>
where
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    rows.into_iter().map(|r| (0..width).map(|i| r.get::<Option<String>, _>(i)).collect()).collect()
}

/// Rows per table.
async fn counts(pg: &mut PgConnection) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for table in tables(pg).await {
        let n: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM \"{}\"", table.name)).fetch_one(&mut *pg).await.unwrap();
        counts.insert(table.name, n);
    }
    counts
}

/// Runs migrate-data and says how long it took.
fn migrate(dir: &std::path::Path, from: &str, to: &str) -> (Output, Duration) {
    let started = Instant::now();
    let out = bons(dir, &["migrate-data", "--from", from, "--to", to]);
    (out, started.elapsed())
}

#[tokio::test]
async fn a_sqlite_database_that_served_moves_whole_to_postgresql() {
    let Some(target) = PostgresDatabase::create_if_asked().await else {
        println!("migrate-data: PostgreSQL only (BONS_TEST_DATABASE_URL unset), skipped");
        return;
    };
    let (app, from) = served_sqlite(true).await;
    let dir = app.dir.path();
    let (out, took) = migrate(dir, &from, &target.url());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "migrate-data failed:\n{stdout}\n{stderr}");
    println!("migrate-data of the demo database with history: {} ms\n{stdout}", took.as_millis());
    assert!(stdout.contains("Journal d'audit intègre sur la cible"), "{stdout}");

    // Every row of every table, column by column.
    let mut source = SqliteConnection::connect(&from).await.unwrap();
    let mut pg = PgConnection::connect(&target.url()).await.unwrap();
    let tables = tables(&mut pg).await;
    assert!(tables.len() > 30, "the bons schema: {} tables", tables.len());
    let mut compared = 0;
    for table in &tables {
        let (before, after) = (sqlite_rows(&mut source, table).await, pg_rows(&mut pg, table).await);
        assert_eq!(before.len(), after.len(), "{}: as many rows", table.name);
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b, a, "{}: the same row, column by column", table.name);
        }
        let shown = format!("  {} : {} ligne", table.name, common_grouped(after.len()));
        assert!(stdout.contains(&shown), "the summary says {shown:?}:\n{stdout}");
        compared += after.len();
    }
    for busy in ["vouchers", "audit_events", "invoices", "statements", "passes", "number_series", "orders"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {busy}")).fetch_one(&mut pg).await.unwrap();
        assert!(n > 0, "{busy} has rows to carry");
    }
    let pdfs: i64 = sqlx::query_scalar("SELECT count(*) FROM statements WHERE length(pdf) > 1000")
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert!(pdfs > 0, "statements' PDFs carried as bytes");
    println!("{compared} rows compared in {} tables", tables.len());

    // The journal verifies on the target, as the operator checks it.
    let verified = audit_verify(dir, &target.url());
    assert!(verified.status.success(), "bons audit verify: {}", text(&verified.stderr));
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events").fetch_one(&mut source).await.unwrap();
    assert!(text(&verified.stdout).contains(&format!("{events} événement(s)")), "{}", text(&verified.stdout));

    // Every identity sequence is past its table's highest id.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
          WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut pg)
    .await
    .unwrap();
    assert!(identities.len() > 20, "{identities:?}");
    for (table, column) in &identities {
        let (highest, last): (Option<i64>, Option<i64>) = sqlx::query_as(&format!(
            "SELECT (SELECT max(\"{column}\") FROM \"{table}\"),
                    pg_sequence_last_value(pg_get_serial_sequence('\"{table}\"', '{column}')::regclass)"
        ))
        .fetch_one(&mut pg)
        .await
        .unwrap();
        if let Some(highest) = highest {
            assert!(last.is_some_and(|l| l >= highest), "{table}.{column}: sequence at {last:?}, rows up to {highest}");
        }
    }

    // A server on the target: the next voucher used gets the next number,
    // and its new rows fresh ids.
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM vouchers WHERE number IS NOT NULL")
        .fetch_all(&mut source)
        .await
        .unwrap();
    let highest_voucher: i64 = sqlx::query_scalar("SELECT max(id) FROM vouchers").fetch_one(&mut source).await.unwrap();
    let twin = app.twin_with(|c| c.database_url = target.url()).await;
    let phone = twin.logged_in(PAID_UP).await;
    let (id, number, _) = used_voucher(&twin, &phone, "16").await;
    assert!(id > highest_voucher, "a fresh id: {id} after {highest_voucher}");
    let prefix = &number[..number.rfind('.').unwrap()];
    let last = numbers.iter().filter(|n| n.starts_with(prefix)).map(|n| sequence_of(n)).max().unwrap_or(0);
    assert_eq!(sequence_of(&number), last + 1, "{number} follows the last number of the source");
    let same: i64 = sqlx::query_scalar("SELECT count(*) FROM vouchers WHERE number = $1")
        .bind(&number)
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert_eq!(same, 1, "{number} is not a duplicate");
    let verified = audit_verify(dir, &target.url());
    assert!(verified.status.success(), "the journal goes on: {}", text(&verified.stderr));
    let now: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events").fetch_one(&mut pg).await.unwrap();
    assert_eq!(now, events + 2, "the request and the use journaled after the copied events");
    assert!(text(&verified.stdout).contains(&format!("{now} événement(s)")), "{}", text(&verified.stdout));
    let mut twin = twin;
    twin.stop().await;

    // A second migration into the target, now holding data, is refused
    // and changes nothing.
    let before = counts(&mut pg).await;
    let (out, _) = migrate(dir, &from, &target.url());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("n'est pas vide"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
    assert_eq!(counts(&mut pg).await, before, "a refused migration writes nothing");
    pg.close().await.unwrap();
    source.close().await.unwrap();
}

/// `1234` → `1 234`, as the summary prints counts.
fn common_grouped(n: usize) -> String {
    server::migrate_data::grouped(n as u64)
}

#[tokio::test]
async fn a_copy_that_fails_half_way_leaves_the_target_empty() {
    let Some(target) = PostgresDatabase::create_if_asked().await else {
        println!("migrate-data: PostgreSQL only (BONS_TEST_DATABASE_URL unset), skipped");
        return;
    };
    let (app, from) = served_sqlite(false).await;
    let dir = app.dir.path();
    // An amount SQLite kept as text: the copy fails on it, after the
    // tables before vouchers (agencies, members, suppliers…) went in.
    let mut source = SqliteConnection::connect(&from).await.unwrap();
    let (id, amount): (i64, i64) = sqlx::query_as("SELECT id, amount_cents FROM vouchers ORDER BY id DESC LIMIT 1")
        .fetch_one(&mut source)
        .await
        .unwrap();
    sqlx::query("UPDATE vouchers SET amount_cents = 'douze euros' WHERE id = $1")
        .bind(id)
        .execute(&mut source)
        .await
        .unwrap();
    let (out, _) = migrate(dir, &from, &target.url());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(stderr.contains(&format!("vouchers, ligne id = {id}, colonne amount_cents")), "{stderr}");
    assert!(stderr.contains("aucune donnée n'a été copiée"), "{stderr}");
    let mut pg = PgConnection::connect(&target.url()).await.unwrap();
    let counts = counts(&mut pg).await;
    assert!(counts["agencies"] == 0 && counts["members"] == 0 && counts["vouchers"] == 0, "{counts:?}");
    // What migrations put there, and nothing else.
    let filled: Vec<&String> = counts.iter().filter(|(_, n)| **n > 0).map(|(t, _)| t).collect();
    assert_eq!(filled, ["audit_head", "jobs"], "{counts:?}");

    // Mended, the source goes into the same target.
    sqlx::query("UPDATE vouchers SET amount_cents = $1 WHERE id = $2")
        .bind(amount)
        .bind(id)
        .execute(&mut source)
        .await
        .unwrap();
    let (out, _) = migrate(dir, &from, &target.url());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let count = "SELECT count(*) FROM vouchers";
    let vouchers: i64 = sqlx::query_scalar(count).fetch_one(&mut pg).await.unwrap();
    assert_eq!(vouchers, sqlx::query_scalar::<_, i64>(count).fetch_one(&mut source).await.unwrap());
    assert!(vouchers >= 5);
    pg.close().await.unwrap();
    source.close().await.unwrap();
}

#[test]
fn what_is_not_a_move_from_sqlite_to_postgresql_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absente.db");
    let missing_url = format!("sqlite://{}", missing.display());
    let unreachable = "postgres://bons@127.0.0.1:1/bons";
    for (from, to, said) in [
        ("postgres://bons@127.0.0.1:1/bons", unreachable, "la source doit être un fichier SQLite"),
        (missing_url.as_str(), "sqlite://data/autre.db", "la cible doit être une base PostgreSQL"),
        (missing_url.as_str(), unreachable, "aucune base à migrer"),
    ] {
        let out = bons(dir.path(), &["migrate-data", "--from", from, "--to", to]);
        assert_eq!(out.status.code(), Some(1), "{from} → {to}");
        assert!(text(&out.stderr).contains(said), "{from} → {to}: {}", text(&out.stderr));
    }
    assert!(!missing.exists(), "a missing source is not created");
    assert!(!dir.path().join("data").exists(), "nor a SQLite target");
    // Any SQLite file is not a bons database.
    let other = dir.path().join("autre.db");
    std::fs::write(&other, b"").unwrap();
    let out =
        bons(dir.path(), &["migrate-data", "--from", &format!("sqlite://{}", other.display()), "--to", unreachable]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("n'est pas une base de bons"), "{}", text(&out.stderr));
}

/// The figure in docs/OPERATIONS.md: 2,000 members with 10 vouchers each
/// used last month (20,000 numbered vouchers), moved to PostgreSQL.
/// `BONS_TEST_DATABASE_URL=postgres://… cargo test -p server --test suite
/// migrate_data::twenty -- --ignored --nocapture`
#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn twenty_thousand_used_vouchers_move_in_seconds() {
    let Some(target) = PostgresDatabase::create_if_asked().await else {
        println!("migrate-data: PostgreSQL only (BONS_TEST_DATABASE_URL unset), skipped");
        return;
    };
    let mut app = TestApp::spawn_with(|c| {
        c.database_url = format!("sqlite://{}?mode=rwc", c.mail_dir.with_file_name("ancienne.db").display());
    })
    .await;
    app.stop().await;
    let from = format!("sqlite://{}", app.dir.path().join("ancienne.db").display());
    let mut db = bench::floor::connect(&from).await.unwrap();
    let ids = bench::floor::DemoIds::read(&mut db).await.unwrap();
    bench::floor::insert_month_of_uses(&mut db, &ids, 2_000, 10).await.unwrap();
    db.close().await.unwrap();
    let (out, took) = migrate(app.dir.path(), &from, &target.url());
    assert!(out.status.success(), "{}", text(&out.stderr));
    println!(
        "migrate-data of 20,000 used vouchers: {} ms\n{}{}",
        took.as_millis(),
        text(&out.stderr),
        text(&out.stdout)
    );
    let mut pg = PgConnection::connect(&target.url()).await.unwrap();
    let vouchers: i64 = sqlx::query_scalar("SELECT count(*) FROM vouchers").fetch_one(&mut pg).await.unwrap();
    assert!(vouchers >= 20_000);
    pg.close().await.unwrap();
}
