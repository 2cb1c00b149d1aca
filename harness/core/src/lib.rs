//! # msc4268-harness
//!
//! The reference model and test machinery of the MSC4268 ("Sharing room keys for past messages")
//! conformance suite: a strict wire model, reference attachment crypto, reference import and build
//! policies, the rule catalogue, the fixture format and loader, the implementation interface, and
//! the runner that checks an implementation against the fixture corpus.

pub mod attachment;
pub mod b64;
pub mod cases;
pub mod error;
pub mod expected;
pub mod fixture;
pub mod generate;
pub mod identifiers;
pub mod implementation;
pub mod json;
pub mod libtest;
pub mod material;
pub mod megolm;
pub mod mutants;
pub mod output;
pub mod policy;
pub mod reference;
pub mod report;
pub mod rules;
pub mod runner;
pub mod scenario_results;
pub mod signing;
pub mod wire;
