//! Request, use and validate a voucher; list and show a member's vouchers;
//! check a voucher from its QR link.

pub mod agency;
pub mod counter;
pub mod delivered;

use super::journal;
use crate::domain::{AgencySettings, Day, Money, SecretCodeLength, Timestamp, VoucherNumber, VoucherStatus};
use crate::domain::{member::initials, parse_typed_code, voucher::VoucherNumberError};
use crate::error::AppError;
use crate::model::vouchers::VoucherRow;
use crate::model::vouchers::{CancelledUse, CheckedVoucher, RequestForm, SupplierChoice, UseReceipt, VoucherCard};
use crate::server::audit::{Actor, Entity};
use crate::server::auth::{Member, Staff};
use crate::server::budgets::{self, Budget};
use crate::server::codes::{CodeInputs, Keys, MissingKey};
use crate::server::error::ServerError;
use crate::server::store::vouchers::{self, ListedVoucher, NewVoucher, Use, VoucherRecord};
use crate::server::store::{agencies, suppliers};
use crate::server::{AppState, db::WriteTx, meters};
use chrono::{DateTime, Datelike, Days, Utc};
use serde_json::json;

/// Paid up while today (Paris) is on or before the paid-until day.
pub fn fee_paid_up(member: &Member, now: DateTime<Utc>) -> bool {
    crate::domain::member::fee_paid_up(member.fee_paid_until, crate::domain::Timestamp::new(now).paris_day())
}

#[tracing::instrument(skip_all, fields(member = member.id))]
pub async fn request_choices(state: &AppState, member: &Member) -> Result<RequestForm, ServerError> {
    let suppliers = suppliers::active_for_agency(state.db.pool(), member.agency_id)
        .await?
        .into_iter()
        .map(|s| SupplierChoice { id: s.id, name: s.name })
        .collect();
    let agency = agency_of(state, member).await?;
    Ok(RequestForm { suppliers, max_voucher: agency.max_voucher })
}

/// The rules of the member's agency.
async fn agency_of(state: &AppState, member: &Member) -> Result<AgencySettings, ServerError> {
    Ok(agencies::find(state.db.pool(), member.agency_id).await?.map(|a| a.settings()).ok_or(AppError::Internal)?)
}

/// Creates a `1-EMIS` voucher if the member's fee is paid up. Every refusal
/// happens before anything is written.
#[tracing::instrument(skip_all, fields(member = member.id))]
pub async fn request_voucher(
    state: &AppState,
    member: &Member,
    supplier_id: &str,
    amount: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let supplier_id: i64 = supplier_id.trim().parse().map_err(|_| AppError::NoSupplierChosen)?;
    let agency = agency_of(state, member).await?;
    let amount =
        Money::parse_request(amount, agency.max_voucher).map_err(|e| AppError::field("amount", e.to_string()))?;
    if !fee_paid_up(member, now) {
        return Err(AppError::FeeNotPaid.into());
    }
    let now = Timestamp::new(now);
    let valid_until = now
        .paris_day()
        .date()
        .checked_add_days(Days::new(u64::from(agency.validity_days.saturating_sub(1))))
        .map(Day::new)
        .ok_or(AppError::Internal)?;

    let mut tx = state.db.begin_write().await?;
    let supplier = suppliers::find(tx.conn(), supplier_id).await?;
    match supplier {
        Some(s) if s.active && s.agency_id == member.agency_id => {}
        _ => return Err(AppError::SupplierUnavailable.into()),
    }
    let id = vouchers::insert(
        tx.conn(),
        &NewVoucher {
            member_id: member.id,
            supplier_id,
            agency_id: member.agency_id,
            amount,
            requested_at: now,
            valid_until,
        },
    )
    .await?;
    let after = json!({
        "status": VoucherStatus::Issued.label(),
        "amount_cents": amount.cents(),
        "supplier_id": supplier_id,
        "member_id": member.id,
        "valid_until": valid_until.iso(),
    });
    journal(&mut tx, &Actor::member(member), Entity::Voucher, id, "request", json!({}), after, now.utc()).await?;
    tx.commit().await?;
    tracing::info!(voucher = id, member = member.id, amount = amount.cents(), "voucher requested");
    Ok(id)
}

#[tracing::instrument(skip_all, fields(member = member.id))]
pub async fn list_for_member(
    state: &AppState,
    member: &Member,
    now: DateTime<Utc>,
) -> Result<Vec<VoucherRow>, ServerError> {
    let today = Timestamp::new(now).paris_day();
    let rows = vouchers::listed_for_member(state.db.pool(), state.db.backend(), member.id).await?;
    Ok(rows
        .into_iter()
        .map(|ListedVoucher { mut row, valid_until }| {
            row.status = row.status.as_seen_on(valid_until, today);
            row
        })
        .collect())
}

/// The card as its member sees it, QR code included.
#[tracing::instrument(skip_all, fields(member = member.id, voucher = id))]
pub async fn card(state: &AppState, member: &Member, id: i64, now: DateTime<Utc>) -> Result<VoucherCard, ServerError> {
    let v = own_voucher(state, member, id).await?;
    let mut card = card_of(state, v, Timestamp::new(now).paris_day());
    card.qr_svg = card.check_url.as_deref().and_then(crate::server::codes::qr_svg);
    Ok(card)
}

/// The card as its member sees it on `today`, without its QR code: what a
/// use answers with. Encoding a QR code takes about 1.3 ms of the server's
/// time (choosing its mask), as much as the rest of a use.
fn card_of(state: &AppState, v: VoucherRecord, today: Day) -> VoucherCard {
    // A use the agency undid has no code to show any more.
    let cancelled_use = match (v.use_cancelled_at, &v.number) {
        (Some(at), Some(number)) => Some(CancelledUse { number: number.clone(), on: at.paris() }),
        _ => None,
    };
    let receipt = if v.use_cancelled_at.is_some() { None } else { receipt(state, &v) };
    let check_url = if v.use_cancelled_at.is_some() { None } else { check_url(state, &v) };
    VoucherCard {
        id: v.id,
        status: v.status.as_seen_on(v.valid_until, today),
        amount: v.amount,
        qr_svg: None,
        check_url,
        receipt,
        supplier: v.supplier_name,
        member_number: v.member_number,
        member_name: v.member_name,
        valid_until: v.valid_until,
        cancelled_use,
    }
}

/// The use transaction: 1-EMIS → 11-livré with the next number of the
/// agency's series and a derived code, all or nothing. A voucher this member
/// already used returns its existing number and code, so a double tap or a
/// retry after a lost answer shows the same screen. The answer is the card
/// as it stands once used, without its QR code: the phone shows the code
/// screen from it without asking again.
#[tracing::instrument(skip_all, fields(member = member.id, voucher = id))]
pub async fn use_voucher(
    state: &AppState,
    member: &Member,
    id: i64,
    now: DateTime<Utc>,
) -> Result<VoucherCard, ServerError> {
    // Members at many counters use vouchers at once: their uses share commits.
    let mut tx = state.db.begin_grouped().await?;
    let v = vouchers::find_for_update(&mut tx, id)
        .await?
        .filter(|v| v.member_id == member.id)
        .ok_or(AppError::VoucherNotFound)?;
    let status = v.status;
    let now = Timestamp::new(now);
    let today = now.paris_day();
    if !status.can_become(VoucherStatus::Delivered) {
        // A use of this group may have made the status read: shown only once committed.
        tx.commit().await?;
        return match status {
            VoucherStatus::Expired => Err(AppError::VoucherExpired(v.valid_until.to_string()).into()),
            VoucherStatus::Cancelled => Err(AppError::VoucherNotUsable(status.label().into()).into()),
            _ => Some(card_of(state, v, today))
                .filter(|card| card.receipt.is_some())
                .ok_or_else(|| AppError::VoucherNotUsable(status.label().into()).into()),
        };
    }
    if today > v.valid_until {
        return Err(AppError::VoucherExpired(v.valid_until.to_string()).into());
    }

    let year = today.date().year();
    let sequence = vouchers::next_sequence(tx.conn(), v.agency_id, year).await?;
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
        })?;
    let code_length = u8::try_from(v.agency_code_length)
        .ok()
        .and_then(|l| SecretCodeLength::new(l).ok())
        .unwrap_or(SecretCodeLength::DEFAULT);
    // The code is made with the key in service, and recomputed with it later.
    let key_version = state.keys.current_version();
    let changed = vouchers::mark_used(
        tx.conn(),
        &Use {
            id,
            used_at: now,
            year,
            sequence,
            number: &number,
            code_length: i64::from(code_length.digits()),
            key_version,
        },
    )
    .await?;
    if !changed {
        // The row is locked (or the whole database is, on SQLite): this cannot
        // happen unless the schema and this code disagree.
        tracing::error!(voucher = id, "voucher changed under its lock");
        return Err(AppError::Internal.into());
    }
    let (before, after) = (
        json!({ "status": status.label() }),
        json!({ "status": VoucherStatus::Delivered.label(), "number": number, "used_at": now.rfc3339() }),
    );
    journal(&mut tx, &Actor::member(member), Entity::Voucher, id, "use", before, after, now.utc()).await?;
    tx.commit().await?;
    tracing::info!(voucher = id, member = member.id, %number, "voucher used");
    meters::voucher_used();

    let code_length = Some(i64::from(code_length.digits()));
    let used = VoucherRecord {
        status: VoucherStatus::Delivered,
        number: Some(number),
        used_at: Some(now),
        code_length,
        key_version,
        ..v
    };
    Ok(card_of(state, used, today))
}

#[tracing::instrument(skip_all, fields(member = member.id, voucher = id))]
pub async fn validate_voucher(
    state: &AppState,
    member: &Member,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let v = own_voucher(state, member, id).await?;
    if v.used_at.is_none() {
        return Err(AppError::VoucherNotUsed.into());
    }
    if v.use_cancelled_at.is_some() {
        return Err(AppError::VoucherNotUsable(VoucherStatus::Cancelled.label().into()).into());
    }
    if v.validated_at.is_none() {
        let at = Timestamp::new(now);
        let mut tx = state.db.begin_write().await?;
        if vouchers::mark_validated(tx.conn(), id, member.id, at).await? {
            let after = json!({ "validated_at": at.rfc3339() });
            let before = json!({ "validated_at": null });
            journal(&mut tx, &Actor::member(member), Entity::Voucher, id, "validate", before, after, now).await?;
        }
        tx.commit().await?;
        tracing::info!(voucher = id, "voucher validated in front of the supplier");
    }
    Ok(())
}

/// The member gives up an issued voucher they no longer need: 1-EMIS →
/// 91-annulé. A used voucher cannot be cancelled here (agency staff undo a
/// mistaken use); cancelling twice is harmless.
#[tracing::instrument(skip_all, fields(member = member.id, voucher = id))]
pub async fn cancel_voucher(state: &AppState, member: &Member, id: i64, now: DateTime<Utc>) -> Result<(), ServerError> {
    let mut tx = state.db.begin_write().await?;
    let v = vouchers::find_for_update(&mut tx, id)
        .await?
        .filter(|v| v.member_id == member.id)
        .ok_or(AppError::VoucherNotFound)?;
    let today = Timestamp::new(now).paris_day();
    let status = v.status;
    match status.as_seen_on(v.valid_until, today) {
        VoucherStatus::Cancelled => return Ok(()),
        VoucherStatus::Issued => {}
        seen => return Err(AppError::VoucherNotCancellable(seen.label().into()).into()),
    }
    let (from, to) = (VoucherStatus::Issued, VoucherStatus::Cancelled);
    if !vouchers::set_status(tx.conn(), id, from, to).await? {
        tracing::error!(voucher = id, "voucher changed under its lock");
        return Err(AppError::Internal.into());
    }
    let (before, after) = (json!({ "status": from.label() }), json!({ "status": to.label() }));
    journal(&mut tx, &Actor::member(member), Entity::Voucher, id, "cancel", before, after, now).await?;
    tx.commit().await?;
    tracing::info!(voucher = id, member = member.id, "voucher cancelled by its member");
    Ok(())
}

/// Records 92-expiré on issued vouchers past their last valid day (screens
/// already show them expired; this makes it a fact for reports). Runs in
/// batches, each one transaction; returns how many vouchers expired.
#[tracing::instrument(skip_all)]
pub async fn expire_overdue(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServerError> {
    const BATCH: i64 = 500;
    let today = Timestamp::new(now).paris_day();
    let actor = Actor::system("expiration des bons");
    let (from, to) = (VoucherStatus::Issued, VoucherStatus::Expired);
    let mut expired = 0;
    loop {
        let mut tx = state.db.begin_write().await?;
        let batch = vouchers::overdue(tx.conn(), today, BATCH).await?;
        for (id, valid_until) in &batch {
            if vouchers::set_status(tx.conn(), *id, from, to).await? {
                let before = json!({ "status": from.label(), "valid_until": valid_until.iso() });
                journal(&mut tx, &actor, Entity::Voucher, *id, "expire", before, json!({ "status": to.label() }), now)
                    .await?;
                expired += 1;
            }
        }
        tx.commit().await?;
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    if expired > 0 {
        tracing::info!(expired, "issued vouchers past their last day recorded as expired");
    }
    Ok(expired)
}

/// Who checks a voucher by number and code, and the budgets their attempts
/// are charged to.
pub struct Checker {
    pub actor: Actor,
    /// The supplier the checker works for, if any: only the voucher's own
    /// supplier's wrong codes count toward its lock.
    pub supplier_id: Option<i64>,
    pub budgets: Vec<(Budget, String)>,
}

impl Checker {
    /// A visitor, or a logged-in account (of a supplier's, `supplier_id`),
    /// at `address`.
    pub fn new(actor: Actor, supplier_id: Option<i64>, address: &str) -> Checker {
        let mut budgets = vec![(budgets::CHECK_PER_ADDRESS, address.to_owned())];
        if let Some(account) = actor.account_id {
            budgets.push((budgets::CHECK_PER_ACCOUNT, account.to_string()));
        }
        Checker { actor, supplier_id, budgets }
    }
}

/// Is this the number and secret code of a used voucher? Every failure gets
/// the same answer, whether the number is unknown, the code wrong, or the
/// voucher not used or locked. Each attempt is charged to the checker's
/// budgets first (refunded on success), and, unless the checker is the
/// voucher's own supplier, to the number's budget of the day; the fifth
/// wrong code in a row from the voucher's own supplier locks it until
/// agency staff unlock it. Nobody else can lock it.
#[tracing::instrument(skip_all, fields(number = %number))]
pub async fn check_code(
    state: &AppState,
    checker: &Checker,
    number: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CheckedVoucher, ServerError> {
    let v = verify_code(state, checker, number, code, now).await?;
    checked(v, true)
}

/// The check behind `check_code`, for callers that say more about the
/// voucher than the public page does (the supplier's counter check, the
/// till's API): the same budgets, the same single answer for every
/// failure, the same lock. Returns the voucher as read under its lock.
#[tracing::instrument(skip_all, fields(number = %number))]
pub async fn verify_code(
    state: &AppState,
    checker: &Checker,
    number: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<VoucherRecord, ServerError> {
    let number: VoucherNumber =
        number.parse().map_err(|e: VoucherNumberError| AppError::field("number", e.to_string()))?;
    let number = number.to_string();
    let code = parse_typed_code(code).map_err(|e| AppError::field("code", e))?;

    let mut tx = state.db.begin_write().await?;
    if !budgets::charge_all(&mut tx, &checker.budgets, now).await? {
        tx.commit().await?;
        tracing::warn!(actor = %checker.actor.name, "voucher check refused: attempt budget spent");
        return Err(AppError::TooManyAttempts.into());
    }
    let found = vouchers::find_by_number_for_update(&mut tx, &number).await?;
    let own = found.as_ref().is_some_and(|v| checker.supplier_id == Some(v.supplier_id));
    let mut charged = checker.budgets.clone();
    if !own {
        // Unknown numbers are charged too: the answer says nothing of which exist.
        let per_voucher = (budgets::CHECK_PER_VOUCHER_DAY, number.clone());
        if !budgets::charge(&mut tx, per_voucher.0, &per_voucher.1, now).await? {
            tx.commit().await?;
            tracing::warn!(actor = %checker.actor.name, "voucher check refused: the number's budget of the day is spent");
            return Err(AppError::VoucherCheckThrottled.into());
        }
        charged.push(per_voucher);
    }
    // Unknown numbers cost an HMAC too, so timing does not tell them apart.
    let code_ok = match &found {
        Some(v) => code_matches(state, v, &code)?,
        None => {
            let length = u8::try_from(code.len()).ok().and_then(|l| SecretCodeLength::new(l).ok());
            let length = length.unwrap_or(SecretCodeLength::DEFAULT);
            let inputs =
                CodeInputs { number: number.clone(), supplier_id: 0, amount_cents: 0, used_at: String::new(), length };
            std::hint::black_box(state.keys.current().code_matches(&inputs, &code));
            false
        }
    };
    let Some(v) = found.filter(|v| v.locked_at.is_none()) else {
        tx.commit().await?;
        meters::check_failed("voucher");
        return Err(AppError::CodeCheckFailed.into());
    };
    if own {
        record_code_result(&mut tx, &checker.actor, &v, code_ok, now).await?;
    }
    if !code_ok {
        tx.commit().await?;
        meters::check_failed("voucher");
        return Err(AppError::CodeCheckFailed.into());
    }
    budgets::refund_all(&mut tx, &charged).await?;
    tx.commit().await?;
    Ok(v)
}

/// Counts a wrong code typed by the voucher's own supplier (at the counter,
/// through its till, on an invoice), locking it at the limit; a right code
/// clears the count. Runs inside the caller's transaction, which holds the
/// voucher.
pub(crate) async fn record_code_result(
    tx: &mut WriteTx,
    actor: &Actor,
    v: &VoucherRecord,
    code_ok: bool,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    if code_ok {
        if v.code_failures > 0 {
            vouchers::set_code_failures(tx.conn(), v.id, 0, None).await?;
        }
        return Ok(());
    }
    let failures = v.code_failures + 1;
    let lock_now = failures >= budgets::CODE_FAILURES_BEFORE_LOCK && v.locked_at.is_none();
    let locked_at = if lock_now { Some(Timestamp::new(now)) } else { v.locked_at };
    vouchers::set_code_failures(tx.conn(), v.id, failures, locked_at).await?;
    if lock_now {
        let before = json!({ "locked": false });
        let after = json!({ "locked": true, "wrong_codes": failures });
        journal(tx, actor, Entity::Voucher, v.id, "lock", before, after, now).await?;
        tracing::warn!(voucher = v.id, "voucher locked after too many wrong codes");
        meters::locked("voucher");
    }
    Ok(())
}

/// Agency staff lift the lock put on a voucher after too many wrong codes.
#[tracing::instrument(skip_all, fields(staff = %staff.login, voucher = id))]
pub async fn unlock_voucher(state: &AppState, staff: &Staff, id: i64, now: DateTime<Utc>) -> Result<(), ServerError> {
    let mut tx = state.db.begin_write().await?;
    let v = vouchers::find_for_update(&mut tx, id)
        .await?
        .filter(|v| staff.covers(v.agency_id))
        .ok_or(AppError::VoucherNotFound)?;
    if v.locked_at.is_some() {
        vouchers::set_code_failures(tx.conn(), id, 0, None).await?;
        let actor = Actor::staff(staff);
        let before = json!({ "locked": true, "wrong_codes": v.code_failures });
        journal(&mut tx, &actor, Entity::Voucher, id, "unlock", before, json!({ "locked": false }), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The QR code's check page: genuine if the link's signature matches; the
/// code counts as checked only with the proof `check_code` hands out.
#[tracing::instrument(skip_all, fields(number = %number))]
pub async fn check(
    state: &AppState,
    number: &str,
    signature: &str,
    code_proof: Option<&str>,
) -> Result<CheckedVoucher, ServerError> {
    let not_genuine =
        || AppError::Invalid("Ce lien de vérification n'est pas valide : ce bon n'est pas authentique.".into());
    let number: VoucherNumber = number.parse().map_err(|_| not_genuine())?;
    let number = number.to_string();
    if !state.keys.verify_check_link(&number, signature) {
        return Err(not_genuine().into());
    }
    let v = vouchers::find_by_number(state.db.pool(), &number).await?.ok_or_else(not_genuine)?;
    let code_checked = code_proof.is_some_and(|proof| state.keys.verify_code_checked(&number, proof));
    checked(v, code_checked)
}

fn checked(v: VoucherRecord, code_checked: bool) -> Result<CheckedVoucher, ServerError> {
    Ok(CheckedVoucher {
        number: v.number.ok_or(AppError::Internal)?,
        supplier: v.supplier_name,
        amount: v.amount,
        status: v.status,
        used_at: v.used_at.map(Timestamp::paris),
        member_initials: initials(&v.member_name),
        code_checked,
    })
}

/// A voucher of this member's; another member's is as unknown as a missing one.
async fn own_voucher(state: &AppState, member: &Member, id: i64) -> Result<VoucherRecord, ServerError> {
    Ok(vouchers::find(state.db.pool(), id)
        .await?
        .filter(|v| v.member_id == member.id)
        .ok_or(AppError::VoucherNotFound)?)
}

/// What the code of a used voucher is computed from: its number and time
/// of use in their stored forms.
pub(crate) fn code_inputs(v: &VoucherRecord) -> Option<CodeInputs> {
    let (number, used_at) = (v.number.as_ref()?, v.used_at?);
    let length = v.code_length.and_then(|l| u8::try_from(l).ok()).and_then(|l| SecretCodeLength::new(l).ok())?;
    Some(CodeInputs {
        number: number.to_string(),
        supplier_id: v.supplier_id,
        amount_cents: v.amount.cents(),
        used_at: used_at.rfc3339(),
        length,
    })
}

/// Is `typed` the code of the used voucher `v`? Checked with the key
/// version its code was made with; false for a voucher not used.
pub(crate) fn code_matches(state: &AppState, v: &VoucherRecord, typed: &str) -> Result<bool, MissingKey> {
    match code_inputs(v) {
        Some(inputs) => Ok(state.keys.version(v.key_version)?.code_matches(&inputs, typed)),
        None => Ok(false),
    }
}

/// Number and recomputed code of a used voucher, as the code screen shows
/// them: the phone keeps this screen's text to show it offline.
fn receipt(state: &AppState, v: &VoucherRecord) -> Option<UseReceipt> {
    let inputs = code_inputs(v)?;
    let code = keys_of(state, v)?.secret_code(&inputs);
    Some(UseReceipt {
        used_at: v.used_at?.paris(),
        number: v.number.clone()?,
        code: code.reveal().to_owned(),
        validated: v.validated_at.is_some(),
    })
}

/// The QR code's link, signed with the key version of the voucher's code.
fn check_url(state: &AppState, v: &VoucherRecord) -> Option<String> {
    let number = v.number.as_ref()?;
    Some(format!(
        "{}/verifier/{number}?s={}",
        state.settings.public_url.trim_end_matches('/'),
        keys_of(state, v)?.sign_check_link(&number.to_string())
    ))
}

/// The keys a used voucher's code and link were made with; none when this
/// server lacks them (logged: the screen then shows no code rather than a
/// wrong one).
fn keys_of<'a>(state: &'a AppState, v: &VoucherRecord) -> Option<&'a Keys> {
    match state.keys.version(v.key_version) {
        Ok(keys) => Some(keys),
        Err(missing) => {
            tracing::error!(voucher = v.id, key_version = missing.0, "no server key of this voucher's version");
            None
        }
    }
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
            fee_paid_until: paid_until.and_then(crate::domain::Day::parse_iso),
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
