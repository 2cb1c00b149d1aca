//! `olm-envelope/identity-binding.json`: `sender_device_keys` must name the sending device: its
//! user, device ID and keys match the Olm session (R32, O1–O8).

use super::*;

pub(super) fn identity_binding() -> GeneratedFile {
    // O1
    let mut o1 = Group::new(
        "sender",
        "O1: the plaintext `sender` equals the to-device event's sender.",
        IdentifierVariant::Stable,
    );
    o1.reject(
        spec(
            "plaintext-sender-mallory",
            &["R31", "O1"],
            "The homeserver says Alice sent the event but the plaintext names Mallory. The two must agree; the event is discarded.",
            &[Spoofing],
        ),
        Envelope::baseline().set("/sender", json!(MALLORY)),
        "O1",
        "/sender",
    );
    o1.reject(
        spec(
            "event-sender-mallory",
            &["R31", "O1"],
            "The homeserver attributes the event to Mallory while the encrypted plaintext says Alice. Recording it would file Alice's bundle under the wrong (room, sender) pair, so it is discarded.",
            &[Spoofing, AuthBypass],
        ),
        Envelope::baseline().sender(MALLORY),
        "O1",
        "/sender",
    );
    o1.reject(
        spec(
            "sender-missing",
            &["R31", "O1"],
            "The plaintext has no `sender`, so it cannot equal the event's sender.",
            &[SchemaViolation],
        ),
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
            spec(
                name,
                &["R31", "O1"],
                &format!("The plaintext `sender` is {what}, not the event's sender `{ALICE}`."),
                flags,
            ),
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
            json!(CAROL_ON_HS2),
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
            spec(
                name,
                &["R31", "O2"],
                &format!("The plaintext `recipient` is {what}, not the receiving user `{BOB}`."),
                flags,
            ),
            Envelope::baseline().set("/recipient", v),
            "O2",
            "/recipient",
        );
    }
    o2.reject(
        spec(
            "recipient-missing",
            &["R31", "O2"],
            "The plaintext has no `recipient`, so it cannot be bound to the receiving user.",
            &[SchemaViolation],
        ),
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
            spec(
                &format!("ed25519-{name}"),
                &["R31", "O3"],
                &format!(
                    "`recipient_keys.ed25519` is {what}, not the receiving device's Ed25519 key."
                ),
                flags,
            ),
            Envelope::baseline().set("/recipient_keys/ed25519", v),
            "O3",
            "/recipient_keys/ed25519",
        );
    }
    o3.reject(
        spec(
            "ed25519-missing",
            &["R31", "O3"],
            "`recipient_keys` is an empty object: no Ed25519 key to compare.",
            &[SchemaViolation],
        ),
        Envelope::baseline().set("/recipient_keys", json!({})),
        "O3",
        "/recipient_keys/ed25519",
    );
    o3.reject(
        spec(
            "recipient-keys-missing",
            &["R31", "O3"],
            "The plaintext has no `recipient_keys`.",
            &[SchemaViolation],
        ),
        Envelope::baseline().remove("/recipient_keys"),
        "O3",
        "/recipient_keys",
    );
    o3.reject(
        spec(
            "recipient-keys-not-an-object",
            &["R31", "O3"],
            "`recipient_keys` is the key string itself, not an object.",
            &[SchemaViolation],
        ),
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
            spec(
                &format!("ed25519-{name}"),
                &["R31", "O4"],
                &format!(
                    "`keys.ed25519` is {what}, not the Ed25519 key of the device keys (ALICEDEV's)."
                ),
                flags,
            ),
            Envelope::baseline().set("/keys/ed25519", v),
            "O4",
            "/keys/ed25519",
        );
    }
    o4.reject(
        spec(
            "ed25519-missing",
            &["R31", "O4"],
            "`keys` is an empty object: the sender claims no Ed25519 key.",
            &[SchemaViolation],
        ),
        Envelope::baseline().set("/keys", json!({})),
        "O4",
        "/keys/ed25519",
    );
    o4.reject(
        spec(
            "keys-missing",
            &["R31", "O4"],
            "The plaintext has no `keys`.",
            &[SchemaViolation],
        ),
        Envelope::baseline().remove("/keys"),
        "O4",
        "/keys",
    );
    o4.reject(
        spec(
            "keys-not-an-object",
            &["R31", "O4"],
            "`keys` is the key string itself, not an object.",
            &[SchemaViolation],
        ),
        Envelope::baseline().set("/keys", json!(alice().ed25519())),
        "O4",
        "/keys",
    );
    o4.reject(
        spec(
            "device-keys-ed25519-planted",
            &["R31", "O4"],
            "The device keys list Mallory's Ed25519 key as ALICEDEV's and are self-signed with it (so O7 alone would pass), while `keys.ed25519` still names Alice's real key. The two Ed25519 claims disagree.",
            &[KeyPlanting],
        ),
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
        o5.reject(spec(name, &["R31", "O5"], &format!(
                "The device keys' `user_id` is {what}, not the sender `{ALICE}`; the device cannot be attributed to Alice."
            ), flags), Envelope::baseline().device_keys(alice_keys_with(|dk| {
                dk.insert("user_id".into(), v);
            })), "O5", "/sender_device_keys/user_id");
    }
    o5.reject(
        spec(
            "user-id-missing",
            &["R31", "O5"],
            "The device keys have no `user_id`, so they name no owner.",
            &[SchemaViolation],
        ),
        Envelope::baseline().device_keys(alice_keys_with(|dk| {
            dk.remove("user_id");
        })),
        "O5",
        "/sender_device_keys/user_id",
    );
    o5.reject(
        spec(
            "mallory-device-claimed-for-alice",
            &["R31", "O5"],
            "The event and plaintext say Alice, but the Olm session, `keys.ed25519` and `sender_device_keys` are all Mallory's real, self-signed and cross-signed device. Without O5, Mallory's cross-signed device would be attributed to Alice and her bundle accepted as the inviter's (the user_id check matrix-rust-sdk added in 0.17.0, CVE-2026-45056).",
            &[Spoofing, AuthBypass],
        ),
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
        o6.reject(spec(name, &["R31", "O6"], &format!(
                "The Olm session's sender key is {what}, not the `curve25519:ALICEDEV` key in the device keys."
            ), flags), Envelope::baseline().sender_key(&k), "O6", DK_CURVE);
    }
    o6.reject(
        spec(
            "device-keys-curve25519-planted",
            &["R31", "O6"],
            "The device keys list Mallory's Curve25519 key as ALICEDEV's and are re-signed by Alice's device key (so O7 passes), while the Olm session is Alice's real one. The device keys do not describe the session that delivered them.",
            &[KeyPlanting],
        ),
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
        module_path!(),
        "identity-binding",
        "Binding the envelope to its sender, recipient, the recipient's device, the sending device and the Olm session (O1–O6): each field swapped or missing.",
        vec![o1, o2, o3, o4, o5, o6],
    )
}
