//! Vouchers and their running-number series.

pub mod delivered;

use crate::domain::{Day, Money, Timestamp, VoucherNumber, VoucherStatus};
use crate::model::vouchers::VoucherRow;
use crate::server::db::{Backend, WriteTx};
use crate::server::store::in_row;
use crate::server::store::search::KeyMatch;
use sqlx::{AnyConnection, AnyPool, FromRow};

/// A voucher with what its screens show: supplier, agency codes, member.
#[derive(Debug, Clone, FromRow)]
pub struct VoucherRecord {
    pub id: i64,
    pub member_id: i64,
    pub supplier_id: i64,
    pub agency_id: i64,
    pub status: VoucherStatus,
    #[sqlx(rename = "amount_cents")]
    pub amount: Money,
    pub requested_at: Timestamp,
    /// The last day it can be used, in Paris.
    pub valid_until: Day,
    pub used_at: Option<Timestamp>,
    pub number: Option<VoucherNumber>,
    pub code_length: Option<i64>,
    /// The server key version its code and QR link were made with (set at use).
    pub key_version: i64,
    pub validated_at: Option<Timestamp>,
    pub code_failures: i64,
    pub locked_at: Option<Timestamp>,
    /// The accepted invoice that claimed it.
    pub invoice_id: Option<i64>,
    pub paid_on: Option<Day>,
    /// Set when staff undid a mistaken use (status 91-annulé, number kept).
    pub use_cancelled_at: Option<Timestamp>,
    pub supplier_name: String,
    pub agency_code: String,
    pub centre_code: String,
    /// The agency's current code length: a voucher used now gets this many digits.
    pub agency_code_length: i64,
    pub member_number: String,
    pub member_name: String,
}

const SELECT_VOUCHER: &str = "SELECT v.id, v.member_id, v.supplier_id, v.agency_id, v.status, v.amount_cents,
        v.requested_at, v.valid_until, v.used_at, v.number, v.code_length, v.key_version, v.validated_at,
        v.code_failures, v.locked_at, v.invoice_id, v.paid_on, v.use_cancelled_at, s.name AS supplier_name, a.code AS agency_code, a.centre_code,
        a.code_length AS agency_code_length, m.number AS member_number,
        m.name AS member_name
   FROM vouchers v
   JOIN suppliers s ON s.id = v.supplier_id
   JOIN agencies a ON a.id = v.agency_id
   JOIN members m ON m.id = v.member_id";

pub struct NewVoucher {
    pub member_id: i64,
    pub supplier_id: i64,
    pub agency_id: i64,
    pub amount: Money,
    pub requested_at: Timestamp,
    pub valid_until: Day,
}

pub async fn insert(conn: &mut AnyConnection, v: &NewVoucher) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO vouchers (member_id, supplier_id, agency_id, status, amount_cents, requested_at, valid_until)
         VALUES ($1, $2, $3, $7, $4, $5, $6) RETURNING id",
    )
    .bind(v.member_id)
    .bind(v.supplier_id)
    .bind(v.agency_id)
    .bind(v.amount)
    .bind(v.requested_at)
    .bind(v.valid_until)
    .bind(VoucherStatus::Issued)
    .fetch_one(conn)
    .await
}

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<VoucherRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_VOUCHER} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(in_row("vouchers", id))
}

pub async fn find_by_number(pool: &AnyPool, number: &str) -> Result<Option<VoucherRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_VOUCHER} WHERE v.number = $1"))
        .bind(number)
        .fetch_optional(pool)
        .await
        .map_err(in_row("vouchers", number))
}

/// Reads a voucher inside a write transaction, locking its row until commit.
pub async fn find_for_update(tx: &mut WriteTx, id: i64) -> Result<Option<VoucherRecord>, sqlx::Error> {
    let lock = tx.row_lock("v");
    sqlx::query_as(&format!("{SELECT_VOUCHER} WHERE v.id = $1{lock}"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await
        .map_err(in_row("vouchers", id))
}

/// The same by number, for a check by number and code.
pub async fn find_by_number_for_update(tx: &mut WriteTx, number: &str) -> Result<Option<VoucherRecord>, sqlx::Error> {
    let lock = tx.row_lock("v");
    sqlx::query_as(&format!("{SELECT_VOUCHER} WHERE v.number = $1{lock}"))
        .bind(number)
        .fetch_optional(tx.conn())
        .await
        .map_err(in_row("vouchers", number))
}

/// A member's vouchers, newest first, in one query.
pub async fn list_for_member(pool: &AnyPool, member_id: i64) -> Result<Vec<VoucherRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_VOUCHER} WHERE v.member_id = $1 ORDER BY v.id DESC"))
        .bind(member_id)
        .fetch_all(pool)
        .await
        .map_err(in_row("vouchers of member", member_id))
}

/// A line of the member's "Demande de bons" as stored, with its last valid
/// day (the status the member sees depends on it). Read from a JSON array,
/// in this order (`listed_for_member`).
#[derive(Debug, Clone)]
pub struct ListedVoucher {
    pub row: VoucherRow,
    pub valid_until: Day,
}

/// Read in the order of the query's array; a status code none of ours, or
/// a time, day or number that is none, is an error naming the voucher.
impl<'de> serde::Deserialize<'de> for ListedVoucher {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ListedVoucher, D::Error> {
        struct Row;
        impl<'de> serde::de::Visitor<'de> for Row {
            type Value = ListedVoucher;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("[id, status, amount_cents, requested_at, valid_until, number, supplier_name]")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ListedVoucher, A::Error> {
                let id: i64 = field(&mut seq, "id")?;
                let named = |what: String| serde::de::Error::custom(format!("vouchers row {id}: {what}"));
                let code: i64 = field(&mut seq, "status")?;
                let status =
                    VoucherStatus::from_code(code).ok_or_else(|| named(format!("unknown voucher status {code}")))?;
                let amount = field(&mut seq, "amount_cents")?;
                let requested_at: String = field(&mut seq, "requested_at")?;
                let requested_at = Timestamp::parse(&requested_at)
                    .ok_or_else(|| named(format!("unreadable timestamp {requested_at:?}")))?;
                let valid_until = field(&mut seq, "valid_until").map_err(|e: A::Error| named(e.to_string()))?;
                let number = field(&mut seq, "number").map_err(|e: A::Error| named(e.to_string()))?;
                let row = VoucherRow {
                    id,
                    status,
                    amount,
                    supplier: field(&mut seq, "supplier_name")?,
                    number,
                    requested_on: requested_at.paris_day(),
                };
                Ok(ListedVoucher { row, valid_until })
            }
        }
        fn field<'de, A: serde::de::SeqAccess<'de>, T: serde::Deserialize<'de>>(
            seq: &mut A,
            name: &'static str,
        ) -> Result<T, A::Error> {
            seq.next_element()?.ok_or_else(|| serde::de::Error::missing_field(name))
        }
        deserializer.deserialize_seq(Row)
    }
}

/// A member's vouchers for their list, newest first: seven columns and one
/// join, where a voucher's screens need the whole `VoucherRecord` (the
/// list is the page members open most, with every voucher they ever had).
///
/// The database hands the list over as one JSON value: one row instead of
/// one per voucher. On SQLite each row is a hand-off between the
/// connection's thread and the page's task, and the list page spent most
/// of its database time on them. The rows are put in order here: an
/// `ORDER BY` inside SQLite's aggregate sorts through a temporary index,
/// written for every page (a twentieth of the page's time in a profile).
pub async fn listed_for_member(
    pool: &AnyPool,
    backend: Backend,
    member_id: i64,
) -> Result<Vec<ListedVoucher>, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT json_group_array(json_array(v.id, v.status, v.amount_cents, v.requested_at, v.valid_until,
                                                v.number, s.name))
               FROM vouchers v
               JOIN suppliers s ON s.id = v.supplier_id
              WHERE v.member_id = $1"
        }
        Backend::Postgres => {
            "SELECT COALESCE(json_agg(json_build_array(v.id, v.status, v.amount_cents, v.requested_at, v.valid_until,
                                                       v.number, s.name)), '[]')::text
               FROM vouchers v
               JOIN suppliers s ON s.id = v.supplier_id
              WHERE v.member_id = $1"
        }
    };
    let list: String = sqlx::query_scalar(sql).bind(member_id).fetch_one(pool).await?;
    let mut listed: Vec<ListedVoucher> = serde_json::from_str(&list).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    listed.sort_unstable_by_key(|voucher| std::cmp::Reverse(voucher.row.id));
    Ok(listed)
}

/// Takes the next running number of (agency, year). Inside the use
/// transaction: if that transaction rolls back, so does the increment.
pub async fn next_sequence(conn: &mut AnyConnection, agency_id: i64, year: i32) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO number_series (agency_id, year, last_sequence) VALUES ($1, $2, 1)
         ON CONFLICT (agency_id, year) DO UPDATE SET last_sequence = number_series.last_sequence + 1
         RETURNING last_sequence",
    )
    .bind(agency_id)
    .bind(i64::from(year))
    .fetch_one(conn)
    .await
}

pub struct Use<'a> {
    pub id: i64,
    pub used_at: Timestamp,
    pub year: i32,
    pub sequence: i64,
    pub number: &'a VoucherNumber,
    pub code_length: i64,
    /// The server key's current version, which makes its code.
    pub key_version: i64,
}

/// 1-EMIS → 11-livré, only from 1-EMIS. Returns whether the row changed.
pub async fn mark_used(conn: &mut AnyConnection, u: &Use<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE vouchers SET status = $7, used_at = $2, number_year = $3, number_seq = $4, number = $5, code_length = $6,
                key_version = $9
          WHERE id = $1 AND status = $8",
    )
    .bind(u.id)
    .bind(u.used_at)
    .bind(i64::from(u.year))
    .bind(u.sequence)
    .bind(u.number)
    .bind(u.code_length)
    .bind(VoucherStatus::Delivered)
    .bind(VoucherStatus::Issued)
    .bind(u.key_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the member's VALIDER LE BON once; later presses keep the first time.
pub async fn mark_validated(
    conn: &mut AnyConnection,
    id: i64,
    member_id: i64,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE vouchers SET validated_at = $3 WHERE id = $1 AND member_id = $2 AND used_at IS NOT NULL AND validated_at IS NULL",
    )
    .bind(id)
    .bind(member_id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a voucher from `from` to `to`; whether it changed.
pub async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    from: VoucherStatus,
    to: VoucherStatus,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE vouchers SET status = $3 WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The hourly expiry's scan: served by the index `vouchers_expiring`
/// (status, valid_until), whatever the number of vouchers used long ago.
pub const OVERDUE: &str =
    "SELECT id, valid_until FROM vouchers WHERE status = $3 AND valid_until < $1 ORDER BY id LIMIT $2";

/// Issued vouchers whose last valid day is before `today`, oldest first.
pub async fn overdue(conn: &mut AnyConnection, today: Day, limit: i64) -> Result<Vec<(i64, Day)>, sqlx::Error> {
    sqlx::query_as(OVERDUE).bind(today).bind(limit).bind(VoucherStatus::Issued).fetch_all(conn).await
}

/// Sets the wrong-code counter and the lock of a voucher.
pub async fn set_code_failures(
    conn: &mut AnyConnection,
    id: i64,
    failures: i64,
    locked_at: Option<Timestamp>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE vouchers SET code_failures = $2, locked_at = $3 WHERE id = $1")
        .bind(id)
        .bind(failures)
        .bind(locked_at)
        .execute(conn)
        .await?;
    Ok(())
}

// The back office: an agency's vouchers, and undoing a mistaken use.

/// What staff search vouchers by.
pub struct VoucherSearch<'a> {
    /// The agency (None: every agency).
    pub agency_id: Option<i64>,
    /// Part of a voucher number, member number or member name ("" for any).
    pub typed: &'a str,
    /// A status, or None for any.
    pub status: Option<VoucherStatus>,
    pub limit: i64,
}

/// `%NUMBER%` for a voucher number typed in part, in capitals as numbers are
/// stored, `%`, `_` and `\` escaped (the query says `ESCAPE '\'`).
fn number_pattern(typed: &str) -> String {
    let mut pattern = String::from("%");
    for c in typed.trim().chars().flat_map(char::to_uppercase) {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// An agency's vouchers whose number holds the search, or whose member's
/// name and number hold its every word (accents and case aside), newest
/// first, in one query.
pub async fn search(pool: &AnyPool, s: &VoucherSearch<'_>) -> Result<Vec<VoucherRecord>, sqlx::Error> {
    let scope = if s.agency_id.is_some() { "v.agency_id = $1" } else { "$1 IS NULL" };
    let member = KeyMatch::new("v.member_id", "members", s.typed, 6);
    let sql = format!(
        "{SELECT_VOUCHER}
          WHERE {scope} AND ($2 IS NULL OR v.status = $2)
            AND ($3 = '' OR v.number LIKE $4 ESCAPE '\\' OR {})
          ORDER BY v.id DESC LIMIT $5",
        member.condition
    );
    let mut query = sqlx::query_as(&sql)
        .bind(s.agency_id)
        .bind(s.status)
        .bind(s.typed.trim())
        .bind(number_pattern(s.typed))
        .bind(s.limit);
    for pattern in member.patterns {
        query = query.bind(pattern);
    }
    query
        .fetch_all(pool)
        .await
        .map_err(in_row("vouchers searched in agency", s.agency_id.map_or_else(String::new, |id| id.to_string())))
}

/// Vouchers locked after too many wrong codes, oldest lock first.
pub async fn locked(pool: &AnyPool, agency_id: Option<i64>) -> Result<Vec<VoucherRecord>, sqlx::Error> {
    let scope = if agency_id.is_some() { "v.agency_id = $1" } else { "$1 IS NULL" };
    sqlx::query_as(&format!("{SELECT_VOUCHER} WHERE {scope} AND v.locked_at IS NOT NULL ORDER BY v.locked_at, v.id"))
        .bind(agency_id)
        .fetch_all(pool)
        .await
        .map_err(in_row("locked vouchers of agency", agency_id.unwrap_or_default()))
}

/// 11-livré → 91-annulé, keeping the number; only while no invoice took it.
/// Returns whether the row changed.
pub async fn undo_use(conn: &mut AnyConnection, id: i64, at: Timestamp) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE vouchers SET status = $3, use_cancelled_at = $2 WHERE id = $1 AND status = $4 AND invoice_id IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(VoucherStatus::Cancelled)
    .bind(VoucherStatus::Delivered)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An accepted invoice claims a delivered voucher: 11-livré → 21-facturé.
/// False when the voucher is not delivered any more, or claimed already.
pub async fn mark_invoiced(conn: &mut AnyConnection, id: i64, invoice_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE vouchers SET status = $3, invoice_id = $2 WHERE id = $1 AND status = $4 AND invoice_id IS NULL",
    )
    .bind(id)
    .bind(invoice_id)
    .bind(VoucherStatus::Invoiced)
    .bind(VoucherStatus::Delivered)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
