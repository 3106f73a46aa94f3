//! Pass Castors at the counter: what the supplier who spends one reads,
//! and what its public check page shows to anyone holding it.

use crate::domain::pass::{PassNumber, PassState};
use crate::domain::{Day, Money, ParisTime, VoucherStatus};
use serde::{Deserialize, Serialize};

/// A pass spent by the supplier asking: what to write on the delivery slip
/// and keep for the invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpentPass {
    pub number: PassNumber,
    pub face_value: Money,
    /// The sponsor who bought it: the order's structure.
    pub sponsor: String,
    pub spent_at: ParisTime,
    /// The number of the supplier's accepted invoice that claimed it.
    pub invoice: Option<String>,
    /// The day the cooperative paid it.
    pub paid_on: Option<Day>,
}

impl SpentPass {
    /// Where the pass stands in the money loop, in the vouchers' statuses
    /// (the same filter reads both): spent and not invoiced yet (11),
    /// claimed by an accepted invoice (21), paid (31).
    pub fn status(&self) -> VoucherStatus {
        match (&self.invoice, self.paid_on) {
            (_, Some(_)) => VoucherStatus::Paid,
            (Some(_), None) => VoucherStatus::Invoiced,
            (None, None) => VoucherStatus::Delivered,
        }
    }

    /// The status in words, as the supplier's CSV and till read it.
    pub fn status_label(&self) -> &'static str {
        match self.status() {
            VoucherStatus::Paid => "Pass payé",
            VoucherStatus::Invoiced => "Pass facturé",
            _ => "Pass encaissé",
        }
    }
}

/// A pass as its check page shows it: genuine (the link's signature held),
/// what it is worth, until when, and whether it can still be spent. Never
/// its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedPass {
    pub number: PassNumber,
    pub face_value: Money,
    pub sponsor: String,
    pub state: PassState,
    pub valid_until: Day,
    /// Blocked by the agency (a lost or stolen booklet) or locked after
    /// wrong codes: not spendable until staff lift it.
    pub held: bool,
    pub spent_at: Option<ParisTime>,
}

impl CheckedPass {
    /// The sentence the page leads with.
    pub fn verdict(&self) -> &'static str {
        match (self.state, self.held) {
            (PassState::Active, false) => "Pass authentique, utilisable chez un fournisseur partenaire.",
            (PassState::Active, true) => "Pass bloqué par l'agence : il ne peut pas être encaissé.",
            (PassState::NotYetActive, _) => "Ce pass n'est pas encore activé : il ne peut pas être encaissé.",
            (PassState::Used, _) => "Ce pass a déjà été encaissé.",
            (PassState::Cancelled, _) => "Ce pass est annulé : il ne peut pas être encaissé.",
            (PassState::Expired, _) => "Ce pass a expiré : il ne peut plus être encaissé.",
        }
    }
}
