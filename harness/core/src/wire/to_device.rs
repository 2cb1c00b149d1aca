//! PLACEHOLDER (owned by the envelope helper): `m.room_key_bundle` content.
use crate::error::Violation;
use crate::identifiers::IdentifierVariant;
use crate::wire::encrypted_file::EncryptedFile;
use serde_json::Value;
/// Content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomKeyBundleContent {
    /// room
    pub room_id: String,
    /// file
    pub file: EncryptedFile,
    /// variant
    pub event_type_variant: IdentifierVariant,
}
/// Parse.
pub fn parse_content(
    _event_type: &str,
    _content: &Value,
) -> Result<RoomKeyBundleContent, Violation> {
    todo!()
}
