//! Who an account is for: the role decides which space it logs into and
//! what it may do there.

/// An account's role, stored as its code (`member`, `supplier`, `agency`,
/// `admin`, `sponsor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A member of the cooperative: requests and uses vouchers.
    Member,
    /// Someone at a partner supplier's counter or office.
    Supplier,
    /// Agency staff: the back office of one agency.
    Agency,
    /// Every agency's back office, and the settings.
    Admin,
    /// A sponsor's manager (gestionnaire): the structures they manage.
    Sponsor,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Member, Role::Supplier, Role::Agency, Role::Admin, Role::Sponsor];

    pub fn code(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Supplier => "supplier",
            Role::Agency => "agency",
            Role::Admin => "admin",
            Role::Sponsor => "sponsor",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// As the journal and the account lists say it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Member => "adhérent",
            Role::Supplier => "fournisseur",
            Role::Agency => "agence",
            Role::Admin => "administrateur",
            Role::Sponsor => "commanditaire",
        }
    }

    /// Agency staff or an administrator: the back office.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Agency | Role::Admin)
    }

    /// Where the role lands after logging in.
    pub fn home(self) -> &'static str {
        match self {
            Role::Member => "/",
            Role::Supplier => "/fournisseur",
            Role::Agency | Role::Admin => "/agence",
            Role::Sponsor => "/commanditaire",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_code_and_nothing_else_does() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        for unknown in ["", "Admin", "anonymous", "staff"] {
            assert_eq!(Role::from_code(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn staff_and_administrators_land_in_the_back_office() {
        assert_eq!(Role::Agency.home(), "/agence");
        assert_eq!(Role::Admin.home(), "/agence");
        assert_eq!(Role::Supplier.home(), "/fournisseur");
        assert_eq!(Role::Member.home(), "/");
        assert_eq!(Role::Sponsor.home(), "/commanditaire");
        assert!(Role::Admin.is_staff() && Role::Agency.is_staff());
        assert!(!Role::Member.is_staff() && !Role::Supplier.is_staff() && !Role::Sponsor.is_staff());
    }
}
