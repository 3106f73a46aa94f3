//! One module per screen, grouped by who uses it.

pub mod member;
pub mod public;
