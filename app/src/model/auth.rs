//! Who is logged in, as the header and « Mon mot de passe » show it.

use crate::domain::{Day, ParisTime, Role};
use serde::{Deserialize, Serialize};

/// What the header and the home page show of the logged-in member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub number: String,
    pub name: String,
    pub fee_paid_up: bool,
    /// The last day the fee covers, when known.
    pub fee_paid_until: Option<Day>,
}

/// Who is logged in, whatever their role: for « Mon mot de passe ».
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub login: String,
    /// Its space (`Role::home`) is the way back.
    pub role: Role,
}

/// The page behind a password link (forgotten password, invitation): whose
/// account it opens, or why it does not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordLink {
    /// The account's login, when the link works.
    pub login: Option<String>,
    /// An invitation (first password) rather than a forgotten one.
    pub invitation: bool,
    /// Why the link does not work (used, replaced, expired, unknown): one
    /// sentence for all.
    pub refusal: Option<String>,
}

/// The page behind a link confirming a new email address: whose account
/// and which address, or why the link does not work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailLink {
    pub login: Option<String>,
    pub email: Option<String>,
    /// The link was used and its address is the account's now.
    pub confirmed: bool,
    pub refusal: Option<String>,
}

/// How a person gets into their account, for the staff who opened it: the
/// address invitations go to, and the latest invitation or activation
/// letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub login: String,
    /// None: no address known, an activation letter is the way in.
    pub email: Option<String>,
    pub latest: Option<SentLink>,
}

/// An invitation (email) or activation letter (printed code) sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentLink {
    /// An activation letter rather than an emailed invitation.
    pub letter: bool,
    pub sent_at: ParisTime,
    pub until: ParisTime,
    pub used_at: Option<ParisTime>,
    /// A newer one replaced it before it was used.
    pub replaced: bool,
}

/// « Mon compte »: who one is, and where one is logged in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub login: String,
    pub role: Role,
    /// Where the account's emails go (None: no address known).
    pub email: Option<String>,
    pub sessions: Vec<OpenSession>,
}

/// One session still open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenSession {
    /// « Chrome sur Android »: the browser and system at login.
    pub device: String,
    /// The network address it logged in from.
    pub address: String,
    pub opened: ParisTime,
    pub last_seen: ParisTime,
    /// The session of the browser reading the page.
    pub this_device: bool,
}
