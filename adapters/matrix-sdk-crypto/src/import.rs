//! `import-decision`: a real receiving `OlmMachine` handles the bundle end to end.
//!
//! 1. The recipient's `OlmMachine` (memory store, the recipient's fixture keys) first gets the
//!    sessions the case says are already in its store, each the way it arrived: key backup
//!    (`import_room_keys` with a backup version), key export (`import_exported_room_keys`), an
//!    earlier bundle (`receive_room_key_bundle` from that forwarder). A copy from a direct
//!    `m.room_key` cannot be replayed: that needs the session creator's Megolm signing key, which
//!    the fixture (an export-format key) does not carry; such cases are skipped.
//! 2. It learns the sender's device and cross-signing identity from a synthetic `/keys/query`
//!    answer built from the fixture's `sender_device_keys` and `sender_identity` (for a pin
//!    violation, a first answer pins an earlier identity of the sender).
//! 3. The fixture's Olm plaintext is Olm-encrypted by an account holding the sender device's
//!    fixture keys and delivered through `receive_sync_changes`; the crate checks the envelope and
//!    stores the bundle notification (`get_received_room_key_bundle_data`). Nothing stored:
//!    `discarded`.
//! 4. The crate's own trust rule (`SenderData::from_device` of the stored sender device, then
//!    `ForwarderData::try_from`, as `receive_room_key_bundle` does it) refuses untrusted senders:
//!    `discarded`.
//! 5. Download as matrix-sdk does: 404 → `failed`; `AttachmentDecryptor` refuses the file info →
//!    `failed`, hash mismatch → `rejected`; the `RoomKeyBundle` deserializer refuses → `rejected`.
//! 6. `Store::receive_room_key_bundle`, then the store is read back: sessions that are new or
//!    changed are `imported` (first known index and forwarder as stored), offered sessions whose
//!    stored copy did not change are `kept_existing` (or `skipped` when the crate's
//!    `compare_ratchet` says the ratchets do not connect), entries that left no trace are
//!    `skipped`, and withheld entries found with `get_withheld_info` are `withheld`.
//!
//! The invite record, membership and acceptance window are matrix-sdk's `shared_room_history`,
//! not this crate: cases whose outcome depends on them are skipped with that reason.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use matrix_sdk_crypto::olm::{ExportedRoomKey, InboundGroupSession, SenderData};
use matrix_sdk_crypto::store::types::StoredRoomKeyBundleData;
use matrix_sdk_crypto::types::events::room_key_bundle::RoomKeyBundleContent;
use matrix_sdk_crypto::types::events::room_key_withheld::RoomKeyWithheldContent;
use matrix_sdk_crypto::types::room_history::RoomKeyBundle;
use matrix_sdk_crypto::vodozemac::Curve25519PublicKey;
use matrix_sdk_crypto::{AttachmentDecryptor, MediaEncryptionInfo, OlmMachine};
use msc4268_protocol::cases::*;
use msc4268_protocol::implementation::{OpError, OpResult};
use ruma::{OwnedDeviceId, OwnedRoomId, OwnedUserId};
use serde_json::{Value, json};

use crate::error::AdapterError;
use crate::keys::{labelled_curve25519, labelled_ed25519};
use crate::olm::{
    Receiver, device_with_curve, learn_sender, parse_id, replay_devices, unsupported,
};

const SHARED_ROOM_HISTORY: &str =
    "matrix-sdk's shared_room_history (not matrix-sdk-crypto) decides this";

/// Why the case's outcome lies outside the crate, if it does.
fn outside_crate(input: &ImportInput) -> Option<String> {
    let Some(invite) = &input.invite else {
        return Some(format!(
            "{SHARED_ROOM_HISTORY}: no invite is on record (R33)"
        ));
    };
    if invite.inviter != input.event.sender {
        return Some(format!(
            "{SHARED_ROOM_HISTORY}: the bundle's sender is not the inviter (R33)"
        ));
    }
    let plaintext = crate::olm::peek(&input.event);
    let content_room = plaintext
        .pointer("/content/room_id")
        .and_then(Value::as_str);
    if content_room.is_some_and(|r| r != input.room_id) {
        return Some(format!(
            "{SHARED_ROOM_HISTORY}: the bundle names another room than the invite (R33)"
        ));
    }
    let Some(accepted) = invite.accepted_at_ms else {
        return Some(format!(
            "{SHARED_ROOM_HISTORY}: the invite is not accepted yet (R35)"
        ));
    };
    if !invite.accepted_on_this_device {
        return Some(format!(
            "{SHARED_ROOM_HISTORY}: the invite was accepted on another device (R35)"
        ));
    }
    if input.membership != Membership::Join {
        return Some(format!(
            "{SHARED_ROOM_HISTORY}: the recipient is not joined (R34)"
        ));
    }
    if input.now_ms.saturating_sub(accepted) >= input.acceptance_window_ms {
        return Some(format!(
            "{SHARED_ROOM_HISTORY}: the acceptance window has passed (R36)"
        ));
    }
    None
}

fn outcome(decision: ImportDecision) -> ImportOutcome {
    ImportOutcome {
        decision,
        rule: None,
        imported: Vec::new(),
        kept_existing: Vec::new(),
        withheld: Vec::new(),
        skipped: Vec::new(),
    }
}

fn err(context: &str, e: impl std::fmt::Display) -> OpError {
    crate::errored(AdapterError::krate(context, e))
}

/// Labelled, real keys for parties the fixture does not give keys for (forwarders of stored
/// sessions): they only label sessions.
fn labelled_forwarder(user: &OwnedUserId) -> (SenderData, Curve25519PublicKey) {
    let label = format!("matrix-sdk-crypto-adapter/forwarder/{user}");
    let master = labelled_ed25519(&format!("{label}/master"));
    let curve = labelled_curve25519(&label);
    let device: OwnedDeviceId = "FORWARDER".into();
    (SenderData::sender_unverified(user, &device, master), curve)
}

/// A real `EncryptedFile` for bookkeeping records (`receive_room_key_bundle` does not read it).
fn bookkeeping_file(
    room: &OwnedRoomId,
    bundle: &Value,
) -> OpResult<ruma::events::room::EncryptedFile> {
    let bytes = serde_json::to_vec(bundle).map_err(|e| err("bundle JSON", e))?;
    let url = format!(
        "mxc://adapter.invalid/{}",
        crate::keys::media_id(room.as_str())
    );
    crate::attachment::encrypt_file(&bytes, &url)
        .map(|(f, _)| f)
        .map_err(crate::errored)
}

/// The creator keys a stored session shares with the bundle entry of the same session, so the
/// crate can compare the ratchets (it only compares sessions with equal creator keys).
fn creator_for(session_id: &str, bundle: Option<&Value>) -> (Value, Value) {
    let entry = bundle
        .and_then(|b| b.get("room_keys"))
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|e| e.get("session_id").and_then(Value::as_str) == Some(session_id))
        });
    match entry {
        Some(e) => (
            e.get("sender_key").cloned().unwrap_or(Value::Null),
            e.get("sender_claimed_keys").cloned().unwrap_or(Value::Null),
        ),
        None => {
            let label = "matrix-sdk-crypto-adapter/creator";
            (
                json!(labelled_curve25519(label).to_base64()),
                json!({"ed25519": labelled_ed25519(label).to_base64()}),
            )
        }
    }
}

async fn seed_store(
    machine: &OlmMachine,
    input: &ImportInput,
    bundle: Option<&Value>,
) -> OpResult<()> {
    for s in &input.store {
        let (sender_key, claimed) = creator_for(&s.session_id, bundle);
        let export = json!({
            "algorithm": msc4268_protocol::identifiers::MEGOLM_V1,
            "room_id": s.room_id, "session_id": s.session_id, "session_key": s.session_key,
            "sender_key": sender_key, "sender_claimed_keys": claimed,
        });
        match s.provenance {
            Provenance::RoomKey => {
                return Err(unsupported(
                    "a stored copy from a direct m.room_key cannot be replayed: that needs the session creator's Megolm signing key, and the fixture carries only the export-format key",
                ));
            }
            Provenance::Backup | Provenance::Export => {
                let key: ExportedRoomKey = serde_json::from_value(export)
                    .map_err(|e| err("stored session as ExportedRoomKey", e))?;
                let backup = (s.provenance == Provenance::Backup).then_some("1");
                machine
                    .store()
                    .import_room_keys(vec![key], backup, |_, _| {})
                    .await
                    .map_err(|e| err("import_room_keys", e))?;
            }
            Provenance::Bundle => {
                let forwarder: OwnedUserId = parse_id(
                    s.forwarder
                        .as_deref()
                        .unwrap_or("@forwarder:adapter.invalid"),
                    "forwarder",
                )?;
                let room: OwnedRoomId = parse_id(&s.room_id, "stored session's room ID")?;
                let (sender_data, sender_key) = labelled_forwarder(&forwarder);
                let earlier = json!({"room_keys": [export], "withheld": []});
                let file = bookkeeping_file(&room, &earlier)?;
                let info = StoredRoomKeyBundleData {
                    sender_user: forwarder,
                    sender_key,
                    sender_data,
                    bundle_data: RoomKeyBundleContent {
                        room_id: room,
                        file,
                    },
                };
                let b: RoomKeyBundle =
                    serde_json::from_value(earlier).map_err(|e| err("earlier bundle", e))?;
                machine
                    .store()
                    .receive_room_key_bundle(&info, b, |_, _| {})
                    .await
                    .map_err(|e| err("receive_room_key_bundle (earlier bundle)", e))?;
            }
        }
    }
    Ok(())
}

/// The sender's device, as the crate finds it by Curve25519 key, and whether the crate's
/// `receive_room_key_bundle` trust rule lets its bundle in.
async fn sender_trusted(machine: &OlmMachine, data: &StoredRoomKeyBundleData) -> OpResult<bool> {
    let sender_data = if data.sender_data.should_recalculate() {
        let devices = machine
            .get_user_devices(&data.sender_user, None)
            .await
            .map_err(|e| err("get_user_devices", e))?;
        devices
            .devices()
            .find(|d| d.curve25519_key() == Some(data.sender_key))
            .map(|d| SenderData::from_device(&d))
            .unwrap_or_else(|| data.sender_data.clone())
    } else {
        data.sender_data.clone()
    };
    Ok(crate::compat::forwarder(&sender_data).is_some())
}

struct Copy {
    index: u32,
    forwarder: Option<String>,
}

async fn copy(
    machine: &OlmMachine,
    room: &ruma::RoomId,
    sid: &str,
) -> OpResult<Option<(Copy, InboundGroupSession)>> {
    let s = machine
        .store()
        .get_inbound_group_session(room, sid)
        .await
        .map_err(|e| err("get_inbound_group_session", e))?;
    Ok(s.map(|s| {
        (
            Copy {
                index: s.first_known_index(),
                forwarder: crate::compat::recorded_forwarder(&s),
            },
            s,
        )
    }))
}

/// Runs the case.
pub(crate) async fn decide(input: &ImportInput) -> OpResult<ImportOutcome> {
    if let Some(reason) = outside_crate(input) {
        return Err(OpError::Unsupported(reason));
    }
    if input
        .sender_identity
        .as_ref()
        .is_some_and(|i| i.state == IdentityState::Verified)
    {
        return Err(unsupported(
            "replaying the recipient's verification of the sender (own cross-signing and a user-signing signature) is not implemented in this adapter",
        ));
    }
    let replay = input.replay.as_ref();
    let receiver = Receiver::new(&input.recipient, replay).await?;
    let machine = &receiver.machine;

    // The bundle as served, decrypted with the file info the event names (crate path), only to
    // give stored copies the creator keys of the bundle's entry for the same session.
    let served = match &input.media {
        Media::Available { ciphertext } => {
            Some(carrier_bytes(ciphertext).map_err(OpError::Errored)?)
        }
        Media::NotFound => None,
    };
    let file_json = crate::olm::peek(&input.event)
        .pointer("/content/file")
        .cloned();
    let peek: Option<Value> = match (&served, &file_json) {
        (Some(ct), Some(f)) => decrypt(f, ct)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok()),
        _ => None,
    };
    seed_store(machine, input, peek.as_ref()).await?;

    if let Some(id) = &input.sender_identity
        && id.state == IdentityState::PinViolation
    {
        // Pin the identity the replay data says the recipient had before (trust on first use),
        // with the sender's device signed by it; the case's identity then replaces it.
        let Some(earlier) = replay.and_then(|r| r.pinned_identity.as_ref()) else {
            return Err(unsupported(
                "the case's replay data has no identity pinned before, so the identity change cannot be replayed",
            ));
        };
        let dk: Vec<Value> = earlier.sender_device_keys.iter().cloned().collect();
        receiver
            .keys_query(
                &input.event.sender,
                &dk,
                Some(&earlier.master_key),
                Some(&earlier.self_signing_key),
            )
            .await?;
    }
    learn_sender(&receiver, &input.event, input.sender_identity.as_ref()).await?;

    let sender_device = device_with_curve(&input.event.sender_key, replay_devices(replay));
    let event = receiver.to_device_event(&input.event, sender_device)?;
    receiver.deliver(&event).await?;

    let sender: OwnedUserId = parse_id(&input.event.sender, "sender")?;
    let room: OwnedRoomId = parse_id(&input.room_id, "room ID")?;
    let Some(data) = machine
        .store()
        .get_received_room_key_bundle_data(&room, &sender)
        .await
        .map_err(|e| err("get_received_room_key_bundle_data", e))?
    else {
        return Ok(outcome(ImportDecision::Discarded));
    };
    if !sender_trusted(machine, &data).await? {
        return Ok(outcome(ImportDecision::Discarded));
    }
    let Some(ciphertext) = served else {
        return Ok(outcome(ImportDecision::Failed));
    };
    let info: MediaEncryptionInfo = data.bundle_data.file.clone().into();
    let mut reader = Cursor::new(ciphertext.as_slice());
    let Ok(mut decryptor) = AttachmentDecryptor::new(&mut reader, info) else {
        return Ok(outcome(ImportDecision::Failed));
    };
    let mut plaintext = Vec::new();
    if decryptor.read_to_end(&mut plaintext).is_err() {
        return Ok(outcome(ImportDecision::Rejected));
    }
    let Ok(bundle) = serde_json::from_slice::<RoomKeyBundle>(&plaintext) else {
        return Ok(outcome(ImportDecision::Rejected));
    };

    // Before.
    let probe_forwarder = crate::compat::forwarder(&labelled_forwarder(&sender).0)
        .ok_or_else(|| OpError::Errored("labelled forwarder must convert".into()))?;
    let mut before = Vec::new();
    for key in &bundle.room_keys {
        before.push(copy(machine, &key.room_id, &key.session_id).await?);
    }

    machine
        .store()
        .receive_room_key_bundle(&data, bundle, |_, _| {})
        .await
        .map_err(|e| err("receive_room_key_bundle", e))?;
    let bundle: RoomKeyBundle =
        serde_json::from_slice(&plaintext).map_err(|e| err("re-reading the bundle", e))?;

    let mut result = outcome(ImportDecision::Imported);
    // Imported sessions by (room, session): a session listed twice is reported once, with the
    // copy the store ends with. A map, not a search of the list, so that reading back a large
    // bundle stays linear (the benchmarks measure this import).
    let mut imported: BTreeMap<(String, String), ImportedSession> = BTreeMap::new();
    let mut kept: BTreeSet<String> = BTreeSet::new();
    for (i, (key, before)) in bundle.room_keys.iter().zip(before).enumerate() {
        let source = format!("/room_keys/{i}");
        let after = copy(machine, &key.room_id, &key.session_id).await?;
        let sid = key.session_id.clone();
        match (before, after) {
            (_, None) => result.skipped.push(SkippedEntry {
                source,
                rule: None,
                reason: "no session stored".into(),
            }),
            (None, Some((a, _))) => push_imported(&mut imported, key.room_id.to_string(), sid, a),
            (Some((b, _)), Some((a, _))) if b.index != a.index || b.forwarder != a.forwarder => {
                push_imported(&mut imported, key.room_id.to_string(), sid, a)
            }
            (Some((_, bs)), Some(_)) => {
                let offered = crate::compat::bundle_session(key, &probe_forwarder);
                let unconnected = match offered {
                    Ok(o) => matches!(
                        o.compare_ratchet(&bs).await,
                        matrix_sdk_crypto::vodozemac::megolm::SessionOrdering::Unconnected
                    ),
                    Err(_) => true,
                };
                if key.room_id != data.bundle_data.room_id || unconnected {
                    result.skipped.push(SkippedEntry { source, rule: None, reason: "the crate left the stored copy; the offered ratchet does not connect or is for another room".into() });
                } else {
                    kept.insert(sid);
                }
            }
        }
    }
    let imported_ids: BTreeSet<String> = imported.keys().map(|(_, s)| s.clone()).collect();
    result.kept_existing = kept.difference(&imported_ids).cloned().collect();
    result.imported = imported.into_values().collect();
    let mut withheld: BTreeSet<RecordedWithheld> = BTreeSet::new();
    for (i, w) in bundle.withheld.iter().enumerate() {
        let source = format!("/withheld/{i}");
        let ids = match w {
            RoomKeyWithheldContent::MegolmV1AesSha2(c) => c.room_id().zip(c.session_id()),
            RoomKeyWithheldContent::Unknown(_) => None,
        };
        let recorded = match ids {
            Some((r, s)) => machine
                .store()
                .get_withheld_info(r, s)
                .await
                .map_err(|e| err("get_withheld_info", e))?
                .filter(|e| e.sender == sender)
                .map(|e| RecordedWithheld {
                    room_id: r.to_string(),
                    session_id: s.to_owned(),
                    code: crate::bundle::withheld_code(&e.content, None).0,
                }),
            None => None,
        };
        match recorded {
            Some(r) => {
                withheld.insert(r);
            }
            None => result.skipped.push(SkippedEntry {
                source,
                rule: None,
                reason: "the crate recorded no withheld entry".into(),
            }),
        }
    }
    result.withheld = withheld.into_iter().collect();
    Ok(result)
}

fn push_imported(
    imported: &mut BTreeMap<(String, String), ImportedSession>,
    room_id: String,
    session_id: String,
    a: Copy,
) {
    let session = ImportedSession {
        room_id: room_id.clone(),
        session_id: session_id.clone(),
        first_known_index: a.index,
        forwarder: a.forwarder.unwrap_or_default(),
    };
    imported.insert((room_id, session_id), session);
}

fn decrypt(file: &Value, ciphertext: &[u8]) -> Result<Vec<u8>, String> {
    let file: ruma::events::room::EncryptedFile =
        serde_json::from_value(file.clone()).map_err(|e| e.to_string())?;
    let mut reader = Cursor::new(ciphertext);
    let mut d = AttachmentDecryptor::new(&mut reader, file.into()).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    d.read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}
