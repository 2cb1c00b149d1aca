//! Generator of the `file-encryption` fixtures.
//!
//! * `encrypt.json`: the implementation encrypts a plaintext several times as the bundle sender;
//!   the runner audits every encryption (R17, A1–A12) and compares them (A10). A conformant sender
//!   always yields `conformant`.
//! * `audit.json`: encryptions built here, each breaking at most one rule, check the suite's
//!   auditor itself (reference only). The expected verdict is the rule the generator broke.

use serde_json::{Value, json};

use crate::GeneratedFile;
use crate::case::{GroupBuilder, new_file, spec};
use crate::vectors::{self, Counter, Vector, iv_with_low, plaintext, with, without};
use msc4268_corpus::fixture::BugClass;
use msc4268_model::b64;
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::IdentifierVariant;

mod audit;
mod encrypt;

const CATEGORY: Category = Category::FileEncryption;
const STABLE: IdentifierVariant = IdentifierVariant::Stable;

/// The `file-encryption` fixture files.
pub fn files() -> Vec<GeneratedFile> {
    vec![encrypt::encrypt(), audit::audit()]
}

fn conformant() -> Value {
    json!({"outcome": "conformant"})
}

fn violation(rule: &str, path: &str) -> Value {
    json!({"outcome": "violation", "rule": rule, "path": path})
}

#[cfg(test)]
mod tests;
