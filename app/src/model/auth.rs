//! Who is logged in, as the header and « Mon mot de passe » show it.

use serde::{Deserialize, Serialize};

/// What the header and the home page show of the logged-in member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub number: String,
    pub name: String,
    pub fee_paid_up: bool,
    /// "31/12/2026" when known.
    pub fee_paid_until: Option<String>,
}

/// Who is logged in, whatever their role: for « Mon mot de passe ».
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub login: String,
    /// Where this role's space starts: the way back.
    pub home: String,
}
