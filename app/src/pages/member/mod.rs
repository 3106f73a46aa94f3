//! The member's screens, in the order of the seed's walk-through.

mod home;
mod list;
mod request;
mod statements;
mod voucher;

pub use home::HomePage;
pub use list::{VoucherListPage, matches_search};
pub use request::RequestPage;
pub use statements::MemberStatementsPage;
pub use voucher::{ConfirmUsePage, SecretCodePage, VoucherPage};
