//! `file-decryption` and `file-encryption`: ruma's `EncryptedFile` and the crate's attachment
//! helpers, exactly as matrix-sdk uses them for the bundle blob (`media.rs`,
//! `encryption/futures.rs`).

use std::io::{Cursor, Read};

use matrix_sdk_crypto::{AttachmentDecryptor, AttachmentEncryptor, MediaEncryptionInfo};
use msc4268_protocol::cases::{DecryptOutcome, Encryption, PLACEHOLDER_URL, Rejection};
use ruma::OwnedMxcUri;
use ruma::events::room::EncryptedFile;
use serde_json::Value;

use crate::error::AdapterError;

fn rejected(reason: String) -> DecryptOutcome {
    DecryptOutcome::Rejected(Rejection {
        rule: None,
        path: None,
        reason,
    })
}

/// Deserialises the `EncryptedFile` with ruma, then decrypts with `AttachmentDecryptor` (which
/// checks the SHA-256 at the end of the stream).
pub(crate) fn decrypt(file: &Value, ciphertext: &[u8]) -> DecryptOutcome {
    let file: EncryptedFile = match serde_json::from_value(file.clone()) {
        Ok(f) => f,
        Err(e) => return rejected(format!("ruma refused the EncryptedFile: {e}")),
    };
    // matrix-sdk downloads by the URI's server name and media ID (ruma's `MxcUri::parts`); a URI
    // without them cannot be fetched, so nothing is decrypted.
    if let Err(e) = file.url.validate() {
        return rejected(format!("the mxc URI cannot be downloaded: {e}"));
    }
    let info: MediaEncryptionInfo = file.into();
    let mut reader = Cursor::new(ciphertext);
    let mut decryptor = match AttachmentDecryptor::new(&mut reader, info) {
        Ok(d) => d,
        Err(e) => return rejected(format!("AttachmentDecryptor::new: {e}")),
    };
    let mut plaintext = Vec::new();
    match decryptor.read_to_end(&mut plaintext) {
        Ok(_) => DecryptOutcome::Decrypted {
            plaintext: crate::keys::padded_base64(plaintext),
        },
        Err(e) => rejected(format!("AttachmentDecryptor: {e}")),
    }
}

/// Encrypts with `AttachmentEncryptor` and builds the `EncryptedFile` as matrix-sdk does
/// (`EncryptedFile::new(url, info.encryption_info, info.hashes)`), with the placeholder URL.
pub(crate) fn encrypt(plaintext: &[u8]) -> Result<Encryption, AdapterError> {
    let (file, ciphertext) = encrypt_file(plaintext, PLACEHOLDER_URL)?;
    Ok(Encryption {
        file: serde_json::to_value(&file)
            .map_err(|e| AdapterError::json("serialising the EncryptedFile", e))?,
        ciphertext: crate::keys::padded_base64(ciphertext),
    })
}

/// Encrypts `plaintext` as an attachment at `url`; returns ruma's `EncryptedFile` and the bytes.
pub(crate) fn encrypt_file(
    plaintext: &[u8],
    url: &str,
) -> Result<(EncryptedFile, Vec<u8>), AdapterError> {
    let mut reader = Cursor::new(plaintext);
    let mut encryptor = AttachmentEncryptor::new(&mut reader);
    let mut ciphertext = Vec::new();
    encryptor
        .read_to_end(&mut ciphertext)
        .map_err(|e| AdapterError::krate("AttachmentEncryptor", e))?;
    let info = encryptor.finish();
    let url = OwnedMxcUri::from(url);
    Ok((crate::compat::encrypted_file(url, info), ciphertext))
}
