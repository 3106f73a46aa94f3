//! The server's integration tests, one binary: each module starts real
//! servers (`common::TestApp`) on fresh databases, SQLite by default and
//! PostgreSQL with `BONS_TEST_DATABASE_URL`. One binary is compiled and
//! linked once, where a binary per file compiled `common` thirty times; the
//! log tests (`../logs.rs`, `../logs_json.rs`) keep binaries of their own,
//! as each installs the process's one logger.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod agency;
mod agency_structures;
mod api;
mod authorization;
mod bad_requests;
mod concurrency;
mod discounts;
mod integrity;
mod invariants;
mod invoices;
mod key_rotation;
mod lockouts;
mod member_voucher;
mod migrate_data;
mod model;
mod operations;
mod order_way;
mod pass_counter;
mod passes;
mod pwa;
mod reconciliation;
mod search;
mod shop;
mod shutdown;
mod sponsor_invoices;
mod statements;
mod structures;
mod supplier;
mod two_servers;
mod web_edges;
