//! `import-decision/sender-trust.json`: the sending device must be cross-signed by the inviter (R34).

use serde_json::Map;

use msc4268_model::ed25519_edge::{
    IDENTITY, IDENTITY_NON_CANONICAL, for_identity_key, json_message, json_signature,
    put_signature, s_plus_l, s_top_bits_set, with_identity_r,
};
use msc4268_model::signing::sign_json;

use super::*;

pub(super) fn sender_trust() -> GeneratedFile {
    let mut f = file(
        CAT,
        "sender-trust",
        "The sending device must be cross-signed by the sender's identity, which must not be in a pin violation (X1, X2, D9).",
        module_path!(),
    );
    let mut g = new_group(
        "trust",
        "Trust in Alice's device.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("trust", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = None;
    a.case(
        spec(
            "device-not-cross-signed",
            &["X1"],
            "Alice's device is not signed by her self-signing key (an injected device): the bundle is dropped.",
            &[BugClass::AuthBypass, BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.identity = None;
    a.case(
        spec(
            "identity-unknown",
            &["X1"],
            "Bob has no cross-signing identity for Alice: the device's cross-signature cannot be checked.",
            &[BugClass::AuthBypass],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.identity = None;
    s.device_signed_by = None;
    a.case(
        spec(
            "inviter-without-cross-signing",
            &["X1"],
            "Alice never set up cross-signing: Bob has no identity for her and her device carries only its self-signature. Nothing vouches for the device beyond the Olm session, so the bundle is dropped (X1, decision D9); a client that never bootstrapped cross-signing cannot share history with such a receiver.",
            &[BugClass::AuthBypass],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = Some(CrossSigning::new(ALICE, "stale"));
    a.case(
        spec(
            "signed-by-stale-identity",
            &["X1"],
            "The device is signed by a self-signing key that is not Alice's current one.",
            &[BugClass::AuthBypass, BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = Some(CrossSigning::new(CAROL, "v1"));
    a.case(
        spec(
            "signed-by-another-users-key",
            &["X1"],
            "The device carries a signature by Carol's self-signing key, not Alice's.",
            &[BugClass::AuthBypass, BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.identity_state = "pin_violation";
    a.case(
        spec(
            "identity-pin-violation",
            &["X2"],
            "Alice's identity changed since Bob pinned it: the bundle is dropped.",
            &[BugClass::AuthBypass],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X2"),
    );
    let s = baseline(bundle(&[&k], &[]));
    a.case(
        spec(
            "tofu-identity",
            &["X1", "X2"],
            "A device cross-signed by a TOFU-pinned identity is trusted.",
            &[],
        ),
        Verdict::Valid,
        &s,
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    f.file.groups.push(ed25519_strictness());
    f
}

/// A `CrossSigningKey` object of Alice's with `usage` and the public key `key`, unsigned.
fn cross_signing_key(usage: &str, key: [u8; 32]) -> Map<String, Value> {
    let pk = b64::encode(key);
    let v = json!({"user_id": ALICE, "usage": [usage], "keys": {format!("ed25519:{pk}"): pk}});
    v.as_object().cloned().unwrap_or_default()
}

/// Alice's device keys, self-signed by her device, with `ssk_signature` (made of the keys) as the
/// signature of the self-signing key `ssk`.
fn device_keys_signed(
    ssk: [u8; 32],
    ssk_signature: impl FnOnce(&Map<String, Value>) -> [u8; 64],
) -> Value {
    let device = Device::new(ALICE, ALICE_DEVICE);
    let mut dk = device.unsigned_device_keys();
    let _ = sign_json(
        &mut dk,
        ALICE,
        &format!("ed25519:{ALICE_DEVICE}"),
        &device.signing_key(),
    );
    let sig = ssk_signature(&dk);
    put_signature(
        &mut dk,
        ALICE,
        &format!("ed25519:{}", b64::encode(ssk)),
        sig,
    );
    Value::Object(dk)
}

/// R50 (decision S12): the cross-signing chain (X1) on inputs where Ed25519 verifiers differ.
fn ed25519_strictness() -> msc4268_corpus::fixture::GroupDef {
    let mut g = new_group(
        "trust-ed25519",
        "R50 (decision S12): the cross-signing chain of X1 (master key → self-signing key → device) on inputs where Ed25519 verifiers differ: small-order keys and R, S ≥ L, non-canonical R. The texts fix no verifier, so accepting or refusing is acceptable; the reference uses the cofactorless `verify` of ed25519-dalek, vodozemac `verify_strict`.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("trust-ed25519", 0);
    let cs = alice_cs();
    let ssk = cs.ssk().verifying_key().to_bytes();
    let msk_id = format!("ed25519:{}", cs.msk_public());
    let flags = &[
        BugClass::SpecAmbiguity,
        BugClass::Interop,
        BugClass::EdgeCase,
    ];
    let malleable = &[
        BugClass::SpecAmbiguity,
        BugClass::Interop,
        BugClass::Malleability,
    ];
    let imported_k = || imported(vec![k.imported(ALICE)], vec![], vec![], vec![]);
    let discarded = || not_imported("discarded", "X1");

    // A self-signing key that is the identity point, genuinely signed by Alice's master key; the
    // device "signature" by it is R = [s]B, S = s.
    let mut s = baseline(bundle(&[&k], &[]));
    let mut weak_ssk = cross_signing_key("self_signing", IDENTITY);
    let _ = sign_json(&mut weak_ssk, ALICE, &msk_id, &cs.msk());
    s.identity_keys = Some((cs.master_key_json(), Value::Object(weak_ssk)));
    s.device_keys = Some(device_keys_signed(IDENTITY, |_| {
        for_identity_key("import-decision/small-order-self-signing-key")
    }));
    a.acceptable(
        spec(
            "small-order-self-signing-key",
            &["R50", "X1"],
            "Alice's master key signs a self-signing key that is the identity point (order 1); the device's signature by it is R = [s]B, S = s, which the cofactorless equation accepts for every message. The reference (cofactorless `verify`) imports; a strict verifier refuses the small-order key and discards. Only Alice's master key could certify that key.",
            flags,
        ),
        &s,
        imported_k(),
        vec![discarded()],
    );

    // A master key that is the identity point; Alice's real self-signing key carries a "signature"
    // by it; the device is genuinely signed by the self-signing key.
    let mut s = baseline(bundle(&[&k], &[]));
    let weak_msk = cross_signing_key("master", IDENTITY);
    let mut real_ssk = cross_signing_key("self_signing", ssk);
    put_signature(
        &mut real_ssk,
        ALICE,
        &format!("ed25519:{}", b64::encode(IDENTITY)),
        for_identity_key("import-decision/small-order-master-key"),
    );
    s.identity_keys = Some((Value::Object(weak_msk), Value::Object(real_ssk)));
    a.acceptable(
        spec(
            "small-order-master-key",
            &["R50", "X1"],
            "The master key Bob pinned (TOFU) is the identity point, and the self-signing key's signature by it is R = [s]B, S = s. The reference's cofactorless `verify` accepts the chain and imports; a strict verifier refuses the small-order key and discards. Whoever could make Bob pin that key at first contact could as well have pinned a key it holds.",
            flags,
        ),
        &s,
        imported_k(),
        vec![discarded()],
    );

    // The device signature by the real self-signing key with R = the identity point.
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_keys = Some(device_keys_signed(ssk, |dk| {
        with_identity_r(&cs.ssk(), IDENTITY, &json_message(dk).unwrap_or_default())
    }));
    a.acceptable(
        spec(
            "device-signature-small-order-r",
            &["R50", "X1"],
            "Alice's self-signing key signs her device with R = the identity point and S = k·a (only the key holder can make it): the group equation holds, the reference's cofactorless `verify` accepts and imports; a strict verifier refuses the small-order R and discards.",
            flags,
        ),
        &s,
        imported_k(),
        vec![discarded()],
    );

    // The device signature by the real self-signing key with S + L.
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_keys = Some(device_keys_signed(ssk, |dk| {
        s_plus_l(json_signature(dk, &cs.ssk()).unwrap_or([0; 64]))
    }));
    a.acceptable(
        spec(
            "device-signature-s-plus-l",
            &["R50", "X1"],
            "Alice's genuine self-signing-key signature of her device with S replaced by S + L (below 2^253). RFC 8032 says it is invalid (S out of range) and the reference discards; the historical NaCl/SUPERCOP reference code, which checks only S < 2^253, would accept and import.",
            malleable,
        ),
        &s,
        discarded(),
        vec![imported_k()],
    );

    // The master key's signature of the self-signing key with a non-canonical R.
    let mut s = baseline(bundle(&[&k], &[]));
    let mut ssk_obj = cross_signing_key("self_signing", ssk);
    let msg = json_message(&ssk_obj).unwrap_or_default();
    put_signature(
        &mut ssk_obj,
        ALICE,
        &msk_id,
        with_identity_r(&cs.msk(), IDENTITY_NON_CANONICAL, &msg),
    );
    s.identity_keys = Some((cs.master_key_json(), Value::Object(ssk_obj)));
    a.acceptable(
        spec(
            "self-signing-signature-non-canonical-r",
            &["R50", "X1"],
            "Alice's master key signs her self-signing key with R = the identity point written non-canonically (y = p + 1) and S = k·a over those bytes. RFC 8032's decoding fails and the reference (which compares R as bytes) discards; a verifier that decodes R leniently and checks the cofactored equation (ZIP-215) would accept and import.",
            malleable,
        ),
        &s,
        discarded(),
        vec![imported_k()],
    );

    // The device signature with the top three bits of S set: no verifier accepts it.
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_keys = Some(device_keys_signed(ssk, |dk| {
        s_top_bits_set(json_signature(dk, &cs.ssk()).unwrap_or([0; 64]))
    }));
    a.case(
        spec(
            "device-signature-s-top-bits-set",
            &["X1", "R50"],
            "Alice's genuine self-signing-key signature of her device with the top three bits of S set (S ≥ 2^253): no Ed25519 verifier accepts it, so the device is not cross-signed and the bundle is discarded.",
            &[BugClass::AuthBypass, BugClass::Malleability],
        ),
        Verdict::Invalid,
        &s,
        discarded(),
    );
    g.finish()
}
