//! Generator of the `file-decryption` fixtures: an `EncryptedFile` and the downloaded bytes, and
//! whether a receiver must decrypt them (A1–A9, A12, R38).
//!
//! Every ciphertext is built by [`vectors`] with the raw AES block function, independently of the
//! reference's `ctr`-crate decryption; every expected plaintext is the plaintext the generator
//! chose; every rejection names the rule the generator deliberately broke.

use serde_json::{Value, json};

use crate::GeneratedFile;
use crate::case::{GroupBuilder, new_file, spec};
use crate::vectors::{self, Vector, decrypted, iv_with_low, plaintext, rejected, with, without};
use msc4268_corpus::fixture::BugClass;
use msc4268_model::b64::{self, Alphabet};
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::IdentifierVariant;

mod base64;
mod counter;
mod declared_limit;
mod hash;
mod hash_compare;
mod jwk;
mod server_name;
mod url;
mod valid;

const CATEGORY: Category = Category::FileDecryption;
const STABLE: IdentifierVariant = IdentifierVariant::Stable;

/// The `file-decryption` fixture files.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        valid::valid(),
        counter::counter(),
        hash::hash(),
        jwk::jwk(),
        base64::base64(),
        url::url(),
        server_name::server_name(),
        hash_compare::hash_compare(),
        declared_limit::declared_limit(),
    ]
}

#[cfg(test)]
pub(super) mod tests;
