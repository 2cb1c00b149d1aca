//! The measured operations: each stage once per implementation, plus the machine's floor.
//!
//! Every operation returns a count that is checked against the bundle before anything is timed
//! (bytes for the crypto stages, `room_keys` entries for the others), so a benchmark of an
//! operation that failed or did less work cannot pass unnoticed.

use std::io::{Cursor, Read};

use aes::cipher::{KeyIvInit, StreamCipher};
use matrix_sdk_crypto::types::room_history::RoomKeyBundle as CrateBundle;
use matrix_sdk_crypto::{AttachmentDecryptor, AttachmentEncryptor, MediaEncryptionInfo};
use msc4268_adapter_matrix_sdk_crypto::MatrixSdkCrypto;
use msc4268_model::attachment;
use msc4268_model::reference::Reference;
use msc4268_model::wire::bundle;
use msc4268_protocol::cases::{ImportDecision, ImportOutcome};
use msc4268_protocol::implementation::{Implementation, OpResult};
use ruma::events::room::EncryptedFile as RumaFile;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::corpus::Case;

/// AES-256-CTR with a 128-bit big-endian counter, as attachments use it.
type Aes256Ctr = ctr::Ctr128BE<aes::Aes256>;

/// What an operation is run with besides the case.
#[derive(Debug)]
pub struct Context {
    /// The matrix-sdk-crypto adapter (its tokio runtime drives the crate's async API).
    pub crate_adapter: MatrixSdkCrypto,
}

/// Name of the reference implementation in results.
pub const REFERENCE: &str = "reference";
/// Name of matrix-sdk-crypto in results.
pub const MATRIX_SDK_CRYPTO: &str = "matrix-sdk-crypto";
/// Name of the floor in results.
pub const FLOOR: &str = "floor";

/// What an operation's count is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The bundle's size in bytes.
    Bytes,
    /// The bundle's `room_keys` entries.
    RoomKeys,
}

/// One measured operation.
#[derive(Debug, Clone, Copy)]
pub struct Op {
    /// Stage (`encrypt`, `decrypt`, `parse`, `decrypt+parse`, `import`, `build`, ...).
    pub stage: &'static str,
    /// Implementation ([`REFERENCE`], [`MATRIX_SDK_CRYPTO`] or [`FLOOR`]).
    pub implementation: &'static str,
    /// What the count must be.
    pub expect: Expect,
    /// Runs the operation once; `Err` says what failed.
    pub run: fn(&Context, &Case) -> Result<usize, String>,
}

/// Stage names, in report order.
pub mod stage {
    /// Attachment encryption of the bundle.
    pub const ENCRYPT: &str = "encrypt";
    /// Hash check and decryption of the download.
    pub const DECRYPT: &str = "decrypt";
    /// Reading the bundle JSON.
    pub const PARSE: &str = "parse";
    /// Decrypt and parse together: the receiving pipeline without the store.
    pub const DECRYPT_PARSE: &str = "decrypt+parse";
    /// The whole import decision, from the to-device event to the store.
    pub const IMPORT: &str = "import";
    /// Building the bundle from the inviter's store.
    pub const BUILD: &str = "build";
}

/// Every operation, in report order.
pub fn all() -> Vec<Op> {
    use Expect::*;
    use stage::*;
    vec![
        op(ENCRYPT, REFERENCE, Bytes, ref_encrypt),
        op(ENCRYPT, MATRIX_SDK_CRYPTO, Bytes, crate_encrypt),
        op(DECRYPT, REFERENCE, Bytes, ref_decrypt),
        op(DECRYPT, MATRIX_SDK_CRYPTO, Bytes, crate_decrypt),
        op(DECRYPT, FLOOR, Bytes, floor_crypto),
        op(PARSE, REFERENCE, RoomKeys, ref_parse),
        op(PARSE, MATRIX_SDK_CRYPTO, RoomKeys, crate_parse),
        op(PARSE, FLOOR, RoomKeys, floor_json),
        op(DECRYPT_PARSE, REFERENCE, RoomKeys, ref_decrypt_parse),
        op(
            DECRYPT_PARSE,
            MATRIX_SDK_CRYPTO,
            RoomKeys,
            crate_decrypt_parse,
        ),
        op(DECRYPT_PARSE, FLOOR, RoomKeys, floor_decrypt_parse),
        op(IMPORT, REFERENCE, RoomKeys, ref_import),
        op(IMPORT, MATRIX_SDK_CRYPTO, RoomKeys, crate_import),
        op(BUILD, REFERENCE, RoomKeys, ref_build),
        op(BUILD, MATRIX_SDK_CRYPTO, RoomKeys, crate_build),
    ]
}

fn op(
    stage: &'static str,
    implementation: &'static str,
    expect: Expect,
    run: fn(&Context, &Case) -> Result<usize, String>,
) -> Op {
    Op {
        stage,
        implementation,
        expect,
        run,
    }
}

impl Op {
    /// The count this operation must return on `case`.
    pub fn expected(&self, case: &Case) -> usize {
        match self.expect {
            Expect::Bytes => case.bytes(),
            Expect::RoomKeys => case.room_keys,
        }
    }
}

// -- reference -------------------------------------------------------------------------------

fn ref_encrypt(_: &Context, case: &Case) -> Result<usize, String> {
    let (_, ciphertext) =
        attachment::encrypt_with(case.file.key, case.file.iv, &case.plaintext, &case.file.url);
    Ok(ciphertext.len())
}

fn ref_decrypt(_: &Context, case: &Case) -> Result<usize, String> {
    attachment::decrypt_slice(&case.file, &case.ciphertext, attachment::DEFAULT_MAX_SIZE)
        .map(|p| p.len())
        .map_err(|e| e.to_string())
}

fn ref_parse(_: &Context, case: &Case) -> Result<usize, String> {
    bundle::parse(&case.plaintext)
        .map(|b| b.room_keys.len())
        .map_err(|v| v.to_string())
}

fn ref_decrypt_parse(_: &Context, case: &Case) -> Result<usize, String> {
    let plaintext =
        attachment::decrypt_slice(&case.file, &case.ciphertext, attachment::DEFAULT_MAX_SIZE)
            .map_err(|e| e.to_string())?;
    bundle::parse(&plaintext)
        .map(|b| b.room_keys.len())
        .map_err(|v| v.to_string())
}

fn ref_import(_: &Context, case: &Case) -> Result<usize, String> {
    imported_count(Reference.decide_import(&case.import))
}

fn ref_build(_: &Context, case: &Case) -> Result<usize, String> {
    built_keys(
        Reference
            .build_bundle(&case.build)
            .map_err(|e| e.to_string())?,
    )
}

fn built_keys(bundle: Option<Value>) -> Result<usize, String> {
    let bundle = bundle.ok_or("no bundle was built")?;
    Ok(bundle
        .get("room_keys")
        .and_then(Value::as_array)
        .map_or(0, Vec::len))
}

// -- matrix-sdk-crypto -----------------------------------------------------------------------

fn crate_encrypt(_: &Context, case: &Case) -> Result<usize, String> {
    let mut reader = Cursor::new(case.plaintext.as_slice());
    let mut encryptor = AttachmentEncryptor::new(&mut reader);
    let mut ciphertext = Vec::new();
    encryptor
        .read_to_end(&mut ciphertext)
        .map_err(|e| format!("AttachmentEncryptor: {e}"))?;
    let _info = encryptor.finish();
    Ok(ciphertext.len())
}

/// Decrypts as matrix-sdk does with a downloaded attachment (`read_to_end` into a `Vec`).
fn crate_decrypted(case: &Case) -> Result<Vec<u8>, String> {
    let file: RumaFile = serde_json::from_value(case.file_json.clone())
        .map_err(|e| format!("ruma refused the EncryptedFile: {e}"))?;
    let info: MediaEncryptionInfo = file.into();
    let mut reader = Cursor::new(case.ciphertext.as_slice());
    let mut decryptor = AttachmentDecryptor::new(&mut reader, info)
        .map_err(|e| format!("AttachmentDecryptor::new: {e}"))?;
    let mut plaintext = Vec::new();
    decryptor
        .read_to_end(&mut plaintext)
        .map_err(|e| format!("AttachmentDecryptor: {e}"))?;
    Ok(plaintext)
}

fn crate_decrypt(_: &Context, case: &Case) -> Result<usize, String> {
    crate_decrypted(case).map(|p| p.len())
}

fn crate_parsed(plaintext: &[u8]) -> Result<usize, String> {
    serde_json::from_slice::<CrateBundle>(plaintext)
        .map(|b| b.room_keys.len())
        .map_err(|e| format!("RoomKeyBundle deserializer: {e}"))
}

fn crate_parse(_: &Context, case: &Case) -> Result<usize, String> {
    crate_parsed(&case.plaintext)
}

fn crate_decrypt_parse(_: &Context, case: &Case) -> Result<usize, String> {
    crate_parsed(&crate_decrypted(case)?)
}

fn crate_import(ctx: &Context, case: &Case) -> Result<usize, String> {
    imported_count(ctx.crate_adapter.decide_import(&case.import))
}

/// The number of sessions an import decision imported; any other decision is an error.
pub fn imported_count(outcome: OpResult<ImportOutcome>) -> Result<usize, String> {
    let outcome = outcome.map_err(|e| e.to_string())?;
    if outcome.decision != ImportDecision::Imported {
        return Err(format!(
            "decision {:?}, rule {:?}",
            outcome.decision, outcome.rule
        ));
    }
    Ok(outcome.imported.len())
}

fn crate_build(ctx: &Context, case: &Case) -> Result<usize, String> {
    built_keys(
        ctx.crate_adapter
            .build_bundle(&case.build)
            .map_err(|e| e.to_string())?,
    )
}

// -- floor -----------------------------------------------------------------------------------

/// SHA-256 over the ciphertext, then AES-256-CTR over a copy of it: the least any receiver does.
fn floor_decrypted(case: &Case) -> Vec<u8> {
    let digest = Sha256::digest(&case.ciphertext);
    std::hint::black_box(digest);
    let mut plaintext = case.ciphertext.clone();
    let mut cipher = Aes256Ctr::new(&case.file.key.into(), &case.file.iv.into());
    cipher.apply_keystream(&mut plaintext);
    plaintext
}

fn floor_crypto(_: &Context, case: &Case) -> Result<usize, String> {
    Ok(floor_decrypted(case).len())
}

/// A bare `serde_json` parse into `serde_json::Value`.
fn floor_parsed(plaintext: &[u8]) -> Result<usize, String> {
    let v: Value = serde_json::from_slice(plaintext).map_err(|e| e.to_string())?;
    Ok(v.get("room_keys")
        .and_then(Value::as_array)
        .map_or(0, Vec::len))
}

fn floor_json(_: &Context, case: &Case) -> Result<usize, String> {
    floor_parsed(&case.plaintext)
}

fn floor_decrypt_parse(_: &Context, case: &Case) -> Result<usize, String> {
    floor_parsed(&floor_decrypted(case))
}
