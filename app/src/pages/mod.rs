//! One module per screen, grouped by who uses it.

pub mod agency;
pub mod member;
pub mod public;
pub mod supplier;
