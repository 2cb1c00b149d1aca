//! `bundle-parsing/room-key-fields.json`: the fields of a `room_keys` entry (R15); a broken entry is
//! skipped beside a good one.

use super::*;

/// 32 deterministic bytes that are not the encoding of an Ed25519 curve point.
fn not_a_point() -> [u8; 32] {
    (0u32..)
        .map(|i| {
            let mut b = [0u8; 32];
            b.copy_from_slice(&material::bytes(&format!("not-a-point/{i}"), 32));
            b
        })
        .find(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_err())
        .unwrap_or([0xff; 32])
}

pub(super) fn room_key_fields() -> GeneratedFile {
    let mut f = file(
        CAT,
        "room-key-fields",
        "Each `room_keys` entry has the six fields of HistoricRoomKey, well-formed (R15).",
        module_path!(),
    );
    let mut g = GroupBuilder::new(
        CAT,
        "missing-or-mistyped",
        "One field of one entry is missing or has the wrong type.",
        IdentifierVariant::Stable,
    );
    let base = Key::new("fields", 3).json();
    for field in [
        "algorithm",
        "room_id",
        "sender_key",
        "sender_claimed_keys",
        "session_id",
        "session_key",
    ] {
        let mut e = base.clone();
        e.as_object_mut().map(|m| m.remove(field));
        broken_key(
            &mut g,
            &format!("missing-{}", field.replace('_', "-")),
            "R15",
            &format!("`{field}` is required in every room_keys entry."),
            &[BugClass::SchemaViolation],
            e,
        );
        let mut e = base.clone();
        e[field] = json!(42);
        broken_key(
            &mut g,
            &format!("{}-is-number", field.replace('_', "-")),
            "R15",
            &format!("`{field}` must not be a number."),
            &[BugClass::SchemaViolation],
            e,
        );
    }
    for (name, v) in [
        ("entry-is-string", json!("key")),
        ("entry-is-null", Value::Null),
        ("entry-is-array", json!([base.clone()])),
    ] {
        broken_key(
            &mut g,
            name,
            "R15",
            "Every room_keys entry must be an object.",
            &[BugClass::SchemaViolation],
            v,
        );
    }
    f.file.groups.push(g.finish());

    let mut g = GroupBuilder::new(
        CAT,
        "values",
        "Fields present with malformed values.",
        IdentifierVariant::Stable,
    );
    let mut e = base.clone();
    e["room_id"] = json!("#alias:hs1.test");
    broken_key(
        &mut g,
        "room-id-is-alias",
        "R46",
        "A room alias is not a room ID.",
        &[BugClass::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["room_id"] = json!("");
    broken_key(
        &mut g,
        "room-id-empty",
        "R46",
        "An empty string is not a room ID.",
        &[BugClass::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["sender_key"] = json!(b64::encode(material::bytes("short", 31)));
    broken_key(
        &mut g,
        "sender-key-31-bytes",
        "R15",
        "sender_key is a 32-byte Curve25519 key.",
        &[BugClass::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["sender_key"] = json!("not base64!");
    broken_key(
        &mut g,
        "sender-key-not-base64",
        "R15",
        "sender_key must be unpadded base64.",
        &[BugClass::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["sender_claimed_keys"] = json!({});
    broken_key(
        &mut g,
        "claimed-keys-without-ed25519",
        "R15",
        "sender_claimed_keys is an empty object. The HistoricRoomKey schema makes the member required but gives it only `additionalProperties: string` (\"A map from algorithm name (`ed25519`) to the Ed25519 signing key\"), with no required `ed25519`, so the entry is not invalid. The reference skips it (a key it cannot attribute to a claimed device, R44); importing it, as matrix-sdk-crypto does, and refusing the bundle are also acceptable (decision S13).",
        &[BugClass::SpecAmbiguity, BugClass::Spoofing],
        e,
    );
    if let Some(c) = g.cases.last_mut() {
        c.result = Verdict::Acceptable;
        c.also_acceptable.push(parsed(
            vec![
                Key::new("values-good", 0).summary("/room_keys/0"),
                Key::new("fields", 3).summary("/room_keys/1"),
            ],
            vec![],
            vec![],
        ));
    }
    let mut e = base.clone();
    e["sender_claimed_keys"] = json!({"ed25519": b64::encode(material::bytes("long", 33))});
    broken_key(
        &mut g,
        "claimed-ed25519-33-bytes",
        "R15",
        "The claimed ed25519 key is 32 bytes.",
        &[BugClass::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["sender_claimed_keys"] = json!({"ed25519": b64::encode(not_a_point())});
    broken_key(
        &mut g,
        "claimed-ed25519-not-a-point",
        "R15",
        "The claimed ed25519 value is 32 bytes but no Ed25519 public key: the point does not decompress (found by differential fuzzing, F17: the reference used to check only the length; matrix-sdk-crypto refuses the bundle).",
        &[BugClass::SchemaViolation],
        e,
    );
    f.file.groups.push(g.finish());

    let mut g = GroupBuilder::new(
        CAT,
        "session-key",
        "session_key must be a Megolm key in the export format: 0x01, index, ratchet, Ed25519 key (165 bytes).",
        IdentifierVariant::Stable,
    );
    let k = material::megolm_session("bundle-parsing/fields", 3);
    let bytes = k.to_bytes();
    let variants: Vec<(&str, Vec<u8>, &str, Vec<BugClass>)> = vec![
        (
            "sharing-format",
            {
                let mut b = bytes.clone();
                b[0] = 0x02;
                b.extend_from_slice(&material::bytes("sig", 64));
                b
            },
            "The sharing format (0x02 + signature, as in m.room_key and the spec's misleading examples, D4) is not the export format.",
            vec![BugClass::Legacy, BugClass::SchemaViolation],
        ),
        (
            "version-0",
            {
                let mut b = bytes.clone();
                b[0] = 0x00;
                b
            },
            "Version byte 0x00 is unknown.",
            vec![BugClass::SchemaViolation],
        ),
        (
            "truncated-164",
            bytes[..164].to_vec(),
            "One byte short of 165.",
            vec![BugClass::SchemaViolation, BugClass::EdgeCase],
        ),
        (
            "extended-166",
            {
                let mut b = bytes.clone();
                b.push(0);
                b
            },
            "One byte too many.",
            vec![BugClass::SchemaViolation, BugClass::EdgeCase],
        ),
        (
            "only-version-byte",
            vec![0x01],
            "Just the version byte.",
            vec![BugClass::SchemaViolation],
        ),
        (
            "empty",
            vec![],
            "Empty key.",
            vec![BugClass::SchemaViolation],
        ),
    ];
    for (name, b, comment, flags) in variants {
        let mut e = base.clone();
        e["session_key"] = json!(b64::encode(&b));
        broken_key(&mut g, name, "R15", comment, &flags, e);
    }
    let mut invalid_point = bytes.clone();
    // y = 2 is not the y-coordinate of any point on edwards25519 (no square root exists).
    let mut y = [0u8; 32];
    y[0] = 2;
    invalid_point[133..165].copy_from_slice(&y);
    let mut e = base.clone();
    e["session_key"] = json!(b64::encode(&invalid_point));
    broken_key(
        &mut g,
        "signing-key-not-a-point",
        "R15",
        "The embedded Ed25519 key does not decode to a curve point.",
        &[BugClass::SchemaViolation, BugClass::KeyPlanting],
        e,
    );
    let mut e = base.clone();
    e["session_key"] = json!(format!("{}!", k.to_base64()));
    broken_key(
        &mut g,
        "not-base64",
        "R15",
        "session_key must be base64.",
        &[BugClass::SchemaViolation],
        e,
    );
    f.file.groups.push(g.finish());
    f
}
