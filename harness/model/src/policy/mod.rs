//! Reference policies: pure functions, no I/O.

pub mod build;
pub mod flag;
pub mod import;
