//! # msc4268-corpus
//!
//! The MSC4268 conformance corpus and everything needed to read it: the fixture files themselves
//! (embedded, see [`embedded`]), the fixture format and its loader (errors name the file and the
//! JSON path), the rule catalogue, and the expected-failures lists of implementations.

pub mod embedded;
pub mod expected_failures;
pub mod fixture;
pub mod json_path;
pub mod rules;
pub mod scenario_registry;
