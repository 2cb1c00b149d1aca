//! `shared-history-flag`: whether a session the crate makes from each structure is shareable.
//!
//! Each structure goes through the crate's own deserializer and then the crate's own
//! constructor of the `InboundGroupSession` it would store; `shared_history()` of that session
//! is the answer:
//!
//! | structure | deserializer | session |
//! |---|---|---|
//! | `m.room_key` | `RoomKeyContent` | `InboundGroupSession::from_room_key_content` |
//! | `m.forwarded_room_key` | `ForwardedRoomKeyContent` | `InboundGroupSession::from(&ForwardedMegolmV1AesSha2Content)` |
//! | `ExportedSessionData` | `ExportedRoomKey` | `InboundGroupSession::from_export` |
//! | `BackedUpSessionData` | `BackedUpRoomKey` | `ExportedRoomKey::from_backed_up_room_key`, then `from_export` |
//!
//! A structure the crate refuses to deserialise never becomes a session, so it is not shareable.
//! The crate reports no spelling; `variant` is the member the crate's serde attributes read
//! (`m.shared_history`, alias `org.matrix.msc3061.shared_history`) when exactly one of them is
//! present (none for `m.forwarded_room_key`, whose flag members the crate does not read). The
//! stable `shared_history` member is never read by this crate.

use std::ops::Deref;

use matrix_sdk_crypto::olm::{BackedUpRoomKey, ExportedRoomKey, InboundGroupSession};
use matrix_sdk_crypto::types::events::forwarded_room_key::ForwardedRoomKeyContent;
use matrix_sdk_crypto::types::events::room_key::RoomKeyContent;
use msc4268_protocol::cases::{FlagInput, FlagOutcome, FlagStructure};
use msc4268_protocol::identifiers::{
    IdentifierVariant, SHARED_HISTORY_INTEROP, SHARED_HISTORY_UNSTABLE,
};
use ruma::OwnedRoomId;
use serde_json::Value;

/// The room a backed-up key is filed under (the backup format keeps it outside the structure).
const BACKUP_ROOM: &str = "!flags:hs1.test";

/// The spelling the crate's serde attributes read, if exactly one is present.
pub(crate) fn crate_read_variant(content: &Value) -> Option<IdentifierVariant> {
    let has = |k: &str| content.get(k).is_some();
    match (has(SHARED_HISTORY_INTEROP), has(SHARED_HISTORY_UNSTABLE)) {
        (true, false) => Some(IdentifierVariant::Interop),
        (false, true) => Some(IdentifierVariant::Unstable),
        _ => None,
    }
}

/// Whether the crate makes a shareable session of the structure whose JSON text is `text` (read
/// by the crate's own deserializers, so a member named twice is the crate's to judge); `Err`
/// says why it makes none.
pub(crate) fn crate_shareable(structure: FlagStructure, text: &str) -> Result<bool, String> {
    match structure {
        FlagStructure::RoomKey => {
            let c: RoomKeyContent = serde_json::from_str(text)
                .map_err(|e| format!("RoomKeyContent deserializer: {e}"))?;
            let RoomKeyContent::MegolmV1AesSha2(c) = c else {
                return Err("m.room_key of an unknown algorithm".into());
            };
            // The creator's keys only label the session; use real, labelled ones.
            let curve = crate::keys::labelled_curve25519("matrix-sdk-crypto-adapter/flag/creator");
            let ed = crate::keys::labelled_ed25519("matrix-sdk-crypto-adapter/flag/creator");
            let s = InboundGroupSession::from_room_key_content(curve, ed, &c)
                .map_err(|e| format!("from_room_key_content: {e}"))?;
            Ok(s.shared_history())
        }
        FlagStructure::ForwardedRoomKey => {
            let c: ForwardedRoomKeyContent = serde_json::from_str(text)
                .map_err(|e| format!("ForwardedRoomKeyContent deserializer: {e}"))?;
            let ForwardedRoomKeyContent::MegolmV1AesSha2(c) = c else {
                return Err("m.forwarded_room_key of an unknown algorithm".into());
            };
            Ok(InboundGroupSession::from(c.deref()).shared_history())
        }
        FlagStructure::ExportedSessionData => {
            let k: ExportedRoomKey = serde_json::from_str(text)
                .map_err(|e| format!("ExportedRoomKey deserializer: {e}"))?;
            let s = InboundGroupSession::from_export(&k)
                .map_err(|e| format!("InboundGroupSession::from_export: {e}"))?;
            Ok(s.shared_history())
        }
        FlagStructure::BackedUpSessionData => {
            let k: BackedUpRoomKey = serde_json::from_str(text)
                .map_err(|e| format!("BackedUpRoomKey deserializer: {e}"))?;
            let session_id = matrix_sdk_crypto::vodozemac::megolm::InboundGroupSession::import(
                &k.session_key,
                matrix_sdk_crypto::vodozemac::megolm::SessionConfig::version_1(),
            )
            .session_id();
            let room: OwnedRoomId = BACKUP_ROOM
                .try_into()
                .map_err(|e: ruma::IdParseError| e.to_string())?;
            let k = ExportedRoomKey::from_backed_up_room_key(room, session_id, k);
            let s = InboundGroupSession::from_export(&k)
                .map_err(|e| format!("InboundGroupSession::from_export: {e}"))?;
            Ok(s.shared_history())
        }
    }
}

/// Reads the flag the crate's way.
pub(crate) fn read(input: &FlagInput) -> Result<FlagOutcome, String> {
    let text = match (&input.content, &input.content_text) {
        (_, Some(t)) => t.clone(),
        (Some(v), None) => serde_json::to_string(v).map_err(|e| e.to_string())?,
        (None, None) => return Err("neither `content` nor `content_text`".into()),
    };
    let shareable = crate_shareable(input.structure, &text).unwrap_or(false);
    // The crate reads no flag member of `m.forwarded_room_key` (they land in its `other` map).
    // Which spelling it read is told from the structure as serde_json reads it.
    let variant = match input.structure {
        FlagStructure::ForwardedRoomKey => None,
        _ => crate_read_variant(&input.content_value().unwrap_or(Value::Null)),
    };
    Ok(FlagOutcome { shareable, variant })
}
