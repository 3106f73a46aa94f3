//! Discount codes of an agency's shop (`migrations/*/0010_discount_codes.sql`).

use crate::domain::discount::DiscountCode;
use crate::domain::pricing::{Discount, Rate};
use crate::domain::{Day, Money, StoredBool, Timestamp};
use crate::server::error::UniqueKey;
use sqlx::{AnyConnection, AnyPool, FromRow};

/// A code is one agency's once.
pub const CODE_KEY: UniqueKey = UniqueKey { table: "discount_codes", columns: &["agency_id", "code"] };

/// How a discount is stored: its kind, and a value in hundredths of a
/// percent or in cents.
fn stored(discount: Discount) -> (&'static str, i64) {
    match discount {
        Discount::Percent(rate) => ("percent", i64::from(rate.basis_points())),
        Discount::Fixed(amount) => ("fixed", amount.cents()),
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct DiscountRecord {
    pub id: i64,
    pub agency_id: i64,
    pub code: String,
    kind: String,
    value: i64,
    pub valid_from: Day,
    pub valid_until: Day,
    pub max_uses: i64,
    pub uses: i64,
    pub sponsor_id: Option<i64>,
    #[sqlx(try_from = "StoredBool")]
    pub active: bool,
}

impl DiscountRecord {
    /// The code as the domain reads it; a kind or count none of ours is an
    /// error naming the row, never a default.
    pub fn code(&self) -> Result<DiscountCode, sqlx::Error> {
        let broken = |what: &str| sqlx::Error::Decode(format!("discount_codes row {}: {what}", self.id).into());
        let discount = match (self.kind.as_str(), u32::try_from(self.value)) {
            ("percent", Ok(points)) if points <= Rate::FULL.basis_points() => {
                Discount::Percent(Rate::from_basis_points(points))
            }
            ("fixed", _) if self.value >= 0 => Discount::Fixed(Money::from_cents(self.value)),
            (kind, _) => return Err(broken(&format!("unknown discount {kind} {}", self.value))),
        };
        let count = |n: i64| u32::try_from(n).map_err(|_| broken(&format!("not a count: {n}")));
        Ok(DiscountCode {
            code: self.code.clone(),
            discount,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            max_uses: count(self.max_uses)?,
            uses: count(self.uses)?,
            sponsor_id: self.sponsor_id,
            active: self.active,
        })
    }
}

const SELECT_CODE: &str = "SELECT id, agency_id, code, kind, value, valid_from, valid_until, max_uses, uses,
        sponsor_id, active
   FROM discount_codes";

/// What staff give a new code.
#[derive(Debug, Clone)]
pub struct NewCode<'a> {
    pub agency_id: i64,
    pub code: &'a str,
    pub discount: Discount,
    pub valid_from: Day,
    pub valid_until: Day,
    pub max_uses: u32,
    pub sponsor_id: Option<i64>,
}

impl NewCode<'_> {
    /// The new code as the journal records it.
    pub fn journaled(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code, "discount": self.discount.to_string(), "valid_from": self.valid_from.iso(),
            "valid_until": self.valid_until.iso(), "max_uses": self.max_uses, "sponsor": self.sponsor_id,
        })
    }
}

pub async fn insert(conn: &mut AnyConnection, new: &NewCode<'_>, at: Timestamp, by: &str) -> Result<i64, sqlx::Error> {
    let (kind, value) = stored(new.discount);
    sqlx::query_scalar(
        "INSERT INTO discount_codes
            (agency_id, code, kind, value, valid_from, valid_until, max_uses, sponsor_id, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(new.agency_id)
    .bind(new.code)
    .bind(kind)
    .bind(value)
    .bind(new.valid_from)
    .bind(new.valid_until)
    .bind(i64::from(new.max_uses))
    .bind(new.sponsor_id)
    .bind(at)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// The agency's code of that name (already normalized).
pub async fn find(conn: &mut AnyConnection, agency_id: i64, code: &str) -> Result<Option<DiscountRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_CODE} WHERE agency_id = $1 AND code = $2"))
        .bind(agency_id)
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// The agency a code belongs to.
pub async fn agency_of(conn: &mut AnyConnection, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT agency_id FROM discount_codes WHERE id = $1").bind(id).fetch_optional(conn).await
}

/// The agency's codes, newest first.
pub async fn list(pool: &AnyPool, agency_id: i64) -> Result<Vec<DiscountRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_CODE} WHERE agency_id = $1 ORDER BY id DESC"))
        .bind(agency_id)
        .fetch_all(pool)
        .await
}

/// Counts one use, inside the order's write transaction: false when the
/// code has none left (or was switched off) by then. One conditional
/// UPDATE, so of two checkouts racing for the last use exactly one gets it:
/// SQLite has one writer at a time, and PostgreSQL checks the condition
/// again on the row once the other transaction's update is committed.
pub async fn take_use(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE discount_codes SET uses = uses + 1 WHERE id = $1 AND uses < max_uses AND active = 1")
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Staff switch a code off; its uses stay counted.
pub async fn deactivate(conn: &mut AnyConnection, agency_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE discount_codes SET active = 0 WHERE id = $1 AND agency_id = $2 AND active = 1")
        .bind(id)
        .bind(agency_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
