//! Accounts, members and sessions.

pub mod api_keys;
pub mod links;

use crate::domain::{Day, Role, StoredBool, Timestamp};
use crate::server::error::UniqueKey;
use sqlx::{AnyPool, FromRow};

/// A login is one account's.
pub const LOGIN_KEY: UniqueKey = UniqueKey { table: "accounts", columns: &["login"] };

#[derive(Debug, Clone, FromRow)]
pub struct LoginRecord {
    pub id: i64,
    pub password_hash: String,
    pub role: Role,
    pub member_id: Option<i64>,
    #[sqlx(try_from = "StoredBool")]
    pub active: bool,
}

/// A member as the voucher flow needs them.
#[derive(Debug, Clone, FromRow)]
pub struct MemberRecord {
    pub id: i64,
    pub agency_id: i64,
    pub number: String,
    pub name: String,
    pub fee_paid_until: Option<Day>,
    #[sqlx(try_from = "StoredBool")]
    pub active: bool,
}

/// The person behind a session.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRecord {
    pub account_id: i64,
    pub login: String,
    pub role: Role,
    pub member_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub agency_id: Option<i64>,
    /// When this session was last seen (None: not since login).
    pub last_seen_at: Option<Timestamp>,
    /// A member's account: the member, read with the session (every member
    /// request needs both).
    #[sqlx(flatten)]
    pub member: SessionMember,
}

/// The member columns of a session's row, all empty for other accounts.
#[derive(Debug, Clone, FromRow)]
pub struct SessionMember {
    pub member_agency_id: Option<i64>,
    pub member_number: Option<String>,
    pub member_name: Option<String>,
    pub member_fee_paid_until: Option<Day>,
    pub member_active: Option<i64>,
}

impl SessionMember {
    /// The member, when there is one and they are active.
    pub fn active(self, id: i64) -> Option<MemberRecord> {
        match self {
            SessionMember {
                member_agency_id: Some(agency_id),
                member_number: Some(number),
                member_name: Some(name),
                member_fee_paid_until: fee_paid_until,
                member_active: Some(1),
            } => Some(MemberRecord { id, agency_id, number, name, fee_paid_until, active: true }),
            _ => None,
        }
    }
}

pub async fn find_login(pool: &AnyPool, login: &str) -> Result<Option<LoginRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash, role, member_id, active FROM accounts WHERE login = $1")
        .bind(login)
        .fetch_optional(pool)
        .await
}

/// Where and on what a session was opened.
pub struct Opened<'a> {
    pub device: &'a str,
    pub address: &'a str,
}

pub async fn insert_session(
    pool: &AnyPool,
    token_hash: &str,
    account_id: i64,
    now: Timestamp,
    expires_at: Timestamp,
    opened: &Opened<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at, device, address, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $3)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(now)
    .bind(expires_at)
    .bind(opened.device)
    .bind(opened.address)
    .execute(pool)
    .await?;
    Ok(())
}

/// Notes that a session was seen at `now`.
pub async fn touch_session(pool: &AnyPool, token_hash: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

/// One open session of an account, as « Mon compte » lists it.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub created_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
    pub device: Option<String>,
    pub address: Option<String>,
}

/// The account's sessions still open, the latest seen first.
pub async fn open_sessions(pool: &AnyPool, account_id: i64, now: Timestamp) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT token_hash, created_at, last_seen_at, device, address FROM sessions
          WHERE account_id = $1 AND expires_at > $2
          ORDER BY COALESCE(last_seen_at, created_at) DESC, created_at DESC",
    )
    .bind(account_id)
    .bind(now)
    .fetch_all(pool)
    .await
}

pub async fn find_session(
    pool: &AnyPool,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<SessionRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id AS account_id, a.login, a.role, a.member_id, a.supplier_id, a.agency_id, s.last_seen_at,
                m.agency_id AS member_agency_id, m.number AS member_number, m.name AS member_name,
                m.fee_paid_until AS member_fee_paid_until, m.active AS member_active
           FROM sessions s
           JOIN accounts a ON a.id = s.account_id
           LEFT JOIN members m ON m.id = a.member_id
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

/// Ends every session of an account but the one whose token hash is `keep`.
pub async fn delete_account_sessions(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
        .bind(account_id)
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?
        .rows_affected())
}

/// Ends every session of a supplier's logins.
pub async fn delete_supplier_sessions(conn: &mut sqlx::AnyConnection, supplier_id: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE supplier_id = $1)")
        .bind(supplier_id)
        .execute(conn)
        .await?
        .rows_affected())
}

pub async fn delete_expired_sessions(pool: &AnyPool, now: Timestamp) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?.rows_affected())
}

const MEMBER_COLUMNS: &str = "id, agency_id, number, name, fee_paid_until, active";

pub async fn find_member(pool: &AnyPool, member_id: i64) -> Result<Option<MemberRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"))
        .bind(member_id)
        .fetch_optional(pool)
        .await
}

// The back office: logins created, activated and reset by agency staff, and
// temporary passwords waiting to be shown once.

/// An account as the back office manages it.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRecord {
    pub id: i64,
    pub login: String,
    pub role: Role,
    pub member_id: Option<i64>,
    pub supplier_id: Option<i64>,
    #[sqlx(try_from = "StoredBool")]
    pub active: bool,
    pub created_at: Timestamp,
}

const ACCOUNT_COLUMNS: &str = "id, login, role, member_id, supplier_id, active, created_at";

pub struct NewAccount<'a> {
    pub login: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub member_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub created_at: Timestamp,
}

pub async fn insert_account(conn: &mut sqlx::AnyConnection, a: &NewAccount<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO accounts (login, password_hash, role, member_id, supplier_id, agency_id, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
    )
    .bind(a.login)
    .bind(a.password_hash)
    .bind(a.role)
    .bind(a.member_id)
    .bind(a.supplier_id)
    .bind(a.agency_id)
    .bind(a.created_at)
    .fetch_one(conn)
    .await
}

pub async fn find_account_by_login(
    conn: &mut sqlx::AnyConnection,
    login: &str,
) -> Result<Option<AccountRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE login = $1"))
        .bind(login)
        .fetch_optional(conn)
        .await
}

/// The logins among `logins` that are taken.
pub async fn taken_logins(conn: &mut sqlx::AnyConnection, logins: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let taken: Vec<(String,)> = super::where_in(conn, "SELECT login FROM accounts WHERE login", logins).await?;
    Ok(taken.into_iter().map(|(login,)| login).collect())
}

/// A member's login.
pub async fn member_account(
    conn: &mut sqlx::AnyConnection,
    member_id: i64,
) -> Result<Option<AccountRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE member_id = $1 ORDER BY id LIMIT 1"))
        .bind(member_id)
        .fetch_optional(conn)
        .await
}

/// A supplier's logins, in the order they were created.
pub async fn supplier_accounts(pool: &AnyPool, supplier_id: i64) -> Result<Vec<AccountRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE supplier_id = $1 ORDER BY id"))
        .bind(supplier_id)
        .fetch_all(pool)
        .await
}

/// A back-office account as the team's page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct StaffAccount {
    pub id: i64,
    pub login: String,
    pub role: Role,
    pub agency_code: Option<String>,
    #[sqlx(try_from = "StoredBool")]
    pub active: bool,
    pub created_at: Timestamp,
}

/// The staff accounts of an agency, or with None every agency's and the
/// administrators': administrators first, then by agency and login.
pub async fn staff_accounts(pool: &AnyPool, agency_id: Option<i64>) -> Result<Vec<StaffAccount>, sqlx::Error> {
    let scope = if agency_id.is_some() { "a.role = $1 AND a.agency_id = $3" } else { "$3 IS NULL" };
    sqlx::query_as(&format!(
        "SELECT a.id, a.login, a.role, g.code AS agency_code, a.active, a.created_at
           FROM accounts a LEFT JOIN agencies g ON g.id = a.agency_id
          WHERE a.role IN ($1, $2) AND {scope}
          ORDER BY a.role = $1, g.code, a.login"
    ))
    .bind(Role::Agency)
    .bind(Role::Admin)
    .bind(agency_id)
    .fetch_all(pool)
    .await
}

pub async fn set_account_active(conn: &mut sqlx::AnyConnection, id: i64, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET active = $2 WHERE id = $1").bind(id).bind(i64::from(active)).execute(conn).await?;
    Ok(())
}

/// The account's own address; a member's file keeps the same one (staff
/// read it there), a supplier's shared address stays the supplier's.
pub async fn set_email(conn: &mut sqlx::AnyConnection, id: i64, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET email = $2 WHERE id = $1").bind(id).bind(email).execute(&mut *conn).await?;
    sqlx::query("UPDATE members SET email = $2 WHERE id = (SELECT member_id FROM accounts WHERE id = $1)")
        .bind(id)
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash(conn: &mut sqlx::AnyConnection, id: i64, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1").bind(id).bind(hash).execute(conn).await?;
    Ok(())
}
