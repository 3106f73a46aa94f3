//! Pass Castors at the counter: a partner supplier's staff (their screen) or
//! till (the REST API) type a pass's number and the secret code printed on
//! it, and the pass is spent for its whole face value, once. Its check
//! page, behind the QR code printed on it, tells anyone whether it can
//! still be spent, never its code.
//!
//! Every path refuses a pass that cannot be spent (not yet active,
//! expired, cancelled, blocked, already spent elsewhere) with a sentence
//! that says which; a wrong code or an unknown number gets one answer, and
//! five wrong codes in a row lock the pass until agency staff unlock it.

use super::journal;
use super::vouchers::Checker;
use crate::domain::pass::{PassNumber, PassState};
use crate::domain::{Timestamp, parse_typed_code};
use crate::error::AppError;
use crate::model::passes::{CheckedPass, SpentPass};
use crate::server::audit::{Actor, Entity};
use crate::server::auth::{Staff, SupplierUser};
use crate::server::budgets;
use crate::server::codes::{Keys, PASS_CODE_DIGITS};
use crate::server::error::ServerError;
use crate::server::services::accounts::api_keys::ApiClient;
use crate::server::store::passes::{self as store, PassRecord};
use crate::server::{AppState, Settings, db::WriteTx, meters};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Who spends a pass: a partner supplier's staff or till, the budgets
/// their attempts are charged to, and the agency whose passes they take.
pub struct Spender {
    pub checker: Checker,
    pub supplier_id: i64,
    pub agency_id: i64,
}

impl Spender {
    pub fn staff(user: &SupplierUser, address: &str) -> Spender {
        Spender {
            checker: super::vouchers::counter::checker(user, address),
            supplier_id: user.supplier_id,
            agency_id: user.agency_id,
        }
    }

    pub fn till(client: &ApiClient, address: &str) -> Spender {
        Spender { checker: client.checker(address), supplier_id: client.supplier_id, agency_id: client.agency_id }
    }
}

/// The number as typed, or the sentence that says how it is written.
fn parse_number(number: &str) -> Result<PassNumber, AppError> {
    number.parse::<PassNumber>().map_err(|e| AppError::field("number", e.to_string()))
}

/// The code as typed (spaces, dots and dashes ignored): its digits, or why not.
fn parse_code(code: &str) -> Result<String, AppError> {
    let digits = parse_typed_code(code).map_err(|_| {
        if code.trim().is_empty() {
            AppError::field("code", "Saisissez le code secret imprimé sur le pass.")
        } else {
            AppError::field("code", format!("Le code secret d'un pass est composé de {PASS_CODE_DIGITS} chiffres."))
        }
    })?;
    if digits.len() != usize::from(PASS_CODE_DIGITS) {
        return Err(AppError::field(
            "code",
            format!("Le code secret d'un pass est composé de {PASS_CODE_DIGITS} chiffres."),
        ));
    }
    Ok(digits)
}

/// Spends the pass: its number and code right, active, within its
/// validity, of the supplier's agency, not blocked. Spending again a pass
/// this supplier already spent answers the same receipt (a retry after a
/// lost answer); any other refusal changes nothing but the count of wrong
/// codes.
#[tracing::instrument(skip_all, fields(supplier = spender.supplier_id, number = %number))]
pub async fn spend(
    state: &AppState,
    spender: &Spender,
    number: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<SpentPass, ServerError> {
    let number = parse_number(number)?;
    let code = parse_code(code)?;
    let text = number.to_string();
    let checker = &spender.checker;

    // Passes spent at many counters at once share their commits.
    let mut tx = state.db.begin_grouped().await?;
    if !budgets::charge_all(&mut tx, &checker.budgets, now).await? {
        tx.commit().await?;
        tracing::warn!(actor = %checker.actor.name, "pass spend refused: attempt budget spent");
        return Err(AppError::TooManyAttempts.into());
    }
    let found = store::find_by_number_for_update(&mut tx, &number).await?;
    // An unknown number costs an HMAC too, so timing does not tell it apart.
    let (value, key_version) =
        found.as_ref().map_or((0, state.keys.current_version()), |p| (p.face_value.cents(), p.key_version));
    let code_ok = state.keys.version(key_version)?.pass_code_matches(&text, value, &code) && found.is_some();
    let Some(pass) = found.filter(|p| p.locked_at.is_none()) else {
        tx.commit().await?;
        meters::check_failed("pass");
        return Err(AppError::PassCheckFailed.into());
    };
    if !code_ok {
        record_code_result(&mut tx, &checker.actor, &pass, false, now).await?;
        tx.commit().await?;
        meters::check_failed("pass");
        return Err(AppError::PassCheckFailed.into());
    }
    budgets::refund_all(&mut tx, &checker.budgets).await?;
    record_code_result(&mut tx, &checker.actor, &pass, true, now).await?;
    let at = Timestamp::new(now);
    let refusal = refusal(&pass, spender, at);
    if let Some(refusal) = refusal {
        tx.commit().await?;
        return match refusal {
            Refusal::AlreadyYours(spent_at) => Ok(receipt(number, &pass, spent_at)),
            Refusal::Sentence(sentence) => Err(AppError::Conflict(sentence).into()),
        };
    }
    if !store::mark_spent(tx.conn(), pass.id, spender.supplier_id, at, &checker.actor.name).await? {
        tracing::error!(pass = pass.id, "pass changed under its lock");
        return Err(AppError::Internal.into());
    }
    let before = json!({ "status": PassState::Active.label() });
    let after = json!({
        "status": PassState::Used.label(), "number": text, "supplier_id": spender.supplier_id,
        "amount_cents": pass.face_value.cents(), "used_at": at.rfc3339(),
    });
    journal(&mut tx, &checker.actor, Entity::Pass, pass.id, "spend", before, after, now).await?;
    tx.commit().await?;
    tracing::info!(pass = pass.id, supplier = spender.supplier_id, "pass spent");
    meters::pass_spent();
    Ok(receipt(number, &pass, at))
}

enum Refusal {
    /// Spent by this supplier already: the same receipt again.
    AlreadyYours(Timestamp),
    Sentence(String),
}

/// Why a pass whose code was typed right cannot be spent by `spender` now.
fn refusal(pass: &PassRecord, spender: &Spender, at: Timestamp) -> Option<Refusal> {
    let state = pass.status.on(pass.valid_until, at.paris_day());
    let sentence = |s: &str| Some(Refusal::Sentence(s.to_owned()));
    match state {
        PassState::Used => match (pass.supplier_id, pass.used_at) {
            (Some(supplier), Some(spent_at)) if supplier == spender.supplier_id => {
                Some(Refusal::AlreadyYours(spent_at))
            }
            (_, spent_at) => Some(Refusal::Sentence(format!(
                "Ce pass a déjà été encaissé{} : ne l'acceptez pas.",
                spent_at.map(|t| format!(" le {}", t.paris())).unwrap_or_default()
            ))),
        },
        PassState::NotYetActive => sentence(
            "Ce pass n'est pas encore activé : son commanditaire n'a pas encore réglé sa commande. Ne l'acceptez pas.",
        ),
        PassState::Cancelled => sentence("Ce pass est annulé : sa commande a été annulée. Ne l'acceptez pas."),
        PassState::Expired => Some(Refusal::Sentence(format!(
            "Ce pass a expiré le {} : il ne peut plus être encaissé.",
            pass.valid_until
        ))),
        PassState::Active if pass.blocked_at.is_some() => {
            sentence("Ce pass est bloqué par l'agence (carnet perdu ou volé) : ne l'acceptez pas.")
        }
        PassState::Active if pass.agency_id != spender.agency_id => {
            sentence("Ce pass a été émis par une autre agence Castors : il n'est pas valable chez vous.")
        }
        PassState::Active => None,
    }
}

fn receipt(number: PassNumber, pass: &PassRecord, spent_at: Timestamp) -> SpentPass {
    SpentPass {
        number,
        face_value: pass.face_value,
        sponsor: pass.sponsor.clone(),
        spent_at: spent_at.paris(),
        invoice: None,
        paid_on: None,
    }
}

/// Counts a wrong code typed for a pass (at the counter, through the till,
/// on an invoice of the supplier who spent it), locking the pass at the
/// limit (journaled); a right code clears the count. Runs inside the
/// caller's transaction, which holds the pass.
pub(crate) async fn record_code_result(
    tx: &mut WriteTx,
    actor: &Actor,
    pass: &PassRecord,
    code_ok: bool,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    if code_ok {
        if pass.code_failures > 0 && pass.locked_at.is_none() {
            store::set_code_failures(tx.conn(), pass.id, 0, None).await?;
        }
        return Ok(());
    }
    let failures = pass.code_failures + 1;
    let lock_now = failures >= budgets::CODE_FAILURES_BEFORE_LOCK && pass.locked_at.is_none();
    let locked_at = if lock_now { Some(Timestamp::new(now)) } else { pass.locked_at };
    store::set_code_failures(tx.conn(), pass.id, failures, locked_at).await?;
    if lock_now {
        let (before, after) = (json!({ "locked": false }), json!({ "locked": true, "wrong_codes": failures }));
        journal(tx, actor, Entity::Pass, pass.id, "lock", before, after, now).await?;
        tracing::warn!(pass = pass.id, "pass locked after too many wrong codes");
        meters::locked("pass");
    }
    Ok(())
}

/// The answer page after a spend: the signed proof stands for the code
/// typed right, so showing the receipt again charges nothing. Only the
/// supplier who spent the pass sees it; anything else shows no receipt.
#[tracing::instrument(skip_all, fields(supplier = supplier_id, number = %number))]
pub async fn spent_by_proof(
    state: &AppState,
    supplier_id: i64,
    number: &str,
    proof: &str,
) -> Result<Option<SpentPass>, ServerError> {
    let Ok(number) = number.parse::<PassNumber>() else {
        return Ok(None);
    };
    if !state.keys.verify_code_checked(&number.to_string(), proof) {
        return Ok(None);
    }
    let pass = store::find_by_number(state.db.pool(), &number).await?;
    Ok(pass.and_then(|p| match (p.supplier_id, p.used_at) {
        (Some(s), Some(at)) if s == supplier_id => Some(receipt(number, &p, at)),
        _ => None,
    }))
}

/// The page behind the QR code printed on a pass: genuine if the link's
/// signature holds; what it is worth and whether it can still be spent.
#[tracing::instrument(skip_all, fields(number = %number))]
pub async fn check(
    state: &AppState,
    number: &str,
    signature: &str,
    now: DateTime<Utc>,
) -> Result<CheckedPass, ServerError> {
    let not_genuine =
        || AppError::Invalid("Ce lien de vérification n'est pas valide : ce pass n'est pas authentique.".into());
    let number: PassNumber = number.parse().map_err(|_| not_genuine())?;
    if !state.keys.verify_check_link(&number.to_string(), signature) {
        return Err(not_genuine().into());
    }
    let pass = store::find_by_number(state.db.pool(), &number).await?.ok_or_else(not_genuine)?;
    Ok(CheckedPass {
        state: pass.status.on(pass.valid_until, Timestamp::new(now).paris_day()),
        held: pass.locked_at.is_some() || pass.blocked_at.is_some(),
        spent_at: pass.used_at.map(Timestamp::paris),
        number,
        face_value: pass.face_value,
        sponsor: pass.sponsor,
        valid_until: pass.valid_until,
    })
}

/// The link printed as a QR code on the pass, signed with the key version
/// of the pass's code.
pub fn check_url(keys: &Keys, settings: &Settings, number: &PassNumber) -> String {
    format!(
        "{}/pass/{number}?s={}",
        settings.public_url.trim_end_matches('/'),
        keys.sign_check_link(&number.to_string())
    )
}

/// Agency staff lift the lock put on a pass after too many wrong codes.
#[tracing::instrument(skip_all, fields(staff = %staff.login, number = %number))]
pub async fn unlock(state: &AppState, staff: &Staff, number: &str, now: DateTime<Utc>) -> Result<(), ServerError> {
    let number = parse_number(number)?;
    let mut tx = state.db.begin_write().await?;
    let pass = store::find_by_number_for_update(&mut tx, &number)
        .await?
        .filter(|p| staff.covers(p.agency_id))
        .ok_or_else(|| AppError::NotFound("Pass".into()))?;
    if pass.locked_at.is_some() {
        store::set_code_failures(tx.conn(), pass.id, 0, None).await?;
        let before = json!({ "locked": true, "wrong_codes": pass.code_failures });
        journal(
            &mut tx,
            &Actor::staff(staff),
            Entity::Pass,
            pass.id,
            "unlock",
            before,
            json!({ "locked": false }),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The most passes one blocking covers: a few booklets.
pub const MAX_BLOCKED_RANGE: i64 = 1_000;

/// Staff block (a lost or stolen booklet) or unblock the order's passes
/// numbered `first` to `last`: blocked, they cannot be spent until
/// unblocked; spent or cancelled passes are left as they are. Each pass is
/// journaled with the reason. How many changed.
#[tracing::instrument(skip_all, fields(staff = %staff.login, order = order))]
pub async fn block_range(
    state: &AppState,
    staff: &Staff,
    order: &str,
    range: (&str, &str),
    reason: &str,
    block: bool,
    now: DateTime<Utc>,
) -> Result<u64, ServerError> {
    let order_id: i64 = order.trim().parse().map_err(|_| AppError::NotFound("Commande".into()))?;
    let (first, last) = (parse_number(range.0)?, parse_number(range.1)?);
    let same_series = first.year() == last.year()
        && first.agency_code() == last.agency_code()
        && first.centre_code() == last.centre_code();
    if !same_series || first.sequence() > last.sequence() {
        return Err(AppError::Invalid(
            "Indiquez le premier et le dernier numéro d'une même série, dans l'ordre (du plus petit au plus grand)."
                .into(),
        )
        .into());
    }
    let (low, high) = (i64::from(first.sequence()), i64::from(last.sequence()));
    if high - low + 1 > MAX_BLOCKED_RANGE {
        return Err(AppError::Invalid(format!("Au plus {MAX_BLOCKED_RANGE} pass à la fois.")).into());
    }
    let reason = reason.trim();
    if block && (reason.is_empty() || reason.chars().count() > 200) {
        return Err(
            AppError::Invalid("Indiquez pourquoi ces pass sont bloqués (200 caractères au plus).".into()).into()
        );
    }
    let mut tx = state.db.begin_write().await?;
    let order = crate::server::store::shop::find_order_for_update(&mut tx, order_id)
        .await?
        .filter(|o| staff.covers(o.agency_id))
        .ok_or_else(|| AppError::NotFound("Commande".into()))?;
    let (agency_code, centre_code) = store::agency_codes(tx.conn(), order.agency_id).await?;
    let ids = if first.agency_code() == agency_code && first.centre_code() == centre_code {
        store::in_range_for_update(&mut tx, order.id, i64::from(first.year()), (low, high), block).await?
    } else {
        Vec::new()
    };
    if ids.is_empty() {
        let what = if block { "à bloquer" } else { "bloqué" };
        return Err(AppError::Conflict(format!("Aucun pass de cette commande {what} entre {first} et {last}.")).into());
    }
    let at = Timestamp::new(now);
    let (action, before, after) = if block {
        ("block", json!({ "blocked": false }), json!({ "blocked": true, "reason": reason }))
    } else {
        ("unblock", json!({ "blocked": true }), json!({ "blocked": false, "reason": reason }))
    };
    for id in &ids {
        store::set_blocked(tx.conn(), *id, block.then_some(at)).await?;
        journal(&mut tx, &Actor::staff(staff), Entity::Pass, *id, action, before.clone(), after.clone(), now).await?;
    }
    tx.commit().await?;
    tracing::info!(order = order.id, passes = ids.len(), block, "passes blocked or unblocked");
    Ok(ids.len() as u64)
}
