//! Pass Castors: their yearly series per agency, the passes of an order,
//! and the order's way after its invoices (production, counterpart
//! received, activation, cancellation).

use crate::domain::pass::{PassNumber, PassStatus};
use crate::domain::{Day, Money, ParisTime, Timestamp};
use crate::server::db::WriteTx;
use sqlx::{AnyConnection, AnyPool, FromRow};

/// Takes `count` numbers of the agency's `year` series at once, in the
/// producing transaction: the first of them. The series row stays locked
/// until commit; a rollback gives the numbers back.
pub async fn take_numbers(conn: &mut AnyConnection, agency_id: i64, year: i32, count: i64) -> Result<i64, sqlx::Error> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO pass_series (agency_id, year, last_sequence) VALUES ($1, $2, $3)
         ON CONFLICT (agency_id, year) DO UPDATE SET last_sequence = pass_series.last_sequence + $3
         RETURNING last_sequence",
    )
    .bind(agency_id)
    .bind(i64::from(year))
    .bind(count)
    .fetch_one(conn)
    .await?;
    Ok(last - count + 1)
}

/// An order's passes as they are produced.
pub struct NewPasses<'a> {
    pub order_id: i64,
    pub agency_id: i64,
    pub year: i32,
    /// The first pass's sequence; the others follow.
    pub first: i64,
    /// One pass per value, numbered in this order.
    pub face_values: &'a [Money],
    pub valid_until: Day,
    /// The server key version their printed codes are made with.
    pub key_version: i64,
}

/// Writes an order's passes, all not yet active.
pub async fn insert(conn: &mut AnyConnection, new: &NewPasses<'_>) -> Result<(), sqlx::Error> {
    let NewPasses { order_id, agency_id, year, first, face_values, valid_until, key_version } = *new;
    const COLUMNS: usize = 8;
    // 8 placeholders a row, under every database's cap per statement.
    for (chunk_index, chunk) in face_values.chunks(500).enumerate() {
        let sql = format!(
            "INSERT INTO passes (order_id, agency_id, year, sequence, face_value, valid_until, status, key_version) \
             VALUES {}",
            super::values(chunk.len(), COLUMNS)
        );
        let mut query = sqlx::query(&sql);
        for (i, value) in chunk.iter().enumerate() {
            let offset = i64::try_from(chunk_index * 500 + i).unwrap_or(i64::MAX);
            query = query
                .bind(order_id)
                .bind(agency_id)
                .bind(i64::from(year))
                .bind(first + offset)
                .bind(*value)
                .bind(valid_until)
                .bind(PassStatus::Inactive)
                .bind(key_version);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Where an order stands after its invoices.
#[derive(Debug, Clone, Default, FromRow)]
pub struct OrderWay {
    pub produced_at: Option<ParisTime>,
    pub produced_by: Option<String>,
    pub valid_until: Option<Day>,
    pub received: Money,
    pub received_reference: Option<String>,
    pub received_on: Option<Day>,
    pub received_by: Option<String>,
    pub activated_at: Option<ParisTime>,
    pub activated_by: Option<String>,
    pub cancelled_at: Option<ParisTime>,
    pub cancelled_by: Option<String>,
}

pub async fn way(conn: &mut AnyConnection, order_id: i64) -> Result<OrderWay, sqlx::Error> {
    sqlx::query_as(
        "SELECT produced_at, produced_by, valid_until, received, received_reference, received_on, received_by,
                activated_at, activated_by, cancelled_at, cancelled_by
           FROM orders WHERE id = $1",
    )
    .bind(order_id)
    .fetch_one(conn)
    .await
    .map_err(super::in_row("orders", order_id))
}

pub async fn set_produced(
    conn: &mut AnyConnection,
    order_id: i64,
    valid_until: Day,
    at: Timestamp,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET produced_at = $2, produced_by = $3, valid_until = $4
          WHERE id = $1 AND produced_at IS NULL AND status = 'confirmed'",
    )
    .bind(order_id)
    .bind(at)
    .bind(by)
    .bind(valid_until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the counterpart received: the mandate's (or transfer's) amount,
/// reference and day, replacing what was recorded before activation.
pub async fn set_received(
    conn: &mut AnyConnection,
    order_id: i64,
    amount: Money,
    reference: &str,
    on: Day,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET received = $2, received_reference = $3, received_on = $4, received_by = $5
          WHERE id = $1 AND activated_at IS NULL AND status = 'confirmed'",
    )
    .bind(order_id)
    .bind(amount)
    .bind(reference)
    .bind(on)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// All the order's passes become spendable at once; how many.
pub async fn activate(conn: &mut AnyConnection, order_id: i64, at: Timestamp, by: &str) -> Result<u64, sqlx::Error> {
    let marked = sqlx::query(
        "UPDATE orders SET activated_at = $2, activated_by = $3
          WHERE id = $1 AND activated_at IS NULL AND produced_at IS NOT NULL AND status = 'confirmed'",
    )
    .bind(order_id)
    .bind(at)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    if marked.rows_affected() != 1 {
        return Ok(0);
    }
    let passes = sqlx::query("UPDATE passes SET status = $2, activated_at = $3 WHERE order_id = $1 AND status = $4")
        .bind(order_id)
        .bind(PassStatus::Active)
        .bind(at)
        .bind(PassStatus::Inactive)
        .execute(conn)
        .await?;
    Ok(passes.rows_affected())
}

/// Cancels an order not yet activated; its passes, if printed, are void
/// (their numbers stay consumed). How many passes were voided, or None when
/// the order could not be cancelled.
pub async fn cancel(
    conn: &mut AnyConnection,
    order_id: i64,
    at: Timestamp,
    by: &str,
) -> Result<Option<u64>, sqlx::Error> {
    let marked = sqlx::query(
        "UPDATE orders SET status = 'cancelled', cancelled_at = $2, cancelled_by = $3
          WHERE id = $1 AND activated_at IS NULL AND status <> 'cancelled'",
    )
    .bind(order_id)
    .bind(at)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    if marked.rows_affected() != 1 {
        return Ok(None);
    }
    let passes = sqlx::query("UPDATE passes SET status = $2 WHERE order_id = $1 AND status = $3")
        .bind(order_id)
        .bind(PassStatus::Cancelled)
        .bind(PassStatus::Inactive)
        .execute(conn)
        .await?;
    Ok(Some(passes.rows_affected()))
}

/// An order's passes counted by status, and their first and last numbers'
/// sequences and year.
#[derive(Debug, Clone, Default, FromRow)]
pub struct PassCounts {
    pub total: i64,
    pub inactive: i64,
    pub active: i64,
    pub used: i64,
    pub cancelled: i64,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub year: Option<i64>,
}

pub async fn counts(conn: &mut AnyConnection, order_id: i64) -> Result<PassCounts, sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN status = 'inactive' THEN 1 ELSE 0 END), 0) AS inactive,
                COALESCE(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0) AS active,
                COALESCE(SUM(CASE WHEN status = 'used' THEN 1 ELSE 0 END), 0) AS used,
                COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0) AS cancelled,
                MIN(sequence) AS first, MAX(sequence) AS last, MIN(year) AS year
           FROM passes WHERE order_id = $1",
    )
    .bind(order_id)
    .fetch_one(conn)
    .await
}

/// The agency's code and centre code, which pass numbers carry.
pub async fn agency_codes(conn: &mut AnyConnection, agency_id: i64) -> Result<(String, String), sqlx::Error> {
    sqlx::query_as("SELECT code, centre_code FROM agencies WHERE id = $1").bind(agency_id).fetch_one(conn).await
}

/// A pass as the counter and its check page read it.
#[derive(Debug, Clone, FromRow)]
pub struct PassRecord {
    pub id: i64,
    pub order_id: i64,
    pub agency_id: i64,
    pub face_value: Money,
    pub valid_until: Day,
    pub status: PassStatus,
    pub used_at: Option<Timestamp>,
    pub supplier_id: Option<i64>,
    pub code_failures: i64,
    pub locked_at: Option<Timestamp>,
    pub blocked_at: Option<Timestamp>,
    /// The supplier's invoice that claimed it once accepted.
    pub invoice_id: Option<i64>,
    /// The order's structure: the sponsor who bought it.
    pub sponsor: String,
    /// The server key version its printed code and QR link were made with.
    pub key_version: i64,
}

const PASS_COLUMNS: &str = "p.id, p.order_id, p.agency_id, p.face_value, p.valid_until, p.status, p.used_at,
        p.supplier_id, p.code_failures, p.locked_at, p.blocked_at, p.invoice_id, s.label AS sponsor, p.key_version
   FROM passes p JOIN agencies a ON a.id = p.agency_id JOIN orders o ON o.id = p.order_id
   JOIN structures s ON s.id = o.structure_id";

/// The pass of this number, locked until commit on PostgreSQL.
pub async fn find_by_number_for_update(
    tx: &mut WriteTx,
    number: &PassNumber,
) -> Result<Option<PassRecord>, sqlx::Error> {
    let sql = format!("SELECT {PASS_COLUMNS} {BY_NUMBER}{}", tx.row_lock("p"));
    by_number(&sql, number).fetch_optional(tx.conn()).await
}

/// The pass of this id, locked until commit on PostgreSQL.
pub async fn find_for_update(tx: &mut WriteTx, id: i64) -> Result<Option<PassRecord>, sqlx::Error> {
    let sql = format!("SELECT {PASS_COLUMNS} WHERE p.id = $1{}", tx.row_lock("p"));
    sqlx::query_as(&sql).bind(id).fetch_optional(tx.conn()).await
}

/// A spent pass claimed by an accepted invoice; false if it was already.
pub async fn mark_invoiced(conn: &mut AnyConnection, id: i64, invoice_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE passes SET invoice_id = $2 WHERE id = $1 AND status = $3 AND invoice_id IS NULL")
        .bind(id)
        .bind(invoice_id)
        .bind(PassStatus::Used)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_by_number(pool: &AnyPool, number: &PassNumber) -> Result<Option<PassRecord>, sqlx::Error> {
    by_number(&format!("SELECT {PASS_COLUMNS} {BY_NUMBER}"), number).fetch_optional(pool).await
}

const BY_NUMBER: &str = "WHERE a.code = $1 AND a.centre_code = $2 AND p.year = $3 AND p.sequence = $4";

fn by_number<'q>(
    sql: &'q str,
    number: &'q PassNumber,
) -> sqlx::query::QueryAs<'q, sqlx::Any, PassRecord, sqlx::any::AnyArguments<'q>> {
    sqlx::query_as(sql)
        .bind(number.agency_code())
        .bind(number.centre_code())
        .bind(i64::from(number.year()))
        .bind(i64::from(number.sequence()))
}

/// Spends an active pass for `supplier_id`; false when it was not active.
pub async fn mark_spent(
    conn: &mut AnyConnection,
    id: i64,
    supplier_id: i64,
    at: Timestamp,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE passes SET status = $2, used_at = $3, supplier_id = $4, spent_by = $5, code_failures = 0
          WHERE id = $1 AND status = $6 AND locked_at IS NULL AND blocked_at IS NULL",
    )
    .bind(id)
    .bind(PassStatus::Used)
    .bind(at)
    .bind(supplier_id)
    .bind(by)
    .bind(PassStatus::Active)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the count of wrong codes in a row, and the lock once reached.
pub async fn set_code_failures(
    conn: &mut AnyConnection,
    id: i64,
    failures: i64,
    locked_at: Option<Timestamp>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE passes SET code_failures = $2, locked_at = $3 WHERE id = $1")
        .bind(id)
        .bind(failures)
        .bind(locked_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// One pass of an order, as printed.
#[derive(Debug, Clone, FromRow)]
pub struct PrintedPass {
    pub year: i64,
    pub sequence: i64,
    pub face_value: Money,
    pub valid_until: Day,
    pub key_version: i64,
}

/// The order's passes in number order, as they are printed.
pub async fn of_order(pool: &AnyPool, order_id: i64) -> Result<Vec<PrintedPass>, sqlx::Error> {
    sqlx::query_as(
        "SELECT year, sequence, face_value, valid_until, key_version FROM passes WHERE order_id = $1 ORDER BY sequence",
    )
    .bind(order_id)
    .fetch_all(pool)
    .await
}

/// A pass spent, with what names it: its number's parts and its sponsor.
#[derive(Debug, Clone, FromRow)]
pub struct SpentRow {
    pub agency_code: String,
    pub centre_code: String,
    pub year: i64,
    pub sequence: i64,
    pub face_value: Money,
    pub used_at: Timestamp,
    /// The day the supplier was paid for it, once paid.
    pub paid_on: Option<Day>,
    /// The supplier's invoice that claimed it, once accepted.
    pub invoice_number: Option<String>,
    pub sponsor: String,
    pub supplier: String,
}

impl SpentRow {
    pub fn number(&self) -> Option<PassNumber> {
        let (year, sequence) = (i32::try_from(self.year).ok()?, u32::try_from(self.sequence).ok()?);
        PassNumber::new(year, &self.agency_code, &self.centre_code, sequence).ok()
    }
}

const SPENT: &str = "SELECT a.code AS agency_code, a.centre_code, p.year, p.sequence, p.face_value, p.used_at,
        p.paid_on, inv.number AS invoice_number, s.label AS sponsor, sup.name AS supplier
   FROM passes p JOIN agencies a ON a.id = p.agency_id JOIN orders o ON o.id = p.order_id
   JOIN structures s ON s.id = o.structure_id JOIN suppliers sup ON sup.id = p.supplier_id
   LEFT JOIN invoices inv ON inv.id = p.invoice_id";

/// The passes a supplier spent in `[from, until)` (either bound optional),
/// newest first.
pub async fn spent_by_supplier(
    pool: &AnyPool,
    supplier_id: i64,
    from: Option<Timestamp>,
    until: Option<Timestamp>,
) -> Result<Vec<SpentRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SPENT} WHERE p.supplier_id = $1 AND ($2 IS NULL OR p.used_at >= $2) AND ($3 IS NULL OR p.used_at < $3)
          ORDER BY p.used_at DESC, p.id DESC"
    ))
    .bind(supplier_id)
    .bind(from)
    .bind(until)
    .fetch_all(pool)
    .await
}

/// An order's spent passes, in the order they were spent.
pub async fn spent_of_order(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<SpentRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SPENT} WHERE p.order_id = $1 ORDER BY p.used_at, p.id"))
        .bind(order_id)
        .fetch_all(conn)
        .await
}

/// The ids of an order's passes numbered `first..=last` of `year` that can
/// be blocked (`block`: not spent, not cancelled, not blocked) or
/// unblocked (blocked), locked until commit on PostgreSQL.
pub async fn in_range_for_update(
    tx: &mut WriteTx,
    order_id: i64,
    year: i64,
    (first, last): (i64, i64),
    block: bool,
) -> Result<Vec<i64>, sqlx::Error> {
    let condition =
        if block { "status IN ('inactive', 'active') AND blocked_at IS NULL" } else { "blocked_at IS NOT NULL" };
    let sql = format!(
        "SELECT id FROM passes WHERE order_id = $1 AND year = $2 AND sequence BETWEEN $3 AND $4 AND {condition}
          ORDER BY sequence{}",
        tx.row_lock("")
    );
    sqlx::query_scalar(&sql).bind(order_id).bind(year).bind(first).bind(last).fetch_all(tx.conn()).await
}

/// Blocks (`Some(at)`) or unblocks (`None`) one pass.
pub async fn set_blocked(conn: &mut AnyConnection, id: i64, at: Option<Timestamp>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE passes SET blocked_at = $2 WHERE id = $1").bind(id).bind(at).execute(conn).await?;
    Ok(())
}

/// How many of an order's passes are blocked.
pub async fn blocked_count(conn: &mut AnyConnection, order_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM passes WHERE order_id = $1 AND blocked_at IS NOT NULL")
        .bind(order_id)
        .fetch_one(conn)
        .await
}

/// An order's passes still active (neither spent nor cancelled): how many,
/// and their face value.
pub async fn unused_value(conn: &mut AnyConnection, order_id: i64) -> Result<(i64, Money), sqlx::Error> {
    let (count, cents): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(face_value), 0) AS BIGINT) FROM passes
          WHERE order_id = $1 AND status = $2",
    )
    .bind(order_id)
    .bind(PassStatus::Active)
    .fetch_one(conn)
    .await?;
    Ok((count, Money::from_cents(cents)))
}

/// The activated orders whose passes' validity ended before `today` and
/// whose year-end report was not sent yet.
pub async fn validity_ended(conn: &mut AnyConnection, today: Day) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT o.id FROM orders o
          WHERE o.activated_at IS NOT NULL AND o.valid_until < $1 AND o.status = 'confirmed'
            AND NOT EXISTS (SELECT 1 FROM order_steps s WHERE s.order_id = o.id AND s.step = 'year_end_sent')
          ORDER BY o.id",
    )
    .bind(today)
    .fetch_all(conn)
    .await
}
