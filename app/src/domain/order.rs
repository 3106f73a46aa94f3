//! A sponsor's order (seed 001): its number, where it stands and how it is
//! paid. What it costs is `pricing`'s; what a Chorus Pro purchase order
//! must carry is `structure::ChorusRequirement`'s.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an order stands. A Chorus Pro order waits for its purchase order
/// (seed 000); an order paid by transfer is confirmed when placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    AwaitingPurchaseOrder,
    Confirmed,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 3] =
        [OrderStatus::AwaitingPurchaseOrder, OrderStatus::Confirmed, OrderStatus::Cancelled];

    pub const fn code(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPurchaseOrder => "awaiting_purchase_order",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<OrderStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPurchaseOrder => "En attente du bon de commande",
            OrderStatus::Confirmed => "Confirmée",
            OrderStatus::Cancelled => "Annulée",
        }
    }
}

/// How the sponsor pays. No card payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentMethod {
    /// An administrative mandate, the invoices sent through Chorus Pro:
    /// public structures only.
    Chorus,
    /// A bank transfer to the cooperative, with the order's reference:
    /// private sponsors.
    Transfer,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 2] = [PaymentMethod::Chorus, PaymentMethod::Transfer];

    pub const fn code(self) -> &'static str {
        match self {
            PaymentMethod::Chorus => "chorus",
            PaymentMethod::Transfer => "transfer",
        }
    }

    pub fn from_code(code: &str) -> Option<PaymentMethod> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The seed's words.
    pub const fn label(self) -> &'static str {
        match self {
            PaymentMethod::Chorus => "Par Chorus Pro (mandat administratif)",
            PaymentMethod::Transfer => "Par virement",
        }
    }
}

/// An order's number: gapless per year, `C2026-000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderNumber {
    pub year: i32,
    pub sequence: i64,
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{}-{:06}", self.year, self.sequence)
    }
}

/// The longest purchase order accepted: a scanned, signed page or two.
pub const MAX_PURCHASE_ORDER_BYTES: usize = 5 * 1024 * 1024;

/// The longest interim or final report of the accompaniment accepted.
pub const MAX_REPORT_BYTES: usize = 10 * 1024 * 1024;

/// How many distribution points a checkout lists at most.
pub const MAX_DISTRIBUTION_POINTS: usize = 5;

/// Whether `postcode` is a French postcode: five digits.
pub fn is_postcode(postcode: &str) -> bool {
    postcode.len() == 5 && postcode.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_numbers_show_their_year() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_code(s.code()), Some(s));
        }
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::from_code(m.code()), Some(m));
        }
        assert_eq!(OrderStatus::from_code("paid"), None);
        assert_eq!(OrderNumber { year: 2026, sequence: 42 }.to_string(), "C2026-000042");
        assert!(is_postcode("44000") && !is_postcode("4400") && !is_postcode("44 00"));
    }
}
