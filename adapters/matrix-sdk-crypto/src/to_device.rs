//! `to-device-content`: the decrypted `m.room_key_bundle` event as the crate reads it.
//!
//! The crate's Olm layer (`types/events/olm_v1.rs`) turns a decrypted event into
//! `AnyDecryptedOlmEvent::RoomKeyBundle` when its type is `RoomKeyBundleContent::EVENT_TYPE` or
//! `RoomKeyBundleContent::UNSTABLE_EVENT_TYPE` (0.16: only `EVENT_TYPE`, which is the unstable
//! type there; `compat::bundle_event_types`), deserialising the content as
//! `RoomKeyBundleContent`. Any other type is a different event: no bundle is recorded.

use matrix_sdk_crypto::types::events::room_key_bundle::RoomKeyBundleContent;
use msc4268_protocol::cases::{Rejection, ToDeviceOutcome};
use serde_json::Value;

fn rejected(reason: String) -> ToDeviceOutcome {
    ToDeviceOutcome::Rejected(Rejection {
        rule: None,
        path: None,
        reason,
    })
}

/// Classifies the event type with the crate's constants and deserialises the content.
pub(crate) fn check(event_type: &str, content: &Value) -> ToDeviceOutcome {
    let Some(variant) = crate::compat::bundle_event_types()
        .into_iter()
        .find_map(|(t, variant)| (t == event_type).then_some(variant))
    else {
        return rejected(format!(
            "`{event_type}` is not a type the crate reads as a room key bundle"
        ));
    };
    match serde_json::from_value::<RoomKeyBundleContent>(content.clone()) {
        Ok(c) => ToDeviceOutcome::Accepted {
            room_id: c.room_id.to_string(),
            event_type_variant: variant,
            url: c.file.url.to_string(),
        },
        Err(e) => rejected(format!("RoomKeyBundleContent deserializer: {e}")),
    }
}
