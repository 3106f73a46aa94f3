//! What the sponsors' shop exchanges: the catalogue, the cart, the
//! checkout, orders, and the back office's discount codes and prices.

use super::agency::Desk;
use crate::domain::billing::ChorusState;
use crate::domain::discount::{CodeState, DiscountCode};
use crate::domain::order::{OrderNumber, OrderStatus, PaymentMethod};
use crate::domain::pricing::{PriceList, Quote, Rate};
use crate::domain::{ChorusRequirement, Day, Money, ParisTime, StructureKind};
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

/// One product of the public catalogue, with its prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItem {
    /// What the « Ajouter au panier » form sends (`Product::key`).
    pub key: String,
    pub label: String,
    /// What it is, in a sentence.
    pub description: String,
    pub unit_excl_vat: Money,
    /// None: outside the scope of VAT (the passes' face value).
    pub vat: Option<Money>,
    pub unit_incl_vat: Money,
}

/// `/boutique`: what the shop sells, for anyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub items: Vec<CatalogueItem>,
    pub booklet_size: u32,
    pub fee_rate: Rate,
    pub vat_rate: Rate,
    /// Products in the visitor's cart (the sum of quantities).
    pub in_cart: u32,
}

/// A line of the cart as `/panier` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    pub key: String,
    pub label: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub net: Money,
}

/// `/panier`: the visitor's cart and what it costs (no quote while it is
/// empty, or when a product is no longer on sale: `problem` says why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    pub lines: Vec<CartLineView>,
    pub quote: Option<Quote>,
    pub problem: Option<String>,
}

/// A structure the manager may order for, as the checkout offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutStructure {
    pub id: i64,
    pub label: String,
    pub siret: Option<String>,
    pub kind: StructureKind,
    pub chorus: ChorusRequirement,
    pub address: String,
    pub postcode: String,
    pub city: String,
}

/// Who is checking out, once logged in as a sponsor's manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutAccount {
    pub login: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// Structures the manager may order for: approved, active.
    pub structures: Vec<CheckoutStructure>,
    /// Structures they asked to manage and wait for (they cannot order for them yet).
    pub waiting: Vec<String>,
}

/// `/caisse`: the cart priced with the code typed, and who orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub cart: CartView,
    /// None: a visitor, who logs in or opens an account first. Logged in
    /// with another role: `other_role` says so.
    pub account: Option<CheckoutAccount>,
    pub other_role: bool,
    /// The discount code as typed and applied, or why it is refused.
    pub code: Option<String>,
    pub code_refusal: Option<String>,
}

/// A place where passes are handed out: it gets the activation notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DistributionPoint {
    pub name: String,
    pub address: String,
    pub email: String,
}

/// A postal address as an order keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// « Raison sociale » (billing) or the recipient (delivery).
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// The purchase order of a Chorus Pro order (seed 000), once given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    pub label: String,
    pub siret: String,
    pub service_code: Option<String>,
    pub engagement: Option<String>,
    pub given_at: ParisTime,
    pub file_name: Option<String>,
}

/// An order as its confirmation page shows it, to the structure's
/// managers and to the agency's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub id: i64,
    pub number: OrderNumber,
    pub status: OrderStatus,
    pub payment: PaymentMethod,
    pub structure_id: i64,
    pub structure_label: String,
    pub structure_siret: Option<String>,
    pub chorus: ChorusRequirement,
    /// The structure's active service codes: code and label.
    pub service_codes: Vec<(String, String)>,
    pub created_at: ParisTime,
    pub confirmed_at: Option<ParisTime>,
    pub ordered_by: String,
    pub quote: Quote,
    pub discount_code: Option<String>,
    pub contact: (String, String, String),
    pub billing: PostalAddress,
    pub delivery: PostalAddress,
    pub points: Vec<DistributionPoint>,
    pub purchase_order: Option<PurchaseOrder>,
    /// For a transfer: the cooperative's IBAN (grouped) and the reference to give.
    pub iban: Option<String>,
    pub payment_reference: String,
    /// What the order still waits for, in French (empty: nothing).
    pub missing: Vec<String>,
    /// The reader may give the purchase order (a manager, or staff).
    pub can_give_purchase_order: bool,
    /// The order's invoices and credit notes, in the order issued.
    pub invoices: Vec<SponsorInvoiceRow>,
    /// Staff may issue the invoices due at order.
    pub can_issue_invoices: bool,
    /// Staff may record the accompaniment's interim (2) or final (3)
    /// report, which invoices its instalment.
    pub next_report: Option<u8>,
    /// The reports kept (2, 3), to download.
    pub reports: Vec<u8>,
    /// Its passes: production, counterpart, activation.
    pub way: OrderWayView,
    /// Its way from confirmation to activation, step by step, and the
    /// thread, elements and proofs of the steps before production.
    pub progress: OrderProgress,
}

/// An order's way step by step (seed 003), and what the reader may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderProgress {
    pub steps: Vec<StepView>,
    pub messages: Vec<OrderMessage>,
    pub elements: Option<PrintElements>,
    pub proofs: Vec<ProofView>,
    /// The sponsor's comment when it returned the invoices, until staff
    /// correct them.
    pub invoices_returned: Option<String>,
    pub can_post: bool,
    pub can_scope: bool,
    pub can_give_elements: bool,
    pub can_check_invoices: bool,
    pub can_make_proof: bool,
    /// The number of the proof waiting for the reader's decision.
    pub can_decide_proof: Option<i64>,
    pub can_ship: bool,
    pub can_confirm_delivery: bool,
}

/// One step of the way: done (when, by whom), or its deadline if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub step: crate::domain::order_way::Step,
    pub label: String,
    /// Who acts, in French (« l'agence »).
    pub actor: String,
    pub done_at: Option<ParisTime>,
    pub done_by: Option<String>,
    /// What the step recorded: a proof's number, a carrier's reference…
    pub detail: Option<String>,
    pub due: Option<Day>,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderMessage {
    pub at: ParisTime,
    pub author: String,
    pub from_staff: bool,
    pub body: String,
}

/// What the passes carry besides their number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintElements {
    pub message: String,
    pub restrictions: String,
    pub inserts: String,
    /// « PNG, 14 Ko », if a logo was sent.
    pub logo: Option<String>,
    pub at: ParisTime,
}

/// A proof (BAT) and the sponsor's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofView {
    pub number: i64,
    pub made_at: ParisTime,
    pub decided_at: Option<ParisTime>,
    pub accepted: Option<bool>,
    pub comment: Option<String>,
}

/// An order whose current step is past its deadline, for the dashboards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueStep {
    pub order_id: i64,
    pub number: String,
    pub structure: String,
    pub kind: crate::domain::order_way::Step,
    pub step: String,
    pub actor: String,
    pub due: Day,
}

/// An order's way after its invoices (seed 003): its passes produced, the
/// counterpart received, activated or cancelled; and what the reader may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderWayView {
    pub produced_at: Option<ParisTime>,
    pub passes: i64,
    pub inactive: i64,
    pub active: i64,
    pub used: i64,
    pub cancelled: i64,
    /// The first and last pass numbers.
    pub first: Option<String>,
    pub last: Option<String>,
    pub valid_until: Option<Day>,
    pub received: Money,
    pub received_reference: Option<String>,
    pub received_on: Option<Day>,
    pub activated_at: Option<ParisTime>,
    pub cancelled_at: Option<ParisTime>,
    /// What the counterpart still lacks to cover the passes' face value.
    pub shortfall: Option<Money>,
    pub can_produce: bool,
    pub can_record_received: bool,
    pub can_activate: bool,
    pub can_cancel: bool,
    /// Staff may download the print-ready sheets of the passes (codes printed).
    pub can_print: bool,
    /// The face value of the passes spent so far, and where.
    pub spent_value: Money,
    /// The face value of the spent passes the cooperative has paid to the
    /// suppliers (on their accepted invoices, in a paid batch).
    pub paid_value: Money,
    pub by_supplier: Vec<SupplierSpending>,
    /// The value spent month by month, per supplier.
    pub chart: crate::model::chart::MonthlyChart,
    /// Once activated: the report of the suppliers paid and the value left
    /// unused (final once the validity is over).
    pub year_end: Option<YearEndView>,
}

/// The report at the end of an order's validity (provisional before it):
/// the suppliers the passes were spent at and paid to, and the value left
/// unused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearEndView {
    pub valid_until: Day,
    /// The validity is over: the report is final.
    pub ended: bool,
    pub passes: i64,
    pub spent: i64,
    pub spent_value: Money,
    pub paid_value: Money,
    pub unused_passes: i64,
    pub unused_value: Money,
    pub cancelled: i64,
    pub rows: Vec<SupplierSpending>,
}

/// What an order's passes bought at one supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierSpending {
    pub supplier: String,
    pub passes: i64,
    pub value: Money,
    /// Of that value, what the cooperative has paid the supplier.
    pub paid: Money,
}

/// An invoice or credit note to a sponsor, as its order's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorInvoiceRow {
    pub id: i64,
    pub number: String,
    /// « Facture n° F2026-000001 », « Avoir n° … ».
    pub title: String,
    pub subject: String,
    pub total_incl_vat: Money,
    pub issued_on: Day,
    pub due_on: Day,
    pub chorus: ChorusState,
    pub chorus_reference: Option<String>,
    pub chorus_note: Option<String>,
    /// The Chorus Pro states staff may record next (empty for a sponsor).
    pub next: Vec<ChorusState>,
    /// Rejected: staff may correct it by a credit note and a new invoice.
    pub correctable: bool,
}

/// The cooperative as the agency's invoices name it (empty until given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerView {
    pub name: String,
    pub siret: String,
    pub vat_number: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// An order in a list (« Mes commandes », the agency's orders).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: i64,
    pub number: OrderNumber,
    pub structure_label: String,
    pub status: OrderStatus,
    pub payment: PaymentMethod,
    pub total_incl_vat: Money,
    pub created_at: ParisTime,
    /// The step past its deadline and the day it was due, in French
    /// (« Validation du BAT, attendue le 12/12/2026 »), on the sponsor's list.
    pub late: Option<String>,
}

/// `/agence/commandes`: the agency's orders, by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyOrderList {
    pub desk: Desk,
    pub status: Option<OrderStatus>,
    pub rows: Vec<OrderRow>,
}

/// `/agence/boutique`: the agency's prices as staff set them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopSettingsView {
    pub desk: Desk,
    pub prices: PriceList,
    pub iban: Option<String>,
}
