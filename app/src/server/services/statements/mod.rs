//! Members' statements (relevés): for a member and a period, the vouchers
//! used, each with the supplier invoice that claimed it, the amounts and the
//! totals; written once as PDF and CSV, kept as sent, emailed to the member
//! and listed in the member's space. A run makes them for every member of an
//! agency with a voucher used in a month, in the background, with progress.

mod document;
mod email;
mod runs;

pub use document::{Statement, csv_of, pdf_of};
pub use runs::{resume_run, run, start_run};

use document::file_stem;
use email::{Emails, send_owed};
use runs::{bounds, make, store_made};

use super::agencies;
use crate::domain::{Day, Month, Period, Timestamp};
use crate::error::AppError;
use crate::model::money::{StatementRow, StatementsPage};
use crate::server::error::ServerError;
use crate::server::store::members::{self, MemberFile};
use crate::server::store::statements as store;
use crate::server::{AppState, audit::Actor, auth::Staff};
use chrono::{DateTime, Utc};

/// Makes, keeps and (when `send`) emails one member's statement for [from,
/// to]; returns the stored statement's id and how the email went.
#[tracing::instrument(skip_all, fields(member = member.id))]
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    member: &MemberFile,
    from: impl Into<Day>,
    to: impl Into<Day>,
    send: bool,
    now: DateTime<Utc>,
) -> Result<(i64, Emails), ServerError> {
    let period = Period { from: from.into(), to: to.into() };
    let (start, end) = bounds(period);
    let mut conn = state.db.pool().acquire().await?;
    let lines = store::lines(&mut conn, &[member.id], start, end).await?;
    drop(conn);
    let made = make(member, lines, period, now)?;
    let ids = store_made(state, actor, std::slice::from_ref(&made), None, send, now).await?;
    let id = ids[0];
    let emails = match made.owed(id) {
        Some(owed) if send => send_owed(state, vec![owed]).await?,
        None if send => Emails { no_address: 1, ..Emails::default() },
        _ => Emails::default(),
    };
    Ok((id, emails))
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
        return Err(AppError::field("member", "Indiquez le n° d'adhérent.").into());
    }
    let member = members::find_by_number(state.db.pool(), &number)
        .await?
        .filter(|m| staff.covers(m.agency_id))
        .ok_or_else(|| AppError::NotFound("Adhérent".into()))?;
    let period = Period::parse(from, to).map_err(|(field, why)| AppError::field(field, why))?;
    if period.from > Timestamp::new(now).paris_day() {
        return Err(AppError::field("from", "La période commence dans le futur : aucun bon n'y est utilisé.").into());
    }
    let (id, _) = issue(state, &Actor::staff(staff), &member, period.from, period.to, send, now).await?;
    let record = store::find(state.db.pool(), id).await?.ok_or(AppError::Internal)?;
    Ok(record.row)
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
    let runs = store::runs(pool, scope, 12).await?.into_iter().map(|r| r.row).collect();
    let recent = store::recent(pool, scope, 50).await?.into_iter().map(|r| r.row).collect();
    Ok(StatementsPage {
        desk: agencies::desk(state, staff, chosen).await?,
        default_month: Month::of(Timestamp::new(now).paris_day()).previous(),
        runs,
        recent,
    })
}

#[tracing::instrument(skip_all, fields(member = member_id))]
pub async fn for_member(state: &AppState, member_id: i64) -> Result<Vec<StatementRow>, ServerError> {
    Ok(store::for_member(state.db.pool(), member_id).await?.into_iter().map(|r| r.row).collect())
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
    let stem = file_stem(&record.row.member_number, record.row.period());
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
