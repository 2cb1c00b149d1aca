//! The adversarial client: crafted `m.room_key_bundle` events, properly Olm-encrypted from a real,
//! cross-signed device (matrix-sdk's custom to-device API), pointing at any media we upload.

use std::io::Cursor;

use matrix_sdk::ruma::{RoomId, serde::Raw};
use matrix_sdk_crypto::CollectStrategy;
use serde_json::{Value, json};

use crate::client::Actor;
use crate::error::{Result, ScenarioError};

/// The stable to-device event type of a bundle.
pub const BUNDLE_EVENT_TYPE: &str = "m.room_key_bundle";

/// Encrypts `bytes` as an attachment (fresh key and IV, SHA-256) and uploads the ciphertext with
/// `uploader`'s client; returns the `EncryptedFile` JSON.
pub async fn upload_encrypted(uploader: &Actor, bytes: &[u8]) -> Result<Value> {
    let mut reader = Cursor::new(bytes.to_vec());
    let file = uploader.client().upload_encrypted_file(&mut reader).await?;
    Ok(serde_json::to_value(file)?)
}

/// A bundle made of the keys `holder`'s store has for `room_id` (from its key export, at the first
/// known index), with an empty `withheld`: what an honest inviter could share.
pub async fn bundle_from_store(holder: &Actor, room_id: &RoomId) -> Result<Value> {
    let keys = holder.stored_room_keys(Some(room_id)).await?;
    let mut room_keys = Vec::new();
    for key in keys {
        let v = key;
        room_keys.push(json!({
            "algorithm": v["algorithm"],
            "room_id": v["room_id"],
            "sender_key": v["sender_key"],
            "session_id": v["session_id"],
            "session_key": v["session_key"],
            "sender_claimed_keys": v["sender_claimed_keys"],
        }));
    }
    Ok(json!({ "room_keys": room_keys, "withheld": [] }))
}

/// Sends `content` as a to-device event of type `event_type`, Olm-encrypted from `from`'s device
/// to every device of `to` (the Olm plaintext carries `from`'s `sender_device_keys`, as matrix-sdk
/// always adds them).
pub async fn send_encrypted_to_device(
    from: &Actor,
    to: &Actor,
    event_type: &str,
    content: &Value,
) -> Result<()> {
    let encryption = from.client().encryption();
    encryption.request_user_identity(to.user_id()).await?;
    let devices = encryption.get_user_devices(to.user_id()).await?;
    let devices: Vec<_> = devices.devices().collect();
    if devices.is_empty() {
        return Err(ScenarioError::Unexpected(format!(
            "{} knows no device of {}",
            from.name, to.name
        )));
    }
    let raw = Raw::from_json(serde_json::value::to_raw_value(content)?);
    let failures = encryption
        .encrypt_and_send_raw_to_device(
            devices.iter().collect(),
            event_type,
            raw,
            CollectStrategy::AllDevices,
        )
        .await?;
    if !failures.is_empty() {
        return Err(ScenarioError::Unexpected(format!(
            "to-device not delivered to {failures:?}"
        )));
    }
    Ok(())
}

/// Uploads `bundle` (any JSON) encrypted and sends `to` an `m.room_key_bundle` for `room_id`
/// pointing at it; returns the `EncryptedFile` JSON used.
pub async fn send_crafted_bundle(
    from: &Actor,
    to: &Actor,
    room_id: &RoomId,
    bundle: &Value,
) -> Result<Value> {
    let file = upload_encrypted(from, &serde_json::to_vec(bundle)?).await?;
    let content = json!({ "room_id": room_id, "file": file });
    send_encrypted_to_device(from, to, BUNDLE_EVENT_TYPE, &content).await?;
    Ok(file)
}
