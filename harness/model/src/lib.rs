//! # msc4268-model
//!
//! The reference model of MSC4268 ("Sharing room keys for past messages", spec v1.19) as this
//! suite reads it: a strict wire model of every structure on the wire (`wire`), the attachment
//! crypto (`attachment`), the Megolm export format and ratchet (`megolm`), canonical JSON and
//! Ed25519 signing (`signing`), the exact base64 variants (`b64`), the spec's identifiers in their
//! stable and unstable spellings (`identifiers`), and the pure import, build and flag policies
//! (`policy`). Every module speaks the model's own types, named after the spec.
//!
//! [`reference`] is the model's one boundary with the case contract (`msc4268-protocol`):
//! [`reference::Reference`] puts the model behind the suite's `Implementation` interface, and
//! [`reference::convert`] converts each contract input to the model's input and each model result
//! to the contract's outcome. No other module names the contract (`tests/boundary.rs` checks).

pub mod attachment;
pub mod b64;
pub mod ed25519_edge;
pub mod error;
pub mod identifiers;
pub mod json;
pub mod material;
pub mod megolm;
pub mod policy;
pub mod reference;
pub mod signing;
pub mod wire;
