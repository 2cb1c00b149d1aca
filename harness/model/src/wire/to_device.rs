//! The content of the decrypted `m.room_key_bundle` to-device event (R21, R23).
//!
//! The event type must be the stable `m.room_key_bundle` or the unstable
//! `io.element.msc4268.room_key_bundle` (R21); the spec's typo `m.room.key_bundle` (digest D2) is
//! not a bundle. The content must carry a room ID and a complete `EncryptedFile` (R23): every
//! required member of the file and of its JWK must be present (`R23`), and the members' values
//! must then pass the attachment rules ([`crate::wire::encrypted_file::parse`], `A*`). Unknown
//! content members are tolerated.

use serde_json::{Map, Value};

use crate::error::Violation;
use crate::identifiers::{self, IdentifierVariant};
use crate::json::{as_object, pointer, required, required_str};
use crate::wire::encrypted_file::{self, EncryptedFile};

/// JSON pointer of the event type in a `to-device-content` input.
const TYPE_PATH: &str = "/type";
/// JSON pointer of the content in a `to-device-content` input.
const CONTENT_PATH: &str = "/content";

/// Members an `EncryptedFile` must have.
const FILE_MEMBERS: [&str; 5] = ["url", "key", "iv", "hashes", "v"];
/// Members its JWK must have.
const JWK_MEMBERS: [&str; 5] = ["kty", "key_ops", "alg", "k", "ext"];

/// A checked bundle notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomKeyBundleContent {
    /// The room the bundle's keys belong to.
    pub room_id: String,
    /// Where the bundle is and how to decrypt it.
    pub file: EncryptedFile,
    /// Which spelling of the event type was used.
    pub event_type_variant: IdentifierVariant,
}

/// Checks a decrypted to-device event's `type` and `content`. Violations point into the
/// `{type, content}` input: `/type`, `/content/room_id`, `/content/file/key/k`, ...
pub fn parse_content(event_type: &str, content: &Value) -> Result<RoomKeyBundleContent, Violation> {
    let event_type_variant = identifiers::bundle_event_variant(event_type).ok_or_else(|| {
        Violation::new(
            "R21",
            TYPE_PATH,
            format!(
                "`{event_type}` is not a bundle event type (`{}` or `{}`)",
                identifiers::ROOM_KEY_BUNDLE,
                identifiers::ROOM_KEY_BUNDLE_UNSTABLE
            ),
        )
    })?;
    let obj = as_object(content, CONTENT_PATH, "R23")?;

    let room_id = required_str(obj, "room_id", CONTENT_PATH, "R23")?;
    if !crate::json::is_room_id(room_id) {
        return Err(Violation::new(
            "R46",
            pointer(CONTENT_PATH, "room_id"),
            format!("`room_id` must be a room ID (appendix grammar), found `{room_id}`"),
        ));
    }

    let file_path = pointer(CONTENT_PATH, "file");
    let file = required(obj, "file", CONTENT_PATH, "R23")?;
    check_complete(as_object(file, &file_path, "R23")?, &file_path)?;
    let file = encrypted_file::parse(file, &file_path)?;

    Ok(RoomKeyBundleContent {
        room_id: room_id.to_owned(),
        file,
        event_type_variant,
    })
}

/// R23's "complete file": every required member of the `EncryptedFile`, its JWK and its hashes
/// is present. Types and values are the attachment rules' business.
fn check_complete(file: &Map<String, Value>, file_path: &str) -> Result<(), Violation> {
    for member in FILE_MEMBERS {
        required(file, member, file_path, "R23")?;
    }
    let key_path = pointer(file_path, "key");
    if let Some(Value::Object(jwk)) = file.get("key") {
        for member in JWK_MEMBERS {
            required(jwk, member, &key_path, "R23")?;
        }
    }
    if let Some(Value::Object(hashes)) = file.get("hashes") {
        required(hashes, "sha256", &pointer(file_path, "hashes"), "R23")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file() -> Value {
        EncryptedFile {
            url: "mxc://hs1.test/bundle".into(),
            key: [3; 32],
            iv: [4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0],
            sha256: [5; 32],
        }
        .to_json()
    }

    #[test]
    fn both_event_types_are_bundles() {
        let content = json!({"room_id": "!r:hs1.test", "file": file()});
        let c = parse_content("m.room_key_bundle", &content).unwrap();
        assert_eq!(c.event_type_variant, IdentifierVariant::Stable);
        assert_eq!(c.file.url, "mxc://hs1.test/bundle");
        let c = parse_content("io.element.msc4268.room_key_bundle", &content).unwrap();
        assert_eq!(c.event_type_variant, IdentifierVariant::Unstable);
        let e = parse_content("m.room.key_bundle", &content).unwrap_err();
        assert_eq!((e.rule, e.path.as_str()), ("R21", "/type"));
    }

    #[test]
    fn incomplete_file_is_r23_bad_values_are_attachment_rules() {
        let mut f = file();
        f["key"].as_object_mut().unwrap().remove("k");
        let e =
            parse_content("m.room_key_bundle", &json!({"room_id": "!r", "file": f})).unwrap_err();
        assert_eq!((e.rule, e.path.as_str()), ("R23", "/content/file/key/k"));
        let mut f = file();
        f["v"] = json!("v1");
        let e =
            parse_content("m.room_key_bundle", &json!({"room_id": "!r", "file": f})).unwrap_err();
        assert_eq!((e.rule, e.path.as_str()), ("A1", "/content/file/v"));
    }
}
