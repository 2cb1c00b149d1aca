//! `to-device-content/event-type.json`: the decrypted notification's event type (R21).

use super::*;

pub(super) fn event_type() -> GeneratedFile {
    let file = bundle_file();
    let content = json!({"room_id": ROOM, "file": file});

    let mut stable = GroupBuilder::new(
        CATEGORY,
        "event-type",
        "R21: the decrypted event's type must be `m.room_key_bundle`; near misses are not bundle notifications.",
        IdentifierVariant::Stable,
    );
    stable.valid(
        spec(
            "stable",
            &["R21", "R23"],
            "The stable type `m.room_key_bundle` with a room ID and a complete file: accepted, reporting the stable spelling.",
            &[],
        ),
        input(ROOM_KEY_BUNDLE, content.clone()),
        accepted(ROOM, "stable", &file),
    );
    let wrong: [(&str, &str, &str, &[BugClass]); 8] = [
        (
            "spec-typo-m-room-key-bundle",
            "m.room.key_bundle",
            "`m.room.key_bundle` is a typo in the spec's prose (digest D2); no implementation sends it and it is not the event type.",
            &[BugClass::SpecAmbiguity],
        ),
        (
            "m-room-key",
            "m.room_key",
            "`m.room_key` is the ordinary Megolm key share; its content is not a bundle notification even if it has `room_id` and `file`.",
            &[BugClass::Spoofing],
        ),
        (
            "m-forwarded-room-key",
            "m.forwarded_room_key",
            "`m.forwarded_room_key` is a key-forwarding event, not a bundle notification.",
            &[BugClass::Spoofing],
        ),
        (
            "m-room-encrypted",
            "m.room.encrypted",
            "`m.room.encrypted` is the outer Olm wrapper's type, never a decrypted inner type.",
            &[BugClass::SchemaViolation],
        ),
        (
            "uppercase",
            "M.ROOM_KEY_BUNDLE",
            "Event types are case-sensitive.",
            &[BugClass::SchemaViolation],
        ),
        (
            "trailing-space",
            "m.room_key_bundle ",
            "A trailing space makes another type.",
            &[BugClass::SchemaViolation],
        ),
        (
            "suffixed",
            "m.room_key_bundle.v2",
            "A type that merely starts with `m.room_key_bundle` is another type.",
            &[BugClass::SchemaViolation],
        ),
        (
            "empty",
            "",
            "The empty string is no event type.",
            &[BugClass::SchemaViolation],
        ),
    ];
    for (name, t, comment, flags) in wrong {
        stable.invalid(
            spec(name, &["R21"], comment, flags),
            input(t, content.clone()),
            rejected("R21", "/type"),
        );
    }

    let mut unstable = GroupBuilder::new(
        CATEGORY,
        "event-type-unstable",
        "R21: pre-stable clients send the MSC's unstable type `io.element.msc4268.room_key_bundle`, which receivers may accept with the same content rules.",
        IdentifierVariant::Unstable,
    );
    unstable.valid(
        spec(
            "unstable",
            &["R21", "R23"],
            "The unstable type with a room ID and a complete file: accepted, reporting the unstable spelling.",
            &[BugClass::Legacy],
        ),
        input(ROOM_KEY_BUNDLE_UNSTABLE, content.clone()),
        accepted(ROOM, "unstable", &file),
    );
    unstable.valid(
        spec(
            "unstable-extra-content",
            &["R21", "R23"],
            "The unstable type with an unknown extra content member: tolerated, as with the stable type.",
            &[BugClass::Legacy],
        ),
        input(
            ROOM_KEY_BUNDLE_UNSTABLE,
            with(&content, "/org.example.extra", json!({"a": 1})),
        ),
        accepted(ROOM, "unstable", &file),
    );
    unstable.invalid(
        spec(
            "unstable-missing-room-id",
            &["R23", "R21"],
            "The unstable type does not relax the content rules: without `room_id` it is refused.",
            &[BugClass::Legacy, BugClass::SchemaViolation],
        ),
        input(ROOM_KEY_BUNDLE_UNSTABLE, without(&content, "/room_id")),
        rejected("R23", "/content/room_id"),
    );
    for (name, t, comment) in [
        (
            "wrong-unstable-prefix",
            "org.matrix.msc4268.room_key_bundle",
            "The MSC's unstable prefix is `io.element.msc4268`; `org.matrix.msc4268.room_key_bundle` is no known spelling.",
        ),
        (
            "unstable-prefix-with-typo",
            "io.element.msc4268.room.key_bundle",
            "The unstable prefix combined with the spec's `room.key_bundle` typo (D2) is no known spelling either.",
        ),
    ] {
        unstable.invalid(
            spec(
                name,
                &["R21"],
                comment,
                &[BugClass::Legacy, BugClass::Interop],
            ),
            input(t, content.clone()),
            rejected("R21", "/type"),
        );
    }

    new_file(
        CATEGORY,
        module_path!(),
        "event-type",
        "R21: which decrypted to-device event types are bundle notifications. Stable and unstable spellings are in separate groups.",
        vec![stable, unstable],
    )
}
