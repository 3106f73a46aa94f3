//! SIRET: the 14-digit number of a French business establishment, the first
//! nine digits being its company's SIREN. Its last digit makes the Luhn sum
//! of the fourteen a multiple of ten, except at La Poste, whose thousands of
//! establishments outgrew the key: their SIRETs have a digit sum divisible by
//! five instead (its head office, 356 000 000 00048, still follows Luhn).

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// La Poste's SIREN, the one company whose establishments escape Luhn.
pub const LA_POSTE_SIREN: &str = "356000000";
/// La Poste's head office: the one SIRET of its SIREN that follows Luhn.
pub const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

/// A SIRET whose key checks out, stored as its 14 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Siret(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiretError {
    #[error("Le SIRET compte 14 chiffres, par exemple 442 908 123 00015.")]
    NotFourteenDigits,
    #[error(
        "SIRET invalide : sa clé de contrôle ne correspond pas. Vérifiez chaque chiffre sur un document officiel (Kbis, facture)."
    )]
    BadKey,
}

impl Siret {
    /// What people type: digits, with or without spaces between groups.
    pub fn parse(input: &str) -> Result<Siret, SiretError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SiretError::NotFourteenDigits);
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let valid = if digits.starts_with(LA_POSTE_SIREN) {
            digits == LA_POSTE_HEAD_OFFICE || values.iter().sum::<u32>().is_multiple_of(5)
        } else {
            luhn_valid(&values)
        };
        if valid { Ok(Siret(digits)) } else { Err(SiretError::BadKey) }
    }

    /// The 14 digits, as stored.
    /// A stored SIRET as people read it (`442 908 123 00015`); as stored
    /// if it no longer parses, rather than hidden.
    pub fn shown(stored: &str) -> String {
        Siret::parse(stored).map(|s| s.to_string()).unwrap_or_else(|_| stored.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The company's number: the first nine digits.
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

/// A SIREN (a company's nine digits) as typed: spaces allowed, its Luhn key
/// checked; the nine digits, or the sentence saying what is wrong.
pub fn parse_siren(input: &str) -> Result<String, String> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Le SIREN compte 9 chiffres, par exemple 732 829 320.".into());
    }
    let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    if digits != LA_POSTE_SIREN && !luhn_valid(&values) {
        return Err("SIREN invalide : sa clé de contrôle ne correspond pas. Vérifiez chaque chiffre.".into());
    }
    Ok(digits)
}

/// The Luhn check: from the right, every second digit is doubled (its
/// digits summed); the total must be a multiple of ten.
pub fn luhn_valid(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum.is_multiple_of(10)
}

/// `442 908 123 00015`: the SIREN in threes, then the establishment's five digits.
impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{} {} {} {}", &s[..3], &s[3..6], &s[6..9], &s[9..])
    }
}

impl FromStr for Siret {
    type Err = SiretError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Siret::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_looking_sirets_are_read_with_or_without_spaces() {
        let s = Siret::parse(" 442 908 123 00015 ").unwrap();
        assert_eq!(s.as_str(), "44290812300015");
        assert_eq!(s.siren(), "442908123");
        assert_eq!(s.to_string(), "442 908 123 00015");
        // The demo suppliers' SIRETs.
        for ok in ["44290812300015", "44315678900010", "44500123400019"] {
            assert!(Siret::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn a_wrong_digit_or_length_is_refused_with_a_reason() {
        assert_eq!(Siret::parse("44290812300016"), Err(SiretError::BadKey));
        assert_eq!(Siret::parse("4429081230001"), Err(SiretError::NotFourteenDigits));
        assert_eq!(Siret::parse("442908123000155"), Err(SiretError::NotFourteenDigits));
        assert_eq!(Siret::parse("4429O812300015"), Err(SiretError::NotFourteenDigits));
        assert_eq!(Siret::parse(""), Err(SiretError::NotFourteenDigits));
        assert!(SiretError::BadKey.to_string().starts_with("SIRET invalide"));
    }

    #[test]
    fn la_poste_establishments_need_a_digit_sum_divisible_by_five() {
        // Head office: Luhn, and its digit sum (26) is not a multiple of five.
        assert!(Siret::parse(LA_POSTE_HEAD_OFFICE).is_ok());
        // An establishment: 3+5+6+0+0+0+0+0+0+0+1+2+3+0 = 20.
        assert!(Siret::parse("35600000001230").is_ok());
        assert!(!luhn_valid(&[3, 5, 6, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0]), "it would fail Luhn");
        // Digit sum 21: refused, even though it is La Poste's SIREN.
        assert_eq!(Siret::parse("35600000001231"), Err(SiretError::BadKey));
        // Passing Luhn is not enough for La Poste's other establishments: 3+5+6+1+4 = 19.
        assert!(luhn_valid(&[3, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4]));
        assert_eq!(Siret::parse("35600000000014"), Err(SiretError::BadKey));
    }
}

#[cfg(test)]
mod properties {
    //! The SIRET parser against thousands of inputs.

    use super::*;
    use proptest::prelude::*;

    const CASES: u32 = 10_000;

    /// Thirteen digits (not La Poste's SIREN) and the Luhn key that completes them.
    fn valid_siret() -> impl Strategy<Value = String> {
        "[0-9]{13}".prop_filter("La Poste follows its own rule", |s| !s.starts_with(LA_POSTE_SIREN)).prop_map(|head| {
            (0..10)
                .map(|key| format!("{head}{key}"))
                .find(|s| luhn_valid(&s.bytes().map(|b| u32::from(b - b'0')).collect::<Vec<_>>()))
                .expect("one key in ten completes a Luhn number")
        })
    }

    fn digits(s: &str) -> Vec<u32> {
        s.bytes().map(|b| u32::from(b - b'0')).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        #[test]
        fn a_luhn_siret_is_accepted_however_it_is_spaced_and_shown_back(siret in valid_siret(), spaced in any::<bool>()) {
            let typed = if spaced { format!(" {} {} {} {} ", &siret[..3], &siret[3..6], &siret[6..9], &siret[9..]) } else { siret.clone() };
            let read = Siret::parse(&typed);
            prop_assert!(read.is_ok(), "{:?} refused", typed);
            let read = read.unwrap();
            prop_assert_eq!(read.as_str(), siret.as_str());
            prop_assert_eq!(Siret::parse(&read.to_string()), Ok(read.clone()));
        }

        #[test]
        fn one_wrong_digit_is_always_caught(siret in valid_siret(), at in 0usize..14, delta in 1u8..10) {
            let mut bytes = siret.clone().into_bytes();
            bytes[at] = b'0' + (bytes[at] - b'0' + delta) % 10;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assume!(!typo.starts_with(LA_POSTE_SIREN));
            prop_assert_eq!(Siret::parse(&typo), Err(SiretError::BadKey), "{} → {}", siret, typo);
        }

        #[test]
        fn swapping_two_neighbours_is_caught_unless_they_are_0_and_9(siret in valid_siret(), start in 0usize..13) {
            // The first pair from `start` on that a swap changes, other than 0 and 9.
            let bytes = siret.as_bytes();
            let swappable =
                |i: usize| bytes[i] != bytes[i + 1] && !matches!((bytes[i], bytes[i + 1]), (b'0', b'9') | (b'9', b'0'));
            if let Some(at) = (0..13).map(|i| (start + i) % 13).find(|&i| swappable(i)) {
                let mut typo = bytes.to_vec();
                typo.swap(at, at + 1);
                let typo = String::from_utf8(typo).unwrap();
                if !typo.starts_with(LA_POSTE_SIREN) {
                    prop_assert_eq!(Siret::parse(&typo), Err(SiretError::BadKey), "{} → {}", siret, typo);
                }
            }
        }

        #[test]
        fn la_poste_sirets_follow_the_digit_sum_rule(nic in "[0-9]{5}") {
            let siret = format!("{LA_POSTE_SIREN}{nic}");
            let by_sum = digits(&siret).iter().sum::<u32>().is_multiple_of(5);
            let accepted = Siret::parse(&siret).is_ok();
            prop_assert_eq!(accepted, by_sum || siret == LA_POSTE_HEAD_OFFICE, "{}", siret);
        }

        #[test]
        fn anything_else_gets_a_french_reason_and_no_panic(
            text in prop_oneof![
                any::<String>(),
                "[0-9 ]{10,18}",
                "[0-9]{12,16}[A-Za-z]?",
                prop::collection::vec(any::<char>(), 0..20).prop_map(String::from_iter),
            ],
        ) {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            match Siret::parse(&text) {
                Ok(read) => {
                    prop_assert_eq!(read.as_str(), compact.as_str());
                    prop_assert!(compact.len() == 14 && compact.bytes().all(|b| b.is_ascii_digit()));
                }
                Err(e) => {
                    let message = e.to_string();
                    prop_assert!(message.contains("SIRET"), "{}", message);
                    if compact.len() != 14 || !compact.bytes().all(|b| b.is_ascii_digit()) {
                        prop_assert_eq!(e, SiretError::NotFourteenDigits);
                    }
                }
            }
        }
    }
}
