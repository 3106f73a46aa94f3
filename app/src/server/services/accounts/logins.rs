//! Temporary passwords: generated when staff create a login or reset one,
//! and shown once to that staff member, who passes it on ("à communiquer à
//! l'adhérent").
//!
//! A form post ends with a redirect, so the password cannot travel in the
//! answer to the post (nor, safely, in a URL). It waits in
//! `password_reveals`, sealed with a one-time key derived from a random
//! token; the token travels in the redirect's link (`?remise=…`). The page
//! behind the link opens it once, for the staff account that made it, within
//! minutes: the row alone, a copy of the database, or the link alone (in
//! the browser's history) reveal nothing.

use crate::server::auth::{Staff, hash_password};
use crate::server::error::ServerError;
use crate::server::store::accounts::{self, NewHandOver};
use crate::server::{AppState, codes::sha256_hex, db::WriteTx};
use crate::{domain::Timestamp, error::AppError};
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

/// Letters and digits that cannot be mistaken for one another when read
/// out over the phone or copied from a screen (no i, l, o, 0, 1).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// How long a hand-over waits to be shown.
const HAND_OVER_MINUTES: i64 = 15;

/// `k7mp-x9qe-4hta`: 12 characters of 31, about 59 bits, in groups of four.
pub fn temporary_password() -> String {
    let mut rng = rand::rng();
    (0..3)
        .map(|_| (0..4).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// argon2id takes tens of milliseconds on purpose: off the async threads.
pub async fn hash(password: String) -> Result<String, ServerError> {
    Ok(tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|_| AppError::Internal)?)
}

/// Stores `password` sealed for `reader` inside `tx`; returns the token for
/// the link that shows it.
#[tracing::instrument(skip_all, fields(reader = %reader.login, account = account_id))]
pub async fn hand_over(
    tx: &mut WriteTx,
    reader: &Staff,
    account_id: i64,
    password: &str,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let token = hex::encode(rand::random::<[u8; 16]>());
    let sealed = hex::encode(xor(password.as_bytes(), &keystream(&token)));
    let record = NewHandOver {
        token_hash: &sha256_hex(token.as_bytes()),
        reader_id: reader.account_id,
        account_id,
        sealed: &sealed,
        expires_at: Timestamp::new(now + TimeDelta::minutes(HAND_OVER_MINUTES)),
    };
    accounts::insert_hand_over(tx.conn(), &record, Timestamp::new(now)).await?;
    Ok(token)
}

/// Opens a hand-over once: (account, password), or None when the token is
/// unknown, already used, expired or meant for someone else.
#[tracing::instrument(skip_all, fields(reader = %reader.login))]
pub async fn take(
    state: &AppState,
    reader: &Staff,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, String)>, ServerError> {
    let token = token.trim();
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let mut tx = state.db.begin_write().await?;
    let found =
        accounts::take_hand_over(tx.conn(), &sha256_hex(token.as_bytes()), reader.account_id, Timestamp::new(now))
            .await?;
    tx.commit().await?;
    Ok(found.and_then(|(account, sealed)| {
        let bytes = hex::decode(sealed).ok()?;
        let password = String::from_utf8(xor(&bytes, &keystream(token))).ok()?;
        Some((account, password))
    }))
}

/// 32 bytes derived from the token, used once.
fn keystream(token: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"bons/temporary-password/v1");
    mac.finalize().into_bytes().into()
}

fn xor(data: &[u8], key: &[u8; 32]) -> Vec<u8> {
    data.iter().zip(key.iter().cycle()).map(|(d, k)| d ^ k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_passwords_are_readable_and_differ() {
        let a = temporary_password();
        assert_eq!(a.len(), 14, "{a}");
        assert!(a.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| ALPHABET.contains(&b))), "{a}");
        assert_ne!(a, temporary_password());
    }

    #[test]
    fn a_sealed_password_opens_with_its_token_only() {
        let sealed = xor(b"k7mp-x9qe-4hta", &keystream("00112233445566778899aabbccddeeff"));
        assert_ne!(sealed, b"k7mp-x9qe-4hta");
        assert_eq!(xor(&sealed, &keystream("00112233445566778899aabbccddeeff")), b"k7mp-x9qe-4hta");
        assert_ne!(xor(&sealed, &keystream("00112233445566778899aabbccddeef0")), b"k7mp-x9qe-4hta");
    }
}
