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
        Floor::connect_for(database_url, backend, ids.account_id).await
    }

    /// The same, with a session of `account_id` (a supplier's staff, say).
    pub async fn connect_for(database_url: &str, backend: Backend, account_id: i64) -> Result<Floor> {
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
            .bind(account_id)
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

    /// The session's account, as `auth` reads it at each request.
    async fn session(&self, stamp: &str) -> Result<sqlx::any::AnyRow> {
        Ok(sqlx::query(
            "SELECT a.id AS account_id, a.login, a.role, a.member_id, a.supplier_id, a.agency_id
               FROM sessions s JOIN accounts a ON a.id = s.account_id
              WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = 1",
        )
        .bind(&self.token_hash)
        .bind(stamp)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Uses voucher `id`; returns its number.
    pub async fn use_voucher(&self, id: i64) -> Result<String, String> {
        self.try_use(id).await.map_err(|e| format!("voucher {id}: {e}"))
    }

    async fn try_use(&self, id: i64) -> Result<String> {
        let now = chrono::Utc::now();
        let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        // Who is asking: the session, then the member (auth::require_member).
        let session = self.session(&stamp).await?;
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
        let before = r#"{"status":"1-EMIS"}"#;
        let after = format!(r#"{{"number":"{number}","status":"11-livré","used_at":"{stamp}"}}"#);
        let event =
            Event { stamp: &stamp, account_id, login: &login, role: "member", entity: "voucher", entity_id: id };
        append(&mut tx, lock_head, &event, "use", before, &after).await?;
        tx.commit().await?;
        Ok(number)
    }
}

/// Who did what to which row, for the journal.
struct Event<'a> {
    stamp: &'a str,
    account_id: i64,
    login: &'a str,
    role: &'a str,
    entity: &'a str,
    entity_id: i64,
}

/// Appends the journal's event (`audit::append`): the head read under its
/// lock, the event hashed with the one before, the head moved on.
async fn append(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    lock_head: &str,
    e: &Event<'_>,
    action: &str,
    before: &str,
    after: &str,
) -> Result<()> {
    let (last_id, last_hash): (i64, String) =
        sqlx::query_as(&format!("SELECT last_id, last_hash FROM audit_head WHERE id = 1{lock_head}"))
            .fetch_one(&mut **tx)
            .await?;
    let event_id = last_id + 1;
    let fields = [
        last_hash.as_str(),
        &event_id.to_string(),
        e.stamp,
        &e.account_id.to_string(),
        e.login,
        e.role,
        e.entity,
        &e.entity_id.to_string(),
        action,
        before,
        after,
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
    .bind(e.stamp)
    .bind(e.account_id)
    .bind(e.login)
    .bind(e.role)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(action)
    .bind(before)
    .bind(after)
    .bind(&last_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(event_id)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Floor {
    /// Spends the pass `number` with `code` at the session's supplier
    /// (`services::passes::spend`): the session and the supplier read, then
    /// one write transaction that charges the two attempt budgets, locks
    /// the pass, checks the code (`keys`: the server's, from its secret),
    /// gives the budgets back, marks the pass spent and journals it.
    pub async fn spend_pass(&self, number: &str, code: &str, keys: &PassKeys) -> Result<(), String> {
        self.try_spend(number, code, keys).await.map_err(|e| format!("pass {number}: {e}"))
    }

    async fn try_spend(&self, number: &str, code: &str, keys: &PassKeys) -> Result<()> {
        let now = chrono::Utc::now();
        let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let window = (now - chrono::Duration::minutes(15)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let session = self.session(&stamp).await?;
        let (account_id, supplier_id): (i64, i64) = (session.try_get("account_id")?, session.try_get("supplier_id")?);
        let login: String = session.try_get("login")?;
        sqlx::query("SELECT id, agency_id, name, active FROM suppliers WHERE id = $1")
            .bind(supplier_id)
            .fetch_one(&self.pool)
            .await?;

        let _writer = match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let (lock_pass, lock_head) = match self.backend {
            Backend::Sqlite => ("", ""),
            Backend::Postgres => (" FOR UPDATE OF p", " FOR UPDATE"),
        };
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let budgets = [("check-address", "127.0.0.1".to_owned()), ("check-account", account_id.to_string())];
        for (scope, subject) in &budgets {
            let failures: i64 = sqlx::query_scalar(
                "INSERT INTO attempt_budgets (scope, subject, window_start, failures) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (scope, subject) DO UPDATE SET
                     failures = CASE WHEN attempt_budgets.window_start <= $4 THEN 1 ELSE attempt_budgets.failures + 1 END,
                     window_start = CASE WHEN attempt_budgets.window_start <= $4 THEN $3 ELSE attempt_budgets.window_start END
                 RETURNING failures",
            )
            .bind(*scope)
            .bind(subject)
            .bind(&stamp)
            .bind(&window)
            .fetch_one(&mut *tx)
            .await?;
            if failures > 20 {
                return Err(format!("budget {scope} spent").into());
            }
        }
        let (year, agency, centre, sequence) = pass_number_parts(number)?;
        let pass = sqlx::query(&format!(
            "SELECT p.id, p.order_id, p.agency_id, p.face_value, p.valid_until, p.status, p.used_at,
                    p.supplier_id, p.code_failures, p.locked_at, p.blocked_at, p.invoice_id, s.label AS sponsor
               FROM passes p JOIN agencies a ON a.id = p.agency_id JOIN orders o ON o.id = p.order_id
               JOIN structures s ON s.id = o.structure_id
              WHERE a.code = $1 AND a.centre_code = $2 AND p.year = $3 AND p.sequence = $4{lock_pass}"
        ))
        .bind(agency)
        .bind(centre)
        .bind(year)
        .bind(sequence)
        .fetch_one(&mut *tx)
        .await?;
        let (id, face_value, status): (i64, i64, String) =
            (pass.try_get("id")?, pass.try_get("face_value")?, pass.try_get("status")?);
        if keys.pass_code(number, face_value) != code || status != "active" {
            return Err(format!("status {status}, or the code does not match").into());
        }
        for (scope, subject) in &budgets {
            sqlx::query(
                "UPDATE attempt_budgets SET failures = failures - 1 WHERE scope = $1 AND subject = $2 AND failures > 0",
            )
            .bind(*scope)
            .bind(subject)
            .execute(&mut *tx)
            .await?;
        }
        let changed = sqlx::query(
            "UPDATE passes SET status = 'used', used_at = $2, supplier_id = $3, spent_by = $4, code_failures = 0
              WHERE id = $1 AND status = 'active' AND locked_at IS NULL AND blocked_at IS NULL",
        )
        .bind(id)
        .bind(&stamp)
        .bind(supplier_id)
        .bind(&login)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Err("the pass changed under its lock".into());
        }
        let before = r#"{"status":"Actif"}"#;
        let after = format!(
            r#"{{"amount_cents":{face_value},"number":"{number}","status":"Utilisé","supplier_id":{supplier_id},"used_at":"{stamp}"}}"#
        );
        let event = Event { stamp: &stamp, account_id, login: &login, role: "supplier", entity: "pass", entity_id: id };
        append(&mut tx, lock_head, &event, "spend", before, &after).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// `P2026.NA.442.00000001` read: year, agency code, centre code, sequence.
fn pass_number_parts(number: &str) -> Result<(i64, &str, &str, i64)> {
    let parts: Vec<&str> = number.strip_prefix('P').ok_or("not a pass number")?.split('.').collect();
    let [year, agency, centre, sequence] = parts.as_slice() else {
        return Err(format!("not a pass number: {number}").into());
    };
    Ok((year.parse()?, agency, centre, sequence.parse()?))
}

/// The passes' printed codes, derived as the server derives them
/// (`app/src/server/codes.rs`, kept in step by hand like the statements
/// above): a key for passes from the server secret, then the first 8 bytes
/// of HMAC-SHA256(key, "number|cents") as a number, its last 6 digits.
pub struct PassKeys([u8; 32]);

impl PassKeys {
    /// From the server secret as `BONS_SECRET` holds it (hex).
    pub fn from_hex_secret(secret: &str) -> Result<PassKeys> {
        Ok(PassKeys(hmac_sha256(&hex::decode(secret)?, b"bons/pass-code/v1")))
    }

    pub fn pass_code(&self, number: &str, face_value_cents: i64) -> String {
        let tag = hmac_sha256(&self.0, format!("{number}|{face_value_cents}").as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&tag[..8]);
        format!("{:06}", u64::from_be_bytes(first) % 1_000_000)
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The active passes of an order, in number order: number and face value
/// in cents.
pub async fn active_passes(db: &mut AnyConnection, order_id: i64) -> Result<Vec<(String, i64)>> {
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT a.code, a.centre_code, p.year, p.sequence, p.face_value FROM passes p
           JOIN agencies a ON a.id = p.agency_id
          WHERE p.order_id = $1 AND p.status = 'active' ORDER BY p.sequence",
    )
    .bind(order_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(agency, centre, year, sequence, value)| (format!("P{year}.{agency}.{centre}.{sequence:08}"), value))
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_numbers_read_as_their_parts() {
        assert_eq!(pass_number_parts("P2026.NA.442.00000017").unwrap(), (2026, "NA", "442", 17));
        assert!(pass_number_parts("W2026.NA.442.00000017").is_err());
    }

    #[test]
    fn pass_codes_are_six_digits_and_depend_on_the_secret() {
        let keys = PassKeys::from_hex_secret(&"ab".repeat(32)).unwrap();
        let code = keys.pass_code("P2026.NA.442.00000001", 2_000);
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(code, keys.pass_code("P2026.NA.442.00000001", 2_000));
        let other = PassKeys::from_hex_secret(&"cd".repeat(32)).unwrap();
        assert_ne!(code, other.pass_code("P2026.NA.442.00000001", 2_000));
    }
}
