//! Single-use links sent to a person about their own account, and the
//! address they are sent to.

use crate::domain::{Role, Timestamp};
use sqlx::{AnyConnection, AnyPool, FromRow};

/// What a link lets its holder do once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Choose one's first password (an account staff opened).
    Invitation,
    /// Choose a new password after forgetting it.
    Reset,
    /// A printed activation letter's code, typed on `/activer`.
    Activation,
    /// Confirm a new email address (« Mon compte »), sent to that address.
    Email,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::Reset => "reset",
            Purpose::Activation => "activation",
            Purpose::Email => "email",
        }
    }

    fn from_code(code: &str) -> Option<Purpose> {
        match code {
            "invitation" => Some(Purpose::Invitation),
            "reset" => Some(Purpose::Reset),
            "activation" => Some(Purpose::Activation),
            "email" => Some(Purpose::Email),
            _ => None,
        }
    }
}

/// An active account someone can be written to about: its own address
/// (« Mon compte »), else the one staff know them by.
#[derive(Debug, Clone, FromRow)]
pub struct Reachable {
    pub id: i64,
    pub login: String,
    pub role: Role,
    pub email: Option<String>,
    /// The member's or the sponsor contact's name, when there is one.
    pub name: Option<String>,
}

impl Reachable {
    /// What a guesser of this account's password would try first.
    pub fn first_guesses(&self) -> Vec<&str> {
        [Some(self.login.as_str()), self.email.as_deref(), self.name.as_deref()].into_iter().flatten().collect()
    }
}

const REACHABLE: &str = "SELECT a.id, a.login, a.role,
        COALESCE(a.email, m.email, s.email, c.email) AS email, COALESCE(m.name, c.name) AS name
   FROM accounts a
   LEFT JOIN members m ON m.id = a.member_id
   LEFT JOIN suppliers s ON s.id = a.supplier_id
   LEFT JOIN sponsor_contacts c ON c.account_id = a.id";

/// The active account of this login.
pub async fn reachable_by_login(pool: &AnyPool, login: &str) -> Result<Option<Reachable>, sqlx::Error> {
    sqlx::query_as(&format!("{REACHABLE} WHERE a.login = $1 AND a.active = 1")).bind(login).fetch_optional(pool).await
}

/// The account of this id, active or not.
pub async fn reachable(conn: &mut AnyConnection, id: i64) -> Result<Option<Reachable>, sqlx::Error> {
    sqlx::query_as(&format!("{REACHABLE} WHERE a.id = $1")).bind(id).fetch_optional(conn).await
}

/// The active accounts whose emails go to `email` (compared without case),
/// a few at most: a supplier's logins share the supplier's address.
pub async fn reachable_by_email(pool: &AnyPool, email: &str) -> Result<Vec<Reachable>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{REACHABLE} WHERE a.active = 1 AND LOWER(COALESCE(a.email, m.email, s.email, c.email)) = $1 ORDER BY a.id LIMIT 5"
    ))
    .bind(email.to_lowercase())
    .fetch_all(pool)
    .await
}

/// A link as stored, found by its token's hash.
#[derive(Debug, Clone, FromRow)]
pub struct LinkRecord {
    pub id: i64,
    pub account_id: i64,
    purpose: String,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    /// The address an email-change link confirms.
    pub new_email: Option<String>,
    /// A newer link of the same purpose closed this one.
    #[sqlx(try_from = "crate::domain::StoredBool")]
    pub replaced: bool,
}

impl LinkRecord {
    pub fn purpose(&self) -> Option<Purpose> {
        Purpose::from_code(&self.purpose)
    }
}

/// Stores a new link; the account's unused links of the same purpose are
/// replaced (closed) by it: only the latest email works.
pub async fn insert(
    conn: &mut AnyConnection,
    account_id: i64,
    purpose: Purpose,
    token_hash: &str,
    created_by: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "UPDATE account_links SET used_at = $3, replaced = 1
          WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(account_id)
    .bind(purpose.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "INSERT INTO account_links (account_id, purpose, token_hash, created_at, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(account_id)
    .bind(purpose.code())
    .bind(token_hash)
    .bind(now)
    .bind(created_by)
    .bind(expires_at)
    .fetch_one(conn)
    .await
}

/// Stores a link confirming `new_email` for the account (replacing any
/// earlier one not used yet).
pub async fn insert_email_change(
    conn: &mut AnyConnection,
    account_id: i64,
    token_hash: &str,
    new_email: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<i64, sqlx::Error> {
    let id = insert(&mut *conn, account_id, Purpose::Email, token_hash, "mon compte", now, expires_at).await?;
    sqlx::query("UPDATE account_links SET new_email = $2 WHERE id = $1").bind(id).bind(new_email).execute(conn).await?;
    Ok(id)
}

pub async fn find(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<LinkRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, account_id, purpose, expires_at, used_at, new_email, replaced FROM account_links
          WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// Uses a link once: false when it was used, replaced or expired already
/// (two tabs posting the same link: one wins).
pub async fn take(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE account_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(id)
            .bind(now)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// The latest invitation or activation letter staff sent an account (not
/// the short links an activation code opens): whether it was a letter,
/// when it was sent, until when it works, when it was used, whether a
/// newer one replaced it.
pub async fn latest_sent(
    pool: &AnyPool,
    account_id: i64,
) -> Result<Option<(bool, Timestamp, Timestamp, Option<Timestamp>, bool)>, sqlx::Error> {
    let row: Option<(String, Timestamp, Timestamp, Option<Timestamp>, i64)> = sqlx::query_as(
        "SELECT purpose, created_at, expires_at, used_at, replaced FROM account_links
          WHERE account_id = $1 AND purpose IN ('invitation', 'activation') AND created_by <> $2
          ORDER BY id DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(OPENED_BY_CODE)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(purpose, sent, until, used, replaced)| (purpose == "activation", sent, until, used, replaced == 1)))
}

/// Who made the short link an activation code opens.
pub const OPENED_BY_CODE: &str = "code d'activation";

/// The agency an account belongs to: its member's, its supplier's, or its
/// own (staff); None for an administrator or a sponsor.
pub async fn agency_of(conn: &mut AnyConnection, account_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let found: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT COALESCE(m.agency_id, s.agency_id, a.agency_id) FROM accounts a
           LEFT JOIN members m ON m.id = a.member_id
           LEFT JOIN suppliers s ON s.id = a.supplier_id
          WHERE a.id = $1",
    )
    .bind(account_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.and_then(|(agency,)| agency))
}
