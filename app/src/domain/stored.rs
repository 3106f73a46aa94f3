//! Statuses as the database stores them: their codes. A row whose code is
//! none of ours fails to decode, naming the code (the store names the row,
//! `store::in_row`), where a default would show a corrupt voucher as one
//! still to spend, or a corrupt invoice as one received.

use super::billing::ChorusState;
use super::member_file::ImportOutcome;
use super::order::{OrderStatus, PaymentMethod};
use super::pass::PassStatus;
use super::structure::{ChorusRequirement, ManagerState, RegisterSource, RegisterState, StructureKind};
use super::{Day, InvoiceStatus, LineFlag, Money, Month, ParisTime, Role, Timestamp, VoucherNumber, VoucherStatus};

/// `Type`, `Decode` and `Encode` for sqlx's `Any` driver: the status reads
/// and binds as its code. `$stored` is the code's type read from a row,
/// `$bound` the type its `code()` binds as, `$from` the way back.
macro_rules! stored_as_code {
    ($status:ty, $stored:ty, $bound:ty, $from:expr, $what:literal) => {
        impl sqlx::Type<sqlx::Any> for $status {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <$stored as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <$stored as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $status {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<$status, sqlx::error::BoxDynError> {
                let code = <$stored as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                let from: fn(&$stored) -> Option<$status> = $from;
                from(&code).ok_or_else(|| format!(concat!("unknown ", $what, " {}"), code).into())
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Any> for $status {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <$bound as sqlx::Encode<'q, sqlx::Any>>::encode(self.code(), buf)
            }
        }
    };
}

stored_as_code!(VoucherStatus, i64, i64, |code| VoucherStatus::from_code(*code), "voucher status");
stored_as_code!(InvoiceStatus, String, &'q str, |code| InvoiceStatus::from_code(code), "invoice status");
stored_as_code!(Role, String, &'q str, |code| Role::from_code(code), "role");
stored_as_code!(LineFlag, String, &'q str, |code| LineFlag::from_code(code), "invoice line flag");
stored_as_code!(ImportOutcome, String, &'q str, |code| ImportOutcome::from_code(code), "import outcome");
stored_as_code!(StructureKind, String, &'q str, |code| StructureKind::from_code(code), "structure kind");
stored_as_code!(RegisterState, String, &'q str, |code| RegisterState::from_code(code), "register state");
stored_as_code!(RegisterSource, String, &'q str, |code| RegisterSource::from_code(code), "register source");
stored_as_code!(ManagerState, String, &'q str, |code| ManagerState::from_code(code), "manager state");
stored_as_code!(OrderStatus, String, &'q str, |code| OrderStatus::from_code(code), "order status");
stored_as_code!(PaymentMethod, String, &'q str, |code| PaymentMethod::from_code(code), "payment method");
stored_as_code!(ChorusRequirement, String, &'q str, |code| ChorusRequirement::from_code(code), "chorus requirement");
stored_as_code!(ChorusState, String, &'q str, |code| ChorusState::from_code(code), "chorus state");
stored_as_code!(PassStatus, String, &'q str, |code| PassStatus::from_code(code), "pass status");

/// `Type`, `Decode` and `Encode` for a value stored as text: `$parse` reads
/// it back (None names the text), `$write` writes it.
macro_rules! stored_as_text {
    ($value:ty, $parse:expr, $write:expr, $what:literal) => {
        impl sqlx::Type<sqlx::Any> for $value {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $value {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<$value, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                let parse: fn(&str) -> Option<$value> = $parse;
                parse(&text).ok_or_else(|| format!(concat!("unreadable ", $what, " {:?}"), text).into())
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Any> for $value {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                let write: fn(&$value) -> String = $write;
                <String as sqlx::Encode<'q, sqlx::Any>>::encode(write(self), buf)
            }
        }
    };
}

stored_as_text!(VoucherNumber, |s| s.parse().ok(), |n| n.to_string(), "voucher number");
stored_as_text!(Timestamp, Timestamp::parse, |t| t.rfc3339(), "timestamp");
stored_as_text!(Day, Day::parse_iso, |d| d.iso(), "day");
stored_as_text!(Month, Month::parse_iso, |m| m.iso(), "month");
stored_as_text!(ParisTime, |s| Timestamp::parse(s).map(Timestamp::paris), |t| t.rfc3339(), "timestamp");

/// Money is stored as integer cents.
impl sqlx::Type<sqlx::Any> for Money {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Money {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Money, sqlx::error::BoxDynError> {
        <i64 as sqlx::Decode<'r, sqlx::Any>>::decode(value).map(Money::from_cents)
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for Money {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <i64 as sqlx::Encode<'q, sqlx::Any>>::encode(self.cents(), buf)
    }
}

/// A yes-or-no as the schema keeps it: an integer, 0 for no (a count of
/// rows reads as whether there is any). The `Any` driver reads a `bool`
/// only from a boolean column, so a row's `bool` field says
/// `#[sqlx(try_from = "StoredBool")]`.
pub struct StoredBool(bool);

impl From<StoredBool> for bool {
    fn from(stored: StoredBool) -> bool {
        stored.0
    }
}

impl sqlx::Type<sqlx::Any> for StoredBool {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for StoredBool {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<StoredBool, sqlx::error::BoxDynError> {
        <i64 as sqlx::Decode<'r, sqlx::Any>>::decode(value).map(|n| StoredBool(n != 0))
    }
}
