//! Pure rules shared by the browser and the server: no I/O, no clock, no database.
//! A value of one of these types is valid once it exists.

#[cfg(feature = "ssr")]
mod stored;

pub mod agency;
pub mod bank;
pub mod contact;
pub mod day;
pub mod invoice;
pub mod member;
pub mod member_file;
pub mod money;
pub mod password;
pub mod role;
pub mod siret;
pub mod time;
pub mod voucher;

pub use agency::AgencySettings;
pub use bank::{Bic, Iban};
pub use invoice::{InvoiceLineInput, InvoiceStatus, LineFlag};
pub use member::MemberNumber;
pub use money::{AmountError, Money};
pub use role::Role;
pub use siret::Siret;
#[cfg(feature = "ssr")]
pub use stored::StoredFlag;
pub use time::{Day, ParisTime, Timestamp};
pub use voucher::{SecretCodeLength, VoucherNumber, VoucherStatus, parse_typed_code};
