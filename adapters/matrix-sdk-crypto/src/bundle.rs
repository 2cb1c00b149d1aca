//! `bundle-parsing`: the decrypted bundle as matrix-sdk-crypto reads and uses it.
//!
//! The whole bundle goes through the crate's `RoomKeyBundle` deserializer, as matrix-sdk does
//! (`serde_json::from_slice` in `shared_room_history.rs`); a deserialisation error is a rejection
//! of the whole bundle. Entries are then judged by what `Store::receive_room_key_bundle` does
//! with them: a key is accepted when `HistoricRoomKey::try_into_inbound_group_session` makes a
//! session of it (the index reported is that session's first known index, the session ID the
//! one the crate records); a withheld entry is accepted when it is a Megolm entry with a room
//! and session ID (the crate skips the others). Entries the crate would not use are `skipped`.

use matrix_sdk_crypto::olm::SenderData;
use matrix_sdk_crypto::types::events::room_key_withheld::RoomKeyWithheldContent;
use matrix_sdk_crypto::types::room_history::RoomKeyBundle;
use msc4268_protocol::cases::{
    BundleParseOutcome, KeySummary, Rejection, SkippedEntry, WithheldSummary,
};
use msc4268_protocol::identifiers::{
    HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, IdentifierVariant,
};
use ruma::{device_id, user_id};
use serde_json::Value;

use crate::compat::{Forwarder, bundle_session};
use crate::error::AdapterError;

/// The forwarder the parse-only path hands to `try_into_inbound_group_session` (it only
/// labels the sessions; nothing is stored).
fn parse_forwarder() -> Result<Forwarder, AdapterError> {
    let master = crate::keys::labelled_ed25519("matrix-sdk-crypto-adapter/parse-forwarder/master");
    let sender = SenderData::sender_unverified(
        user_id!("@forwarder:adapter.invalid"),
        device_id!("FORWARDER"),
        master,
    );
    crate::compat::forwarder(&sender)
        .ok_or_else(|| AdapterError::Input("a SenderUnverified forwarder must convert".into()))
}

/// The code the crate understood, by its spec name (`compat::withheld_code_name`), and which
/// spelling the input used.
pub(crate) fn withheld_code(
    content: &RoomKeyWithheldContent,
    raw_code: Option<&str>,
) -> (String, Option<IdentifierVariant>) {
    let code = crate::compat::withheld_code_name(content.withheld_code());
    let variant = match raw_code {
        Some(HISTORY_NOT_SHARED) => Some(IdentifierVariant::Stable),
        Some(HISTORY_NOT_SHARED_UNSTABLE) => Some(IdentifierVariant::Unstable),
        _ => None,
    };
    (code, variant)
}

/// Parses `bytes` with the crate and reports what it would use.
pub(crate) fn parse(bytes: &[u8]) -> Result<BundleParseOutcome, AdapterError> {
    let bundle: RoomKeyBundle = match serde_json::from_slice(bytes) {
        Ok(b) => b,
        Err(e) => {
            return Ok(BundleParseOutcome::Rejected(Rejection {
                rule: None,
                path: None,
                reason: format!("RoomKeyBundle deserializer: {e}"),
            }));
        }
    };
    // The crate accepted it, so it is JSON; the raw value only tells which code spelling was used.
    let raw: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let forwarder = parse_forwarder()?;
    let mut room_keys = Vec::new();
    let mut skipped = Vec::new();
    for (i, key) in bundle.room_keys.iter().enumerate() {
        let source = format!("/room_keys/{i}");
        match bundle_session(key, &forwarder) {
            Ok(session) => room_keys.push(KeySummary {
                source,
                room_id: key.room_id.to_string(),
                session_id: session.session_id().to_owned(),
                first_known_index: session.first_known_index(),
            }),
            Err(reason) => skipped.push(SkippedEntry {
                source,
                rule: None,
                reason,
            }),
        }
    }
    let mut withheld = Vec::new();
    for (i, w) in bundle.withheld.iter().enumerate() {
        let source = format!("/withheld/{i}");
        let raw_code = raw
            .pointer(&format!("{source}/code"))
            .and_then(Value::as_str);
        match w {
            RoomKeyWithheldContent::MegolmV1AesSha2(c) => match (c.room_id(), c.session_id()) {
                (Some(room_id), Some(session_id)) => {
                    let (code, code_variant) = withheld_code(w, raw_code);
                    withheld.push(WithheldSummary {
                        source,
                        room_id: Some(room_id.to_string()),
                        session_id: Some(session_id.to_owned()),
                        code,
                        code_variant,
                    });
                }
                _ => skipped.push(SkippedEntry {
                    source,
                    rule: None,
                    reason:
                        "receive_room_key_bundle skips withheld entries without room and session ID"
                            .into(),
                }),
            },
            RoomKeyWithheldContent::Unknown(_) => skipped.push(SkippedEntry {
                source,
                rule: None,
                reason: "the crate reads it as an unknown withheld content (unknown algorithm or code) and receive_room_key_bundle skips it"
                    .into(),
            }),
        }
    }
    Ok(BundleParseOutcome::Parsed {
        room_keys,
        withheld,
        skipped,
    })
}
