//! The money invariants at full size, on whichever database the suite runs on:
//! a voucher tapped a hundred times at once is used once, and running numbers
//! stay gapless per agency and year even when use transactions fail after
//! taking their number. Run with `--nocapture` to see the figures.

use crate::common;

use app::server::auth::{self, Member};
use app::server::{AppState, db::Backend, demo::ACTIVE_SUPPLIERS, services::vouchers};
use app::{domain::VoucherNumber, error::AppError, model::vouchers::UseReceipt};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{Browser, PAID_UP, TestApp, sequence_of};
use futures::{StreamExt, future::join_all, stream};
use reqwest::StatusCode;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

// ---------------------------------------------------------------------------
// Single use through the real HTTP server
// ---------------------------------------------------------------------------

const VOUCHERS: usize = 200;
const TAPS_PER_VOUCHER: usize = 100;
/// Phones logged into the demo member's account, sharing the taps.
const PHONES: usize = 10;
/// Vouchers whose hundred taps are in flight together: 400 requests at a time.
const VOUCHERS_AT_ONCE: usize = 4;

/// What a member reads on the code screen; every tap must show the same.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Screen {
    number: String,
    code: String,
    used_at: String,
}

/// What a card shows of its use: the answer to a tap is the used card, as
/// opening the voucher shows it.
fn screen_of(status: StatusCode, json: &serde_json::Value) -> Screen {
    assert_eq!(status, StatusCode::OK, "every tap is answered with the used card: {json}");
    let field = |name: &str| {
        json["receipt"][name].as_str().unwrap_or_else(|| panic!("card without the receipt's {name}: {json}")).to_owned()
    };
    Screen { number: field("number"), code: field("code"), used_at: field("used_at") }
}

/// Taps OK a hundred times at once on one voucher, from all the phones.
async fn tap_simultaneously(phones: &[Browser], id: i64) -> (i64, Vec<Screen>) {
    let id_field = id.to_string();
    let taps = (0..TAPS_PER_VOUCHER).map(|tap| {
        let (phone, id_field) = (&phones[tap % phones.len()], &id_field);
        async move { phone.call("use_voucher", &[("id", id_field)]).await }
    });
    let screens = join_all(taps).await.iter().map(|(status, json)| screen_of(*status, json)).collect();
    (id, screens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_vouchers_tapped_a_hundred_times_at_once_are_each_used_once() {
    let started = Instant::now();
    let app = TestApp::spawn().await;
    let backend = app.db.backend();
    // One after the other: logins of one account are budgeted, and attempts
    // in flight count until they succeed (docs/RELIABILITY.md).
    let mut phones = Vec::new();
    for _ in 0..PHONES {
        phones.push(app.logged_in(PAID_UP).await);
    }
    let supplier = app.supplier_id(ACTIVE_SUPPLIERS[0]).await;

    let ids: Vec<i64> = stream::iter(0..VOUCHERS)
        .map(|i| {
            let (phone, supplier) = (&phones[i % PHONES], &supplier);
            // 10,01 €, 11,02 €, 12,03 €…: each voucher has its own amount, so its own code inputs.
            let amount = format!("{},{:02}", 10 + i, 1 + i % 99);
            async move { phone.request_voucher_json(supplier, &amount).await }
        })
        .buffered(8)
        .collect()
        .await;
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), VOUCHERS, "200 distinct vouchers were issued");

    let uses_started = Instant::now();
    let outcomes: Vec<(i64, Vec<Screen>)> = stream::iter(ids.iter().copied())
        .map(|id| tap_simultaneously(&phones, id))
        .buffer_unordered(VOUCHERS_AT_ONCE)
        .collect()
        .await;
    let uses_took = uses_started.elapsed();

    // Each voucher: every one of its hundred answers shows the same screen.
    let mut agreeing = 0;
    let mut shown: BTreeMap<i64, Screen> = BTreeMap::new();
    for (id, screens) in &outcomes {
        let distinct: BTreeSet<&Screen> = screens.iter().collect();
        assert_eq!(distinct.len(), 1, "voucher {id}: its {TAPS_PER_VOUCHER} answers disagree: {distinct:?}");
        agreeing += screens.iter().filter(|s| **s == screens[0]).count();
        let screen = screens[0].clone();
        assert!(
            screen.code.len() == 4 && screen.code.bytes().all(|b| b.is_ascii_digit()),
            "voucher {id}: the secret code is four digits, not {:?}",
            screen.code
        );
        shown.insert(*id, screen);
    }
    assert_eq!(shown.len(), VOUCHERS, "every voucher was used");

    // Across vouchers: 200 numbers, all different, 1 to 200 without a gap.
    let numbers: BTreeSet<&str> = shown.values().map(|s| s.number.as_str()).collect();
    assert_eq!(numbers.len(), VOUCHERS, "one number per voucher, none shared");
    let sequences: BTreeSet<u32> = numbers.iter().map(|n| sequence_of(n)).collect();
    assert_eq!(sequences, (1..=VOUCHERS as u32).collect(), "numbers 1 to 200, no gap");

    // The database says the same: 200 numbered vouchers, one series at 200.
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers WHERE number IS NOT NULL AND status = 11").await, 200);
    assert_eq!(app.count("SELECT COUNT(DISTINCT number) FROM vouchers").await, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM number_series").await, 1, "one agency, one year");
    assert_eq!(app.count("SELECT last_sequence FROM number_series").await, 200, "200 numbers consumed, not 20,000");

    // Opening each voucher afterwards shows the number and code the taps showed.
    let reopened: Vec<(i64, StatusCode, serde_json::Value)> = stream::iter(ids.iter().copied())
        .map(|id| {
            let phone = &phones[id as usize % PHONES];
            async move {
                let (status, json) = phone.call("open_voucher", &[("id", &id.to_string())]).await;
                (id, status, json)
            }
        })
        .buffered(8)
        .collect()
        .await;
    for (id, status, card) in reopened {
        let screen = screen_of(status, &card);
        assert_eq!(screen, shown[&id], "voucher {id}: its card shows what the code screen showed");
        let (db_status, db_number, _) = app.voucher_row(id).await;
        assert_eq!(
            (db_status, db_number.as_deref()),
            (11, Some(screen.number.as_str())),
            "voucher {id} in the database"
        );
    }

    let total = VOUCHERS * TAPS_PER_VOUCHER;
    println!(
        "single use ({backend:?}): {VOUCHERS} vouchers × {TAPS_PER_VOUCHER} simultaneous uses: {} numbers, {} codes \
         (one per voucher), {agreeing}/{total} answers agree, last_sequence 200, no gap \
         (uses {:.1} s, whole test {:.1} s)",
        numbers.len(),
        shown.len(),
        uses_took.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(agreeing, total);
}

// ---------------------------------------------------------------------------
// Gapless numbers at the service level, with forced failures
// ---------------------------------------------------------------------------

const USES: usize = 5_000;
const CLIENTS: usize = 64;
const YEARS: [i32; 2] = [2025, 2026];
/// A voucher of 666 € cannot be marked used: the test trigger aborts its update
/// after the use transaction has taken its number.
const DOOMED_AMOUNT: &str = "666";
const DOOMED_CENTS: i64 = 66_600;

/// One agency's member and supplier, as the services see them.
struct Branch {
    agency_id: i64,
    code: &'static str,
    centre: &'static str,
    member: Member,
    supplier_id: String,
}

#[derive(Clone, Copy)]
struct Job {
    /// Index into the branches.
    branch: usize,
    /// Index into `YEARS`.
    year: usize,
    doomed: bool,
    /// Seconds after the year's base instant: each use has its own time.
    offset: i64,
}

impl Job {
    fn series(&self) -> (usize, usize) {
        (self.branch, self.year)
    }

    fn now(&self) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(YEARS[self.year], 6, 15, 8, 0, 0).unwrap() + Duration::seconds(self.offset)
    }
}

struct Outcome {
    job: Job,
    voucher: i64,
    result: Result<UseReceipt, AppError>,
}

/// An agency (created unless it is the demo's), a paid-up member with an
/// account there, and a supplier of that agency.
async fn branch(app: &TestApp, name: &str, code: &'static str, centre: &'static str, member: &str) -> Branch {
    let pool = app.db.pool();
    let stamp = "2024-01-01T00:00:00Z";
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM agencies WHERE code = $1").bind(code).fetch_optional(pool).await.unwrap();
    let agency_id = match existing {
        Some(id) => id,
        None => sqlx::query_scalar("INSERT INTO agencies (name, code, centre_code) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(code)
            .bind(centre)
            .fetch_one(pool)
            .await
            .expect("insert agency"),
    };
    let member_id: i64 = sqlx::query_scalar(
        "INSERT INTO members (agency_id, number, name, fee_paid_until, active, created_at)
         VALUES ($1, $2, $3, '2099-12-31', 1, $4) RETURNING id",
    )
    .bind(agency_id)
    .bind(member)
    .bind(format!("Adhérent de {name}"))
    .bind(stamp)
    .fetch_one(pool)
    .await
    .expect("insert member");
    sqlx::query(
        "INSERT INTO accounts (login, password_hash, role, member_id, agency_id, active, created_at)
         VALUES ($1, 'not used: the test calls the services directly', 'member', $2, $3, 1, $4)",
    )
    .bind(member)
    .bind(member_id)
    .bind(agency_id)
    .bind(stamp)
    .execute(pool)
    .await
    .expect("insert account");
    let supplier_id: i64 = sqlx::query_scalar(
        "INSERT INTO suppliers (agency_id, name, active, created_at) VALUES ($1, $2, 1, $3) RETURNING id",
    )
    .bind(agency_id)
    .bind(format!("Matériaux de {name}"))
    .bind(stamp)
    .fetch_one(pool)
    .await
    .expect("insert supplier");
    let member = auth::member_by_number(&app.state, member).await.expect("find member").expect("active member");
    assert_eq!(member.agency_id, agency_id);
    Branch { agency_id, code, centre, member, supplier_id: supplier_id.to_string() }
}

/// Makes marking a 666 € voucher used fail inside the use transaction, after
/// `number_series` was incremented: the increment must roll back with it.
async fn doom_666_euro_vouchers(app: &TestApp) {
    let sql = match app.db.backend() {
        Backend::Sqlite => {
            "CREATE TRIGGER test_forced_failure BEFORE UPDATE OF status ON vouchers
             WHEN NEW.amount_cents = 66600 AND NEW.status = 11
             BEGIN SELECT RAISE(ABORT, 'forced failure'); END;"
        }
        Backend::Postgres => {
            "CREATE FUNCTION test_forced_failure() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'forced failure'; END; $$;
             CREATE TRIGGER test_forced_failure BEFORE UPDATE OF status ON vouchers FOR EACH ROW
             WHEN (NEW.amount_cents = 66600 AND NEW.status = 11) EXECUTE FUNCTION test_forced_failure();"
        }
    };
    sqlx::raw_sql(sql).execute(app.db.pool()).await.expect("install the forced-failure trigger");
}

/// One client: takes the next job until none is left; requests a voucher and
/// uses it at the job's instant.
async fn client(state: AppState, branches: Arc<Vec<Branch>>, queue: Arc<Mutex<VecDeque<Job>>>) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    loop {
        let Some(job) = queue.lock().unwrap().pop_front() else { return outcomes };
        let branch = &branches[job.branch];
        let amount = if job.doomed { DOOMED_AMOUNT } else { "25" };
        let now = job.now();
        let voucher = vouchers::request_voucher(&state, &branch.member, &branch.supplier_id, amount, now)
            .await
            .unwrap_or_else(|e| panic!("request at {now}: {e}"));
        let result = vouchers::use_voucher(&state, &branch.member, voucher, now)
            .await
            .map(|card| card.receipt.expect("a used card has its receipt"))
            .map_err(AppError::from);
        outcomes.push(Outcome { job, voucher, result });
    }
}

async fn series_figures(app: &TestApp, agency_id: i64, year: i32) -> (i64, i64, Option<i64>, Option<i64>, Vec<i64>) {
    let pool = app.db.pool();
    let (count, distinct, max): (i64, i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT number), MAX(number_seq) FROM vouchers
          WHERE agency_id = $1 AND number_year = $2 AND number IS NOT NULL",
    )
    .bind(agency_id)
    .bind(i64::from(year))
    .fetch_one(pool)
    .await
    .unwrap();
    let last: Option<i64> =
        sqlx::query_scalar("SELECT last_sequence FROM number_series WHERE agency_id = $1 AND year = $2")
            .bind(agency_id)
            .bind(i64::from(year))
            .fetch_optional(pool)
            .await
            .unwrap();
    let sequences: Vec<i64> = sqlx::query_scalar(
        "SELECT number_seq FROM vouchers WHERE agency_id = $1 AND number_year = $2 ORDER BY number_seq",
    )
    .bind(agency_id)
    .bind(i64::from(year))
    .fetch_all(pool)
    .await
    .unwrap();
    (count, distinct, max, last, sequences)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn numbers_stay_gapless_per_agency_and_year_when_uses_fail_after_taking_one() {
    let app = TestApp::spawn().await;
    let backend = app.db.backend();
    let branches = Arc::new(vec![
        branch(&app, "Nantes", "NA", "442", "44009001N").await,
        branch(&app, "Rennes", "RE", "352", "35009001R").await,
        branch(&app, "Angers", "AN", "491", "49009001A").await,
    ]);
    doom_666_euro_vouchers(&app).await;

    // Every series gets its share of jobs and of doomed ones (13 is prime to 6).
    let jobs: VecDeque<Job> =
        (0..USES).map(|i| Job { branch: i % 3, year: (i / 3) % 2, doomed: i % 13 == 5, offset: i as i64 }).collect();
    let doomed_jobs = jobs.iter().filter(|j| j.doomed).count();
    let queue = Arc::new(Mutex::new(jobs));

    let started = Instant::now();
    let clients: Vec<_> =
        (0..CLIENTS).map(|_| tokio::spawn(client(app.state.clone(), branches.clone(), queue.clone()))).collect();
    let mut outcomes = Vec::with_capacity(USES);
    for c in join_all(clients).await {
        outcomes.extend(c.expect("a client panicked"));
    }
    let took = started.elapsed();
    assert_eq!(outcomes.len(), USES, "every job was done once");

    // What the clients saw: doomed uses failed with the technical-error message,
    // every other use got a receipt whose number belongs to its agency and year.
    let mut receipts: BTreeMap<(usize, usize), BTreeSet<u32>> = BTreeMap::new();
    let mut failed = 0;
    for o in &outcomes {
        let (b, y) = o.job.series();
        match (&o.result, o.job.doomed) {
            (Err(AppError::Internal), true) => failed += 1,
            (Ok(receipt), false) => {
                let n: VoucherNumber = receipt.number.to_string().parse().expect("a well-formed number");
                assert_eq!(n, receipt.number);
                assert_eq!(
                    (n.year(), n.agency_code(), n.centre_code()),
                    (YEARS[y], branches[b].code, branches[b].centre),
                    "voucher {}: {}",
                    o.voucher,
                    receipt.number
                );
                assert!(receipts.entry((b, y)).or_default().insert(n.sequence()), "{} given twice", receipt.number);
            }
            (result, doomed) => panic!("voucher {} (doomed: {doomed}): unexpected {result:?}", o.voucher),
        }
    }
    assert_eq!(failed, doomed_jobs);
    let succeeded = USES - failed;

    // What the database holds, series by series.
    let mut numbered_total = 0;
    for (b, branch) in branches.iter().enumerate() {
        for (y, year) in YEARS.iter().enumerate() {
            let (count, distinct, max, last, sequences) = series_figures(&app, branch.agency_id, *year).await;
            let seen = receipts.get(&(b, y)).cloned().unwrap_or_default();
            let doomed_here = outcomes.iter().filter(|o| o.job.series() == (b, y) && o.job.doomed).count();
            println!(
                "gapless ({backend:?}): {} {year}: {count} numbered vouchers, max number_seq {}, \
                 last_sequence {}, {doomed_here} forced failures rolled back",
                branch.code,
                max.unwrap_or(0),
                last.unwrap_or(0)
            );
            assert!(count > 0 && doomed_here > 0, "every series is exercised, failures included");
            assert_eq!(distinct, count, "{} {year}: no number given twice", branch.code);
            assert_eq!(max, Some(count), "{} {year}: the highest sequence is the count", branch.code);
            assert_eq!(last, Some(count), "{} {year}: number_series agrees with the vouchers", branch.code);
            assert_eq!(sequences, (1..=count).collect::<Vec<_>>(), "{} {year}: 1, 2, 3… without a gap", branch.code);
            assert_eq!(
                seen.iter().map(|s| i64::from(*s)).collect::<Vec<_>>(),
                sequences,
                "{} {year}: members were shown exactly the stored numbers",
                branch.code
            );
            numbered_total += count;
        }
    }
    assert_eq!(numbered_total, succeeded as i64, "successful uses = numbered vouchers");
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers WHERE number IS NOT NULL").await, succeeded as i64);
    assert_eq!(app.count("SELECT COUNT(*) FROM number_series").await, 6, "3 agencies × 2 years");

    // The doomed vouchers are untouched: still 1-EMIS, no number, no use time.
    let doomed_ids: BTreeSet<i64> = outcomes.iter().filter(|o| o.job.doomed).map(|o| o.voucher).collect();
    assert_eq!(doomed_ids.len(), doomed_jobs);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM vouchers WHERE amount_cents = {DOOMED_CENTS}")).await,
        doomed_jobs as i64
    );
    for id in &doomed_ids {
        assert_eq!(app.voucher_row(*id).await, (1, None, None), "voucher {id} is still unused");
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM vouchers WHERE amount_cents = {DOOMED_CENTS}
              AND (status <> 1 OR used_at IS NOT NULL OR number_year IS NOT NULL OR number_seq IS NOT NULL)"
        ))
        .await,
        0
    );

    println!(
        "gapless ({backend:?}): {USES} uses by {CLIENTS} clients over 3 agencies × 2 years: {succeeded} numbered, \
         {failed} forced failures ({}.{} %) rolled back with their number; counts = max = last_sequence in all 6 \
         series, no gap, no duplicate ({:.1} s)",
        failed * 100 / USES,
        failed * 1000 / USES % 10,
        took.as_secs_f64()
    );
}
