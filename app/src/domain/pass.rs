//! Pass Castors (seed 003): the paper passes a sponsor's order buys, handed
//! to beneficiaries and spent at partner suppliers. A pass has a number in
//! a series of its own per agency and year, a face value, a validity, and
//! may circulate only once the order's counterpart is in the account: the
//! rule of seed 003, « aucun pass ne circule sans sa contrepartie ».

use super::money::Money;
use super::{Day, order::is_postcode};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// `P2026.NA.442.00000001`: pass, year of production, the agency's code,
/// its centre code, an eight-digit running number without gaps per agency
/// and year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PassNumber {
    year: i32,
    agency_code: String,
    centre_code: String,
    sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassNumberError {
    #[error("Numéro de pass invalide : il s'écrit comme P2026.NA.442.00000001.")]
    Malformed,
    #[error("La série de numéros de pass de l'année est épuisée.")]
    SequenceExhausted,
}

impl PassNumber {
    pub const MAX_SEQUENCE: u32 = 99_999_999;

    pub fn new(year: i32, agency_code: &str, centre_code: &str, sequence: u32) -> Result<Self, PassNumberError> {
        let agency_ok =
            agency_code.len() == 2 && agency_code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let centre_ok = centre_code.len() == 3 && centre_code.chars().all(|c| c.is_ascii_digit());
        if !agency_ok || !centre_ok || !(1000..=9999).contains(&year) {
            return Err(PassNumberError::Malformed);
        }
        if sequence == 0 || sequence > Self::MAX_SEQUENCE {
            return Err(PassNumberError::SequenceExhausted);
        }
        Ok(Self { year, agency_code: agency_code.to_owned(), centre_code: centre_code.to_owned(), sequence })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn agency_code(&self) -> &str {
        &self.agency_code
    }

    pub fn centre_code(&self) -> &str {
        &self.centre_code
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for PassNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}.{}.{}.{:08}", self.year, self.agency_code, self.centre_code, self.sequence)
    }
}

impl FromStr for PassNumber {
    type Err = PassNumberError;

    /// What a supplier types from a paper pass: surrounding spaces and
    /// lower case forgiven, nothing else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_uppercase();
        let rest = s.strip_prefix('P').ok_or(PassNumberError::Malformed)?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [year, agency, centre, seq] = parts.as_slice() else {
            return Err(PassNumberError::Malformed);
        };
        let digits = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
        if !digits(year, 4) || !digits(seq, 8) {
            return Err(PassNumberError::Malformed);
        }
        let year = year.parse().map_err(|_| PassNumberError::Malformed)?;
        let seq = seq.parse().map_err(|_| PassNumberError::Malformed)?;
        PassNumber::new(year, agency, centre, seq)
    }
}

travels_as_text!(
    PassNumber,
    |n: PassNumber| n.to_string(),
    |text: &str| text.parse::<PassNumber>().ok(),
    "a pass number"
);

/// Where a pass stands, as stored. Expiry is not stored: a pass past its
/// validity reads as expired (`PassState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PassStatus {
    /// Printed, not spendable until its order is activated.
    Inactive,
    Active,
    Used,
    /// Its order was cancelled before activation: void, its number consumed.
    Cancelled,
}

impl PassStatus {
    pub const ALL: [PassStatus; 4] =
        [PassStatus::Inactive, PassStatus::Active, PassStatus::Used, PassStatus::Cancelled];

    pub const fn code(self) -> &'static str {
        match self {
            PassStatus::Inactive => "inactive",
            PassStatus::Active => "active",
            PassStatus::Used => "used",
            PassStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<PassStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What the pass is on `today`, given its validity.
    pub fn on(self, valid_until: Day, today: Day) -> PassState {
        match self {
            PassStatus::Active if today > valid_until => PassState::Expired,
            PassStatus::Inactive => PassState::NotYetActive,
            PassStatus::Active => PassState::Active,
            PassStatus::Used => PassState::Used,
            PassStatus::Cancelled => PassState::Cancelled,
        }
    }
}

/// A pass's state as people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PassState {
    NotYetActive,
    Active,
    Used,
    Cancelled,
    Expired,
}

impl PassState {
    pub const fn label(self) -> &'static str {
        match self {
            PassState::NotYetActive => "Pas encore activé",
            PassState::Active => "Actif",
            PassState::Used => "Utilisé",
            PassState::Cancelled => "Annulé",
            PassState::Expired => "Expiré",
        }
    }
}

/// The validity of passes produced on `day` by default: until 31 December
/// of that year, the legal frame of « chèques d'accompagnement
/// personnalisé ».
pub fn default_validity(day: Day) -> Day {
    Day::new(NaiveDate::from_ymd_opt(day.date().year(), 12, 31).expect("31 December exists"))
}

/// Whether a delivery postcode is overseas (971 to 976).
pub fn is_overseas(postcode: &str) -> bool {
    is_postcode(postcode) && matches!(&postcode[..3], "971" | "972" | "973" | "974" | "975" | "976")
}

/// Days a delivery may take from shipping: 7 in mainland France, 14
/// overseas.
pub fn delivery_days(postcode: &str) -> u64 {
    if is_overseas(postcode) { 14 } else { 7 }
}

/// What an order's activation still lacks: the counterpart received must
/// cover at least the passes' face value. `None` when it does.
pub fn activation_shortfall(passes_value: Money, received: Money) -> Option<Money> {
    (received < passes_value).then(|| Money::from_cents(passes_value.cents() - received.cents()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_and_refuse_anything_else() {
        let n = PassNumber::new(2026, "NA", "442", 1).unwrap();
        assert_eq!(n.to_string(), "P2026.NA.442.00000001");
        assert_eq!(" p2026.na.442.00000001 ".parse::<PassNumber>().unwrap(), n);
        for bad in ["W2026.NA.442.00000001", "P2026.NA.442.0000001", "P2026.NA.44.00000001", "P2026.NA.442.00000000"] {
            assert!(bad.parse::<PassNumber>().is_err(), "{bad}");
        }
        for s in PassStatus::ALL {
            assert_eq!(PassStatus::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn a_pass_expires_after_the_31st_of_december_of_its_year() {
        let day = |y, m, d| Day::new(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let until = default_validity(day(2026, 3, 14));
        assert_eq!(until, day(2026, 12, 31));
        assert_eq!(PassStatus::Active.on(until, day(2026, 12, 31)), PassState::Active);
        assert_eq!(PassStatus::Active.on(until, day(2027, 1, 1)), PassState::Expired);
        assert_eq!(PassStatus::Inactive.on(until, day(2026, 5, 1)), PassState::NotYetActive);
    }

    #[test]
    fn overseas_deliveries_get_fourteen_days() {
        assert_eq!(delivery_days("97400"), 14);
        assert_eq!(delivery_days("97600"), 14);
        assert_eq!(delivery_days("97133"), 14);
        assert_eq!(delivery_days("44000"), 7);
    }

    #[test]
    fn activation_needs_the_face_value_covered() {
        let e = Money::from_euros;
        assert_eq!(activation_shortfall(e(2_000), e(1_500)), Some(e(500)));
        assert_eq!(activation_shortfall(e(2_000), e(2_000)), None);
        assert_eq!(activation_shortfall(e(2_000), e(2_528)), None);
    }
}
