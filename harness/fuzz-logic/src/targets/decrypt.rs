//! `decryptor`: an `EncryptedFile` JSON and downloaded bytes → [`attachment::decrypt_json`].
//!
//! Input layout: one flags byte, the `EncryptedFile` JSON, a `0x00` byte, the ciphertext. Flags:
//! bit 0 asks the target to write the SHA-256 of the ciphertext into `hashes.sha256` before
//! decrypting (so the fuzzer reaches the decryption path at all), bits 1–2 choose the size limit
//! ([`LIMITS`]).
//!
//! Invariants:
//! * no panic;
//! * plaintext is released only if the `EncryptedFile` reads as a receiver must, the download is
//!   within the limit, and the SHA-256 of the ciphertext is `hashes.sha256` (R38) — checked against
//!   an independent hash here, so a decryptor that skipped the check would be caught;
//! * the plaintext re-encrypts to the ciphertext with the file's key and IV (AES-256-CTR is its own
//!   inverse);
//! * every refusal names the rule of its cause: R38 for a hash mismatch, R39 for a download over
//!   the limit;
//! * memory and reads are bounded: given an endless download, the decryptor stops after reading at
//!   most `limit + 1` bytes.

use std::io::Read;

use msc4268_model::attachment::{self, DecryptError};
use msc4268_model::b64;
use msc4268_model::wire::encrypted_file;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::split_nul;
use crate::{Finding, ensure};

/// Target name.
pub const NAME: &str = "decryptor";

/// The size limits the flags byte chooses from.
pub const LIMITS: [u64; 4] = [0, 16, 1024, attachment::DEFAULT_MAX_SIZE];

/// Flag: write the ciphertext's real SHA-256 into `hashes.sha256`.
pub const FIX_HASH: u8 = 1;

/// Builds a `decryptor` input.
pub fn input(flags: u8, file: &Value, ciphertext: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(file.to_string().as_bytes());
    out.push(0);
    out.extend_from_slice(ciphertext);
    out
}

/// A reader that counts what it hands out, endless or over a slice.
struct Counting<'a> {
    data: Option<&'a [u8]>,
    read: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = match &mut self.data {
            Some(d) => {
                let n = d.len().min(buf.len());
                buf[..n].copy_from_slice(&d[..n]);
                *d = &d[n..];
                n
            }
            None => {
                buf.fill(0xa5);
                buf.len()
            }
        };
        self.read += n as u64;
        Ok(n)
    }
}

/// Checks the decryptor on `data`.
pub fn run(data: &[u8]) -> Result<(), Finding> {
    let Some((&flags, rest)) = data.split_first() else {
        return Ok(());
    };
    let (file_bytes, ciphertext) = split_nul(rest);
    let ciphertext = ciphertext.unwrap_or_default();
    let Ok(mut file) = serde_json::from_slice::<Value>(file_bytes) else {
        return Ok(());
    };
    let digest: [u8; 32] = Sha256::digest(ciphertext).into();
    if flags & FIX_HASH != 0
        && let Some(hashes) = file.get_mut("hashes").and_then(Value::as_object_mut)
    {
        hashes.insert("sha256".into(), Value::String(b64::encode(digest)));
    }
    let max = LIMITS[usize::from((flags >> 1) & 3)];

    let result = attachment::decrypt_json(&file, ciphertext, max);
    let parsed = encrypted_file::parse(&file, "");
    match (&result, &parsed) {
        (Ok(plaintext), Ok(f)) => {
            ensure(
                f.sha256 == digest,
                NAME,
                "plaintext only after the hash matched",
                || {
                    "decrypt_json released plaintext for a ciphertext whose SHA-256 is not hashes.sha256"
                    .into()
                },
            )?;
            ensure(
                ciphertext.len() as u64 <= max,
                NAME,
                "the size limit holds",
                || {
                    format!(
                        "{} bytes decrypted under a limit of {max}",
                        ciphertext.len()
                    )
                },
            )?;
            let (_, again) = attachment::encrypt_with(f.key, f.iv, plaintext, &f.url);
            ensure(
                again == ciphertext,
                NAME,
                "plaintext re-encrypts to the ciphertext",
                || format!("{} plaintext bytes do not re-encrypt", plaintext.len()),
            )?;
        }
        (Ok(_), Err(v)) => {
            return Err(Finding::new(
                NAME,
                "plaintext only for a well-formed file",
                format!("decrypted although the file breaks {v}"),
            ));
        }
        (Err(e), Err(v)) => {
            ensure(
                e == v,
                NAME,
                "a malformed file is refused for its own rule",
                || format!("decrypt_json said {e}, encrypted_file::parse said {v}"),
            )?;
        }
        (Err(e), Ok(f)) => {
            let too_large = ciphertext.len() as u64 > max;
            let want = if too_large {
                "R39"
            } else if f.sha256 != digest {
                "R38"
            } else {
                return Err(Finding::new(
                    NAME,
                    "a well-formed file with a matching hash decrypts",
                    format!("refused with {e}"),
                ));
            };
            ensure(e.rule == want, NAME, "a refusal names its cause", || {
                format!("expected {want}, got {e}")
            })?;
        }
    }

    if let Ok(f) = &parsed {
        // Bounded reads: an endless download stops at limit + 1 bytes.
        let limit = max.min(4096);
        let mut endless = Counting {
            data: None,
            read: 0,
        };
        let e = attachment::decrypt(f, &mut endless, limit);
        ensure(
            matches!(e, Err(DecryptError::TooLarge { .. })),
            NAME,
            "an endless download is refused as too large",
            || format!("got {e:?}"),
        )?;
        ensure(endless.read <= limit + 1, NAME, "reads are bounded", || {
            format!("read {} bytes under a limit of {limit}", endless.read)
        })?;
        let mut counted = Counting {
            data: Some(ciphertext),
            read: 0,
        };
        let streamed = attachment::decrypt(f, &mut counted, max);
        ensure(
            counted.read <= max.saturating_add(1),
            NAME,
            "reads are bounded",
            || format!("read {} bytes under a limit of {max}", counted.read),
        )?;
        ensure(
            streamed.as_ref().ok() == result.as_ref().ok(),
            NAME,
            "streamed and in-memory decryption agree",
            || "attachment::decrypt and decrypt_json disagree".into(),
        )?;
    }
    Ok(())
}
