//! `olm-envelope/known-devices.json`: what the receiver already knows about the sender's devices.

use super::*;

pub(super) fn known_devices() -> GeneratedFile {
    let mut g = Group::new(
        "known-device",
        "O8: if the recipient already knows the sending device, its Ed25519 key must not have changed.",
        IdentifierVariant::Stable,
    );
    g.accept(
        spec(
            "no-known-devices",
            &["R31", "O8"],
            "The recipient knows no device of Alice's: nothing to compare, the device keys are taken as they are.",
            &[],
        ),
        Envelope::baseline(),
    );
    g.accept(
        spec(
            "known-same-key",
            &["R31", "O8"],
            "ALICEDEV is known with the key the envelope carries.",
            &[],
        ),
        Envelope::baseline().known(vec![known(&alice())]),
    );
    g.accept(
        spec(
            "known-other-device-of-sender",
            &["R31", "O8"],
            "Only Alice's other device ALICEPHONE is known; ALICEDEV is new to the recipient.",
            &[],
        ),
        Envelope::baseline().known(vec![known(&alice_phone())]),
    );
    g.accept(
        spec(
            "known-same-device-id-other-user",
            &["R31", "O8"],
            "Mallory has a device also called ALICEDEV with another key. Devices are identified by (user, device ID), so it is not Alice's device.",
            &[EdgeCase],
        ),
        Envelope::baseline().known(vec![known(&Device {
            user_id: MALLORY.into(),
            ..alice_impostor()
        })]),
    );
    g.accept(
        spec(
            "known-device-id-other-case",
            &["R31", "O8"],
            "Alice has a known device `alicedev` (lower case) with another key. Device IDs compare exactly, so it is not ALICEDEV.",
            &[EdgeCase],
        ),
        Envelope::baseline().known(vec![known(&Device {
            device_id: "alicedev".into(),
            ..alice_impostor()
        })]),
    );
    g.reject(
        spec(
            "known-key-changed",
            &["R31", "O8"],
            "The recipient knows ALICEDEV with an earlier Ed25519 key; the envelope's device keys (otherwise valid) carry another one. A device's identity key never changes, so this is a planted device.",
            &[KeyPlanting],
        ),
        Envelope::baseline().known(vec![KnownDevice {
            ed25519: material::ed25519_public_b64(&format!("{ALICE}/{ALICE_DEVICE}/previous")),
            ..known(&alice())
        }]),
        "O8",
        DK_ED,
    );
    g.reject(
        spec(
            "impostor-device",
            &["R31", "O8"],
            "Every field is consistent and self-signed, but by a device that reuses the ID ALICEDEV with new keys, while the recipient knows ALICEDEV's real key. Accepting it would let anyone who controls Alice's homeserver replace her device.",
            &[KeyPlanting, Spoofing],
        ),
        Envelope::from_device(&alice_impostor(), None).known(vec![known(&alice())]),
        "O8",
        DK_ED,
    );
    g.reject(
        spec(
            "known-key-changed-among-others",
            &["R31", "O8"],
            "Several devices are known; ALICEDEV's recorded key differs from the envelope's. The unrelated, matching records do not hide the mismatch.",
            &[KeyPlanting],
        ),
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
        module_path!(),
        "known-devices",
        "A device the recipient already knows must keep its Ed25519 key (O8).",
        vec![g],
    )
}
