//! Where the cooperative pays a supplier: the IBAN (ISO 13616) of its
//! account, and the BIC (ISO 9362) of its bank.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An IBAN whose check digits are right, stored without spaces, in capitals.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Iban(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error(
        "IBAN invalide : il commence par le code du pays et deux chiffres de contrôle, suivis de lettres et de chiffres (ex. FR76 3000 4000 0312 3456 7890 143)."
    )]
    Malformed,
    #[error("Un IBAN {country} compte {expected} caractères ; celui-ci en compte {found}.")]
    WrongLength { country: String, expected: usize, found: usize },
    #[error(
        "IBAN invalide : ses chiffres de contrôle ne correspondent pas. Vérifiez chaque caractère sur le RIB du fournisseur."
    )]
    BadCheckDigits,
}

/// IBAN lengths of the countries whose suppliers the cooperative is likely
/// to pay (SEPA); others are checked against the general bounds only.
const LENGTHS: [(&str, usize); 20] = [
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("CH", 21),
    ("DE", 22),
    ("DK", 18),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GR", 27),
    ("IE", 22),
    ("IT", 27),
    ("LU", 20),
    ("MC", 27),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("SE", 24),
];

impl Iban {
    /// What people copy from a RIB: groups of four, any case.
    pub fn parse(input: &str) -> Result<Iban, IbanError> {
        let iban: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let bytes = iban.as_bytes();
        let well_formed = (15..=34).contains(&bytes.len())
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit)
            && bytes[4..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !well_formed {
            return Err(IbanError::Malformed);
        }
        if let Some((country, expected)) = LENGTHS.iter().find(|(c, _)| *c == &iban[..2])
            && *expected != iban.len()
        {
            return Err(IbanError::WrongLength { country: (*country).into(), expected: *expected, found: iban.len() });
        }
        if mod97(&iban[4..], &iban[..4]) != 1 {
            return Err(IbanError::BadCheckDigits);
        }
        Ok(Iban(iban))
    }

    /// A stored IBAN as people read it, in groups of four; as stored if it
    /// no longer parses, rather than hidden.
    pub fn shown(stored: &str) -> String {
        Iban::parse(stored).map(|i| i.to_string()).unwrap_or_else(|_| stored.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

/// ISO 13616: the account part followed by country and check digits, each
/// letter read as a number (A = 10 … Z = 35), modulo 97. Computed digit by
/// digit, so it never overflows.
fn mod97(account: &str, head: &str) -> u32 {
    account.bytes().chain(head.bytes()).fold(0u32, |rest, b| {
        let value = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b - b'A') + 10 };
        if value >= 10 { (rest * 100 + value) % 97 } else { (rest * 10 + value) % 97 }
    })
}

/// The two check digits that make `country` + `account` a valid IBAN.
pub fn check_digits(country: &str, account: &str) -> u32 {
    98 - mod97(account, &format!("{country}00"))
}

/// `FR76 3000 4000 0312 3456 7890 143`, as printed on a RIB.
impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<&str> =
            self.0.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
        f.write_str(&groups.join(" "))
    }
}

/// A bank's BIC: 4 letters (bank), 2 (country), 2 letters or digits
/// (place), and optionally 3 more (branch).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bic(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("BIC invalide : 8 ou 11 caractères, comme BNPAFRPP ou BNPAFRPPXXX.")]
pub struct BicError;

impl Bic {
    pub fn parse(input: &str) -> Result<Bic, BicError> {
        let bic: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let b = bic.as_bytes();
        let alnum = |x: &u8| x.is_ascii_uppercase() || x.is_ascii_digit();
        let ok = matches!(b.len(), 8 | 11) && b[..6].iter().all(u8::is_ascii_uppercase) && b[6..].iter().all(alnum);
        if ok { Ok(Bic(bic)) } else { Err(BicError) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_read_as_printed_on_a_rib() {
        let iban = Iban::parse("fr76 3000 4000 0312 3456 7890 143").unwrap();
        assert_eq!(iban.as_str(), "FR7630004000031234567890143");
        assert_eq!(iban.to_string(), "FR76 3000 4000 0312 3456 7890 143");
        assert_eq!(iban.country(), "FR");
        // The demo suppliers', a German and a Belgian one.
        for ok in [
            "FR5910278360000002054460176",
            "FR9514505000010400123456789",
            "DE89370400440532013000",
            "BE68539007547034",
            "GB82WEST12345698765432",
        ] {
            assert!(Iban::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn each_mistake_is_named() {
        assert_eq!(Iban::parse("FR7630004000031234567890144"), Err(IbanError::BadCheckDigits));
        assert_eq!(
            Iban::parse("FR763000400003123456789014"),
            Err(IbanError::WrongLength { country: "FR".into(), expected: 27, found: 26 })
        );
        for bad in ["", "FR", "7630004000031234567890143", "FRXX30004000031234567890143", "FR76-3000-4000-0312-3456"] {
            assert_eq!(Iban::parse(bad), Err(IbanError::Malformed), "{bad:?}");
        }
        assert!(IbanError::WrongLength { country: "FR".into(), expected: 27, found: 26 }.to_string().contains("27"));
    }

    #[test]
    fn check_digits_complete_an_account_number() {
        assert_eq!(check_digits("FR", "30004000031234567890143"), 76);
        assert_eq!(check_digits("DE", "370400440532013000"), 89);
    }

    #[test]
    fn bics_have_eight_or_eleven_characters() {
        assert_eq!(Bic::parse(" bnpafrpp ").unwrap().as_str(), "BNPAFRPP");
        assert_eq!(Bic::parse("BNPAFRPPXXX").unwrap().as_str(), "BNPAFRPPXXX");
        assert!(Bic::parse("CCBPFRPPNAN").is_ok());
        for bad in ["", "BNPAFRP", "BNPAFRPPXX", "BNPAFRPPXXXX", "BNP1FRPP", "BNPAF1PP", "BNPAFRP-"] {
            assert_eq!(Bic::parse(bad), Err(BicError), "{bad:?}");
        }
    }
}

#[cfg(test)]
mod properties {
    //! The IBAN and BIC parsers against thousands of inputs.

    use super::*;
    use proptest::prelude::*;

    const CASES: u32 = 10_000;

    /// A French account number (23 characters) with its right check digits.
    fn valid_french_iban() -> impl Strategy<Value = String> {
        "[0-9]{10}[0-9A-Z]{11}[0-9]{2}".prop_map(|account| format!("FR{:02}{account}", check_digits("FR", &account)))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        #[test]
        fn an_iban_with_right_check_digits_is_accepted_and_shown_back(iban in valid_french_iban(), lower in any::<bool>()) {
            let typed = if lower { iban.to_lowercase() } else { iban.clone() };
            let read = Iban::parse(&typed);
            prop_assert!(read.is_ok(), "{:?} refused", typed);
            let read = read.unwrap();
            prop_assert_eq!(read.as_str(), iban.as_str());
            prop_assert_eq!(Iban::parse(&read.to_string()), Ok(read.clone()));
        }

        #[test]
        fn one_wrong_character_is_always_caught(iban in valid_french_iban(), at in 4usize..27, shift in 1u8..26) {
            // A digit becomes another digit, a letter another letter (a letter
            // for a digit changes the length of the number checked).
            let mut bytes = iban.clone().into_bytes();
            bytes[at] = match bytes[at] {
                d @ b'0'..=b'9' => b'0' + (d - b'0' + 1 + shift % 9) % 10,
                l => b'A' + (l - b'A' + shift) % 26,
            };
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert_ne!(&typo, &iban);
            prop_assert_eq!(Iban::parse(&typo), Err(IbanError::BadCheckDigits), "{} → {}", iban, typo);
        }

        #[test]
        fn anything_else_gets_a_french_reason_and_no_panic(
            text in prop_oneof![
                any::<String>(),
                "[A-Z]{2}[0-9]{2}[0-9A-Z ]{10,30}",
                prop::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter),
            ],
        ) {
            match Iban::parse(&text) {
                Ok(read) => prop_assert_eq!(mod97(&read.as_str()[4..], &read.as_str()[..4]), 1),
                Err(e) => prop_assert!(e.to_string().contains("IBAN"), "{}", e),
            }
            match Bic::parse(&text) {
                Ok(read) => prop_assert!(matches!(read.as_str().len(), 8 | 11)),
                Err(e) => prop_assert!(e.to_string().starts_with("BIC invalide"), "{}", e),
            }
        }
    }
}
