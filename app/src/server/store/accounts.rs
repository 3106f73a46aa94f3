//! Accounts, members and sessions.

use sqlx::{AnyPool, FromRow};

#[derive(Debug, Clone, FromRow)]
pub struct LoginRecord {
    pub id: i64,
    pub password_hash: String,
    pub role: String,
    pub member_id: Option<i64>,
    pub active: i64,
}

/// A member as the voucher flow needs them.
#[derive(Debug, Clone, FromRow)]
pub struct MemberRecord {
    pub id: i64,
    pub agency_id: i64,
    pub number: String,
    pub name: String,
    pub fee_paid_until: Option<String>,
    pub active: i64,
}

/// The person behind a session.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRecord {
    pub account_id: i64,
    pub login: String,
    pub role: String,
    pub member_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub agency_id: Option<i64>,
}

pub async fn find_login(pool: &AnyPool, login: &str) -> Result<Option<LoginRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash, role, member_id, active FROM accounts WHERE login = $1")
        .bind(login)
        .fetch_optional(pool)
        .await
}

pub async fn insert_session(
    pool: &AnyPool,
    token_hash: &str,
    account_id: i64,
    now: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(account_id)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn find_session(pool: &AnyPool, token_hash: &str, now: &str) -> Result<Option<SessionRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id AS account_id, a.login, a.role, a.member_id, a.supplier_id, a.agency_id
           FROM sessions s JOIN accounts a ON a.id = s.account_id
          WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await
}

pub async fn delete_session(pool: &AnyPool, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await?;
    Ok(())
}

pub async fn delete_expired_sessions(pool: &AnyPool, now: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?.rows_affected())
}

const MEMBER_COLUMNS: &str = "id, agency_id, number, name, fee_paid_until, active";

pub async fn find_member(pool: &AnyPool, member_id: i64) -> Result<Option<MemberRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"))
        .bind(member_id)
        .fetch_optional(pool)
        .await
}
