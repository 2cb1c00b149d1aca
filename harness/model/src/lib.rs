//! # msc4268-model
//!
//! The reference model of MSC4268 ("Sharing room keys for past messages", spec v1.19) as this
//! suite reads it: a strict wire model of every structure on the wire (`wire`), the attachment
//! crypto (`attachment`), the Megolm export format and ratchet (`megolm`), canonical JSON and
//! Ed25519 signing (`signing`), the exact base64 variants (`b64`), and the pure import, build and
//! flag policies (`policy`). [`reference::Reference`] puts the model behind the suite's
//! `Implementation` interface; it is the one place that converts between the case contract
//! (`msc4268-protocol`) and the model.

pub mod attachment;
pub mod b64;
pub mod error;
pub mod identifiers;
pub mod json;
pub mod material;
pub mod megolm;
pub mod policy;
pub mod reference;
pub mod signing;
pub mod wire;
