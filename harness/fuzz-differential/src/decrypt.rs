//! `diff_decryptor`: the reference decryptor ([`msc4268_model::attachment::decrypt_json`])
//! against ruma's `EncryptedFile` deserializer + matrix-sdk-crypto's `AttachmentDecryptor`, as
//! the adapter drives them (the way matrix-sdk downloads the bundle).
//!
//! Input: the `decryptor` layout ([`msc4268_fuzz_logic::targets::decrypt`]): one flags byte, the
//! `EncryptedFile` JSON, `0x00`, the ciphertext. Flag bit 0 writes the ciphertext's real SHA-256
//! into `hashes.sha256` first (so the fuzzer reaches decryption); the size-limit bits are ignored
//! (both sides run with the default limit, far above any fuzz input).
//!
//! Compared: decrypted (with the same plaintext) or refused. Why a side refuses is not compared
//! (the crate names no rule).

use msc4268_fuzz_logic::targets::{decrypt::FIX_HASH, split_nul};
use msc4268_model::b64;
use msc4268_protocol::cases::{DecryptOutcome, FileDecryptionInput};
use msc4268_protocol::implementation::{Implementation, OpResult};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::known::{self, known};
use crate::sides::{REFERENCE, matrix_sdk_crypto};
use crate::{Disagreement, Verdict};

/// Target name.
pub const NAME: &str = "diff_decryptor";

/// Runs the comparison on `data`; panics on a new disagreement.
pub fn run(data: &[u8]) {
    compare(data).assert_not_new();
}

/// A side's normalised outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Normal {
    Decrypted(String),
    Refused,
    Errored(String),
}

fn normalise(r: OpResult<DecryptOutcome>) -> Normal {
    match r {
        Ok(DecryptOutcome::Decrypted { plaintext }) => Normal::Decrypted(plaintext),
        Ok(DecryptOutcome::Rejected(_)) => Normal::Refused,
        Err(e) => Normal::Errored(e.to_string()),
    }
}

fn describe(n: &Normal) -> String {
    match n {
        Normal::Decrypted(p) => format!("decrypted ({} base64 chars of plaintext)", p.len()),
        Normal::Refused => "refused".into(),
        Normal::Errored(e) => format!("errored: {e}"),
    }
}

/// The `file-decryption` input of `data`, or why it has none.
pub fn input(data: &[u8]) -> Result<FileDecryptionInput, &'static str> {
    let (&flags, rest) = data.split_first().ok_or("empty input")?;
    let (file_bytes, ciphertext) = split_nul(rest);
    let ciphertext = ciphertext.unwrap_or_default();
    let mut file: Value =
        serde_json::from_slice(file_bytes).map_err(|_| "the EncryptedFile part is not JSON")?;
    if flags & FIX_HASH != 0
        && let Some(hashes) = file.get_mut("hashes").and_then(Value::as_object_mut)
    {
        let digest: [u8; 32] = Sha256::digest(ciphertext).into();
        hashes.insert("sha256".into(), Value::String(b64::encode(digest)));
    }
    Ok(FileDecryptionInput {
        file,
        ciphertext: b64::encode_padded(ciphertext),
    })
}

/// Compares the two decryptors on `data`.
pub fn compare(data: &[u8]) -> Verdict {
    let input = match input(data) {
        Ok(i) => i,
        Err(why) => return Verdict::NotCompared(why.into()),
    };
    let reference = normalise(REFERENCE.decrypt_file(&input));
    let krate = normalise(matrix_sdk_crypto().decrypt_file(&input));
    if reference == krate {
        return Verdict::Agree;
    }
    let explained = explain(&input.file, &reference, &krate);
    match explained {
        Some(k) => Verdict::Known(vec![k]),
        None => Verdict::New(Disagreement {
            target: NAME,
            at: format!("EncryptedFile {}", input.file),
            reference: describe(&reference),
            matrix_sdk_crypto: describe(&krate),
        }),
    }
}

/// The known difference that explains the sides' outcomes on `file`, if one does.
fn explain(
    file: &Value,
    reference: &Normal,
    krate: &Normal,
) -> Option<&'static known::KnownDifference> {
    match (reference, krate) {
        (Normal::Refused, Normal::Decrypted(_)) if known::empty_media_id(file) => known("F10"),
        (Normal::Decrypted(_), Normal::Refused) if known::extra_hash_not_base64(file) => {
            known("F15")
        }
        (Normal::Refused, Normal::Decrypted(_)) | (Normal::Decrypted(_), Normal::Refused)
            if known::has_non_canonical_b64(file) =>
        {
            known("S3")
        }
        _ => None,
    }
}
