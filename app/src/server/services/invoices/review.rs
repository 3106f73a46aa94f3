//! The agency's side of a supplier invoice: each line was matched to its
//! voucher when the invoice arrived; staff read the flags, override a line
//! for a written reason where the voucher itself is sound, then accept the
//! invoice (its vouchers become 21-facturé, its passes invoiced) or send it
//! back to correct.

use crate::domain::pass::PassStatus;
use crate::domain::{InvoiceStatus, LineFlag, Timestamp, VoucherStatus};
use crate::error::AppError;
use crate::model::money::{AgencyInvoiceList, ReconcileView};
use crate::server::audit::{self, Actor, Entity};
use crate::server::error::ServerError;
use crate::server::services::{agencies, invoices, journal};
use crate::server::store::{invoices as store, passes as pass_store, vouchers};
use crate::server::{AppState, auth::Staff, db::WriteTx};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The longest reason staff may write (an override, a send-back).
pub const MAX_REASON: usize = 500;
/// The most invoices a list shows.
const LIST_LIMIT: i64 = 300;

pub fn invoice_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse().map_err(|_| AppError::NotFound("Facture".into()))
}

/// A reason as it is kept: one line of words, not empty, not too long. Its
/// form's field is `reason`.
pub fn written_reason(reason: &str, what: &str) -> Result<String, ServerError> {
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() {
        let why = format!("Indiquez {what} : il est conservé au journal avec votre nom.");
        return Err(AppError::field("reason", why).into());
    }
    if reason.chars().count() > MAX_REASON {
        return Err(AppError::field("reason", format!("Le motif compte au plus {MAX_REASON} caractères.")).into());
    }
    Ok(reason)
}

/// The agency's invoices; `status` is a stored status code, empty for all.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn list(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    status: Option<&str>,
) -> Result<AgencyInvoiceList, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(
            InvoiceStatus::from_code(code)
                .ok_or_else(|| AppError::Invalid(format!("Statut de facture inconnu : « {code} ».")))?,
        ),
    };
    let rows = store::list_for_agency(state.db.pool(), staff.scope(chosen), status, LIST_LIMIT)
        .await?
        .into_iter()
        .map(|i| i.summary)
        .collect();
    Ok(AgencyInvoiceList { desk: agencies::desk(state, staff, chosen).await?, status, rows })
}

/// An invoice of an agency the staff member covers; any other is unknown.
async fn covered(state: &AppState, staff: &Staff, id: i64) -> Result<store::InvoiceRecord, ServerError> {
    Ok(store::find(state.db.pool(), id)
        .await?
        .filter(|i| staff.covers(i.agency_id))
        .ok_or_else(|| AppError::NotFound("Facture".into()))?)
}

/// The same, read under lock inside `tx` until commit.
async fn lock_covered(tx: &mut WriteTx, staff: &Staff, id: i64) -> Result<store::InvoiceRecord, ServerError> {
    Ok(store::find_for_update(tx, id)
        .await?
        .filter(|i| staff.covers(i.agency_id))
        .ok_or_else(|| AppError::NotFound("Facture".into()))?)
}

/// The same, refused unless it is still `received`: `refusal` says why
/// (« Cette facture est payée : ses lignes ne se modifient plus. »).
async fn lock_received(
    tx: &mut WriteTx,
    staff: &Staff,
    id: i64,
    refusal: &str,
) -> Result<store::InvoiceRecord, ServerError> {
    let invoice = lock_covered(tx, staff, id).await?;
    match invoice.summary.status {
        InvoiceStatus::Received => Ok(invoice),
        status => Err(AppError::Conflict(format!("Cette facture est {} : {refusal}.", status.label())).into()),
    }
}

#[tracing::instrument(skip_all, fields(staff = %staff.login, invoice = id))]
pub async fn view(state: &AppState, staff: &Staff, id: i64) -> Result<ReconcileView, ServerError> {
    let record = covered(state, staff, id).await?;
    let agency_code = crate::server::store::agencies::find(state.db.pool(), record.agency_id)
        .await?
        .map(|a| a.code)
        .unwrap_or_default();
    let batch_id = record.batch_id;
    let events = audit::history(state.db.pool(), Entity::Invoice, id).await?;
    let invoice = invoices::detail(state, record).await?;
    let can_accept = invoice.summary.status == InvoiceStatus::Received
        && invoice.lines.iter().all(|l| l.flag.is_none() || l.override_reason.is_some());
    Ok(ReconcileView { invoice, agency_code, can_accept, batch_id, history: agencies::history_view(events)? })
}

/// Accepts a flagged line anyway, for a written reason kept in the journal.
#[tracing::instrument(skip_all, fields(staff = %staff.login, invoice = id))]
pub async fn override_line(
    state: &AppState,
    staff: &Staff,
    id: i64,
    line: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let position: i64 =
        line.trim().parse().map_err(|_| AppError::field("line", format!("Ligne de facture invalide : « {line} ».")))?;
    let reason = written_reason(reason, "le motif de l'acceptation de cette ligne")?;
    let mut tx = state.db.begin_write().await?;
    lock_received(&mut tx, staff, id, "ses lignes ne se modifient plus").await?;
    let lines = store::lines(tx.conn(), id).await?;
    let found = lines
        .iter()
        .map(|l| &l.view)
        .find(|l| l.position == position)
        .ok_or_else(|| AppError::Invalid(format!("La facture n'a pas de ligne {position}.")))?;
    let Some(flag) = found.flag else {
        return Err(AppError::Conflict(format!("La ligne {position} correspond à son bon : rien à accepter.")).into());
    };
    if found.override_reason.is_some() {
        return Err(AppError::Conflict(format!("La ligne {position} est déjà acceptée.")).into());
    }
    if !flag.staff_may_override() {
        return Err(AppError::Conflict(format!(
            "Ligne {position} : « {} » ne s'accepte pas ainsi, le bon serait payé sans avoir été utilisé chez ce \
             fournisseur, ou payé deux fois. Renvoyez la facture au fournisseur pour qu'il la corrige.",
            flag.label()
        ))
        .into());
    }
    let actor = Actor::staff(staff);
    if !store::override_line(tx.conn(), id, position, &reason, &actor.name, Timestamp::new(now)).await? {
        return Err(AppError::Conflict("Cette ligne vient d'être modifiée : rechargez la page.".into()).into());
    }
    let before = json!({ "line": position, "number": found.voucher_number, "flag": flag.label() });
    let after = json!({ "line": position, "reason": reason });
    journal(&mut tx, &actor, Entity::Invoice, id, "override_line", before, after, now).await?;
    tx.commit().await?;
    tracing::info!(invoice = id, line = position, "flagged invoice line accepted by staff");
    Ok(())
}

/// Accepts an invoice whose every line matches (or was overridden). Each
/// voucher is read again under lock: a use undone since the invoice came, or
/// another invoice accepted first, flags the line again and nothing else
/// changes.
#[tracing::instrument(skip_all, fields(staff = %staff.login, invoice = id))]
pub async fn accept(state: &AppState, staff: &Staff, id: i64, now: DateTime<Utc>) -> Result<(), ServerError> {
    let mut tx = state.db.begin_write().await?;
    let invoice = lock_received(&mut tx, staff, id, "seule une facture reçue peut être acceptée").await?;
    let mut lines = store::lines(tx.conn(), id).await?;
    lines.sort_by_key(|l| l.voucher_id);
    let open: Vec<String> = lines
        .iter()
        .filter(|l| l.view.flag.is_some() && l.view.override_reason.is_none())
        .map(|l| l.view.position.to_string())
        .collect();
    if !open.is_empty() {
        return Err(AppError::Conflict(format!(
            "Des lignes ne correspondent pas à leur bon (ligne {}) : acceptez-les avec un motif ou renvoyez la \
             facture au fournisseur.",
            open.join(", ")
        ))
        .into());
    }

    // Vouchers are locked in id order, as everywhere they are locked in bulk;
    // then passes, in id order too.
    let mut stale = Vec::new();
    let mut claimed = Vec::new();
    let mut passes = Vec::new();
    let mut pass_lines: Vec<_> = lines.iter().filter_map(|l| Some((l.pass_id?, l.view.position))).collect();
    pass_lines.sort_unstable();
    for &(pass_id, position) in &pass_lines {
        let p = pass_store::find_for_update(&mut tx, pass_id).await?.ok_or(AppError::Internal)?;
        let other_claim = store::claim_on_pass(tx.conn(), pass_id, Some(id)).await?;
        if p.status != PassStatus::Used {
            stale.push((position, LineFlag::NotUsed));
        } else if p.invoice_id.is_some()
            || other_claim.is_some_and(|(_, s)| matches!(s, InvoiceStatus::Accepted | InvoiceStatus::Paid))
        {
            stale.push((position, LineFlag::AlreadyInvoiced));
        } else {
            passes.push(pass_id);
        }
    }
    for line in lines.iter().filter(|l| l.pass_id.is_none()) {
        let position = line.view.position;
        let Some(voucher_id) = line.voucher_id else {
            stale.push((position, LineFlag::UnknownVoucher));
            continue;
        };
        let v = vouchers::find_for_update(&mut tx, voucher_id).await?.ok_or(AppError::Internal)?;
        let other_claim = store::claim_on_voucher(tx.conn(), voucher_id, Some(id)).await?;
        let voucher_status = v.status;
        if voucher_status != VoucherStatus::Delivered {
            let flag = if matches!(voucher_status, VoucherStatus::Invoiced | VoucherStatus::Paid) {
                LineFlag::AlreadyInvoiced
            } else {
                LineFlag::NotUsed
            };
            stale.push((position, flag));
        } else if other_claim.is_some_and(|(_, s)| matches!(s, InvoiceStatus::Accepted | InvoiceStatus::Paid))
            || v.invoice_id.is_some()
        {
            stale.push((position, LineFlag::AlreadyInvoiced));
        } else {
            claimed.push((voucher_id, v.number.clone()));
        }
    }
    if !stale.is_empty() {
        stale.sort_by_key(|(position, _)| *position);
        for (position, flag) in &stale {
            store::reflag_line(tx.conn(), id, *position, *flag).await?;
        }
        let lines_changed: Vec<String> =
            stale.iter().map(|(p, f)| format!("ligne {p} : {}", f.label().to_lowercase())).collect();
        let after = json!({ "flagged_lines": lines_changed.join(" ; ") });
        journal(&mut tx, &Actor::system("rapprochement"), Entity::Invoice, id, "reflag", json!({}), after, now).await?;
        tx.commit().await?;
        return Err(AppError::Conflict(format!(
            "Des bons ont changé depuis l'arrivée de la facture ({}) : la facture n'est pas acceptée.",
            lines_changed.join(" ; ")
        ))
        .into());
    }

    if !store::accept(tx.conn(), id, Timestamp::new(now)).await? {
        return Err(AppError::Conflict("Cette facture vient d'être traitée : rechargez la page.".into()).into());
    }
    let actor = Actor::staff(staff);
    for (voucher_id, number) in &claimed {
        if !vouchers::mark_invoiced(tx.conn(), *voucher_id, id).await? {
            return Err(AppError::Conflict("Un bon de la facture vient de changer : rechargez la page.".into()).into());
        }
        let before = json!({ "status": VoucherStatus::Delivered.label(), "number": number });
        let after = json!({ "status": VoucherStatus::Invoiced.label(), "invoice": invoice.summary.number });
        journal(&mut tx, &actor, Entity::Voucher, *voucher_id, "invoice", before, after, now).await?;
    }
    for &pass_id in &passes {
        if !pass_store::mark_invoiced(tx.conn(), pass_id, id).await? {
            return Err(AppError::Conflict("Un pass de la facture vient de changer : rechargez la page.".into()).into());
        }
        let after = json!({ "invoice": invoice.summary.number });
        journal(&mut tx, &actor, Entity::Pass, pass_id, "invoice", json!(null), after, now).await?;
    }
    let before = json!({ "status": InvoiceStatus::Received.label() });
    let after = json!({ "status": InvoiceStatus::Accepted.label(), "vouchers": claimed.len(), "passes": passes.len() });
    journal(&mut tx, &actor, Entity::Invoice, id, "accept", before, after, now).await?;
    tx.commit().await?;
    tracing::info!(invoice = id, vouchers = claimed.len(), "invoice accepted");
    Ok(())
}

/// Sends a received invoice back to the supplier, who reads the reason and
/// sends it again corrected.
#[tracing::instrument(skip_all, fields(staff = %staff.login, invoice = id))]
pub async fn send_back(
    state: &AppState,
    staff: &Staff,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let reason = written_reason(reason, "ce que le fournisseur doit corriger")?;
    let mut tx = state.db.begin_write().await?;
    let invoice = lock_covered(&mut tx, staff, id).await?;
    let status = invoice.summary.status;
    if status != InvoiceStatus::Received || !store::send_back(tx.conn(), id, &reason).await? {
        return Err(AppError::Conflict(format!(
            "Cette facture est {} : seule une facture reçue peut être renvoyée.",
            status.label()
        ))
        .into());
    }
    let before = json!({ "status": status.label() });
    let after = json!({ "status": InvoiceStatus::ToCorrect.label(), "correction_reason": reason });
    journal(&mut tx, &Actor::staff(staff), Entity::Invoice, id, "send_back", before, after, now).await?;
    tx.commit().await?;
    Ok(())
}
