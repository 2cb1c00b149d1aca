//! # msc4268-harness
//!
//! The reference model and test machinery of the MSC4268 ("Sharing room keys for past messages")
//! conformance suite: a strict wire model, reference attachment crypto, reference import and build
//! policies, the rule catalogue, the fixture format and loader, the implementation interface, and
//! the runner that checks an implementation against the fixture corpus.

pub mod b64;
pub mod error;
pub mod identifiers;
pub mod json;
pub mod material;
pub mod megolm;
pub mod signing;
