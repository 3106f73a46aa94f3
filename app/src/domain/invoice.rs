//! A supplier's invoice to the cooperative: its statuses, and why one of its
//! lines may not match the voucher it names.

use serde::{Deserialize, Serialize};

/// Where an invoice stands, as the supplier and the agency read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvoiceStatus {
    /// Sent by the supplier, waiting for the agency.
    Received,
    /// Sent back by the agency with a reason; the supplier corrects and resends it.
    ToCorrect,
    /// Every line matches its voucher (or staff overrode it): it will be paid.
    Accepted,
    /// Paid with a payment batch, on the batch's day.
    Paid,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 4] =
        [InvoiceStatus::Received, InvoiceStatus::ToCorrect, InvoiceStatus::Accepted, InvoiceStatus::Paid];

    /// The stored form.
    pub const fn code(self) -> &'static str {
        match self {
            InvoiceStatus::Received => "received",
            InvoiceStatus::ToCorrect => "to_correct",
            InvoiceStatus::Accepted => "accepted",
            InvoiceStatus::Paid => "paid",
        }
    }

    pub fn from_code(code: &str) -> Option<InvoiceStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            InvoiceStatus::Received => "reçue",
            InvoiceStatus::ToCorrect => "à corriger",
            InvoiceStatus::Accepted => "acceptée",
            InvoiceStatus::Paid => "payée",
        }
    }

    /// The supplier may change its lines only while it is sent back.
    pub const fn can_be_corrected(self) -> bool {
        matches!(self, InvoiceStatus::ToCorrect)
    }
}

/// Why an invoice line does not match its voucher. A line is checked in this
/// order and carries the first reason that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineFlag {
    /// No voucher has this number.
    UnknownVoucher,
    /// The voucher was issued for another supplier.
    OtherSupplier,
    /// The voucher has not been used (or its use was undone).
    NotUsed,
    /// The secret code does not match (or the voucher is locked after too many wrong codes).
    CodeMismatch,
    /// The voucher is already on another invoice, or earlier on this one.
    AlreadyInvoiced,
    /// The line asks for more than the voucher is worth.
    AmountExceeds,
}

impl LineFlag {
    pub const ALL: [LineFlag; 6] = [
        LineFlag::UnknownVoucher,
        LineFlag::OtherSupplier,
        LineFlag::NotUsed,
        LineFlag::CodeMismatch,
        LineFlag::AlreadyInvoiced,
        LineFlag::AmountExceeds,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            LineFlag::UnknownVoucher => "unknown_voucher",
            LineFlag::OtherSupplier => "other_supplier",
            LineFlag::NotUsed => "not_used",
            LineFlag::CodeMismatch => "code_mismatch",
            LineFlag::AlreadyInvoiced => "already_invoiced",
            LineFlag::AmountExceeds => "amount_exceeds",
        }
    }

    pub fn from_code(code: &str) -> Option<LineFlag> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// What the supplier and staff read next to the line.
    pub const fn label(self) -> &'static str {
        match self {
            LineFlag::UnknownVoucher => "Bon inconnu",
            LineFlag::OtherSupplier => "Bon émis pour un autre fournisseur",
            LineFlag::NotUsed => "Bon non utilisé",
            LineFlag::CodeMismatch => "Code secret incorrect",
            LineFlag::AlreadyInvoiced => "Bon déjà facturé",
            LineFlag::AmountExceeds => "Montant supérieur à la valeur du bon",
        }
    }
}

/// One line of an invoice as typed or sent: the strings are checked by the
/// server, which answers each mistake with its line number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLineInput {
    pub voucher_number: String,
    pub code: String,
    pub amount: String,
}

/// Most lines one invoice may carry.
pub const MAX_INVOICE_LINES: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_flags_round_trip_through_their_stored_codes() {
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::from_code(s.code()), Some(s));
        }
        for f in LineFlag::ALL {
            assert_eq!(LineFlag::from_code(f.code()), Some(f));
        }
        assert_eq!(InvoiceStatus::from_code("lost"), None);
        assert_eq!(LineFlag::from_code(""), None);
    }
}
