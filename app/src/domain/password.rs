//! The rule a new password must meet, for the form's hints and the server.

/// Long enough to resist guessing within the attempt budgets; no
/// composition rules (they make passwords harder to remember, not to guess).
pub const MIN_CHARS: usize = 10;
/// argon2 takes any length; this keeps a form from sending a novel.
pub const MAX_CHARS: usize = 128;

/// What the « Changer mon mot de passe » form sends.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    /// The new password typed a second time.
    pub confirm: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange(****)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Indiquez votre mot de passe actuel.")]
    CurrentMissing,
    #[error("Le nouveau mot de passe compte au moins {MIN_CHARS} caractères.")]
    TooShort,
    #[error("Le nouveau mot de passe compte au plus {MAX_CHARS} caractères.")]
    TooLong,
    #[error("Les deux saisies du nouveau mot de passe sont différentes : tapez-le deux fois à l'identique.")]
    Mismatch,
    #[error("Le nouveau mot de passe doit être différent de l'actuel.")]
    Unchanged,
}

impl PasswordError {
    /// The form's field the mistake is in.
    pub fn field(&self) -> &'static str {
        match self {
            PasswordError::CurrentMissing => "current",
            PasswordError::Mismatch => "confirm",
            PasswordError::TooShort | PasswordError::TooLong | PasswordError::Unchanged => "new",
        }
    }
}

/// Checks a change before anything is looked up; the current password
/// itself is checked by the server.
pub fn check_change(change: &PasswordChange) -> Result<(), PasswordError> {
    if change.current.is_empty() {
        return Err(PasswordError::CurrentMissing);
    }
    check_choice(&change.new, &change.confirm)?;
    if change.new == change.current { Err(PasswordError::Unchanged) } else { Ok(()) }
}

/// Checks a password chosen from a link (forgotten password, invitation):
/// long enough, not too long, typed twice alike. How hard it is to guess
/// is the server's judgement (`server::strength`).
pub fn check_choice(new: &str, confirm: &str) -> Result<(), PasswordError> {
    let chars = new.chars().count();
    if chars < MIN_CHARS {
        Err(PasswordError::TooShort)
    } else if chars > MAX_CHARS {
        Err(PasswordError::TooLong)
    } else if new != confirm {
        Err(PasswordError::Mismatch)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(current: &str, new: &str, confirm: &str) -> PasswordChange {
        PasswordChange { current: current.into(), new: new.into(), confirm: confirm.into() }
    }

    #[test]
    fn a_new_password_is_long_enough_typed_twice_alike_and_new() {
        assert_eq!(check_change(&change("castors", "une longue phrase", "une longue phrase")), Ok(()));
        assert_eq!(
            check_change(&change("", "une longue phrase", "une longue phrase")),
            Err(PasswordError::CurrentMissing)
        );
        assert_eq!(check_change(&change("castors", "court", "court")), Err(PasswordError::TooShort));
        // Characters, not bytes: nine accented letters are too short.
        assert_eq!(check_change(&change("castors", "ééééééééé", "ééééééééé")), Err(PasswordError::TooShort));
        let long = "x".repeat(MAX_CHARS + 1);
        assert_eq!(check_change(&change("castors", &long, &long)), Err(PasswordError::TooLong));
        assert_eq!(
            check_change(&change("castors", "une longue phrase", "une longue phrasE")),
            Err(PasswordError::Mismatch)
        );
        assert_eq!(
            check_change(&change("une longue phrase", "une longue phrase", "une longue phrase")),
            Err(PasswordError::Unchanged)
        );
    }

    #[test]
    fn a_password_change_never_shows_in_debug_output() {
        let shown = format!("{:?}", change("castors", "une longue phrase", "une longue phrase"));
        assert!(!shown.contains("castors") && !shown.contains("longue"), "{shown}");
    }
}
