//! Generator of the `olm-envelope` fixtures: the Olm plaintext checks a receiver applies to an
//! `m.room_key_bundle` before recording it (R30–R32, R21, O1–O8).
//!
//! Every case starts from one valid baseline — Alice's device `ALICEDEV` sends the bundle to Bob's
//! device `BOBDEV` over Olm, with `sender_device_keys` self-signed and cross-signed — and changes
//! exactly one thing. Where the change would otherwise also break the device's self-signature
//! (a field of `sender_device_keys` changed on purpose), the device keys are signed again by the
//! key that owns them, so that the case breaks only the rule it is about. All keys and signatures
//! are real, derived from labels by [`msc4268_model::material`].

use ed25519_dalek::SigningKey;
use serde_json::{Map, Value, json};

use crate::GeneratedFile;
use crate::case::{GroupBuilder, Spec, new_file, spec};
use crate::cast::{
    ALICE, ALICE_DEVICE, ALICE_PHONE, BOB, BOB_PHONE, CAROL_DEVICE, CAROL_ON_HS2, MALLORY,
    MALLORY_DEVICE, ROOM, alice, alice_cs, bob,
};
use msc4268_corpus::fixture::{BugClass, CaseDef, Verdict};
use msc4268_model::b64;
use msc4268_model::material::{self, CrossSigning, Device};
use msc4268_model::signing::sign_json;
use msc4268_protocol::cases::{Category, KnownDevice, Recipient};
use msc4268_protocol::identifiers::{
    IdentifierVariant, ROOM_KEY_BUNDLE, ROOM_KEY_BUNDLE_UNSTABLE, SENDER_DEVICE_KEYS_UNSTABLE,
};

const DK: &str = "/sender_device_keys";
const DK_KEYS: &str = "/sender_device_keys/keys";
const DK_ED: &str = "/sender_device_keys/keys/ed25519:ALICEDEV";
const DK_CURVE: &str = "/sender_device_keys/keys/curve25519:ALICEDEV";
const DK_SIGS: &str = "/sender_device_keys/signatures";

use BugClass::*;

mod ed25519;
mod identity_binding;
mod json_text;
mod known_devices;
mod sender_device_keys;
mod signatures;
mod transport;
mod unstable;
mod valid;

// ---------------------------------------------------------------------------------------------
// Cast

/// Another device of Alice's.
fn alice_phone() -> Device {
    Device::new(ALICE, ALICE_PHONE)
}

/// Another device of Bob's.
fn bob_phone() -> Device {
    Device::new(BOB, BOB_PHONE)
}

/// Mallory's device.
fn mallory() -> Device {
    Device::new(MALLORY, MALLORY_DEVICE)
}

/// Mallory's cross-signing identity.
fn mallory_cs() -> CrossSigning {
    CrossSigning::new(MALLORY, "v1")
}

/// A device that claims Alice's device ID `ALICEDEV` with keys Alice never had.
fn alice_impostor() -> Device {
    Device {
        label: format!("{ALICE}/{ALICE_DEVICE}/impostor"),
        ..alice()
    }
}

/// The receiving device as the fixtures' group context gives it.
fn recipient() -> Recipient {
    let b = bob();
    Recipient {
        user_id: b.user_id.clone(),
        device_id: b.device_id.clone(),
        ed25519: b.ed25519(),
        curve25519: b.curve25519(),
    }
}

/// A known device record for `d`.
fn known(d: &Device) -> KnownDevice {
    KnownDevice {
        user_id: d.user_id.clone(),
        device_id: d.device_id.clone(),
        ed25519: d.ed25519(),
    }
}

/// A well-formed `m.room_key_bundle` content with deterministic, real-looking file values (the
/// file is never downloaded in this category).
fn bundle_content() -> Value {
    let label = "olm-envelope/bundle-file";
    let mut iv = material::bytes(&format!("{label}/iv"), 8);
    iv.extend_from_slice(&[0u8; 8]);
    json!({
        "room_id": ROOM,
        "file": {
            "v": "v2",
            "url": format!("mxc://hs1.test/{}", b64::encode_url_safe(material::bytes(&format!("{label}/media-id"), 18))),
            "key": {
                "kty": "oct",
                "key_ops": ["encrypt", "decrypt"],
                "alg": "A256CTR",
                "k": b64::encode_url_safe(material::bytes(&format!("{label}/key"), 32)),
                "ext": true,
            },
            "iv": b64::encode(iv),
            "hashes": {"sha256": b64::encode(material::bytes(&format!("{label}/sha256"), 32))},
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Device keys

/// `dk` with its signatures dropped, signed again by `key` as `signatures[user][key_id]`, and by
/// Alice's self-signing key if `cross_sign`.
fn signed(mut dk: Map<String, Value>, user: &str, key_id: &str, key: &SigningKey) -> Value {
    dk.remove("signatures");
    let _ = sign_json(&mut dk, user, key_id, key);
    Value::Object(dk)
}

/// `dk` signed as Alice's `ALICEDEV` would sign it (self-signature, then Alice's SSK).
fn alice_signed(dk: Map<String, Value>) -> Value {
    let mut v = signed(
        dk,
        ALICE,
        &format!("ed25519:{ALICE_DEVICE}"),
        &alice().signing_key(),
    );
    let cs = alice_cs();
    if let Some(m) = v.as_object_mut() {
        let _ = sign_json(m, ALICE, &format!("ed25519:{}", cs.ssk_public()), &cs.ssk());
    }
    v
}

/// Alice's unsigned device keys changed by `f`, then signed by Alice.
fn alice_keys_with(f: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let mut dk = alice().unsigned_device_keys();
    f(&mut dk);
    alice_signed(dk)
}

/// Alice's signed device keys changed by `f` after signing.
fn alice_keys_tampered(f: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let mut dk = alice().device_keys(Some(&alice_cs()));
    if let Some(m) = dk.as_object_mut() {
        f(m);
    }
    dk
}

/// The `keys` map of a device keys object.
fn keys_of(dk: &mut Map<String, Value>) -> Option<&mut Map<String, Value>> {
    dk.get_mut("keys").and_then(Value::as_object_mut)
}

/// The `signatures[ALICE]` map of a device keys object.
fn alice_sigs(dk: &mut Map<String, Value>) -> Option<&mut Map<String, Value>> {
    dk.get_mut("signatures")
        .and_then(|s| s.get_mut(ALICE))
        .and_then(Value::as_object_mut)
}

/// Alice's self-signature over her device keys, as written.
fn alice_self_signature() -> String {
    alice()
        .device_keys(None)
        .pointer(&format!("/signatures/{ALICE}/ed25519:{ALICE_DEVICE}"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// The envelope

/// A received to-device event and the devices the recipient knows: one case's input.
#[derive(Debug, Clone)]
struct Envelope {
    encrypted: bool,
    sender: String,
    sender_key: String,
    plaintext: Value,
    /// The plaintext as literal JSON text (sent as `plaintext_text`), when a JSON value cannot
    /// say it.
    text: Option<String>,
    known: Vec<KnownDevice>,
}

impl Envelope {
    /// Alice → Bob, Olm-encrypted, self-signed and cross-signed device keys, no known devices.
    fn baseline() -> Self {
        Self::from_device(&alice(), Some(&alice_cs()))
    }

    /// A valid envelope sent by `d` (signed by `ssk` if given) as Alice.
    fn from_device(d: &Device, ssk: Option<&CrossSigning>) -> Self {
        Envelope {
            encrypted: true,
            sender: d.user_id.clone(),
            sender_key: d.curve25519(),
            plaintext: json!({
                "type": ROOM_KEY_BUNDLE,
                "content": bundle_content(),
                "sender": d.user_id,
                "recipient": BOB,
                "recipient_keys": {"ed25519": bob().ed25519()},
                "keys": {"ed25519": d.ed25519()},
                "sender_device_keys": d.device_keys(ssk),
            }),
            text: None,
            known: Vec::new(),
        }
    }

    /// Sets the plaintext member at JSON pointer `ptr` (its parent must exist).
    fn set(mut self, ptr: &str, v: Value) -> Self {
        if ptr.is_empty() {
            self.plaintext = v;
            return self;
        }
        let (parent, key) = split(ptr);
        if let Some(Value::Object(m)) = self.plaintext.pointer_mut(parent) {
            m.insert(key, v);
        }
        self
    }

    /// Removes the plaintext member at JSON pointer `ptr`.
    fn remove(mut self, ptr: &str) -> Self {
        let (parent, key) = split(ptr);
        if let Some(Value::Object(m)) = self.plaintext.pointer_mut(parent) {
            m.remove(&key);
        }
        self
    }

    /// Replaces the device keys.
    fn device_keys(self, dk: Value) -> Self {
        self.set(DK, dk)
    }

    /// Moves the device keys to the MSC4147 unstable alias.
    fn alias_device_keys(mut self) -> Self {
        if let Some(m) = self.plaintext.as_object_mut()
            && let Some(dk) = m.remove("sender_device_keys")
        {
            m.insert(SENDER_DEVICE_KEYS_UNSTABLE.into(), dk);
        }
        self
    }

    fn sender(mut self, s: &str) -> Self {
        self.sender = s.into();
        self
    }

    fn sender_key(mut self, k: &str) -> Self {
        self.sender_key = k.into();
        self
    }

    fn unencrypted(mut self) -> Self {
        self.encrypted = false;
        self
    }

    /// Sends the plaintext as literal text: its compact serialisation edited by `edit`.
    fn text(mut self, edit: impl FnOnce(&str) -> String) -> Self {
        self.text = Some(edit(&self.plaintext.to_string()));
        self
    }

    fn known(mut self, k: Vec<KnownDevice>) -> Self {
        self.known = k;
        self
    }

    /// The case input (the recipient comes from the group context).
    fn input(&self) -> Value {
        let mut input = json!({
            "event": {
                "encrypted": self.encrypted,
                "sender": self.sender,
                "sender_key": self.sender_key,
            },
        });
        input["event"][if self.text.is_some() {
            "plaintext_text"
        } else {
            "plaintext"
        }] = match &self.text {
            Some(t) => json!(t),
            None => self.plaintext.clone(),
        };
        if self.encrypted
            && let Some(d) = fixture_device_with_curve(&self.sender_key)
        {
            input["event"]["olm_sender_device"] =
                json!({"user_id": d.user_id, "device_id": d.device_id});
        }
        if !self.known.is_empty()
            && let Some(m) = input.as_object_mut()
        {
            m.insert("known_devices".into(), super::to_json(&self.known));
        }
        input
    }
}

/// The device of this file whose Curve25519 key is `key`: the Olm account that sent the event,
/// named in the input as replay data (`olm_sender_device`).
fn fixture_device_with_curve(key: &str) -> Option<Device> {
    [alice(), alice_phone(), bob(), bob_phone(), mallory()]
        .into_iter()
        .find(|d| d.curve25519() == key)
}

/// Splits a JSON pointer into its parent pointer and its (unescaped) last segment.
fn split(ptr: &str) -> (&str, String) {
    let (parent, last) = ptr.rsplit_once('/').unwrap_or(("", ptr));
    (parent, last.replace("~1", "/").replace("~0", "~"))
}

// ---------------------------------------------------------------------------------------------
// Expectations

/// Accepted as Alice's `ALICEDEV`, with the inner type `event_type`.
fn accepted(event_type: &str) -> Value {
    json!({
        "outcome": "accepted",
        "sender": ALICE,
        "sender_device_id": ALICE_DEVICE,
        "sender_ed25519": alice().ed25519(),
        "event_type": event_type,
    })
}

/// Rejected for `rule` at `path` (a JSON pointer into the plaintext).
fn rejected(rule: &str, path: &str) -> Value {
    json!({"outcome": "rejected", "rule": rule, "path": path})
}

/// A group under construction, with the recipient in its context; its cases are envelopes.
struct Group {
    def: GroupBuilder,
}

impl Group {
    fn new(id: &str, description: &str, identifiers: IdentifierVariant) -> Self {
        let mut def = GroupBuilder::new(Category::OlmEnvelope, id, description, identifiers);
        def.context
            .insert("recipient".into(), crate::to_json(&recipient()));
        Group { def }
    }

    /// Adds the case `spec` with the envelope `env`.
    fn push(
        &mut self,
        spec: Spec<'_>,
        result: Verdict,
        env: &Envelope,
        expected: Value,
    ) -> &mut CaseDef {
        self.def.push(spec, result, env.input(), expected)
    }

    /// A valid case accepted as Alice's `ALICEDEV` with the stable event type.
    fn accept(&mut self, spec: Spec<'_>, env: Envelope) {
        self.accept_as(spec, env, ROOM_KEY_BUNDLE);
    }

    /// A valid case accepted as Alice's `ALICEDEV` with the inner type `event_type`.
    fn accept_as(&mut self, spec: Spec<'_>, env: Envelope, event_type: &str) {
        self.push(spec, Verdict::Valid, &env, accepted(event_type));
    }

    /// An invalid case rejected for `rule` at `path`.
    fn reject(&mut self, spec: Spec<'_>, env: Envelope, rule: &str, path: &str) {
        self.push(spec, Verdict::Invalid, &env, rejected(rule, path));
    }

    /// An acceptable case: the reference model accepts; rejecting for `alt_rule` also passes.
    fn acceptable(&mut self, spec: Spec<'_>, env: Envelope, alt_rule: &str) {
        let expected = accepted(
            env.plaintext
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or(ROOM_KEY_BUNDLE),
        );
        self.push(spec, Verdict::Acceptable, &env, expected)
            .also_acceptable
            .push(json!({"outcome": "rejected", "rule": alt_rule}));
    }
}

fn olm_file(module: &str, name: &str, description: &str, groups: Vec<Group>) -> GeneratedFile {
    let groups = groups.into_iter().map(|g| g.def).collect();
    new_file(Category::OlmEnvelope, module, name, description, groups)
}

/// Every `olm-envelope` fixture file.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        valid::valid(),
        transport::transport(),
        sender_device_keys::sender_device_keys(),
        identity_binding::identity_binding(),
        signatures::signatures(),
        ed25519::ed25519(),
        known_devices::known_devices(),
        json_text::json_text(),
        unstable::unstable(),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use msc4268_corpus::fixture::{Outcome, parse_file};
    use msc4268_harness::runner::{Status, run_case};
    use msc4268_model::reference::Reference;
    use msc4268_protocol::implementation::Implementation;
    use std::collections::BTreeSet;
    use std::path::Path;

    #[test]
    fn every_case_passes_under_the_reference_model() {
        let mut ids = BTreeSet::new();
        let mut total = 0;
        let mut failures = Vec::new();
        for f in files() {
            let text = crate::render(&f.file);
            let cases = parse_file(&text, Path::new(&f.path)).unwrap();
            assert!(!cases.is_empty(), "{} has no cases", f.path);
            for case in cases {
                assert!(
                    ids.insert(case.def.id.clone()),
                    "duplicate id {}",
                    case.def.id
                );
                total += 1;
                let report = run_case(&Reference, &case);
                if report.status != Status::Passed {
                    failures.push(report.explain());
                }
                // The expected path (never compared by the runner) must name where the reference
                // model finds the violation, so the fixtures document it truthfully.
                if let Outcome::OlmEnvelope(msc4268_protocol::cases::EnvelopeOutcome::Rejected(
                    want,
                )) = &case.expected
                    && let msc4268_corpus::fixture::CaseInput::OlmEnvelope(input) = &case.input
                    && let Ok(msc4268_protocol::cases::EnvelopeOutcome::Rejected(got)) =
                        Reference.check_envelope(input)
                    && want.path != got.path
                {
                    failures.push(format!(
                        "case {}: expected path {:?}, reference says {:?}",
                        case.def.id, want.path, got.path
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(total >= 60, "only {total} cases");
    }

    #[test]
    fn every_owned_rule_has_valid_and_invalid_cases() {
        let mut valid = BTreeSet::new();
        let mut invalid = BTreeSet::new();
        for f in files() {
            for g in &f.file.groups {
                for c in &g.cases {
                    let set = match c.result {
                        Verdict::Valid => &mut valid,
                        Verdict::Invalid => &mut invalid,
                        Verdict::Acceptable => continue,
                    };
                    for r in &c.rules {
                        set.insert(r.clone());
                    }
                }
            }
        }
        for rule in [
            "R21", "R30", "R31", "R32", "O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8",
        ] {
            assert!(valid.contains(rule), "no valid case for {rule}");
            assert!(invalid.contains(rule), "no invalid case for {rule}");
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let a: Vec<String> = files().iter().map(|f| crate::render(&f.file)).collect();
        let b: Vec<String> = files().iter().map(|f| crate::render(&f.file)).collect();
        assert_eq!(a, b);
    }
}
