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

/// Accounts opened at the shop's checkout from one network address (each
/// may become a public structure's main manager: not a thing to script).
pub const SIGNUP_PER_ADDRESS: Budget = Budget { scope: "signup-address", limit: 10, window_minutes: 60 };
/// Voucher checks (number + secret code) from one network address.
pub const CHECK_PER_ADDRESS: Budget = Budget { scope: "check-address", limit: 20, window_minutes: 15 };
/// Voucher checks made by one logged-in account (a supplier's till, say).
pub const CHECK_PER_ACCOUNT: Budget = Budget { scope: "check-account", limit: 20, window_minutes: 15 };
/// Voucher checks made through one API key (a supplier's till).
pub const CHECK_PER_API_KEY: Budget = Budget { scope: "check-api-key", limit: 20, window_minutes: 15 };
/// Wrong codes typed for one voucher number in a day by anyone but the
/// voucher's own supplier (whose wrong codes lock it instead). Numbers are
/// predictable: this bounds what many addresses together can guess about
/// one voucher, and it never locks the voucher for its supplier.
pub const CHECK_PER_VOUCHER_DAY: Budget = Budget { scope: "check-voucher", limit: 10, window_minutes: 24 * 60 };

/// Wrong passwords for one login from one address, on a device that has not
/// logged in to it before. A stranger who guesses spends their own budget,
/// not the person's.
pub const LOGIN_PER_LOGIN_AND_ADDRESS: Budget = Budget { scope: "login-pair", limit: 5, window_minutes: 15 };
/// Wrong passwords for one login from every device it does not know, all
/// addresses together: the bound on a guessing attack spread over many
/// addresses. One address alone (at most 4 × 5 an hour) cannot spend it.
pub const LOGIN_PER_LOGIN: Budget = Budget { scope: "login", limit: 30, window_minutes: 60 };
/// Failed logins from one network address, whatever the login, from devices
/// the login does not know.
pub const LOGIN_PER_ADDRESS: Budget = Budget { scope: "login-address", limit: 30, window_minutes: 15 };
/// Wrong passwords typed on one device that has logged in to the account
/// before (its device cookie): counted for that device alone, so nobody
/// else's attempts keep the person out of their own phone.
pub const LOGIN_PER_DEVICE: Budget = Budget { scope: "login-device", limit: 5, window_minutes: 15 };
/// Wrong current passwords typed by a logged-in account changing its
/// password (a session left open is not a way to guess it).
pub const PASSWORD_CHANGE_PER_ACCOUNT: Budget = Budget { scope: "password-change", limit: 5, window_minutes: 15 };

/// « Mot de passe oublié ? » asked from one network address, whoever it
/// names: each request counts, answered or not.
pub const RESET_PER_ADDRESS: Budget = Budget { scope: "reset-address", limit: 10, window_minutes: 15 };
/// Reset links mailed to one account in an hour: a stranger cannot fill
/// someone's mailbox.
pub const RESET_PER_ACCOUNT: Budget = Budget { scope: "reset-account", limit: 3, window_minutes: 60 };

/// Activation codes typed on `/activer` from one network address: a letter's
/// code is 12 characters of 31 (about 59 bits), this bounds the guessing.
pub const ACTIVATION_PER_ADDRESS: Budget = Budget { scope: "activation-address", limit: 10, window_minutes: 15 };

/// Wrong codes typed by a voucher's own supplier (at the counter, through
/// its till, on its invoices) before the voucher is locked; agency staff
/// unlock it. Nobody else's failures count toward it.
pub const CODE_FAILURES_BEFORE_LOCK: i64 = 5;

/// The subject of `LOGIN_PER_LOGIN_AND_ADDRESS`.
pub fn login_and_address(login: &str, address: &str) -> String {
    format!("{login} {address}")
}

/// Charges one attempt to `subject`'s budget. `false` means the budget is
/// spent: refuse the attempt without checking anything.
pub async fn charge(tx: &mut WriteTx, budget: Budget, subject: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(charge_many(tx, budget, subject, 1, now).await? <= budget.limit)
}

/// Adds `failures` (zero reads the count) to `subject`'s budget; returns the
/// failures of the current window, these included.
pub async fn charge_many(
    tx: &mut WriteTx,
    budget: Budget,
    subject: &str,
    failures: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let window_opened_before = clock::stamp(now - TimeDelta::minutes(budget.window_minutes));
    sqlx::query_scalar(
        "INSERT INTO attempt_budgets (scope, subject, window_start, failures) VALUES ($1, $2, $3, $5)
         ON CONFLICT (scope, subject) DO UPDATE SET
             failures = CASE WHEN attempt_budgets.window_start <= $4 THEN $5 ELSE attempt_budgets.failures + $5 END,
             window_start = CASE WHEN attempt_budgets.window_start <= $4 THEN $3 ELSE attempt_budgets.window_start END
         RETURNING failures",
    )
    .bind(budget.scope)
    .bind(subject)
    .bind(clock::stamp(now))
    .bind(window_opened_before)
    .bind(failures)
    .fetch_one(tx.conn())
    .await
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

/// Forgets every failure counted against `login` (from any address or device
/// that does not know it): staff who hand out a new password, or the person
/// who changes theirs, also lift the refusal earlier wrong guesses put on it.
pub async fn clear_login(tx: &mut WriteTx, login: &str) -> Result<(), sqlx::Error> {
    clear(tx, LOGIN_PER_LOGIN, login).await?;
    let prefix = login_and_address(login, "");
    sqlx::query("DELETE FROM attempt_budgets WHERE scope = $1 AND substr(subject, 1, CAST($2 AS INTEGER)) = $3")
        .bind(LOGIN_PER_LOGIN_AND_ADDRESS.scope)
        .bind(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX))
        .bind(prefix)
        .execute(tx.conn())
        .await?;
    Ok(())
}
