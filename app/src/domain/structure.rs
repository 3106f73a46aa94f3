//! Sponsors' structures (seed 004) and what Chorus Pro requires of the
//! invoices sent to a public one (seed 000): the structure's kind, the
//! SIRENE register's word on its SIRET, its managers' standing, and the
//! check of a purchase order's service code and engagement number against
//! the structure's requirement.

use serde::{Deserialize, Serialize};

/// Public (a SIRET, invoiced through Chorus Pro) or private (paid by
/// transfer, SIRET optional); stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StructureKind {
    Public,
    Private,
}

impl StructureKind {
    pub const ALL: [StructureKind; 2] = [StructureKind::Public, StructureKind::Private];

    pub const fn code(self) -> &'static str {
        match self {
            StructureKind::Public => "public",
            StructureKind::Private => "private",
        }
    }

    pub fn from_code(code: &str) -> Option<StructureKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            StructureKind::Public => "structure publique",
            StructureKind::Private => "structure privée",
        }
    }
}

/// What the SIRENE register says of an establishment
/// (`etatAdministratifEtablissement`): `A` open, `F` closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegisterState {
    Open,
    Closed,
}

impl RegisterState {
    pub const ALL: [RegisterState; 2] = [RegisterState::Open, RegisterState::Closed];

    pub const fn code(self) -> &'static str {
        match self {
            RegisterState::Open => "A",
            RegisterState::Closed => "F",
        }
    }

    pub fn from_code(code: &str) -> Option<RegisterState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            RegisterState::Open => "active (A)",
            RegisterState::Closed => "fermée (F)",
        }
    }
}

/// Where a register row comes from: the imported INSEE extract, or staff
/// who recorded it by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegisterSource {
    Register,
    Staff,
}

impl RegisterSource {
    pub const ALL: [RegisterSource; 2] = [RegisterSource::Register, RegisterSource::Staff];

    pub const fn code(self) -> &'static str {
        match self {
            RegisterSource::Register => "register",
            RegisterSource::Staff => "staff",
        }
    }

    pub fn from_code(code: &str) -> Option<RegisterSource> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            RegisterSource::Register => "base SIRENE",
            RegisterSource::Staff => "saisi par l'agence",
        }
    }
}

/// A manager's standing with a structure: waiting for the main manager's
/// (or staff's) decision, approved, or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ManagerState {
    Pending,
    Approved,
    Refused,
}

impl ManagerState {
    pub const ALL: [ManagerState; 3] = [ManagerState::Pending, ManagerState::Approved, ManagerState::Refused];

    pub const fn code(self) -> &'static str {
        match self {
            ManagerState::Pending => "pending",
            ManagerState::Approved => "approved",
            ManagerState::Refused => "refused",
        }
    }

    pub fn from_code(code: &str) -> Option<ManagerState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            ManagerState::Pending => "en attente d'approbation",
            ManagerState::Approved => "approuvé",
            ManagerState::Refused => "refusé",
        }
    }

    /// What a manager is to a structure, in a list of managers or of
    /// structures: « gestionnaire principal », « gestionnaire », or their
    /// request's state while it is not approved.
    pub const fn standing(self, main: bool) -> &'static str {
        match (self, main) {
            (ManagerState::Approved, true) => "gestionnaire principal",
            (ManagerState::Approved, false) => "gestionnaire",
            (state, _) => state.label(),
        }
    }
}

/// What Chorus Pro requires of an invoice sent to a structure: its service
/// code (the buyer reference, BT-10), its engagement number (the purchase
/// order reference, BT-13), both, either one, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChorusRequirement {
    None,
    ServiceCode,
    Engagement,
    Both,
    Either,
}

/// An engagement number: exactly ten digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EngagementNumber(String);

pub const ENGAGEMENT_DIGITS: usize = 10;

impl EngagementNumber {
    /// What people type: digits, spaces between groups allowed.
    pub fn parse(input: &str) -> Result<EngagementNumber, String> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == ENGAGEMENT_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(EngagementNumber(digits))
        } else {
            Err(format!(
                "Le numéro d'engagement compte exactement {ENGAGEMENT_DIGITS} chiffres (vous en avez saisi {}).",
                digits.chars().filter(char::is_ascii_digit).count()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest service code accepted (Chorus Pro's are short: `ST-44`).
pub const MAX_SERVICE_CODE: usize = 100;

/// A purchase order's references, checked against the requirement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChorusReferences {
    pub service_code: Option<String>,
    pub engagement: Option<EngagementNumber>,
}

/// Why a purchase order's references are refused: a French sentence per
/// field, None for a field that is fine.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChorusErrors {
    pub service_code: Option<String>,
    pub engagement: Option<String>,
}

impl ChorusErrors {
    pub fn is_empty(&self) -> bool {
        self.service_code.is_none() && self.engagement.is_none()
    }

    /// Both sentences, for a refusal told in one message.
    pub fn sentence(&self) -> String {
        [self.service_code.as_deref(), self.engagement.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

impl ChorusRequirement {
    pub const ALL: [ChorusRequirement; 5] = [
        ChorusRequirement::None,
        ChorusRequirement::ServiceCode,
        ChorusRequirement::Engagement,
        ChorusRequirement::Both,
        ChorusRequirement::Either,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            ChorusRequirement::None => "none",
            ChorusRequirement::ServiceCode => "service_code",
            ChorusRequirement::Engagement => "engagement",
            ChorusRequirement::Both => "both",
            ChorusRequirement::Either => "either",
        }
    }

    pub fn from_code(code: &str) -> Option<ChorusRequirement> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            ChorusRequirement::None => "ni code service ni numéro d'engagement exigé",
            ChorusRequirement::ServiceCode => "code service obligatoire",
            ChorusRequirement::Engagement => "numéro d'engagement obligatoire",
            ChorusRequirement::Both => "code service et numéro d'engagement obligatoires",
            ChorusRequirement::Either => "code service ou numéro d'engagement obligatoire",
        }
    }

    pub const fn needs_service_code(self) -> bool {
        matches!(self, ChorusRequirement::ServiceCode | ChorusRequirement::Both)
    }

    pub const fn needs_engagement(self) -> bool {
        matches!(self, ChorusRequirement::Engagement | ChorusRequirement::Both)
    }

    /// Checks what a sponsor typed for a purchase order. A reference given
    /// when not required is kept (and an engagement number must still have
    /// ten digits); whether the service code is one of the structure's is
    /// the caller's question, which knows them.
    pub fn check(self, service_code: &str, engagement: &str) -> Result<ChorusReferences, ChorusErrors> {
        let service_code = service_code.trim();
        let engagement = engagement.trim();
        let mut errors = ChorusErrors::default();
        let mut refs = ChorusReferences::default();
        if service_code.is_empty() {
            if self.needs_service_code() {
                errors.service_code = Some("Le code service est obligatoire pour cette structure.".into());
            }
        } else if service_code.chars().count() > MAX_SERVICE_CODE {
            errors.service_code = Some(format!("Le code service compte au plus {MAX_SERVICE_CODE} caractères."));
        } else {
            refs.service_code = Some(service_code.to_owned());
        }
        if engagement.is_empty() {
            if self.needs_engagement() {
                errors.engagement = Some("Le numéro d'engagement est obligatoire pour cette structure.".into());
            }
        } else {
            match EngagementNumber::parse(engagement) {
                Ok(number) => refs.engagement = Some(number),
                Err(why) => errors.engagement = Some(why),
            }
        }
        if self == ChorusRequirement::Either && service_code.is_empty() && engagement.is_empty() {
            let why = "Cette structure exige un code service ou un numéro d'engagement : indiquez l'un ou l'autre.";
            errors.service_code = Some(why.into());
            errors.engagement = Some(why.into());
        }
        if errors.is_empty() { Ok(refs) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_nothing_else_does() {
        for r in ChorusRequirement::ALL {
            assert_eq!(ChorusRequirement::from_code(r.code()), Some(r));
        }
        for s in RegisterState::ALL {
            assert_eq!(RegisterState::from_code(s.code()), Some(s));
        }
        for s in ManagerState::ALL {
            assert_eq!(ManagerState::from_code(s.code()), Some(s));
        }
        for k in StructureKind::ALL {
            assert_eq!(StructureKind::from_code(k.code()), Some(k));
        }
        for s in RegisterSource::ALL {
            assert_eq!(RegisterSource::from_code(s.code()), Some(s));
        }
        assert_eq!(RegisterState::from_code("a"), None);
        assert_eq!(ChorusRequirement::from_code("Both"), None);
    }

    #[test]
    fn only_an_approved_manager_is_called_a_manager() {
        assert_eq!(ManagerState::Approved.standing(true), "gestionnaire principal");
        assert_eq!(ManagerState::Approved.standing(false), "gestionnaire");
        assert_eq!(ManagerState::Pending.standing(false), "en attente d'approbation");
        assert_eq!(ManagerState::Refused.standing(false), "refusé");
    }

    #[test]
    fn an_engagement_number_has_exactly_ten_digits() {
        assert_eq!(EngagementNumber::parse(" 12345 67890 ").unwrap().as_str(), "1234567890");
        for bad in ["123456789", "12345678901", "12345A7890", ""] {
            let why = EngagementNumber::parse(bad).unwrap_err();
            assert!(why.starts_with("Le numéro d'engagement compte exactement 10 chiffres"), "{bad}: {why}");
        }
        assert!(EngagementNumber::parse("123456789").unwrap_err().contains("vous en avez saisi 9"));
    }

    #[test]
    fn nothing_required_accepts_empty_fields_but_still_checks_what_is_given() {
        let none = ChorusRequirement::None;
        assert_eq!(none.check("", ""), Ok(ChorusReferences::default()));
        let refs = none.check(" ST-44 ", "1234567890").unwrap();
        assert_eq!(refs.service_code.as_deref(), Some("ST-44"));
        assert_eq!(refs.engagement.unwrap().as_str(), "1234567890");
        let errors = none.check("", "123").unwrap_err();
        assert!(errors.service_code.is_none() && errors.engagement.is_some());
    }

    #[test]
    fn each_required_field_gets_its_own_message() {
        let errors = ChorusRequirement::ServiceCode.check("", "").unwrap_err();
        assert_eq!(errors.service_code.as_deref(), Some("Le code service est obligatoire pour cette structure."));
        assert_eq!(errors.engagement, None);
        assert!(ChorusRequirement::ServiceCode.check("ST-44", "").is_ok());

        let errors = ChorusRequirement::Engagement.check("ST-44", "").unwrap_err();
        assert_eq!(errors.service_code, None);
        assert_eq!(errors.engagement.as_deref(), Some("Le numéro d'engagement est obligatoire pour cette structure."));
        assert!(ChorusRequirement::Engagement.check("", "1234567890").is_ok());

        let errors = ChorusRequirement::Both.check("", "123456789").unwrap_err();
        assert!(errors.service_code.is_some());
        assert!(errors.engagement.unwrap().contains("10 chiffres"));
        let errors = ChorusRequirement::Both.check("ST-44", "").unwrap_err();
        assert!(errors.service_code.is_none() && errors.engagement.is_some());
        assert!(ChorusRequirement::Both.check("ST-44", "1234567890").is_ok());
    }

    #[test]
    fn either_wants_one_of_the_two() {
        let either = ChorusRequirement::Either;
        let errors = either.check("", "").unwrap_err();
        assert!(errors.service_code.as_deref().unwrap().contains("l'un ou l'autre"));
        assert!(errors.engagement.is_some());
        assert!(either.check("ST-44", "").is_ok());
        assert!(either.check("", "1234567890").is_ok());
        // Given, a wrong engagement number is refused even though the service code suffices.
        let errors = either.check("ST-44", "12").unwrap_err();
        assert!(errors.service_code.is_none() && errors.engagement.is_some());
        assert!(!errors.sentence().is_empty());
    }

    #[test]
    fn an_overlong_service_code_is_refused() {
        let errors = ChorusRequirement::ServiceCode.check(&"X".repeat(MAX_SERVICE_CODE + 1), "").unwrap_err();
        assert!(errors.service_code.unwrap().contains("au plus"));
    }
}
