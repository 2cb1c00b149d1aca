//! Olm plumbing: accounts holding the fixture devices' own keys, a receiving `OlmMachine`,
//! synthetic `/keys/query` answers, and delivery of an Olm-encrypted to-device event through
//! `receive_sync_changes`.
//!
//! The case's replay data (`input.replay.devices`, documented in `docs/adapter-protocol.md`)
//! publishes each fixture device's Ed25519 seed and Curve25519 secret. vodozemac has no
//! constructor from raw keys, but its `AccountPickle` is plain serde: the adapter pickles a fresh
//! account, puts the device's two secrets in place of the random ones and unpickles it. The
//! result is checked against the device's public keys before use, so the sender's Olm identity
//! key is exactly the fixture's `sender_key`, and the receiving `OlmMachine` (built from that
//! account) has exactly the recipient's keys that the plaintext's `recipient_keys` names.

use std::collections::BTreeMap;

use matrix_sdk_common::deserialized_responses::ProcessedToDeviceEvent;
use matrix_sdk_crypto::vodozemac::Curve25519PublicKey;
use matrix_sdk_crypto::vodozemac::olm::Account;
use matrix_sdk_crypto::{DecryptionSettings, EncryptionSyncChanges, OlmMachine, TrustRequirement};
use msc4268_protocol::cases::{
    EnvelopeOutcome, OlmEnvelopeInput, ReceivedToDevice, Recipient, Rejection, Replay,
    ReplayDevice, SenderIdentity, carrier_bytes,
};
use msc4268_protocol::implementation::{OpError, OpResult};
use ruma::api::client::keys::get_keys;
use ruma::api::client::sync::sync_events::DeviceLists;
use ruma::serde::Raw;
use ruma::{OwnedDeviceId, OwnedUserId};
use serde_json::{Value, json};

use crate::error::AdapterError;

/// Why a case cannot be replayed through the crate (reported as skipped).
pub(crate) fn unsupported(reason: impl Into<String>) -> OpError {
    OpError::Unsupported(reason.into())
}

/// 32 bytes from a padded-base64 secret of the replay data.
fn secret(b64: &str, what: &str, device: &ReplayDevice) -> Result<[u8; 32], AdapterError> {
    carrier_bytes(b64)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            AdapterError::Input(format!(
                "the replay data's {what} of {} {} is not 32 bytes of base64",
                device.user_id, device.device_id
            ))
        })
}

/// A vodozemac account with exactly `device`'s identity keys.
pub(crate) fn account_for(device: &ReplayDevice) -> Result<Account, AdapterError> {
    let ed_secret = secret(&device.ed25519_seed, "ed25519_seed", device)?;
    let curve_secret = secret(&device.curve25519_secret, "curve25519_secret", device)?;
    let mut pickle = serde_json::to_value(Account::new().pickle())
        .map_err(|e| AdapterError::json("pickling a fresh vodozemac account", e))?;
    pickle["signing_key"] = json!({ "Normal": ed_secret.to_vec() });
    pickle["diffie_hellman_key"] = json!(curve_secret.to_vec());
    let pickle = serde_json::from_value(pickle)
        .map_err(|e| AdapterError::json("unpickling the fixture device's account", e))?;
    let account = Account::from_pickle(pickle);
    let keys = account.identity_keys();
    if keys.ed25519.to_base64() != device.ed25519
        || keys.curve25519.to_base64() != device.curve25519
    {
        return Err(AdapterError::Input(format!(
            "the account built from the replay secrets of {} {} does not have its public keys",
            device.user_id, device.device_id
        )));
    }
    Ok(account)
}

/// The replay devices of a case (none when it has no replay data).
pub(crate) fn replay_devices(replay: Option<&Replay>) -> &[ReplayDevice] {
    replay.map(|r| r.devices.as_slice()).unwrap_or_default()
}

/// The device among `candidates` whose Curve25519 key is `curve25519`.
pub(crate) fn device_with_curve<'a>(
    curve25519: &str,
    candidates: &'a [ReplayDevice],
) -> Option<&'a ReplayDevice> {
    candidates.iter().find(|d| d.curve25519 == curve25519)
}

/// A receiving `OlmMachine` (memory store) holding the recipient's fixture keys, and one of its
/// one-time keys.
pub(crate) struct Receiver {
    /// The machine under test.
    pub machine: OlmMachine,
    curve25519: Curve25519PublicKey,
    one_time_key: Curve25519PublicKey,
}

impl Receiver {
    /// Builds the receiver, or says why the recipient's keys cannot be reproduced.
    pub(crate) async fn new(recipient: &Recipient, replay: Option<&Replay>) -> OpResult<Self> {
        let Some(device) = replay_devices(replay).iter().find(|d| {
            d.user_id == recipient.user_id
                && d.device_id == recipient.device_id
                && d.ed25519 == recipient.ed25519
                && d.curve25519 == recipient.curve25519
        }) else {
            return Err(unsupported(
                "the case's replay data has no secret keys for the recipient's keys, so no OlmMachine can hold them",
            ));
        };
        let mut account = account_for(device).map_err(crate::errored)?;
        account.generate_one_time_keys(1);
        let one_time_key = account
            .one_time_keys()
            .values()
            .next()
            .copied()
            .ok_or_else(|| OpError::Errored("vodozemac generated no one-time key".into()))?;
        let curve25519 = account.identity_keys().curve25519;
        let user: OwnedUserId = parse_id(&recipient.user_id, "recipient user ID")?;
        let dev: OwnedDeviceId = recipient.device_id.as_str().into();
        let machine = crate::compat::machine_with_account(&user, &dev, account).await?;
        Ok(Self {
            machine,
            curve25519,
            one_time_key,
        })
    }

    /// Answers a `/keys/query` for `user` with these device keys and cross-signing keys, as a
    /// homeserver would.
    pub(crate) async fn keys_query(
        &self,
        user: &str,
        device_keys: &[Value],
        master_key: Option<&Value>,
        self_signing_key: Option<&Value>,
    ) -> OpResult<()> {
        let user_id: OwnedUserId = parse_id(user, "queried user ID")?;
        self.machine
            .update_tracked_users([user_id.as_ref()])
            .await
            .map_err(|e| crate::errored(AdapterError::krate("update_tracked_users", e)))?;
        let (txn, _request) = self.machine.query_keys_for_users([user_id.as_ref()]);
        let mut response = get_keys::v3::Response::new();
        let mut devices = BTreeMap::new();
        for dk in device_keys {
            let Some(id) = dk.get("device_id").and_then(Value::as_str) else {
                continue;
            };
            devices.insert(OwnedDeviceId::from(id), raw(dk)?);
        }
        response.device_keys.insert(user_id.clone(), devices);
        if let Some(m) = master_key {
            response.master_keys.insert(user_id.clone(), raw(m)?);
        }
        if let Some(s) = self_signing_key {
            response.self_signing_keys.insert(user_id.clone(), raw(s)?);
        }
        self.machine
            .mark_request_as_sent(&txn, &response)
            .await
            .map_err(|e| {
                crate::errored(AdapterError::krate("mark_request_as_sent(/keys/query)", e))
            })
    }

    /// The to-device event the homeserver delivers: Olm-encrypted by `sender_device`'s account
    /// (a fresh outbound session on one of our one-time keys), or the plaintext's `type` and
    /// `content` in the clear when the case says it was not encrypted.
    pub(crate) fn to_device_event(
        &self,
        event: &ReceivedToDevice,
        sender_device: Option<&ReplayDevice>,
    ) -> OpResult<Value> {
        if !event.encrypted {
            let plaintext = event.plaintext_value().map_err(|e| {
                unsupported(format!(
                    "an event sent in the clear is a JSON object, not this text ({e})"
                ))
            })?;
            return Ok(json!({
                "type": plaintext.get("type").cloned().unwrap_or(Value::Null),
                "sender": event.sender,
                "content": plaintext.get("content").cloned().unwrap_or(Value::Null),
            }));
        }
        let Some(device) = sender_device else {
            return Err(unsupported(
                "the Olm sender key is not the Curve25519 key of any device this case names, so no Olm session can carry it to the crate",
            ));
        };
        let account = account_for(device).map_err(crate::errored)?;
        // The plaintext's exact bytes (literal text as written, duplicates and escapes kept):
        // the crate's own JSON reader decides what they mean.
        let plaintext = event.plaintext_bytes().map_err(OpError::Errored)?;
        let message =
            crate::compat::olm_encrypt(&account, self.curve25519, self.one_time_key, &plaintext)
                .map_err(crate::errored)?;
        Ok(json!({
            "type": "m.room.encrypted",
            "sender": event.sender,
            "content": {
                "algorithm": msc4268_protocol::identifiers::OLM_V1,
                "sender_key": account.identity_keys().curve25519.to_base64(),
                "ciphertext": { self.curve25519.to_base64(): message },
            },
        }))
    }

    /// Delivers one to-device event through `receive_sync_changes` (trust requirement
    /// `Untrusted`, matrix-sdk's default).
    pub(crate) async fn deliver(&self, event: &Value) -> OpResult<Vec<ProcessedToDeviceEvent>> {
        let raw = Raw::from_json(
            serde_json::value::to_raw_value(event)
                .map_err(|e| crate::errored(AdapterError::json("to-device event", e)))?,
        );
        let lists = DeviceLists::new();
        let counts = BTreeMap::new();
        let changes = EncryptionSyncChanges {
            to_device_events: vec![raw],
            changed_devices: &lists,
            one_time_keys_counts: &counts,
            unused_fallback_keys: None,
            next_batch_token: None,
        };
        let settings = DecryptionSettings {
            sender_device_trust_requirement: TrustRequirement::Untrusted,
        };
        let (events, _) = self
            .machine
            .receive_sync_changes(changes, &settings)
            .await
            .map_err(|e| crate::errored(AdapterError::krate("receive_sync_changes", e)))?;
        Ok(events)
    }
}

fn raw<T>(v: &Value) -> OpResult<Raw<T>> {
    Ok(Raw::from_json(serde_json::value::to_raw_value(v).map_err(
        |e| crate::errored(AdapterError::json("building a /keys/query answer", e)),
    )?))
}

pub(crate) fn parse_id<T>(s: &str, what: &str) -> OpResult<T>
where
    T: TryFrom<String>,
    T::Error: std::fmt::Display,
{
    T::try_from(s.to_owned())
        .map_err(|e| unsupported(format!("the {what} `{s}` is not valid for ruma: {e}")))
}

/// The Olm plaintext as serde_json reads it (a member named twice: its last value), for what the
/// adapter sets up around the crate (the `/keys/query` answer, where to look for a recorded
/// bundle); `null` when it is not JSON. The crate itself reads the exact bytes.
pub(crate) fn peek(event: &ReceivedToDevice) -> Value {
    event.plaintext_value().unwrap_or(Value::Null)
}

/// The keys a homeserver serves for the sender: the device keys the event carries (if any), and
/// the sender's cross-signing identity (if the recipient has it).
pub(crate) async fn learn_sender(
    receiver: &Receiver,
    event: &ReceivedToDevice,
    identity: Option<&SenderIdentity>,
) -> OpResult<()> {
    // What the homeserver serves for the sender: the device keys the plaintext carries (as
    // serde_json reads it; nothing when it is not JSON).
    let device_keys: Vec<Value> = peek(event)
        .get("sender_device_keys")
        .filter(|v| v.is_object())
        .cloned()
        .into_iter()
        .collect();
    receiver
        .keys_query(
            &event.sender,
            &device_keys,
            identity.map(|i| &i.master_key),
            identity.map(|i| &i.self_signing_key),
        )
        .await
}

/// `olm-envelope`: the crate's Olm layer accepts the event when `receive_sync_changes` yields it
/// as `Decrypted`; anything else (undecryptable, refused, plaintext) is a rejection.
pub(crate) async fn check_envelope(input: &OlmEnvelopeInput) -> OpResult<EnvelopeOutcome> {
    let replay = input.replay.as_ref();
    let receiver = Receiver::new(&input.recipient, replay).await?;
    let candidates = replay_devices(replay);
    for k in &input.known_devices {
        let Some(d) = candidates.iter().find(|d| {
            d.user_id == k.user_id && d.device_id == k.device_id && d.ed25519 == k.ed25519
        }) else {
            return Err(unsupported(
                "the case's replay data has no signed device keys for a known device's Ed25519 key, so no /keys/query answer can carry it",
            ));
        };
        receiver
            .keys_query(&k.user_id, std::slice::from_ref(&d.device_keys), None, None)
            .await?;
    }
    let sender = device_with_curve(&input.event.sender_key, candidates);
    let event = receiver.to_device_event(&input.event, sender)?;
    let processed = receiver.deliver(&event).await?;
    let outcome = envelope_outcome(&processed);
    let EnvelopeOutcome::Accepted {
        sender,
        sender_device_id,
        ..
    } = &outcome
    else {
        return Ok(outcome);
    };
    // Accepted as a bundle only if the crate recorded a bundle notification for it; the Ed25519
    // key reported is the one the crate holds for the sending device.
    let plaintext = peek(&input.event);
    let room = plaintext
        .pointer("/content/room_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (Ok(room), Ok(user)) = (
        ruma::OwnedRoomId::try_from(room),
        OwnedUserId::try_from(sender.as_str()),
    ) else {
        return Ok(rejected(
            "no room or sender the crate could file a bundle under".into(),
        ));
    };
    let stored = receiver
        .machine
        .store()
        .get_received_room_key_bundle_data(&room, &user)
        .await
        .map_err(|e| crate::errored(AdapterError::krate("get_received_room_key_bundle_data", e)))?;
    if stored.is_none() {
        return Ok(rejected(
            "decrypted, but the crate did not take it as a room key bundle".into(),
        ));
    }
    let device_id: OwnedDeviceId = sender_device_id.as_str().into();
    let device = receiver
        .machine
        .get_device(&user, &device_id, None)
        .await
        .map_err(|e| crate::errored(AdapterError::krate("get_device", e)))?;
    let mut outcome = outcome.clone();
    if let (EnvelopeOutcome::Accepted { sender_ed25519, .. }, Some(d)) = (&mut outcome, device)
        && let Some(k) = d.ed25519_key()
    {
        *sender_ed25519 = k.to_base64();
    }
    Ok(outcome)
}

fn rejected(reason: String) -> EnvelopeOutcome {
    EnvelopeOutcome::Rejected(Rejection {
        rule: None,
        path: None,
        reason,
    })
}

fn envelope_outcome(processed: &[ProcessedToDeviceEvent]) -> EnvelopeOutcome {
    match processed {
        [
            ProcessedToDeviceEvent::Decrypted {
                raw,
                encryption_info,
            },
        ] => {
            let event: Value = match serde_json::from_str(raw.json().get()) {
                Ok(v) => v,
                Err(e) => return rejected(format!("decrypted event is not JSON: {e}")),
            };
            let device_id = encryption_info
                .sender_device
                .as_ref()
                .map(|d| d.to_string());
            // The key as the crate's key type reads it (canonical unpadded base64).
            let ed25519 = event
                .pointer("/keys/ed25519")
                .and_then(Value::as_str)
                .map(|k| {
                    matrix_sdk_crypto::vodozemac::Ed25519PublicKey::from_base64(k)
                        .map(|k| k.to_base64())
                        .unwrap_or_else(|_| k.to_owned())
                });
            EnvelopeOutcome::Accepted {
                sender: encryption_info.sender.to_string(),
                sender_device_id: device_id.unwrap_or_default(),
                sender_ed25519: ed25519.unwrap_or_default(),
                event_type: event
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            }
        }
        [ProcessedToDeviceEvent::UnableToDecrypt { utd_info, .. }] => {
            rejected(format!("unable to decrypt: {utd_info:?}"))
        }
        [ProcessedToDeviceEvent::PlainText(_)] => {
            rejected("delivered in the clear: the crate does not treat it as an Olm event".into())
        }
        [ProcessedToDeviceEvent::Invalid(_)] => rejected("the crate ignored it as invalid".into()),
        [] => rejected("the crate dropped the event".into()),
        more => rejected(format!("the crate yielded {} events for one", more.len())),
    }
}
