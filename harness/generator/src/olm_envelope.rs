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

use super::{GeneratedFile, case, file, group};
use msc4268_corpus::fixture::{Flag, GroupDef, Verdict};
use msc4268_model::b64;
use msc4268_model::material::{self, CrossSigning, Device};
use msc4268_model::signing::sign_json;
use msc4268_protocol::cases::{Category, KnownDevice, Recipient};
use msc4268_protocol::identifiers::{
    IdentifierVariant, ROOM_KEY_BUNDLE, ROOM_KEY_BUNDLE_UNSTABLE, SENDER_DEVICE_KEYS_UNSTABLE,
};

const GENERATED_BY: &str = "generate::olm_envelope";

const ALICE: &str = "@alice:hs1.test";
const ALICE_DEVICE: &str = "ALICEDEV";
const BOB: &str = "@bob:hs2.test";
const MALLORY: &str = "@mallory:evil.test";
const CAROL: &str = "@carol:hs2.test";
const ROOM: &str = "!history:hs1.test";

const DK: &str = "/sender_device_keys";
const DK_KEYS: &str = "/sender_device_keys/keys";
const DK_ED: &str = "/sender_device_keys/keys/ed25519:ALICEDEV";
const DK_CURVE: &str = "/sender_device_keys/keys/curve25519:ALICEDEV";
const DK_SIGS: &str = "/sender_device_keys/signatures";

use Flag::*;

// ---------------------------------------------------------------------------------------------
// Cast

/// Alice's device that sends the bundle.
fn alice() -> Device {
    Device::new(ALICE, ALICE_DEVICE)
}

/// Another device of Alice's.
fn alice_phone() -> Device {
    Device::new(ALICE, "ALICEPHONE")
}

/// Alice's cross-signing identity.
fn alice_cs() -> CrossSigning {
    CrossSigning::new(ALICE, "v1")
}

/// Bob's receiving device.
fn bob() -> Device {
    Device::new(BOB, "BOBDEV")
}

/// Another device of Bob's.
fn bob_phone() -> Device {
    Device::new(BOB, "BOBPHONE")
}

/// Mallory's device.
fn mallory() -> Device {
    Device::new(MALLORY, "MALLORYDEV")
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
                "plaintext": self.plaintext,
            },
        });
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

/// A group under construction, with the recipient in its context.
struct Group {
    def: GroupDef,
}

impl Group {
    fn new(id: &str, description: &str, identifiers: IdentifierVariant) -> Self {
        let mut def = group(id, description, identifiers);
        def.context
            .insert("recipient".into(), super::to_json(&recipient()));
        Group { def }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        name: &str,
        rules: &[&str],
        comment: &str,
        flags: &[Flag],
        result: Verdict,
        env: &Envelope,
        expected: Value,
    ) {
        let id = format!("{}/{}/{name}", Category::OlmEnvelope.as_str(), self.def.id);
        self.def.cases.push(case(
            id,
            rules,
            comment,
            flags,
            result,
            env.input(),
            expected,
        ));
    }

    /// A valid case accepted as Alice's `ALICEDEV` with the stable event type.
    fn accept(&mut self, name: &str, rules: &[&str], comment: &str, flags: &[Flag], env: Envelope) {
        self.accept_as(name, rules, comment, flags, env, ROOM_KEY_BUNDLE);
    }

    /// A valid case accepted as Alice's `ALICEDEV` with the inner type `event_type`.
    fn accept_as(
        &mut self,
        name: &str,
        rules: &[&str],
        comment: &str,
        flags: &[Flag],
        env: Envelope,
        event_type: &str,
    ) {
        let expected = accepted(event_type);
        self.push(name, rules, comment, flags, Verdict::Valid, &env, expected);
    }

    /// An invalid case rejected for `rule` at `path`.
    #[allow(clippy::too_many_arguments)]
    fn reject(
        &mut self,
        name: &str,
        rules: &[&str],
        comment: &str,
        flags: &[Flag],
        env: Envelope,
        rule: &str,
        path: &str,
    ) {
        let expected = rejected(rule, path);
        self.push(
            name,
            rules,
            comment,
            flags,
            Verdict::Invalid,
            &env,
            expected,
        );
    }

    /// An acceptable case: the reference model accepts; rejecting for `alt_rule` also passes.
    fn acceptable(
        &mut self,
        name: &str,
        rules: &[&str],
        comment: &str,
        flags: &[Flag],
        env: Envelope,
        alt_rule: &str,
    ) {
        let expected = accepted(
            env.plaintext
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or(ROOM_KEY_BUNDLE),
        );
        self.push(
            name,
            rules,
            comment,
            flags,
            Verdict::Acceptable,
            &env,
            expected,
        );
        if let Some(c) = self.def.cases.last_mut() {
            c.also_acceptable
                .push(json!({"outcome": "rejected", "rule": alt_rule}));
        }
    }
}

fn olm_file(name: &str, description: &str, groups: Vec<Group>) -> GeneratedFile {
    let mut f = file(Category::OlmEnvelope, name, description, GENERATED_BY);
    f.file.groups = groups.into_iter().map(|g| g.def).collect();
    f
}

/// Every `olm-envelope` fixture file.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        valid(),
        transport(),
        sender_device_keys(),
        identity_binding(),
        signatures(),
        known_devices(),
        unstable(),
    ]
}

// ---------------------------------------------------------------------------------------------
// valid.json

fn valid() -> GeneratedFile {
    let all = ["R31", "O1", "O2", "O3", "O4", "O5", "O6", "O7"];
    let mut g = Group::new(
        "valid",
        "Well-formed envelopes from Alice's ALICEDEV to Bob's BOBDEV: every Olm plaintext check passes.",
        IdentifierVariant::Stable,
    );
    g.accept(
        "cross-signed-device",
        &all,
        "The baseline: sender, recipient, both key claims and the device keys agree, and the device keys carry Alice's self-signature and her self-signing key's signature. Every check holds, so the envelope is accepted as ALICEDEV.",
        &[],
        Envelope::baseline(),
    );
    g.accept(
        "self-signed-only-device",
        &["R31", "O7"],
        "The device keys carry only the device's self-signature, no self-signing-key signature. The envelope checks need only the self-signature (O7); whether the device is cross-signed is the import decision's concern (X1), not the envelope's.",
        &[],
        Envelope::baseline().device_keys(alice().device_keys(None)),
    );
    g.accept(
        "unknown-plaintext-fields",
        &["R31"],
        "The Olm plaintext carries members no spec defines. Receivers must tolerate unknown fields; nothing checked changes.",
        &[EdgeCase],
        Envelope::baseline()
            .set("/org.example.trace", json!({"hop": 1}))
            .set("/org.example.note", json!("extra")),
    );
    g.accept(
        "unknown-keys-algorithm",
        &["R31", "O4"],
        "`keys` has an extra algorithm beside `ed25519`. O4 compares only `keys.ed25519`, which is right.",
        &[EdgeCase],
        Envelope::baseline().set(
            "/keys/org.example.algorithm",
            json!(b64::encode(material::bytes("olm-envelope/extra-key", 32))),
        ),
    );
    g.accept(
        "unknown-recipient-keys-algorithm",
        &["R31", "O3"],
        "`recipient_keys` also lists Bob's Curve25519 key. O3 compares only `recipient_keys.ed25519`, which is Bob's device key.",
        &[EdgeCase],
        Envelope::baseline().set("/recipient_keys/curve25519", json!(bob().curve25519())),
    );
    g.accept(
        "device-keys-unknown-signed-field",
        &["R31", "O7"],
        "The device keys carry an extra field that the self-signature covers. It is tolerated and the signature verifies over it.",
        &[EdgeCase],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.insert("org.example.flag".into(), json!(true));
        })),
    );
    g.accept(
        "device-keys-unknown-key-algorithm",
        &["R31", "O7"],
        "The device keys' `keys` list a key of an unknown algorithm for the same device, covered by the self-signature. Only the ed25519 and curve25519 entries matter.",
        &[EdgeCase],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            if let Some(k) = keys_of(dk) {
                k.insert(
                    format!("org.example.algorithm:{ALICE_DEVICE}"),
                    json!(b64::encode(material::bytes("olm-envelope/extra-device-key", 32))),
                );
            }
        })),
    );
    g.accept(
        "device-keys-unsigned-added-after-signing",
        &["R31", "O7"],
        "An `unsigned` section (display name) is added after signing. Signatures never cover `unsigned`, so the self-signature still verifies.",
        &[EdgeCase],
        Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
            dk.insert(
                "unsigned".into(),
                json!({"device_display_name": "Alice's laptop"}),
            );
        })),
    );
    g.accept(
        "device-keys-signature-by-another-user",
        &["R31", "O7"],
        "The device keys also carry a valid signature by another user's device. Only Alice's self-signature is required; an extra signature by someone else changes nothing.",
        &[EdgeCase],
        Envelope::baseline().device_keys({
            let mut dk = alice().device_keys(Some(&alice_cs()));
            let carol = Device::new(CAROL, "CAROLDEV");
            if let Some(m) = dk.as_object_mut() {
                let _ = sign_json(m, CAROL, "ed25519:CAROLDEV", &carol.signing_key());
            }
            dk
        }),
    );
    g.accept(
        "content-unknown-fields",
        &["R31"],
        "The bundle content carries an extra member. The envelope checks only that `content` is an object; the content itself is judged by the to-device-content category.",
        &[EdgeCase],
        Envelope::baseline().set("/content/org.example.note", json!("hello")),
    );

    let mut enc = Group::new(
        "key-encoding",
        "Key claims written as padded base64. The spec's appendix says decoders SHOULD accept padding; implementations differ, so these are acceptable either way.",
        IdentifierVariant::Stable,
    );
    enc.acceptable(
        "keys-ed25519-padded",
        &["R31", "O4"],
        "`keys.ed25519` is Alice's device key with `=` padding. The bytes equal the device keys' Ed25519 key, so the reference model (which accepts padding, as the spec's SHOULD suggests) accepts; a decoder that refuses padding rejects under O4.",
        &[LenientEncoding],
        Envelope::baseline().set("/keys/ed25519", json!(format!("{}=", alice().ed25519()))),
        "O4",
    );
    enc.acceptable(
        "recipient-keys-ed25519-padded",
        &["R31", "O3"],
        "`recipient_keys.ed25519` is Bob's device key with `=` padding. Same bytes, so accepted by the reference model; a decoder that refuses padding rejects under O3.",
        &[LenientEncoding],
        Envelope::baseline().set(
            "/recipient_keys/ed25519",
            json!(format!("{}=", bob().ed25519())),
        ),
        "O3",
    );
    olm_file(
        "valid",
        "Well-formed Olm plaintext envelopes of m.room_key_bundle that every receiver must accept.",
        vec![g, enc],
    )
}

// ---------------------------------------------------------------------------------------------
// transport.json

fn transport() -> GeneratedFile {
    let mut t = Group::new(
        "transport",
        "Whether the event arrived Olm-encrypted (R32).",
        IdentifierVariant::Stable,
    );
    t.accept(
        "olm-encrypted",
        &["R32"],
        "The baseline arrives Olm-encrypted: the transport condition holds and every other check passes.",
        &[],
        Envelope::baseline(),
    );
    t.reject(
        "unencrypted",
        &["R32"],
        "The same plaintext arrives as a cleartext to-device event. No Olm session authenticates it, so anyone can send it; it must never be acted on.",
        &[AuthBypass],
        Envelope::baseline().unencrypted(),
        "R32",
        "",
    );

    let mut ty = Group::new(
        "inner-type",
        "The decrypted inner event type (R21): only m.room_key_bundle is a bundle notification.",
        IdentifierVariant::Stable,
    );
    ty.accept(
        "stable-type",
        &["R21"],
        "The inner type is the stable `m.room_key_bundle`.",
        &[],
        Envelope::baseline(),
    );
    let wrong: [(&str, &str, &str, &[Flag]); 9] = [
        (
            "spec-typo-type",
            "m.room.key_bundle",
            "`m.room.key_bundle` is the spelling in the spec's MUST NOT sentence (digest D2), a typo for `m.room_key_bundle`; it is not the event type.",
            &[SpecAmbiguity],
        ),
        (
            "room-key-type",
            "m.room_key",
            "`m.room_key` shares one session; a receiver must not treat it as a bundle even when the content looks like one.",
            &[SchemaViolation],
        ),
        (
            "forwarded-room-key-type",
            "m.forwarded_room_key",
            "`m.forwarded_room_key` is a different event (and not a route to shareability).",
            &[SchemaViolation],
        ),
        (
            "room-encrypted-type",
            "m.room.encrypted",
            "An inner `m.room.encrypted` is a nested wrapper, not a bundle.",
            &[SchemaViolation],
        ),
        (
            "uppercase-type",
            "M.ROOM_KEY_BUNDLE",
            "Event types are case-sensitive.",
            &[EdgeCase],
        ),
        (
            "trailing-space-type",
            "m.room_key_bundle ",
            "A trailing space makes it another type.",
            &[EdgeCase],
        ),
        (
            "empty-type",
            "",
            "The empty string is no event type.",
            &[EdgeCase],
        ),
        (
            "wrong-unstable-prefix-type",
            "org.matrix.msc4268.room_key_bundle",
            "MSC4268's unstable prefix is `io.element.msc4268`; other prefixes are not aliases.",
            &[Interop],
        ),
        (
            "bundle-type-with-suffix",
            "m.room_key_bundle.v2",
            "A suffixed name is another type.",
            &[EdgeCase],
        ),
    ];
    for (name, event_type, why, flags) in wrong {
        ty.reject(
            name,
            &["R21"],
            &format!(
                "The inner type is `{event_type}`. {why} Only `m.room_key_bundle` (or the unstable `io.element.msc4268.room_key_bundle`) is acted on."
            ),
            flags,
            Envelope::baseline().set("/type", json!(event_type)),
            "R21",
            "/type",
        );
    }

    let mut shape = Group::new(
        "plaintext-shape",
        "The Olm plaintext must be an object with a string `type` and an object `content` (R31).",
        IdentifierVariant::Stable,
    );
    shape.reject(
        "plaintext-array",
        &["R31"],
        "The decrypted plaintext is a JSON array, not an Olm plaintext object.",
        &[SchemaViolation],
        Envelope::baseline().set("", json!([])),
        "R31",
        "",
    );
    shape.reject(
        "plaintext-string",
        &["R31"],
        "The decrypted plaintext is a JSON string, not an Olm plaintext object.",
        &[SchemaViolation],
        Envelope::baseline().set("", json!("m.room_key_bundle")),
        "R31",
        "",
    );
    shape.reject(
        "type-missing",
        &["R31", "R21"],
        "The plaintext has no `type`, so it names no event at all.",
        &[SchemaViolation],
        Envelope::baseline().remove("/type"),
        "R31",
        "/type",
    );
    for (name, v, what) in [
        ("type-null", json!(null), "null"),
        ("type-number", json!(1), "a number"),
        (
            "type-array",
            json!([ROOM_KEY_BUNDLE]),
            "an array holding the bundle type",
        ),
    ] {
        shape.reject(
            name,
            &["R31", "R21"],
            &format!("`type` is {what}, not a string."),
            &[SchemaViolation],
            Envelope::baseline().set("/type", v),
            "R31",
            "/type",
        );
    }
    shape.reject(
        "content-missing",
        &["R31"],
        "The plaintext has no `content`.",
        &[SchemaViolation],
        Envelope::baseline().remove("/content"),
        "R31",
        "/content",
    );
    for (name, v, what) in [
        ("content-null", json!(null), "null"),
        ("content-string", json!(ROOM), "a string"),
        (
            "content-array",
            json!([bundle_content()]),
            "an array holding the content",
        ),
    ] {
        shape.reject(
            name,
            &["R31"],
            &format!("`content` is {what}, not an object."),
            &[SchemaViolation],
            Envelope::baseline().set("/content", v),
            "R31",
            "/content",
        );
    }
    olm_file(
        "transport",
        "Transport and inner-type checks: the event must arrive Olm-encrypted (R32), be an m.room_key_bundle (R21), and be an Olm plaintext object (R31).",
        vec![t, ty, shape],
    )
}

// ---------------------------------------------------------------------------------------------
// sender-device-keys.json

fn sender_device_keys() -> GeneratedFile {
    let mut p = Group::new(
        "device-keys-presence",
        "`sender_device_keys` must be present (R30).",
        IdentifierVariant::Stable,
    );
    p.accept(
        "present",
        &["R30"],
        "The baseline carries `sender_device_keys`.",
        &[],
        Envelope::baseline(),
    );
    p.reject(
        "missing",
        &["R30"],
        "The plaintext has no `sender_device_keys`. Receivers SHOULD ignore such a bundle (MSC4268 requires MSC4147 device keys).",
        &[AuthBypass],
        Envelope::baseline().remove(DK),
        "R30",
        DK,
    );
    p.reject(
        "null",
        &["R30"],
        "`sender_device_keys` is null, which carries no device keys: treated as missing.",
        &[SchemaViolation, EdgeCase],
        Envelope::baseline().set(DK, Value::Null),
        "R30",
        DK,
    );
    let dk = alice().device_keys(Some(&alice_cs()));
    for (name, member, why) in [
        (
            "misspelled-member",
            "sender_device_key",
            "a misspelling of the member",
        ),
        (
            "bare-device-keys-member",
            "device_keys",
            "neither the stable name nor MSC4147's unstable alias `org.matrix.msc4147.device_keys`",
        ),
    ] {
        p.reject(
            name,
            &["R30"],
            &format!(
                "The device keys sit under `{member}`, {why}; `sender_device_keys` is therefore missing."
            ),
            &[SchemaViolation],
            Envelope::baseline()
                .remove(DK)
                .set(&format!("/{member}"), dk.clone()),
            "R30",
            DK,
        );
    }

    let mut s = Group::new(
        "device-keys-structure",
        "`sender_device_keys` must be a well-formed DeviceKeys object (R31). Each case is signed again by Alice's device key after the change, so only the structure is wrong.",
        IdentifierVariant::Stable,
    );
    for (name, v, what) in [
        (
            "not-an-object-string",
            json!(alice().ed25519()),
            "a string (Alice's Ed25519 key)",
        ),
        (
            "not-an-object-array",
            json!([dk.clone()]),
            "an array holding the device keys",
        ),
        ("not-an-object-boolean", json!(true), "a boolean"),
    ] {
        s.reject(
            name,
            &["R31"],
            &format!("`sender_device_keys` is {what}, not a DeviceKeys object."),
            &[SchemaViolation],
            Envelope::baseline().set(DK, v),
            "R31",
            DK,
        );
    }
    s.reject(
        "device-id-missing",
        &["R31"],
        "The device keys have no `device_id`, so the device's key IDs cannot be formed.",
        &[SchemaViolation],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.remove("device_id");
        })),
        "R31",
        "/sender_device_keys/device_id",
    );
    for (name, v, what) in [
        ("device-id-number", json!(42), "a number"),
        ("device-id-null", json!(null), "null"),
    ] {
        s.reject(
            name,
            &["R31"],
            &format!("`device_id` is {what}, not a string."),
            &[SchemaViolation],
            Envelope::baseline().device_keys(alice_keys_with(|dk| {
                dk.insert("device_id".into(), v);
            })),
            "R31",
            "/sender_device_keys/device_id",
        );
    }
    s.reject(
        "device-id-does-not-match-key-ids",
        &["R31"],
        "`device_id` says ALICEPHONE while the keys are listed as `ed25519:ALICEDEV` / `curve25519:ALICEDEV`: the device's own `ed25519:ALICEPHONE` key is missing.",
        &[SchemaViolation, Spoofing],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.insert("device_id".into(), json!("ALICEPHONE"));
        })),
        "R31",
        "/sender_device_keys/keys/ed25519:ALICEPHONE",
    );
    s.reject(
        "keys-missing",
        &["R31"],
        "The device keys have no `keys` object.",
        &[SchemaViolation],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.remove("keys");
        })),
        "R31",
        DK_KEYS,
    );
    s.reject(
        "keys-not-an-object",
        &["R31"],
        "`keys` is an array of the key strings, not an object.",
        &[SchemaViolation],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.insert(
                "keys".into(),
                json!([alice().ed25519(), alice().curve25519()]),
            );
        })),
        "R31",
        DK_KEYS,
    );
    let ed_id = format!("ed25519:{ALICE_DEVICE}");
    let curve_id = format!("curve25519:{ALICE_DEVICE}");
    s.reject(
        "ed25519-entry-missing",
        &["R31"],
        "`keys` has no `ed25519:ALICEDEV` entry.",
        &[SchemaViolation],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            keys_of(dk).map(|k| k.remove(&ed_id));
        })),
        "R31",
        DK_ED,
    );
    s.reject(
        "curve25519-entry-missing",
        &["R31"],
        "`keys` has no `curve25519:ALICEDEV` entry, so the Olm session's key cannot be bound to the device.",
        &[SchemaViolation],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            keys_of(dk).map(|k| k.remove(&curve_id));
        })),
        "R31",
        DK_CURVE,
    );
    s.reject(
        "ed25519-entry-for-another-device",
        &["R31"],
        "The Ed25519 key is listed as `ed25519:ALICEPHONE`, another device's key ID, so ALICEDEV's own entry is missing.",
        &[SchemaViolation, Spoofing],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            if let Some(k) = keys_of(dk)
                && let Some(v) = k.remove(&ed_id)
            {
                k.insert("ed25519:ALICEPHONE".into(), v);
            }
        })),
        "R31",
        DK_ED,
    );
    s.reject(
        "key-ids-without-device",
        &["R31"],
        "`keys` uses bare `ed25519` / `curve25519` names (the shape of the plaintext's `keys`), not `<algorithm>:<device_id>` key IDs.",
        &[SchemaViolation],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.insert(
                "keys".into(),
                json!({"ed25519": alice().ed25519(), "curve25519": alice().curve25519()}),
            );
        })),
        "R31",
        DK_ED,
    );
    let bad_keys: [(&str, &str, Value, &str); 9] = [
        ("ed25519-not-a-string", "ed", json!(12345), "a number"),
        (
            "ed25519-not-base64",
            "ed",
            json!("not*base64!key"),
            "not base64 at all",
        ),
        (
            "ed25519-31-bytes",
            "ed",
            json!(b64::encode(material::bytes("olm-envelope/short-key", 31))),
            "31 bytes of base64",
        ),
        (
            "ed25519-33-bytes",
            "ed",
            json!(b64::encode(material::bytes("olm-envelope/long-key", 33))),
            "33 bytes of base64",
        ),
        ("ed25519-empty", "ed", json!(""), "the empty string"),
        ("curve25519-null", "curve", json!(null), "null"),
        (
            "curve25519-not-base64",
            "curve",
            json!("@@@@"),
            "not base64 at all",
        ),
        (
            "curve25519-16-bytes",
            "curve",
            json!(b64::encode(material::bytes("olm-envelope/short-curve", 16))),
            "16 bytes of base64",
        ),
        (
            "curve25519-64-bytes",
            "curve",
            json!(b64::encode(material::bytes("olm-envelope/long-curve", 64))),
            "64 bytes of base64 (a signature's length)",
        ),
    ];
    for (name, which, v, what) in bad_keys {
        let (id, path) = if which == "ed" {
            (ed_id.clone(), DK_ED)
        } else {
            (curve_id.clone(), DK_CURVE)
        };
        s.reject(
            name,
            &["R31"],
            &format!(
                "The device keys' `{id}` is {what}; it must be a 32-byte key in unpadded base64."
            ),
            &[SchemaViolation],
            Envelope::baseline().device_keys(alice_keys_with(|dk| {
                keys_of(dk).map(|k| k.insert(id.clone(), v));
            })),
            "R31",
            path,
        );
    }
    s.acceptable(
        "algorithms-missing",
        &["R31"],
        "The device keys lack `algorithms`, which the DeviceKeys schema requires, but no Olm validation step reads it. The reference model checks only what binding the device needs and accepts; a receiver that deserialises DeviceKeys strictly (as matrix-rust-sdk does) rejects.",
        &[SchemaViolation, SpecAmbiguity],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.remove("algorithms");
        })),
        "R31",
    );
    olm_file(
        "sender-device-keys",
        "Presence (R30) and structure (R31) of the sender's MSC4147 device keys in the Olm plaintext.",
        vec![p, s],
    )
}

// ---------------------------------------------------------------------------------------------
// identity-binding.json

fn identity_binding() -> GeneratedFile {
    // O1
    let mut o1 = Group::new(
        "sender",
        "O1: the plaintext `sender` equals the to-device event's sender.",
        IdentifierVariant::Stable,
    );
    o1.reject(
        "plaintext-sender-mallory",
        &["R31", "O1"],
        "The homeserver says Alice sent the event but the plaintext names Mallory. The two must agree; the event is discarded.",
        &[Spoofing],
        Envelope::baseline().set("/sender", json!(MALLORY)),
        "O1",
        "/sender",
    );
    o1.reject(
        "event-sender-mallory",
        &["R31", "O1"],
        "The homeserver attributes the event to Mallory while the encrypted plaintext says Alice. Recording it would file Alice's bundle under the wrong (room, sender) pair, so it is discarded.",
        &[Spoofing, AuthBypass],
        Envelope::baseline().sender(MALLORY),
        "O1",
        "/sender",
    );
    o1.reject(
        "sender-missing",
        &["R31", "O1"],
        "The plaintext has no `sender`, so it cannot equal the event's sender.",
        &[SchemaViolation],
        Envelope::baseline().remove("/sender"),
        "O1",
        "/sender",
    );
    for (name, v, what, flags) in [
        ("sender-null", json!(null), "null", &[SchemaViolation][..]),
        (
            "sender-array",
            json!([ALICE]),
            "an array holding Alice's user ID",
            &[SchemaViolation][..],
        ),
        (
            "sender-case-changed",
            json!("@Alice:hs1.test"),
            "`@Alice:hs1.test`; user IDs compare exactly",
            &[EdgeCase, Spoofing][..],
        ),
        (
            "sender-other-server",
            json!("@alice:hs2.test"),
            "`@alice:hs2.test`, the same localpart on another server",
            &[Spoofing][..],
        ),
    ] {
        o1.reject(
            name,
            &["R31", "O1"],
            &format!("The plaintext `sender` is {what}, not the event's sender `{ALICE}`."),
            flags,
            Envelope::baseline().set("/sender", v),
            "O1",
            "/sender",
        );
    }

    // O2
    let mut o2 = Group::new(
        "recipient",
        "O2: the plaintext `recipient` equals the receiving user.",
        IdentifierVariant::Stable,
    );
    for (name, v, what, flags) in [
        (
            "recipient-carol",
            json!(CAROL),
            "Carol, another user on Bob's server: an envelope made for Carol replayed to Bob",
            &[Spoofing][..],
        ),
        (
            "recipient-mallory",
            json!(MALLORY),
            "Mallory",
            &[Spoofing][..],
        ),
        (
            "recipient-is-sender",
            json!(ALICE),
            "the sender Alice herself",
            &[Spoofing][..],
        ),
        (
            "recipient-case-changed",
            json!("@Bob:hs2.test"),
            "`@Bob:hs2.test`; user IDs compare exactly",
            &[EdgeCase][..],
        ),
        (
            "recipient-number",
            json!(7),
            "a number",
            &[SchemaViolation][..],
        ),
    ] {
        o2.reject(
            name,
            &["R31", "O2"],
            &format!("The plaintext `recipient` is {what}, not the receiving user `{BOB}`."),
            flags,
            Envelope::baseline().set("/recipient", v),
            "O2",
            "/recipient",
        );
    }
    o2.reject(
        "recipient-missing",
        &["R31", "O2"],
        "The plaintext has no `recipient`, so it cannot be bound to the receiving user.",
        &[SchemaViolation],
        Envelope::baseline().remove("/recipient"),
        "O2",
        "/recipient",
    );

    // O3
    let mut o3 = Group::new(
        "recipient-keys",
        "O3: `recipient_keys.ed25519` equals the receiving device's Ed25519 key.",
        IdentifierVariant::Stable,
    );
    for (name, v, what, flags) in [
        (
            "other-own-device",
            json!(bob_phone().ed25519()),
            "the key of Bob's other device BOBPHONE: an envelope made for that device replayed to this one",
            &[Spoofing][..],
        ),
        (
            "mallory-device",
            json!(mallory().ed25519()),
            "Mallory's device key",
            &[Spoofing][..],
        ),
        (
            "own-curve25519",
            json!(bob().curve25519()),
            "Bob's own Curve25519 key, a key of the wrong algorithm",
            &[EdgeCase][..],
        ),
        (
            "not-base64",
            json!("###"),
            "not base64 at all",
            &[SchemaViolation][..],
        ),
        ("null", json!(null), "null", &[SchemaViolation][..]),
    ] {
        o3.reject(
            &format!("ed25519-{name}"),
            &["R31", "O3"],
            &format!("`recipient_keys.ed25519` is {what}, not the receiving device's Ed25519 key."),
            flags,
            Envelope::baseline().set("/recipient_keys/ed25519", v),
            "O3",
            "/recipient_keys/ed25519",
        );
    }
    o3.reject(
        "ed25519-missing",
        &["R31", "O3"],
        "`recipient_keys` is an empty object: no Ed25519 key to compare.",
        &[SchemaViolation],
        Envelope::baseline().set("/recipient_keys", json!({})),
        "O3",
        "/recipient_keys/ed25519",
    );
    o3.reject(
        "recipient-keys-missing",
        &["R31", "O3"],
        "The plaintext has no `recipient_keys`.",
        &[SchemaViolation],
        Envelope::baseline().remove("/recipient_keys"),
        "O3",
        "/recipient_keys",
    );
    o3.reject(
        "recipient-keys-not-an-object",
        &["R31", "O3"],
        "`recipient_keys` is the key string itself, not an object.",
        &[SchemaViolation],
        Envelope::baseline().set("/recipient_keys", json!(bob().ed25519())),
        "O3",
        "/recipient_keys",
    );

    // O4
    let mut o4 = Group::new(
        "sender-keys",
        "O4: `keys.ed25519` equals the Ed25519 key in `sender_device_keys`.",
        IdentifierVariant::Stable,
    );
    for (name, v, what, flags) in [
        (
            "mallory-key",
            json!(mallory().ed25519()),
            "Mallory's device key",
            &[Spoofing][..],
        ),
        (
            "other-device-key",
            json!(alice_phone().ed25519()),
            "the key of Alice's other device ALICEPHONE",
            &[Spoofing][..],
        ),
        (
            "curve25519-key",
            json!(alice().curve25519()),
            "Alice's Curve25519 key, a key of the wrong algorithm",
            &[EdgeCase][..],
        ),
        ("not-a-string", json!(1), "a number", &[SchemaViolation][..]),
    ] {
        o4.reject(
            &format!("ed25519-{name}"),
            &["R31", "O4"],
            &format!(
                "`keys.ed25519` is {what}, not the Ed25519 key of the device keys (ALICEDEV's)."
            ),
            flags,
            Envelope::baseline().set("/keys/ed25519", v),
            "O4",
            "/keys/ed25519",
        );
    }
    o4.reject(
        "ed25519-missing",
        &["R31", "O4"],
        "`keys` is an empty object: the sender claims no Ed25519 key.",
        &[SchemaViolation],
        Envelope::baseline().set("/keys", json!({})),
        "O4",
        "/keys/ed25519",
    );
    o4.reject(
        "keys-missing",
        &["R31", "O4"],
        "The plaintext has no `keys`.",
        &[SchemaViolation],
        Envelope::baseline().remove("/keys"),
        "O4",
        "/keys",
    );
    o4.reject(
        "keys-not-an-object",
        &["R31", "O4"],
        "`keys` is the key string itself, not an object.",
        &[SchemaViolation],
        Envelope::baseline().set("/keys", json!(alice().ed25519())),
        "O4",
        "/keys",
    );
    o4.reject(
        "device-keys-ed25519-planted",
        &["R31", "O4"],
        "The device keys list Mallory's Ed25519 key as ALICEDEV's and are self-signed with it (so O7 alone would pass), while `keys.ed25519` still names Alice's real key. The two Ed25519 claims disagree.",
        &[KeyPlanting],
        Envelope::baseline().device_keys({
            let mut dk = alice().unsigned_device_keys();
            if let Some(k) = keys_of(&mut dk) {
                k.insert(format!("ed25519:{ALICE_DEVICE}"), json!(mallory().ed25519()));
            }
            signed(
                dk,
                ALICE,
                &format!("ed25519:{ALICE_DEVICE}"),
                &mallory().signing_key(),
            )
        }),
        "O4",
        "/keys/ed25519",
    );

    // O5
    let mut o5 = Group::new(
        "device-owner",
        "O5: `sender_device_keys.user_id` equals the sender. Each device keys object is signed again after the change.",
        IdentifierVariant::Stable,
    );
    for (name, v, what, flags) in [
        (
            "user-id-mallory",
            json!(MALLORY),
            "Mallory",
            &[Spoofing][..],
        ),
        (
            "user-id-recipient",
            json!(BOB),
            "the recipient Bob",
            &[Spoofing][..],
        ),
        (
            "user-id-case-changed",
            json!("@ALICE:hs1.test"),
            "`@ALICE:hs1.test`; user IDs compare exactly",
            &[EdgeCase][..],
        ),
        ("user-id-null", json!(null), "null", &[SchemaViolation][..]),
    ] {
        o5.reject(
            name,
            &["R31", "O5"],
            &format!(
                "The device keys' `user_id` is {what}, not the sender `{ALICE}`; the device cannot be attributed to Alice."
            ),
            flags,
            Envelope::baseline().device_keys(alice_keys_with(|dk| {
                dk.insert("user_id".into(), v);
            })),
            "O5",
            "/sender_device_keys/user_id",
        );
    }
    o5.reject(
        "user-id-missing",
        &["R31", "O5"],
        "The device keys have no `user_id`, so they name no owner.",
        &[SchemaViolation],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.remove("user_id");
        })),
        "O5",
        "/sender_device_keys/user_id",
    );
    o5.reject(
        "mallory-device-claimed-for-alice",
        &["R31", "O5"],
        "The event and plaintext say Alice, but the Olm session, `keys.ed25519` and `sender_device_keys` are all Mallory's real, self-signed and cross-signed device. Without O5, Mallory's cross-signed device would be attributed to Alice and her bundle accepted as the inviter's (the user_id check matrix-rust-sdk added in 0.17.0, CVE-2026-45056).",
        &[Spoofing, AuthBypass],
        Envelope::baseline()
            .sender_key(&mallory().curve25519())
            .set("/keys/ed25519", json!(mallory().ed25519()))
            .device_keys(mallory().device_keys(Some(&mallory_cs()))),
        "O5",
        "/sender_device_keys/user_id",
    );

    // O6
    let mut o6 = Group::new(
        "session-key",
        "O6: the device keys' Curve25519 key equals the key of the Olm session the event was decrypted with.",
        IdentifierVariant::Stable,
    );
    for (name, k, what, flags) in [
        (
            "mallory-session",
            mallory().curve25519(),
            "Mallory's device: Mallory encrypted the event herself and pasted in Alice's device keys",
            &[Spoofing, AuthBypass][..],
        ),
        (
            "other-device-session",
            alice_phone().curve25519(),
            "Alice's other device ALICEPHONE",
            &[Spoofing][..],
        ),
        (
            "ed25519-as-session-key",
            alice().ed25519(),
            "the string of Alice's Ed25519 key (wrong algorithm)",
            &[EdgeCase][..],
        ),
        ("empty-session-key", String::new(), "empty", &[EdgeCase][..]),
    ] {
        o6.reject(
            name,
            &["R31", "O6"],
            &format!(
                "The Olm session's sender key is {what}, not the `curve25519:ALICEDEV` key in the device keys."
            ),
            flags,
            Envelope::baseline().sender_key(&k),
            "O6",
            DK_CURVE,
        );
    }
    o6.reject(
        "device-keys-curve25519-planted",
        &["R31", "O6"],
        "The device keys list Mallory's Curve25519 key as ALICEDEV's and are re-signed by Alice's device key (so O7 passes), while the Olm session is Alice's real one. The device keys do not describe the session that delivered them.",
        &[KeyPlanting],
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            keys_of(dk).map(|k| {
                k.insert(
                    format!("curve25519:{ALICE_DEVICE}"),
                    json!(mallory().curve25519()),
                )
            });
        })),
        "O6",
        DK_CURVE,
    );

    olm_file(
        "identity-binding",
        "Binding the envelope to its sender, recipient, the recipient's device, the sending device and the Olm session (O1–O6): each field swapped or missing.",
        vec![o1, o2, o3, o4, o5, o6],
    )
}

// ---------------------------------------------------------------------------------------------
// signatures.json

fn signatures() -> GeneratedFile {
    let mut g = Group::new(
        "self-signature",
        "O7: `sender_device_keys` carries a valid self-signature, `signatures[<sender>][ed25519:<device_id>]` over its canonical JSON.",
        IdentifierVariant::Stable,
    );
    let ed_id = format!("ed25519:{ALICE_DEVICE}");
    g.accept(
        "unsigned-changed-after-signing",
        &["R31", "O7"],
        "The device keys were signed with an `unsigned` section that changed afterwards. `unsigned` is excluded from the signed bytes, so the self-signature still verifies.",
        &[EdgeCase],
        Envelope::baseline().device_keys({
            let mut dk = alice().unsigned_device_keys();
            dk.insert("unsigned".into(), json!({"device_display_name": "laptop"}));
            let mut v = alice_signed(dk);
            v["unsigned"] = json!({"device_display_name": "Alice's laptop"});
            v
        }),
    );

    let mut reject = |name: &str, comment: &str, flags: &[Flag], env: Envelope| {
        g.reject(name, &["R31", "O7"], comment, flags, env, "O7", DK_SIGS);
    };
    reject(
        "signatures-missing",
        "The device keys have no `signatures` at all.",
        &[AuthBypass],
        Envelope::baseline().remove(DK_SIGS),
    );
    reject(
        "signatures-empty",
        "`signatures` is an empty object.",
        &[AuthBypass],
        Envelope::baseline().set(DK_SIGS, json!({})),
    );
    reject(
        "signatures-not-an-object",
        "`signatures` is a string, not an object.",
        &[SchemaViolation],
        Envelope::baseline().set(DK_SIGS, json!(alice_self_signature())),
    );
    reject(
        "sender-signatures-empty",
        "`signatures` has an empty entry for Alice.",
        &[AuthBypass],
        Envelope::baseline().set(DK_SIGS, json!({ALICE: {}})),
    );
    reject(
        "only-ssk-signature",
        "The self-signature is removed; the self-signing key's signature remains. A cross-signature does not replace the device's own signature.",
        &[AuthBypass],
        Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
            alice_sigs(dk).map(|s| s.remove(&ed_id));
        })),
    );
    reject(
        "signed-by-mallory-key",
        "The device keys (Alice's keys) are signed under `ed25519:ALICEDEV` with Mallory's key, not with the Ed25519 key they list.",
        &[Spoofing],
        Envelope::baseline().device_keys(signed(
            alice().unsigned_device_keys(),
            ALICE,
            &ed_id,
            &mallory().signing_key(),
        )),
    );
    reject(
        "signed-by-other-own-device",
        "The device keys are signed under `ed25519:ALICEDEV` with the key of Alice's other device ALICEPHONE.",
        &[Spoofing],
        Envelope::baseline().device_keys(signed(
            alice().unsigned_device_keys(),
            ALICE,
            &ed_id,
            &alice_phone().signing_key(),
        )),
    );
    reject(
        "ssk-signature-under-device-key-id",
        "The self-signing key's signature is placed under `ed25519:ALICEDEV`. It is a real signature of these bytes, but not by the device's key.",
        &[Spoofing],
        Envelope::baseline().device_keys(signed(
            alice().unsigned_device_keys(),
            ALICE,
            &ed_id,
            &alice_cs().ssk(),
        )),
    );
    reject(
        "algorithms-changed-after-signing",
        "`algorithms` is changed after signing; the signature no longer covers the object.",
        &[Malleability],
        Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
            dk.insert("algorithms".into(), json!(["m.olm.v1.curve25519-aes-sha2"]));
        })),
    );
    reject(
        "field-added-after-signing",
        "A field outside `unsigned` is added after signing; the signed bytes change.",
        &[Malleability],
        Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
            dk.insert("org.example.flag".into(), json!(true));
        })),
    );
    reject(
        "float-added-after-signing",
        "A non-integer number is added after signing. The signature cannot cover it (canonical JSON has no floats), so verification fails.",
        &[Malleability, EdgeCase],
        Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
            dk.insert("org.example.weight".into(), json!(1.5));
        })),
    );
    reject(
        "curve25519-replaced-after-signing",
        "Mallory's Curve25519 key replaces ALICEDEV's after signing, and the event comes over Mallory's matching Olm session (so O6 passes). Only the signature catches the planted key.",
        &[KeyPlanting],
        Envelope::baseline()
            .sender_key(&mallory().curve25519())
            .device_keys(alice_keys_tampered(|dk| {
                keys_of(dk).map(|k| {
                    k.insert(
                        format!("curve25519:{ALICE_DEVICE}"),
                        json!(mallory().curve25519()),
                    )
                });
            })),
    );
    reject(
        "ed25519-replaced-after-signing",
        "Mallory's Ed25519 key replaces ALICEDEV's after signing, and `keys.ed25519` names it too (so O4 passes). Only the signature catches the planted key.",
        &[KeyPlanting],
        Envelope::baseline()
            .set("/keys/ed25519", json!(mallory().ed25519()))
            .device_keys(alice_keys_tampered(|dk| {
                keys_of(dk).map(|k| k.insert(ed_id.clone(), json!(mallory().ed25519())));
            })),
    );
    let sig = alice_self_signature();
    let sig_bytes = b64::decode(&sig, b64::Alphabet::Standard).unwrap_or_default();
    let mut flipped = sig_bytes.clone();
    if let Some(b) = flipped.last_mut() {
        *b ^= 0x01;
    }
    for (name, v, what, flags) in [
        (
            "signature-not-base64",
            json!("!!not-a-signature!!"),
            "not base64",
            &[SchemaViolation][..],
        ),
        (
            "signature-truncated",
            json!(b64::encode(&sig_bytes[..sig_bytes.len().saturating_sub(1)])),
            "the real signature less its last byte (63 bytes)",
            &[SchemaViolation][..],
        ),
        (
            "signature-bit-flipped",
            json!(b64::encode(&flipped)),
            "the real signature with one bit flipped",
            &[Malleability][..],
        ),
        (
            "signature-not-a-string",
            json!(64),
            "a number",
            &[SchemaViolation][..],
        ),
    ] {
        reject(
            name,
            &format!("The self-signature under `ed25519:ALICEDEV` is {what}."),
            flags,
            Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
                alice_sigs(dk).map(|s| s.insert(ed_id.clone(), v));
            })),
        );
    }
    for (name, user, key_id, what) in [
        (
            "signature-under-other-device-key-id",
            ALICE,
            "ed25519:ALICEPHONE",
            "under `ed25519:ALICEPHONE`, another device's key ID",
        ),
        (
            "signature-under-curve25519-key-id",
            ALICE,
            "curve25519:ALICEDEV",
            "under `curve25519:ALICEDEV`, a key ID of the wrong algorithm",
        ),
        (
            "signature-under-other-user",
            MALLORY,
            "ed25519:ALICEDEV",
            "under Mallory's user ID instead of Alice's",
        ),
    ] {
        reject(
            name,
            &format!(
                "The genuine self-signature is moved {what}; there is none at `signatures[{ALICE}][ed25519:ALICEDEV]`."
            ),
            &[SchemaViolation],
            Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
                let moved = alice_sigs(dk).and_then(|s| s.remove(&ed_id));
                if let (Some(m), Some(v)) = (
                    dk.get_mut("signatures").and_then(Value::as_object_mut),
                    moved,
                ) && let Value::Object(u) = m.entry(user.to_owned()).or_insert_with(|| json!({}))
                {
                    u.insert(key_id.to_owned(), v);
                }
            })),
        );
    }
    g.acceptable(
        "signature-padded",
        &["R31", "O7"],
        "The genuine self-signature written with `==` padding. The bytes are the same, so the reference model (which accepts padding, as the spec's SHOULD suggests) verifies it; a decoder that refuses padding rejects under O7.",
        &[LenientEncoding],
        Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
            alice_sigs(dk).map(|s| s.insert(ed_id.clone(), json!(format!("{sig}=="))));
        })),
        "O7",
    );
    olm_file(
        "signatures",
        "The self-signature on sender_device_keys (O7): missing, by the wrong key, over changed content, malformed, or under the wrong key ID.",
        vec![g],
    )
}

// ---------------------------------------------------------------------------------------------
// known-devices.json

fn known_devices() -> GeneratedFile {
    let mut g = Group::new(
        "known-device",
        "O8: if the recipient already knows the sending device, its Ed25519 key must not have changed.",
        IdentifierVariant::Stable,
    );
    g.accept(
        "no-known-devices",
        &["R31", "O8"],
        "The recipient knows no device of Alice's: nothing to compare, the device keys are taken as they are.",
        &[],
        Envelope::baseline(),
    );
    g.accept(
        "known-same-key",
        &["R31", "O8"],
        "ALICEDEV is known with the key the envelope carries.",
        &[],
        Envelope::baseline().known(vec![known(&alice())]),
    );
    g.accept(
        "known-other-device-of-sender",
        &["R31", "O8"],
        "Only Alice's other device ALICEPHONE is known; ALICEDEV is new to the recipient.",
        &[],
        Envelope::baseline().known(vec![known(&alice_phone())]),
    );
    g.accept(
        "known-same-device-id-other-user",
        &["R31", "O8"],
        "Mallory has a device also called ALICEDEV with another key. Devices are identified by (user, device ID), so it is not Alice's device.",
        &[EdgeCase],
        Envelope::baseline().known(vec![known(&Device {
            user_id: MALLORY.into(),
            ..alice_impostor()
        })]),
    );
    g.accept(
        "known-device-id-other-case",
        &["R31", "O8"],
        "Alice has a known device `alicedev` (lower case) with another key. Device IDs compare exactly, so it is not ALICEDEV.",
        &[EdgeCase],
        Envelope::baseline().known(vec![known(&Device {
            device_id: "alicedev".into(),
            ..alice_impostor()
        })]),
    );
    g.reject(
        "known-key-changed",
        &["R31", "O8"],
        "The recipient knows ALICEDEV with an earlier Ed25519 key; the envelope's device keys (otherwise valid) carry another one. A device's identity key never changes, so this is a planted device.",
        &[KeyPlanting],
        Envelope::baseline().known(vec![KnownDevice {
            ed25519: material::ed25519_public_b64(&format!("{ALICE}/{ALICE_DEVICE}/previous")),
            ..known(&alice())
        }]),
        "O8",
        DK_ED,
    );
    g.reject(
        "impostor-device",
        &["R31", "O8"],
        "Every field is consistent and self-signed, but by a device that reuses the ID ALICEDEV with new keys, while the recipient knows ALICEDEV's real key. Accepting it would let anyone who controls Alice's homeserver replace her device.",
        &[KeyPlanting, Spoofing],
        Envelope::from_device(&alice_impostor(), None).known(vec![known(&alice())]),
        "O8",
        DK_ED,
    );
    g.reject(
        "known-key-changed-among-others",
        &["R31", "O8"],
        "Several devices are known; ALICEDEV's recorded key differs from the envelope's. The unrelated, matching records do not hide the mismatch.",
        &[KeyPlanting],
        Envelope::baseline().known(vec![
            known(&alice_phone()),
            known(&bob_phone()),
            KnownDevice {
                ed25519: material::ed25519_public_b64(&format!("{ALICE}/{ALICE_DEVICE}/previous")),
                ..known(&alice())
            },
        ]),
        "O8",
        DK_ED,
    );
    olm_file(
        "known-devices",
        "A device the recipient already knows must keep its Ed25519 key (O8).",
        vec![g],
    )
}

// ---------------------------------------------------------------------------------------------
// unstable.json

fn unstable() -> GeneratedFile {
    let mut ty = Group::new(
        "unstable-event-type",
        "The unstable MSC4268 event type `io.element.msc4268.room_key_bundle`, which pre-stable clients send and current SDKs still read.",
        IdentifierVariant::Unstable,
    );
    let unstable_type = || Envelope::baseline().set("/type", json!(ROOM_KEY_BUNDLE_UNSTABLE));
    ty.accept_as(
        "unstable-type",
        &["R21"],
        "The inner type is the unstable `io.element.msc4268.room_key_bundle`; everything else is the valid baseline. Accepted, reporting the type as seen.",
        &[Legacy],
        unstable_type(),
        ROOM_KEY_BUNDLE_UNSTABLE,
    );
    ty.reject(
        "unstable-type-unencrypted",
        &["R32"],
        "The unstable type arrives unencrypted: R32 applies to both spellings.",
        &[Legacy, AuthBypass],
        unstable_type().unencrypted(),
        "R32",
        "",
    );
    ty.reject(
        "unstable-type-without-device-keys",
        &["R30"],
        "The unstable type without `sender_device_keys`: R30 applies to both spellings.",
        &[Legacy, AuthBypass],
        unstable_type().remove(DK),
        "R30",
        DK,
    );
    ty.reject(
        "unstable-type-wrong-sender",
        &["R31", "O1"],
        "The unstable type with the plaintext `sender` swapped for Mallory: O1 applies to both spellings.",
        &[Legacy, Spoofing],
        unstable_type().set("/sender", json!(MALLORY)),
        "O1",
        "/sender",
    );

    let alias = format!("/{SENDER_DEVICE_KEYS_UNSTABLE}");
    let mut dk = Group::new(
        "unstable-device-keys",
        "The device keys under MSC4147's unstable member `org.matrix.msc4147.device_keys`, which matrix-rust-sdk reads as an alias of `sender_device_keys`.",
        IdentifierVariant::Unstable,
    );
    dk.accept(
        "alias-only",
        &["R30"],
        "The device keys sit under `org.matrix.msc4147.device_keys` instead of `sender_device_keys`. The alias carries the same object, so R30 holds and every check passes.",
        &[Legacy],
        Envelope::baseline().alias_device_keys(),
    );
    dk.accept_as(
        "alias-with-unstable-type",
        &["R30", "R21"],
        "A pre-stable sender: unstable event type and unstable device-keys member. Accepted.",
        &[Legacy],
        Envelope::baseline()
            .alias_device_keys()
            .set("/type", json!(ROOM_KEY_BUNDLE_UNSTABLE)),
        ROOM_KEY_BUNDLE_UNSTABLE,
    );
    dk.reject(
        "alias-null",
        &["R30"],
        "The alias member is null and `sender_device_keys` is absent: no device keys.",
        &[Legacy, SchemaViolation],
        Envelope::baseline().remove(DK).set(&alias, Value::Null),
        "R30",
        DK,
    );
    dk.reject(
        "alias-not-an-object",
        &["R31"],
        "The alias member holds a string, not a DeviceKeys object.",
        &[Legacy, SchemaViolation],
        Envelope::baseline()
            .alias_device_keys()
            .set(&alias, json!(alice().ed25519())),
        "R31",
        &alias,
    );
    dk.reject(
        "alias-user-id-mallory",
        &["R31", "O5"],
        "The alias's device keys name Mallory as owner (re-signed by Alice's device key): O5 applies through the alias.",
        &[Legacy, Spoofing],
        Envelope::baseline()
            .device_keys(alice_keys_with(|dk| {
                dk.insert("user_id".into(), json!(MALLORY));
            }))
            .alias_device_keys(),
        "O5",
        &format!("{alias}/user_id"),
    );
    dk.reject(
        "alias-curve25519-planted",
        &["R31", "O6"],
        "The alias's device keys list Mallory's Curve25519 key (re-signed by Alice's device key) while the Olm session is Alice's: O6 applies through the alias.",
        &[Legacy, KeyPlanting],
        Envelope::baseline()
            .device_keys(alice_keys_with(|dk| {
                keys_of(dk).map(|k| {
                    k.insert(
                        format!("curve25519:{ALICE_DEVICE}"),
                        json!(mallory().curve25519()),
                    )
                });
            }))
            .alias_device_keys(),
        "O6",
        &format!("{alias}/keys/curve25519:{ALICE_DEVICE}"),
    );
    dk.reject(
        "alias-changed-after-signing",
        &["R31", "O7"],
        "The alias's device keys were changed after signing: O7 applies through the alias.",
        &[Legacy, Malleability],
        Envelope::baseline()
            .device_keys(alice_keys_tampered(|dk| {
                dk.insert("algorithms".into(), json!([]));
            }))
            .alias_device_keys(),
        "O7",
        &format!("{alias}/signatures"),
    );
    let full = alice().device_keys(Some(&alice_cs()));
    dk.acceptable(
        "stable-and-alias-identical",
        &["R30", "R31"],
        "Both `sender_device_keys` and the alias carry the same valid device keys. The spec knows only the stable member, so a spec reader uses it and accepts (the reference model does); matrix-rust-sdk's serde alias sees a duplicate field and drops the event. Either is acceptable.",
        &[Interop, SpecAmbiguity],
        Envelope::baseline().set(&alias, full.clone()),
        "R31",
    );
    dk.acceptable(
        "stable-null-alias-present",
        &["R30", "R31"],
        "`sender_device_keys` is null and the alias carries valid device keys. The reference model takes a null member as absent and reads the alias; a receiver that reads only the stable member (R30) or sees a duplicate field rejects. Either is acceptable.",
        &[Interop, SpecAmbiguity],
        Envelope::baseline().set(DK, Value::Null).set(&alias, full),
        "R30",
    );
    olm_file(
        "unstable",
        "Unstable identifiers in the Olm envelope: MSC4268's event type and MSC4147's device-keys member.",
        vec![ty, dk],
    )
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
