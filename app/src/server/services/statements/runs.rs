//! A run: every member of an agency with a voucher used in a month gets a
//! statement, made in batches in the background, with progress.

use super::document::{Statement, csv_of, pdf_of};
use super::email::{NO_ADDRESS, send_owed};
use crate::domain::{Money, Month, Period, Timestamp};
use crate::server::audit::{self, Actor, Change, Entity};
use crate::server::error::ServerError;
use crate::server::jobs::{self, Lease};
use crate::server::services::agencies;
use crate::server::store::members::{self, MemberFile};
use crate::server::store::statements::{self as store, NewStatement, OwedEmail, StatementLine};
use crate::server::{AppState, auth::Staff};
use crate::{error::AppError, model::money::RunRow};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The instants a period's uses fall between: its first day's midnight in
/// Paris, and the midnight after its last day.
pub(super) fn bounds(period: Period) -> (Timestamp, Timestamp) {
    (period.from.paris_midnight(), period.to.next().paris_midnight())
}

/// One member's statement, written: what is stored and emailed.
pub(super) struct Made {
    pub(super) member_id: i64,
    pub(super) agency_id: i64,
    pub(super) number: String,
    pub(super) email: Option<String>,
    pub(super) statement: Statement,
    pub(super) pdf: Vec<u8>,
    pub(super) csv: String,
}

impl Made {
    /// The email this statement is owed once stored as `id` (None without
    /// an address).
    pub(super) fn owed(self, id: i64) -> Option<OwedEmail> {
        let s = self.statement;
        Some(OwedEmail {
            id,
            emailed_to: self.email?,
            agency_name: s.agency_name,
            member_number: s.member_number,
            member_name: s.member_name,
            period_from: s.period.from,
            period_to: s.period.to,
            voucher_count: s.lines.len() as i64,
            total: s.total,
            invoiced: s.invoiced,
            pdf: self.pdf,
            csv: self.csv,
        })
    }
}

/// Writes a statement: PDF and CSV.
pub(super) fn make(
    member: &MemberFile,
    lines: Vec<StatementLine>,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Made, ServerError> {
    let total = Money::from_cents(lines.iter().map(|l| l.amount.cents()).sum());
    let invoiced = Money::from_cents(lines.iter().filter_map(|l| l.invoiced.map(Money::cents)).sum());
    let statement = Statement {
        agency_name: member.agency_name.clone(),
        member_number: member.number.clone(),
        member_name: member.name.clone(),
        period,
        issued_on: Timestamp::new(now).paris_day(),
        lines,
        total,
        invoiced,
    };
    let pdf = pdf_of(&statement);
    let csv = csv_of(&statement);
    let email = member.email.clone().filter(|e| !e.trim().is_empty());
    Ok(Made {
        member_id: member.id,
        agency_id: member.agency_id,
        number: member.number.clone(),
        email,
        statement,
        pdf,
        csv,
    })
}

/// `work` done on the blocking pool in two halves side by side (PDFs and
/// MIME encoding are CPU work), answers in order. The pool's threads are
/// reused from batch to batch: a fresh thread per batch left the
/// allocator's per-thread memory behind (peak memory grew with the run).
pub(super) async fn in_two_halves<T, U>(work: Vec<T>, each: fn(T) -> U) -> Result<Vec<U>, ServerError>
where
    T: Send + 'static,
    U: Send + 'static,
{
    let mut first = work;
    let second = first.split_off(first.len() / 2);
    let half = move |part: Vec<T>| part.into_iter().map(each).collect::<Vec<U>>();
    let (first, second) = tokio::join!(
        tokio::task::spawn_blocking(move || half(first)),
        tokio::task::spawn_blocking(move || half(second))
    );
    let mut done = first.map_err(|_| AppError::Internal)?;
    done.append(&mut second.map_err(|_| AppError::Internal)?);
    Ok(done)
}

/// Writes the statements of a batch (see `in_two_halves`).
pub(super) async fn make_all(
    work: Vec<(MemberFile, Vec<StatementLine>)>,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Vec<Made>, ServerError> {
    let work: Vec<_> = work.into_iter().map(|(member, lines)| (member, lines, period, now)).collect();
    in_two_halves(work, |(member, lines, period, now)| make(&member, lines, period, now)).await?.into_iter().collect()
}

/// Stores statements in one transaction, each with its journal event, and,
/// for a run's batch, the run's progress with them; returns their ids, in
/// order. A run's batch is stored only while its server holds the run's
/// lease (checked in the same transaction): a server that lost the run to
/// another stores nothing, so no batch is stored twice.
pub(super) async fn store_made(
    state: &AppState,
    actor: &Actor,
    made: &[Made],
    run: Option<(i64, Progress, &Lease)>,
    send: bool,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, ServerError> {
    let run_id = run.map(|(id, _, _)| id);
    let mut tx = state.db.begin_write().await?;
    if let Some((_, _, lease)) = run
        && !lease.fence(tx.conn()).await?
    {
        return Err(AppError::Conflict("Cet envoi de relevés est repris par un autre serveur.".into()).into());
    }
    let new: Vec<NewStatement> = made
        .iter()
        .map(|m| NewStatement {
            member_id: m.member_id,
            agency_id: m.agency_id,
            period: m.statement.period,
            created_at: Timestamp::new(now),
            created_by: &actor.name,
            run_id,
            voucher_count: m.statement.lines.len() as i64,
            total: m.statement.total,
            invoiced: m.statement.invoiced,
            pdf: &m.pdf,
            csv: &m.csv,
            emailed_to: if send { m.email.as_deref() } else { None },
            email_error: (send && m.email.is_none()).then_some(NO_ADDRESS),
        })
        .collect();
    let ids = store::insert_all(tx.conn(), &new).await?;
    let changes = made
        .iter()
        .zip(&ids)
        .map(|(m, id)| Change {
            entity: Entity::Statement,
            entity_id: *id,
            action: "issue",
            before: json!({}),
            after: json!({
                "member_id": m.member_id,
                "number": m.number,
                "period": m.statement.period.to_string(),
                "vouchers": m.statement.lines.len(),
                "total_cents": m.statement.total.cents(),
            }),
        })
        .collect();
    audit::append_all(&mut tx, actor, changes, now).await?;
    if let Some((id, p, _)) = run {
        store::run_progress(tx.conn(), id, p.done, p.emailed, p.no_email, p.failed).await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// Starts the run for an agency's month and returns at once; the work goes
/// on in the background, one member at a time, each statement committed and
/// counted as it is done.
#[tracing::instrument(skip_all, fields(staff = %staff.login, month = %month))]
pub async fn start_run(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    month: &str,
    now: DateTime<Utc>,
) -> Result<RunRow, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let agency_id = staff.agency_for_new(chosen)?;
    let month = Month::parse(month).map_err(|why| AppError::field("month", why))?;
    if month.first() > Timestamp::new(now).paris_day() {
        return Err(AppError::field("month", "Ce mois n'a pas commencé : aucun bon n'y est utilisé.").into());
    }
    let pool = state.db.pool();
    if let Some(run) = store::running(pool, agency_id, month).await? {
        return Err(AppError::Conflict(format!(
            "Les relevés de {} sont en cours ({} sur {}) : attendez la fin de cet envoi.",
            run.row.month, run.row.done, run.row.total
        ))
        .into());
    }
    let period = month.period();
    let (start, end) = bounds(period);
    let with_uses = store::members_with_uses(pool, agency_id, start, end).await?;
    // A statement kept whose email failed, or found no address, is owed its
    // email again once the member has an address: sent, never made twice.
    let reopened = store::reopen_failed_emails(pool, agency_id, period).await?;
    if reopened > 0 {
        tracing::info!(agency = agency_id, reopened, "statements whose email failed are owed it again");
    }
    let emailed = store::already_emailed(pool, agency_id, period).await?;
    let kept = store::members_with_kept(pool, agency_id, period).await?;
    // A run stopped before its last email left statements kept but not
    // emailed: they are emailed now, not made again.
    let owed = store::members_owed_email(pool, agency_id, period).await?;
    let members: Vec<i64> =
        with_uses.into_iter().filter(|id| !emailed.contains(id) && (!kept.contains(id) || owed.contains(id))).collect();
    if members.is_empty() {
        let waiting = kept.iter().any(|id| !emailed.contains(id));
        let why = if waiting {
            "les relevés déjà faits attendent l'adresse e-mail de leur adhérent (ils sont lisibles dans « Mes relevés »)"
        } else if emailed.is_empty() {
            "aucun adhérent n'a utilisé de bon ce mois-là"
        } else {
            "chaque adhérent concerné a déjà reçu son relevé"
        };
        return Err(AppError::Conflict(format!("Aucun relevé à envoyer pour {month} : {why}.")).into());
    }
    let (made_before, to_make): (Vec<i64>, Vec<i64>) = members.iter().partition(|&&id| owed.contains(&id));
    let actor = Actor::staff(staff);
    // The run and its job are recorded together: a run is never left
    // without a server to finish it.
    let mut tx = state.db.begin_write().await?;
    let id =
        store::insert_run(tx.conn(), agency_id, month, Timestamp::new(now), &actor.name, members.len() as i64).await?;
    let job = jobs::statement_run(id);
    Lease::create(state, tx.conn(), &job).await?;
    tx.commit().await?;
    tracing::info!(run = id, agency = agency_id, members = members.len(), "statement run started");
    crate::server::meters::statement_run("started");
    let lease = Arc::new(Lease::held(state, &job));
    let run = Run { state: state.clone(), actor, id, agency_id, period, lease };
    state.jobs.spawn(async move {
        if !made_before.is_empty() {
            run.progress(Progress { done: made_before.len() as i64, ..Progress::default() }).await;
        }
        run.work(to_make).await;
    });
    let record = store::find_run(pool, id).await?.ok_or(AppError::Internal)?;
    Ok(record.row)
}

/// Takes up a run another server left unfinished (it stopped, or died and
/// its lease ran out): the members of the month who have no statement yet
/// get theirs, those whose statement was kept but not emailed get their
/// email, and nobody gets a second one.
pub async fn resume_run(state: AppState, id: i64, lease: Lease) {
    let lease = Arc::new(lease);
    let pool = state.db.pool();
    let record = match store::find_run(pool, id).await {
        Ok(Some(record)) if !record.row.finished => record,
        Ok(_) => {
            // Finished (its job's end not recorded), or gone.
            lease.finish(None).await;
            return;
        }
        Err(e) => {
            tracing::error!(run = id, error = %e, "statement run not read: left for later");
            lease.hand_back().await;
            return;
        }
    };
    let month = record.row.month;
    let (agency_id, period) = (record.agency_id, month.period());
    let to_make = match left_to_make(&state, agency_id, period).await {
        Ok(members) => members,
        Err(e) => {
            tracing::error!(run = id, error = %e, "statement run's members not read: left for later");
            lease.hand_back().await;
            return;
        }
    };
    // Members who have used a voucher since the run started are counted in.
    let left = record.row.total - record.row.done;
    if to_make.len() as i64 > left
        && let Err(e) = store::run_total(pool, id, record.row.done + to_make.len() as i64).await
    {
        tracing::error!(run = id, error = %e, "statement run total not recorded");
    }
    tracing::info!(run = id, agency = agency_id, left = to_make.len(), "statement run taken up");
    let actor = Actor::system(&format!("envoi des relevés repris ({})", record.row.started_by));
    let run = Run { state: state.clone(), actor, id, agency_id, period, lease };
    run.work(to_make).await;
}

/// The members with a voucher used in the period who have no statement of
/// it yet.
async fn left_to_make(state: &AppState, agency_id: i64, period: Period) -> Result<Vec<i64>, ServerError> {
    let (start, end) = bounds(period);
    let pool = state.db.pool();
    let with_uses = store::members_with_uses(pool, agency_id, start, end).await?;
    let kept = store::members_with_kept(pool, agency_id, period).await?;
    Ok(with_uses.into_iter().filter(|id| !kept.contains(id)).collect())
}

/// Members per batch of a run: one query for their vouchers, one
/// transaction for their statements, then their emails together.
pub(super) const RUN_BATCH: usize = 200;

/// Batches stored and waiting for the postman: past that, the next batches'
/// emails are left owed, to be read back from what was kept at the end.
pub(super) const POSTBAG_BATCHES: usize = 1;

/// A run under way: every member's statement made and kept, batch by batch
/// (the members see it in « Mes relevés » at once); each batch, once kept,
/// is emailed by the postman while the next batches are made. A slow mail
/// server delays the emails, never the statements: when the postman falls
/// behind, the batches he cannot take are emailed at the end, read back
/// from what was kept.
#[derive(Clone)]
pub(super) struct Run {
    pub(super) state: AppState,
    pub(super) actor: Actor,
    pub(super) id: i64,
    pub(super) agency_id: i64,
    /// Every day of the run's month.
    pub(super) period: Period,
    /// The run's job, held by this server while it works.
    pub(super) lease: Arc<Lease>,
}

/// A batch of a run, written, on its way to be kept.
pub(super) struct MadeBatch {
    pub(super) members: usize,
    /// Members gone since the run started.
    pub(super) missing: i64,
    pub(super) made: Vec<Made>,
    pub(super) now: DateTime<Utc>,
}

/// A batch of a run, read: each member with their vouchers of the month.
pub(super) struct BatchRead {
    pub(super) work: Vec<(MemberFile, Vec<StatementLine>)>,
    /// Members gone since the run started.
    pub(super) missing: i64,
}

/// What a step of a run adds to its counts.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Progress {
    pub(super) done: i64,
    pub(super) emailed: i64,
    pub(super) no_email: i64,
    pub(super) failed: i64,
}

impl Run {
    /// Makes, keeps and emails the statements of `to_make`, batch by batch,
    /// while this server holds the run: a pipeline where, while a batch is
    /// written, the next one's vouchers are read and the one before is kept
    /// (one transaction) by the keeper, who then hands it to the postman to
    /// be emailed. A server that stops hands the run back between batches;
    /// one that lost it stops there too.
    pub(super) async fn work(self, to_make: Vec<i64>) {
        let run = self;
        let (postbag, postman) = run.postman();
        let (keeperbag, keeper) = run.keeper(postbag);
        let batches: Vec<Vec<i64>> = to_make.chunks(RUN_BATCH).map(<[i64]>::to_vec).collect();
        let mut reading = batches.first().map(|batch| run.read(batch.clone()));
        for (i, batch) in batches.iter().enumerate() {
            if !run.lease.go_on() {
                break;
            }
            let read = match reading.take() {
                Some(handle) => handle.await.unwrap_or(Err(AppError::Internal.into())),
                None => Err(AppError::Internal.into()),
            };
            reading = batches.get(i + 1).map(|next| run.read(next.clone()));
            let made = match read {
                Ok(read) => run.make_batch(batch.len(), read).await,
                Err(e) => Err(e),
            };
            let failed = match made {
                Ok(made) => keeperbag.send(made).await.is_err().then_some(AppError::Internal.into()),
                Err(e) => Some(e),
            };
            if let Some(e) = failed {
                run.batch_failed(batch.len(), &e).await;
            }
        }
        drop(keeperbag);
        if keeper.await.is_err() {
            tracing::error!(run = run.id, "the keeper of a statement run stopped");
        }
        // What the postman could not take (a slow mail server) is still owed
        // its email, and read back from what was kept; unless recording the
        // postman's emails failed: reading those again would send them twice.
        let emails_recorded = postman.await.unwrap_or(false);
        if !run.lease.go_on() {
            tracing::info!(run = run.id, "statement run left for another server");
            run.lease.hand_back().await;
            return;
        }
        if emails_recorded {
            run.email_owed().await;
        }
        if !run.lease.go_on() {
            run.lease.hand_back().await;
            return;
        }
        if let Err(e) = store::finish_run(run.state.db.pool(), run.id, Timestamp::new(Utc::now())).await {
            tracing::error!(run = run.id, error = %e, "statement run end not recorded");
        }
        run.lease.finish(None).await;
        tracing::info!(run = run.id, "statement run finished");
        crate::server::meters::statement_run("finished");
    }

    pub(super) async fn progress(&self, p: Progress) {
        let pool = self.state.db.pool();
        if let Err(e) = store::run_progress(pool, self.id, p.done, p.emailed, p.no_email, p.failed).await {
            tracing::error!(run = self.id, error = %e, "statement run progress not recorded");
        }
    }

    /// A batch's members and their vouchers, read in one query, in a task
    /// of its own.
    pub(super) fn read(&self, member_ids: Vec<i64>) -> tokio::task::JoinHandle<Result<BatchRead, ServerError>> {
        let (state, run_id) = (self.state.clone(), self.id);
        let (start, end) = bounds(self.period);
        tokio::spawn(async move {
            let clock = std::time::Instant::now();
            let mut conn = state.db.pool().acquire().await?;
            let files = members::find_by_ids(&mut conn, &member_ids).await?;
            let lines = store::lines(&mut conn, &member_ids, start, end).await?;
            drop(conn);
            let mut by_member: std::collections::HashMap<i64, Vec<StatementLine>> = std::collections::HashMap::new();
            for line in lines {
                by_member.entry(line.member_id).or_default().push(line);
            }
            // Members gone since the run started: no statement, counted as failed.
            let missing = (member_ids.len() - files.len()) as i64;
            let work = files
                .into_iter()
                .map(|member| {
                    let lines = by_member.remove(&member.id).unwrap_or_default();
                    (member, lines)
                })
                .collect();
            tracing::debug!(run = run_id, members = member_ids.len(), read = ?clock.elapsed(), "statement run batch read");
            Ok(BatchRead { work, missing })
        })
    }

    /// The task that emails the batches handed to it, and the bag to hand
    /// them over; the task answers whether every email it sent was recorded
    /// (sent or failed).
    pub(super) fn postman(&self) -> (mpsc::Sender<Vec<OwedEmail>>, tokio::task::JoinHandle<bool>) {
        let (bag, mut batches) = mpsc::channel::<Vec<OwedEmail>>(POSTBAG_BATCHES);
        let run = self.clone();
        let postman = tokio::spawn(async move {
            while let Some(owed) = batches.recv().await {
                if !run.lease.go_on() || !run.email(owed).await {
                    return false;
                }
            }
            true
        });
        (bag, postman)
    }

    /// Emails statements kept; whether what went was recorded.
    pub(super) async fn email(&self, owed: Vec<OwedEmail>) -> bool {
        let (clock, count) = (std::time::Instant::now(), owed.len());
        match send_owed(&self.state, owed).await {
            Ok(emails) => {
                self.progress(Progress { emailed: emails.sent, failed: emails.failed, ..Progress::default() }).await;
                tracing::debug!(run = self.id, emails = count, emailed = ?clock.elapsed(), "statement run batch emailed");
                true
            }
            Err(e) => {
                // Not recorded as sent or failed: reading them again would
                // send them twice; a run started again picks them up.
                tracing::error!(run = self.id, error = %e, "emails of a batch not recorded");
                false
            }
        }
    }

    /// A batch's statements not made or not kept: counted as failed.
    pub(super) async fn batch_failed(&self, members: usize, e: &ServerError) {
        tracing::error!(run = self.id, error = %e, "statements of a batch not made");
        let count = members as i64;
        self.progress(Progress { done: count, failed: count, ..Progress::default() }).await;
    }

    /// One batch's statements written, on two threads.
    pub(super) async fn make_batch(&self, members: usize, read: BatchRead) -> Result<MadeBatch, ServerError> {
        let now = Utc::now();
        let clock = std::time::Instant::now();
        let made = make_all(read.work, self.period, now).await?;
        tracing::debug!(run = self.id, members, made = ?clock.elapsed(), "statement run batch made");
        Ok(MadeBatch { members, missing: read.missing, made, now })
    }

    /// The task that keeps the batches handed to it, each in one
    /// transaction with the run's progress, then hands them to the postman
    /// (left owed when his bag is full); and the bag to hand them over.
    pub(super) fn keeper(
        &self,
        postbag: mpsc::Sender<Vec<OwedEmail>>,
    ) -> (mpsc::Sender<MadeBatch>, tokio::task::JoinHandle<()>) {
        let (bag, mut batches) = mpsc::channel::<MadeBatch>(1);
        let run = self.clone();
        let keeper = tokio::spawn(async move {
            while let Some(batch) = batches.recv().await {
                let members = batch.members;
                if let Err(e) = run.keep(batch, &postbag).await
                    && run.lease.go_on()
                {
                    run.batch_failed(members, &e).await;
                }
            }
        });
        (bag, keeper)
    }

    pub(super) async fn keep(
        &self,
        batch: MadeBatch,
        postbag: &mpsc::Sender<Vec<OwedEmail>>,
    ) -> Result<(), ServerError> {
        let clock = std::time::Instant::now();
        let MadeBatch { members, missing, made, now } = batch;
        let no_email = made.iter().filter(|m| m.email.is_none()).count() as i64;
        let progress = Progress { done: members as i64, no_email, failed: missing, emailed: 0 };
        let ids =
            store_made(&self.state, &self.actor, &made, Some((self.id, progress, &self.lease)), true, now).await?;
        let owed: Vec<OwedEmail> = made.into_iter().zip(ids).filter_map(|(m, id)| m.owed(id)).collect();
        if !owed.is_empty() && postbag.try_send(owed).is_err() {
            tracing::debug!(run = self.id, "postman behind: this batch's emails are left for the end of the run");
        }
        tracing::debug!(run = self.id, members, stored = ?clock.elapsed(), "statement run batch stored");
        Ok(())
    }

    /// The month's statements still owed their email, a batch at a time,
    /// until none is left: those kept before a stop, and those the postman
    /// could not take. Each batch's emails are recorded as sent or failed,
    /// so none is read twice.
    pub(super) async fn email_owed(&self) {
        while self.lease.go_on() {
            let pool = self.state.db.pool();
            let owed = match store::owed_emails(pool, self.agency_id, self.period, RUN_BATCH as i64).await {
                Ok(owed) if owed.is_empty() => return,
                Ok(owed) => owed,
                Err(e) => {
                    tracing::error!(run = self.id, error = %e, "statements owed an email not read");
                    return;
                }
            };
            if !self.email(owed).await {
                return;
            }
        }
    }
}

#[tracing::instrument(skip_all, fields(staff = %staff.login, run = %id))]
pub async fn run(state: &AppState, staff: &Staff, id: &str) -> Result<RunRow, ServerError> {
    let not_found = || AppError::NotFound("Envoi de relevés".into());
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    Ok(store::find_run(state.db.pool(), id)
        .await?
        .filter(|r| staff.covers(r.agency_id))
        .map(|r| r.row)
        .ok_or_else(not_found)?)
}
