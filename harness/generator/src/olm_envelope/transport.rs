//! `olm-envelope/transport.json`: the Olm plaintext's `sender`, `recipient`, `recipient_keys` and
//! `keys` (R30, R31).

use super::*;

pub(super) fn transport() -> GeneratedFile {
    let mut t = Group::new(
        "transport",
        "Whether the event arrived Olm-encrypted (R32).",
        IdentifierVariant::Stable,
    );
    t.accept(
        spec(
            "olm-encrypted",
            &["R32"],
            "The baseline arrives Olm-encrypted: the transport condition holds and every other check passes.",
            &[],
        ),
        Envelope::baseline(),
    );
    t.reject(
        spec(
            "unencrypted",
            &["R32"],
            "The same plaintext arrives as a cleartext to-device event. No Olm session authenticates it, so anyone can send it; it must never be acted on.",
            &[AuthBypass],
        ),
        Envelope::baseline().unencrypted(),
        "R32",
        "",
    );

    let mut ty = Group::new(
        "inner-type",
        "The decrypted inner event type (R21): only m.room_key_bundle is a bundle notification.",
        IdentifierVariant::Stable,
    );
    ty.accept(
        spec(
            "stable-type",
            &["R21"],
            "The inner type is the stable `m.room_key_bundle`.",
            &[],
        ),
        Envelope::baseline(),
    );
    let wrong: [(&str, &str, &str, &[BugClass]); 9] = [
        (
            "spec-typo-type",
            "m.room.key_bundle",
            "`m.room.key_bundle` is the spelling in the spec's MUST NOT sentence (digest D2), a typo for `m.room_key_bundle`; it is not the event type.",
            &[SpecAmbiguity],
        ),
        (
            "room-key-type",
            "m.room_key",
            "`m.room_key` shares one session; a receiver must not treat it as a bundle even when the content looks like one.",
            &[SchemaViolation],
        ),
        (
            "forwarded-room-key-type",
            "m.forwarded_room_key",
            "`m.forwarded_room_key` is a different event (and not a route to shareability).",
            &[SchemaViolation],
        ),
        (
            "room-encrypted-type",
            "m.room.encrypted",
            "An inner `m.room.encrypted` is a nested wrapper, not a bundle.",
            &[SchemaViolation],
        ),
        (
            "uppercase-type",
            "M.ROOM_KEY_BUNDLE",
            "Event types are case-sensitive.",
            &[EdgeCase],
        ),
        (
            "trailing-space-type",
            "m.room_key_bundle ",
            "A trailing space makes it another type.",
            &[EdgeCase],
        ),
        (
            "empty-type",
            "",
            "The empty string is no event type.",
            &[EdgeCase],
        ),
        (
            "wrong-unstable-prefix-type",
            "org.matrix.msc4268.room_key_bundle",
            "MSC4268's unstable prefix is `io.element.msc4268`; other prefixes are not aliases.",
            &[Interop],
        ),
        (
            "bundle-type-with-suffix",
            "m.room_key_bundle.v2",
            "A suffixed name is another type.",
            &[EdgeCase],
        ),
    ];
    for (name, event_type, why, flags) in wrong {
        ty.reject(spec(name, &["R21"], &format!(
                "The inner type is `{event_type}`. {why} Only `m.room_key_bundle` (or the unstable `io.element.msc4268.room_key_bundle`) is acted on."
            ), flags), Envelope::baseline().set("/type", json!(event_type)), "R21", "/type");
    }

    let mut shape = Group::new(
        "plaintext-shape",
        "The Olm plaintext must be an object with a string `type` and an object `content` (R31).",
        IdentifierVariant::Stable,
    );
    shape.reject(
        spec(
            "plaintext-array",
            &["R31"],
            "The decrypted plaintext is a JSON array, not an Olm plaintext object.",
            &[SchemaViolation],
        ),
        Envelope::baseline().set("", json!([])),
        "R31",
        "",
    );
    shape.reject(
        spec(
            "plaintext-string",
            &["R31"],
            "The decrypted plaintext is a JSON string, not an Olm plaintext object.",
            &[SchemaViolation],
        ),
        Envelope::baseline().set("", json!("m.room_key_bundle")),
        "R31",
        "",
    );
    shape.reject(
        spec(
            "type-missing",
            &["R31", "R21"],
            "The plaintext has no `type`, so it names no event at all.",
            &[SchemaViolation],
        ),
        Envelope::baseline().remove("/type"),
        "R31",
        "/type",
    );
    for (name, v, what) in [
        ("type-null", json!(null), "null"),
        ("type-number", json!(1), "a number"),
        (
            "type-array",
            json!([ROOM_KEY_BUNDLE]),
            "an array holding the bundle type",
        ),
    ] {
        shape.reject(
            spec(
                name,
                &["R31", "R21"],
                &format!("`type` is {what}, not a string."),
                &[SchemaViolation],
            ),
            Envelope::baseline().set("/type", v),
            "R31",
            "/type",
        );
    }
    shape.reject(
        spec(
            "content-missing",
            &["R31"],
            "The plaintext has no `content`.",
            &[SchemaViolation],
        ),
        Envelope::baseline().remove("/content"),
        "R31",
        "/content",
    );
    for (name, v, what) in [
        ("content-null", json!(null), "null"),
        ("content-string", json!(ROOM), "a string"),
        (
            "content-array",
            json!([bundle_content()]),
            "an array holding the content",
        ),
    ] {
        shape.reject(
            spec(
                name,
                &["R31"],
                &format!("`content` is {what}, not an object."),
                &[SchemaViolation],
            ),
            Envelope::baseline().set("/content", v),
            "R31",
            "/content",
        );
    }
    olm_file(
        module_path!(),
        "transport",
        "Transport and inner-type checks: the event must arrive Olm-encrypted (R32), be an m.room_key_bundle (R21), and be an Olm plaintext object (R31).",
        vec![t, ty, shape],
    )
}
