//! Business operations. Each takes who is asking and the time, opens at most
//! one transaction, and returns what the caller shows.

pub mod vouchers;
