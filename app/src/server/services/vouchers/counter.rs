//! The supplier's counter check: a voucher's number and secret code typed
//! at the till, and what the supplier learns of it.

use crate::domain::{VoucherNumber, member::initials};
use crate::server::error::ServerError;
use crate::server::services::vouchers::{self, Checker};
use crate::server::store;
use crate::server::{AppState, audit::Actor, auth::SupplierUser};
use crate::{error::AppError, model::supplier::CounterCheck};
use chrono::{DateTime, Utc};

/// A supplier's staff checking at the counter: charged like any logged-in
/// account, per address and per account.
pub fn checker(user: &SupplierUser, address: &str) -> Checker {
    Checker::new(Actor::supplier(user), Some(user.supplier_id), address)
}

/// The counter check: `vouchers::verify_code` (its budgets, its single
/// answer for every failure, its lock after five wrong codes), then what
/// the supplier needs to decide whether to deliver and invoice.
#[tracing::instrument(skip_all, fields(supplier = supplier_id, number = %number))]
pub async fn counter_check(
    state: &AppState,
    checker: &Checker,
    supplier_id: i64,
    number: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CounterCheck, ServerError> {
    let v = vouchers::verify_code(state, checker, number, code, now).await?;
    describe(state, supplier_id, v).await
}

/// The answer page after a check: the signed proof stands for the code
/// that was typed right, so showing the answer again charges nothing. A
/// link without a valid proof shows no answer (None).
#[tracing::instrument(skip_all, fields(supplier = supplier_id, number = %number))]
pub async fn checked_by_proof(
    state: &AppState,
    supplier_id: i64,
    number: &str,
    proof: &str,
) -> Result<Option<CounterCheck>, ServerError> {
    let Ok(number) = number.parse::<VoucherNumber>() else {
        return Ok(None);
    };
    let number = number.to_string();
    if !state.keys.verify_code_checked(&number, proof) {
        return Ok(None);
    }
    let found = store::vouchers::find_by_number(state.db.pool(), &number).await?;
    match found {
        Some(v) => describe(state, supplier_id, v).await.map(Some),
        None => Ok(None),
    }
}

/// What a supplier who typed the right number and code learns. Of another
/// supplier's voucher, exactly what the public check page shows to anyone
/// holding the number (genuine, for whom, value, status, date of use, the
/// member's initials) — enough to refuse to deliver on it — and nothing of
/// that supplier's invoicing.
async fn describe(
    state: &AppState,
    supplier_id: i64,
    v: store::vouchers::VoucherRecord,
) -> Result<CounterCheck, ServerError> {
    let own = v.supplier_id == supplier_id;
    let invoice = if own { store::vouchers::delivered::claim(state.db.pool(), supplier_id, v.id).await? } else { None };
    // A voucher with a number has been used: both are set together.
    let (Some(number), Some(used_at)) = (v.number, v.used_at) else {
        tracing::error!(voucher = v.id, "a checked voucher without its number or time of use");
        return Err(AppError::Internal.into());
    };
    Ok(CounterCheck {
        number,
        supplier: v.supplier_name,
        own,
        amount: v.amount,
        status: v.status,
        used_at: used_at.paris(),
        member_initials: initials(&v.member_name),
        invoice,
    })
}
