//! `to_device_content`: the decrypted `m.room_key_bundle` event's `type` and `content` →
//! [`to_device::parse_content`].
//!
//! Input: a `to-device-content` fixture input, `{"type": ..., "content": ...}`; any other JSON is
//! taken as the content of a stable `m.room_key_bundle`.
//!
//! Invariants:
//! * no panic;
//! * an accepted content names a bundle event type, in the spelling reported; its `room_id` is
//!   the content's and a room ID; its file's URL is an `mxc://` URI; and the file, written
//!   canonically, reads back the same, also under the stricter sender audit;
//! * a refusal names R21, R23 or an attachment rule, and points into `/type` or `/content`.

use msc4268_model::identifiers::bundle_event_variant;
use msc4268_model::json::is_room_id;
use msc4268_model::wire::{encrypted_file, to_device};
use serde_json::Value;

use crate::{Finding, ensure};

/// Target name.
pub const NAME: &str = "to_device_content";

/// Checks the content validator on `data`.
pub fn run(data: &[u8]) -> Result<(), Finding> {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return Ok(());
    };
    let (event_type, content) = match (
        value.get("type").and_then(Value::as_str),
        value.get("content"),
    ) {
        (Some(t), Some(c)) => (t.to_owned(), c.clone()),
        _ => (
            msc4268_protocol::identifiers::ROOM_KEY_BUNDLE.to_owned(),
            value,
        ),
    };
    check(&event_type, &content, NAME)
}

/// The invariants of [`to_device::parse_content`] on one `type` and `content`; `target` names the
/// target that asks (the Olm target checks the content it carries too).
pub fn check(event_type: &str, content: &Value, target: &'static str) -> Result<(), Finding> {
    match to_device::parse_content(event_type, content) {
        Ok(c) => {
            ensure(
                bundle_event_variant(event_type) == Some(c.event_type_variant),
                target,
                "the reported event type spelling is the one seen",
                || format!("{event_type} reported as {:?}", c.event_type_variant),
            )?;
            ensure(
                is_room_id(&c.room_id)
                    && content.get("room_id").and_then(Value::as_str) == Some(&c.room_id),
                target,
                "the accepted room_id is the content's and a room ID",
                || format!("room_id {:?}", c.room_id),
            )?;
            ensure(
                encrypted_file::is_mxc(&c.file.url),
                target,
                "the accepted file URL is an mxc URI",
                || c.file.url.clone(),
            )?;
            let canonical = c.file.to_json();
            let strict = encrypted_file::parse_as_sent(&canonical, "");
            ensure(
                strict.as_ref() == Ok(&c.file),
                target,
                "the accepted file, written canonically, reads back the same",
                || format!("{strict:?}"),
            )
        }
        Err(v) => {
            let rule_ok = matches!(v.rule, "R21" | "R23" | "R46") || v.rule.starts_with('A');
            let path_ok = v.path == "/type" || v.path.starts_with("/content");
            ensure(
                rule_ok && path_ok,
                target,
                "a refusal names its rule and place",
                || v.to_string(),
            )
        }
    }
}
