//! The `jobs` table (migration 0019): which server works on which background
//! job, until when. Every write names its holder, so a server that lost its
//! lease changes nothing.

use crate::domain::Timestamp;
use sqlx::{AnyConnection, AnyPool};

/// Records a new job already held by `holder` (a statement run, in the
/// transaction that records the run).
pub async fn create_held(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: Timestamp,
    until: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO jobs (name, due_at, holder, lease_until) VALUES ($1, $2, $3, $4)")
        .bind(name)
        .bind(now)
        .bind(holder)
        .bind(until)
        .execute(conn)
        .await?;
    Ok(())
}

/// The jobs due and held by nobody, or by a server whose lease ran out.
pub async fn claimable(pool: &AnyPool, now: Timestamp) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT name FROM jobs WHERE due_at <= $1 AND (holder IS NULL OR lease_until < $1) ORDER BY due_at, name",
    )
    .bind(now)
    .fetch_all(pool)
    .await
}

/// Takes the job if it is still claimable: one server wins, the others see
/// no row changed.
pub async fn claim(
    pool: &AnyPool,
    name: &str,
    holder: &str,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE jobs SET holder = $2, lease_until = $4
          WHERE name = $1 AND due_at <= $3 AND (holder IS NULL OR lease_until < $3)",
    )
    .bind(name)
    .bind(holder)
    .bind(now)
    .bind(until)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Extends the lease; false when `holder` no longer holds the job. On the
/// pool, or inside the transaction whose writes the lease guards.
pub async fn renew<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    name: &str,
    holder: &str,
    until: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE jobs SET lease_until = $3 WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .bind(until)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The job done: due again at `next`, or gone (None) for a one-off job.
pub async fn finish<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    name: &str,
    holder: &str,
    next: Option<Timestamp>,
) -> Result<bool, sqlx::Error> {
    let done = match next {
        Some(next) => {
            sqlx::query(
                "UPDATE jobs SET holder = NULL, lease_until = NULL, due_at = $3 WHERE name = $1 AND holder = $2",
            )
            .bind(name)
            .bind(holder)
            .bind(next)
            .execute(db)
            .await?
        }
        None => {
            sqlx::query("DELETE FROM jobs WHERE name = $1 AND holder = $2").bind(name).bind(holder).execute(db).await?
        }
    };
    Ok(done.rows_affected() == 1)
}

/// A stopping server's jobs, handed back unfinished: claimable at once.
pub async fn hand_back(pool: &AnyPool, holder: &str, name: Option<&str>) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("UPDATE jobs SET holder = NULL, lease_until = NULL WHERE holder = $1 AND ($2 = '' OR name = $2)")
            .bind(holder)
            .bind(name.unwrap_or(""))
            .execute(pool)
            .await?;
    Ok(done.rows_affected())
}

/// A job as operators see it (`/metrics`): its name and who holds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Held {
    pub name: String,
    pub holder: String,
}

/// The jobs whose lease is running.
pub async fn held(pool: &AnyPool, now: Timestamp) -> Result<Vec<Held>, sqlx::Error> {
    sqlx::query_as("SELECT name, holder FROM jobs WHERE holder IS NOT NULL AND lease_until >= $1 ORDER BY name")
        .bind(now)
        .fetch_all(pool)
        .await
}
