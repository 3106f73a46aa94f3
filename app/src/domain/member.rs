//! Member numbers as printed on membership cards: `4400xxxxB`.

use super::Day;
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

/// The login a person typed, as stored: a member's number in any form
/// (`44000123b`), else a staff login or an email address, without case.
pub fn typed_login(typed: &str) -> String {
    match typed.parse::<MemberNumber>() {
        Ok(number) => number.0,
        Err(_) => typed.trim().to_lowercase(),
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

/// Paid up while `today` (in Paris) is on or before the paid-until day.
pub fn fee_paid_up(paid_until: Option<Day>, today: Day) -> bool {
    paid_until.is_some_and(|until| today <= until)
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

#[cfg(test)]
mod properties {
    //! Member numbers and initials against thousands of inputs.

    use super::*;
    use proptest::prelude::*;

    const CASES: u32 = 10_000;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        #[test]
        fn a_card_number_reads_back_as_itself_however_it_is_typed(
            number in "[0-9]{8}[A-Z]",
            lower in any::<bool>(),
            lead in "[ \t\u{a0}]{0,2}",
            trail in "[ \t\n\u{a0}]{0,2}",
        ) {
            let typed = format!("{lead}{}{trail}", if lower { number.to_lowercase() } else { number.clone() });
            let read = typed.parse::<MemberNumber>();
            prop_assert!(read.is_ok(), "{:?} refused", typed);
            let read = read.unwrap();
            prop_assert_eq!(read.as_str(), number.as_str());
            prop_assert_eq!(read.to_string().parse::<MemberNumber>(), Ok(read.clone()));
        }

        #[test]
        fn only_eight_digits_and_a_letter_are_member_numbers(
            text in prop_oneof![
                any::<String>(),
                "[0-9]{6,10}[A-Za-z0-9é]{0,2}",
                "[ ]?[0-9A-Z]{9}[ ]?",
                prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
            ],
        ) {
            let canonical = text.trim().to_ascii_uppercase();
            let well_formed = canonical.len() == 9
                && canonical.as_bytes()[..8].iter().all(u8::is_ascii_digit)
                && canonical.as_bytes()[8].is_ascii_uppercase();
            match text.parse::<MemberNumber>() {
                Ok(read) => prop_assert!(well_formed && read.as_str() == canonical, "{:?} → {}", text, read),
                Err(e) => {
                    prop_assert!(!well_formed, "{:?} refused", text);
                    prop_assert!(e.to_string().starts_with("N° d'adhérent invalide"), "{}", e);
                }
            }
        }

        #[test]
        fn initials_show_one_capital_per_word_and_nothing_else(name in any::<String>()) {
            let shown = initials(&name);
            let words: Vec<&str> = name.split_whitespace().collect();
            let pieces: Vec<&str> = if shown.is_empty() { Vec::new() } else { shown.split(' ').collect() };
            prop_assert_eq!(pieces.len(), words.len(), "{:?} → {:?}", name, shown);
            for (piece, word) in pieces.iter().zip(&words) {
                let first = word.chars().next().unwrap();
                prop_assert_eq!(piece.to_string(), format!("{}.", first.to_uppercase()), "{:?} → {:?}", name, shown);
            }
        }
    }
}
