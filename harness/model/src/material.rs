//! Deterministic, real cryptographic material for fixtures.
//!
//! Every key is derived from a *label* (`"alice/device"`, `"room-a/session-3"`) by
//! SHA-256(`DOMAIN` ‖ label). Material therefore depends only on its label, never on the order in
//! which the generator asks for it: adding a case does not change any other case's keys. The keys
//! themselves are real: Ed25519 key pairs that sign, X25519 key pairs, Megolm ratchets that advance
//! and import into vodozemac (tested), and cross-signing keys with valid signatures.

use ed25519_dalek::SigningKey;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use msc4268_protocol::cases::{PinnedIdentity, Replay, ReplayDevice};

use crate::b64;
use crate::identifiers::{MEGOLM_V1, OLM_V1};
use crate::megolm::ExportedSessionKey;
use crate::signing::sign_json;

const DOMAIN: &[u8] = b"msc4268-conformance/material/v1\0";

/// 32 deterministic bytes for `label`.
pub fn seed(label: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(label.as_bytes());
    h.finalize().into()
}

/// `n` deterministic bytes for `label` (SHA-256 in counter mode).
pub fn bytes(label: &str, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 32);
    let mut i = 0u32;
    while out.len() < n {
        out.extend_from_slice(&seed(&format!("{label}#{i}")));
        i += 1;
    }
    out.truncate(n);
    out
}

/// An Ed25519 key pair for `label`.
pub fn ed25519(label: &str) -> SigningKey {
    SigningKey::from_bytes(&seed(&format!("ed25519/{label}")))
}

/// Unpadded base64 of the Ed25519 public key for `label`.
pub fn ed25519_public_b64(label: &str) -> String {
    b64::encode(ed25519(label).verifying_key().to_bytes())
}

/// The X25519 public key for `label` as unpadded base64.
pub fn curve25519_public_b64(label: &str) -> String {
    let secret = x25519_dalek::StaticSecret::from(seed(&format!("curve25519/{label}")));
    b64::encode(x25519_dalek::PublicKey::from(&secret).as_bytes())
}

/// A Megolm session for `label`, exported at `index` (the ratchet really is advanced).
pub fn megolm_session(label: &str, index: u32) -> ExportedSessionKey {
    let mut ratchet = [[0u8; 32]; 4];
    for (i, part) in ratchet.iter_mut().enumerate() {
        *part = seed(&format!("megolm/{label}/R{i}"));
    }
    let signing_key = ed25519(&format!("megolm/{label}"))
        .verifying_key()
        .to_bytes();
    let initial = ExportedSessionKey {
        index: 0,
        ratchet,
        signing_key,
    };
    initial.advanced_to(index).unwrap_or(initial)
}

/// A device: user, device ID, and its Ed25519 and Curve25519 identity keys.
#[derive(Debug, Clone)]
pub struct Device {
    /// Owner, e.g. `@alice:hs1.test`.
    pub user_id: String,
    /// Device ID, e.g. `ALICEDEV`.
    pub device_id: String,
    /// Label the keys are derived from.
    pub label: String,
}

impl Device {
    /// The device `device_id` of `user_id`, keys derived from `user_id/device_id`.
    pub fn new(user_id: &str, device_id: &str) -> Self {
        Self {
            user_id: user_id.into(),
            device_id: device_id.into(),
            label: format!("{user_id}/{device_id}"),
        }
    }

    /// The device's Ed25519 signing key.
    pub fn signing_key(&self) -> SigningKey {
        ed25519(&self.label)
    }

    /// The device's Ed25519 public key, unpadded base64.
    pub fn ed25519(&self) -> String {
        ed25519_public_b64(&self.label)
    }

    /// The device's Curve25519 public key, unpadded base64.
    pub fn curve25519(&self) -> String {
        curve25519_public_b64(&self.label)
    }

    /// The device's `DeviceKeys` object, self-signed, and cross-signed by `ssk` if given.
    pub fn device_keys(&self, ssk: Option<&CrossSigning>) -> Value {
        let mut obj = self.unsigned_device_keys();
        let _ = sign_json(
            &mut obj,
            &self.user_id,
            &format!("ed25519:{}", self.device_id),
            &self.signing_key(),
        );
        if let Some(cs) = ssk {
            let _ = sign_json(
                &mut obj,
                &cs.user_id,
                &format!("ed25519:{}", cs.ssk_public()),
                &cs.ssk(),
            );
        }
        Value::Object(obj)
    }

    /// The device with its secret keys, as replay data publishes it.
    pub fn replay(&self) -> ReplayDevice {
        ReplayDevice {
            user_id: self.user_id.clone(),
            device_id: self.device_id.clone(),
            ed25519: self.ed25519(),
            curve25519: self.curve25519(),
            ed25519_seed: b64::encode_padded(seed(&format!("ed25519/{}", self.label))),
            curve25519_secret: b64::encode_padded(seed(&format!("curve25519/{}", self.label))),
            device_keys: self.device_keys(None),
        }
    }

    /// The device's `DeviceKeys` object without any signature.
    pub fn unsigned_device_keys(&self) -> Map<String, Value> {
        let v = json!({
            "user_id": self.user_id,
            "device_id": self.device_id,
            "algorithms": [OLM_V1, MEGOLM_V1],
            "keys": {
                format!("curve25519:{}", self.device_id): self.curve25519(),
                format!("ed25519:{}", self.device_id): self.ed25519(),
            },
        });
        v.as_object().cloned().unwrap_or_default()
    }
}

/// A user's cross-signing identity: master key and self-signing key.
#[derive(Debug, Clone)]
pub struct CrossSigning {
    /// Owner.
    pub user_id: String,
    /// Label the keys are derived from.
    pub label: String,
}

impl CrossSigning {
    /// The identity of `user_id` with keys derived from `label` (vary it to model a reset).
    pub fn new(user_id: &str, label: &str) -> Self {
        Self {
            user_id: user_id.into(),
            label: format!("{user_id}/{label}"),
        }
    }

    /// Master key.
    pub fn msk(&self) -> SigningKey {
        ed25519(&format!("{}/master", self.label))
    }

    /// Self-signing key.
    pub fn ssk(&self) -> SigningKey {
        ed25519(&format!("{}/self-signing", self.label))
    }

    /// Master public key, unpadded base64.
    pub fn msk_public(&self) -> String {
        b64::encode(self.msk().verifying_key().to_bytes())
    }

    /// Self-signing public key, unpadded base64.
    pub fn ssk_public(&self) -> String {
        b64::encode(self.ssk().verifying_key().to_bytes())
    }

    /// The `CrossSigningKey` object of the master key (as `/keys/query` returns it).
    pub fn master_key_json(&self) -> Value {
        let pk = self.msk_public();
        json!({"user_id": self.user_id, "usage": ["master"], "keys": {format!("ed25519:{pk}"): pk}})
    }

    /// The `CrossSigningKey` object of the self-signing key, signed by the master key.
    pub fn self_signing_key_json(&self) -> Value {
        let pk = self.ssk_public();
        let v = json!({"user_id": self.user_id, "usage": ["self_signing"], "keys": {format!("ed25519:{pk}"): pk}});
        let mut obj = v.as_object().cloned().unwrap_or_default();
        let _ = sign_json(
            &mut obj,
            &self.user_id,
            &format!("ed25519:{}", self.msk_public()),
            &self.msk(),
        );
        Value::Object(obj)
    }
}

/// The replay data of an `olm-envelope` or `import-decision` input (the group context merged
/// with the case): the secret keys of every fixture device the input names whose keys appear in
/// it, and for a sender identity in state `pin_violation` the identity the recipient pinned
/// before. `None` when there is nothing to replay.
///
/// A device is named by any combination of a user ID and a device ID the input mentions (the
/// recipient, the event's sender, the Olm sender device, the plaintext's `sender`, `recipient`
/// and `sender_device_keys`, the known devices); its keys derive from `user_id/device_id`
/// ([`Device::new`]), and it is kept only when its Ed25519 or Curve25519 key occurs in the input.
pub fn replay_for(input: &Value) -> Option<Replay> {
    let text = input.to_string();
    // A plaintext given as literal text names its devices as serde_json reads it.
    let parsed;
    let input = match input
        .pointer("/event/plaintext_text")
        .and_then(Value::as_str)
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
    {
        Some(pt) => {
            let mut v = input.clone();
            v["event"]["plaintext"] = pt;
            parsed = v;
            &parsed
        }
        None => input,
    };
    let str_at = |p: &str| input.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let mut users: Vec<String> = ["/event/sender", "/recipient/user_id"]
        .into_iter()
        .filter_map(str_at)
        .collect();
    let mut devices: Vec<String> = str_at("/recipient/device_id").into_iter().collect();
    users.extend(str_at("/event/olm_sender_device/user_id"));
    devices.extend(str_at("/event/olm_sender_device/device_id"));
    for p in [
        "/event/plaintext/sender",
        "/event/plaintext/recipient",
        "/event/plaintext/sender_device_keys/user_id",
    ] {
        users.extend(str_at(p));
    }
    devices.extend(str_at("/event/plaintext/sender_device_keys/device_id"));
    if let Some(keys) = input
        .pointer("/event/plaintext/sender_device_keys/keys")
        .and_then(Value::as_object)
    {
        devices.extend(
            keys.keys()
                .filter_map(|k| k.split_once(':').map(|(_, id)| id.to_owned())),
        );
    }
    for k in input
        .get("known_devices")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        users.extend(k.get("user_id").and_then(Value::as_str).map(str::to_owned));
        devices.extend(
            k.get("device_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
    }
    users.sort();
    users.dedup();
    devices.sort();
    devices.dedup();
    let named: Vec<Device> = users
        .iter()
        .flat_map(|u| devices.iter().map(move |d| Device::new(u, d)))
        .filter(|d| text.contains(&d.ed25519()) || text.contains(&d.curve25519()))
        .collect();
    let pinned_identity = (input
        .pointer("/sender_identity/state")
        .and_then(Value::as_str)
        == Some("pin_violation"))
    .then(|| {
        let sender = str_at("/event/sender").unwrap_or_default();
        let earlier = CrossSigning::new(&sender, "replay/pinned-before");
        let sender_key = str_at("/event/sender_key").unwrap_or_default();
        PinnedIdentity {
            master_key: earlier.master_key_json(),
            self_signing_key: earlier.self_signing_key_json(),
            sender_device_keys: named
                .iter()
                .find(|d| d.curve25519() == sender_key)
                .map(|d| d.device_keys(Some(&earlier))),
        }
    });
    if named.is_empty() && pinned_identity.is_none() {
        return None;
    }
    Some(Replay {
        devices: named.iter().map(Device::replay).collect(),
        pinned_identity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::verify_json;

    #[test]
    fn material_is_stable_and_label_bound() {
        assert_eq!(seed("a"), seed("a"));
        assert_ne!(seed("a"), seed("b"));
        assert_eq!(bytes("x", 70).len(), 70);
        // A pinned value: if this changes, every fixture changes. Do not update it casually.
        assert_eq!(
            b64::encode(seed("pin")),
            b64::encode(Sha256::digest(b"msc4268-conformance/material/v1\0pin"))
        );
    }

    #[test]
    fn megolm_sessions_import_into_vodozemac() {
        use vodozemac::megolm::{ExportedSessionKey as VKey, InboundGroupSession, SessionConfig};
        let k = megolm_session("room/s1", 7);
        let v = InboundGroupSession::import(
            &VKey::from_base64(&k.to_base64()).unwrap(),
            SessionConfig::version_1(),
        );
        assert_eq!(v.session_id(), k.session_id());
        assert_eq!(v.first_known_index(), 7);
    }

    #[test]
    fn replay_publishes_the_secrets_of_the_devices_the_input_names() {
        let bob = Device::new("@bob:hs2.test", "BOBDEV");
        let alice = Device::new("@alice:hs1.test", "ALICEDEV");
        let input = json!({
            "recipient": {"user_id": bob.user_id, "device_id": bob.device_id,
                          "ed25519": bob.ed25519(), "curve25519": bob.curve25519()},
            "event": {"sender": alice.user_id, "sender_key": alice.curve25519(),
                      "plaintext": {"sender_device_keys": alice.device_keys(None)}},
            "sender_identity": {"state": "pin_violation"},
        });
        let replay = replay_for(&input).unwrap();
        let named: Vec<(&str, &str)> = replay
            .devices
            .iter()
            .map(|d| (d.user_id.as_str(), d.device_id.as_str()))
            .collect();
        // Alice's and Bob's own devices; never a user with another's device ID (its keys are
        // not in the input).
        assert_eq!(
            named,
            [("@alice:hs1.test", "ALICEDEV"), ("@bob:hs2.test", "BOBDEV")]
        );
        for d in &replay.devices {
            let ed: [u8; 32] = b64::decode_array(&d.ed25519_seed, b64::Alphabet::Standard).unwrap();
            assert_eq!(
                b64::encode(SigningKey::from_bytes(&ed).verifying_key().to_bytes()),
                d.ed25519
            );
            let curve: [u8; 32] =
                b64::decode_array(&d.curve25519_secret, b64::Alphabet::Standard).unwrap();
            let public = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(curve));
            assert_eq!(b64::encode(public.as_bytes()), d.curve25519);
            let obj = d.device_keys.as_object().unwrap();
            verify_json(
                obj,
                &d.user_id,
                &format!("ed25519:{}", d.device_id),
                &ed_public(&ed),
            )
            .unwrap();
        }
        let pinned = replay.pinned_identity.unwrap();
        let ssk = pinned.self_signing_key["keys"]
            .as_object()
            .and_then(|k| k.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_owned();
        let ssk_bytes: [u8; 32] = b64::decode_array(&ssk, b64::Alphabet::Standard).unwrap();
        let dk = pinned.sender_device_keys.unwrap();
        verify_json(
            dk.as_object().unwrap(),
            &alice.user_id,
            &format!("ed25519:{ssk}"),
            &ssk_bytes,
        )
        .unwrap();
        assert_eq!(replay_for(&json!({"event": {"sender": "@x:y"}})), None);
    }

    fn ed_public(seed: &[u8; 32]) -> [u8; 32] {
        SigningKey::from_bytes(seed).verifying_key().to_bytes()
    }

    #[test]
    fn device_keys_are_self_and_cross_signed() {
        let cs = CrossSigning::new("@alice:hs1.test", "v1");
        let dev = Device::new("@alice:hs1.test", "ALICEDEV");
        let keys = dev.device_keys(Some(&cs));
        let obj = keys.as_object().unwrap();
        let own: [u8; 32] = b64::decode_array(&dev.ed25519(), b64::Alphabet::Standard).unwrap();
        verify_json(obj, &dev.user_id, "ed25519:ALICEDEV", &own).unwrap();
        let ssk: [u8; 32] = b64::decode_array(&cs.ssk_public(), b64::Alphabet::Standard).unwrap();
        verify_json(
            obj,
            &dev.user_id,
            &format!("ed25519:{}", cs.ssk_public()),
            &ssk,
        )
        .unwrap();
        let msk: [u8; 32] = b64::decode_array(&cs.msk_public(), b64::Alphabet::Standard).unwrap();
        let ssk_json = cs.self_signing_key_json();
        verify_json(
            ssk_json.as_object().unwrap(),
            &cs.user_id,
            &format!("ed25519:{}", cs.msk_public()),
            &msk,
        )
        .unwrap();
    }
}
