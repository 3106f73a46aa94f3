//! The agency back office: members, suppliers, settings, discount codes, vouchers, invoices and their
//! reconciliation, payments, statements, sponsors' structures and their managers, sponsors' orders and
//! the shop's prices.

mod access;
mod dashboard;
mod desk;
mod discounts;
mod invoices;
mod members;
mod payments;
mod settings;
mod shop;
mod sponsors;
mod statements;
mod structures;
mod suppliers;
mod team;
mod vouchers;

pub use dashboard::DashboardPage;
pub use discounts::DiscountCodesPage;
pub use invoices::{InvoicesPage, ReconcilePage};
pub use members::{MemberImportPage, MemberPage, MembersPage, NewMemberPage};
pub use payments::{PaymentBatchPage, PaymentBatchesPage};
pub use settings::AgencySettingsPage;
pub use shop::{AgencyOrderPage, AgencyOrdersPage, ShopSettingsPage};
pub use sponsors::SponsorsPage;
pub use statements::{StatementTable, StatementsPage};
pub use structures::{StructurePage, StructuresPage};
pub use suppliers::{NewSupplierPage, SupplierPage, SuppliersPage};
pub use team::TeamPage;
pub use vouchers::{AgencyVoucherPage, AgencyVouchersPage};
