//! PLACEHOLDER (owned by the attachment helper): `EncryptedFile` and its JWK.
use crate::error::Violation;
use serde_json::Value;
/// EncryptedFile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedFile {
    /// url
    pub url: String,
}
/// Parse.
pub fn parse(_v: &Value, _path: &str) -> Result<EncryptedFile, Violation> {
    todo!()
}
