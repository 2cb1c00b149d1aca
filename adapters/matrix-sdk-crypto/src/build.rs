//! `bundle-building`: a real inviter `OlmMachine` (memory store) holding the fixture's sessions,
//! then `Store::build_room_key_bundle`.
//!
//! Each session enters the store by the route its origin names, so that the crate itself decides
//! the `shared_history` flag:
//!
//! | origin | route |
//! |---|---|
//! | `own` | the crate creates an own session in a scratch `OlmMachine` (`share_room_key` with `EncryptionSettings { history_visibility }`; no visibility event: the settings' default, `shared`, which is also matrix-sdk-base's default); the flag the crate gave it is carried onto the fixture's session, imported as an `ExportedRoomKey` |
//! | `room_key` | the crate's `RoomKeyContent` deserializer and `InboundGroupSession::from_room_key_content` read the flag members (with a fresh real Megolm session key: a direct `m.room_key` of the fixture's session would need its creator's Megolm signing key, which the fixture does not carry); the fixture's session is imported with that flag |
//! | `key_backup` | `BackedUpRoomKey` deserializer on the fixture's session plus the flag members, `ExportedRoomKey::from_backed_up_room_key`, `import_room_keys` with a backup version |
//! | `key_export` | `ExportedRoomKey` deserializer on the fixture's session plus the flag members, `import_exported_room_keys` |
//! | `room_key_bundle` | `receive_room_key_bundle` of a bundle from that forwarder (trusted as `SenderUnverified`) |
//! | `forwarded_room_key` | `ForwardedRoomKeyContent` deserializer, `ExportedRoomKey::try_from`, `import_exported_room_keys` |
//!
//! `received_withheld` entries arrive in a bundle through `receive_room_key_bundle`. An empty
//! bundle is not sent (`RoomKeyBundle::is_empty`, as matrix-sdk's `share_room_history` does).
//! The current-visibility gate (`joined` / `invited`: share nothing) is matrix-sdk's, not this
//! crate's: such cases are skipped with that reason.

use std::collections::BTreeMap;

use matrix_sdk_crypto::olm::{BackedUpRoomKey, ExportedRoomKey};
use matrix_sdk_crypto::store::types::StoredRoomKeyBundleData;
use matrix_sdk_crypto::types::events::forwarded_room_key::ForwardedRoomKeyContent;
use matrix_sdk_crypto::types::events::room_key_bundle::RoomKeyBundleContent;
use matrix_sdk_crypto::types::room_history::RoomKeyBundle;
use matrix_sdk_crypto::vodozemac::megolm::GroupSession;
use matrix_sdk_crypto::vodozemac::megolm::SessionConfig;
use matrix_sdk_crypto::{EncryptionSettings, OlmMachine};
use msc4268_protocol::cases::{BuildInput, FlagStructure, InviterSession, SessionOrigin};
use msc4268_protocol::identifiers::MEGOLM_V1;
use msc4268_protocol::implementation::{OpError, OpResult};
use ruma::events::room::history_visibility::HistoryVisibility;
use ruma::{OwnedDeviceId, OwnedRoomId, OwnedUserId, RoomId};
use serde_json::{Map, Value, json};

use crate::keys::{labelled_curve25519, labelled_ed25519};
use crate::olm::{parse_id, unsupported};

fn err(context: &str, e: impl std::fmt::Display) -> OpError {
    crate::errored(crate::error::AdapterError::krate(context, e))
}

/// The export of a fixture session, with extra members (flag variants).
fn export_json(s: &InviterSession, extra: &Map<String, Value>) -> Value {
    let mut v = json!({
        "algorithm": MEGOLM_V1,
        "room_id": s.room_id,
        "sender_key": s.sender_key,
        "session_id": s.session_id,
        "session_key": s.session_key,
        "sender_claimed_keys": {"ed25519": s.sender_claimed_ed25519},
        "forwarding_curve25519_key_chain": [],
    });
    if let Some(o) = v.as_object_mut() {
        for (k, x) in extra {
            o.insert(k.clone(), x.clone());
        }
    }
    v
}

/// The fixture's session as an export carrying the crate's own flag member.
fn export_with_flag(s: &InviterSession, shared: bool) -> OpResult<ExportedRoomKey> {
    let mut m = Map::new();
    m.insert(crate::compat::CRATE_FLAG_MEMBER.into(), json!(shared));
    serde_json::from_value(export_json(s, &m))
        .map_err(|e| err("fixture session as ExportedRoomKey", e))
}

/// The flag the crate gives its own session created under `visibility`.
async fn own_flag(visibility: &Option<Value>) -> OpResult<bool> {
    let mut settings = EncryptionSettings::default();
    match visibility {
        None => {}
        Some(Value::String(v)) => settings.history_visibility = HistoryVisibility::from(v.as_str()),
        Some(_) => {
            return Err(unsupported(
                "a non-string history_visibility is an invalid state event; how it is read is matrix-sdk-base's concern, not this crate's",
            ));
        }
    }
    let user: OwnedUserId = parse_id("@scratch:adapter.invalid", "scratch user")?;
    let device: OwnedDeviceId = "SCRATCH".into();
    let scratch = OlmMachine::new(&user, &device).await;
    let room: OwnedRoomId = parse_id("!scratch:adapter.invalid", "scratch room")?;
    scratch
        .share_room_key(&room, std::iter::empty(), settings)
        .await
        .map_err(|e| err("share_room_key (scratch own session)", e))?;
    let sessions = scratch
        .store()
        .get_inbound_group_sessions_by_room_id(&room)
        .await
        .map_err(|e| err("reading the scratch own session", e))?;
    match sessions.as_slice() {
        [s] => Ok(s.shared_history()),
        other => Err(OpError::Errored(format!(
            "share_room_key made {} own sessions, expected 1",
            other.len()
        ))),
    }
}

/// The flag the crate reads from an `m.room_key` carrying these members.
fn room_key_flag(s: &InviterSession, members: &Map<String, Value>) -> bool {
    let group = GroupSession::new(SessionConfig::version_1());
    let mut content = json!({
        "algorithm": MEGOLM_V1,
        "room_id": s.room_id,
        "session_id": group.session_id(),
        "session_key": group.session_key().to_base64(),
    });
    if let Some(o) = content.as_object_mut() {
        for (k, x) in members {
            o.insert(k.clone(), x.clone());
        }
    }
    crate::flag::crate_shareable(FlagStructure::RoomKey, &content.to_string()).unwrap_or(false)
}

async fn receive_bundle(
    machine: &OlmMachine,
    forwarder: &str,
    room: &str,
    bundle: Value,
) -> OpResult<()> {
    let user: OwnedUserId = parse_id(forwarder, "forwarder")?;
    let room: OwnedRoomId = parse_id(room, "room ID")?;
    let label = format!("matrix-sdk-crypto-adapter/forwarder/{user}");
    let master = labelled_ed25519(&format!("{label}/master"));
    let sender_key = labelled_curve25519(&label);
    let device: OwnedDeviceId = "FORWARDER".into();
    let bytes = serde_json::to_vec(&bundle).map_err(|e| err("bundle JSON", e))?;
    let (file, _) = crate::attachment::encrypt_file(&bytes, "mxc://adapter.invalid/earlier-bundle")
        .map_err(crate::errored)?;
    let info = StoredRoomKeyBundleData {
        sender_user: user.clone(),
        sender_key,
        sender_data: matrix_sdk_crypto::olm::SenderData::sender_unverified(&user, &device, master),
        bundle_data: RoomKeyBundleContent {
            room_id: room,
            file,
        },
    };
    let b: RoomKeyBundle = match serde_json::from_value(bundle) {
        Ok(b) => b,
        // The crate refuses such an earlier bundle as a whole: nothing of it reaches the store.
        Err(_) => return Ok(()),
    };
    machine
        .store()
        .receive_room_key_bundle(&info, b, |_, _| {})
        .await
        .map_err(|e| err("receive_room_key_bundle", e))
}

/// Builds the bundle.
pub(crate) async fn build(input: &BuildInput) -> OpResult<Option<Value>> {
    match &input.history_visibility {
        Some(Value::String(v)) if v == "joined" || v == "invited" => {
            return Err(unsupported(
                "matrix-sdk's share_room_history shares nothing when the room's current visibility is joined or invited; build_room_key_bundle has no visibility input",
            ));
        }
        Some(Value::String(_)) | None => {}
        Some(_) => {
            return Err(unsupported(
                "the room's current visibility is not a string; its reading is matrix-sdk-base's and matrix-sdk's concern, not this crate's",
            ));
        }
    }
    let user: OwnedUserId = parse_id(&input.inviter_user_id, "inviter user ID")?;
    let device: OwnedDeviceId = input.inviter_device_id.as_str().into();
    let machine = OlmMachine::new(&user, &device).await;
    let store = machine.store();
    let mut exports = Vec::new();
    let mut backups = Vec::new();
    let mut bundles: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    for s in &input.store {
        match &s.origin {
            SessionOrigin::Own {
                visibility_at_creation,
            } => {
                exports.push(export_with_flag(
                    s,
                    own_flag(visibility_at_creation).await?,
                )?);
            }
            SessionOrigin::RoomKey { content } => {
                exports.push(export_with_flag(s, room_key_flag(s, content))?);
            }
            SessionOrigin::KeyBackup { session_data } => {
                if let Ok(k) =
                    serde_json::from_value::<BackedUpRoomKey>(export_json(s, session_data))
                {
                    let room: OwnedRoomId = parse_id(&s.room_id, "room ID")?;
                    backups.push(ExportedRoomKey::from_backed_up_room_key(
                        room,
                        s.session_id.clone(),
                        k,
                    ));
                }
            }
            SessionOrigin::KeyExport { session_data } => {
                if let Ok(k) =
                    serde_json::from_value::<ExportedRoomKey>(export_json(s, session_data))
                {
                    exports.push(k);
                }
            }
            SessionOrigin::RoomKeyBundle { forwarder } => {
                bundles
                    .entry((forwarder.clone(), s.room_id.clone()))
                    .or_default()
                    .push(export_json(s, &Map::new()));
            }
            SessionOrigin::ForwardedRoomKey { content } => {
                let mut c = json!({
                    "algorithm": MEGOLM_V1,
                    "room_id": s.room_id,
                    "sender_key": s.sender_key,
                    "session_id": s.session_id,
                    "session_key": s.session_key,
                    "sender_claimed_ed25519_key": s.sender_claimed_ed25519,
                    "forwarding_curve25519_key_chain": [],
                });
                if let Some(o) = c.as_object_mut() {
                    for (k, x) in content {
                        o.insert(k.clone(), x.clone());
                    }
                }
                if let Ok(f) = serde_json::from_value::<ForwardedRoomKeyContent>(c)
                    && let Ok(k) = ExportedRoomKey::try_from(f)
                {
                    exports.push(k);
                }
            }
        }
    }
    store
        .import_exported_room_keys(exports, |_, _| {})
        .await
        .map_err(|e| err("import_exported_room_keys", e))?;
    store
        .import_room_keys(backups, Some("1"), |_, _| {})
        .await
        .map_err(|e| err("import_room_keys (backup)", e))?;
    for ((forwarder, room), keys) in bundles {
        receive_bundle(
            &machine,
            &forwarder,
            &room,
            json!({"room_keys": keys, "withheld": []}),
        )
        .await?;
    }
    let mut withheld_by_room: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for w in &input.received_withheld {
        let room = w
            .get("room_id")
            .and_then(Value::as_str)
            .unwrap_or(&input.room_id);
        withheld_by_room
            .entry(room.to_owned())
            .or_default()
            .push(w.clone());
    }
    for (room, entries) in withheld_by_room {
        receive_bundle(
            &machine,
            "@withheld-forwarder:adapter.invalid",
            &room,
            json!({"room_keys": [], "withheld": entries}),
        )
        .await?;
    }
    let room: OwnedRoomId = parse_id(&input.room_id, "room ID")?;
    let room: &RoomId = &room;
    let bundle = store
        .build_room_key_bundle(room)
        .await
        .map_err(|e| err("build_room_key_bundle", e))?;
    if bundle.is_empty() {
        return Ok(None);
    }
    serde_json::to_value(&bundle)
        .map(Some)
        .map_err(|e| err("serialising the built bundle", e))
}
