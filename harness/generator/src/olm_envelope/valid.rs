//! `olm-envelope/valid.json`: envelopes a receiver must accept.

use super::*;

pub(super) fn valid() -> GeneratedFile {
    let all = ["R31", "O1", "O2", "O3", "O4", "O5", "O6", "O7"];
    let mut g = Group::new(
        "valid",
        "Well-formed envelopes from Alice's ALICEDEV to Bob's BOBDEV: every Olm plaintext check passes.",
        IdentifierVariant::Stable,
    );
    g.accept(
        spec(
            "cross-signed-device",
            &all,
            "The baseline: sender, recipient, both key claims and the device keys agree, and the device keys carry Alice's self-signature and her self-signing key's signature. Every check holds, so the envelope is accepted as ALICEDEV.",
            &[],
        ),
        Envelope::baseline(),
    );
    g.accept(
        spec(
            "self-signed-only-device",
            &["R31", "O7"],
            "The device keys carry only the device's self-signature, no self-signing-key signature. The envelope checks need only the self-signature (O7); whether the device is cross-signed is the import decision's concern (X1), not the envelope's.",
            &[],
        ),
        Envelope::baseline().device_keys(alice().device_keys(None)),
    );
    g.accept(
        spec(
            "unknown-plaintext-fields",
            &["R31"],
            "The Olm plaintext carries members no spec defines. Receivers must tolerate unknown fields; nothing checked changes.",
            &[EdgeCase],
        ),
        Envelope::baseline()
            .set("/org.example.trace", json!({"hop": 1}))
            .set("/org.example.note", json!("extra")),
    );
    g.accept(
        spec(
            "unknown-keys-algorithm",
            &["R31", "O4"],
            "`keys` has an extra algorithm beside `ed25519`. O4 compares only `keys.ed25519`, which is right.",
            &[EdgeCase],
        ),
        Envelope::baseline().set(
            "/keys/org.example.algorithm",
            json!(b64::encode(material::bytes("olm-envelope/extra-key", 32))),
        ),
    );
    g.accept(
        spec(
            "unknown-recipient-keys-algorithm",
            &["R31", "O3"],
            "`recipient_keys` also lists Bob's Curve25519 key. O3 compares only `recipient_keys.ed25519`, which is Bob's device key.",
            &[EdgeCase],
        ),
        Envelope::baseline().set("/recipient_keys/curve25519", json!(bob().curve25519())),
    );
    g.accept(
        spec(
            "device-keys-unknown-signed-field",
            &["R31", "O7"],
            "The device keys carry an extra field that the self-signature covers. It is tolerated and the signature verifies over it.",
            &[EdgeCase],
        ),
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.insert("org.example.flag".into(), json!(true));
        })),
    );
    g.accept(
        spec(
            "device-keys-unknown-key-algorithm",
            &["R31", "O7"],
            "The device keys' `keys` list a key of an unknown algorithm for the same device, covered by the self-signature. Only the ed25519 and curve25519 entries matter.",
            &[EdgeCase],
        ),
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
        spec(
            "device-keys-unsigned-added-after-signing",
            &["R31", "O7"],
            "An `unsigned` section (display name) is added after signing. Signatures never cover `unsigned`, so the self-signature still verifies.",
            &[EdgeCase],
        ),
        Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
            dk.insert(
                "unsigned".into(),
                json!({"device_display_name": "Alice's laptop"}),
            );
        })),
    );
    g.accept(
        spec(
            "device-keys-signature-by-another-user",
            &["R31", "O7"],
            "The device keys also carry a valid signature by another user's device. Only Alice's self-signature is required; an extra signature by someone else changes nothing.",
            &[EdgeCase],
        ),
        Envelope::baseline().device_keys({
            let mut dk = alice().device_keys(Some(&alice_cs()));
            let carol = Device::new(CAROL_ON_HS2, CAROL_DEVICE);
            if let Some(m) = dk.as_object_mut() {
                let _ = sign_json(m, CAROL_ON_HS2, "ed25519:CAROLDEV", &carol.signing_key());
            }
            dk
        }),
    );
    g.accept(
        spec(
            "content-unknown-fields",
            &["R31"],
            "The bundle content carries an extra member. The envelope checks only that `content` is an object; the content itself is judged by the to-device-content category.",
            &[EdgeCase],
        ),
        Envelope::baseline().set("/content/org.example.note", json!("hello")),
    );

    let mut enc = Group::new(
        "key-encoding",
        "Key claims written as padded base64. The spec's appendix says decoders SHOULD accept padding; implementations differ, so these are acceptable either way.",
        IdentifierVariant::Stable,
    );
    enc.acceptable(
        spec(
            "keys-ed25519-padded",
            &["R31", "O4"],
            "`keys.ed25519` is Alice's device key with `=` padding. The bytes equal the device keys' Ed25519 key, so the reference model (which accepts padding, as the spec's SHOULD suggests) accepts; a decoder that refuses padding rejects under O4.",
            &[LenientEncoding],
        ),
        Envelope::baseline().set("/keys/ed25519", json!(format!("{}=", alice().ed25519()))),
        "O4",
    );
    enc.acceptable(
        spec(
            "recipient-keys-ed25519-padded",
            &["R31", "O3"],
            "`recipient_keys.ed25519` is Bob's device key with `=` padding. Same bytes, so accepted by the reference model; a decoder that refuses padding rejects under O3.",
            &[LenientEncoding],
        ),
        Envelope::baseline().set(
            "/recipient_keys/ed25519",
            json!(format!("{}=", bob().ed25519())),
        ),
        "O3",
    );
    olm_file(
        module_path!(),
        "valid",
        "Well-formed Olm plaintext envelopes of m.room_key_bundle that every receiver must accept.",
        vec![g, enc],
    )
}
