//! Member numbers as printed on membership cards: `4400xxxxB`.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Eight digits followed by one letter, e.g. `44000123B`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("N° d'adhérent invalide : il s'écrit avec huit chiffres suivis d'une lettre, comme 44000123B.")]
pub struct MemberNumberError;

impl MemberNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MemberNumber {
    type Err = MemberNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_uppercase();
        let bytes = s.as_bytes();
        let well_formed =
            bytes.len() == 9 && bytes[..8].iter().all(u8::is_ascii_digit) && bytes[8].is_ascii_uppercase();
        if well_formed { Ok(MemberNumber(s)) } else { Err(MemberNumberError) }
    }
}

impl fmt::Display for MemberNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// "Jean Dupont" → "J. D.": what a public page may show of a member.
pub fn initials(full_name: &str) -> String {
    full_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_numbers_are_eight_digits_and_a_letter() {
        assert_eq!("44000123B".parse::<MemberNumber>().unwrap().as_str(), "44000123B");
        assert_eq!(" 44000123b ".parse::<MemberNumber>().unwrap().as_str(), "44000123B");
        for bad in ["", "4400123B", "440001234", "44000123BB", "A4000123B", "44000123é", "44000123"] {
            assert!(bad.parse::<MemberNumber>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn initials_hide_the_name() {
        assert_eq!(initials("Jean Dupont"), "J. D.");
        assert_eq!(initials("  élise   martin-durand "), "É. M.");
        assert_eq!(initials(""), "");
    }
}
