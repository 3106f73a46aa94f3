//! An order's way before its passes circulate: its thread of messages,
//! the steps done once, the elements printed on its passes, its proofs
//! (BAT) and the reminders sent for overdue steps.

use crate::domain::order_way::Step;
use crate::domain::{ParisTime, StoredBool, Timestamp};
use sqlx::{AnyConnection, FromRow};

/// One message of an order's thread.
#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    pub at: ParisTime,
    pub author: String,
    #[sqlx(try_from = "StoredBool")]
    pub from_staff: bool,
    pub body: String,
}

pub async fn add_message(
    conn: &mut AnyConnection,
    order_id: i64,
    at: Timestamp,
    author: &str,
    from_staff: bool,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO order_messages (order_id, at, author, from_staff, body) VALUES ($1, $2, $3, $4, $5)")
        .bind(order_id)
        .bind(at)
        .bind(author)
        .bind(i64::from(from_staff))
        .bind(body)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn messages(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<MessageRow>, sqlx::Error> {
    sqlx::query_as("SELECT at, author, from_staff, body FROM order_messages WHERE order_id = $1 ORDER BY id")
        .bind(order_id)
        .fetch_all(conn)
        .await
}

/// A step done once.
#[derive(Debug, Clone, FromRow)]
pub struct StepRow {
    pub step: String,
    pub at: ParisTime,
    pub by_login: String,
    pub detail: Option<String>,
}

pub async fn steps(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<StepRow>, sqlx::Error> {
    sqlx::query_as("SELECT step, at, by_login, detail FROM order_steps WHERE order_id = $1")
        .bind(order_id)
        .fetch_all(conn)
        .await
}

/// Records a step (`code`: a `Step`'s, or `invoices_returned`); false if
/// it already was.
pub async fn add_step(
    conn: &mut AnyConnection,
    order_id: i64,
    code: &str,
    at: Timestamp,
    by: &str,
    detail: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO order_steps (order_id, step, at, by_login, detail) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (order_id, step) DO NOTHING",
    )
    .bind(order_id)
    .bind(code)
    .bind(at)
    .bind(by)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_step(conn: &mut AnyConnection, order_id: i64, code: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM order_steps WHERE order_id = $1 AND step = $2")
        .bind(order_id)
        .bind(code)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// What the passes carry, the logo aside.
#[derive(Debug, Clone, FromRow)]
pub struct ElementsRow {
    pub message: String,
    pub restrictions: String,
    pub inserts: String,
    pub logo_type: Option<String>,
    pub logo_bytes: Option<i64>,
    pub at: ParisTime,
    pub by_login: String,
}

pub async fn elements(conn: &mut AnyConnection, order_id: i64) -> Result<Option<ElementsRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT message, restrictions, inserts, logo_type, LENGTH(logo) AS logo_bytes, at, by_login
           FROM order_elements WHERE order_id = $1",
    )
    .bind(order_id)
    .fetch_optional(conn)
    .await
}

pub async fn logo(conn: &mut AnyConnection, order_id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let logo: Option<Option<Vec<u8>>> = sqlx::query_scalar("SELECT logo FROM order_elements WHERE order_id = $1")
        .bind(order_id)
        .fetch_optional(conn)
        .await?;
    Ok(logo.flatten())
}

/// The elements to print, as sent.
pub struct NewElements<'a> {
    pub message: &'a str,
    pub restrictions: &'a str,
    pub inserts: &'a str,
    /// A new logo and its type; `None` keeps the one sent before.
    pub logo: Option<(&'a [u8], &'a str)>,
}

/// Saves the elements, replacing those sent before.
pub async fn save_elements(
    conn: &mut AnyConnection,
    order_id: i64,
    e: &NewElements<'_>,
    at: Timestamp,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_elements (order_id, message, restrictions, inserts, at, by_login)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (order_id) DO UPDATE SET message = $2, restrictions = $3, inserts = $4, at = $5, by_login = $6",
    )
    .bind(order_id)
    .bind(e.message)
    .bind(e.restrictions)
    .bind(e.inserts)
    .bind(at)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    if let Some((bytes, kind)) = e.logo {
        sqlx::query("UPDATE order_elements SET logo = $2, logo_type = $3 WHERE order_id = $1")
            .bind(order_id)
            .bind(bytes)
            .bind(kind)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A proof, its PDF aside.
#[derive(Debug, Clone, FromRow)]
pub struct ProofRow {
    pub number: i64,
    pub made_at: ParisTime,
    pub made_by: String,
    pub decided_at: Option<ParisTime>,
    pub decided_by: Option<String>,
    pub accepted: Option<i64>,
    pub comment: Option<String>,
}

impl ProofRow {
    pub fn accepted(&self) -> Option<bool> {
        self.accepted.map(|a| a == 1)
    }
}

pub async fn proofs(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<ProofRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT number, made_at, made_by, decided_at, decided_by, accepted, comment
           FROM order_proofs WHERE order_id = $1 ORDER BY number",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await
}

pub async fn proof_pdf(conn: &mut AnyConnection, order_id: i64, number: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("SELECT pdf FROM order_proofs WHERE order_id = $1 AND number = $2")
        .bind(order_id)
        .bind(number)
        .fetch_optional(conn)
        .await
}

/// Keeps a new proof, numbered after the last (in the making transaction,
/// the order's row locked): its number.
pub async fn add_proof(
    conn: &mut AnyConnection,
    order_id: i64,
    number: i64,
    pdf: &[u8],
    at: Timestamp,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO order_proofs (order_id, number, made_at, made_by, pdf) VALUES ($1, $2, $3, $4, $5)")
        .bind(order_id)
        .bind(number)
        .bind(at)
        .bind(by)
        .bind(pdf)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the sponsor's decision on a waiting proof; false if it was
/// decided already.
pub async fn decide_proof(
    conn: &mut AnyConnection,
    order_id: i64,
    number: i64,
    accepted: bool,
    comment: Option<&str>,
    at: Timestamp,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE order_proofs SET accepted = $3, comment = $4, decided_at = $5, decided_by = $6
          WHERE order_id = $1 AND number = $2 AND accepted IS NULL",
    )
    .bind(order_id)
    .bind(number)
    .bind(i64::from(accepted))
    .bind(comment)
    .bind(at)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The orders on their way: confirmed, neither activated nor cancelled
/// (`agency`: of this agency, or of all).
pub async fn open_orders(conn: &mut AnyConnection, agency: Option<i64>) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, agency_id FROM orders
          WHERE status = 'confirmed' AND activated_at IS NULL AND cancelled_at IS NULL ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().filter(|(_, of)| agency.is_none_or(|a| a == *of)).map(|(id, _)| id).collect())
}

/// Notes a reminder for `step` due on `due`: true the first time only.
pub async fn note_reminder(
    conn: &mut AnyConnection,
    order_id: i64,
    step: Step,
    due: crate::domain::Day,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO order_reminders (order_id, step, due, sent_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (order_id, step, due) DO NOTHING",
    )
    .bind(order_id)
    .bind(step.code())
    .bind(due)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
