//! What each agency decides for its own vouchers: the codes in its voucher
//! numbers, how long a voucher stays usable, how much it may be worth, and
//! how many digits its secret codes have.

use super::{Money, SecretCodeLength};
use serde::{Deserialize, Serialize};

/// The most rows a back-office list shows: staff narrow the search for the others.
pub const LIST_LIMIT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySettings {
    /// Two characters (capital letters or digits): the `XX` of `W2020.XX.442.00000123`.
    pub code: String,
    /// Three digits: the `442`.
    pub centre_code: String,
    /// Days a requested voucher stays usable, the day of request included.
    pub validity_days: u32,
    /// The most one voucher may be worth.
    pub max_voucher: Money,
    pub code_length: SecretCodeLength,
}

pub const MAX_VALIDITY_DAYS: u32 = 366;
pub const MAX_VOUCHER_CEILING: Money = Money::from_euros(100_000);

impl AgencySettings {
    /// Settings as typed in the agency's settings form; the first mistake
    /// comes back as the field it is in (the form's names) and the sentence
    /// to show.
    pub fn parse(
        code: &str,
        centre_code: &str,
        validity_days: &str,
        max_voucher: &str,
        code_length: &str,
    ) -> Result<AgencySettings, (&'static str, String)> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            let why = "Le code agence compte deux caractères : lettres majuscules ou chiffres (ex. NA).";
            return Err(("code", why.into()));
        }
        let centre_code = centre_code.trim().to_owned();
        if centre_code.len() != 3 || !centre_code.chars().all(|c| c.is_ascii_digit()) {
            return Err(("centre_code", "Le code centre compte trois chiffres (ex. 442).".into()));
        }
        let validity_days =
            validity_days.trim().parse::<u32>().ok().filter(|d| (1..=MAX_VALIDITY_DAYS).contains(d)).ok_or_else(
                || {
                    let why = format!("La durée de validité est un nombre de jours entre 1 et {MAX_VALIDITY_DAYS}.");
                    ("validity_days", why)
                },
            )?;
        let max_voucher = Money::parse(max_voucher)
            .ok()
            .filter(|m| m.is_whole_euros() && *m <= MAX_VOUCHER_CEILING)
            .ok_or_else(|| {
                let why =
                    format!("Le montant maximum d'un bon est un nombre entier d'euros, au plus {MAX_VOUCHER_CEILING}.");
                ("max_voucher", why)
            })?;
        let code_length = code_length
            .trim()
            .parse::<u8>()
            .map_err(|_| "La longueur du code secret est un nombre de chiffres entre 4 et 8.".to_owned())
            .and_then(SecretCodeLength::new)
            .map_err(|why| ("code_length", why))?;
        Ok(AgencySettings { code, centre_code, validity_days, max_voucher, code_length })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_as_typed() {
        let s = AgencySettings::parse(" na ", "442", "30", "3 000", "6").unwrap();
        assert_eq!(s.code, "NA");
        assert_eq!(s.centre_code, "442");
        assert_eq!(s.validity_days, 30);
        assert_eq!(s.max_voucher, Money::from_euros(3000));
        assert_eq!(s.code_length.digits(), 6);
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases = [
            (("N", "442", "30", "3000", "4"), ("code", "code agence")),
            (("N-", "442", "30", "3000", "4"), ("code", "code agence")),
            (("NA", "44", "30", "3000", "4"), ("centre_code", "code centre")),
            (("NA", "4a2", "30", "3000", "4"), ("centre_code", "code centre")),
            (("NA", "442", "0", "3000", "4"), ("validity_days", "validité")),
            (("NA", "442", "400", "3000", "4"), ("validity_days", "validité")),
            (("NA", "442", "trente", "3000", "4"), ("validity_days", "validité")),
            (("NA", "442", "30", "12,50", "4"), ("max_voucher", "montant maximum")),
            (("NA", "442", "30", "0", "4"), ("max_voucher", "montant maximum")),
            (("NA", "442", "30", "200000", "4"), ("max_voucher", "montant maximum")),
            (("NA", "442", "30", "3000", "3"), ("code_length", "code secret")),
            (("NA", "442", "30", "3000", "9"), ("code_length", "code secret")),
            (("NA", "442", "30", "3000", "x"), ("code_length", "code secret")),
        ];
        for ((code, centre, days, max, length), (field, expected)) in cases {
            let (named, err) = AgencySettings::parse(code, centre, days, max, length).unwrap_err();
            assert_eq!(named, field, "{code:?} {centre:?} {days:?} {max:?} {length:?}");
            assert!(err.contains(expected), "{code:?} {centre:?} {days:?} {max:?} {length:?}: {err}");
        }
    }
}
