//! What pages and server functions exchange: the shapes of screens and of
//! forms' answers, one file per group of screens. A leaf: it depends on
//! `domain` alone, compiles for the browser and the server, and the server's
//! services build these values for the server functions to return.

pub mod agency;
pub mod auth;
pub mod chart;
pub mod invoices;
pub mod money;
pub mod passes;
pub mod shop;
pub mod structures;
pub mod supplier;
pub mod vouchers;
