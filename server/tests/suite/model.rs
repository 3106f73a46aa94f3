//! Model check: random sequences of request / use / validate / cancel /
//! wait / expire go through the real services and storage (SQLite, or
//! PostgreSQL with BONS_TEST_DATABASE_URL), and every answer and every stored
//! voucher is compared with a small in-memory model of the rules.
//!
//! `PROPTEST_CASES` sets the number of sequences (default 2,000).

use crate::common;

use app::server::audit::{self, Verdict};
use app::server::auth::{Member, member_by_number};
use app::server::{AppState, clock, services::vouchers};
use app::{domain::VoucherNumber, error::AppError};
use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use common::{PAID_UP, TestApp};
use proptest::{prelude::*, sample::Index, test_runner::Config};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
enum Op {
    /// Whole euros; above 3,000 the request is refused.
    Request(u32),
    Use(Index),
    Validate(Index),
    Cancel(Index),
    /// Days and hours pass.
    Wait(u32, u32),
    Expire,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop_oneof![9 => 1u32..=3_000, 1 => 3_001u32..=4_000].prop_map(Op::Request),
        6 => any::<Index>().prop_map(Op::Use),
        2 => any::<Index>().prop_map(Op::Validate),
        2 => any::<Index>().prop_map(Op::Cancel),
        2 => (0u32..=20, 0u32..24).prop_map(|(d, h)| Op::Wait(d, h)),
        1 => Just(Op::Expire),
    ]
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Issued,
    Used { number: String, code: String },
    Cancelled,
    Expired,
}

#[derive(Debug, Clone)]
struct ModelVoucher {
    id: i64,
    status: Status,
    valid_until: NaiveDate,
    validated: bool,
}

/// What outlives one sequence: the clock only moves forward, and each
/// year's series keeps counting.
struct World {
    now: DateTime<Utc>,
    series: BTreeMap<i32, u32>,
    ops: u64,
    uses: u64,
    refusals: u64,
}

struct Harness {
    rt: tokio::runtime::Runtime,
    app: TestApp,
    member: Member,
    world: Mutex<World>,
}

impl Harness {
    fn new() -> Harness {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (app, member) = rt.block_on(async {
            let app = TestApp::spawn().await;
            // The model's clock runs for centuries; the member stays paid up.
            app.update_row("UPDATE members SET fee_paid_until = '9999-12-31' WHERE number = $1", PAID_UP).await;
            let member = member_by_number(&app.state, PAID_UP).await.unwrap().unwrap();
            (app, member)
        });
        let now = "2027-01-04T09:00:00Z".parse().unwrap();
        let world = World { now, series: BTreeMap::new(), ops: 0, uses: 0, refusals: 0 };
        Harness { rt, app, member, world: Mutex::new(world) }
    }

    fn run(&self, ops: &[Op]) -> Result<(), TestCaseError> {
        let mut world = self.world.lock().unwrap();
        world.now += TimeDelta::days(1);
        self.rt.block_on(run_sequence(&self.app.state, &self.member, &mut world, ops))
    }
}

fn today(now: DateTime<Utc>) -> NaiveDate {
    clock::paris_date(now)
}

async fn run_sequence(state: &AppState, member: &Member, world: &mut World, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut model: Vec<ModelVoucher> = Vec::new();
    for op in ops {
        world.ops += 1;
        let now = world.now;
        let pick = |i: &Index| (!model.is_empty()).then(|| i.index(model.len()));
        match op {
            Op::Request(euros) => {
                let got = vouchers::request_voucher(state, member, &supplier(state).await, &euros.to_string(), now)
                    .await
                    .map_err(AppError::from);
                if *euros > 3_000 {
                    world.refusals += 1;
                    prop_assert!(
                        matches!(&got, Err(e @ AppError::InvalidField(..))
                            if e.fields() == ["amount"] && e.to_string().contains("ne peut pas dépasser")),
                        "{got:?}"
                    );
                } else {
                    let id = got.map_err(|e| TestCaseError::fail(format!("request {euros} €: {e}")))?;
                    let valid_until = today(now).checked_add_days(Days::new(29)).unwrap();
                    model.push(ModelVoucher { id, status: Status::Issued, valid_until, validated: false });
                }
            }
            Op::Use(i) => {
                let Some(i) = pick(i) else { continue };
                let v = &mut model[i];
                let got = vouchers::use_voucher(state, member, v.id, now)
                    .await
                    .map(|card| card.receipt.expect("a used card has its receipt"))
                    .map_err(AppError::from);
                let overdue = today(now) > v.valid_until;
                match (&v.status, got) {
                    (Status::Issued, Ok(receipt)) if !overdue => {
                        let year = clock::paris_year(now);
                        let next = world.series.get(&year).copied().unwrap_or(0) + 1;
                        let number: VoucherNumber = receipt.number.clone();
                        prop_assert_eq!(
                            (number.year(), number.sequence()),
                            (year, next),
                            "the next number of {}",
                            year
                        );
                        prop_assert!(receipt.code.len() == 4 && receipt.code.chars().all(|c| c.is_ascii_digit()));
                        world.series.insert(year, next);
                        world.uses += 1;
                        v.status = Status::Used { number: receipt.number.to_string(), code: receipt.code };
                    }
                    (Status::Used { number, code }, Ok(receipt)) => {
                        prop_assert_eq!(
                            (&receipt.number.to_string(), &receipt.code),
                            (number, code),
                            "a second use repeats the first"
                        );
                    }
                    (Status::Issued | Status::Expired, Err(AppError::VoucherExpired(day)))
                        if overdue || v.status == Status::Expired =>
                    {
                        world.refusals += 1;
                        prop_assert_eq!(day, v.valid_until.format("%d/%m/%Y").to_string());
                    }
                    (Status::Cancelled, Err(AppError::VoucherNotUsable(status))) => {
                        world.refusals += 1;
                        prop_assert_eq!(status, "91-annulé");
                    }
                    (status, got) => prop_assert!(false, "use of {status:?} (overdue {overdue}) gave {got:?}"),
                }
            }
            Op::Validate(i) => {
                let Some(i) = pick(i) else { continue };
                let v = &mut model[i];
                let got = vouchers::validate_voucher(state, member, v.id, now).await.map_err(AppError::from);
                match (&v.status, got) {
                    (Status::Used { .. }, Ok(())) => v.validated = true,
                    (Status::Issued | Status::Cancelled | Status::Expired, Err(AppError::VoucherNotUsed)) => {
                        world.refusals += 1;
                    }
                    (status, got) => prop_assert!(false, "validate of {status:?} gave {got:?}"),
                }
            }
            Op::Cancel(i) => {
                let Some(i) = pick(i) else { continue };
                let v = &mut model[i];
                let got = vouchers::cancel_voucher(state, member, v.id, now).await.map_err(AppError::from);
                let overdue = today(now) > v.valid_until;
                match (&v.status, got) {
                    (Status::Issued, Ok(())) if !overdue => v.status = Status::Cancelled,
                    (Status::Cancelled, Ok(())) => {}
                    (Status::Issued | Status::Expired, Err(AppError::VoucherNotCancellable(status)))
                        if overdue || v.status == Status::Expired =>
                    {
                        world.refusals += 1;
                        prop_assert_eq!(status, "92-expiré");
                    }
                    (Status::Used { .. }, Err(AppError::VoucherNotCancellable(status))) => {
                        world.refusals += 1;
                        prop_assert_eq!(status, "11-livré");
                    }
                    (status, got) => prop_assert!(false, "cancel of {status:?} (overdue {overdue}) gave {got:?}"),
                }
            }
            Op::Wait(days, hours) => {
                world.now += TimeDelta::days(i64::from(*days)) + TimeDelta::hours(i64::from(*hours));
            }
            Op::Expire => {
                let expired =
                    vouchers::expire_overdue(state, now).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let mine = model.iter().filter(|v| v.status == Status::Issued && today(now) > v.valid_until).count();
                // Vouchers of earlier sequences may expire too; ours must all be among them.
                prop_assert!(expired >= mine, "{expired} expired, {mine} of this sequence were overdue");
                for v in model.iter_mut().filter(|v| v.status == Status::Issued && today(now) > v.valid_until) {
                    v.status = Status::Expired;
                }
            }
        }
        compare_with_storage(state, &model).await?;
    }
    Ok(())
}

/// Every voucher of the sequence, as stored, matches the model.
async fn compare_with_storage(state: &AppState, model: &[ModelVoucher]) -> Result<(), TestCaseError> {
    for v in model {
        let (status, number, validated_at, valid_until): (i64, Option<String>, Option<String>, String) =
            sqlx::query_as("SELECT status, number, validated_at, valid_until FROM vouchers WHERE id = $1")
                .bind(v.id)
                .fetch_one(state.db.pool())
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let expected = match &v.status {
            Status::Issued => (1, None),
            Status::Used { number, .. } => (11, Some(number.clone())),
            Status::Cancelled => (91, None),
            Status::Expired => (92, None),
        };
        prop_assert_eq!((status, number), expected, "voucher {} stored differently from the model", v.id);
        prop_assert_eq!(validated_at.is_some(), v.validated);
        prop_assert_eq!(valid_until, clock::iso_day(v.valid_until));
    }
    Ok(())
}

async fn supplier(state: &AppState) -> String {
    let id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM suppliers WHERE active = 1")
        .fetch_one(state.db.pool())
        .await
        .expect("an active supplier");
    id.to_string()
}

#[test]
fn random_sequences_through_the_real_storage_agree_with_the_model() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(2_000);
    let harness = Arc::new(Harness::new());
    let started = std::time::Instant::now();
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 200, ..Config::default() };
    let h = harness.clone();
    proptest::test_runner::TestRunner::new(config)
        .run(&prop::collection::vec(op(), 1..14), move |ops| h.run(&ops))
        .unwrap();

    // Afterwards: every year's series is gapless, and the journal's chain holds.
    let world = harness.world.lock().unwrap();
    harness.rt.block_on(async {
        let pool = harness.app.db.pool();
        for (year, last) in &world.series {
            let (count, max): (i64, Option<i64>) =
                sqlx::query_as("SELECT COUNT(*), MAX(number_seq) FROM vouchers WHERE number_year = $1")
                    .bind(i64::from(*year))
                    .fetch_one(pool)
                    .await
                    .unwrap();
            assert_eq!((count, max), (i64::from(*last), Some(i64::from(*last))), "series {year}");
        }
        match audit::verify(pool).await.unwrap() {
            Verdict::Intact { events, .. } => println!(
                "model check: {cases} sequences, {} operations ({} uses, {} refusals checked), {} yearly series gapless, \
                 journal of {events} events intact, {:.1} s",
                world.ops,
                world.uses,
                world.refusals,
                world.series.len(),
                started.elapsed().as_secs_f64()
            ),
            broken => panic!("{broken:?}"),
        }
    });
}
