//! PLACEHOLDER (owned by the attachment helper): reference attachment crypto.
use crate::cases::Encryption;
use crate::error::Violation;
use serde_json::Value;
/// Default size limit for downloaded bundles.
pub const DEFAULT_MAX_SIZE: u64 = 64 * 1024 * 1024;
/// URL used before upload.
pub const PLACEHOLDER_URL: &str = "mxc://conformance.invalid/bundle";
/// Errors.
#[derive(Debug, thiserror::Error)]
#[error("attachment error")]
pub struct AttachmentError;
/// Decrypt.
pub fn decrypt_json(_file: &Value, _ciphertext: &[u8], _max: u64) -> Result<Vec<u8>, Violation> {
    todo!()
}
/// Encrypt.
pub fn encrypt_to_fixture(_plaintext: &[u8], _url: &str) -> Result<Encryption, AttachmentError> {
    todo!()
}
/// Audit.
pub fn audit(_plaintext: &[u8], _encryptions: &[Encryption]) -> Result<(), Violation> {
    todo!()
}
