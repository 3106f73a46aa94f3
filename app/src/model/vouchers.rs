//! The member's vouchers and the public check behind the QR code.

use crate::domain::{Day, Money, ParisTime, VoucherNumber, VoucherStatus};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierChoice {
    pub id: i64,
    pub name: String,
}

/// What the request form needs: the suppliers to choose from, the maximum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestForm {
    pub suppliers: Vec<SupplierChoice>,
    pub max_voucher: Money,
}

/// One line of "Demande de bons".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoucherRow {
    pub id: i64,
    pub status: VoucherStatus,
    pub amount: Money,
    pub supplier: String,
    pub number: Option<VoucherNumber>,
    /// The day of the request, in Paris.
    pub requested_on: Day,
}

/// Number, code and the moment of use: what the supplier writes down, as
/// the code screen shows them (and the phone keeps them, offline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UseReceipt {
    pub number: VoucherNumber,
    /// The secret code, its digits as the member reads them out.
    pub code: String,
    /// The moment of use; the code screen shows it as "06/08/2020 15:09".
    pub used_at: ParisTime,
    pub validated: bool,
}

/// Everything the voucher's screens show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoucherCard {
    pub id: i64,
    pub status: VoucherStatus,
    pub amount: Money,
    pub supplier: String,
    pub member_number: String,
    pub member_name: String,
    /// The last day it can be used.
    pub valid_until: Day,
    pub receipt: Option<UseReceipt>,
    /// The QR code (SVG drawn by the server) of the public check link. Not
    /// in the answer to OK (`use_voucher`): the code screen comes first, and
    /// encoding it would double a use's time; VALIDER LE BON's answer has it.
    pub qr_svg: Option<String>,
    pub check_url: Option<String>,
    /// Agency staff undid its use: it no longer has a code to show.
    pub cancelled_use: Option<CancelledUse>,
}

/// A use undone by the agency: the number stays the voucher's, never reused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelledUse {
    pub number: VoucherNumber,
    pub on: ParisTime,
}

/// What the public check page may say about a voucher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedVoucher {
    pub number: VoucherNumber,
    pub supplier: String,
    pub amount: Money,
    pub status: VoucherStatus,
    pub used_at: Option<ParisTime>,
    pub member_initials: String,
    /// Someone typed this voucher's secret code correctly.
    pub code_checked: bool,
}
