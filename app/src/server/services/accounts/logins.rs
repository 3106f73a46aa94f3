//! What staff need to open a login without knowing its password: a
//! password nobody knows (the person chooses theirs from an invitation or
//! an activation letter, `invitations`), and the letters' readable codes.

use crate::error::AppError;
use crate::server::auth::hash_password;
use crate::server::error::ServerError;
use crate::server::store::accounts::{self, NewAccount};
use rand::Rng;

/// Letters and digits that cannot be mistaken for one another when read
/// from paper or typed on a phone (no i, l, o, 0, 1).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// `k7mp-x9qe-4hta`: 12 characters of 31, about 59 bits, in groups of four.
pub fn readable_code() -> String {
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

/// The hash of a password nobody knows, for a login opened by staff: it
/// cannot be used to log in until its person chooses theirs.
pub async fn unusable_hash() -> Result<String, ServerError> {
    hash(hex::encode(rand::random::<[u8; 32]>())).await
}

/// Stores a login staff open, its password nobody's (`unusable_hash`); a
/// login already taken is refused with a sentence saying so.
pub async fn open(conn: &mut sqlx::AnyConnection, new: &NewAccount<'_>) -> Result<i64, ServerError> {
    accounts::insert_account(conn, new).await.map_err(ServerError::from).map_err(|e| {
        if e.breaks(accounts::LOGIN_KEY) {
            AppError::Conflict(format!("L'identifiant « {} » est déjà pris : choisissez-en un autre.", new.login))
                .into()
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_differ() {
        let a = readable_code();
        assert_eq!(a.len(), 14, "{a}");
        assert!(a.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| ALPHABET.contains(&b))), "{a}");
        assert_ne!(a, readable_code());
    }
}
