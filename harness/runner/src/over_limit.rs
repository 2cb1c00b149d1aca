//! The `file-decryption` cases the harness makes at run time from an implementation's declared
//! download limit ([`OverLimitInput`]): a real bundle file (AES-256-CTR, correct SHA-256) whose
//! ciphertext is `limit + n` bytes, so that only its size can refuse it.
//!
//! The file is made once per size and kept (a 64 MiB limit means a 64 MiB file, which every
//! implementation of a run and every mutant of the self-test would otherwise make again).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use msc4268_model::{attachment, b64};
use msc4268_protocol::cases::{FileDecryptionInput, OverLimitInput};
use msc4268_protocol::implementation::{Implementation, OpError};

/// The URL of the made file (the case is about the size, not the URL).
const URL: &str = "mxc://conformance.invalid/over-declared-limit";

/// The files made so far, by ciphertext size.
fn made() -> &'static Mutex<BTreeMap<u64, Arc<FileDecryptionInput>>> {
    static MADE: OnceLock<Mutex<BTreeMap<u64, Arc<FileDecryptionInput>>>> = OnceLock::new();
    MADE.get_or_init(Mutex::default)
}

/// The concrete input of `case` for `imp`, or why `imp` cannot have it (no declared limit: the
/// case is skipped; a size this machine cannot hold: errored).
pub fn input_for(
    imp: &dyn Implementation,
    case: &OverLimitInput,
) -> Result<Arc<FileDecryptionInput>, OpError> {
    let Some(limit) = imp.limits().max_download_bytes else {
        return Err(OpError::Unsupported(format!(
            "{} declares no `max_download_bytes` limit (start reply `limits`), so no file can be made {} byte(s) over it",
            imp.info().name,
            case.bytes_over_declared_limit
        )));
    };
    let size = limit
        .checked_add(case.bytes_over_declared_limit)
        .ok_or_else(|| {
            OpError::Errored(format!("the declared limit {limit} leaves no larger size"))
        })?;
    let mut cache = made().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(input) = cache.get(&size) {
        return Ok(input.clone());
    }
    let len = usize::try_from(size).map_err(|_| {
        OpError::Errored(format!(
            "a file of {size} bytes does not fit in memory here"
        ))
    })?;
    // Zero bytes, encrypted under a key and IV fixed for the size: reproducible across runs.
    let seed = |what: &str| msc4268_model::material::seed(&format!("over-limit/{what}/{size}"));
    let key = seed("key");
    let mut iv = [0u8; 16];
    iv[..8].copy_from_slice(&seed("iv")[..8]);
    let (file, ciphertext) = attachment::encrypt_with(key, iv, &vec![0u8; len], URL);
    let input = Arc::new(FileDecryptionInput {
        file: file.to_json(),
        ciphertext: b64::encode_padded(ciphertext),
    });
    // Only the newest file is kept: a run has one limit per implementation.
    cache.clear();
    cache.insert(size, input.clone());
    Ok(input)
}
