//! Money rules under load: a voucher is used once whatever the taps, retries
//! and phones; numbers are unique and gapless per agency and year.

use crate::common;

use common::{PAID_UP, TestApp, sequence_of};
use futures::future::join_all;
use reqwest::StatusCode;
use std::collections::BTreeSet;

async fn first_supplier(app: &TestApp) -> String {
    let id: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM suppliers WHERE active = 1").fetch_one(app.db.pool()).await.unwrap();
    id.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_taps_from_five_phones_give_one_code_and_one_number() {
    let app = TestApp::spawn().await;
    // Five phones logged into the same account, each tapping OK ten times.
    let mut phones = Vec::new();
    for _ in 0..5 {
        phones.push(app.logged_in(PAID_UP).await);
    }
    let id = phones[0].request_voucher_json(&first_supplier(&app).await, "25").await.to_string();
    let taps = (0..50).map(|i| {
        let phone = &phones[i % phones.len()];
        let id = id.clone();
        async move { phone.call("use_voucher", &[("id", &id)]).await }
    });
    let answers = join_all(taps).await;

    let distinct: BTreeSet<(String, String)> = answers
        .iter()
        .map(|(status, json)| {
            assert_eq!(*status, StatusCode::OK, "every tap is answered with the used card: {json}");
            let receipt = &json["receipt"];
            (receipt["number"].as_str().unwrap().to_owned(), receipt["code"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(distinct.len(), 1, "all 50 answers agree: {distinct:?}");
    let (number, _code) = distinct.into_iter().next().unwrap();
    assert_eq!(sequence_of(&number), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM vouchers WHERE number IS NOT NULL").await, 1);
    assert_eq!(app.count("SELECT last_sequence FROM number_series").await, 1, "one number consumed, not fifty");
    println!("50 simultaneous uses of one voucher: 1 number ({number}), 1 code, 50/50 answers agree");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_vouchers_used_at_once_get_thirty_consecutive_numbers() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let supplier = first_supplier(&app).await;
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(phone.request_voucher_json(&supplier, &format!("{},50", 10 + i)).await);
    }
    let uses = ids.iter().map(|id| {
        let phone = &phone;
        async move { phone.call("use_voucher", &[("id", &id.to_string())]).await }
    });
    let answers = join_all(uses).await;
    let sequences: BTreeSet<u32> = answers
        .iter()
        .map(|(status, json)| {
            assert_eq!(*status, StatusCode::OK, "{json}");
            sequence_of(json["receipt"]["number"].as_str().unwrap())
        })
        .collect();
    assert_eq!(sequences.len(), 30, "30 distinct numbers");
    assert_eq!(sequences, (1..=30).collect::<BTreeSet<u32>>(), "a gapless run from 1");
    assert_eq!(app.count("SELECT COUNT(DISTINCT number) FROM vouchers").await, 30);
    assert_eq!(app.count("SELECT MAX(number_seq) FROM vouchers").await, 30);
    println!("30 vouchers used simultaneously: numbers 1..=30, no gap, no duplicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn member_pages_keep_answering_under_simultaneous_loads() {
    let (app, phone) = TestApp::spawn_with_member().await;
    let id = phone.request_voucher_json(&first_supplier(&app).await, "12").await;
    let paths = [
        "/".to_owned(),
        "/bons".to_owned(),
        "/bons/nouveau".to_owned(),
        format!("/bons/{id}"),
        format!("/bons/{id}/utiliser"),
    ];
    for round in 0..10 {
        let loads = (0..40).map(|i| {
            let (phone, path) = (&phone, &paths[i % paths.len()]);
            async move {
                let page = tokio::time::timeout(std::time::Duration::from_secs(20), phone.get(path))
                    .await
                    .unwrap_or_else(|_| panic!("{path} did not answer within 20 s"));
                assert_eq!(page.status, StatusCode::OK, "{path}");
            }
        });
        join_all(loads).await;
        if round == 0 {
            println!("40 simultaneous page loads answered");
        }
    }
}

/// Uses at the counter share commits (`Db::begin_grouped`): each write of a
/// group keeps its own outcome. A write that fails or is dropped, or whose
/// request is cancelled half-way, leaves nothing; the writes beside it are
/// kept; and what `commit` acknowledged is in the database for everyone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_sharing_a_commit_keep_each_their_own_outcome() {
    let app = TestApp::spawn().await;
    sqlx::query("CREATE TABLE group_probe (n INTEGER PRIMARY KEY)").execute(app.db.pool()).await.unwrap();
    let insert = |n: i64| sqlx::query("INSERT INTO group_probe (n) VALUES ($1)").bind(n);

    // A cancelled request: its write never ends, the group takes it back.
    let cancelled = tokio::time::timeout(std::time::Duration::from_millis(200), async {
        let mut tx = app.db.begin_grouped().await.unwrap();
        insert(1000).execute(tx.conn()).await.unwrap();
        std::future::pending::<()>().await;
    })
    .await;
    assert!(cancelled.is_err(), "the write was cancelled while holding the transaction");

    let writes = (1..=60i64).map(|n| {
        let app = &app;
        async move {
            let mut tx = app.db.begin_grouped().await.unwrap();
            insert(n).execute(tx.conn()).await.unwrap();
            tokio::task::yield_now().await;
            match n % 5 {
                // Changes its mind: dropped without commit.
                0 => false,
                // Fails half-way (a duplicate key; PostgreSQL then refuses
                // everything until its savepoint is rolled back), then gives up.
                1 if n > 1 => {
                    assert!(insert(n).execute(tx.conn()).await.is_err(), "{n} is already there");
                    false
                }
                _ => {
                    tx.commit().await.unwrap();
                    true
                }
            }
        }
    });
    let kept: BTreeSet<i64> = (1..=60).zip(join_all(writes).await).filter(|(_, kept)| *kept).map(|(n, _)| n).collect();
    let stored: BTreeSet<i64> =
        sqlx::query_scalar("SELECT n FROM group_probe").fetch_all(app.db.pool()).await.unwrap().into_iter().collect();
    assert_eq!(kept.len(), 37, "60 writes: 12 dropped, 11 failed");
    assert_eq!(stored, kept, "exactly the committed writes are stored");

    // The group goes on after all that.
    let mut tx = app.db.begin_grouped().await.unwrap();
    insert(2000).execute(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM group_probe WHERE n >= 1000").await,
        1,
        "the cancelled write left nothing"
    );
}
