//! Members' statements (relevés): for a member and a period, the vouchers
//! used, each with the supplier invoice that claimed it, the amounts and the
//! totals; written once as PDF and CSV, kept as sent, emailed to the member
//! and listed in the member's space. A run makes them for every member of an
//! agency with a voucher used in a month, in the background, with progress.

use super::agencies;
use crate::{
    domain::{
        Money,
        day::{self, parse_day, parse_month},
    },
    error::AppError,
    model::money::{RunRow, StatementRow, StatementsPage},
    server::{
        AppState,
        audit::{self, Actor, Change, Entity},
        auth::Staff,
        clock,
        db::internal,
        pdf::{self, BOTTOM, MARGIN, Page, TOP},
        spreadsheet::Csv,
        store::{
            members::{self, MemberFile},
            statements::{self as store, NewStatement, OwedEmail, StatementLine},
        },
    },
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use lettre::{
    Message,
    message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType},
};
use serde_json::json;
use tokio::sync::mpsc;

/// The longest period one statement covers.
const MAX_PERIOD_DAYS: i64 = 366;

/// A statement's content, before it is written as PDF and CSV.
#[derive(Debug, Clone)]
pub struct Statement {
    pub agency_name: String,
    pub member_number: String,
    pub member_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub issued_on: NaiveDate,
    pub lines: Vec<StatementLine>,
    /// What the vouchers were worth.
    pub total: Money,
    /// What the suppliers invoiced for them (accepted invoices).
    pub invoiced: Money,
}

impl Statement {
    pub fn period(&self) -> String {
        format!("du {} au {}", day::french(self.from), day::french(self.to))
    }
}

fn used_on(line: &StatementLine) -> String {
    line.used_at.as_deref().map(clock::display_datetime).map(|t| t[..10].to_owned()).unwrap_or_default()
}

fn invoice_text(line: &StatementLine) -> String {
    match (&line.invoice_number, &line.invoice_date) {
        (Some(n), Some(d)) => format!("n° {n} du {}", clock::display_day(d)),
        (Some(n), None) => format!("n° {n}"),
        _ => "pas encore facturé".to_owned(),
    }
}

/// The statement as a PDF: a header naming the cooperative, the agency, the
/// member and the period; one row per voucher; the totals.
#[allow(clippy::float_arithmetic)] // positions on the page, in points; amounts are text
pub fn pdf_of(s: &Statement) -> Vec<u8> {
    const ROW: f32 = 14.0;
    let cols = [MARGIN, 98.0, 210.0, 330.0, 382.0, 555.0];
    let header = |page: &mut Page, y: f32| {
        page.bold(cols[0], y, 8.0, "Utilisé le");
        page.bold(cols[1], y, 8.0, "N° du bon");
        page.bold(cols[2], y, 8.0, "Fournisseur");
        page.right(cols[3] + 40.0, y, 8.0, true, "Valeur");
        page.bold(cols[4], y, 8.0, "Facture fournisseur");
        page.right(cols[5], y, 8.0, true, "Facturé");
        page.rule(y - 4.0);
    };

    let mut pages = Vec::new();
    let mut page = Page::default();
    let mut y = TOP;
    page.bold(MARGIN, y, 16.0, "Relevé de bons Castors Web");
    y -= 22.0;
    page.text(MARGIN, y, 10.0, format!("Castors de l'Ouest — {}", s.agency_name));
    y -= 16.0;
    page.text(MARGIN, y, 10.0, format!("Adhérent : {} — {}", s.member_number, s.member_name));
    y -= 14.0;
    page.text(MARGIN, y, 10.0, format!("Période : {}", s.period()));
    y -= 14.0;
    page.text(MARGIN, y, 10.0, format!("Établi le {}", day::french(s.issued_on)));
    y -= 26.0;
    header(&mut page, y);
    y -= ROW + 2.0;
    if s.lines.is_empty() {
        page.text(MARGIN, y, 9.0, "Aucun bon utilisé sur la période.");
        y -= ROW;
    }
    for line in &s.lines {
        if y < BOTTOM + 3.0 * ROW {
            pages.push(std::mem::take(&mut page));
            y = TOP;
            header(&mut page, y);
            y -= ROW + 2.0;
        }
        page.text(cols[0], y, 8.0, used_on(line));
        page.text(cols[1], y, 8.0, line.number.clone().unwrap_or_default());
        page.text(cols[2], y, 8.0, pdf::clip(&line.supplier_name, 24));
        page.right(cols[3] + 40.0, y, 8.0, false, Money::from_cents(line.amount_cents).to_string());
        page.text(cols[4], y, 8.0, pdf::clip(&invoice_text(line), 30));
        let invoiced = line.invoiced_cents.map(|c| Money::from_cents(c).to_string()).unwrap_or_else(|| "—".into());
        page.right(cols[5], y, 8.0, false, invoiced);
        y -= ROW;
    }
    page.rule(y + ROW - 4.0);
    y -= 6.0;
    page.bold(MARGIN, y, 10.0, format!("Total des bons utilisés ({}) :", s.lines.len()));
    page.right(cols[5], y, 10.0, true, s.total.to_string());
    y -= 16.0;
    page.bold(MARGIN, y, 10.0, "Total facturé par les fournisseurs :");
    page.right(cols[5], y, 10.0, true, s.invoiced.to_string());
    y -= 24.0;
    page.text(
        MARGIN,
        y,
        8.0,
        "Les bons « pas encore facturés » figureront avec leur facture sur un prochain relevé s'ils sont facturés.",
    );
    pages.push(page);
    pdf::render(&format!("Relevé {} — {}", s.member_number, s.period()), &pages)
}

/// The statement as CSV (`;`, UTF-8 with a byte-order mark, as spreadsheets
/// in France open it), with the totals on the last two lines.
pub fn csv_of(s: &Statement) -> String {
    let mut csv = Csv::with_capacity(256 + s.lines.len() * 120);
    csv.row([
        "Utilisé le",
        "N° du bon",
        "Fournisseur",
        "Valeur du bon (€)",
        "Statut",
        "Facture fournisseur",
        "Date de facture",
        "Montant facturé (€)",
    ]);
    for l in &s.lines {
        csv.row([
            used_on(l),
            l.number.clone().unwrap_or_default(),
            l.supplier_name.clone(),
            Money::from_cents(l.amount_cents).decimal_fr(),
            l.status.label().to_owned(),
            l.invoice_number.clone().unwrap_or_default(),
            l.invoice_date.as_deref().map(clock::display_day).unwrap_or_default(),
            l.invoiced_cents.map(|c| Money::from_cents(c).decimal_fr()).unwrap_or_default(),
        ]);
    }
    let count = s.lines.len().to_string();
    csv.row(["Total des bons utilisés", &count, "", &s.total.decimal_fr(), "", "", "", ""]);
    csv.row(["Total facturé", "", "", "", "", "", "", &s.invoiced.decimal_fr()]);
    csv.into_string()
}

/// The stored bounds of [from, to] (Paris days): from's midnight to the
/// midnight after `to`.
fn bounds(from: NaiveDate, to: NaiveDate) -> (String, String) {
    (clock::paris_midnight(from), clock::paris_midnight(to.succ_opt().unwrap_or(to)))
}

/// One member's statement, written: what is stored and emailed.
struct Made {
    member_id: i64,
    agency_id: i64,
    number: String,
    email: Option<String>,
    statement: Statement,
    pdf: Vec<u8>,
    csv: String,
}

impl Made {
    /// The email this statement is owed once stored as `id` (None without
    /// an address).
    fn owed(self, id: i64) -> Option<OwedEmail> {
        let s = self.statement;
        Some(OwedEmail {
            id,
            emailed_to: self.email?,
            agency_name: s.agency_name,
            member_number: s.member_number,
            member_name: s.member_name,
            period_from: clock::iso_day(s.from),
            period_to: clock::iso_day(s.to),
            voucher_count: s.lines.len() as i64,
            total_cents: s.total.cents(),
            invoiced_cents: s.invoiced.cents(),
            pdf: self.pdf,
            csv: self.csv,
        })
    }
}

/// Writes a statement: PDF and CSV.
fn make(
    member: &MemberFile,
    lines: Vec<StatementLine>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Made, AppError> {
    let total = Money::from_cents(lines.iter().map(|l| l.amount_cents).sum());
    let invoiced = Money::from_cents(lines.iter().filter_map(|l| l.invoiced_cents).sum());
    let statement = Statement {
        agency_name: member.agency_name.clone(),
        member_number: member.number.clone(),
        member_name: member.name.clone(),
        from,
        to,
        issued_on: clock::paris_date(now),
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
async fn in_two_halves<T, U>(work: Vec<T>, each: fn(T) -> U) -> Result<Vec<U>, AppError>
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
async fn make_all(
    work: Vec<(MemberFile, Vec<StatementLine>)>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Made>, AppError> {
    let work: Vec<_> = work.into_iter().map(|(member, lines)| (member, lines, from, to, now)).collect();
    in_two_halves(work, |(member, lines, from, to, now)| make(&member, lines, from, to, now))
        .await?
        .into_iter()
        .collect()
}

/// Missing an address, as staff and the member read it.
const NO_ADDRESS: &str = "Pas d'adresse e-mail";

/// Stores statements in one transaction, each with its journal event, and,
/// for a run's batch, the run's progress with them; returns their ids, in
/// order.
async fn store_made(
    state: &AppState,
    actor: &Actor,
    made: &[Made],
    run: Option<(i64, Progress)>,
    send: bool,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    let run_id = run.map(|(id, _)| id);
    let stamp = clock::stamp(now);
    let mut tx = state.db.begin_write().await.map_err(internal("begin statements"))?;
    let periods: Vec<(String, String)> =
        made.iter().map(|m| (clock::iso_day(m.statement.from), clock::iso_day(m.statement.to))).collect();
    let new: Vec<NewStatement> = made
        .iter()
        .zip(&periods)
        .map(|(m, (from, to))| NewStatement {
            member_id: m.member_id,
            agency_id: m.agency_id,
            period_from: from,
            period_to: to,
            created_at: &stamp,
            created_by: &actor.name,
            run_id,
            voucher_count: m.statement.lines.len() as i64,
            total_cents: m.statement.total.cents(),
            invoiced_cents: m.statement.invoiced.cents(),
            pdf: &m.pdf,
            csv: &m.csv,
            emailed_to: if send { m.email.as_deref() } else { None },
            email_error: (send && m.email.is_none()).then_some(NO_ADDRESS),
        })
        .collect();
    let ids = store::insert_all(tx.conn(), &new).await.map_err(internal("insert statements"))?;
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
                "period": m.statement.period(),
                "vouchers": m.statement.lines.len(),
                "total_cents": m.statement.total.cents(),
            }),
        })
        .collect();
    audit::append_all(&mut tx, actor, changes, now).await.map_err(internal("journal statements"))?;
    if let Some((id, p)) = run {
        store::run_progress(tx.conn(), id, p.done, p.emailed, p.no_email, p.failed)
            .await
            .map_err(internal("statement run progress"))?;
    }
    tx.commit().await.map_err(internal("commit statements"))?;
    Ok(ids)
}

/// How the emails of some statements went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Emails {
    pub sent: i64,
    pub no_address: i64,
    pub failed: i64,
}

/// Emails stored statements to their members (only ever after the commit:
/// nothing is sent that is not kept), then records which left and which
/// could not.
async fn send_owed(state: &AppState, owed: Vec<OwedEmail>) -> Result<Emails, AppError> {
    let mut outcome = Emails::default();
    let mut failed: Vec<(i64, String)> = Vec::new();
    let (mut to_send, mut messages) = (Vec::new(), Vec::new());
    let sender = state.mailer.from().clone();
    let work: Vec<_> = owed.into_iter().map(|o| (o, sender.clone())).collect();
    for (id, message) in in_two_halves(work, |(o, sender)| (o.id, message(&sender, o))).await? {
        match message {
            Err(e) => failed.push((id, e)),
            Ok(message) => {
                to_send.push(id);
                messages.push(message);
            }
        }
    }
    let mut sent = Vec::with_capacity(to_send.len());
    for (id, answer) in to_send.into_iter().zip(state.mailer.send_all(messages).await) {
        match answer {
            Ok(()) => sent.push(id),
            Err(e) => failed.push((id, e)),
        }
    }
    for (id, e) in &failed {
        tracing::warn!(statement = id, error = %e, "statement email not sent");
        store::record_email_error(state.db.pool(), *id, e).await.map_err(internal("record email error"))?;
    }
    store::mark_emailed(state.db.pool(), &sent, &clock::stamp(Utc::now())).await.map_err(internal("mark emailed"))?;
    outcome.sent = sent.len() as i64;
    outcome.failed = failed.len() as i64;
    Ok(outcome)
}

/// Makes, keeps and (when `send`) emails one member's statement for [from,
/// to]; returns the stored statement's id and how the email went.
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    member: &MemberFile,
    from: NaiveDate,
    to: NaiveDate,
    send: bool,
    now: DateTime<Utc>,
) -> Result<(i64, Emails), AppError> {
    let (start, end) = bounds(from, to);
    let mut conn = state.db.pool().acquire().await.map_err(internal("statement connection"))?;
    let lines = store::lines(&mut conn, &[member.id], &start, &end).await.map_err(internal("statement lines"))?;
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

/// A statement's files are named after the member and the period:
/// `releve-44000123B-20261101-20261130`.
fn file_stem(member_number: &str, period_from: &str, period_to: &str) -> String {
    format!("releve-{member_number}-{}-{}", period_from.replace('-', ""), period_to.replace('-', ""))
}

/// The email: a short French text, the PDF and the CSV attached (moved in:
/// a run's batch holds hundreds).
fn message(from: &Mailbox, o: OwedEmail) -> Result<Message, String> {
    let to = &o.emailed_to;
    let to = to.parse().map_err(|e| format!("Adresse e-mail invalide ({to}) : {e}"))?;
    let period = format!("du {} au {}", clock::display_day(&o.period_from), clock::display_day(&o.period_to));
    let body = format!(
        "Bonjour {},\n\n\
         Veuillez trouver ci-joint votre relevé de bons Castors Web {}.\n\
         Bons utilisés : {} — valeur totale : {} — total facturé par les fournisseurs : {}.\n\n\
         Vous le retrouvez à tout moment dans votre espace adhérent, rubrique « Mes relevés ».\n\n\
         Castors de l'Ouest — {}\n",
        o.member_name,
        period,
        o.voucher_count,
        Money::from_cents(o.total_cents),
        Money::from_cents(o.invoiced_cents),
        o.agency_name
    );
    let stem = file_stem(&o.member_number, &o.period_from, &o.period_to);
    let pdf_type = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
    let csv_type = ContentType::parse("text/csv; charset=utf-8").map_err(|e| e.to_string())?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(format!("Votre relevé de bons Castors Web {period}"))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body))
                .singlepart(Attachment::new(format!("{stem}.pdf")).body(o.pdf, pdf_type))
                .singlepart(Attachment::new(format!("{stem}.csv")).body(o.csv, csv_type)),
        )
        .map_err(|e| e.to_string())
}

fn period(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), AppError> {
    let from = parse_day(from).map_err(|e| AppError::Invalid(format!("Début de la période : {e}")))?;
    let to = parse_day(to).map_err(|e| AppError::Invalid(format!("Fin de la période : {e}")))?;
    if to < from {
        return Err(AppError::Invalid("La fin de la période précède son début.".into()));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(AppError::Invalid("Un relevé couvre au plus un an.".into()));
    }
    Ok((from, to))
}

/// Staff make one member's statement, by member number.
pub async fn issue_for_member(
    state: &AppState,
    staff: &Staff,
    number: &str,
    from: &str,
    to: &str,
    send: bool,
    now: DateTime<Utc>,
) -> Result<StatementRow, AppError> {
    let number = number.trim().to_uppercase();
    if number.is_empty() {
        return Err(AppError::Invalid("Indiquez le n° d'adhérent.".into()));
    }
    let member = members::find_by_number(state.db.pool(), &number)
        .await
        .map_err(internal("find member"))?
        .filter(|m| staff.covers(m.agency_id))
        .ok_or_else(|| AppError::NotFound("Adhérent".into()))?;
    let (from, to) = period(from, to)?;
    if from > clock::paris_date(now) {
        return Err(AppError::Invalid("La période commence dans le futur : aucun bon n'y est utilisé.".into()));
    }
    let (id, _) = issue(state, &Actor::staff(staff), &member, from, to, send, now).await?;
    let record =
        store::find(state.db.pool(), id).await.map_err(internal("find statement"))?.ok_or(AppError::Internal)?;
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
pub async fn page(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    now: DateTime<Utc>,
) -> Result<StatementsPage, AppError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let scope = staff.scope(chosen);
    let pool = state.db.pool();
    let today = clock::paris_date(now);
    let this_month = today.with_day(1).unwrap_or(today);
    let last_month = this_month.pred_opt().unwrap_or(this_month).with_day(1).unwrap_or(this_month);
    let runs =
        store::runs(pool, scope, 12).await.map_err(internal("statement runs"))?.into_iter().map(run_row).collect();
    let recent =
        store::recent(pool, scope, 50).await.map_err(internal("recent statements"))?.into_iter().map(row).collect();
    Ok(StatementsPage {
        desk: agencies::desk(state, staff, chosen).await?,
        default_month: last_month.format("%Y-%m").to_string(),
        default_from: clock::iso_day(last_month),
        default_to: clock::iso_day(day::last_day_of_month(last_month)),
        runs,
        recent,
    })
}

/// Starts the run for an agency's month and returns at once; the work goes
/// on in the background, one member at a time, each statement committed and
/// counted as it is done.
pub async fn start_run(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    month: &str,
    now: DateTime<Utc>,
) -> Result<RunRow, AppError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let agency_id = staff.agency_for_new(chosen)?;
    let (first, last) = parse_month(month).map_err(AppError::Invalid)?;
    if first > clock::paris_date(now) {
        return Err(AppError::Invalid("Ce mois n'a pas commencé : aucun bon n'y est utilisé.".into()));
    }
    let pool = state.db.pool();
    let month_key = first.format("%Y-%m").to_string();
    if let Some(run) = store::running(pool, agency_id, &month_key).await.map_err(internal("running statement run"))? {
        return Err(AppError::Conflict(format!(
            "Les relevés de {} sont en cours ({} sur {}) : attendez la fin de cet envoi.",
            month_name(&run.month),
            run.done,
            run.total
        )));
    }
    let (start, end) = (clock::paris_midnight(first), clock::paris_midnight(last.succ_opt().unwrap_or(last)));
    let with_uses = store::members_with_uses(pool, agency_id, &start, &end).await.map_err(internal("members"))?;
    let (from_iso, to_iso) = (clock::iso_day(first), clock::iso_day(last));
    let emailed = store::already_emailed(pool, agency_id, &from_iso, &to_iso).await.map_err(internal("emailed"))?;
    let members: Vec<i64> = with_uses.into_iter().filter(|id| !emailed.contains(id)).collect();
    if members.is_empty() {
        let why = if emailed.is_empty() {
            "aucun adhérent n'a utilisé de bon ce mois-là"
        } else {
            "chaque adhérent concerné a déjà reçu son relevé"
        };
        return Err(AppError::Conflict(format!("Aucun relevé à envoyer pour {} : {why}.", month_name(month))));
    }
    // A run stopped before its last email left statements kept but not
    // emailed: they are emailed now, not made again.
    let owed = store::members_owed_email(pool, agency_id, &from_iso, &to_iso).await.map_err(internal("owed"))?;
    let (made_before, to_make): (Vec<i64>, Vec<i64>) = members.iter().partition(|&&id| owed.contains(&id));
    let actor = Actor::staff(staff);
    let id = store::insert_run(pool, agency_id, &month_key, &clock::stamp(now), &actor.name, members.len() as i64)
        .await
        .map_err(internal("insert statement run"))?;
    tracing::info!(run = id, agency = agency_id, members = members.len(), "statement run started");
    let run = Run { state: state.clone(), actor, id, agency_id, first, last };
    tokio::spawn(async move {
        if !made_before.is_empty() {
            run.progress(Progress { done: made_before.len() as i64, ..Progress::default() }).await;
        }
        // A pipeline: while a batch is written, the next one's vouchers are
        // read and the one before is kept (one transaction) by the keeper,
        // who then hands it to the postman to be emailed.
        let (postbag, postman) = run.postman();
        let (keeperbag, keeper) = run.keeper(postbag);
        let batches: Vec<Vec<i64>> = to_make.chunks(RUN_BATCH).map(<[i64]>::to_vec).collect();
        let mut reading = batches.first().map(|batch| run.read(batch.clone()));
        for (i, batch) in batches.iter().enumerate() {
            let read = match reading.take() {
                Some(handle) => handle.await.unwrap_or(Err(AppError::Internal)),
                None => Err(AppError::Internal),
            };
            reading = batches.get(i + 1).map(|next| run.read(next.clone()));
            let made = match read {
                Ok(read) => run.make_batch(batch.len(), read).await,
                Err(e) => Err(e),
            };
            let failed = match made {
                Ok(made) => keeperbag.send(made).await.is_err().then_some(AppError::Internal),
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
        if postman.await.unwrap_or(false) {
            run.email_owed().await;
        }
        if let Err(e) = store::finish_run(run.state.db.pool(), run.id, &clock::stamp(Utc::now())).await {
            tracing::error!(run = run.id, error = %e, "statement run end not recorded");
        }
        tracing::info!(run = run.id, "statement run finished");
    });
    let record = store::find_run(pool, id).await.map_err(internal("find run"))?.ok_or(AppError::Internal)?;
    Ok(run_row(record))
}

/// Members per batch of a run: one query for their vouchers, one
/// transaction for their statements, then their emails together.
const RUN_BATCH: usize = 200;

/// Batches stored and waiting for the postman: past that, the next batches'
/// emails are left owed, to be read back from what was kept at the end.
const POSTBAG_BATCHES: usize = 1;

/// A run under way: every member's statement made and kept, batch by batch
/// (the members see it in « Mes relevés » at once); each batch, once kept,
/// is emailed by the postman while the next batches are made. A slow mail
/// server delays the emails, never the statements: when the postman falls
/// behind, the batches he cannot take are emailed at the end, read back
/// from what was kept.
#[derive(Clone)]
struct Run {
    state: AppState,
    actor: Actor,
    id: i64,
    agency_id: i64,
    first: NaiveDate,
    last: NaiveDate,
}

/// A batch of a run, written, on its way to be kept.
struct MadeBatch {
    members: usize,
    /// Members gone since the run started.
    missing: i64,
    made: Vec<Made>,
    now: DateTime<Utc>,
}

/// A batch of a run, read: each member with their vouchers of the month.
struct BatchRead {
    work: Vec<(MemberFile, Vec<StatementLine>)>,
    /// Members gone since the run started.
    missing: i64,
}

/// What a step of a run adds to its counts.
#[derive(Debug, Default, Clone, Copy)]
struct Progress {
    done: i64,
    emailed: i64,
    no_email: i64,
    failed: i64,
}

impl Run {
    async fn progress(&self, p: Progress) {
        let pool = self.state.db.pool();
        if let Err(e) = store::run_progress(pool, self.id, p.done, p.emailed, p.no_email, p.failed).await {
            tracing::error!(run = self.id, error = %e, "statement run progress not recorded");
        }
    }

    /// A batch's members and their vouchers, read in one query, in a task
    /// of its own.
    fn read(&self, member_ids: Vec<i64>) -> tokio::task::JoinHandle<Result<BatchRead, AppError>> {
        let (state, run_id) = (self.state.clone(), self.id);
        let (start, end) = bounds(self.first, self.last);
        tokio::spawn(async move {
            let clock = std::time::Instant::now();
            let mut conn = state.db.pool().acquire().await.map_err(internal("statement connection"))?;
            let files = members::find_by_ids(&mut conn, &member_ids).await.map_err(internal("run members"))?;
            let lines = store::lines(&mut conn, &member_ids, &start, &end).await.map_err(internal("run lines"))?;
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
    fn postman(&self) -> (mpsc::Sender<Vec<OwedEmail>>, tokio::task::JoinHandle<bool>) {
        let (bag, mut batches) = mpsc::channel::<Vec<OwedEmail>>(POSTBAG_BATCHES);
        let run = self.clone();
        let postman = tokio::spawn(async move {
            while let Some(owed) = batches.recv().await {
                if !run.email(owed).await {
                    return false;
                }
            }
            true
        });
        (bag, postman)
    }

    /// Emails statements kept; whether what went was recorded.
    async fn email(&self, owed: Vec<OwedEmail>) -> bool {
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
    async fn batch_failed(&self, members: usize, e: &AppError) {
        tracing::error!(run = self.id, error = %e, "statements of a batch not made");
        let count = members as i64;
        self.progress(Progress { done: count, failed: count, ..Progress::default() }).await;
    }

    /// One batch's statements written, on two threads.
    async fn make_batch(&self, members: usize, read: BatchRead) -> Result<MadeBatch, AppError> {
        let now = Utc::now();
        let clock = std::time::Instant::now();
        let made = make_all(read.work, self.first, self.last, now).await?;
        tracing::debug!(run = self.id, members, made = ?clock.elapsed(), "statement run batch made");
        Ok(MadeBatch { members, missing: read.missing, made, now })
    }

    /// The task that keeps the batches handed to it, each in one
    /// transaction with the run's progress, then hands them to the postman
    /// (left owed when his bag is full); and the bag to hand them over.
    fn keeper(&self, postbag: mpsc::Sender<Vec<OwedEmail>>) -> (mpsc::Sender<MadeBatch>, tokio::task::JoinHandle<()>) {
        let (bag, mut batches) = mpsc::channel::<MadeBatch>(1);
        let run = self.clone();
        let keeper = tokio::spawn(async move {
            while let Some(batch) = batches.recv().await {
                let members = batch.members;
                if let Err(e) = run.keep(batch, &postbag).await {
                    run.batch_failed(members, &e).await;
                }
            }
        });
        (bag, keeper)
    }

    async fn keep(&self, batch: MadeBatch, postbag: &mpsc::Sender<Vec<OwedEmail>>) -> Result<(), AppError> {
        let clock = std::time::Instant::now();
        let MadeBatch { members, missing, made, now } = batch;
        let no_email = made.iter().filter(|m| m.email.is_none()).count() as i64;
        let progress = Progress { done: members as i64, no_email, failed: missing, emailed: 0 };
        let ids = store_made(&self.state, &self.actor, &made, Some((self.id, progress)), true, now).await?;
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
    async fn email_owed(&self) {
        let (from, to) = (clock::iso_day(self.first), clock::iso_day(self.last));
        loop {
            let pool = self.state.db.pool();
            let owed = match store::owed_emails(pool, self.agency_id, &from, &to, RUN_BATCH as i64).await {
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

pub async fn run(state: &AppState, staff: &Staff, id: &str) -> Result<RunRow, AppError> {
    let not_found = || AppError::NotFound("Envoi de relevés".into());
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    store::find_run(state.db.pool(), id)
        .await
        .map_err(internal("find run"))?
        .filter(|r| staff.covers(r.agency_id))
        .map(run_row)
        .ok_or_else(not_found)
}

pub async fn for_member(state: &AppState, member_id: i64) -> Result<Vec<StatementRow>, AppError> {
    Ok(store::for_member(state.db.pool(), member_id)
        .await
        .map_err(internal("member statements"))?
        .into_iter()
        .map(row)
        .collect())
}

/// Who may download a statement: the member it is for, or staff covering
/// its agency. Anyone else is told it does not exist.
pub enum Reader {
    Member(i64),
    Staff(Staff),
}

/// A stored statement's file: `pdf` or `csv`; its file name and bytes.
pub async fn file(state: &AppState, reader: &Reader, id: &str, kind: &str) -> Result<(String, Vec<u8>), AppError> {
    let not_found = || AppError::NotFound("Relevé".into());
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let record = store::find(state.db.pool(), id).await.map_err(internal("find statement"))?.ok_or_else(not_found)?;
    let allowed = match reader {
        Reader::Member(member_id) => record.member_id == *member_id,
        Reader::Staff(staff) => staff.covers(record.agency_id),
    };
    if !allowed {
        return Err(not_found());
    }
    let stem = file_stem(&record.member_number, &record.period_from, &record.period_to);
    match kind {
        "pdf" => {
            let bytes =
                store::pdf(state.db.pool(), id).await.map_err(internal("statement pdf"))?.ok_or_else(not_found)?;
            Ok((format!("{stem}.pdf"), bytes))
        }
        _ => {
            let text =
                store::csv(state.db.pool(), id).await.map_err(internal("statement csv"))?.ok_or_else(not_found)?;
            Ok((format!("{stem}.csv"), text.into_bytes()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(number: &str, cents: i64, invoiced: Option<i64>) -> StatementLine {
        StatementLine {
            member_id: 1,
            voucher_id: 1,
            number: Some(number.into()),
            used_at: Some("2026-11-03T09:15:00.000000Z".into()),
            amount_cents: cents,
            status: if invoiced.is_some() {
                crate::domain::VoucherStatus::Invoiced
            } else {
                crate::domain::VoucherStatus::Delivered
            },
            supplier_name: "Matériaux de l'Ouest".into(),
            invoice_number: invoiced.map(|_| "F-2026-118".into()),
            invoice_date: invoiced.map(|_| "2026-11-20".into()),
            invoiced_cents: invoiced,
        }
    }

    fn statement(lines: Vec<StatementLine>) -> Statement {
        Statement {
            agency_name: "Agence de Nantes".into(),
            member_number: "44000123B".into(),
            member_name: "Camille Martin".into(),
            from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            issued_on: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            total: Money::from_cents(lines.iter().map(|l| l.amount_cents).sum()),
            invoiced: Money::from_cents(lines.iter().filter_map(|l| l.invoiced_cents).sum()),
            lines,
        }
    }

    #[test]
    fn the_csv_has_a_row_per_voucher_and_the_totals() {
        let s = statement(vec![
            line("W2026.NA.442.00000001", 4_200, Some(4_150)),
            line("W2026.NA.442.00000002", 1_000, None),
        ]);
        let csv = csv_of(&s);
        let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(rows.len(), 5, "{csv}");
        assert_eq!(
            rows[1],
            "03/11/2026;W2026.NA.442.00000001;Matériaux de l'Ouest;42,00;21-facturé;F-2026-118;20/11/2026;41,50"
        );
        assert_eq!(rows[2], "03/11/2026;W2026.NA.442.00000002;Matériaux de l'Ouest;10,00;11-livré;;;");
        assert_eq!(rows[3], "Total des bons utilisés;2;;52,00;;;;");
        assert_eq!(rows[4], "Total facturé;;;;;;;41,50");
    }

    #[test]
    fn a_long_statement_runs_over_several_pages() {
        let many: Vec<StatementLine> = (1..=120).map(|i| line(&format!("W2026.NA.442.{i:08}"), 100, None)).collect();
        let pdf = pdf_of(&statement(many));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 3"), "120 rows take three pages");
        let empty = pdf_of(&statement(vec![]));
        assert!(String::from_utf8_lossy(&empty).contains("/Count 1"));
    }

    #[test]
    fn a_period_is_checked() {
        assert!(period("2026-11-01", "2026-11-30").is_ok());
        let message = |r: Result<(NaiveDate, NaiveDate), AppError>| r.unwrap_err().to_string();
        assert!(message(period("2026-11-30", "2026-11-01")).contains("précède"));
        assert!(message(period("2025-01-01", "2026-11-30")).contains("au plus un an"));
        assert!(message(period("", "2026-11-30")).contains("Début de la période"));
    }
}
