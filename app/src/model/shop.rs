//! What the shop's back-office pages exchange: the agency's discount codes.

use super::agency::Desk;
use crate::domain::discount::{CodeState, DiscountCode};
use serde::{Deserialize, Serialize};

/// A discount code as the back office lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountCodeRow {
    pub id: i64,
    pub code: DiscountCode,
    /// Where it stands today (Paris).
    pub state: CodeState,
}

/// `/agence/ristournes`: the chosen agency's codes (none until an
/// administrator picks an agency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountCodeList {
    pub desk: Desk,
    pub rows: Vec<DiscountCodeRow>,
}
