//! A supplier's invoice: sent with one line per voucher (number, secret code,
//! amount), each line matched to its voucher at once. Nothing is paid on the
//! strength of a line whose voucher was not used at this supplier's counter
//! with this code: that is what the code on the delivery slip is for.
//!
//! A line may name a Pass Castors spent at this supplier's counter
//! (`P2026.NA.442.00000001`, its printed code, its value) instead: it is
//! matched, reconciled, claimed and paid the same way.

pub mod pdf;
pub mod review;
pub mod submission;

use super::{journal, passes, vouchers::record_code_result};
use crate::domain::pass::{PassNumber, PassStatus};
use crate::domain::{Day, InvoiceLineInput, InvoiceStatus, LineFlag, Money, Timestamp, VoucherStatus};
use crate::domain::{day::parse_day, invoice::MAX_INVOICE_LINES, invoice::parse_line_number, parse_typed_code};
use crate::error::AppError;
use crate::model::invoices::{InvoiceDetail, InvoiceSummary};
use crate::server::audit::{Actor, Entity};
use crate::server::budgets::{self, Budget};
use crate::server::error::ServerError;
use crate::server::store::invoices::{self, InvoiceRecord, NewInvoice, NewLine};
use crate::server::store::passes::{self as pass_store, PassRecord};
use crate::server::store::vouchers::{self, VoucherRecord};
use crate::server::{AppState, auth::SupplierUser, clock, db::WriteTx, services::vouchers::code_matches};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// Who sends an invoice: a supplier's login, or its till through an API key.
#[derive(Debug, Clone)]
pub struct Submitter {
    pub actor: Actor,
    pub supplier_id: i64,
    pub agency_id: i64,
    /// Each line's code is compared with its voucher's: wrong codes are
    /// charged to these budgets, the same as the counter check's (an invoice
    /// is not a way to guess codes for free).
    pub budgets: Vec<(Budget, String)>,
}

impl Submitter {
    /// A supplier's login, charged per account (add `at` for its address).
    pub fn user(user: &SupplierUser) -> Submitter {
        Submitter {
            actor: Actor::supplier(user),
            supplier_id: user.supplier_id,
            agency_id: user.agency_id,
            budgets: vec![(budgets::CHECK_PER_ACCOUNT, user.account_id.to_string())],
        }
    }

    /// Also charged to the network address the invoice came from.
    pub fn at(mut self, address: &str) -> Submitter {
        self.budgets.push((budgets::CHECK_PER_ADDRESS, address.to_owned()));
        self
    }
}

/// An invoice as typed in the form or sent by a till: strings, checked here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceInput {
    pub number: String,
    /// `23/11/2026` or `2026-11-23`.
    pub date: String,
    /// Total including VAT.
    pub amount: String,
    pub lines: Vec<InvoiceLineInput>,
}

/// An invoice whose every field has been checked: ready to match and store.
struct CheckedInvoice {
    number: String,
    date: Day,
    amount: Money,
    lines: Vec<CheckedLine>,
}

struct CheckedLine {
    number: String,
    code: String,
    amount: Money,
}

impl CheckedInvoice {
    /// The stored header of this invoice, sent now by `by` to `agency_id`.
    fn header<'a>(&'a self, by: &'a Submitter, agency_id: i64, now: DateTime<Utc>) -> NewInvoice<'a> {
        NewInvoice {
            supplier_id: by.supplier_id,
            agency_id,
            number: &self.number,
            invoice_date: self.date,
            amount: self.amount,
            submitted_at: Timestamp::new(now),
            submitted_by: &by.actor.name,
        }
    }
}

/// The first mistakes, and how many more there are.
pub(super) fn some_errors(mut errors: Vec<String>) -> String {
    let more = errors.len().saturating_sub(MAX_ERRORS_SHOWN);
    errors.truncate(MAX_ERRORS_SHOWN);
    if more > 0 {
        errors.push(format!("… et {more} autre(s) erreur(s)."));
    }
    errors.join("\n")
}

const MAX_INVOICE_NUMBER: usize = 40;
/// Line mistakes shown at once; more would bury the first ones.
const MAX_ERRORS_SHOWN: usize = 8;

/// Checks what was typed; every mistake is named with its line number. The
/// answer is one message with one mistake per line of text.
fn check_input(input: &InvoiceInput, now: DateTime<Utc>) -> Result<CheckedInvoice, AppError> {
    let number = input.number.trim();
    if number.is_empty() {
        return Err(AppError::field("number", "Indiquez le numéro de la facture."));
    }
    if number.chars().count() > MAX_INVOICE_NUMBER || number.chars().any(char::is_control) {
        return Err(AppError::field(
            "number",
            format!("Le numéro de facture s'écrit sur une ligne, en {MAX_INVOICE_NUMBER} caractères au plus."),
        ));
    }
    let date = parse_day(&input.date).map_err(|e| AppError::field("date", format!("Date de la facture : {e}")))?;
    if date > clock::paris_date(now) {
        return Err(AppError::field("date", "La date de la facture ne peut pas être dans le futur."));
    }
    let amount = Money::parse(&input.amount)
        .map_err(|e| AppError::field("amount", format!("Montant TTC de la facture : {e}")))?;
    if input.lines.is_empty() {
        return Err(AppError::field(
            "lines",
            "Ajoutez au moins une ligne : le numéro du bon, son code secret et le montant.",
        ));
    }
    if input.lines.len() > MAX_INVOICE_LINES {
        return Err(AppError::field(
            "lines",
            format!(
                "Une facture compte au plus {MAX_INVOICE_LINES} lignes : répartissez les bons sur plusieurs factures."
            ),
        ));
    }

    let mut errors = Vec::new();
    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        let n = i + 1;
        let voucher = parse_line_number(&line.voucher_number).map_err(|e| format!("Ligne {n} : {e}"));
        let code = parse_typed_code(&line.code).map_err(|e| format!("Ligne {n} : {e}"));
        let amount = Money::parse(&line.amount).map_err(|e| format!("Ligne {n} : montant — {e}"));
        match (voucher, code, amount) {
            (Ok(number), Ok(code), Ok(amount)) => lines.push(CheckedLine { number, code, amount }),
            (v, c, a) => errors.extend([v.err(), c.err(), a.err()].into_iter().flatten()),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::field("lines", some_errors(errors)));
    }
    let total =
        lines.iter().try_fold(Money::ZERO, |sum, l| sum.cents().checked_add(l.amount.cents()).map(Money::from_cents));
    let total = total.ok_or_else(|| AppError::field("lines", "La somme des lignes est trop grande."))?;
    if total != amount {
        return Err(AppError::field(
            "amount",
            format!("Le montant TTC de la facture ({amount}) n'est pas la somme de ses lignes ({total})."),
        ));
    }
    Ok(CheckedInvoice { number: number.to_owned(), date: Day::new(date), amount, lines })
}

/// Whether a checked line names a pass.
fn is_pass(number: &str) -> bool {
    number.starts_with('P')
}

/// Sends an invoice: checks it, matches each line to its voucher, stores it
/// as `received`. Returns its id. A mistake in what was typed changes
/// nothing; a line that does not match its voucher is stored with its flag
/// for the agency to decide.
#[tracing::instrument(skip_all)]
pub async fn submit_invoice(
    state: &AppState,
    by: &Submitter,
    input: &InvoiceInput,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let invoice = check_input(input, now)?;
    let mut tx = state.db.begin_write().await?;
    if invoices::number_taken(tx.conn(), by.supplier_id, &invoice.number, None).await? {
        return Err(AppError::Conflict(format!(
            "Vous avez déjà envoyé une facture n° {} : donnez à celle-ci son propre numéro.",
            invoice.number
        ))
        .into());
    }
    let Some(matched) = match_codes(state, &mut tx, by, &invoice, now).await? else {
        tx.commit().await?;
        return Err(AppError::InvoiceCodesThrottled.into());
    };
    let header = invoice.header(by, by.agency_id, now);
    // Two sends of the same invoice at once (a double tap, a till retrying)
    // meet at the unique (supplier, number): the second gets the same answer.
    let id = invoices::insert(tx.conn(), &header).await.map_err(ServerError::from).map_err(|e| {
        if e.breaks(invoices::NUMBER_KEY) {
            AppError::Conflict(format!(
                "Vous avez déjà envoyé une facture n° {} : donnez à celle-ci son propre numéro.",
                invoice.number
            ))
            .into()
        } else {
            e
        }
    })?;
    let flagged = store_lines(&mut tx, by, id, &invoice, &matched, now).await?;
    let after = json!({
        "number": invoice.number,
        "date": invoice.date.iso(),
        "amount_cents": invoice.amount.cents(),
        "lines": invoice.lines.len(),
        "flagged_lines": flagged,
        "status": InvoiceStatus::Received.label(),
    });
    journal(&mut tx, &by.actor, Entity::Invoice, id, "submit", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(invoice = id, supplier = by.supplier_id, lines = invoice.lines.len(), flagged, "invoice received");
    Ok(id)
}

/// The supplier resends an invoice the agency sent back: new header and
/// lines, matched again; the invoice is `received` again.
#[tracing::instrument(skip_all, fields(invoice = id))]
pub async fn correct_invoice(
    state: &AppState,
    by: &Submitter,
    id: i64,
    input: &InvoiceInput,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let invoice = check_input(input, now)?;
    let mut tx = state.db.begin_write().await?;
    let current = own_for_update(&mut tx, by, id).await?;
    let status = current.summary.status;
    if !status.can_be_corrected() {
        return Err(AppError::Conflict(format!(
            "Cette facture est {} : seule une facture renvoyée « à corriger » peut être modifiée.",
            status.label()
        ))
        .into());
    }
    if invoices::number_taken(tx.conn(), by.supplier_id, &invoice.number, Some(id)).await? {
        return Err(AppError::Conflict(format!("Vous avez déjà envoyé une facture n° {}.", invoice.number)).into());
    }
    let Some(matched) = match_codes(state, &mut tx, by, &invoice, now).await? else {
        tx.commit().await?;
        return Err(AppError::InvoiceCodesThrottled.into());
    };
    let header = invoice.header(by, current.agency_id, now);
    invoices::replace_header(tx.conn(), id, &header).await?;
    invoices::delete_lines(tx.conn(), id).await?;
    let flagged = store_lines(&mut tx, by, id, &invoice, &matched, now).await?;
    let before = json!({
        "number": current.summary.number,
        "amount_cents": current.summary.amount.cents(),
        "lines": current.summary.line_count,
        "status": status.label(),
        "correction_reason": current.summary.correction_reason,
    });
    let after = json!({
        "number": invoice.number,
        "amount_cents": invoice.amount.cents(),
        "lines": invoice.lines.len(),
        "flagged_lines": flagged,
        "status": InvoiceStatus::Received.label(),
    });
    journal(&mut tx, &by.actor, Entity::Invoice, id, "correct", before, after, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The submitter's own invoice, locked; another supplier's is as unknown
/// as a missing one.
async fn own_for_update(tx: &mut WriteTx, by: &Submitter, id: i64) -> Result<InvoiceRecord, ServerError> {
    Ok(invoices::find_for_update(tx, id)
        .await?
        .filter(|i| i.summary.supplier_id == by.supplier_id)
        .ok_or_else(|| AppError::NotFound("Facture".into()))?)
}

/// The supplier withdraws an invoice the agency sent back « à corriger »
/// instead of correcting it: it is removed with its lines and PDF, its
/// vouchers and passes are free for another invoice, and the journal keeps
/// what it was. Its number may be used again.
#[tracing::instrument(skip_all, fields(invoice = id))]
pub async fn withdraw_invoice(
    state: &AppState,
    by: &Submitter,
    id: i64,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let mut tx = state.db.begin_write().await?;
    let current = own_for_update(&mut tx, by, id).await?;
    let status = current.summary.status;
    if !status.can_be_corrected() || !invoices::delete_sent_back(tx.conn(), id).await? {
        return Err(AppError::Conflict(format!(
            "Cette facture est {} : seule une facture renvoyée « à corriger » peut être retirée.",
            status.label()
        ))
        .into());
    }
    let before = json!({
        "number": current.summary.number,
        "amount_cents": current.summary.amount.cents(),
        "lines": current.summary.line_count,
        "status": status.label(),
        "correction_reason": current.summary.correction_reason,
    });
    journal(&mut tx, &by.actor, Entity::Invoice, id, "withdraw", before, json!({ "status": "retirée" }), now).await?;
    tx.commit().await?;
    tracing::info!(invoice = id, supplier = by.supplier_id, "invoice withdrawn by its supplier");
    Ok(current.summary.number)
}

/// The invoice's vouchers, locked, and the result of comparing each line's
/// code with its voucher's.
struct MatchedCodes {
    found: BTreeMap<String, VoucherRecord>,
    passes: BTreeMap<String, PassRecord>,
    /// Per line: whether its code is the voucher's, when it was compared
    /// (this supplier's voucher, used); None when it was not.
    code_ok: Vec<Option<bool>>,
}

/// Locks the invoice's vouchers (in number order, so two invoices naming the
/// same vouchers cannot deadlock, and the second sees the first's claim) and
/// compares each line's code with its voucher's. The wrong codes are charged
/// to the submitter's budgets before anything is stored: when they would
/// spend one (or one is spent already), the invoice is refused whole (None:
/// the caller commits the charge alone) and nothing says which codes were
/// wrong.
async fn match_codes(
    state: &AppState,
    tx: &mut WriteTx,
    by: &Submitter,
    invoice: &CheckedInvoice,
    now: DateTime<Utc>,
) -> Result<Option<MatchedCodes>, ServerError> {
    let numbers: std::collections::BTreeSet<&str> = invoice.lines.iter().map(|l| l.number.as_str()).collect();
    let mut found = BTreeMap::new();
    let mut passes = BTreeMap::new();
    // Passes' numbers sort before vouchers' (`P` < `W`): every invoice locks
    // in the same order.
    for number in numbers {
        if is_pass(number) {
            let parsed: PassNumber = number.parse().map_err(|_| AppError::Internal)?;
            if let Some(p) = pass_store::find_by_number_for_update(tx, &parsed).await? {
                passes.insert(number.to_owned(), p);
            }
        } else if let Some(v) = vouchers::find_by_number_for_update(tx, number).await? {
            found.insert(number.to_owned(), v);
        }
    }
    // Each code is checked with the key version it was made with.
    let code_ok = invoice
        .lines
        .iter()
        .map(|line| -> Result<Option<bool>, ServerError> {
            if is_pass(&line.number) {
                let pass = passes
                    .get(&line.number)
                    .filter(|p| p.supplier_id == Some(by.supplier_id) && p.status == PassStatus::Used);
                let Some(p) = pass else { return Ok(None) };
                let keys = state.keys.version(p.key_version)?;
                return Ok(Some(keys.pass_code_matches(&line.number, p.face_value.cents(), &line.code)));
            }
            let Some(v) = found.get(&line.number).filter(|v| v.supplier_id == by.supplier_id && used(v)) else {
                return Ok(None);
            };
            Ok(Some(code_matches(state, v, &line.code)?))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let compared = code_ok.iter().flatten().count();
    let wrong = i64::try_from(code_ok.iter().filter(|ok| **ok == Some(false)).count()).unwrap_or(i64::MAX);
    if compared > 0 {
        let mut refused = false;
        for (budget, subject) in &by.budgets {
            let after = budgets::charge_many(tx, *budget, subject, wrong, now).await?;
            refused |= after - wrong >= budget.limit || after > budget.limit;
        }
        if refused {
            tracing::warn!(actor = %by.actor.name, wrong, "invoice refused: code check budget spent");
            return Ok(None);
        }
    }
    Ok(Some(MatchedCodes { found, passes, code_ok }))
}

/// A voucher used at the counter: the only kind whose code means something.
fn used(v: &VoucherRecord) -> bool {
    matches!(v.status, VoucherStatus::Delivered | VoucherStatus::Invoiced | VoucherStatus::Paid)
}

/// Matches every line to its voucher and stores it; returns how many lines
/// are flagged.
async fn store_lines(
    tx: &mut WriteTx,
    by: &Submitter,
    invoice_id: i64,
    invoice: &CheckedInvoice,
    matched: &MatchedCodes,
    now: DateTime<Utc>,
) -> Result<usize, ServerError> {
    let mut claimed_here: HashSet<i64> = HashSet::new();
    let mut passes_here: HashSet<i64> = HashSet::new();
    let mut flagged = 0;
    for (i, line) in invoice.lines.iter().enumerate() {
        let code_ok = matched.code_ok[i].unwrap_or(false);
        // The line's flag, whether its code was right, and what it names
        // of this supplier's: a voucher or a pass.
        let (flag, code_ok, voucher_id, pass_id) = if is_pass(&line.number) {
            let pass = matched.passes.get(&line.number);
            let flag = match pass {
                None => Some(LineFlag::UnknownVoucher),
                Some(p) => match_pass_line(tx, by, invoice_id, p, line, code_ok, &passes_here, now).await?,
            };
            let pass_id = pass.filter(|p| p.supplier_id == Some(by.supplier_id)).map(|p| p.id);
            if flag.is_none() {
                passes_here.extend(pass_id);
            }
            (flag, code_ok && pass_id.is_some(), None, pass_id)
        } else {
            let voucher = matched.found.get(&line.number);
            let (flag, code_ok) = match voucher {
                None => (Some(LineFlag::UnknownVoucher), false),
                Some(v) => match_line(tx, by, invoice_id, v, line, code_ok, &claimed_here, now).await?,
            };
            let voucher_id = voucher.filter(|v| v.supplier_id == by.supplier_id).map(|v| v.id);
            if flag.is_none() {
                claimed_here.extend(voucher_id);
            }
            (flag, code_ok, voucher_id, None)
        };
        flagged += usize::from(flag.is_some());
        let new = NewLine {
            invoice_id,
            position: i64::try_from(i + 1).unwrap_or(i64::MAX),
            voucher_number: &line.number,
            amount: line.amount,
            voucher_id,
            pass_id,
            code_ok,
            flag,
        };
        invoices::insert_line(tx.conn(), &new).await?;
    }
    Ok(flagged)
}

/// The first reason a line does not match its voucher (None: it matches),
/// and whether its code was right. A voucher locked after wrong codes still
/// matches its right code: reconciling compares, it does not guess.
#[allow(clippy::too_many_arguments)]
async fn match_line(
    tx: &mut WriteTx,
    by: &Submitter,
    invoice_id: i64,
    v: &VoucherRecord,
    line: &CheckedLine,
    code_ok: bool,
    claimed_here: &HashSet<i64>,
    now: DateTime<Utc>,
) -> Result<(Option<LineFlag>, bool), ServerError> {
    if v.supplier_id != by.supplier_id {
        // Nothing more is said, or checked, about another supplier's voucher.
        return Ok((Some(LineFlag::OtherSupplier), false));
    }
    let status = v.status;
    if !used(v) {
        return Ok((Some(LineFlag::NotUsed), false));
    }
    // The same count as at the counter: five wrong codes lock the voucher.
    // A right code leaves a lock to the staff who lift it.
    let current = vouchers::find_for_update(tx, v.id).await?.ok_or(AppError::Internal)?;
    if !(code_ok && current.locked_at.is_some()) {
        record_code_result(tx, &by.actor, &current, code_ok, now).await?;
    }
    if !code_ok {
        return Ok((Some(LineFlag::CodeMismatch), false));
    }
    let claimed_elsewhere = invoices::claim_on_voucher(tx.conn(), v.id, Some(invoice_id)).await?;
    if status != VoucherStatus::Delivered || claimed_elsewhere.is_some() || claimed_here.contains(&v.id) {
        return Ok((Some(LineFlag::AlreadyInvoiced), true));
    }
    if line.amount > v.amount {
        return Ok((Some(LineFlag::AmountExceeds), true));
    }
    Ok((None, true))
}

/// The first reason a line does not match its pass (None: it matches): the
/// pass must have been spent at this supplier's counter, with this code,
/// never invoiced, for at least the line's amount.
#[allow(clippy::too_many_arguments)]
async fn match_pass_line(
    tx: &mut WriteTx,
    by: &Submitter,
    invoice_id: i64,
    p: &PassRecord,
    line: &CheckedLine,
    code_ok: bool,
    claimed_here: &HashSet<i64>,
    now: DateTime<Utc>,
) -> Result<Option<LineFlag>, ServerError> {
    if p.supplier_id != Some(by.supplier_id) {
        // Not spent here (or not spent yet at all): nothing more is said.
        return Ok(Some(if p.status == PassStatus::Used { LineFlag::OtherSupplier } else { LineFlag::NotUsed }));
    }
    // Counted like the counter's: five wrong codes in a row lock the pass,
    // read again here as an invoice may name it twice.
    let current = pass_store::find_for_update(tx, p.id).await?.ok_or(AppError::Internal)?;
    passes::record_code_result(tx, &by.actor, &current, code_ok, now).await?;
    if !code_ok {
        return Ok(Some(LineFlag::CodeMismatch));
    }
    let claimed_elsewhere = invoices::claim_on_pass(tx.conn(), p.id, Some(invoice_id)).await?;
    if p.invoice_id.is_some() || claimed_elsewhere.is_some() || claimed_here.contains(&p.id) {
        return Ok(Some(LineFlag::AlreadyInvoiced));
    }
    if line.amount > p.face_value {
        return Ok(Some(LineFlag::AmountExceeds));
    }
    Ok(None)
}

/// An invoice of this supplier's, with its lines; another supplier's is as
/// unknown as a missing one. The supplier's page and the till read it.
#[tracing::instrument(skip_all, fields(supplier = supplier_id, invoice = id))]
pub async fn invoice_for_supplier(state: &AppState, supplier_id: i64, id: i64) -> Result<InvoiceDetail, ServerError> {
    let record = invoices::find(state.db.pool(), id)
        .await?
        .filter(|i| i.summary.supplier_id == supplier_id)
        .ok_or_else(|| AppError::NotFound("Facture".into()))?;
    detail(state, record).await
}

/// The supplier's invoices, newest first.
#[tracing::instrument(skip_all, fields(supplier = supplier_id))]
pub async fn list_for_supplier(state: &AppState, supplier_id: i64) -> Result<Vec<InvoiceSummary>, ServerError> {
    Ok(invoices::list_for_supplier(state.db.pool(), supplier_id).await?.into_iter().map(|i| i.summary).collect())
}

/// An invoice and its lines, as both spaces show it.
#[tracing::instrument(skip_all)]
pub async fn detail(state: &AppState, record: InvoiceRecord) -> Result<InvoiceDetail, ServerError> {
    let lines = invoices::lines(state.db.pool(), record.summary.id).await?;
    Ok(InvoiceDetail { summary: record.summary, lines: lines.into_iter().map(|l| l.view).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn line(number: &str, code: &str, amount: &str) -> InvoiceLineInput {
        InvoiceLineInput { voucher_number: number.into(), code: code.into(), amount: amount.into() }
    }

    fn input(lines: Vec<InvoiceLineInput>, amount: &str) -> InvoiceInput {
        InvoiceInput { number: "F-2026-001".into(), date: "20/11/2026".into(), amount: amount.into(), lines }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
    }

    fn message(result: Result<CheckedInvoice, AppError>) -> String {
        match result {
            Err(AppError::Invalid(m) | AppError::InvalidField(_, m) | AppError::InvalidFields(_, m)) => m,
            Err(e) => panic!("expected a French message, got {e:?}"),
            Ok(_) => panic!("expected a refusal"),
        }
    }

    #[test]
    fn a_well_typed_invoice_is_read_whole() {
        let ok = check_input(
            &input(
                vec![line(" w2026.na.442.00000001 ", "53 12", "42,00"), line("W2026.NA.442.00000002", "0007", "8.5")],
                "50,50",
            ),
            now(),
        )
        .map_err(|e| e.to_string())
        .unwrap();
        assert_eq!(ok.date.iso(), "2026-11-20");
        assert_eq!(ok.lines[0].number, "W2026.NA.442.00000001");
        assert_eq!(ok.lines[0].code, "5312");
        assert_eq!(ok.lines[1].amount, Money::from_cents(850));
    }

    #[test]
    fn every_bad_line_is_named_with_its_number() {
        let m = message(check_input(
            &input(
                vec![
                    line("W2026.NA.442.00000001", "5312", "42"),
                    line("W2026.NA.442.0001", "5312", "42"),
                    line("W2026.NA.442.00000003", "12", "42"),
                    line("W2026.NA.442.00000004", "5312", "-3"),
                ],
                "168",
            ),
            now(),
        ));
        assert!(m.contains("Ligne 2 : Numéro de bon invalide"), "{m}");
        assert!(m.contains("Ligne 3 : Le code secret"), "{m}");
        assert!(m.contains("Ligne 4 : montant"), "{m}");
        assert!(!m.contains("Ligne 1"), "{m}");
        assert_eq!(m.lines().count(), 3, "{m}");
    }

    #[test]
    fn the_total_must_be_the_sum_of_the_lines() {
        let m = message(check_input(&input(vec![line("W2026.NA.442.00000001", "5312", "42")], "43"), now()));
        assert!(m.contains("n'est pas la somme de ses lignes"), "{m}");
    }

    #[test]
    fn header_mistakes_are_refused_in_french() {
        let mut no_number = input(vec![line("W2026.NA.442.00000001", "5312", "42")], "42");
        no_number.number = "  ".into();
        assert!(message(check_input(&no_number, now())).contains("numéro de la facture"));
        let mut future = input(vec![line("W2026.NA.442.00000001", "5312", "42")], "42");
        future.date = "24/11/2026".into();
        assert!(message(check_input(&future, now())).contains("futur"));
        let mut bad_date = input(vec![line("W2026.NA.442.00000001", "5312", "42")], "42");
        bad_date.date = "31/11/2026".into();
        assert!(message(check_input(&bad_date, now())).contains("Date de la facture"));
        assert!(message(check_input(&input(vec![], "42"), now())).contains("au moins une ligne"));
        let many = vec![line("W2026.NA.442.00000001", "5312", "1"); MAX_INVOICE_LINES + 1];
        assert!(message(check_input(&input(many, "501"), now())).contains("au plus"));
    }
}
