//! Agencies and their own settings.

pub mod dashboard;

use crate::domain::{AgencySettings, Money, SecretCodeLength};
use crate::server::db::WriteTx;
use crate::server::error::UniqueKey;
use sqlx::{AnyConnection, AnyPool, FromRow, Row};

/// An agency's two-character code is its own.
pub const CODE_KEY: UniqueKey = UniqueKey { table: "agencies", columns: &["code"] };

#[derive(Debug, Clone, FromRow)]
pub struct AgencyRecord {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub centre_code: String,
    pub validity_days: i64,
    #[sqlx(rename = "max_voucher_cents")]
    pub max_voucher: Money,
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
            max_voucher: self.max_voucher,
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

/// The cooperative's first agency: the one whose shop the public pages show.
pub async fn first_id(conn: &mut AnyConnection) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM agencies ORDER BY id LIMIT 1").fetch_optional(conn).await
}

pub async fn find_by_code(pool: &AnyPool, code: &str) -> Result<Option<AgencyRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM agencies WHERE code = $1")).bind(code).fetch_optional(pool).await
}

/// Reads an agency inside a write transaction, locking its row until commit.
pub async fn find_for_update(tx: &mut WriteTx, id: i64) -> Result<Option<AgencyRecord>, sqlx::Error> {
    let lock = tx.row_lock("");
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM agencies WHERE id = $1{lock}"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}

/// The agency other than `except` whose code is `code`: its name.
pub async fn code_holder(
    conn: &mut AnyConnection,
    code: &str,
    except: Option<i64>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM agencies WHERE code = $1 AND ($2 IS NULL OR id <> $2)")
        .bind(code)
        .bind(except)
        .fetch_optional(conn)
        .await
}

/// Has another agency than `except` numbered vouchers with this code
/// (`W2026.NA.…`)? Its series would collide with the other agency's
/// numbers, so such a code is never given again.
pub async fn code_used_in_numbers(
    conn: &mut AnyConnection,
    code: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM vouchers WHERE number LIKE $1 AND ($2 IS NULL OR agency_id <> $2) LIMIT 1")
            .bind(format!("W____.{code}.%"))
            .bind(except)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn update_settings(conn: &mut AnyConnection, id: i64, s: &AgencySettings) -> Result<(), sqlx::Error> {
    let update = sqlx::query(
        "UPDATE agencies SET code = $2, centre_code = $3, validity_days = $4, max_voucher_cents = $5, code_length = $6
          WHERE id = $1",
    )
    .bind(id);
    bind_settings(update, s).execute(conn).await?;
    Ok(())
}

pub async fn insert(conn: &mut AnyConnection, name: &str, s: &AgencySettings) -> Result<i64, sqlx::Error> {
    let insert = sqlx::query(
        "INSERT INTO agencies (name, code, centre_code, validity_days, max_voucher_cents, code_length)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(name);
    bind_settings(insert, s).fetch_one(conn).await?.try_get(0)
}

type Statement<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds the settings' five columns, after the statement's first placeholder.
fn bind_settings<'q>(query: Statement<'q>, s: &'q AgencySettings) -> Statement<'q> {
    query
        .bind(&s.code)
        .bind(&s.centre_code)
        .bind(i64::from(s.validity_days))
        .bind(s.max_voucher)
        .bind(i64::from(s.code_length.digits()))
}
