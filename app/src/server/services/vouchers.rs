//! Request, use and validate a voucher; list and show a member's vouchers;
//! check a voucher from its QR link.

use crate::{
    api::vouchers::{CheckedVoucher, RequestForm, SupplierChoice, UseReceipt, VoucherCard, VoucherRow},
    domain::{Money, SecretCodeLength, VoucherNumber, VoucherStatus, member::initials},
    error::AppError,
    server::{
        AppState,
        auth::Member,
        clock,
        codes::CodeInputs,
        db::internal,
        store::{
            suppliers,
            vouchers::{self, NewVoucher, Use, VoucherRecord},
        },
    },
};
use chrono::{DateTime, Days, Utc};

/// Paid up while today (Paris) is on or before the paid-until day.
pub fn fee_paid_up(member: &Member, now: DateTime<Utc>) -> bool {
    let today = clock::iso_day(clock::paris_date(now));
    member.fee_paid_until.as_deref().is_some_and(|until| today.as_str() <= until)
}

pub async fn request_choices(state: &AppState, member: &Member) -> Result<RequestForm, AppError> {
    let suppliers = suppliers::active_for_agency(state.db.pool(), member.agency_id)
        .await
        .map_err(internal("list suppliers"))?
        .into_iter()
        .map(|s| SupplierChoice { id: s.id, name: s.name })
        .collect();
    Ok(RequestForm { suppliers, max_voucher: state.settings.max_voucher })
}

/// Creates a `1-EMIS` voucher if the member's fee is paid up. Every refusal
/// happens before anything is written.
pub async fn request_voucher(
    state: &AppState,
    member: &Member,
    supplier_id: &str,
    amount: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let supplier_id: i64 = supplier_id.trim().parse().map_err(|_| AppError::NoSupplierChosen)?;
    let amount = Money::parse_request(amount, state.settings.max_voucher)?;
    if !fee_paid_up(member, now) {
        return Err(AppError::FeeNotPaid);
    }
    let today = clock::paris_date(now);
    let valid_until = today
        .checked_add_days(Days::new(u64::from(state.settings.validity_days.saturating_sub(1))))
        .ok_or(AppError::Internal)?;

    let mut tx = state.db.begin_write().await.map_err(internal("begin request"))?;
    let supplier = suppliers::find(tx.conn(), supplier_id).await.map_err(internal("find supplier"))?;
    match supplier {
        Some(s) if s.active == 1 && s.agency_id == member.agency_id => {}
        _ => return Err(AppError::SupplierUnavailable),
    }
    let id = vouchers::insert(
        tx.conn(),
        &NewVoucher {
            member_id: member.id,
            supplier_id,
            agency_id: member.agency_id,
            amount_cents: amount.cents(),
            requested_at: &clock::stamp(now),
            valid_until: &clock::iso_day(valid_until),
        },
    )
    .await
    .map_err(internal("insert voucher"))?;
    tx.commit().await.map_err(internal("commit request"))?;
    tracing::info!(voucher = id, member = member.id, amount = amount.cents(), "voucher requested");
    Ok(id)
}

pub async fn list_for_member(
    state: &AppState,
    member: &Member,
    now: DateTime<Utc>,
) -> Result<Vec<VoucherRow>, AppError> {
    let today = clock::iso_day(clock::paris_date(now));
    let rows = vouchers::list_for_member(state.db.pool(), member.id).await.map_err(internal("list vouchers"))?;
    Ok(rows
        .into_iter()
        .map(|v| VoucherRow {
            id: v.id,
            status: seen_status(&v, &today),
            amount: Money::from_cents(v.amount_cents),
            supplier: v.supplier_name,
            number: v.number,
            requested_on: clock::display_day(&clock::iso_day(
                clock::parse_stamp(&v.requested_at).map(clock::paris_date).unwrap_or(clock::paris_date(now)),
            )),
        })
        .collect())
}

pub async fn card(state: &AppState, member: &Member, id: i64, now: DateTime<Utc>) -> Result<VoucherCard, AppError> {
    let v = own_voucher(state, member, id).await?;
    let today = clock::iso_day(clock::paris_date(now));
    let receipt = receipt(state, &v);
    let check_url = v.number.as_deref().map(|n| check_url(state, n));
    Ok(VoucherCard {
        id: v.id,
        status: seen_status(&v, &today),
        amount: Money::from_cents(v.amount_cents),
        qr_svg: check_url.as_deref().and_then(crate::server::codes::qr_svg),
        check_url,
        receipt,
        supplier: v.supplier_name,
        member_number: v.member_number,
        member_name: v.member_name,
        valid_until: clock::display_day(&v.valid_until),
    })
}

/// The use transaction: 1-EMIS → 11-livré with the next number of the
/// agency's series and a derived code, all or nothing. A voucher this member
/// already used returns its existing number and code, so a double tap or a
/// retry after a lost answer shows the same screen.
pub async fn use_voucher(
    state: &AppState,
    member: &Member,
    id: i64,
    now: DateTime<Utc>,
) -> Result<UseReceipt, AppError> {
    let mut tx = state.db.begin_write().await.map_err(internal("begin use"))?;
    let v = vouchers::find_for_update(tx.conn(), id, state.db.lock_rows())
        .await
        .map_err(internal("find voucher for use"))?
        .filter(|v| v.member_id == member.id)
        .ok_or(AppError::VoucherNotFound)?;
    let status = VoucherStatus::from_code(v.status).ok_or(AppError::Internal)?;
    if !status.can_become(VoucherStatus::Delivered) {
        drop(tx);
        return match (status, receipt(state, &v)) {
            (VoucherStatus::Cancelled, _) | (_, None) => Err(AppError::VoucherNotUsable(status.label().into())),
            (_, Some(receipt)) => Ok(receipt),
        };
    }
    let today = clock::iso_day(clock::paris_date(now));
    if today > v.valid_until {
        return Err(AppError::VoucherExpired(clock::display_day(&v.valid_until)));
    }

    let year = clock::paris_year(now);
    let sequence = vouchers::next_sequence(tx.conn(), v.agency_id, year).await.map_err(internal("next sequence"))?;
    let number = u32::try_from(sequence)
        .ok()
        .and_then(|seq| VoucherNumber::new(year, &v.agency_code, &v.centre_code, seq).ok())
        .ok_or_else(|| {
            tracing::error!(
                agency = v.agency_id,
                year,
                sequence,
                "voucher number series exhausted or agency codes invalid"
            );
            AppError::Internal
        })?
        .to_string();
    let used_at = clock::stamp(now);
    let code_length = state.settings.code_length;
    let changed = vouchers::mark_used(
        tx.conn(),
        &Use { id, used_at: &used_at, year, sequence, number: &number, code_length: i64::from(code_length.digits()) },
    )
    .await
    .map_err(internal("mark used"))?;
    if !changed {
        // The row is locked (or the whole database is, on SQLite): this cannot
        // happen unless the schema and this code disagree.
        tracing::error!(voucher = id, "voucher changed under its lock");
        return Err(AppError::Internal);
    }
    tx.commit().await.map_err(internal("commit use"))?;
    tracing::info!(voucher = id, member = member.id, %number, "voucher used");

    let code = state.keys.secret_code(&CodeInputs {
        number: &number,
        supplier_id: v.supplier_id,
        amount_cents: v.amount_cents,
        used_at: &used_at,
        length: code_length,
    });
    Ok(UseReceipt {
        number,
        code: code.reveal().to_owned(),
        used_at: clock::display_datetime(&used_at),
        validated: false,
    })
}

pub async fn validate_voucher(state: &AppState, member: &Member, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    let v = own_voucher(state, member, id).await?;
    if v.used_at.is_none() {
        return Err(AppError::VoucherNotUsed);
    }
    if v.validated_at.is_none() {
        vouchers::mark_validated(state.db.pool(), id, member.id, &clock::stamp(now))
            .await
            .map_err(internal("mark validated"))?;
        tracing::info!(voucher = id, "voucher validated in front of the supplier");
    }
    Ok(())
}

pub async fn check(state: &AppState, number: &str, signature: &str) -> Result<CheckedVoucher, AppError> {
    let not_genuine =
        || AppError::Invalid("Ce lien de vérification n'est pas valide : ce bon n'est pas authentique.".into());
    let number: VoucherNumber = number.parse().map_err(|_| not_genuine())?;
    let number = number.to_string();
    if !state.keys.verify_check_link(&number, signature) {
        return Err(not_genuine());
    }
    let v = vouchers::find_by_number(state.db.pool(), &number)
        .await
        .map_err(internal("find by number"))?
        .ok_or_else(not_genuine)?;
    Ok(CheckedVoucher {
        number,
        supplier: v.supplier_name,
        amount: Money::from_cents(v.amount_cents),
        status: VoucherStatus::from_code(v.status).ok_or(AppError::Internal)?,
        used_at: v.used_at.as_deref().map(clock::display_datetime).unwrap_or_default(),
        member_initials: initials(&v.member_name),
    })
}

/// A voucher of this member's; another member's is as unknown as a missing one.
async fn own_voucher(state: &AppState, member: &Member, id: i64) -> Result<VoucherRecord, AppError> {
    vouchers::find(state.db.pool(), id)
        .await
        .map_err(internal("find voucher"))?
        .filter(|v| v.member_id == member.id)
        .ok_or(AppError::VoucherNotFound)
}

fn seen_status(v: &VoucherRecord, today: &str) -> VoucherStatus {
    VoucherStatus::from_code(v.status).unwrap_or(VoucherStatus::Issued).as_seen_on(&v.valid_until, today)
}

/// Number and recomputed code of a used voucher.
fn receipt(state: &AppState, v: &VoucherRecord) -> Option<UseReceipt> {
    let (number, used_at) = (v.number.as_deref()?, v.used_at.as_deref()?);
    let length = v.code_length.and_then(|l| u8::try_from(l).ok()).and_then(|l| SecretCodeLength::new(l).ok())?;
    let code = state.keys.secret_code(&CodeInputs {
        number,
        supplier_id: v.supplier_id,
        amount_cents: v.amount_cents,
        used_at,
        length,
    });
    Some(UseReceipt {
        number: number.to_owned(),
        code: code.reveal().to_owned(),
        used_at: clock::display_datetime(used_at),
        validated: v.validated_at.is_some(),
    })
}

fn check_url(state: &AppState, number: &str) -> String {
    format!(
        "{}/verifier/{number}?s={}",
        state.settings.public_url.trim_end_matches('/'),
        state.keys.sign_check_link(number)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn member(paid_until: Option<&str>) -> Member {
        Member {
            id: 1,
            account_id: 1,
            login: "44000123B".into(),
            agency_id: 1,
            number: "44000123B".into(),
            name: "Camille Martin".into(),
            fee_paid_until: paid_until.map(str::to_owned),
        }
    }

    #[test]
    fn the_fee_is_paid_up_through_its_last_day_in_paris() {
        // 31 Dec 2026, 23:30 in Paris is still 2026 there, 22:30 UTC.
        let last_evening = Utc.with_ymd_and_hms(2026, 12, 31, 22, 30, 0).unwrap();
        let next_morning = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert!(fee_paid_up(&member(Some("2026-12-31")), last_evening));
        assert!(!fee_paid_up(&member(Some("2026-12-31")), next_morning), "already 1 January in Paris");
        assert!(!fee_paid_up(&member(None), last_evening), "never paid");
    }
}
