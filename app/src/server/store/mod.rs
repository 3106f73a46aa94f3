//! SQL, grouped by table. Queries use `$n` placeholders, which both SQLite and
//! PostgreSQL understand; where the backends differ, `Db` says how.

pub mod accounts;
pub mod agencies;
pub mod api_keys;
pub mod dashboard;
pub mod delivered;
pub mod invoices;
pub mod member_imports;
pub mod members;
pub mod payments;
pub mod statements;
pub mod suppliers;
pub mod vouchers;
