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
    /// Above `Money::MAX`, whatever the amount is for.
    #[error("Le montant ne peut pas dépasser {0}.")]
    TooLarge(Money),
}

/// More digits than this before the decimal separator is nonsense for a purchase
/// and would overflow long before; refuse it as too large rather than unreadable.
const MAX_EURO_DIGITS: usize = 12;

impl Money {
    pub const ZERO: Money = Money(0);
    /// The largest amount anyone may type or send (a voucher, an invoice, a
    /// line, through a form or the till's API): a billion euros. Sums of a
    /// few thousand such amounts stay far from overflowing.
    pub const MAX: Money = Money::from_euros(1_000_000_000);

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
    /// Refuses exponents, signs, letters, more than two decimals, and more
    /// than `Money::MAX`.
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
            return Err(AmountError::TooLarge(Money::MAX));
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
        if total > Money::MAX {
            return Err(AmountError::TooLarge(Money::MAX));
        }
        Ok(total)
    }

    /// The amount a member may request: parsed, rounded up to the euro, and
    /// within `maximum`. The form preview and the server both call this.
    pub fn parse_request(input: &str, maximum: Money) -> Result<Money, AmountError> {
        let rounded = match Money::parse(input) {
            Ok(amount) => amount.round_up_to_euro(),
            Err(AmountError::TooLarge(_)) => return Err(AmountError::AboveMaximum(maximum)),
            Err(e) => return Err(e),
        };
        if rounded > maximum {
            return Err(AmountError::AboveMaximum(maximum));
        }
        Ok(rounded)
    }

    /// With its cents always, as prices and invoices write it: "200,00 €",
    /// "1 234,50 €".
    pub fn priced(self) -> String {
        format!("{}\u{a0}€", self.decimal_fr())
    }

    /// The table format of the seed: "1,00", "1 234,50" (no currency sign).
    pub fn decimal_fr(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{},{:02}", group_thousands(abs / 100, '\u{a0}'), abs % 100)
    }
}

/// "13 €" for whole euros, "12,30 €" otherwise; a no-break space keeps the sign
/// with its number.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_whole_euros() {
            let sign = if self.0 < 0 { "-" } else { "" };
            write!(f, "{sign}{}\u{a0}€", group_thousands(self.0.unsigned_abs() / 100, '\u{a0}'))
        } else {
            write!(f, "{}\u{a0}€", self.decimal_fr())
        }
    }
}

/// `1234567` → `1 234 567`, the groups of three digits apart by `separator`
/// (a no-break space on screen, a plain one in a terminal).
pub fn group_thousands(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
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

#[cfg(test)]
mod properties {
    //! The amount parser against thousands of amounts typed the way people
    //! type them, nearly right, or anything at all.

    use super::*;
    use proptest::prelude::*;

    const CASES: u32 = 10_000;

    /// An amount as typed, piece by piece: " -1 234,5 € ".
    #[derive(Debug, Clone)]
    struct Typed {
        lead: &'static str,
        sign: &'static str,
        euros: String,
        group: Option<&'static str>,
        separator: Option<&'static str>,
        decimals: String,
        suffix: &'static str,
        trail: &'static str,
    }

    impl Typed {
        fn text(&self) -> String {
            let mut euros = String::new();
            for (i, digit) in self.euros.chars().enumerate() {
                if let Some(group) = self.group
                    && i > 0
                    && (self.euros.len() - i).is_multiple_of(3)
                {
                    euros.push_str(group);
                }
                euros.push(digit);
            }
            let separator = self.separator.unwrap_or_default();
            format!("{}{}{euros}{separator}{}{}{}", self.lead, self.sign, self.decimals, self.suffix, self.trail)
        }

        /// What the rules promise for this input, worked out from the pieces.
        fn expected(&self) -> Result<Money, AmountError> {
            let nothing_typed = self.euros.is_empty() && self.separator.is_none();
            if matches!(self.sign, "+" | "−") || matches!(self.suffix, "EUR" | "e3" | "%") {
                return Err(AmountError::NotANumber);
            }
            if self.sign == "-" {
                return Err(if nothing_typed { AmountError::NotANumber } else { AmountError::NotPositive });
            }
            if nothing_typed {
                return Err(AmountError::Empty);
            }
            if self.euros.is_empty() && self.decimals.is_empty() {
                return Err(AmountError::NotANumber);
            }
            if self.decimals.len() > 2 {
                return Err(AmountError::TooManyDecimals);
            }
            let significant = self.euros.trim_start_matches('0');
            if significant.len() > 12 {
                return Err(AmountError::TooLarge(Money::MAX));
            }
            let euros: i64 = if significant.is_empty() { 0 } else { significant.parse().unwrap() };
            let cents: i64 = match self.decimals.len() {
                0 => 0,
                1 => self.decimals.parse::<i64>().unwrap() * 10,
                _ => self.decimals.parse().unwrap(),
            };
            match euros * 100 + cents {
                0 => Err(AmountError::NotPositive),
                total if total > Money::MAX.cents() => Err(AmountError::TooLarge(Money::MAX)),
                total => Ok(Money::from_cents(total)),
            }
        }
    }

    fn typed() -> impl Strategy<Value = Typed> {
        (
            prop::sample::select(vec!["", "", " ", "  ", "\t", "\u{a0}"]),
            prop::sample::select(vec!["", "", "", "", "-", "+", "−"]),
            "[0-9]{0,16}",
            prop::option::of(prop::sample::select(vec![" ", "\u{a0}", "\u{202f}"])),
            prop::option::of(prop::sample::select(vec![",", "."])),
            "[0-9]{0,4}",
            prop::sample::select(vec!["", "", "", "€", " €", "\u{a0}€", "EUR", "e3", "%"]),
            prop::sample::select(vec!["", "", " ", "\n", "\u{a0}"]),
        )
            .prop_map(|(lead, sign, euros, group, separator, decimals, suffix, trail)| Typed {
                lead,
                sign,
                euros,
                group,
                decimals: if separator.is_some() { decimals } else { String::new() },
                separator,
                suffix,
                trail,
            })
    }

    /// Anything: typed amounts, near misses from the amount alphabet, any text.
    fn any_input() -> impl Strategy<Value = String> {
        prop_oneof![
            typed().prop_map(|t| t.text()),
            "[-+0-9 ,.€\u{a0}eE]{0,24}",
            any::<String>(),
            prop::collection::vec(any::<char>(), 0..32).prop_map(String::from_iter),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        #[test]
        fn typed_amounts_read_as_the_rules_say(t in typed()) {
            let text = t.text();
            match (Money::parse(&text), t.expected()) {
                (Ok(actual), Ok(expected)) => prop_assert_eq!(actual, expected, "{:?}", text),
                (Err(actual), Err(expected)) => prop_assert_eq!(actual, expected, "{:?}", text),
                (actual, expected) => {
                    return Err(TestCaseError::fail(format!("{text:?}: {actual:?}, expected {expected:?}")));
                }
            }
        }

        #[test]
        fn a_request_is_whole_euros_within_the_maximum_and_never_below_the_typed_amount(
            text in any_input(),
            max_euros in 1_i64..=100_000,
        ) {
            let max = Money::from_euros(max_euros);
            match (Money::parse(&text), Money::parse_request(&text, max)) {
                (Ok(typed), Ok(asked)) => {
                    prop_assert!(asked.is_whole_euros(), "{:?} → {:?}", text, asked);
                    prop_assert!(asked > Money::ZERO && asked <= max, "{:?} → {:?} (max {:?})", text, asked, max);
                    prop_assert!(asked >= typed && asked.cents() - typed.cents() < 100, "{:?} → {:?}", text, asked);
                }
                (Ok(typed), Err(refusal)) => {
                    prop_assert_eq!(&refusal, &AmountError::AboveMaximum(max), "{:?}", text);
                    prop_assert!(typed.round_up_to_euro() > max, "{:?} refused though within {:?}", text, max);
                    prop_assert!(refusal.to_string().contains(&max.to_string()), "the message names the maximum");
                }
                (Err(AmountError::TooLarge(_)), Err(refusal)) => {
                    prop_assert_eq!(refusal, AmountError::AboveMaximum(max), "{:?}", text)
                }
                (Err(parse), Err(request)) => prop_assert_eq!(parse, request, "{:?}", text),
                (Err(parse), Ok(asked)) => {
                    return Err(TestCaseError::fail(format!("{text:?}: parse said {parse:?}, the request {asked:?}")));
                }
            }
        }

        #[test]
        fn no_input_makes_the_parsers_panic_and_every_refusal_says_why(text in any_input(), max in any::<i64>()) {
            for result in [Money::parse(&text), Money::parse_request(&text, Money::from_cents(max))] {
                match result {
                    Ok(amount) => prop_assert!(amount > Money::ZERO, "{:?} → {:?}", text, amount),
                    Err(refusal) => {
                        let message = refusal.to_string();
                        prop_assert!(!message.trim().is_empty() && message.ends_with('.'), "{:?}: {:?}", text, message);
                    }
                }
            }
            if let Ok(asked) = Money::parse_request(&text, Money::from_cents(max)) {
                prop_assert!(asked.is_whole_euros() && asked.cents() <= max, "{:?} → {:?} (max {})", text, asked, max);
            }
        }

        #[test]
        fn an_amount_shown_by_the_app_can_be_typed_back(cents in 1_i64..=Money::MAX.cents()) {
            let amount = Money::from_cents(cents);
            prop_assert_eq!(Money::parse(&amount.to_string()), Ok(amount), "{}", amount);
            prop_assert_eq!(Money::parse(&amount.decimal_fr()), Ok(amount), "{}", amount.decimal_fr());
        }

        #[test]
        fn a_letter_anywhere_makes_an_amount_unreadable(
            amount in "[0-9]{1,6}([,.][0-9]{1,2})?",
            letter in "[a-zA-Z]",
            at in any::<prop::sample::Index>(),
        ) {
            let mut text = amount.clone();
            text.insert_str(at.index(amount.len() + 1), &letter);
            prop_assert_eq!(Money::parse(&text), Err(AmountError::NotANumber), "{:?}", text);
        }

        #[test]
        fn digits_of_other_scripts_are_not_read_as_numbers(
            amount in "[0-9]{1,6}([,.][0-9]{1,2})?",
            zero in prop::sample::select(vec!['０', '٠', '۰', '०', '০', '𝟎']),
            at in any::<prop::sample::Index>(),
        ) {
            // One ASCII digit replaced by the same digit of another script.
            let digits: Vec<usize> =
                amount.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
            let i = digits[at.index(digits.len())];
            let value = amount.as_bytes()[i] - b'0';
            let foreign = char::from_u32(u32::from(zero) + u32::from(value)).unwrap();
            let text = format!("{}{foreign}{}", &amount[..i], &amount[i + 1..]);
            prop_assert_eq!(Money::parse(&text), Err(AmountError::NotANumber), "{:?}", text);
        }

        #[test]
        fn huge_amounts_are_refused_as_too_large(
            digits in "[1-9][0-9]{12,60}",
            decimals in "([,.][0-9]{0,2})?",
            max_euros in 1_i64..=1_000_000,
        ) {
            let text = format!("{digits}{decimals}");
            prop_assert_eq!(Money::parse(&text), Err(AmountError::TooLarge(Money::MAX)), "{:?}", text);
            let max = Money::from_euros(max_euros);
            prop_assert_eq!(Money::parse_request(&text, max), Err(AmountError::AboveMaximum(max)), "{:?}", text);
        }

        #[test]
        fn amounts_above_a_billion_euros_are_refused_by_the_one_rule(cents in Money::MAX.cents() + 1..100_000_000_000_000) {
            let text = Money::from_cents(cents).decimal_fr();
            let refusal = Money::parse(&text);
            prop_assert_eq!(&refusal, &Err(AmountError::TooLarge(Money::MAX)), "{:?}", text);
            prop_assert_eq!(refusal.unwrap_err().to_string(), "Le montant ne peut pas dépasser 1\u{a0}000\u{a0}000\u{a0}000\u{a0}€.");
            prop_assert_eq!(Money::parse(&Money::MAX.decimal_fr()), Ok(Money::MAX));
        }

        #[test]
        fn rounding_up_to_the_euro_never_goes_down_nor_past_the_next_euro(
            cents in -1_000_000_000_000_000_i64..=1_000_000_000_000_000,
        ) {
            let amount = Money::from_cents(cents);
            let rounded = amount.round_up_to_euro();
            prop_assert!(rounded.is_whole_euros(), "{} → {}", cents, rounded.cents());
            prop_assert!(rounded >= amount && rounded.cents() - cents < 100, "{} → {}", cents, rounded.cents());
        }
    }
}
