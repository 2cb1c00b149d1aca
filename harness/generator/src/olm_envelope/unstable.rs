//! `olm-envelope/unstable.json`: the unstable spellings of the event type and of
//! `sender_device_keys`.

use super::*;

pub(super) fn unstable() -> GeneratedFile {
    let mut ty = Group::new(
        "unstable-event-type",
        "The unstable MSC4268 event type `io.element.msc4268.room_key_bundle`, which pre-stable clients send and current SDKs still read.",
        IdentifierVariant::Unstable,
    );
    let unstable_type = || Envelope::baseline().set("/type", json!(ROOM_KEY_BUNDLE_UNSTABLE));
    ty.accept_as(
        spec(
            "unstable-type",
            &["R21"],
            "The inner type is the unstable `io.element.msc4268.room_key_bundle`; everything else is the valid baseline. Accepted, reporting the type as seen.",
            &[Legacy],
        ),
        unstable_type(),
        ROOM_KEY_BUNDLE_UNSTABLE,
    );
    ty.reject(
        spec(
            "unstable-type-unencrypted",
            &["R32"],
            "The unstable type arrives unencrypted: R32 applies to both spellings.",
            &[Legacy, AuthBypass],
        ),
        unstable_type().unencrypted(),
        "R32",
        "",
    );
    ty.reject(
        spec(
            "unstable-type-without-device-keys",
            &["R30"],
            "The unstable type without `sender_device_keys`: R30 applies to both spellings.",
            &[Legacy, AuthBypass],
        ),
        unstable_type().remove(DK),
        "R30",
        DK,
    );
    ty.reject(
        spec(
            "unstable-type-wrong-sender",
            &["R31", "O1"],
            "The unstable type with the plaintext `sender` swapped for Mallory: O1 applies to both spellings.",
            &[Legacy, Spoofing],
        ),
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
        spec(
            "alias-only",
            &["R30"],
            "The device keys sit under `org.matrix.msc4147.device_keys` instead of `sender_device_keys`. The alias carries the same object, so R30 holds and every check passes.",
            &[Legacy],
        ),
        Envelope::baseline().alias_device_keys(),
    );
    dk.accept_as(
        spec(
            "alias-with-unstable-type",
            &["R30", "R21"],
            "A pre-stable sender: unstable event type and unstable device-keys member. Accepted.",
            &[Legacy],
        ),
        Envelope::baseline()
            .alias_device_keys()
            .set("/type", json!(ROOM_KEY_BUNDLE_UNSTABLE)),
        ROOM_KEY_BUNDLE_UNSTABLE,
    );
    dk.reject(
        spec(
            "alias-null",
            &["R30"],
            "The alias member is null and `sender_device_keys` is absent: no device keys.",
            &[Legacy, SchemaViolation],
        ),
        Envelope::baseline().remove(DK).set(&alias, Value::Null),
        "R30",
        DK,
    );
    dk.reject(
        spec(
            "alias-not-an-object",
            &["R31"],
            "The alias member holds a string, not a DeviceKeys object.",
            &[Legacy, SchemaViolation],
        ),
        Envelope::baseline()
            .alias_device_keys()
            .set(&alias, json!(alice().ed25519())),
        "R31",
        &alias,
    );
    dk.reject(
        spec(
            "alias-user-id-mallory",
            &["R31", "O5"],
            "The alias's device keys name Mallory as owner (re-signed by Alice's device key): O5 applies through the alias.",
            &[Legacy, Spoofing],
        ),
        Envelope::baseline()
            .device_keys(alice_keys_with(|dk| {
                dk.insert("user_id".into(), json!(MALLORY));
            }))
            .alias_device_keys(),
        "O5",
        &format!("{alias}/user_id"),
    );
    dk.reject(
        spec(
            "alias-curve25519-planted",
            &["R31", "O6"],
            "The alias's device keys list Mallory's Curve25519 key (re-signed by Alice's device key) while the Olm session is Alice's: O6 applies through the alias.",
            &[Legacy, KeyPlanting],
        ),
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
        spec(
            "alias-changed-after-signing",
            &["R31", "O7"],
            "The alias's device keys were changed after signing: O7 applies through the alias.",
            &[Legacy, Malleability],
        ),
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
        spec(
            "stable-and-alias-identical",
            &["R30", "R31"],
            "Both `sender_device_keys` and the alias carry the same valid device keys. The spec knows only the stable member, so a spec reader uses it and accepts (the reference model does); matrix-rust-sdk's serde alias sees a duplicate field and drops the event. Either is acceptable.",
            &[Interop, SpecAmbiguity],
        ),
        Envelope::baseline().set(&alias, full.clone()),
        "R31",
    );
    dk.acceptable(
        spec(
            "stable-null-alias-present",
            &["R30", "R31"],
            "`sender_device_keys` is null and the alias carries valid device keys. The reference model takes a null member as absent and reads the alias; a receiver that reads only the stable member (R30) or sees a duplicate field rejects. Either is acceptable.",
            &[Interop, SpecAmbiguity],
        ),
        Envelope::baseline().set(DK, Value::Null).set(&alias, full),
        "R30",
    );
    olm_file(
        module_path!(),
        "unstable",
        "Unstable identifiers in the Olm envelope: MSC4268's event type and MSC4147's device-keys member.",
        vec![ty, dk],
    )
}
