//! What the sponsor's space and the agency's structure screens exchange:
//! structures with their register state, the activation and deactivation
//! steps of seed 004, managers, service codes.

use crate::domain::{ChorusRequirement, ManagerState, ParisTime, RegisterSource, RegisterState, StructureKind};
use crate::model::agency::{Desk, HistoryEvent};
use serde::{Deserialize, Serialize};

/// A structure as stored, with what the SIRENE register says of its SIRET
/// (None: a private structure, or a SIRET the register does not know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Structure {
    pub id: i64,
    pub agency_id: i64,
    pub kind: StructureKind,
    /// 14 digits: `Siret::shown` groups them.
    pub siret: Option<String>,
    /// A private sponsor's company number, when it gave that and no SIRET.
    pub siren: Option<String>,
    pub label: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub chorus: ChorusRequirement,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::domain::StoredBool"))]
    pub active: bool,
    pub deactivated_at: Option<ParisTime>,
    /// The structure that receives this one's invoices since its deactivation.
    pub taken_over_by: Option<i64>,
    pub register_state: Option<RegisterState>,
}

/// The sponsor's home: their structures, and the requests to manage those
/// they are the main manager of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorOverview {
    pub structures: Vec<ManagedStructure>,
    pub requests: Vec<ManagerRequest>,
}

/// One of the structures a sponsor's manager manages or asked to manage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedStructure {
    pub structure: Structure,
    pub main: bool,
    pub state: ManagerState,
}

/// An establishment as the SIRENE register (or staff) recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Establishment {
    pub siret: String,
    pub state: RegisterState,
    pub name: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub source: RegisterSource,
    pub updated_at: ParisTime,
}

impl Establishment {
    /// The name a structure gets from it: the establishment's usual name or
    /// its sign, else its SIRET.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| format!("Établissement {}", crate::domain::Siret::shown(&self.siret)))
    }
}

/// What confirming an activation will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivationPlan {
    /// A new structure, with the caller as its main manager.
    Create,
    /// A structure deactivated earlier, active again; the caller becomes its
    /// main manager if it has none.
    Reactivate,
    /// An active structure managed by someone else: the caller asks to
    /// manage it too, and waits for its main manager's (or staff's) approval.
    JoinAsPending,
}

/// Step 5 of the activation: « Confirmer la structure sur laquelle l'action
/// est souhaitée ».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationStep {
    pub establishment: Establishment,
    pub plan: ActivationPlan,
}

/// Step 7: « L'action a été réalisée ».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationDone {
    pub structure_id: i64,
    pub label: String,
    /// Approved and main: the caller manages it now. Pending: the caller
    /// waits for the main manager's approval.
    pub state: ManagerState,
    pub main: bool,
}

/// The deactivation's step 5, and what step 6 will ask: a closed SIRET
/// (F) is deactivated once confirmed; an open one (A) needs the SIRET of
/// the structure taking over its invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeactivationStep {
    pub structure: Structure,
    pub needs_taking_over: bool,
}

/// A deactivation, done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeactivationDone {
    pub structure_id: i64,
    pub label: String,
    /// The structure taking over, and what moved to it.
    pub taken_over_by: Option<(i64, String)>,
    pub transferred: TransferCounts,
}

/// What moved from a deactivated structure to the one taking over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferCounts {
    pub open_orders: u64,
    pub invoices: u64,
    /// The orders moved, by id.
    pub orders: Vec<i64>,
}

/// Someone asking to manage a structure, as its main manager (or staff) sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ManagerRequest {
    pub structure_id: i64,
    pub structure_label: String,
    pub login: String,
    pub requested_at: ParisTime,
}

/// A structure's manager, as its page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Manager {
    pub login: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::domain::StoredBool"))]
    pub main: bool,
    pub state: ManagerState,
    pub requested_at: ParisTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ServiceCode {
    pub code: String,
    pub label: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::domain::StoredBool"))]
    pub active: bool,
}

/// The agency's structures, with their register state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructureList {
    pub desk: Desk,
    pub rows: Vec<Structure>,
}

/// One structure in the back office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructureDetail {
    pub structure: Structure,
    /// The label of the structure taking over its invoices, when it was
    /// deactivated with one: the page says « reprise par … ».
    pub taken_over_label: Option<String>,
    pub establishment: Option<Establishment>,
    pub managers: Vec<Manager>,
    pub service_codes: Vec<ServiceCode>,
    pub history: Vec<HistoryEvent>,
}

/// A sponsor's manager as the back office lists them: their login, whether
/// it still opens the sponsor's space, and every structure they manage or
/// asked to manage, refusals included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorManager {
    pub login: String,
    pub active: bool,
    pub structures: Vec<ManagedStructure>,
}

/// `/agence/commanditaires`: the agency's sponsors' managers, by login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorList {
    pub desk: Desk,
    pub rows: Vec<SponsorManager>,
}
