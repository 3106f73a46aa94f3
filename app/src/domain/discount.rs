//! Discount codes (« code de ristourne »), typed at the payment step with
//! « Appliquer ». A code lowers fees and services only (`pricing`): the
//! passes' face value pays suppliers and is never discounted.

use super::{Day, pricing::Discount};
use serde::{Deserialize, Serialize};

/// The longest code anyone is given; longer is a paste gone wrong.
pub const MAX_CODE_LENGTH: usize = 32;

/// A discount code as the agency set it, and how often it was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountCode {
    pub code: String,
    pub discount: Discount,
    pub valid_from: Day,
    pub valid_until: Day,
    pub max_uses: u32,
    pub uses: u32,
    /// The only sponsor who may use it, if it is someone's.
    pub sponsor_id: Option<i64>,
    /// Staff can switch a code off before its end.
    pub active: bool,
}

/// Why a code does not apply; the message is what the sponsor reads, and
/// nothing changes on the order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscountRefusal {
    #[error("Indiquez le code de ristourne, puis appuyez sur « Appliquer ».")]
    Empty,
    #[error("Ce code de ristourne n'existe pas. Vérifiez-le tel qu'il vous a été remis.")]
    Unknown,
    #[error("Ce code de ristourne a été désactivé.")]
    Inactive,
    #[error("Ce code de ristourne n'est valable qu'à partir du {0}.")]
    NotYet(Day),
    #[error("Ce code de ristourne a expiré le {0}.")]
    Expired(Day),
    #[error("Ce code de ristourne a déjà été utilisé autant de fois que prévu.")]
    UsedUp,
    #[error("Ce code de ristourne est réservé à un autre commanditaire.")]
    NotYours,
    #[error("Un code de ristourne est déjà appliqué à cette commande.")]
    AlreadyApplied,
}

/// A code as typed, in the form codes are kept: spaces around it dropped,
/// capitals (`bienvenue10` is `BIENVENUE10`).
pub fn normalize(typed: &str) -> Result<String, DiscountRefusal> {
    let code = typed.trim().to_uppercase();
    if code.is_empty() {
        return Err(DiscountRefusal::Empty);
    }
    if code.chars().count() > MAX_CODE_LENGTH || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(DiscountRefusal::Unknown);
    }
    Ok(code)
}

/// Where a code stands on a day, whoever types it: what the back office
/// shows beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeState {
    Usable,
    Inactive,
    NotYet,
    Expired,
    UsedUp,
}

impl CodeState {
    pub fn label(self) -> &'static str {
        match self {
            CodeState::Usable => "actif",
            CodeState::Inactive => "désactivé",
            CodeState::NotYet => "à venir",
            CodeState::Expired => "expiré",
            CodeState::UsedUp => "épuisé",
        }
    }
}

impl DiscountCode {
    pub fn state(&self, today: Day) -> CodeState {
        if !self.active {
            CodeState::Inactive
        } else if today < self.valid_from {
            CodeState::NotYet
        } else if today > self.valid_until {
            CodeState::Expired
        } else if self.uses >= self.max_uses {
            CodeState::UsedUp
        } else {
            CodeState::Usable
        }
    }

    /// Whether `sponsor_id` may use the code on `today`: the discount, or
    /// why not. The use itself is counted by the store, in the order's
    /// transaction, so that two checkouts cannot both take the last one.
    pub fn applies(&self, today: Day, sponsor_id: i64) -> Result<Discount, DiscountRefusal> {
        if self.active && self.sponsor_id.is_some_and(|only| only != sponsor_id) {
            return Err(DiscountRefusal::NotYours);
        }
        match self.state(today) {
            CodeState::Usable => Ok(self.discount),
            CodeState::Inactive => Err(DiscountRefusal::Inactive),
            CodeState::NotYet => Err(DiscountRefusal::NotYet(self.valid_from)),
            CodeState::Expired => Err(DiscountRefusal::Expired(self.valid_until)),
            CodeState::UsedUp => Err(DiscountRefusal::UsedUp),
        }
    }

    pub fn uses_left(&self) -> u32 {
        self.max_uses.saturating_sub(self.uses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, pricing::Rate};

    fn day(iso: &str) -> Day {
        Day::parse_iso(iso).unwrap()
    }

    fn code() -> DiscountCode {
        DiscountCode {
            code: "BIENVENUE10".into(),
            discount: Discount::Percent(Rate::percent(10)),
            valid_from: day("2026-01-01"),
            valid_until: day("2026-12-31"),
            max_uses: 3,
            uses: 2,
            sponsor_id: None,
            active: true,
        }
    }

    #[test]
    fn codes_are_read_as_they_are_kept() {
        assert_eq!(normalize("  bienvenue10 "), Ok("BIENVENUE10".into()));
        assert_eq!(normalize("ete-2025"), Ok("ETE-2025".into()));
        assert_eq!(normalize("   "), Err(DiscountRefusal::Empty));
        assert_eq!(normalize("DROP TABLE"), Err(DiscountRefusal::Unknown));
        assert_eq!(normalize(&"A".repeat(MAX_CODE_LENGTH + 1)), Err(DiscountRefusal::Unknown));
    }

    #[test]
    fn a_valid_code_gives_its_discount_until_its_last_use() {
        let mut c = code();
        assert_eq!(c.applies(day("2026-12-31"), 7), Ok(Discount::Percent(Rate::percent(10))));
        assert_eq!(c.uses_left(), 1);
        c.uses = 3;
        assert_eq!(c.applies(day("2026-06-01"), 7), Err(DiscountRefusal::UsedUp));
    }

    #[test]
    fn each_refusal_says_why() {
        let c = code();
        assert_eq!(c.applies(day("2025-12-31"), 7), Err(DiscountRefusal::NotYet(day("2026-01-01"))));
        assert_eq!(
            c.applies(day("2027-01-01"), 7).unwrap_err().to_string(),
            "Ce code de ristourne a expiré le 31/12/2026."
        );
        let theirs = DiscountCode { sponsor_id: Some(8), discount: Discount::Fixed(Money::from_euros(50)), ..code() };
        assert_eq!(theirs.applies(day("2026-06-01"), 7), Err(DiscountRefusal::NotYours));
        assert_eq!(theirs.applies(day("2026-06-01"), 8), Ok(Discount::Fixed(Money::from_euros(50))));
        let off = DiscountCode { active: false, ..code() };
        assert_eq!(off.applies(day("2026-06-01"), 7), Err(DiscountRefusal::Inactive));
    }
}
