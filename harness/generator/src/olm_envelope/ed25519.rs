//! `olm-envelope/ed25519-strictness.json`: the device self-signature (O7) on the inputs where
//! Ed25519 verifiers differ (R50, decision S12): small-order public keys and R, S ≥ L,
//! non-canonical encodings. The texts fix no verifier, so these cases are `acceptable`; the
//! reference (cofactorless `verify`) accepts small-order keys and R and refuses S ≥ L and a
//! non-canonical R, a strict verifier (vodozemac's `verify_strict`) refuses all of them. A
//! signature that no verifier accepts (S ≥ 2^253) is `invalid`.

use msc4268_model::ed25519_edge::{
    IDENTITY, IDENTITY_NON_CANONICAL, for_identity_key, json_message, json_signature,
    put_signature, s_plus_l, s_top_bits_set, with_identity_r,
};

use super::*;

/// Alice's device keys with `ed25519` as their Ed25519 key, self-signed with the signature
/// `self_signature` makes of them, then cross-signed by Alice's self-signing key.
fn keys_signed_with(
    ed25519: [u8; 32],
    self_signature: impl FnOnce(&Map<String, Value>) -> [u8; 64],
) -> Value {
    let mut dk = alice().unsigned_device_keys();
    if let Some(keys) = keys_of(&mut dk) {
        keys.insert(
            format!("ed25519:{ALICE_DEVICE}"),
            json!(b64::encode(ed25519)),
        );
    }
    let sig = self_signature(&dk);
    put_signature(&mut dk, ALICE, &format!("ed25519:{ALICE_DEVICE}"), sig);
    let cs = alice_cs();
    let _ = sign_json(
        &mut dk,
        ALICE,
        &format!("ed25519:{}", cs.ssk_public()),
        &cs.ssk(),
    );
    Value::Object(dk)
}

/// The baseline envelope with `dk` as the device keys and its Ed25519 key in `keys.ed25519`.
fn envelope_with(ed25519: [u8; 32], dk: Value) -> Envelope {
    Envelope::baseline()
        .device_keys(dk)
        .set("/keys/ed25519", json!(b64::encode(ed25519)))
}

/// Accepted as Alice's `ALICEDEV` with the Ed25519 key `ed25519`.
fn accepted_with(ed25519: [u8; 32]) -> Value {
    let mut v = accepted(ROOM_KEY_BUNDLE);
    v["sender_ed25519"] = json!(b64::encode(ed25519));
    v
}

/// Alice's real device key, as bytes.
fn alice_key() -> [u8; 32] {
    alice().signing_key().verifying_key().to_bytes()
}

pub(super) fn ed25519() -> GeneratedFile {
    let mut g = Group::new(
        "ed25519-strictness",
        "R50 (decision S12): the device self-signature (O7) on inputs where Ed25519 verifiers differ. The texts name only \"`ed25519` as implemented by NACL\" and RFC 8032 allows a cofactorless check, so accepting or refusing is acceptable; the reference uses the cofactorless `verify` of ed25519-dalek, vodozemac `verify_strict`.",
        IdentifierVariant::Stable,
    );
    let flags = &[SpecAmbiguity, Interop, EdgeCase];
    let may_reject = |c: &mut CaseDef| c.also_acceptable.push(rejected("O7", DK_SIGS));
    let may_accept = |c: &mut CaseDef, ed: [u8; 32]| c.also_acceptable.push(accepted_with(ed));

    let forged = for_identity_key("olm-envelope/small-order-device-key");
    let c = g.push(
        spec(
            "small-order-device-key",
            &["R50", "O7"],
            "The device's Ed25519 key is the identity point (order 1, canonical encoding) and the self-signature is R = [s]B, S = s, which the cofactorless equation accepts for every message because [k]A vanishes. The reference (cofactorless `verify`) accepts; a strict verifier refuses the small-order key. Both are acceptable: the device is still bound to the Olm session by O6.",
            flags,
        ),
        Verdict::Acceptable,
        &envelope_with(IDENTITY, keys_signed_with(IDENTITY, |_| forged)),
        accepted_with(IDENTITY),
    );
    may_reject(c);

    let c = g.push(
        spec(
            "small-order-device-key-non-canonical",
            &["R50", "O7"],
            "As `small-order-device-key`, with the identity point written non-canonically (y = p + 1, bytes `ee ff … ff 7f`). RFC 8032's decoding fails on it; ed25519-dalek reduces y and the reference's cofactorless `verify` accepts; a strict verifier refuses the small-order key.",
            flags,
        ),
        Verdict::Acceptable,
        &envelope_with(
            IDENTITY_NON_CANONICAL,
            keys_signed_with(IDENTITY_NON_CANONICAL, |_| forged),
        ),
        accepted_with(IDENTITY_NON_CANONICAL),
    );
    may_reject(c);

    let c = g.push(
        spec(
            "small-order-r",
            &["R50", "O7"],
            "Alice's real key signs her device keys with R = the identity point and S = k·a (only the key holder can make it). The group equation holds, so the reference's cofactorless `verify` accepts; a strict verifier refuses the small-order R.",
            flags,
        ),
        Verdict::Acceptable,
        &envelope_with(
            alice_key(),
            keys_signed_with(alice_key(), |dk| {
                with_identity_r(
                    &alice().signing_key(),
                    IDENTITY,
                    &json_message(dk).unwrap_or_default(),
                )
            }),
        ),
        accepted_with(alice_key()),
    );
    may_reject(c);

    let c = g.push(
        spec(
            "non-canonical-r",
            &["R50", "O7"],
            "Alice's real key, R = the identity point written non-canonically (y = p + 1) and S = k·a computed over those R bytes. RFC 8032's decoding fails and the reference (which compares the recomputed R as bytes) refuses; a verifier that decodes R leniently and checks the cofactored equation (ZIP-215) accepts.",
            &[SpecAmbiguity, Interop, Malleability],
        ),
        Verdict::Acceptable,
        &envelope_with(
            alice_key(),
            keys_signed_with(alice_key(), |dk| {
                with_identity_r(
                    &alice().signing_key(),
                    IDENTITY_NON_CANONICAL,
                    &json_message(dk).unwrap_or_default(),
                )
            }),
        ),
        rejected("O7", DK_SIGS),
    );
    may_accept(c, alice_key());

    let c = g.push(
        spec(
            "s-plus-l",
            &["R50", "O7"],
            "Alice's genuine self-signature with S replaced by S + L (below 2^253): the same group equation, a non-canonical scalar. RFC 8032 says the signature is invalid (S out of range) and the reference refuses; the historical NaCl/SUPERCOP reference code, which checks only S < 2^253, accepts.",
            &[SpecAmbiguity, Interop, Malleability],
        ),
        Verdict::Acceptable,
        &envelope_with(
            alice_key(),
            keys_signed_with(alice_key(), |dk| {
                s_plus_l(json_signature(dk, &alice().signing_key()).unwrap_or([0; 64]))
            }),
        ),
        rejected("O7", DK_SIGS),
    );
    may_accept(c, alice_key());

    g.reject(
        spec(
            "s-top-bits-set",
            &["R31", "O7", "R50"],
            "Alice's genuine self-signature with the top three bits of S set (S ≥ 2^253): no Ed25519 verifier accepts it, neither RFC 8032 nor the historical reference code nor a strict or lenient library, so the event is discarded.",
            &[Malleability, AuthBypass],
        ),
        envelope_with(
            alice_key(),
            keys_signed_with(alice_key(), |dk| {
                s_top_bits_set(json_signature(dk, &alice().signing_key()).unwrap_or([0; 64]))
            }),
        ),
        "O7",
        DK_SIGS,
    );
    olm_file(
        module_path!(),
        "ed25519-strictness",
        "Ed25519 strictness of the device self-signature (R50, decision S12): small-order keys and R, S ≥ L, non-canonical encodings.",
        vec![g],
    )
}
