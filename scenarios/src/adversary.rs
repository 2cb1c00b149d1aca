//! The adversarial client: crafted `m.room_key_bundle` events, properly Olm-encrypted from a real,
//! cross-signed device (matrix-sdk's custom to-device API), pointing at any media we upload.

use std::io::Cursor;

use matrix_sdk::ruma::{RoomId, api::client::media::create_content, serde::Raw};
use matrix_sdk_crypto::CollectStrategy;
use msc4268_model::{attachment, b64};
use msc4268_protocol::cases::Encryption;
use serde_json::{Value, json};

use crate::actor::Actor;
use crate::error::{Result, ScenarioError};

/// The stable to-device event type of a bundle.
pub const BUNDLE_EVENT_TYPE: &str = "m.room_key_bundle";

/// Encrypts `bytes` as an attachment (fresh key and IV, SHA-256) and uploads the ciphertext with
/// `uploader`'s client; returns the `EncryptedFile` JSON.
pub async fn upload_encrypted(uploader: &Actor, bytes: &[u8]) -> Result<Value> {
    let mut reader = Cursor::new(bytes.to_vec());
    let file = uploader
        .client()
        .await?
        .upload_encrypted_file(&mut reader)
        .await?;
    Ok(serde_json::to_value(file)?)
}

/// A bundle made of the keys `holder`'s store has for `room_id` (from its key export, at the first
/// known index), with an empty `withheld`: what an honest inviter could share.
pub async fn bundle_from_store(holder: &Actor, room_id: &RoomId) -> Result<Value> {
    bundle_from_store_rooms(holder, &[room_id]).await
}

/// Like [`bundle_from_store`], with the keys of every room in `rooms`, in that order (a bundle
/// for the first room that also carries keys of other rooms).
pub async fn bundle_from_store_rooms(holder: &Actor, rooms: &[&RoomId]) -> Result<Value> {
    let mut keys = Vec::new();
    for room_id in rooms {
        keys.extend(holder.stored_room_keys(Some(room_id)).await?);
    }
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
    let encryption = from.client().await?.encryption();
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
    send_bundle_event(from, to, room_id, &file).await?;
    Ok(file)
}

/// Sends `to` an `m.room_key_bundle` whose content names `room_id` and points at `file` (an
/// `EncryptedFile` JSON), Olm-encrypted from `from`'s device.
pub async fn send_bundle_event(
    from: &Actor,
    to: &Actor,
    room_id: &RoomId,
    file: &Value,
) -> Result<()> {
    let content = json!({ "room_id": room_id, "file": file });
    send_encrypted_to_device(from, to, BUNDLE_EVENT_TYPE, &content).await
}

/// Uploads raw bytes to `uploader`'s media repository (`application/octet-stream`, as matrix-sdk
/// uploads encrypted files); returns the `mxc://` URI.
pub async fn upload_bytes(uploader: &Actor, bytes: Vec<u8>) -> Result<String> {
    let mut request = create_content::v3::Request::new(bytes);
    request.content_type = Some("application/octet-stream".to_owned());
    let response = uploader.client().await?.send(request).await?;
    Ok(response.content_uri.to_string())
}

/// Uploads the ciphertext of an encryption made in-process (by the reference model or an
/// implementation under test) and returns its `EncryptedFile` JSON with `url` set to the upload.
pub async fn upload_encryption(uploader: &Actor, encryption: &Encryption) -> Result<Value> {
    upload_as(
        uploader,
        encryption.file.clone(),
        ciphertext_of(encryption)?,
    )
    .await
}

/// The ciphertext bytes of an in-process encryption.
fn ciphertext_of(encryption: &Encryption) -> Result<Vec<u8>> {
    b64::decode(&encryption.ciphertext, b64::Alphabet::Standard)
        .map_err(|e| ScenarioError::Unexpected(format!("ciphertext base64: {e}")))
}

/// Uploads `ciphertext` and returns `file` with `url` set to the upload.
async fn upload_as(uploader: &Actor, mut file: Value, ciphertext: Vec<u8>) -> Result<Value> {
    let mxc = upload_bytes(uploader, ciphertext).await?;
    file["url"] = json!(mxc);
    Ok(file)
}

/// The one thing wrong with a tampered upload; everything else is a conformant encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// One ciphertext byte is flipped after encryption; `hashes.sha256` is the hash of the
    /// ciphertext as encrypted, so it no longer matches what is downloaded.
    Ciphertext,
    /// The ciphertext is uploaded as encrypted, but `hashes.sha256` is the hash of something
    /// else (its first byte flipped).
    Hash,
}

/// Encrypts `plaintext` with the reference (fresh key and IV), applies `tamper`, uploads the
/// ciphertext and returns the `EncryptedFile` JSON.
pub async fn upload_tampered(uploader: &Actor, plaintext: &[u8], tamper: Tamper) -> Result<Value> {
    let encryption = attachment::encrypt(plaintext, "mxc://placeholder/tampered")
        .map_err(|e| ScenarioError::Unexpected(format!("reference encryption: {e}")))?;
    let mut ciphertext = encryption.ciphertext;
    let mut file = encryption.file;
    match tamper {
        Tamper::Ciphertext => {
            let last = ciphertext.len().checked_sub(1).ok_or_else(|| {
                ScenarioError::Unexpected("nothing to tamper with: empty ciphertext".into())
            })?;
            ciphertext[last] ^= 0x01;
        }
        Tamper::Hash => {
            let hash = file["hashes"]["sha256"].as_str().unwrap_or_default();
            let mut raw = b64::decode(hash, b64::Alphabet::Standard)
                .map_err(|e| ScenarioError::Unexpected(format!("sha256 base64: {e}")))?;
            let first = raw
                .first_mut()
                .ok_or_else(|| ScenarioError::Unexpected(format!("empty sha256 in {file}")))?;
            *first ^= 0x01;
            file["hashes"]["sha256"] = json!(b64::encode(raw));
        }
    }
    upload_as(uploader, file, ciphertext).await
}
