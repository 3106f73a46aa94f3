//! Pure rules shared by the browser and the server: no I/O, no clock, no database.
//! A value of one of these types is valid once it exists.

/// A value that travels in JSON as its text (its type says
/// `#[serde(into = "String", try_from = "String")]`): `$write` gives the
/// text, `$read` reads it back, or `None`.
macro_rules! travels_as_text {
    ($ty:ty, $write:expr, $read:expr, $what:literal) => {
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                ($write)(value)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = String;

            fn try_from(text: String) -> Result<$ty, String> {
                ($read)(&text).ok_or_else(|| format!(concat!("not ", $what, ": {}"), text))
            }
        }
    };
}

#[cfg(feature = "ssr")]
mod stored;
#[cfg(feature = "ssr")]
pub use stored::StoredBool;

pub mod agency;
pub mod bank;
pub mod billing;
pub mod contact;
pub mod day;
pub mod device;
pub mod discount;
pub mod invoice;
pub mod member;
pub mod member_file;
pub mod money;
pub mod order;
pub mod order_way;
pub mod pass;
pub mod password;
pub mod payment;
pub mod pricing;
pub mod role;
pub mod search;
pub mod siret;
pub mod structure;
pub mod time;
pub mod voucher;

pub use agency::AgencySettings;
pub use bank::{Bic, Iban};
pub use day::{Month, Period};
pub use invoice::{InvoiceLineInput, InvoiceStatus, LineFlag};
pub use member::MemberNumber;
pub use money::{AmountError, Money};
pub use role::Role;
pub use siret::Siret;
pub use structure::{ChorusRequirement, ManagerState, RegisterSource, RegisterState, StructureKind};
pub use time::{Day, ParisTime, Timestamp};
pub use voucher::{SecretCodeLength, VoucherNumber, VoucherStatus, parse_typed_code};
