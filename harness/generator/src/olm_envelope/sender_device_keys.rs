//! `olm-envelope/sender-device-keys.json`: the shape of `sender_device_keys` (R32).

use super::*;

pub(super) fn sender_device_keys() -> GeneratedFile {
    let mut p = Group::new(
        "device-keys-presence",
        "`sender_device_keys` must be present (R30).",
        IdentifierVariant::Stable,
    );
    p.accept(
        spec(
            "present",
            &["R30"],
            "The baseline carries `sender_device_keys`.",
            &[],
        ),
        Envelope::baseline(),
    );
    p.reject(
        spec(
            "missing",
            &["R30"],
            "The plaintext has no `sender_device_keys`. Receivers SHOULD ignore such a bundle (MSC4268 requires MSC4147 device keys).",
            &[AuthBypass],
        ),
        Envelope::baseline().remove(DK),
        "R30",
        DK,
    );
    p.reject(
        spec(
            "null",
            &["R30"],
            "`sender_device_keys` is null, which carries no device keys: treated as missing.",
            &[SchemaViolation, EdgeCase],
        ),
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
        p.reject(spec(name, &["R30"], &format!(
                "The device keys sit under `{member}`, {why}; `sender_device_keys` is therefore missing."
            ), &[SchemaViolation]), Envelope::baseline()
                .remove(DK)
                .set(&format!("/{member}"), dk.clone()), "R30", DK);
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
            spec(
                name,
                &["R31"],
                &format!("`sender_device_keys` is {what}, not a DeviceKeys object."),
                &[SchemaViolation],
            ),
            Envelope::baseline().set(DK, v),
            "R31",
            DK,
        );
    }
    s.reject(
        spec(
            "device-id-missing",
            &["R31"],
            "The device keys have no `device_id`, so the device's key IDs cannot be formed.",
            &[SchemaViolation],
        ),
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
            spec(
                name,
                &["R31"],
                &format!("`device_id` is {what}, not a string."),
                &[SchemaViolation],
            ),
            Envelope::baseline().device_keys(alice_keys_with(|dk| {
                dk.insert("device_id".into(), v);
            })),
            "R31",
            "/sender_device_keys/device_id",
        );
    }
    s.reject(
        spec(
            "device-id-does-not-match-key-ids",
            &["R31"],
            "`device_id` says ALICEPHONE while the keys are listed as `ed25519:ALICEDEV` / `curve25519:ALICEDEV`: the device's own `ed25519:ALICEPHONE` key is missing.",
            &[SchemaViolation, Spoofing],
        ),
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.insert("device_id".into(), json!("ALICEPHONE"));
        })),
        "R31",
        "/sender_device_keys/keys/ed25519:ALICEPHONE",
    );
    s.reject(
        spec(
            "keys-missing",
            &["R31"],
            "The device keys have no `keys` object.",
            &[SchemaViolation],
        ),
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.remove("keys");
        })),
        "R31",
        DK_KEYS,
    );
    s.reject(
        spec(
            "keys-not-an-object",
            &["R31"],
            "`keys` is an array of the key strings, not an object.",
            &[SchemaViolation],
        ),
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
        spec(
            "ed25519-entry-missing",
            &["R31"],
            "`keys` has no `ed25519:ALICEDEV` entry.",
            &[SchemaViolation],
        ),
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            keys_of(dk).map(|k| k.remove(&ed_id));
        })),
        "R31",
        DK_ED,
    );
    s.reject(
        spec(
            "curve25519-entry-missing",
            &["R31"],
            "`keys` has no `curve25519:ALICEDEV` entry, so the Olm session's key cannot be bound to the device.",
            &[SchemaViolation],
        ),
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            keys_of(dk).map(|k| k.remove(&curve_id));
        })),
        "R31",
        DK_CURVE,
    );
    s.reject(
        spec(
            "ed25519-entry-for-another-device",
            &["R31"],
            "The Ed25519 key is listed as `ed25519:ALICEPHONE`, another device's key ID, so ALICEDEV's own entry is missing.",
            &[SchemaViolation, Spoofing],
        ),
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
        spec(
            "key-ids-without-device",
            &["R31"],
            "`keys` uses bare `ed25519` / `curve25519` names (the shape of the plaintext's `keys`), not `<algorithm>:<device_id>` key IDs.",
            &[SchemaViolation],
        ),
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
        s.reject(spec(name, &["R31"], &format!(
                "The device keys' `{id}` is {what}; it must be a 32-byte key in unpadded base64."
            ), &[SchemaViolation]), Envelope::baseline().device_keys(alice_keys_with(|dk| {
                keys_of(dk).map(|k| k.insert(id.clone(), v));
            })), "R31", path);
    }
    s.acceptable(
        spec(
            "algorithms-missing",
            &["R31"],
            "The device keys lack `algorithms`, which the DeviceKeys schema requires, but no Olm validation step reads it. The reference model checks only what binding the device needs and accepts; a receiver that deserialises DeviceKeys strictly (as matrix-rust-sdk does) rejects.",
            &[SchemaViolation, SpecAmbiguity],
        ),
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.remove("algorithms");
        })),
        "R31",
    );
    olm_file(
        module_path!(),
        "sender-device-keys",
        "Presence (R30) and structure (R31) of the sender's MSC4147 device keys in the Olm plaintext.",
        vec![p, s],
    )
}
