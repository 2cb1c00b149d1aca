//! Olm plaintext envelope checks for a received `m.room_key_bundle` (R30–R32, R21, O1–O8), and the
//! receiver's trust in the sending device (X1, X2, in [`trust`]).
//!
//! [`validate`] runs the checks in a fixed order and stops at the first failure, so every
//! rejection names exactly one rule and one JSON pointer into the Olm plaintext:
//!
//! 1. R32: the event arrived Olm-encrypted.
//! 2. R31 / R21: the plaintext is an object with a string `type` naming the bundle event (stable
//!    `m.room_key_bundle` or unstable `io.element.msc4268.room_key_bundle`; anything else is R21)
//!    and an object `content`.
//! 3. R30: `sender_device_keys` (or its MSC4147 alias `org.matrix.msc4147.device_keys`) is present
//!    and not `null`; a present value that is not an object breaks R31.
//! 4. O1 `sender`, O2 `recipient`, O3 `recipient_keys.ed25519`, O5 `sender_device_keys.user_id`.
//! 5. R31: the device keys are well-formed (`device_id`, `keys`, both identity keys of that device as
//!    32-byte unpadded base64).
//! 6. O4 `keys.ed25519`, O6 the Curve25519 key against the Olm session's key, O7 the device's
//!    self-signature, O8 the key of an already known device.
//!
//! Key comparisons are made on the decoded bytes, so a padded encoding of the right key matches.

mod trust;

pub use trust::{
    CrossSigningError, IdentityState, KeyRole, SenderIdentity, SenderTrust, check_cross_signing,
    sender_trust,
};

use serde_json::{Map, Value};

use crate::b64;
use crate::error::Violation;
use crate::identifiers::{
    IdentifierVariant, ROOM_KEY_BUNDLE, ROOM_KEY_BUNDLE_UNSTABLE, SENDER_DEVICE_KEYS_UNSTABLE,
    bundle_event_variant,
};
use crate::json::{self, pointer, type_name};

/// The stable name of the Olm plaintext member carrying the sender's device keys (MSC4147).
pub const SENDER_DEVICE_KEYS: &str = "sender_device_keys";

/// The receiving device, as the envelope checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Own user ID (the plaintext's `recipient` must name it, O2).
    pub user_id: String,
    /// Own device's Ed25519 key, unpadded base64 (`recipient_keys.ed25519` must name it, O3).
    pub ed25519: String,
}

/// A device the recipient already knows (from an earlier `/keys/query` or event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    /// Owner.
    pub user_id: String,
    /// Device ID.
    pub device_id: String,
    /// Ed25519 key on record, unpadded base64 (a known device keeps it, O8).
    pub ed25519: String,
}

/// A to-device event as the recipient's Olm layer delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedToDevice {
    /// Whether it arrived as an Olm-encrypted `m.room.encrypted` (false: sent in the clear).
    pub encrypted: bool,
    /// The to-device event's `sender` (from the homeserver).
    pub sender: String,
    /// The Curve25519 key of the Olm session it was decrypted with (outer `sender_key`).
    pub sender_key: String,
    /// The decrypted Olm plaintext (`type`, `content`, `sender`, `recipient`, `keys`, ...).
    pub plaintext: Value,
    /// Set when the decrypted bytes were not JSON the receiver's parser reads (a lone surrogate,
    /// a number beyond a double): why. `plaintext` is then `null` and the event is dropped (R31).
    pub unreadable: Option<String>,
}

/// An Olm plaintext that passed every envelope check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedEnvelope {
    /// The sending user (plaintext `sender`, equal to the to-device event's sender).
    pub sender: String,
    /// The sending device's ID (from `sender_device_keys`).
    pub sender_device_id: String,
    /// The sending device's Ed25519 key, as written in `sender_device_keys`.
    pub sender_ed25519: String,
    /// The sending device's Curve25519 key, as written in `sender_device_keys`.
    pub sender_curve25519: String,
    /// The inner event type, as seen.
    pub event_type: String,
    /// Which spelling of the bundle event type was seen.
    pub event_type_variant: IdentifierVariant,
    /// The inner event content (an object; checked by [`crate::wire::to_device`]).
    pub content: Value,
    /// The sender's `DeviceKeys` object, as received.
    pub device_keys: Value,
    /// Which member carried the device keys: `sender_device_keys` (stable) or the MSC4147 alias
    /// `org.matrix.msc4147.device_keys` (unstable).
    pub device_keys_variant: IdentifierVariant,
}

/// Checks a received to-device event's Olm plaintext as the receiver of a room key bundle must.
///
/// `recipient` is the receiving device, `known_devices` the devices it already knows. Returns the
/// first violated rule, with a JSON pointer into `event.plaintext`.
pub fn validate(
    recipient: &Recipient,
    event: &ReceivedToDevice,
    known_devices: &[KnownDevice],
) -> Result<ValidatedEnvelope, Violation> {
    // R32: only an Olm-encrypted event is acted on.
    if !event.encrypted {
        return Err(Violation::new(
            "R32",
            "",
            "the event arrived unencrypted; a room key bundle is only acted on when Olm-encrypted",
        ));
    }

    // The plaintext's shape and inner type.
    if let Some(why) = &event.unreadable {
        return Err(Violation::new(
            "R31",
            "",
            format!("the decrypted Olm plaintext is not JSON this receiver reads: {why}"),
        ));
    }
    let pt = json::as_object(&event.plaintext, "", "R31")?;
    let event_type = json::required_str(pt, "type", "", "R31")?;
    let event_type_variant = bundle_event_variant(event_type).ok_or_else(|| {
        Violation::new(
            "R21",
            "/type",
            format!(
                "inner event type `{event_type}` is neither `{ROOM_KEY_BUNDLE}` nor `{ROOM_KEY_BUNDLE_UNSTABLE}`"
            ),
        )
    })?;
    let content = json::required_object(pt, "content", "", "R31")?;

    // R30: the sender's device keys must be there.
    let (dk_member, device_keys_variant, dk_value) = device_keys_member(pt)?;
    let dk_path = pointer("", dk_member);
    let dk = json::as_object(dk_value, &dk_path, "R31")?;

    // O1: plaintext `sender` = the to-device event's sender.
    let sender = string_equal(
        pt,
        "sender",
        "",
        "O1",
        &event.sender,
        "the to-device sender",
    )?;

    // O2: plaintext `recipient` = own user ID.
    string_equal(
        pt,
        "recipient",
        "",
        "O2",
        &recipient.user_id,
        "our own user ID",
    )?;

    // O3: `recipient_keys.ed25519` = own device Ed25519 key.
    let rk = json::required_object(pt, "recipient_keys", "", "O3")?;
    key_equal(
        rk,
        "ed25519",
        "/recipient_keys",
        "O3",
        &recipient.ed25519,
        "our own device's Ed25519 key",
    )?;

    // O5: `sender_device_keys.user_id` = sender.
    string_equal(
        dk,
        "user_id",
        &dk_path,
        "O5",
        sender,
        "the plaintext `sender`",
    )?;

    // R31: the device keys are well-formed.
    let device_id = json::required_str(dk, "device_id", &dk_path, "R31")?;
    let keys_path = pointer(&dk_path, "keys");
    let keys = json::required_object(dk, "keys", &dk_path, "R31")?;
    let ed_id = format!("ed25519:{device_id}");
    let curve_id = format!("curve25519:{device_id}");
    let (ed25519, ed_bytes) = identity_key(keys, &ed_id, &keys_path)?;
    let (curve25519, _) = identity_key(keys, &curve_id, &keys_path)?;

    // O4: `keys.ed25519` = the device keys' Ed25519 key.
    let claimed = json::required_object(pt, "keys", "", "O4")?;
    key_equal(
        claimed,
        "ed25519",
        "/keys",
        "O4",
        ed25519,
        "the Ed25519 key in the sender's device keys",
    )?;

    // O6: the device keys' Curve25519 key = the Olm session's sender key.
    if !same_key(curve25519, &event.sender_key) {
        return Err(Violation::new(
            "O6",
            pointer(&keys_path, &curve_id),
            format!(
                "the device's Curve25519 key `{curve25519}` is not the key of the Olm session the event was decrypted with (`{}`)",
                event.sender_key
            ),
        ));
    }

    // O7: a valid self-signature.
    if let Err(e) = crate::signing::verify_json(dk, sender, &ed_id, &ed_bytes) {
        return Err(Violation::new(
            "O7",
            pointer(&dk_path, "signatures"),
            format!("the sender's device keys lack a valid self-signature: {e}"),
        ));
    }

    // O8: a device we already know keeps its Ed25519 key.
    if let Some(known) = known_devices
        .iter()
        .find(|k| k.user_id == sender && k.device_id == device_id)
        && !same_key(&known.ed25519, ed25519)
    {
        return Err(Violation::new(
            "O8",
            pointer(&keys_path, &ed_id),
            format!(
                "device {device_id} of {sender} is known with Ed25519 key `{}`, but the event carries `{ed25519}`",
                known.ed25519
            ),
        ));
    }

    Ok(ValidatedEnvelope {
        sender: sender.to_owned(),
        sender_device_id: device_id.to_owned(),
        sender_ed25519: ed25519.to_owned(),
        sender_curve25519: curve25519.to_owned(),
        event_type: event_type.to_owned(),
        event_type_variant,
        content: Value::Object(content.clone()),
        device_keys: dk_value.clone(),
        device_keys_variant,
    })
}

/// The member carrying the device keys: the stable name if present and not null, else the MSC4147
/// alias; neither (or only nulls) breaks R30.
fn device_keys_member(
    pt: &Map<String, Value>,
) -> Result<(&'static str, IdentifierVariant, &Value), Violation> {
    for (member, variant) in [
        (SENDER_DEVICE_KEYS, IdentifierVariant::Stable),
        (SENDER_DEVICE_KEYS_UNSTABLE, IdentifierVariant::Unstable),
    ] {
        match pt.get(member) {
            None | Some(Value::Null) => {}
            Some(v) => return Ok((member, variant, v)),
        }
    }
    Err(Violation::new(
        "R30",
        pointer("", SENDER_DEVICE_KEYS),
        "the Olm plaintext carries no `sender_device_keys`; the bundle is ignored",
    ))
}

/// Requires `obj[key]` to be the string `want`; anything else breaks `rule`.
fn string_equal<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    base: &str,
    rule: &'static str,
    want: &str,
    what: &str,
) -> Result<&'a str, Violation> {
    let path = pointer(base, key);
    match obj.get(key) {
        Some(Value::String(s)) if s == want => Ok(s),
        Some(Value::String(s)) => Err(Violation::new(
            rule,
            path,
            format!("`{key}` is `{s}`, not {what} `{want}`"),
        )),
        Some(v) => Err(Violation::new(
            rule,
            path,
            format!(
                "`{key}` must be the string {what} `{want}`, found {}",
                type_name(v)
            ),
        )),
        None => Err(Violation::new(
            rule,
            path,
            format!("`{key}` is missing; it must be {what} `{want}`"),
        )),
    }
}

/// Requires `obj[key]` to be a string naming the same key as `want`; anything else breaks `rule`.
fn key_equal(
    obj: &Map<String, Value>,
    key: &str,
    base: &str,
    rule: &'static str,
    want: &str,
    what: &str,
) -> Result<(), Violation> {
    let path = pointer(base, key);
    match obj.get(key) {
        Some(Value::String(s)) if same_key(s, want) => Ok(()),
        Some(Value::String(s)) => Err(Violation::new(
            rule,
            path,
            format!("`{key}` is `{s}`, not {what} `{want}`"),
        )),
        Some(v) => Err(Violation::new(
            rule,
            path,
            format!("`{key}` must be a string, found {}", type_name(v)),
        )),
        None => Err(Violation::new(
            rule,
            path,
            format!("`{key}` is missing; it must be {what} `{want}`"),
        )),
    }
}

/// An identity key `keys[key_id]` of the device keys: a string of 32 bytes of unpadded base64
/// (R31). Returns the string and the bytes.
fn identity_key<'a>(
    keys: &'a Map<String, Value>,
    key_id: &str,
    keys_path: &str,
) -> Result<(&'a str, [u8; 32]), Violation> {
    let s = json::required_str(keys, key_id, keys_path, "R31")?;
    let bytes = b64::decode_array::<32>(s, b64::Alphabet::Standard).map_err(|e| {
        Violation::new(
            "R31",
            pointer(keys_path, key_id),
            format!("`{key_id}` is not a 32-byte unpadded base64 key: {e}"),
        )
    })?;
    Ok((s, bytes))
}

/// Whether two base64 strings encode the same 32-byte key (both must decode).
fn same_key(a: &str, b: &str) -> bool {
    match (
        b64::decode_array::<32>(a, b64::Alphabet::Standard),
        b64::decode_array::<32>(b, b64::Alphabet::Standard),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::material::{CrossSigning, Device};
    use serde_json::json;

    const ALICE: &str = "@alice:hs1.test";
    const BOB: &str = "@bob:hs2.test";

    fn alice() -> Device {
        Device::new(ALICE, "ALICEDEV")
    }

    fn bob() -> Device {
        Device::new(BOB, "BOBDEV")
    }

    fn recipient() -> Recipient {
        let b = bob();
        Recipient {
            user_id: b.user_id.clone(),
            ed25519: b.ed25519(),
        }
    }

    fn event() -> ReceivedToDevice {
        let a = alice();
        let cs = CrossSigning::new(ALICE, "v1");
        ReceivedToDevice {
            encrypted: true,
            sender: ALICE.into(),
            sender_key: a.curve25519(),
            plaintext: json!({
                "type": "m.room_key_bundle",
                "content": {"room_id": "!r:hs1.test"},
                "sender": ALICE,
                "recipient": BOB,
                "recipient_keys": {"ed25519": bob().ed25519()},
                "keys": {"ed25519": a.ed25519()},
                "sender_device_keys": a.device_keys(Some(&cs)),
            }),
            unreadable: None,
        }
    }

    fn rule_of(e: &ReceivedToDevice, known: &[KnownDevice]) -> &'static str {
        match validate(&recipient(), e, known) {
            Ok(_) => "accepted",
            Err(v) => v.rule,
        }
    }

    #[test]
    fn baseline_is_accepted_with_its_identity() {
        let v = validate(&recipient(), &event(), &[]).unwrap();
        assert_eq!(v.sender, ALICE);
        assert_eq!(v.sender_device_id, "ALICEDEV");
        assert_eq!(v.sender_ed25519, alice().ed25519());
        assert_eq!(v.sender_curve25519, alice().curve25519());
        assert_eq!(v.event_type_variant, IdentifierVariant::Stable);
        assert_eq!(v.device_keys_variant, IdentifierVariant::Stable);
    }

    #[test]
    fn each_check_names_its_rule() {
        let mut e = event();
        e.encrypted = false;
        assert_eq!(rule_of(&e, &[]), "R32");

        let mut e = event();
        e.plaintext["type"] = json!("m.room_key");
        assert_eq!(rule_of(&e, &[]), "R21");

        let mut e = event();
        e.plaintext
            .as_object_mut()
            .unwrap()
            .remove("sender_device_keys");
        assert_eq!(rule_of(&e, &[]), "R30");

        let mut e = event();
        e.plaintext["sender"] = json!("@mallory:evil.test");
        assert_eq!(rule_of(&e, &[]), "O1");

        let mut e = event();
        e.plaintext["recipient"] = json!("@carol:hs2.test");
        assert_eq!(rule_of(&e, &[]), "O2");

        let mut e = event();
        e.plaintext["recipient_keys"]["ed25519"] = json!(alice().ed25519());
        assert_eq!(rule_of(&e, &[]), "O3");

        let mut e = event();
        e.plaintext["keys"]["ed25519"] = json!(bob().ed25519());
        assert_eq!(rule_of(&e, &[]), "O4");

        let mut e = event();
        e.plaintext["sender_device_keys"]["user_id"] = json!(BOB);
        assert_eq!(rule_of(&e, &[]), "O5");

        let mut e = event();
        e.sender_key = bob().curve25519();
        assert_eq!(rule_of(&e, &[]), "O6");

        let mut e = event();
        e.plaintext["sender_device_keys"]["algorithms"] = json!([]);
        assert_eq!(rule_of(&e, &[]), "O7");

        let known = KnownDevice {
            user_id: ALICE.into(),
            device_id: "ALICEDEV".into(),
            ed25519: bob().ed25519(),
        };
        assert_eq!(rule_of(&event(), &[known]), "O8");
    }

    #[test]
    fn alias_and_unstable_type_are_reported() {
        let mut e = event();
        let pt = e.plaintext.as_object_mut().unwrap();
        let dk = pt.remove("sender_device_keys").unwrap();
        pt.insert(SENDER_DEVICE_KEYS_UNSTABLE.into(), dk);
        pt.insert("type".into(), json!(ROOM_KEY_BUNDLE_UNSTABLE));
        let v = validate(&recipient(), &e, &[]).unwrap();
        assert_eq!(v.device_keys_variant, IdentifierVariant::Unstable);
        assert_eq!(v.event_type_variant, IdentifierVariant::Unstable);
        assert_eq!(v.event_type, ROOM_KEY_BUNDLE_UNSTABLE);
    }

    #[test]
    fn malformed_keys_break_r31_with_a_path() {
        let mut e = event();
        e.plaintext["sender_device_keys"]["keys"]["ed25519:ALICEDEV"] = json!("AAAA");
        let v = validate(&recipient(), &e, &[]).unwrap_err();
        assert_eq!(v.rule, "R31");
        assert_eq!(v.path, "/sender_device_keys/keys/ed25519:ALICEDEV");
    }
}
