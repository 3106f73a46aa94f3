//! The floor of the "use" benchmark: the database work of one use, done by a
//! plain sqlx loop with no HTTP, no Leptos and no server around it, on a
//! database of the same kind as the server's (made by `bons demo`, with the
//! server's own migrations and connection settings). What the server reaches
//! is compared with what this reaches.
//!
//! The statements are those of the server's use request, in its order (kept
//! in step by hand with `app/src/server/`: `auth::require_member`,
//! `services::vouchers::use_voucher`, `audit::append`): find the session and
//! the member, then one write transaction that locks the voucher, takes the
//! next number of the series, marks the voucher used and appends the
//! journal's event. Each is a `sqlx::query` with fixed text, so each
//! connection prepares it once and reuses it, as the server does.

use crate::{Result, scratch::Backend};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};
use std::{str::FromStr, sync::Arc, time::Duration};
use tokio::sync::Mutex;

/// The server's SQLite settings (`app/src/server/db.rs`).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";

/// What the benchmark needs of the demo data: who uses, at which supplier.
#[derive(Debug, Clone, Copy)]
pub struct DemoIds {
    pub member_id: i64,
    pub account_id: i64,
    pub other_member_id: i64,
    pub agency_id: i64,
    pub supplier_id: i64,
}

impl DemoIds {
    pub async fn read(db: &mut AnyConnection) -> Result<DemoIds> {
        let member = |number: &'static str| {
            sqlx::query_as::<_, (i64, i64)>("SELECT id, agency_id FROM members WHERE number = $1").bind(number)
        };
        let (member_id, agency_id) = member(crate::DEMO_MEMBER).fetch_one(&mut *db).await?;
        let (other_member_id, _) = member(crate::DEMO_OTHER_MEMBER).fetch_one(&mut *db).await?;
        let account_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1")
            .bind(crate::DEMO_MEMBER)
            .fetch_one(&mut *db)
            .await?;
        let supplier_id: i64 = sqlx::query_scalar("SELECT id FROM suppliers WHERE name = $1")
            .bind(crate::DEMO_SUPPLIER)
            .fetch_one(&mut *db)
            .await?;
        Ok(DemoIds { member_id, account_id, other_member_id, agency_id, supplier_id })
    }
}

/// Inserts `count` issued vouchers (1-EMIS, valid 30 days) for a member and
/// returns their ids, oldest first. Written straight to the database: the
/// benchmark measures using vouchers, not requesting them.
/// Members of the demo agency, each with an email address and
/// `per_member` vouchers used last month at the demo supplier (numbers in
/// series, the series advanced to match): what a month's statement run
/// works through. Returns the month, "YYYY-MM".
pub async fn insert_month_of_uses(
    db: &mut AnyConnection,
    ids: &DemoIds,
    members: usize,
    per_member: usize,
) -> Result<String> {
    use chrono::{Datelike, TimeZone};
    const ROWS_PER_INSERT: usize = 200;
    let today = chrono::Utc::now().date_naive();
    let first_of_this = today.with_day(1).ok_or("no first day")?;
    let last_month = first_of_this.pred_opt().ok_or("no last month")?.with_day(1).ok_or("no first day")?;
    let year = last_month.year();
    // The 10th of last month at 08:00 UTC, one use a second after it.
    let start = chrono::Utc
        .from_utc_datetime(&last_month.with_day(10).ok_or("no 10th")?.and_hms_opt(8, 0, 0).ok_or("no 8 o'clock")?);
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (agency_code, centre): (String, String) =
        sqlx::query_as("SELECT code, centre_code FROM agencies WHERE id = $1")
            .bind(ids.agency_id)
            .fetch_one(&mut *db)
            .await?;
    let mut tx = db.begin().await?;
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM members").fetch_one(&mut *tx).await?;
    for chunk in (0..members).collect::<Vec<_>>().chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let p = r * 4;
                format!("({}, ${}, ${}, ${}, '2099-12-31', 1, ${})", ids.agency_id, p + 1, p + 2, p + 3, p + 4)
            })
            .collect();
        let sql = format!(
            "INSERT INTO members (agency_id, number, name, email, fee_paid_until, active, created_at) VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for i in chunk {
            insert = insert
                .bind(format!("46{i:06}R"))
                .bind(format!("Adhérent Relevé {i}"))
                .bind(format!("adherent{i}@exemple.fr"))
                .bind(stamp(start));
        }
        insert.execute(&mut *tx).await?;
    }
    let member_ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM members WHERE id > $1 ORDER BY id").bind(before).fetch_all(&mut *tx).await?;
    let mut seq: i64 = 0;
    let uses: Vec<(i64, usize)> = member_ids.iter().flat_map(|m| (0..per_member).map(move |k| (*m, k))).collect();
    for chunk in uses.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let p = r * 8;
                format!(
                    "(${}, {}, {}, 11, ${}, ${}, ${}, ${}, {year}, ${}, ${}, 4, ${})",
                    p + 1,
                    ids.supplier_id,
                    ids.agency_id,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO vouchers (member_id, supplier_id, agency_id, status, amount_cents, requested_at, valid_until,
                                   used_at, number_year, number_seq, number, code_length, validated_at)
             VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for (member, k) in chunk {
            seq += 1;
            let used = start + chrono::Duration::seconds(seq);
            let euros = 1 + (seq % 300);
            insert = insert
                .bind(*member)
                .bind(euros * 100 + i64::try_from(*k).unwrap_or(0))
                .bind(stamp(used - chrono::Duration::hours(1)))
                .bind(last_month.with_day(28).unwrap_or(last_month).format("%Y-%m-%d").to_string())
                .bind(stamp(used))
                .bind(seq)
                .bind(format!("W{year}.{agency_code}.{centre}.{seq:08}"))
                .bind(stamp(used));
        }
        insert.execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM number_series WHERE agency_id = $1 AND year = $2")
        .bind(ids.agency_id)
        .bind(year)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO number_series (agency_id, year, last_sequence) VALUES ($1, $2, $3)")
        .bind(ids.agency_id)
        .bind(year)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(last_month.format("%Y-%m").to_string())
}

pub async fn insert_issued_vouchers(
    db: &mut AnyConnection,
    ids: &DemoIds,
    member_id: i64,
    count: usize,
) -> Result<Vec<i64>> {
    const ROWS_PER_INSERT: usize = 200;
    let now = chrono::Utc::now();
    let requested_at = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let valid_until = (now.date_naive() + chrono::Days::new(29)).format("%Y-%m-%d").to_string();
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM vouchers").fetch_one(&mut *db).await?;
    let mut tx = db.begin().await?;
    let mut left = count;
    while left > 0 {
        let rows = left.min(ROWS_PER_INSERT);
        let values: Vec<String> = (0..rows)
            .map(|r| {
                let p = r * 5;
                format!("(${}, ${}, ${}, 1, ${}, ${}, '{valid_until}')", p + 1, p + 2, p + 3, p + 4, p + 5)
            })
            .collect();
        let sql = format!(
            "INSERT INTO vouchers (member_id, supplier_id, agency_id, status, amount_cents, requested_at, valid_until) \
             VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for r in 0..rows {
            let euros = i64::try_from(1 + (left - r) % 300).unwrap_or(1);
            insert =
                insert.bind(member_id).bind(ids.supplier_id).bind(ids.agency_id).bind(euros * 100).bind(&requested_at);
        }
        insert.execute(&mut *tx).await?;
        left -= rows;
    }
    tx.commit().await?;
    let inserted: Vec<i64> = sqlx::query_scalar("SELECT id FROM vouchers WHERE id > $1 AND member_id = $2 ORDER BY id")
        .bind(before)
        .bind(member_id)
        .fetch_all(&mut *db)
        .await?;
    if inserted.len() != count {
        return Err(format!("inserted {count} vouchers, found {}", inserted.len()).into());
    }
    Ok(inserted)
}

/// The use transaction's database work, without the server.
#[derive(Clone)]
pub struct Floor {
    pool: AnyPool,
    backend: Backend,
    /// SQLite: one writer at a time, queued in the process as the server does.
    writer: Option<Arc<Mutex<()>>>,
    token_hash: String,
}

impl Floor {
    /// A pool like the server's (8 connections on SQLite, 16 on PostgreSQL),
    /// and a session of the demo member to look up at each use.
    pub async fn connect(database_url: &str, backend: Backend, ids: &DemoIds) -> Result<Floor> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(database_url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let token_hash = hex::encode(Sha256::digest(rand::random::<[u8; 32]>()));
        let now = chrono::Utc::now();
        let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        sqlx::query("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&token_hash)
            .bind(ids.account_id)
            .bind(stamp(now))
            .bind(stamp(now + chrono::Days::new(1)))
            .execute(&pool)
            .await?;
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Floor { pool, backend, writer, token_hash })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Uses voucher `id`; returns its number.
    pub async fn use_voucher(&self, id: i64) -> Result<String, String> {
        self.try_use(id).await.map_err(|e| format!("voucher {id}: {e}"))
    }

    async fn try_use(&self, id: i64) -> Result<String> {
        let now = chrono::Utc::now();
        let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        // Who is asking: the session, then the member (auth::require_member).
        let session = sqlx::query(
            "SELECT a.id AS account_id, a.login, a.role, a.member_id, a.supplier_id, a.agency_id
               FROM sessions s JOIN accounts a ON a.id = s.account_id
              WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = 1",
        )
        .bind(&self.token_hash)
        .bind(&stamp)
        .fetch_one(&self.pool)
        .await?;
        let (account_id, member_id): (i64, i64) = (session.try_get("account_id")?, session.try_get("member_id")?);
        let member =
            sqlx::query("SELECT id, agency_id, number, name, fee_paid_until, active FROM members WHERE id = $1")
                .bind(member_id)
                .fetch_one(&self.pool)
                .await?;
        let login: String = member.try_get("number")?;

        // The write transaction (services::vouchers::use_voucher).
        let _writer = match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let (lock_voucher, lock_head) = match self.backend {
            Backend::Sqlite => ("", ""),
            Backend::Postgres => (" FOR UPDATE OF v", " FOR UPDATE"),
        };
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let voucher = sqlx::query(&format!(
            "SELECT v.id, v.member_id, v.supplier_id, v.agency_id, v.status, v.amount_cents,
                    v.requested_at, v.valid_until, v.used_at, v.number, v.code_length, v.validated_at,
                    v.code_failures, v.locked_at, v.invoice_id, v.paid_on, v.use_cancelled_at,
                    s.name AS supplier_name, a.code AS agency_code, a.centre_code,
                    a.code_length AS agency_code_length, m.number AS member_number, m.name AS member_name
               FROM vouchers v
               JOIN suppliers s ON s.id = v.supplier_id
               JOIN agencies a ON a.id = v.agency_id
               JOIN members m ON m.id = v.member_id
              WHERE v.id = $1{lock_voucher}"
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let (status, owner): (i64, i64) = (voucher.try_get("status")?, voucher.try_get("member_id")?);
        if status != 1 || owner != member_id {
            return Err(format!("status {status}, member {owner}: not a fresh voucher of this member").into());
        }
        let year = i64::from(chrono::Datelike::year(&now));
        let agency_id: i64 = voucher.try_get("agency_id")?;
        let sequence: i64 = sqlx::query_scalar(
            "INSERT INTO number_series (agency_id, year, last_sequence) VALUES ($1, $2, 1)
             ON CONFLICT (agency_id, year) DO UPDATE SET last_sequence = number_series.last_sequence + 1
             RETURNING last_sequence",
        )
        .bind(agency_id)
        .bind(year)
        .fetch_one(&mut *tx)
        .await?;
        let (agency, centre): (String, String) = (voucher.try_get("agency_code")?, voucher.try_get("centre_code")?);
        let number = format!("W{year}.{agency}.{centre}.{sequence:08}");
        let code_length: i64 = voucher.try_get("agency_code_length")?;
        let changed = sqlx::query(
            "UPDATE vouchers SET status = 11, used_at = $2, number_year = $3, number_seq = $4, number = $5, code_length = $6
              WHERE id = $1 AND status = 1",
        )
        .bind(id)
        .bind(&stamp)
        .bind(year)
        .bind(sequence)
        .bind(&number)
        .bind(code_length)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Err("the voucher changed under its lock".into());
        }

        // The journal's event (audit::append).
        let (last_id, last_hash): (i64, String) =
            sqlx::query_as(&format!("SELECT last_id, last_hash FROM audit_head WHERE id = 1{lock_head}"))
                .fetch_one(&mut *tx)
                .await?;
        let event_id = last_id + 1;
        let before = r#"{"status":"1-EMIS"}"#.to_owned();
        let after = format!(r#"{{"number":"{number}","status":"11-livré","used_at":"{stamp}"}}"#);
        let fields = [
            last_hash.as_str(),
            &event_id.to_string(),
            &stamp,
            &account_id.to_string(),
            &login,
            "member",
            "voucher",
            &id.to_string(),
            "use",
            &before,
            &after,
        ];
        let mut input = String::with_capacity(256);
        for field in fields {
            input.push_str(&format!("{}:{field};", field.len()));
        }
        let hash = hex::encode(Sha256::digest(input.as_bytes()));
        sqlx::query(
            "INSERT INTO audit_events
                 (id, at, account_id, actor, role, entity, entity_id, action, before, after, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(event_id)
        .bind(&stamp)
        .bind(account_id)
        .bind(&login)
        .bind("member")
        .bind("voucher")
        .bind(id)
        .bind("use")
        .bind(&before)
        .bind(&after)
        .bind(&last_hash)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
            .bind(event_id)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(number)
    }
}

/// Opens a connection for seeding and checks.
pub async fn connect(database_url: &str) -> Result<AnyConnection> {
    sqlx::any::install_default_drivers();
    Ok(AnyConnection::connect(database_url).await?)
}

/// Grows the town's activated order of `bons demo --history` to `total`
/// passes, rows written straight to the database with the numbers that
/// follow in the agency's series (the series advanced to match): what a
/// large order's print-ready sheets carry. Returns the order's id.
pub async fn grow_passes(db: &mut AnyConnection, total: usize) -> Result<i64> {
    const ROWS_PER_INSERT: usize = 200;
    let (order_id, agency_id, year, face_value, valid_until): (i64, i64, i64, i64, String) =
        sqlx::query_as("SELECT order_id, agency_id, year, face_value, valid_until FROM passes ORDER BY id LIMIT 1")
            .fetch_one(&mut *db)
            .await
            .map_err(|e| format!("no pass: was `bons demo --history` run? {e}"))?;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passes WHERE order_id = $1")
        .bind(order_id)
        .fetch_one(&mut *db)
        .await?;
    let last: i64 = sqlx::query_scalar("SELECT last_sequence FROM pass_series WHERE agency_id = $1 AND year = $2")
        .bind(agency_id)
        .bind(year)
        .fetch_one(&mut *db)
        .await?;
    let missing = total.saturating_sub(usize::try_from(have)?);
    let mut tx = db.begin().await?;
    let mut next = last;
    for chunk in (0..missing).collect::<Vec<_>>().chunks(ROWS_PER_INSERT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 6;
                format!("(${}, ${}, ${}, ${}, ${}, ${}, 'active')", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6)
            })
            .collect();
        let sql = format!(
            "INSERT INTO passes (order_id, agency_id, year, sequence, face_value, valid_until, status) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for _ in chunk {
            next += 1;
            query =
                query.bind(order_id).bind(agency_id).bind(year).bind(next).bind(face_value).bind(valid_until.clone());
        }
        query.execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE pass_series SET last_sequence = $3 WHERE agency_id = $1 AND year = $2")
        .bind(agency_id)
        .bind(year)
        .bind(next)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(order_id)
}
