//! Vouchers as the agency sees them: searched by number, member number or
//! name; one voucher with its journal; and undoing a mistaken use.

use crate::domain::{Day, Timestamp, VoucherStatus, agency::LIST_LIMIT};
use crate::error::AppError;
use crate::model::agency::{AgencyVoucherDetail, AgencyVoucherList, AgencyVoucherRow, VoucherInvoice};
use crate::server::audit::{self, Actor, Entity};
use crate::server::error::ServerError;
use crate::server::services::agencies::{self, history_view};
use crate::server::services::journal;
use crate::server::store::invoices;
use crate::server::store::vouchers::{self, VoucherRecord, VoucherSearch};
use crate::server::{AppState, auth::Staff};
use chrono::{DateTime, Utc};
use serde_json::json;

/// A voucher row as every back-office list shows it.
pub(crate) fn row_view(v: VoucherRecord, today: Day) -> AgencyVoucherRow {
    AgencyVoucherRow {
        id: v.id,
        status: v.status.as_seen_on(v.valid_until, today),
        use_cancelled: v.use_cancelled_at.is_some(),
        amount: v.amount,
        supplier: v.supplier_name,
        member_number: v.member_number,
        member_name: v.member_name,
        requested_on: v.requested_at.paris_day(),
        used_at: v.used_at.map(Timestamp::paris),
        number: v.number,
        locked: v.locked_at.is_some(),
    }
}

#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn search(
    state: &AppState,
    staff: &Staff,
    typed: &str,
    status: &str,
    asked: Option<&str>,
    now: DateTime<Utc>,
) -> Result<AgencyVoucherList, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let status = match status.trim() {
        "" => None,
        code => Some(
            code.parse::<i64>()
                .ok()
                .and_then(VoucherStatus::from_code)
                .ok_or_else(|| AppError::Invalid("Choisissez un statut dans la liste.".into()))?,
        ),
    };
    let typed = agencies::typed_search(typed)?;
    let search = VoucherSearch {
        agency_id: staff.scope(chosen),
        typed: &typed,
        status,
        limit: i64::try_from(LIST_LIMIT + 1).unwrap_or(i64::MAX),
    };
    let mut found = vouchers::search(state.db.pool(), &search).await?;
    let truncated = found.len() > LIST_LIMIT;
    found.truncate(LIST_LIMIT);
    let today = Timestamp::new(now).paris_day();
    Ok(AgencyVoucherList {
        desk: agencies::desk(state, staff, chosen).await?,
        rows: found.into_iter().map(|v| row_view(v, today)).collect(),
        truncated,
    })
}

/// A voucher of the staff member's agency; another agency's is as unknown
/// as a missing one.
async fn own_voucher(state: &AppState, staff: &Staff, id: i64) -> Result<VoucherRecord, ServerError> {
    Ok(vouchers::find(state.db.pool(), id)
        .await?
        .filter(|v| staff.covers(v.agency_id))
        .ok_or(AppError::VoucherNotFound)?)
}

#[tracing::instrument(skip_all, fields(staff = %staff.login, voucher = id))]
pub async fn detail(
    state: &AppState,
    staff: &Staff,
    id: i64,
    now: DateTime<Utc>,
) -> Result<AgencyVoucherDetail, ServerError> {
    let v = own_voucher(state, staff, id).await?;
    let pool = state.db.pool();
    let mut conn = pool.acquire().await?;
    let claim = invoices::claim_on_voucher(&mut conn, v.id, None).await?;
    drop(conn);
    let invoice = claim.clone().map(|(number, status)| VoucherInvoice { number, status });
    let today = Timestamp::new(now).paris_day();
    let history = history_view(audit::history(pool, Entity::Voucher, v.id).await?)?;
    let agency_name = crate::server::store::agencies::find(pool, v.agency_id).await?.map(|a| a.name);
    Ok(AgencyVoucherDetail {
        can_undo_use: v.status == VoucherStatus::Delivered && v.invoice_id.is_none() && claim.is_none(),
        agency_name,
        agency_code: v.agency_code.clone(),
        valid_until: v.valid_until,
        validated_at: v.validated_at.map(Timestamp::paris),
        locked_at: v.locked_at.map(Timestamp::paris),
        wrong_codes: v.code_failures,
        invoice,
        paid_on: v.paid_on,
        use_cancelled_at: v.use_cancelled_at.map(Timestamp::paris),
        history,
        row: row_view(v, today),
    })
}

/// Staff reverse a mistaken use (the member pressed OK at the wrong
/// counter, for the wrong amount…) while no invoice claims the voucher: it
/// becomes 91-annulé, keeps its number, which stays consumed in the series
/// and is never given again, and the reason goes to the journal.
#[tracing::instrument(skip_all, fields(staff = %staff.login, voucher = id))]
pub async fn undo_use(
    state: &AppState,
    staff: &Staff,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let mut tx = state.db.begin_write().await?;
    let v = vouchers::find_for_update(&mut tx, id)
        .await?
        .filter(|v| staff.covers(v.agency_id))
        .ok_or(AppError::VoucherNotFound)?;
    let reason = crate::server::services::invoices::review::written_reason(reason, "le motif de l'annulation")?;
    let status = v.status;
    if status != VoucherStatus::Delivered {
        let why = match status {
            VoucherStatus::Issued => "il n'a pas été utilisé".to_owned(),
            VoucherStatus::Cancelled if v.use_cancelled_at.is_some() => "son utilisation est déjà annulée".to_owned(),
            other => format!("il est {}", other.label()),
        };
        return Err(AppError::Conflict(format!("L'utilisation de ce bon ne peut pas être annulée : {why}.")).into());
    }
    let claim = invoices::claim_on_voucher(tx.conn(), id, None).await?;
    if let Some((invoice, invoice_status)) = claim {
        return Err(AppError::Conflict(format!(
            "Ce bon figure sur la facture n° {invoice} du fournisseur ({}) : son utilisation ne peut plus être annulée.",
            invoice_status.label()
        )).into());
    }
    let at = Timestamp::new(now);
    if !vouchers::undo_use(tx.conn(), id, at).await? {
        // Locked row, status checked above: only an invoice set behind our back.
        return Err(AppError::Conflict("Ce bon a été facturé entre-temps : rechargez la page.".into()).into());
    }
    let before = json!({ "status": status.label(), "number": v.number, "used_at": v.used_at.map(Timestamp::rfc3339) });
    let after =
        json!({ "status": VoucherStatus::Cancelled.label(), "use_cancelled_at": at.rfc3339(), "reason": reason });
    journal(&mut tx, &Actor::staff(staff), Entity::Voucher, id, "undo_use", before, after, now).await?;
    tx.commit().await?;
    tracing::info!(voucher = id, number = ?v.number, "use undone by agency staff");
    Ok(())
}
