//! Which vouchers and passes still need which version of the server key
//! (migration 0020): `bons secret retire` removes a version only when none
//! does, and a server refuses to start without the newest version in use.

use crate::domain::Day;
use crate::domain::pass::PassNumber;
use sqlx::AnyPool;

/// How many examples of each kind a refusal names.
const EXAMPLES: i64 = 10;

/// The highest key version any voucher or pass was made with (1 when none).
pub async fn highest_in_use(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    let vouchers: Option<i64> = sqlx::query_scalar("SELECT MAX(key_version) FROM vouchers").fetch_one(pool).await?;
    let passes: Option<i64> = sqlx::query_scalar("SELECT MAX(key_version) FROM passes").fetch_one(pool).await?;
    Ok(vouchers.into_iter().chain(passes).max().unwrap_or(1))
}

/// What a key version's codes are still needed for: used vouchers the
/// cooperative has not paid the supplier for (their codes are checked on
/// the supplier's invoice), and passes not paid that can still be spent or
/// were spent (their printed code and QR link). A few numbers of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unpaid {
    pub vouchers: i64,
    pub voucher_examples: Vec<String>,
    pub passes: i64,
    pub pass_examples: Vec<String>,
}

impl Unpaid {
    pub fn is_empty(&self) -> bool {
        self.vouchers == 0 && self.passes == 0
    }
}

const UNPAID_VOUCHERS: &str = "FROM vouchers
    WHERE key_version = $1 AND used_at IS NOT NULL AND paid_on IS NULL AND use_cancelled_at IS NULL";

const UNPAID_PASSES: &str = "FROM passes p JOIN agencies a ON a.id = p.agency_id
    WHERE p.key_version = $1 AND p.paid_on IS NULL
      AND (p.status = 'used' OR (p.status IN ('inactive', 'active') AND p.valid_until >= $2))";

/// What still depends on `version` on `today` (Paris).
pub async fn unpaid(pool: &AnyPool, version: i64, today: Day) -> Result<Unpaid, sqlx::Error> {
    let vouchers: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) {UNPAID_VOUCHERS}")).bind(version).fetch_one(pool).await?;
    let voucher_examples: Vec<String> =
        sqlx::query_scalar(&format!("SELECT number {UNPAID_VOUCHERS} ORDER BY used_at, id LIMIT {EXAMPLES}"))
            .bind(version)
            .fetch_all(pool)
            .await?;
    let passes: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {UNPAID_PASSES}"))
        .bind(version)
        .bind(today)
        .fetch_one(pool)
        .await?;
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT a.code, a.centre_code, p.year, p.sequence {UNPAID_PASSES} ORDER BY p.id LIMIT {EXAMPLES}"
    ))
    .bind(version)
    .bind(today)
    .fetch_all(pool)
    .await?;
    let pass_examples = rows
        .into_iter()
        .filter_map(|(agency, centre, year, sequence)| {
            let (year, sequence) = (i32::try_from(year).ok()?, u32::try_from(sequence).ok()?);
            PassNumber::new(year, &agency, &centre, sequence).ok().map(|n| n.to_string())
        })
        .collect();
    Ok(Unpaid { vouchers, voucher_examples, passes, pass_examples })
}

/// How many vouchers and passes were made with `version`, paid or not.
pub async fn made_with(pool: &AnyPool, version: i64) -> Result<(i64, i64), sqlx::Error> {
    let vouchers: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM vouchers WHERE key_version = $1 AND used_at IS NOT NULL")
            .bind(version)
            .fetch_one(pool)
            .await?;
    let passes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM passes WHERE key_version = $1").bind(version).fetch_one(pool).await?;
    Ok((vouchers, passes))
}
