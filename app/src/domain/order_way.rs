//! An order's way from confirmation to passes in circulation (seed 003):
//! its steps in order, who acts at each, and the deadlines the seed sets
//! (the proof within 3 days, its validation within 6, delivery within 7
//! days in mainland France or 14 overseas).

use super::Day;
use serde::{Deserialize, Serialize};

/// The steps, in the seed's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Step {
    /// Étape 1: the purchase order received, the order confirmed.
    Ordered,
    /// Étape 2: « Cadrage de la commande », in the order's thread.
    Scoped,
    /// Étape 3: what the passes carry received.
    Elements,
    /// Étape 3: the invoices issued.
    Invoiced,
    /// Étape 3: « Validation de conformité par le commanditaire ».
    InvoicesValidated,
    /// Étapes 4–6: the proof (BAT) made and sent to the sponsor.
    Proof,
    /// Étape 7: the proof validated by the sponsor.
    ProofValidated,
    /// Étape 8: the passes numbered and the booklets put into production.
    Produced,
    /// Étape 9: the shipping notice sent.
    Shipped,
    /// Étapes 10–11: the delivery confirmed.
    Delivered,
    /// Étape 12: the mandate's number (or the transfer) received.
    Received,
    /// Étapes 13–14: the passes activated, the notice sent.
    Activated,
}

/// Who must act for a step to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    Sponsor,
    Staff,
    /// The sponsor, or staff on their behalf.
    Either,
}

impl Actor {
    pub const fn label(self) -> &'static str {
        match self {
            Actor::Sponsor => "le commanditaire",
            Actor::Staff => "l'agence",
            Actor::Either => "le commanditaire ou l'agence",
        }
    }
}

/// The most a sponsor's logo may weigh.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// Days the seed gives staff to make the proof.
pub const PROOF_DAYS: u64 = 3;
/// Days the seed gives the sponsor to validate a proof.
pub const PROOF_VALIDATION_DAYS: u64 = 6;

impl Step {
    pub const ALL: [Step; 12] = [
        Step::Ordered,
        Step::Scoped,
        Step::Elements,
        Step::Invoiced,
        Step::InvoicesValidated,
        Step::Proof,
        Step::ProofValidated,
        Step::Produced,
        Step::Shipped,
        Step::Delivered,
        Step::Received,
        Step::Activated,
    ];

    /// The step's name on the order's page, the seed's words.
    pub const fn label(self, chorus: bool) -> &'static str {
        match self {
            Step::Ordered => "Commande confirmée",
            Step::Scoped => "Cadrage de la commande",
            Step::Elements => "Éléments nécessaires à l'édition des pass reçus",
            Step::Invoiced => "Factures émises",
            Step::InvoicesValidated => "Validation de conformité des factures",
            Step::Proof => "BAT des pass et des carnets",
            Step::ProofValidated => "Validation du BAT",
            Step::Produced => "Mise en production des carnets",
            Step::Shipped => "Avis d'expédition",
            Step::Delivered => "Confirmation de livraison",
            Step::Received if chorus => "Numéro de mandat transmis",
            Step::Received => "Virement reçu",
            Step::Activated => "Activation des pass",
        }
    }

    /// The code a step is stored and journaled under.
    pub const fn code(self) -> &'static str {
        match self {
            Step::Ordered => "ordered",
            Step::Scoped => "scoped",
            Step::Elements => "elements",
            Step::Invoiced => "invoiced",
            Step::InvoicesValidated => "invoices_validated",
            Step::Proof => "proof",
            Step::ProofValidated => "proof_validated",
            Step::Produced => "produced",
            Step::Shipped => "shipped",
            Step::Delivered => "delivered",
            Step::Received => "received",
            Step::Activated => "activated",
        }
    }

    pub fn from_code(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Who acts (a public payer's mandate is entered by the sponsor or
    /// staff; a transfer is recorded by staff).
    pub const fn actor(self, chorus: bool) -> Actor {
        match self {
            Step::Ordered | Step::Elements | Step::Delivered => Actor::Either,
            Step::InvoicesValidated | Step::ProofValidated => Actor::Sponsor,
            Step::Received if chorus => Actor::Either,
            Step::Scoped
            | Step::Invoiced
            | Step::Proof
            | Step::Produced
            | Step::Shipped
            | Step::Received
            | Step::Activated => Actor::Staff,
        }
    }

    /// The step's deadline once the step before it is done on `since`
    /// (`postcode`: the delivery's, for the delivery's deadline).
    pub fn deadline(self, since: Day, postcode: &str) -> Option<Day> {
        let days = match self {
            Step::Proof => PROOF_DAYS,
            Step::ProofValidated => PROOF_VALIDATION_DAYS,
            Step::Delivered => super::pass::delivery_days(postcode),
            _ => return None,
        };
        Some(Day::new(since.date() + chrono::Days::new(days)))
    }
}

/// Whether a deadline is past on `today` (the deadline's day itself is
/// still in time).
pub fn overdue(due: Day, today: Day) -> bool {
    today > due
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::new(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn deadlines_are_the_seeds() {
        let since = day(2026, 3, 2);
        assert_eq!(Step::Proof.deadline(since, "44000"), Some(day(2026, 3, 5)));
        assert_eq!(Step::ProofValidated.deadline(since, "44000"), Some(day(2026, 3, 8)));
        assert_eq!(Step::Delivered.deadline(since, "44000"), Some(day(2026, 3, 9)));
        assert_eq!(Step::Delivered.deadline(since, "97400"), Some(day(2026, 3, 16)));
        assert_eq!(Step::Shipped.deadline(since, "44000"), None);
        assert!(!overdue(day(2026, 3, 5), day(2026, 3, 5)));
        assert!(overdue(day(2026, 3, 5), day(2026, 3, 6)));
    }

    #[test]
    fn codes_read_back() {
        for step in Step::ALL {
            assert_eq!(Step::from_code(step.code()), Some(step));
        }
        assert_eq!(Step::from_code("paid"), None);
        assert_eq!(Step::Received.actor(true), Actor::Either);
        assert_eq!(Step::Received.actor(false), Actor::Staff);
    }
}
