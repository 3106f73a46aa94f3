//! Members' statements and the runs that make them for a whole agency.

use crate::domain::{Day, Money, Month, ParisTime, Period, Timestamp, VoucherStatus};
use crate::model::money::{RunRow, StatementRow};
use sqlx::{AnyConnection, AnyPool, FromRow};
use std::collections::{HashMap, HashSet};

/// The vouchers a statement lists: used, whether or not invoiced or paid
/// yet (a use the agency undid is 91-annulé, left out).
const ON_STATEMENTS: [VoucherStatus; 3] = [VoucherStatus::Delivered, VoucherStatus::Invoiced, VoucherStatus::Paid];

/// One voucher of a statement: used in the period, with the supplier
/// invoice that claimed it, if any.
#[derive(Debug, Clone, FromRow)]
pub struct StatementLine {
    pub member_id: i64,
    pub voucher_id: i64,
    pub number: Option<String>,
    pub used_at: Option<ParisTime>,
    pub amount: Money,
    pub status: VoucherStatus,
    pub supplier_name: String,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<Day>,
    /// What its supplier's accepted invoice line asked for it.
    pub invoiced: Option<Money>,
}

/// These members' vouchers used in [from, to), by member, oldest first;
/// uses the agency undid are left out. At most 500 members at a time (the
/// placeholders of one statement).
pub async fn lines(
    conn: &mut AnyConnection,
    member_ids: &[i64],
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<StatementLine>, sqlx::Error> {
    let placeholders: Vec<String> = (6..member_ids.len() + 6).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT v.member_id, v.id AS voucher_id, v.number, v.used_at, v.amount_cents AS amount, v.status,
                s.name AS supplier_name, i.number AS invoice_number, i.invoice_date,
                l.amount_cents AS invoiced
           FROM vouchers v
           JOIN suppliers s ON s.id = v.supplier_id
           LEFT JOIN invoices i ON i.id = v.invoice_id
           LEFT JOIN invoice_lines l ON l.invoice_id = v.invoice_id AND l.voucher_id = v.id
                AND (l.flag IS NULL OR l.override_reason IS NOT NULL)
          WHERE v.used_at >= $1 AND v.used_at < $2 AND v.status IN ($3, $4, $5)
            AND v.member_id IN ({})
          ORDER BY v.member_id, v.used_at, v.id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql).bind(from).bind(to);
    for status in ON_STATEMENTS {
        query = query.bind(status);
    }
    for id in member_ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// The members of an agency with a voucher used in [from, to): id, by number.
pub async fn members_with_uses(
    pool: &AnyPool,
    agency_id: i64,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT m.id, m.number FROM members m JOIN vouchers v ON v.member_id = m.id
          WHERE m.agency_id = $1 AND v.used_at >= $2 AND v.used_at < $3 AND v.status IN ($4, $5, $6)
          ORDER BY m.number",
    )
    .bind(agency_id)
    .bind(from)
    .bind(to)
    .bind(ON_STATEMENTS[0])
    .bind(ON_STATEMENTS[1])
    .bind(ON_STATEMENTS[2])
    .fetch_all(pool)
    .await
}

pub struct NewStatement<'a> {
    pub member_id: i64,
    pub agency_id: i64,
    pub period: Period,
    pub created_at: Timestamp,
    pub created_by: &'a str,
    pub run_id: Option<i64>,
    pub voucher_count: i64,
    pub total: Money,
    pub invoiced: Money,
    pub pdf: &'a [u8],
    pub csv: &'a str,
    /// The address it is to be emailed to, or why it will not be.
    pub emailed_to: Option<&'a str>,
    pub email_error: Option<&'a str>,
}

/// Columns of a statement as `insert_all` writes them.
const INSERT_COLUMNS: usize = 14;
/// Statements per `INSERT`: 1,400 placeholders, well within both backends'
/// bounds.
const INSERT_ROWS: usize = 100;

/// Stores statements, several rows per `INSERT`; returns their ids, in
/// order. At most one statement per member (the ids are matched back by
/// member: neither backend promises `RETURNING`'s order).
pub async fn insert_all(conn: &mut AnyConnection, statements: &[NewStatement<'_>]) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::with_capacity(statements.len());
    for chunk in statements.chunks(INSERT_ROWS) {
        let sql = format!(
            "INSERT INTO statements (member_id, agency_id, period_from, period_to, created_at, created_by, run_id,
                                     voucher_count, total_cents, invoiced_cents, pdf, csv, emailed_to, email_error)
             VALUES {} RETURNING id, member_id",
            super::values(chunk.len(), INSERT_COLUMNS)
        );
        let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
        for s in chunk {
            query = query
                .bind(s.member_id)
                .bind(s.agency_id)
                .bind(s.period.from)
                .bind(s.period.to)
                .bind(s.created_at)
                .bind(s.created_by)
                .bind(s.run_id)
                .bind(s.voucher_count)
                .bind(s.total)
                .bind(s.invoiced)
                .bind(s.pdf)
                .bind(s.csv)
                .bind(s.emailed_to)
                .bind(s.email_error);
        }
        let by_member: HashMap<i64, i64> =
            query.fetch_all(&mut *conn).await?.into_iter().map(|(id, member)| (member, id)).collect();
        if by_member.len() != chunk.len() {
            return Err(sqlx::Error::Protocol("statements of one member twice in one insert".into()));
        }
        for s in chunk {
            let id = by_member.get(&s.member_id).copied();
            ids.push(id.ok_or_else(|| sqlx::Error::Protocol("a statement stored without its id".into()))?);
        }
    }
    Ok(ids)
}

/// A stored statement whose email is still to be sent: what the message
/// says and carries.
#[derive(Debug, Clone, FromRow)]
pub struct OwedEmail {
    pub id: i64,
    pub emailed_to: String,
    pub agency_name: String,
    pub member_number: String,
    pub member_name: String,
    pub period_from: Day,
    pub period_to: Day,
    pub voucher_count: i64,
    pub total: Money,
    pub invoiced: Money,
    pub pdf: Vec<u8>,
    pub csv: String,
}

impl OwedEmail {
    pub fn period(&self) -> Period {
        Period { from: self.period_from, to: self.period_to }
    }
}

/// An agency's statements of exactly that period, made by a run, still owed
/// their email (an address, not sent, no error), oldest first, at most
/// `limit`: what a run's mail task had no room for, and what a run started
/// again after a stop picks up. (A statement staff make for one member is
/// sent at once.)
pub async fn owed_emails(
    pool: &AnyPool,
    agency_id: i64,
    period: Period,
    limit: i64,
) -> Result<Vec<OwedEmail>, sqlx::Error> {
    sqlx::query_as(
        "SELECT st.id, st.emailed_to, a.name AS agency_name, m.number AS member_number, m.name AS member_name,
                st.period_from, st.period_to, st.voucher_count, st.total_cents AS total,
                st.invoiced_cents AS invoiced, st.pdf, st.csv
           FROM statements st
           JOIN members m ON m.id = st.member_id
           JOIN agencies a ON a.id = st.agency_id
          WHERE st.agency_id = $1 AND st.period_from = $2 AND st.period_to = $3 AND st.run_id IS NOT NULL
            AND st.emailed_to IS NOT NULL AND st.emailed_at IS NULL AND st.email_error IS NULL
          ORDER BY st.id
          LIMIT $4",
    )
    .bind(agency_id)
    .bind(period.from)
    .bind(period.to)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Members with a statement of exactly that period, made by a run, still
/// owed its email.
pub async fn members_owed_email(pool: &AnyPool, agency_id: i64, period: Period) -> Result<HashSet<i64>, sqlx::Error> {
    members_with_statement(
        pool,
        agency_id,
        period,
        "run_id IS NOT NULL AND emailed_to IS NOT NULL AND emailed_at IS NULL AND email_error IS NULL",
    )
    .await
}

/// Members of an agency with a statement of exactly that period meeting
/// `condition` (SQL on the statement's own columns, written here only).
async fn members_with_statement(
    pool: &AnyPool,
    agency_id: i64,
    period: Period,
    condition: &str,
) -> Result<HashSet<i64>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT member_id FROM statements
          WHERE agency_id = $1 AND period_from = $2 AND period_to = $3 AND {condition}"
    ))
    .bind(agency_id)
    .bind(period.from)
    .bind(period.to)
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().collect())
}

/// These statements' emails left at `at`.
pub async fn mark_emailed(pool: &AnyPool, ids: &[i64], at: Timestamp) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(500) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!("UPDATE statements SET emailed_at = $1 WHERE id IN ({})", placeholders.join(", "));
        let mut query = sqlx::query(&sql).bind(at);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(pool).await?;
    }
    Ok(())
}

/// Why a statement's email could not be sent.
pub async fn record_email_error(pool: &AnyPool, id: i64, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE statements SET email_error = $2 WHERE id = $1").bind(id).bind(error).execute(pool).await?;
    Ok(())
}

/// A statement as screens list it, and whose it is.
#[derive(Debug, Clone, FromRow)]
pub struct StatementRecord {
    #[sqlx(flatten)]
    pub row: StatementRow,
    pub member_id: i64,
    pub agency_id: i64,
}

const SELECT_STATEMENT: &str = "SELECT st.id, st.member_id, st.agency_id, m.number AS member_number,
        m.name AS member_name, st.period_from, st.period_to, st.created_at, st.voucher_count,
        st.total_cents AS total, st.invoiced_cents AS invoiced, st.emailed_to, st.emailed_at, st.email_error
   FROM statements st
   JOIN members m ON m.id = st.member_id";

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<StatementRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_STATEMENT} WHERE st.id = $1")).bind(id).fetch_optional(pool).await
}

pub async fn for_member(pool: &AnyPool, member_id: i64) -> Result<Vec<StatementRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_STATEMENT} WHERE st.member_id = $1 ORDER BY st.id DESC LIMIT 120"))
        .bind(member_id)
        .fetch_all(pool)
        .await
}

/// An agency's latest statements (every agency's with None).
pub async fn recent(pool: &AnyPool, agency_id: Option<i64>, limit: i64) -> Result<Vec<StatementRecord>, sqlx::Error> {
    let (scope, agency) = super::agency_scope("st.agency_id", agency_id);
    sqlx::query_as(&format!("{SELECT_STATEMENT} WHERE {scope} ORDER BY st.id DESC LIMIT $2"))
        .bind(agency)
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// The stored files: `pdf` or `csv`.
pub async fn pdf(pool: &AnyPool, id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("SELECT pdf FROM statements WHERE id = $1").bind(id).fetch_optional(pool).await
}

pub async fn csv(pool: &AnyPool, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT csv FROM statements WHERE id = $1").bind(id).fetch_optional(pool).await
}

/// A run's statements of exactly that period whose email failed, or found
/// no address, for members who have an address now: owed their email again,
/// to that address (a run started again sends them, never makes them
/// twice). Returns how many.
pub async fn reopen_failed_emails(pool: &AnyPool, agency_id: i64, period: Period) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE statements
            SET email_error = NULL, emailed_to = (SELECT m.email FROM members m WHERE m.id = statements.member_id)
          WHERE agency_id = $1 AND period_from = $2 AND period_to = $3 AND run_id IS NOT NULL
            AND emailed_at IS NULL AND email_error IS NOT NULL
            AND EXISTS (SELECT 1 FROM members m WHERE m.id = statements.member_id AND m.email IS NOT NULL AND m.email <> '')",
    )
    .bind(agency_id)
    .bind(period.from)
    .bind(period.to)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Members with a statement of exactly that period made by a run, whatever
/// became of its email.
pub async fn members_with_kept(pool: &AnyPool, agency_id: i64, period: Period) -> Result<HashSet<i64>, sqlx::Error> {
    members_with_statement(pool, agency_id, period, "run_id IS NOT NULL").await
}

/// Members of a run's month that already have a statement emailed for
/// exactly that period: a run started again does not email them twice.
pub async fn already_emailed(pool: &AnyPool, agency_id: i64, period: Period) -> Result<HashSet<i64>, sqlx::Error> {
    members_with_statement(pool, agency_id, period, "emailed_at IS NOT NULL").await
}

/// A run as staff follow it, and the agency whose staff see it.
#[derive(Debug, Clone, FromRow)]
pub struct RunRecord {
    #[sqlx(flatten)]
    pub row: RunRow,
    pub agency_id: i64,
}

const SELECT_RUN: &str = "SELECT r.id, r.agency_id, a.code AS agency_code, r.month, r.started_at, r.started_by,
        r.total, r.done, r.emailed, r.no_email, r.failed,
        CASE WHEN r.finished_at IS NULL THEN 0 ELSE 1 END AS finished
   FROM statement_runs r JOIN agencies a ON a.id = r.agency_id";

pub async fn insert_run(
    conn: &mut AnyConnection,
    agency_id: i64,
    month: Month,
    started_at: Timestamp,
    started_by: &str,
    total: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO statement_runs (agency_id, month, started_at, started_by, total) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(agency_id)
    .bind(month)
    .bind(started_at)
    .bind(started_by)
    .bind(total)
    .fetch_one(conn)
    .await
}

/// A run's count of members, when a run taken up again finds more.
pub async fn run_total(pool: &AnyPool, id: i64, total: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE statement_runs SET total = $2 WHERE id = $1").bind(id).bind(total).execute(pool).await?;
    Ok(())
}

/// Members done since the last step, and how their emails went; on the
/// pool, or inside the transaction that stored the step's statements.
pub async fn run_progress<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: i64,
    done: i64,
    emailed: i64,
    no_email: i64,
    failed: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE statement_runs SET done = done + $2, emailed = emailed + $3, no_email = no_email + $4,
                failed = failed + $5
          WHERE id = $1",
    )
    .bind(id)
    .bind(done)
    .bind(emailed)
    .bind(no_email)
    .bind(failed)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn finish_run(pool: &AnyPool, id: i64, at: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE statement_runs SET finished_at = $2 WHERE id = $1").bind(id).bind(at).execute(pool).await?;
    Ok(())
}

pub async fn find_run(pool: &AnyPool, id: i64) -> Result<Option<RunRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_RUN} WHERE r.id = $1")).bind(id).fetch_optional(pool).await
}

/// An agency's unfinished run for that month, if one is under way.
pub async fn running(pool: &AnyPool, agency_id: i64, month: Month) -> Result<Option<RunRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT_RUN} WHERE r.agency_id = $1 AND r.month = $2 AND r.finished_at IS NULL ORDER BY r.id DESC LIMIT 1"
    ))
    .bind(agency_id)
    .bind(month)
    .fetch_optional(pool)
    .await
}

pub async fn runs(pool: &AnyPool, agency_id: Option<i64>, limit: i64) -> Result<Vec<RunRecord>, sqlx::Error> {
    let (scope, agency) = super::agency_scope("r.agency_id", agency_id);
    sqlx::query_as(&format!("{SELECT_RUN} WHERE {scope} ORDER BY r.id DESC LIMIT $2"))
        .bind(agency)
        .bind(limit)
        .fetch_all(pool)
        .await
}
