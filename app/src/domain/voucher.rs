//! The voucher's life: its statuses, the transitions between them, and the
//! number it receives when it is used.

use super::Day;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The only kind of voucher members request themselves.
pub const WEB_VOUCHER_LABEL: &str = "BON CASTORS WEB";

/// What the supplier's delivered vouchers page asks for when its address
/// names no start day: the list starts on the first day of last month,
/// what a supplier invoicing monthly wants. (An empty `du` means no start
/// day; the two would look alike once a form encodes them.)
pub const SINCE_LAST_MONTH: &str = "mois-dernier";

/// The statuses a used voucher can have: what a supplier's delivered list
/// shows and filters by.
pub const DELIVERED_STATUSES: [VoucherStatus; 4] =
    [VoucherStatus::Delivered, VoucherStatus::Invoiced, VoucherStatus::Paid, VoucherStatus::Cancelled];

/// Statuses carry the number and label the cooperative's staff already know
/// ("1-EMIS", "11-livré"); the numbering leaves room between steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VoucherStatus {
    Issued,
    Delivered,
    Invoiced,
    Paid,
    Cancelled,
    Expired,
}

impl VoucherStatus {
    pub const ALL: [VoucherStatus; 6] = [
        VoucherStatus::Issued,
        VoucherStatus::Delivered,
        VoucherStatus::Invoiced,
        VoucherStatus::Paid,
        VoucherStatus::Cancelled,
        VoucherStatus::Expired,
    ];

    pub const fn code(self) -> i64 {
        match self {
            VoucherStatus::Issued => 1,
            VoucherStatus::Delivered => 11,
            VoucherStatus::Invoiced => 21,
            VoucherStatus::Paid => 31,
            VoucherStatus::Cancelled => 91,
            VoucherStatus::Expired => 92,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The label shown to people, as in the seed: "1-EMIS", "11-livré".
    pub const fn label(self) -> &'static str {
        match self {
            VoucherStatus::Issued => "1-EMIS",
            VoucherStatus::Delivered => "11-livré",
            VoucherStatus::Invoiced => "21-facturé",
            VoucherStatus::Paid => "31-payé",
            VoucherStatus::Cancelled => "91-annulé",
            VoucherStatus::Expired => "92-expiré",
        }
    }

    /// Which moves the voucher's life allows. Use is the only way out of
    /// `Issued` that gives a number; nothing comes back to `Issued`.
    pub const fn can_become(self, next: VoucherStatus) -> bool {
        use VoucherStatus::*;
        matches!(
            (self, next),
            (Issued, Delivered)
                | (Issued, Expired)
                | (Issued, Cancelled)
                | (Delivered, Invoiced)
                | (Delivered, Cancelled)
                | (Invoiced, Paid)
        )
    }

    /// What the member sees: an issued voucher past its last valid day reads as
    /// expired even before any job has recorded it.
    pub fn as_seen_on(self, valid_until: Day, today: Day) -> VoucherStatus {
        if self == VoucherStatus::Issued && today > valid_until { VoucherStatus::Expired } else { self }
    }
}

impl fmt::Display for VoucherStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// `W2020.XX.442.00000123`: web voucher, year of use, the agency's
/// two-character code, its three-digit centre code, an eight-digit running
/// number without gaps per agency and year. It travels as that text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct VoucherNumber {
    year: i32,
    agency_code: String,
    centre_code: String,
    sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoucherNumberError {
    #[error("Numéro de bon invalide : il s'écrit comme W2020.NA.442.00000123.")]
    Malformed,
    #[error("Le code agence doit faire deux caractères (lettres ou chiffres).")]
    AgencyCode,
    #[error("Le code centre doit faire trois chiffres.")]
    CentreCode,
    #[error("La série de numéros de l'année est épuisée.")]
    SequenceExhausted,
}

pub const MAX_SEQUENCE: u32 = 99_999_999;

impl VoucherNumber {
    pub fn new(year: i32, agency_code: &str, centre_code: &str, sequence: u32) -> Result<Self, VoucherNumberError> {
        if agency_code.len() != 2 || !agency_code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            return Err(VoucherNumberError::AgencyCode);
        }
        if centre_code.len() != 3 || !centre_code.chars().all(|c| c.is_ascii_digit()) {
            return Err(VoucherNumberError::CentreCode);
        }
        if sequence == 0 || sequence > MAX_SEQUENCE {
            return Err(VoucherNumberError::SequenceExhausted);
        }
        if !(1000..=9999).contains(&year) {
            return Err(VoucherNumberError::Malformed);
        }
        Ok(Self { year, agency_code: agency_code.to_owned(), centre_code: centre_code.to_owned(), sequence })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    pub fn agency_code(&self) -> &str {
        &self.agency_code
    }

    pub fn centre_code(&self) -> &str {
        &self.centre_code
    }
}

impl fmt::Display for VoucherNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "W{}.{}.{}.{:08}", self.year, self.agency_code, self.centre_code, self.sequence)
    }
}

impl FromStr for VoucherNumber {
    type Err = VoucherNumberError;

    /// Accepts what a supplier may type from a delivery slip: surrounding
    /// spaces and a lower-case letter are forgiven, nothing else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_uppercase();
        let rest = s.strip_prefix('W').ok_or(VoucherNumberError::Malformed)?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [year, agency, centre, seq] = parts.as_slice() else {
            return Err(VoucherNumberError::Malformed);
        };
        let digits = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
        if !digits(year, 4) || !digits(seq, 8) {
            return Err(VoucherNumberError::Malformed);
        }
        let year = year.parse().map_err(|_| VoucherNumberError::Malformed)?;
        let seq = seq.parse().map_err(|_| VoucherNumberError::Malformed)?;
        VoucherNumber::new(year, agency, centre, seq)
    }
}

travels_as_text!(
    VoucherNumber,
    |n: VoucherNumber| n.to_string(),
    |text: &str| text.parse::<VoucherNumber>().ok(),
    "a voucher number"
);

/// How many digits a secret code has: 4 as in the seed, up to 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct SecretCodeLength(u8);

/// Read back from storage or JSON through the same rule as `new`.
impl TryFrom<u8> for SecretCodeLength {
    type Error = String;

    fn try_from(digits: u8) -> Result<Self, String> {
        SecretCodeLength::new(digits)
    }
}

impl From<SecretCodeLength> for u8 {
    fn from(length: SecretCodeLength) -> u8 {
        length.0
    }
}

impl SecretCodeLength {
    pub const DEFAULT: SecretCodeLength = SecretCodeLength(4);

    pub fn new(digits: u8) -> Result<Self, String> {
        if (4..=8).contains(&digits) {
            Ok(SecretCodeLength(digits))
        } else {
            Err(format!("La longueur du code secret doit être comprise entre 4 et 8 chiffres (reçu : {digits})."))
        }
    }

    pub const fn digits(self) -> u8 {
        self.0
    }
}

/// A secret code as someone typed it from a delivery slip: spaces and dots
/// are ignored, and it must be 4 to 8 digits. Says nothing about whether it
/// is the right code.
pub fn parse_typed_code(input: &str) -> Result<String, String> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != '-').collect();
    if digits.is_empty() {
        return Err("Saisissez le code secret noté sur le bon de livraison.".into());
    }
    if digits.chars().count() > 8 || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() < 4 {
        return Err("Le code secret est composé de 4 à 8 chiffres.".into());
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_are_digits_only() {
        assert_eq!(parse_typed_code(" 53 12 ").as_deref(), Ok("5312"));
        assert_eq!(parse_typed_code("1234.5678").as_deref(), Ok("12345678"));
        for bad in ["", "   ", "123", "123456789", "12a4", "١٢٣٤", "12345678901234567890"] {
            let err = parse_typed_code(bad).unwrap_err();
            assert!(err.contains("code secret"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn numbers_read_like_the_seed() {
        let n = VoucherNumber::new(2020, "NA", "442", 123).unwrap();
        assert_eq!(n.to_string(), "W2020.NA.442.00000123");
        assert_eq!("W2020.NA.442.00000123".parse::<VoucherNumber>(), Ok(n.clone()));
        assert_eq!(" w2020.na.442.00000123 ".parse::<VoucherNumber>(), Ok(n.clone()));
        // On the wire, the number is its text.
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"W2020.NA.442.00000123\"");
        assert_eq!(serde_json::from_str::<VoucherNumber>("\"W2020.NA.442.00000123\"").unwrap(), n);
        assert!(serde_json::from_str::<VoucherNumber>("\"W2020.NA.442\"").is_err());
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "W2020.NA.442.0000123",
            "W2020.NA.442.000001234",
            "X2020.NA.442.00000123",
            "W20.NA.442.00000123",
            "W2020.N.442.00000123",
            "W2020.NA.44.00000123",
            "W2020.NA.4A2.00000123",
            "W2020.NA.442.00000000",
            "W2020.NA.442.0000012a",
            "W2020.NA.442.00000123.1",
            "W2020NA44200000123",
            "W2020.N-.442.00000123",
            "W+020.NA.442.00000123",
            "W2020.NA.442.+0000123",
        ] {
            assert!(bad.parse::<VoucherNumber>().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn sequence_has_eight_digits_at_most() {
        assert!(VoucherNumber::new(2026, "NA", "442", MAX_SEQUENCE).is_ok());
        assert_eq!(VoucherNumber::new(2026, "NA", "442", MAX_SEQUENCE + 1), Err(VoucherNumberError::SequenceExhausted));
    }

    #[test]
    fn statuses_have_their_seed_labels_and_stable_codes() {
        assert_eq!(VoucherStatus::Issued.label(), "1-EMIS");
        assert_eq!(VoucherStatus::Delivered.label(), "11-livré");
        for s in VoucherStatus::ALL {
            assert_eq!(VoucherStatus::from_code(s.code()), Some(s));
            assert!(s.label().starts_with(&format!("{}-", s.code())));
        }
        assert_eq!(VoucherStatus::from_code(2), None);
    }

    #[test]
    fn a_voucher_is_used_once_and_never_comes_back() {
        use VoucherStatus::*;
        assert!(Issued.can_become(Delivered));
        assert!(!Delivered.can_become(Delivered));
        assert!(!Delivered.can_become(Issued));
        assert!(!Expired.can_become(Delivered));
        assert!(!Cancelled.can_become(Delivered));
        assert!(!Paid.can_become(Issued));
        for s in VoucherStatus::ALL {
            assert!(!s.can_become(Issued), "{s} must not return to 1-EMIS");
        }
    }

    #[test]
    fn an_issued_voucher_past_its_date_reads_as_expired() {
        use VoucherStatus::*;
        let day = |iso| Day::parse_iso(iso).unwrap();
        assert_eq!(Issued.as_seen_on(day("2026-11-30"), day("2026-11-30")), Issued);
        assert_eq!(Issued.as_seen_on(day("2026-11-30"), day("2026-12-01")), Expired);
        assert_eq!(Delivered.as_seen_on(day("2026-11-30"), day("2027-01-01")), Delivered);
    }

    #[test]
    fn code_length_is_four_to_eight() {
        assert_eq!(SecretCodeLength::DEFAULT.digits(), 4);
        assert!(SecretCodeLength::new(3).is_err());
        assert!(SecretCodeLength::new(8).is_ok());
        assert!(SecretCodeLength::new(9).is_err());
    }
}

#[cfg(test)]
mod properties {
    //! Voucher numbers and code lengths against thousands of well-formed,
    //! nearly right and arbitrary inputs.

    use super::*;
    use proptest::prelude::*;

    const CASES: u32 = 10_000;

    fn valid_number() -> impl Strategy<Value = VoucherNumber> {
        (1000_i32..=9999, "[A-Z0-9]{2}", "[0-9]{3}", 1..=MAX_SEQUENCE).prop_map(|(year, agency, centre, sequence)| {
            VoucherNumber::new(year, &agency, &centre, sequence).expect("valid parts make a number")
        })
    }

    /// One edit of a text: a character removed, replaced, inserted or doubled.
    #[derive(Debug, Clone)]
    enum Edit {
        Remove(prop::sample::Index),
        Replace(prop::sample::Index, char),
        Insert(prop::sample::Index, char),
        Double(prop::sample::Index),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let odd_char = prop_oneof![
            prop::sample::select(vec!['.', 'W', 'w', '0', '9', 'A', 'z', ' ', '-', '+', 'é', '٣', '\0', '\u{a0}']),
            any::<char>(),
        ];
        prop_oneof![
            any::<prop::sample::Index>().prop_map(Edit::Remove),
            (any::<prop::sample::Index>(), odd_char.clone()).prop_map(|(at, c)| Edit::Replace(at, c)),
            (any::<prop::sample::Index>(), odd_char).prop_map(|(at, c)| Edit::Insert(at, c)),
            any::<prop::sample::Index>().prop_map(Edit::Double),
        ]
    }

    fn apply(text: &str, edits: &[Edit]) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for edit in edits {
            match *edit {
                Edit::Insert(at, c) => chars.insert(at.index(chars.len() + 1), c),
                _ if chars.is_empty() => {}
                Edit::Remove(at) => {
                    chars.remove(at.index(chars.len()));
                }
                Edit::Replace(at, c) => {
                    let i = at.index(chars.len());
                    chars[i] = c;
                }
                Edit::Double(at) => {
                    let i = at.index(chars.len());
                    chars.insert(i, chars[i]);
                }
            }
        }
        chars.into_iter().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        #[test]
        fn every_valid_number_reads_back_as_itself(number in valid_number()) {
            let printed = number.to_string();
            prop_assert_eq!(printed.len(), "W2020.NA.442.00000123".len(), "{}", printed);
            prop_assert_eq!(printed.parse::<VoucherNumber>(), Ok(number.clone()), "{}", printed);
            let parts: Vec<&str> = printed.split('.').collect();
            prop_assert_eq!(parts[0], format!("W{}", number.year()));
            prop_assert_eq!((parts[1], parts[2]), (number.agency_code(), number.centre_code()));
            prop_assert_eq!(parts[3].parse::<u32>(), Ok(number.sequence()));
        }

        #[test]
        fn a_number_typed_in_lower_case_between_spaces_is_the_same_number(
            number in valid_number(),
            lead in "[ \t\u{a0}]{0,3}",
            trail in "[ \t\n\u{a0}]{0,3}",
        ) {
            let typed = format!("{lead}{}{trail}", number.to_string().to_lowercase());
            prop_assert_eq!(typed.parse::<VoucherNumber>(), Ok(number), "{:?}", typed);
        }

        #[test]
        fn a_nearly_right_number_is_refused_unless_it_is_another_valid_number(
            number in valid_number(),
            edits in prop::collection::vec(edit(), 1..4),
        ) {
            let typed = apply(&number.to_string(), &edits);
            match typed.parse::<VoucherNumber>() {
                // Accepted only if the edit made another well-formed number.
                Ok(read) => prop_assert_eq!(read.to_string(), typed.trim().to_ascii_uppercase(), "{:?}", typed),
                Err(e) => prop_assert!(!e.to_string().is_empty(), "{:?}", typed),
            }
        }

        #[test]
        fn no_text_makes_the_number_parser_panic(
            text in prop_oneof![
                any::<String>(),
                "[Ww0-9A-Z.]{0,24}",
                prop::collection::vec(any::<char>(), 0..30).prop_map(String::from_iter),
            ],
        ) {
            match text.parse::<VoucherNumber>() {
                Ok(read) => {
                    prop_assert_eq!(read.to_string(), text.trim().to_ascii_uppercase(), "{:?}", text);
                    prop_assert_eq!(read.to_string().parse::<VoucherNumber>(), Ok(read));
                }
                Err(e) => {
                    let message = e.to_string();
                    prop_assert!(message.ends_with('.') && message.len() > 20, "{:?}: {:?}", text, message);
                }
            }
        }

        #[test]
        fn numbers_are_built_only_from_valid_parts(
            year in any::<i32>(),
            agency in prop_oneof!["[A-Z0-9]{2}", ".{0,4}"],
            centre in prop_oneof!["[0-9]{3}", ".{0,5}"],
            sequence in any::<u32>(),
        ) {
            let valid = (1000..=9999).contains(&year)
                && agency.len() == 2
                && agency.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && centre.len() == 3
                && centre.bytes().all(|b| b.is_ascii_digit())
                && (1..=MAX_SEQUENCE).contains(&sequence);
            match VoucherNumber::new(year, &agency, &centre, sequence) {
                Ok(number) => {
                    prop_assert!(valid, "{} accepted from {:?}", number, (year, &agency, &centre, sequence));
                    prop_assert_eq!(number.to_string().parse::<VoucherNumber>(), Ok(number));
                }
                Err(e) => {
                    let parts = (year, &agency, &centre, sequence);
                    prop_assert!(!valid && !e.to_string().is_empty(), "{:?}: {}", parts, e);
                }
            }
        }

        #[test]
        fn secret_codes_have_four_to_eight_digits(digits in any::<u8>()) {
            match SecretCodeLength::new(digits) {
                Ok(length) => prop_assert!((4..=8).contains(&digits) && length.digits() == digits, "{}", digits),
                Err(message) => {
                    prop_assert!(!(4..=8).contains(&digits), "{} refused", digits);
                    prop_assert!(message.starts_with("La longueur du code secret"), "{:?}", message);
                    prop_assert!(message.contains(&format!("(reçu : {digits})")), "{:?}", message);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        /// Whatever is typed in the code field: never a panic; either 4 to 8
        /// digits (the digits typed, in order) or a French sentence.
        #[test]
        fn typed_codes_are_the_digits_or_a_sentence(input in "\\PC{0,24}") {
            match parse_typed_code(&input) {
                Ok(code) => {
                    prop_assert!((4..=8).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit()));
                    let typed: String = input.chars().filter(char::is_ascii_digit).collect();
                    prop_assert_eq!(code, typed);
                }
                Err(message) => prop_assert!(message.contains("code secret")),
            }
        }

        /// A code written with spaces or dots between digit groups reads the same.
        #[test]
        fn spaced_codes_read_as_their_digits(code in "[0-9]{4,8}", cut in 1usize..4, sep in "[ .-]") {
            let cut = cut.min(code.len() - 1);
            let spaced = format!(" {}{sep}{} ", &code[..cut], &code[cut..]);
            prop_assert_eq!(parse_typed_code(&spaced), Ok(code));
        }
    }

    #[test]
    fn stored_code_lengths_are_checked_when_read_back() {
        assert_eq!(serde_json::from_str::<SecretCodeLength>("6").ok(), SecretCodeLength::new(6).ok());
        assert!(serde_json::from_str::<SecretCodeLength>("20").is_err());
        assert_eq!(serde_json::to_string(&SecretCodeLength::DEFAULT).unwrap(), "4");
    }
}
