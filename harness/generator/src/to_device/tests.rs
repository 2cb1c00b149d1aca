//! Tests of the `to-device-content` generator.

use super::*;
use crate::file_decryption::tests::run_all;
use msc4268_model::reference::Reference;
use msc4268_protocol::cases::{ToDeviceInput, ToDeviceOutcome};
use msc4268_protocol::implementation::{Implementation, ImplementationInfo, OpResult};

#[test]
fn reference_passes_every_case() {
    let (passed, failed, skipped) = run_all(&files(), &Reference);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(skipped.is_empty(), "skipped: {skipped:?}");
    assert!(passed.len() >= 45, "only {} cases", passed.len());
}

/// Accepts any type that contains `room_key_bundle` or `room.key_bundle`, and any string room ID.
struct Lenient;

impl Implementation for Lenient {
    fn info(&self) -> ImplementationInfo {
        Reference.info()
    }
    fn check_to_device(&self, input: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
        let t = &input.event_type;
        let known = t.contains("room_key_bundle") || t.contains("room.key_bundle");
        let room = input.content["room_id"].as_str();
        let url = input.content["file"]["url"].as_str();
        Ok(match (known, room, url) {
            (true, Some(r), Some(u)) => ToDeviceOutcome::Accepted {
                room_id: r.into(),
                event_type_variant: if t.starts_with("m.") {
                    IdentifierVariant::Stable
                } else {
                    IdentifierVariant::Unstable
                },
                url: u.into(),
            },
            _ => ToDeviceOutcome::Rejected(Default::default()),
        })
    }
}

/// An incomplete `file` is no longer a case that catches it: accepting the notification and
/// refusing the file at download is acceptable (catalogue decision S16).
#[test]
fn a_lenient_receiver_is_caught() {
    let (_, failed, _) = run_all(&files(), &Lenient);
    for id in [
        "spec-typo-m-room-key-bundle",
        "room-id-alias",
        "room-id-empty",
    ] {
        assert!(failed.iter().any(|f| f.contains(id)), "{id} not caught");
    }
}
