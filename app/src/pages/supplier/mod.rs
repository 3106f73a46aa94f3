//! The supplier's space: the counter check, delivered vouchers, invoices, the till's API keys.

mod check;
mod home;
pub(crate) mod invoices;
mod keys;
mod pass;
mod vouchers;

pub use check::CounterCheckPage;
pub use home::SupplierHomePage;
pub use invoices::{NewInvoicePage, SupplierInvoicePage, SupplierInvoicesPage};
pub use keys::ApiKeysPage;
pub use pass::SpendPassPage;
pub use vouchers::DeliveredVouchersPage;
