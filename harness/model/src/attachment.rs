//! Reference attachment crypto (`EncryptedFile` `v2`): AES-256-CTR with a 128-bit big-endian
//! counter, SHA-256 over the ciphertext, and the auditor of a sender's encryptions.
//!
//! * [`decrypt`] streams the download: it hashes the ciphertext as it reads, refuses anything
//!   longer than the size limit after reading at most one byte more than the limit, and releases
//!   plaintext only after the hash matched (R38).
//! * [`encrypt_with`] is deterministic (fixture generation); [`encrypt`] draws a fresh
//!   key and IV from the operating system (A10), with the IV's low 64 bits zero (A11).
//! * [`audit`] judges what a sender produced: R17 and A1–A12.

use std::collections::BTreeMap;
use std::io::Read;

use aes::cipher::{KeyIvInit, StreamCipher};
use sha2::{Digest, Sha256};

use crate::error::Violation;
use crate::json::pointer;
use crate::wire::encrypted_file::{self, EncryptedFile, IV_LEN, KEY_LEN};

/// AES-256 in CTR mode with a 128-bit big-endian counter over the whole block (A9).
type Aes256Ctr = ctr::Ctr128BE<aes::Aes256>;

/// Default size limit for downloaded bundles (64 MiB).
pub const DEFAULT_MAX_SIZE: u64 = 64 * 1024 * 1024;

/// The `mxc://` URL an encryption carries before it is uploaded.
pub const PLACEHOLDER_URL: &str = "mxc://conformance.invalid/bundle";

/// One encryption as a sender hands it over: the `EncryptedFile` JSON it sends, and the bytes it
/// uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedAttachment {
    /// The `EncryptedFile` JSON, as sent (its `url` may be a placeholder until uploaded).
    pub file: serde_json::Value,
    /// The uploaded ciphertext.
    pub ciphertext: Vec<u8>,
}

/// Why an encryption could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
}

/// Why a download was not decrypted.
#[derive(Debug, thiserror::Error)]
pub enum DecryptError {
    /// The download is longer than the size limit (only `max_size + 1` bytes were read).
    #[error("the download is larger than the limit of {max_size} bytes")]
    TooLarge {
        /// The limit.
        max_size: u64,
    },
    /// Reading the download failed.
    #[error("reading the download failed: {0}")]
    Read(#[from] std::io::Error),
    /// The SHA-256 of the ciphertext is not `hashes.sha256`; no plaintext was produced.
    #[error("the SHA-256 of the ciphertext does not match `hashes.sha256`")]
    HashMismatch,
}

impl DecryptError {
    /// The rule violation this failure is, pointing into the `EncryptedFile` at `file_path`.
    ///
    /// A hash mismatch breaks R38; a download that is too large or cannot be read is a failed
    /// download, which R39 asks receivers to give up on gracefully.
    pub fn to_violation(&self, file_path: &str) -> Violation {
        match self {
            DecryptError::HashMismatch => Violation::new(
                "R38",
                pointer(&pointer(file_path, "hashes"), "sha256"),
                self.to_string(),
            ),
            DecryptError::TooLarge { .. } | DecryptError::Read(_) => {
                Violation::new("R39", file_path, self.to_string())
            }
        }
    }
}

/// Applies the AES-256-CTR keystream for `key` and initial counter block `iv` to `data`.
fn apply_keystream(key: &[u8; KEY_LEN], iv: &[u8; IV_LEN], data: &mut [u8]) {
    let mut cipher = Aes256Ctr::new(&(*key).into(), &(*iv).into());
    cipher.apply_keystream(data);
}

/// SHA-256 of `data`.
fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Compares two digests without an early exit.
fn digests_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads, checks and decrypts a download.
///
/// Reads at most `max_size + 1` bytes from `reader`, hashing them as they arrive; a download
/// longer than `max_size` is refused without reading the rest. The keystream is applied only after
/// the SHA-256 of the whole ciphertext matched `file.sha256`, so no plaintext exists before the
/// check (R38).
pub fn decrypt(
    file: &EncryptedFile,
    reader: impl Read,
    max_size: u64,
) -> Result<Vec<u8>, DecryptError> {
    let mut limited = reader.take(max_size.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = match limited.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let read = &chunk[..n];
        if (buffer.len() as u64).saturating_add(n as u64) > max_size {
            return Err(DecryptError::TooLarge { max_size });
        }
        hasher.update(read);
        buffer.extend_from_slice(read);
    }
    let digest: [u8; 32] = hasher.finalize().into();
    if !digests_equal(&digest, &file.sha256) {
        return Err(DecryptError::HashMismatch);
    }
    apply_keystream(&file.key, &file.iv, &mut buffer);
    Ok(buffer)
}

/// [`decrypt`] for a download already in memory: the same checks and results, without the
/// growing read buffer. The SHA-256 is checked over `ciphertext` in place, then the plaintext is
/// made in one buffer of exactly the ciphertext's size (no plaintext exists before the check).
pub fn decrypt_slice(
    file: &EncryptedFile,
    ciphertext: &[u8],
    max_size: u64,
) -> Result<Vec<u8>, DecryptError> {
    if ciphertext.len() as u64 > max_size {
        return Err(DecryptError::TooLarge { max_size });
    }
    if !digests_equal(&sha256(ciphertext), &file.sha256) {
        return Err(DecryptError::HashMismatch);
    }
    let mut plaintext = ciphertext.to_vec();
    apply_keystream(&file.key, &file.iv, &mut plaintext);
    Ok(plaintext)
}

/// Checks the `EncryptedFile` JSON `file` as a receiver ([`encrypted_file::parse`]), then checks
/// and decrypts `ciphertext` ([`decrypt`]). Violations point into `file`.
pub fn decrypt_json(
    file: &serde_json::Value,
    ciphertext: &[u8],
    max: u64,
) -> Result<Vec<u8>, Violation> {
    let parsed = encrypted_file::parse(file, "")?;
    decrypt_slice(&parsed, ciphertext, max).map_err(|e| e.to_violation(""))
}

/// Encrypts `plaintext` with the given key and IV, deterministically, and describes the result
/// as an `EncryptedFile` at `url` with the SHA-256 of the ciphertext.
pub fn encrypt_with(
    key: [u8; KEY_LEN],
    iv: [u8; IV_LEN],
    plaintext: &[u8],
    url: &str,
) -> (EncryptedFile, Vec<u8>) {
    let mut ciphertext = plaintext.to_vec();
    apply_keystream(&key, &iv, &mut ciphertext);
    let file = EncryptedFile {
        url: url.to_owned(),
        key,
        iv,
        sha256: sha256(&ciphertext),
    };
    (file, ciphertext)
}

/// Encrypts `plaintext` as a conformant sender does: a fresh random key, an IV of 8 random bytes
/// followed by 8 zero bytes, the canonical `EncryptedFile` JSON at `url`.
pub fn encrypt(plaintext: &[u8], url: &str) -> Result<EncryptedAttachment, AttachmentError> {
    let mut key = [0u8; KEY_LEN];
    let mut iv = [0u8; IV_LEN];
    getrandom::fill(&mut key).map_err(|e| AttachmentError::Random(e.to_string()))?;
    getrandom::fill(&mut iv[..8]).map_err(|e| AttachmentError::Random(e.to_string()))?;
    let (file, ciphertext) = encrypt_with(key, iv, plaintext, url);
    Ok(EncryptedAttachment {
        file: file.to_json(),
        ciphertext,
    })
}

/// Audits encryptions of `plaintext` a sender produced (R17, A1–A12).
///
/// Each `file` must be a canonical sender's `EncryptedFile` ([`encrypted_file::parse_as_sent`]);
/// its IV's low 64 bits must be zero (A11); `hashes.sha256` must be the SHA-256 of the ciphertext
/// (R17); the ciphertext must decrypt to `plaintext` with a 128-bit big-endian counter (A9); and
/// across all encryptions no key and no IV may repeat (A10). Violations point into the audit
/// input: `/encryptions/<i>/file/...` or `/encryptions/<i>/ciphertext`.
pub fn audit(plaintext: &[u8], encryptions: &[EncryptedAttachment]) -> Result<(), Violation> {
    let mut keys: BTreeMap<[u8; KEY_LEN], usize> = BTreeMap::new();
    let mut ivs: BTreeMap<[u8; IV_LEN], usize> = BTreeMap::new();
    for (i, enc) in encryptions.iter().enumerate() {
        let base = pointer("/encryptions", i);
        let file_path = pointer(&base, "file");
        let file = encrypted_file::parse_as_sent(&enc.file, &file_path)?;
        if file.iv[8..].iter().any(|b| *b != 0) {
            return Err(Violation::new(
                "A11",
                pointer(&file_path, "iv"),
                "the low 64 bits (last 8 bytes) of the IV must be zero",
            ));
        }
        if !digests_equal(&sha256(&enc.ciphertext), &file.sha256) {
            return Err(Violation::new(
                "R17",
                pointer(&pointer(&file_path, "hashes"), "sha256"),
                "`hashes.sha256` is not the SHA-256 of the uploaded ciphertext",
            ));
        }
        let mut decrypted = enc.ciphertext.clone();
        apply_keystream(&file.key, &file.iv, &mut decrypted);
        if decrypted != plaintext {
            return Err(Violation::new(
                "A9",
                pointer(&base, "ciphertext"),
                "the ciphertext does not decrypt to the plaintext with AES-256-CTR and a 128-bit big-endian counter",
            ));
        }
        if let Some(j) = keys.insert(file.key, i) {
            return Err(Violation::new(
                "A10",
                pointer(&pointer(&file_path, "key"), "k"),
                format!("the key of encryption {i} was already used by encryption {j}"),
            ));
        }
        if let Some(j) = ivs.insert(file.iv, i) {
            return Err(Violation::new(
                "A10",
                pointer(&file_path, "iv"),
                format!("the IV of encryption {i} was already used by encryption {j}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// NIST SP 800-38A, F.5.5 CTR-AES256.Encrypt. The initial counter block ends in `...feff`, so
    /// the second block already carries between bytes of the counter.
    #[test]
    fn nist_sp800_38a_ctr_aes256() {
        let key: [u8; 32] = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
            .try_into()
            .unwrap();
        let iv: [u8; 16] = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff").try_into().unwrap();
        let plaintext = hex(concat!(
            "6bc1bee22e409f96e93d7e117393172a",
            "ae2d8a571e03ac9c9eb76fac45af8e51",
            "30c81c46a35ce411e5fbc1191a0a52ef",
            "f69f2445df4f9b17ad2b417be66c3710"
        ));
        let expected = hex(concat!(
            "601ec313775789a5b7a7f504bbf3d228",
            "f443e3ca4d62b59aca84e990cacaf5c5",
            "2b0930daa23de94ce87017ba2d84988d",
            "dfc9c58db67aada613c2dd08457941a6"
        ));
        let (file, ciphertext) = encrypt_with(key, iv, &plaintext, "mxc://a/b");
        assert_eq!(ciphertext, expected);
        assert_eq!(decrypt(&file, &ciphertext[..], 64).unwrap(), plaintext);
    }

    #[test]
    fn counter_carries_into_the_high_half() {
        let key = [7u8; 32];
        let mut iv = [0u8; 16];
        iv[8..].copy_from_slice(&u64::MAX.to_be_bytes());
        let (_, whole) = encrypt_with(key, iv, &[0u8; 32], "mxc://a/b");
        // The second block's counter is the IV plus one, carried into byte 7.
        let mut next = [0u8; 16];
        next[7] = 1;
        let (_, second) = encrypt_with(key, next, &[0u8; 16], "mxc://a/b");
        assert_eq!(&whole[16..], &second[..]);
    }

    #[test]
    fn size_limit_reads_at_most_one_byte_more() {
        struct Counting<'a>(&'a mut usize);
        impl Read for Counting<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                *self.0 += buf.len();
                buf.fill(0);
                Ok(buf.len())
            }
        }
        let (file, _) = encrypt_with([1; 32], [0; 16], b"", "mxc://a/b");
        let mut read = 0usize;
        let e = decrypt(&file, Counting(&mut read), 100).unwrap_err();
        assert!(matches!(e, DecryptError::TooLarge { max_size: 100 }));
        assert!(read <= 101, "read {read} bytes");
        assert_eq!(e.to_violation("").rule, "R39");
    }

    #[test]
    fn decrypt_slice_agrees_with_the_streaming_decrypt() {
        let plaintext = crate::material::bytes("decrypt-slice/plaintext", 40_000);
        let (file, ciphertext) = encrypt_with([7; 32], [9; 16], &plaintext, PLACEHOLDER_URL);
        assert_eq!(
            decrypt_slice(&file, &ciphertext, DEFAULT_MAX_SIZE).unwrap(),
            plaintext
        );
        assert_eq!(
            decrypt(&file, ciphertext.as_slice(), DEFAULT_MAX_SIZE).unwrap(),
            plaintext
        );
        let limit = ciphertext.len() as u64 - 1;
        assert!(matches!(
            decrypt_slice(&file, &ciphertext, limit),
            Err(DecryptError::TooLarge { .. })
        ));
        assert!(matches!(
            decrypt(&file, ciphertext.as_slice(), limit),
            Err(DecryptError::TooLarge { .. })
        ));
        assert!(decrypt_slice(&file, &ciphertext, ciphertext.len() as u64).is_ok());
        let mut tampered = ciphertext.clone();
        tampered[123] ^= 1;
        assert!(matches!(
            decrypt_slice(&file, &tampered, DEFAULT_MAX_SIZE),
            Err(DecryptError::HashMismatch)
        ));
        assert!(matches!(
            decrypt(&file, tampered.as_slice(), DEFAULT_MAX_SIZE),
            Err(DecryptError::HashMismatch)
        ));
    }

    #[test]
    fn hash_mismatch_yields_no_plaintext() {
        let (file, mut ciphertext) = encrypt_with([1; 32], [2; 16], b"secret", "mxc://a/b");
        ciphertext[0] ^= 1;
        let e = decrypt(&file, &ciphertext[..], DEFAULT_MAX_SIZE).unwrap_err();
        assert!(matches!(e, DecryptError::HashMismatch));
        let v = e.to_violation("/content/file");
        assert_eq!(
            (v.rule, v.path.as_str()),
            ("R38", "/content/file/hashes/sha256")
        );
    }

    #[test]
    fn fresh_encryptions_pass_the_audit() {
        let a = encrypt(b"bundle", PLACEHOLDER_URL).unwrap();
        let b = encrypt(b"bundle", PLACEHOLDER_URL).unwrap();
        audit(b"bundle", &[a.clone(), b]).unwrap();
        let e = audit(b"bundle", &[a.clone(), a]).unwrap_err();
        assert_eq!(e.rule, "A10");
    }
}
