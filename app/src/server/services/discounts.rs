//! Discount codes: staff create and switch them off; a checkout checks a
//! typed code, then counts its use in the order's own transaction.

use super::{agencies, journal};
use crate::domain::day::parse_day;
use crate::domain::discount::{self, DiscountRefusal};
use crate::domain::pricing::{Discount, Rate};
use crate::domain::{Day, Money, Timestamp};
use crate::error::AppError;
use crate::model::shop::{DiscountCodeList, DiscountCodeRow};
use crate::server::audit::{Actor, Entity};
use crate::server::db::WriteTx;
use crate::server::error::ServerError;
use crate::server::store::{
    self,
    discounts::{self, CODE_KEY, DiscountRecord, NewCode},
};
use crate::server::{AppState, auth::Staff, clock};
use chrono::{DateTime, Utc};
use serde_json::json;

/// A code refused at checkout: its field is the shop's « Code de ristourne ».
impl From<DiscountRefusal> for AppError {
    fn from(refusal: DiscountRefusal) -> AppError {
        AppError::field("code", refusal.to_string())
    }
}

/// What staff type for a new code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeInput {
    pub code: String,
    /// "10 %" (a share of fees and services) or "50 €" (an amount).
    pub discount: String,
    pub valid_from: String,
    pub valid_until: String,
    pub max_uses: String,
    /// The only sponsor (structure id) who may use it, if any.
    pub sponsor_id: Option<i64>,
}

/// "10 %", "12,5%" → a share; "50 €", "50" → an amount. A share says "%".
fn parse_discount(typed: &str) -> Result<Discount, AppError> {
    let typed = typed.trim();
    let refused =
        || AppError::field("discount", "Indiquez la remise : un pourcentage (« 10 % ») ou un montant (« 50 € »).");
    if typed.ends_with('%') {
        let rate = Rate::parse(typed).ok_or_else(refused)?;
        return if rate > Rate::percent(0) { Ok(Discount::Percent(rate)) } else { Err(refused()) };
    }
    let amount = Money::parse(typed).map_err(|_| refused())?;
    Ok(Discount::Fixed(amount))
}

fn check(input: &CodeInput) -> Result<(String, Discount, Day, Day, u32), AppError> {
    let code = discount::normalize(&input.code).map_err(|_| {
        AppError::field(
            "code",
            format!("Le code doit compter de 1 à {} lettres, chiffres ou tirets.", discount::MAX_CODE_LENGTH),
        )
    })?;
    let discount = parse_discount(&input.discount)?;
    let day = |typed: &str, field| parse_day(typed).map(Day::new).map_err(|why| AppError::field(field, why));
    let (from, until) = (day(&input.valid_from, "valid_from")?, day(&input.valid_until, "valid_until")?);
    if until < from {
        return Err(AppError::field("valid_until", "La fin de validité précède son début."));
    }
    let max_uses = input
        .max_uses
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| AppError::field("max_uses", "Le nombre maximum d'utilisations va de 1 à 100 000."))?;
    Ok((code, discount, from, until, max_uses))
}

/// A new code of the staff member's agency (an administrator says which).
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn create(
    state: &AppState,
    staff: &Staff,
    agency: Option<i64>,
    input: &CodeInput,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let agency_id = staff.agency_for_new(agency)?;
    let (code, discount, valid_from, valid_until, max_uses) = check(input)?;
    let new =
        NewCode { agency_id, code: &code, discount, valid_from, valid_until, max_uses, sponsor_id: input.sponsor_id };
    let mut tx = state.db.begin_write().await?;
    let id = match discounts::insert(tx.conn(), &new, Timestamp::new(now), &staff.login).await {
        Ok(id) => id,
        Err(e) => {
            let e = ServerError::from(e);
            return Err(if e.breaks(CODE_KEY) {
                AppError::Conflict(format!("Le code {code} existe déjà dans cette agence.")).into()
            } else {
                e
            });
        }
    };
    journal(&mut tx, &Actor::staff(staff), Entity::DiscountCode, id, "create", json!({}), new.journaled(), now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Staff switch a code off before its end; a code already off is refused.
/// The code of the agency it belongs to, for the page to show next.
#[tracing::instrument(skip_all, fields(staff = %staff.login, code = id))]
pub async fn deactivate(state: &AppState, staff: &Staff, id: i64, now: DateTime<Utc>) -> Result<String, ServerError> {
    let mut tx = state.db.begin_write().await?;
    // Another agency's code is as good as missing.
    let own = discounts::agency_of(tx.conn(), id).await?.filter(|agency| staff.scope(Some(*agency)) == Some(*agency));
    let agency_id = own.ok_or_else(|| AppError::NotFound("Code de ristourne".into()))?;
    if !discounts::deactivate(tx.conn(), agency_id, id).await? {
        return Err(AppError::Conflict("Ce code de ristourne est déjà désactivé.".into()).into());
    }
    let actor = Actor::staff(staff);
    journal(
        &mut tx,
        &actor,
        Entity::DiscountCode,
        id,
        "deactivate",
        json!({"active": true}),
        json!({"active": false}),
        now,
    )
    .await?;
    tx.commit().await?;
    let agency = store::agencies::find(state.db.pool(), agency_id).await?;
    Ok(agency.map(|a| a.code).unwrap_or_default())
}

/// A typed code checked for this sponsor today: the code's row and what it
/// takes off, or the refusal the sponsor reads. Nothing is counted yet.
pub async fn applicable(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    typed: &str,
    sponsor_id: i64,
    today: Day,
) -> Result<(DiscountRecord, Discount), ServerError> {
    let code = discount::normalize(typed).map_err(AppError::from)?;
    let record = discounts::find(conn, agency_id, &code).await?.ok_or(AppError::from(DiscountRefusal::Unknown))?;
    let discount = record.code()?.applies(today, sponsor_id).map_err(AppError::from)?;
    Ok((record, discount))
}

/// Counts a use of `record` in the order's transaction: refused, and the
/// order not taken, when another checkout took the last use first.
pub async fn take(tx: &mut WriteTx, record: &DiscountRecord) -> Result<(), ServerError> {
    if discounts::take_use(tx.conn(), record.id).await? {
        Ok(())
    } else {
        Err(AppError::from(DiscountRefusal::UsedUp).into())
    }
}

/// `/agence/ristournes`: the codes of the agency the page is about (an
/// administrator picks it by its code).
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn page(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    now: DateTime<Utc>,
) -> Result<DiscountCodeList, ServerError> {
    let today = Day::new(clock::paris_date(now));
    let chosen = agencies::pick(state, staff, asked).await?;
    let desk = agencies::desk(state, staff, chosen).await?;
    let rows = match staff.scope(chosen) {
        Some(agency_id) => discounts::list(state.db.pool(), agency_id)
            .await?
            .iter()
            .map(|row| {
                let code = row.code()?;
                Ok(DiscountCodeRow { id: row.id, state: code.state(today), code })
            })
            .collect::<Result<_, sqlx::Error>>()?,
        None => Vec::new(),
    };
    Ok(DiscountCodeList { desk, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_type_a_share_or_an_amount() {
        assert_eq!(parse_discount("10 %"), Ok(Discount::Percent(Rate::percent(10))));
        assert_eq!(parse_discount("12,5%"), Ok(Discount::Percent(Rate::from_basis_points(1_250))));
        assert_eq!(parse_discount("50 €"), Ok(Discount::Fixed(Money::from_euros(50))));
        assert_eq!(parse_discount("50"), Ok(Discount::Fixed(Money::from_euros(50))));
        for bad in ["", "0 %", "150 %", "dix", "-5"] {
            assert!(parse_discount(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_code_form_says_what_is_wrong() {
        let input = CodeInput {
            code: " bienvenue10 ".into(),
            discount: "10 %".into(),
            valid_from: "01/01/2026".into(),
            valid_until: "2026-12-31".into(),
            max_uses: "100".into(),
            sponsor_id: None,
        };
        let (code, _, from, until, uses) = check(&input).unwrap();
        assert_eq!(
            (code.as_str(), from.iso(), until.iso(), uses),
            ("BIENVENUE10", "2026-01-01".into(), "2026-12-31".into(), 100)
        );
        let refused = |input: CodeInput| check(&input).unwrap_err().to_string();
        assert!(refused(CodeInput { valid_until: "2025-12-31".into(), ..input.clone() }).contains("précède"));
        assert!(refused(CodeInput { max_uses: "0".into(), ..input.clone() }).contains("maximum d'utilisations"));
        assert!(refused(CodeInput { code: "avec espace".into(), ..input.clone() }).contains("lettres, chiffres"));
    }
}
