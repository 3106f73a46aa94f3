//! Agencies and their own settings.

use crate::domain::{AgencySettings, Money, SecretCodeLength};
use sqlx::{AnyConnection, AnyPool, FromRow};

#[derive(Debug, Clone, FromRow)]
pub struct AgencyRecord {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub centre_code: String,
    pub validity_days: i64,
    pub max_voucher_cents: i64,
    pub code_length: i64,
}

impl AgencyRecord {
    /// The settings as the rules read them. Stored values were checked when
    /// written; a value out of range (edited by hand) falls back to the default.
    pub fn settings(&self) -> AgencySettings {
        AgencySettings {
            code: self.code.clone(),
            centre_code: self.centre_code.clone(),
            validity_days: u32::try_from(self.validity_days).unwrap_or(30).max(1),
            max_voucher: Money::from_cents(self.max_voucher_cents),
            code_length: u8::try_from(self.code_length)
                .ok()
                .and_then(|l| SecretCodeLength::new(l).ok())
                .unwrap_or(SecretCodeLength::DEFAULT),
        }
    }
}

const COLUMNS: &str = "id, name, code, centre_code, validity_days, max_voucher_cents, code_length";

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<AgencyRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM agencies WHERE id = $1")).bind(id).fetch_optional(pool).await
}

/// The same inside a transaction.
pub async fn find_in(conn: &mut AnyConnection, id: i64) -> Result<Option<AgencyRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM agencies WHERE id = $1")).bind(id).fetch_optional(conn).await
}

pub async fn list(pool: &AnyPool) -> Result<Vec<AgencyRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM agencies ORDER BY name")).fetch_all(pool).await
}
