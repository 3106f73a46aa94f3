//! Attempt budgets against guessing: secret codes and passwords.
//!
//! A budget counts failed attempts per subject (an address, an account, a
//! login) over a fixed window that starts at the first failure. It lives in
//! the database, so it survives a restart and every server process on the
//! same database shares it.
//!
//! An attempt is charged before it is checked and refunded if it succeeds:
//! two simultaneous guesses cannot both slip under the limit, on SQLite (one
//! writer) or PostgreSQL (the budget's row is locked by the upsert).

use super::{clock, db::WriteTx};
use chrono::{DateTime, TimeDelta, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub scope: &'static str,
    /// Failures allowed in one window; the next attempt is refused.
    pub limit: i64,
    pub window_minutes: i64,
}

/// Voucher checks (number + secret code) from one network address.
pub const CHECK_PER_ADDRESS: Budget = Budget { scope: "check-address", limit: 20, window_minutes: 15 };
/// Voucher checks made by one logged-in account (a supplier's till, say).
pub const CHECK_PER_ACCOUNT: Budget = Budget { scope: "check-account", limit: 20, window_minutes: 15 };
/// Voucher checks made through one API key (a supplier's till).
pub const CHECK_PER_API_KEY: Budget = Budget { scope: "check-api-key", limit: 20, window_minutes: 15 };
/// Wrong passwords for one login, wherever they come from.
pub const LOGIN_PER_LOGIN: Budget = Budget { scope: "login", limit: 5, window_minutes: 15 };
/// Failed logins from one network address, whatever the login.
pub const LOGIN_PER_ADDRESS: Budget = Budget { scope: "login-address", limit: 30, window_minutes: 15 };

/// Wrong codes typed for one used voucher before it is locked; agency staff
/// unlock it.
pub const CODE_FAILURES_BEFORE_LOCK: i64 = 5;

/// Charges one attempt to `subject`'s budget. `false` means the budget is
/// spent: refuse the attempt without checking anything.
pub async fn charge(tx: &mut WriteTx, budget: Budget, subject: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let window_opened_before = clock::stamp(now - TimeDelta::minutes(budget.window_minutes));
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO attempt_budgets (scope, subject, window_start, failures) VALUES ($1, $2, $3, 1)
         ON CONFLICT (scope, subject) DO UPDATE SET
             failures = CASE WHEN attempt_budgets.window_start <= $4 THEN 1 ELSE attempt_budgets.failures + 1 END,
             window_start = CASE WHEN attempt_budgets.window_start <= $4 THEN $3 ELSE attempt_budgets.window_start END
         RETURNING failures",
    )
    .bind(budget.scope)
    .bind(subject)
    .bind(clock::stamp(now))
    .bind(window_opened_before)
    .fetch_one(tx.conn())
    .await?;
    Ok(failures <= budget.limit)
}

/// Gives back the attempt charged for a success.
pub async fn refund(tx: &mut WriteTx, budget: Budget, subject: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE attempt_budgets SET failures = failures - 1 WHERE scope = $1 AND subject = $2 AND failures > 0",
    )
    .bind(budget.scope)
    .bind(subject)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Charges every budget; `false` if any is spent. All are charged either way,
/// so a spent budget keeps its subject refused for the rest of its window.
pub async fn charge_all(
    tx: &mut WriteTx,
    budgets: &[(Budget, String)],
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut allowed = true;
    for (budget, subject) in budgets {
        allowed &= charge(tx, *budget, subject, now).await?;
    }
    Ok(allowed)
}

pub async fn refund_all(tx: &mut WriteTx, budgets: &[(Budget, String)]) -> Result<(), sqlx::Error> {
    for (budget, subject) in budgets {
        refund(tx, *budget, subject).await?;
    }
    Ok(())
}

/// Forgets every failure counted against `subject`: staff who hand out a new
/// password also lift the refusal earlier wrong guesses put on the login.
pub async fn clear(tx: &mut WriteTx, budget: Budget, subject: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attempt_budgets WHERE scope = $1 AND subject = $2")
        .bind(budget.scope)
        .bind(subject)
        .execute(tx.conn())
        .await?;
    Ok(())
}
