//! The agency back office: members, suppliers, settings, sponsors' orders and the shop's prices, discount codes, vouchers, invoices and their reconciliation, payments, statements.

mod dashboard;
mod desk;
mod discounts;
mod invoices;
mod members;
mod payments;
mod settings;
mod shop;
mod statements;
mod suppliers;
mod vouchers;

pub use dashboard::DashboardPage;
pub use discounts::DiscountCodesPage;
pub use invoices::{InvoicesPage, ReconcilePage};
pub use members::{MemberImportPage, MemberPage, MembersPage, NewMemberPage};
pub use payments::{PaymentBatchPage, PaymentBatchesPage};
pub use settings::AgencySettingsPage;
pub use shop::{AgencyOrderPage, AgencyOrdersPage, ShopSettingsPage};
pub use statements::{StatementTable, StatementsPage};
pub use suppliers::{NewSupplierPage, SupplierPage, SuppliersPage};
pub use vouchers::{AgencyVoucherPage, AgencyVouchersPage};
