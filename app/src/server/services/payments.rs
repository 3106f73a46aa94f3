//! Paying suppliers: the agency's accepted invoices are grouped into a
//! payment batch (one bank transfer per supplier); when the transfers have
//! left, staff mark the batch paid on that day, and its invoices and their
//! vouchers become paid (31-payé) with the date.

use super::{agencies, journal};
use crate::domain::payment::{transfer_day, transfer_reference, transfers_after_batch};
use crate::domain::{InvoiceStatus, Money, Timestamp, VoucherStatus};
use crate::error::AppError;
use crate::model::money::{BatchDetail, PaymentsPage, Transfer};
use crate::server::audit::{self, Actor, Entity};
use crate::server::error::ServerError;
use crate::server::store::{invoices as invoice_store, payments, suppliers};
use crate::server::{AppState, auth::Staff};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;

pub fn batch_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse().map_err(|_| AppError::NotFound("Lot de paiement".into()))
}

/// What is ready to pay, and the batches, of the agency shown.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn page(state: &AppState, staff: &Staff, asked: Option<&str>) -> Result<PaymentsPage, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let scope = staff.scope(chosen);
    let pool = state.db.pool();
    let ready: Vec<_> = invoice_store::list_for_agency(pool, scope, Some(InvoiceStatus::Accepted), 500)
        .await?
        .into_iter()
        .filter(|i| i.batch_id.is_none())
        .map(|i| i.summary)
        .collect();
    let ready_total = Money::from_cents(ready.iter().map(|i| i.amount.cents()).sum());
    let batches = payments::list(pool, scope).await?.into_iter().map(|b| b.row).collect();
    Ok(PaymentsPage { desk: agencies::desk(state, staff, chosen).await?, ready, ready_total, batches })
}

/// Puts the accepted invoices of the agency not yet in a batch (all, or one
/// supplier's) into a new batch; returns its id.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn create(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    supplier: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let agency_id = staff.agency_for_new(chosen)?;
    let supplier: Option<i64> = match supplier.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(id) => Some(id.parse().map_err(|_| AppError::NotFound("Fournisseur".into()))?),
    };
    let mut tx = state.db.begin_write().await?;
    let ready = invoice_store::accepted_unbatched(tx.conn(), agency_id).await?;
    let mut ready: Vec<_> = ready.into_iter().map(|i| i.summary).collect();
    ready.retain(|i| supplier.is_none_or(|s| i.supplier_id == s));
    if ready.is_empty() {
        return Err(AppError::Conflict("Aucune facture acceptée n'attend de paiement.".into()).into());
    }
    let total: i64 = ready.iter().map(|i| i.amount.cents()).sum();
    let id = payments::insert(tx.conn(), agency_id, now.into(), staff.account_id, Money::from_cents(total)).await?;
    for invoice in &ready {
        if !payments::add_invoice(tx.conn(), id, invoice.id).await? {
            return Err(
                AppError::Conflict("Une facture vient d'être mise dans un autre lot : réessayez.".into()).into()
            );
        }
    }
    let numbers: Vec<String> = ready.iter().map(|i| format!("{} ({})", i.number, i.supplier)).collect();
    let after = json!({ "invoices": numbers.join(", "), "total_cents": total });
    journal(&mut tx, &Actor::staff(staff), Entity::PaymentBatch, id, "create", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(batch = id, invoices = ready.len(), total, "payment batch created");
    Ok(id)
}

async fn covered(state: &AppState, staff: &Staff, id: i64) -> Result<payments::BatchRecord, ServerError> {
    Ok(payments::find(state.db.pool(), id)
        .await?
        .filter(|b| staff.covers(b.agency_id))
        .ok_or_else(|| AppError::NotFound("Lot de paiement".into()))?)
}

/// A batch: its transfers (one per supplier, with the bank details) and invoices.
#[tracing::instrument(skip_all, fields(staff = %staff.login, batch = id))]
pub async fn detail(state: &AppState, staff: &Staff, id: i64, now: DateTime<Utc>) -> Result<BatchDetail, ServerError> {
    let batch = covered(state, staff, id).await?;
    let pool = state.db.pool();
    let records: Vec<_> = invoice_store::in_batch(pool, id).await?.into_iter().map(|i| i.summary).collect();
    let mut per_supplier: BTreeMap<i64, Transfer> = BTreeMap::new();
    for invoice in &records {
        let transfer = match per_supplier.entry(invoice.supplier_id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let supplier = suppliers::find_file(pool, invoice.supplier_id).await?;
                e.insert(Transfer {
                    supplier: invoice.supplier.clone(),
                    iban: supplier.as_ref().and_then(|s| s.iban.clone()),
                    bic: supplier.as_ref().and_then(|s| s.bic.clone()),
                    invoice_numbers: Vec::new(),
                    amount: Money::ZERO,
                })
            }
        };
        transfer.invoice_numbers.push(invoice.number.clone());
        transfer.amount = Money::from_cents(transfer.amount.cents() + invoice.amount.cents());
    }
    let mut transfers: Vec<Transfer> = per_supplier.into_values().collect();
    transfers.sort_by(|a, b| a.supplier.cmp(&b.supplier));
    let events = audit::history(pool, Entity::PaymentBatch, id).await?;
    Ok(BatchDetail {
        batch: batch.row,
        transfers,
        invoices: records,
        today: Timestamp::new(now).paris_day(),
        history: agencies::history_view(events)?,
    })
}

/// The transfers left on `paid_on`: the batch, its invoices and their
/// vouchers are paid on that day, in one transaction.
#[tracing::instrument(skip_all, fields(staff = %staff.login, batch = id))]
pub async fn mark_paid(
    state: &AppState,
    staff: &Staff,
    id: i64,
    paid_on: &str,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let now_at = Timestamp::new(now);
    let day = transfer_day(paid_on, now_at.paris_day()).map_err(AppError::Invalid)?;
    let reference = transfer_reference(reference).map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write().await?;
    let batch = payments::find_for_update(&mut tx, id)
        .await?
        .filter(|b| staff.covers(b.agency_id))
        .ok_or_else(|| AppError::NotFound("Lot de paiement".into()))?;
    if let Some(on) = batch.row.paid_on {
        return Err(AppError::Conflict(format!("Ce lot est déjà payé, le {on}.")).into());
    }
    transfers_after_batch(day, batch.row.created_at.day()).map_err(AppError::Invalid)?;
    if !payments::mark_paid(tx.conn(), id, day, now_at, reference.as_deref()).await? {
        return Err(AppError::Conflict("Ce lot vient d'être payé : rechargez la page.".into()).into());
    }
    let actor = Actor::staff(staff);
    let invoices = invoice_store::in_batch(tx.conn(), id).await?;
    let vouchers = payments::vouchers_of_batch(tx.conn(), id).await?;
    let passes = payments::passes_of_batch(tx.conn(), id).await?;
    payments::pay_invoices(tx.conn(), id, day).await?;
    payments::pay_vouchers(tx.conn(), id, day).await?;
    payments::pay_passes(tx.conn(), id, day).await?;
    let iso = day.iso();
    for invoice in &invoices {
        let before = json!({ "status": InvoiceStatus::Accepted.label() });
        let after = json!({ "status": InvoiceStatus::Paid.label(), "paid_on": iso, "batch": id });
        journal(&mut tx, &actor, Entity::Invoice, invoice.summary.id, "pay", before, after, now).await?;
    }
    for (voucher_id, number, status) in &vouchers {
        if *status != VoucherStatus::Invoiced {
            continue;
        }
        let before = json!({ "status": VoucherStatus::Invoiced.label(), "number": number });
        let after = json!({ "status": VoucherStatus::Paid.label(), "paid_on": iso });
        journal(&mut tx, &actor, Entity::Voucher, *voucher_id, "pay", before, after, now).await?;
    }
    // Passes are paid from the sponsor's funds their counterpart put in the account.
    for pass_id in &passes {
        let after = json!({ "paid_on": iso, "batch": id });
        journal(&mut tx, &actor, Entity::Pass, *pass_id, "pay", json!(null), after, now).await?;
    }
    let after = json!({
        "paid_on": iso, "reference": reference, "invoices": invoices.len(), "vouchers": vouchers.len(),
        "passes": passes.len(),
    });
    journal(&mut tx, &actor, Entity::PaymentBatch, id, "pay", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(batch = id, invoices = invoices.len(), vouchers = vouchers.len(), "payment batch paid");
    Ok(())
}
