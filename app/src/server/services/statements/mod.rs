//! Members' statements (relevés): for a member and a period, the vouchers
//! used, each with the supplier invoice that claimed it, the amounts and the
//! totals; written once as PDF and CSV, kept as sent, emailed to the member
//! and listed in the member's space. A run makes them for every member of an
//! agency with a voucher used in a month, in the background, with progress.

mod document;
mod email;
mod runs;

pub use document::{Statement, csv_of, pdf_of};
pub use runs::{run, start_run};

use document::file_stem;
use email::{Emails, send_owed};
use runs::{bounds, make, store_made};

use super::agencies;
use crate::server::error::ServerError;
use crate::{
    domain::{
        Money,
        day::{self, parse_day, parse_month},
    },
    error::AppError,
    model::money::{RunRow, StatementRow, StatementsPage},
    server::{
        AppState,
        audit::Actor,
        auth::Staff,
        clock,
        store::{
            members::{self, MemberFile},
            statements as store,
        },
    },
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The longest period one statement covers.
const MAX_PERIOD_DAYS: i64 = 366;

/// Makes, keeps and (when `send`) emails one member's statement for [from,
/// to]; returns the stored statement's id and how the email went.
#[tracing::instrument(skip_all, fields(member = member.id))]
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    member: &MemberFile,
    from: NaiveDate,
    to: NaiveDate,
    send: bool,
    now: DateTime<Utc>,
) -> Result<(i64, Emails), ServerError> {
    let (start, end) = bounds(from, to);
    let mut conn = state.db.pool().acquire().await?;
    let lines = store::lines(&mut conn, &[member.id], &start, &end).await?;
    drop(conn);
    let made = make(member, lines, from, to, now)?;
    let ids = store_made(state, actor, std::slice::from_ref(&made), None, send, now).await?;
    let id = ids[0];
    let emails = match made.owed(id) {
        Some(owed) if send => send_owed(state, vec![owed]).await?,
        None if send => Emails { no_address: 1, ..Emails::default() },
        _ => Emails::default(),
    };
    Ok((id, emails))
}

fn period(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), ServerError> {
    let from = parse_day(from).map_err(|e| AppError::Invalid(format!("Début de la période : {e}")))?;
    let to = parse_day(to).map_err(|e| AppError::Invalid(format!("Fin de la période : {e}")))?;
    if to < from {
        return Err(AppError::Invalid("La fin de la période précède son début.".into()).into());
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(AppError::Invalid("Un relevé couvre au plus un an.".into()).into());
    }
    Ok((from, to))
}

/// Staff make one member's statement, by member number.
#[tracing::instrument(skip_all, fields(staff = %staff.login, number = %number))]
pub async fn issue_for_member(
    state: &AppState,
    staff: &Staff,
    number: &str,
    from: &str,
    to: &str,
    send: bool,
    now: DateTime<Utc>,
) -> Result<StatementRow, ServerError> {
    let number = number.trim().to_uppercase();
    if number.is_empty() {
        return Err(AppError::Invalid("Indiquez le n° d'adhérent.".into()).into());
    }
    let member = members::find_by_number(state.db.pool(), &number)
        .await?
        .filter(|m| staff.covers(m.agency_id))
        .ok_or_else(|| AppError::NotFound("Adhérent".into()))?;
    let (from, to) = period(from, to)?;
    if from > clock::paris_date(now) {
        return Err(AppError::Invalid("La période commence dans le futur : aucun bon n'y est utilisé.".into()).into());
    }
    let (id, _) = issue(state, &Actor::staff(staff), &member, from, to, send, now).await?;
    let record = store::find(state.db.pool(), id).await?.ok_or(AppError::Internal)?;
    Ok(row(record))
}

pub fn row(r: store::StatementRecord) -> StatementRow {
    StatementRow {
        id: r.id,
        member_number: r.member_number,
        member_name: r.member_name,
        period: format!("du {} au {}", clock::display_day(&r.period_from), clock::display_day(&r.period_to)),
        created_at: clock::display_datetime(&r.created_at),
        voucher_count: r.voucher_count,
        total: Money::from_cents(r.total_cents),
        invoiced: Money::from_cents(r.invoiced_cents),
        emailed_to: r.emailed_to,
        emailed_at: r.emailed_at.as_deref().map(clock::display_datetime),
        email_error: r.email_error,
    }
}

fn month_name(month: &str) -> String {
    parse_month(month).map(|(first, _)| agencies::month_name(first)).unwrap_or_else(|_| month.to_owned())
}

fn run_row(r: store::RunRecord) -> RunRow {
    RunRow {
        id: r.id,
        agency_code: r.agency_code,
        month: month_name(&r.month),
        started_at: clock::display_datetime(&r.started_at),
        started_by: r.started_by,
        total: r.total,
        done: r.done,
        emailed: r.emailed,
        no_email: r.no_email,
        failed: r.failed,
        finished: r.finished_at.is_some(),
    }
}

/// The statements screen: forms' defaults, the runs, the latest statements.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn page(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    now: DateTime<Utc>,
) -> Result<StatementsPage, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let scope = staff.scope(chosen);
    let pool = state.db.pool();
    let today = clock::paris_date(now);
    let this_month = today.with_day(1).unwrap_or(today);
    let last_month = this_month.pred_opt().unwrap_or(this_month).with_day(1).unwrap_or(this_month);
    let runs = store::runs(pool, scope, 12).await?.into_iter().map(run_row).collect();
    let recent = store::recent(pool, scope, 50).await?.into_iter().map(row).collect();
    Ok(StatementsPage {
        desk: agencies::desk(state, staff, chosen).await?,
        default_month: last_month.format("%Y-%m").to_string(),
        default_from: clock::iso_day(last_month),
        default_to: clock::iso_day(day::last_day_of_month(last_month)),
        runs,
        recent,
    })
}

#[tracing::instrument(skip_all, fields(member = member_id))]
pub async fn for_member(state: &AppState, member_id: i64) -> Result<Vec<StatementRow>, ServerError> {
    Ok(store::for_member(state.db.pool(), member_id).await?.into_iter().map(row).collect())
}

/// Who may download a statement: the member it is for, or staff covering
/// its agency. Anyone else is told it does not exist.
pub enum Reader {
    Member(i64),
    Staff(Staff),
}

/// A stored statement's file: `pdf` or `csv`; its file name and bytes.
#[tracing::instrument(skip_all, fields(statement = %id))]
pub async fn file(state: &AppState, reader: &Reader, id: &str, kind: &str) -> Result<(String, Vec<u8>), ServerError> {
    let not_found = || AppError::NotFound("Relevé".into());
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let record = store::find(state.db.pool(), id).await?.ok_or_else(not_found)?;
    let allowed = match reader {
        Reader::Member(member_id) => record.member_id == *member_id,
        Reader::Staff(staff) => staff.covers(record.agency_id),
    };
    if !allowed {
        return Err(not_found().into());
    }
    let stem = file_stem(&record.member_number, &record.period_from, &record.period_to);
    match kind {
        "pdf" => {
            let bytes = store::pdf(state.db.pool(), id).await?.ok_or_else(not_found)?;
            Ok((format!("{stem}.pdf"), bytes))
        }
        _ => {
            let text = store::csv(state.db.pool(), id).await?.ok_or_else(not_found)?;
            Ok((format!("{stem}.csv"), text.into_bytes()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_checked() {
        assert!(period("2026-11-01", "2026-11-30").is_ok());
        let message = |r: Result<(NaiveDate, NaiveDate), ServerError>| r.unwrap_err().to_string();
        assert!(message(period("2026-11-30", "2026-11-01")).contains("précède"));
        assert!(message(period("2025-01-01", "2026-11-30")).contains("au plus un an"));
        assert!(message(period("", "2026-11-30")).contains("Début de la période"));
    }
}
