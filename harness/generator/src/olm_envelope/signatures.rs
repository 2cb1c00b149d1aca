//! `olm-envelope/signatures.json`: the device's self-signature and its owner's cross-signature.

use super::*;

pub(super) fn signatures() -> GeneratedFile {
    let mut g = Group::new(
        "self-signature",
        "O7: `sender_device_keys` carries a valid self-signature, `signatures[<sender>][ed25519:<device_id>]` over its canonical JSON.",
        IdentifierVariant::Stable,
    );
    let ed_id = format!("ed25519:{ALICE_DEVICE}");
    g.accept(
        spec(
            "unsigned-changed-after-signing",
            &["R31", "O7"],
            "The device keys were signed with an `unsigned` section that changed afterwards. `unsigned` is excluded from the signed bytes, so the self-signature still verifies.",
            &[EdgeCase],
        ),
        Envelope::baseline().device_keys({
            let mut dk = alice().unsigned_device_keys();
            dk.insert("unsigned".into(), json!({"device_display_name": "laptop"}));
            let mut v = alice_signed(dk);
            v["unsigned"] = json!({"device_display_name": "Alice's laptop"});
            v
        }),
    );

    let mut reject = |name: &str, comment: &str, flags: &[BugClass], env: Envelope| {
        g.reject(
            spec(name, &["R31", "O7"], comment, flags),
            env,
            "O7",
            DK_SIGS,
        );
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
        spec(
            "signature-padded",
            &["R31", "O7"],
            "The genuine self-signature written with `==` padding. The bytes are the same, so the reference model (which accepts padding, as the spec's SHOULD suggests) verifies it; a decoder that refuses padding rejects under O7.",
            &[LenientEncoding],
        ),
        Envelope::baseline().device_keys(alice_keys_tampered(|dk| {
            alice_sigs(dk).map(|s| s.insert(ed_id.clone(), json!(format!("{sig}=="))));
        })),
        "O7",
    );
    olm_file(
        module_path!(),
        "signatures",
        "The self-signature on sender_device_keys (O7): missing, by the wrong key, over changed content, malformed, or under the wrong key ID.",
        vec![g],
    )
}
