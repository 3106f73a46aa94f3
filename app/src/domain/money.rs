//! Money is an integer number of euro cents. Amounts typed by people are parsed
//! here, once, for the form's live preview and for the server's final word.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in euro cents, VAT included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a typed amount was refused; the message is what the member reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Indiquez le montant de l'achat TTC, par exemple 12,30.")]
    Empty,
    #[error("Montant invalide : saisissez un nombre, par exemple 12,30.")]
    NotANumber,
    #[error("Indiquez au plus deux chiffres après la virgule.")]
    TooManyDecimals,
    #[error("Le montant doit être supérieur à zéro.")]
    NotPositive,
    #[error("Le montant ne peut pas dépasser {0} par bon.")]
    AboveMaximum(Money),
}

/// More digits than this before the decimal separator is nonsense for a purchase
/// and would overflow long before; refuse it as too large rather than unreadable.
const MAX_EURO_DIGITS: usize = 12;

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    pub const fn from_euros(euros: i64) -> Self {
        Money(euros * 100)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Rounds up to the next whole euro, as the member is asked to (12,01 → 13).
    pub const fn round_up_to_euro(self) -> Money {
        Money(self.0.div_euclid(100) * 100 + if self.0.rem_euclid(100) == 0 { 0 } else { 100 })
    }

    pub const fn is_whole_euros(self) -> bool {
        self.0 % 100 == 0
    }

    /// Parses what a person types: "12,30", "12.30", "1 234,5", "13 €".
    /// Refuses exponents, signs, letters and more than two decimals.
    pub fn parse(input: &str) -> Result<Money, AmountError> {
        let cleaned: String =
            input.trim().trim_end_matches('€').chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
        if cleaned.is_empty() {
            return Err(AmountError::Empty);
        }
        if let Some(rest) = cleaned.strip_prefix('-') {
            if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
                return Err(AmountError::NotPositive);
            }
            return Err(AmountError::NotANumber);
        }
        let (euros, decimals) = match cleaned.find([',', '.']) {
            Some(at) => (&cleaned[..at], &cleaned[at + 1..]),
            None => (cleaned.as_str(), ""),
        };
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if !all_digits(euros) || !all_digits(decimals) || (euros.is_empty() && decimals.is_empty()) {
            return Err(AmountError::NotANumber);
        }
        if decimals.len() > 2 {
            return Err(AmountError::TooManyDecimals);
        }
        let euros = euros.trim_start_matches('0');
        if euros.len() > MAX_EURO_DIGITS {
            return Err(AmountError::AboveMaximum(Money(i64::MAX)));
        }
        let euros: i64 = if euros.is_empty() { 0 } else { euros.parse().map_err(|_| AmountError::NotANumber)? };
        let cents: i64 = match decimals.len() {
            0 => 0,
            1 => decimals.parse::<i64>().map_err(|_| AmountError::NotANumber)? * 10,
            _ => decimals.parse().map_err(|_| AmountError::NotANumber)?,
        };
        let total = Money(euros * 100 + cents);
        if total.0 <= 0 {
            return Err(AmountError::NotPositive);
        }
        Ok(total)
    }

    /// The amount a member may request: parsed, rounded up to the euro, and
    /// within `maximum`. The form preview and the server both call this.
    pub fn parse_request(input: &str, maximum: Money) -> Result<Money, AmountError> {
        let rounded = match Money::parse(input) {
            Ok(amount) => amount.round_up_to_euro(),
            Err(AmountError::AboveMaximum(_)) => return Err(AmountError::AboveMaximum(maximum)),
            Err(e) => return Err(e),
        };
        if rounded > maximum {
            return Err(AmountError::AboveMaximum(maximum));
        }
        Ok(rounded)
    }

    /// The table format of the seed: "1,00", "1 234,50" (no currency sign).
    pub fn decimal_fr(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{},{:02}", group_thousands(abs / 100), abs % 100)
    }
}

/// "13 €" for whole euros, "12,30 €" otherwise; a no-break space keeps the sign
/// with its number.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_whole_euros() {
            let sign = if self.0 < 0 { "-" } else { "" };
            write!(f, "{sign}{}\u{a0}€", group_thousands(self.0.unsigned_abs() / 100))
        } else {
            write!(f, "{}\u{a0}€", self.decimal_fr())
        }
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: Money = Money::from_euros(3_000);

    #[test]
    fn french_comma_and_dot_are_both_accepted() {
        assert_eq!(Money::parse("12,30"), Ok(Money::from_cents(1230)));
        assert_eq!(Money::parse("12.30"), Ok(Money::from_cents(1230)));
        assert_eq!(Money::parse("12,3"), Ok(Money::from_cents(1230)));
        assert_eq!(Money::parse(" 1 234,50 € "), Ok(Money::from_cents(123_450)));
        assert_eq!(Money::parse(",5"), Ok(Money::from_cents(50)));
        assert_eq!(Money::parse("13"), Ok(Money::from_euros(13)));
    }

    #[test]
    fn requests_are_rounded_up_to_the_next_euro() {
        assert_eq!(Money::parse_request("12,01", MAX), Ok(Money::from_euros(13)));
        assert_eq!(Money::parse_request("12,30", MAX), Ok(Money::from_euros(13)));
        assert_eq!(Money::parse_request("12.30", MAX), Ok(Money::from_euros(13)));
        assert_eq!(Money::parse_request("13,00", MAX), Ok(Money::from_euros(13)));
        assert_eq!(Money::parse_request("13", MAX), Ok(Money::from_euros(13)));
        assert_eq!(Money::parse_request("0,01", MAX), Ok(Money::from_euros(1)));
    }

    #[test]
    fn zero_negative_and_garbage_are_refused_with_a_reason() {
        assert_eq!(Money::parse_request("0", MAX), Err(AmountError::NotPositive));
        assert_eq!(Money::parse_request("0,00", MAX), Err(AmountError::NotPositive));
        assert_eq!(Money::parse_request("-5", MAX), Err(AmountError::NotPositive));
        assert_eq!(Money::parse_request("abc", MAX), Err(AmountError::NotANumber));
        assert_eq!(Money::parse_request("1e3", MAX), Err(AmountError::NotANumber));
        assert_eq!(Money::parse_request("12,30,1", MAX), Err(AmountError::NotANumber));
        assert_eq!(Money::parse_request("12.3.1", MAX), Err(AmountError::NotANumber));
        assert_eq!(Money::parse_request("+5", MAX), Err(AmountError::NotANumber));
        assert_eq!(Money::parse_request("", MAX), Err(AmountError::Empty));
        assert_eq!(Money::parse_request("   ", MAX), Err(AmountError::Empty));
        assert_eq!(Money::parse_request(",", MAX), Err(AmountError::NotANumber));
        assert_eq!(Money::parse_request("12,345", MAX), Err(AmountError::TooManyDecimals));
        assert_eq!(Money::parse_request("--5", MAX), Err(AmountError::NotANumber));
    }

    #[test]
    fn huge_values_are_refused_without_overflow() {
        assert_eq!(Money::parse_request("3000", MAX), Ok(MAX));
        assert_eq!(Money::parse_request("3000,01", MAX), Err(AmountError::AboveMaximum(MAX)));
        assert_eq!(Money::parse_request("99999999999999999999999999", MAX), Err(AmountError::AboveMaximum(MAX)));
        assert_eq!(Money::parse_request("9223372036854775807", MAX), Err(AmountError::AboveMaximum(MAX)));
        assert_eq!(Money::parse_request("000000000000000000000012", MAX), Ok(Money::from_euros(12)));
    }

    #[test]
    fn error_messages_are_french_and_name_the_maximum() {
        let err = Money::parse_request("5000", MAX).unwrap_err();
        assert_eq!(err.to_string(), "Le montant ne peut pas dépasser 3\u{a0}000\u{a0}€ par bon.");
        assert!(AmountError::NotANumber.to_string().contains("12,30"));
    }

    #[test]
    fn amounts_are_shown_the_french_way() {
        assert_eq!(Money::from_euros(1).decimal_fr(), "1,00");
        assert_eq!(Money::from_cents(123_450).decimal_fr(), "1\u{a0}234,50");
        assert_eq!(Money::from_euros(13).to_string(), "13\u{a0}€");
        assert_eq!(Money::from_cents(1230).to_string(), "12,30\u{a0}€");
        assert_eq!(Money::from_euros(1_000_000).to_string(), "1\u{a0}000\u{a0}000\u{a0}€");
        assert_eq!(Money::from_cents(-5).decimal_fr(), "-0,05");
    }

    #[test]
    fn rounding_never_goes_down() {
        for cents in [1_i64, 99, 100, 101, 199, 200, 123_456] {
            let rounded = Money::from_cents(cents).round_up_to_euro();
            assert!(rounded.cents() >= cents && rounded.cents() - cents < 100 && rounded.is_whole_euros());
        }
    }
}
