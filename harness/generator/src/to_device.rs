//! Generator of the `to-device-content` fixtures: the decrypted bundle notification's event type
//! (R21) and content (R23: a room ID and a complete `EncryptedFile`).
//!
//! Expected outcomes are by construction: an accepted case echoes the room ID, the spelling of the
//! type and the file URL the generator wrote; a rejected case names the rule it broke.

use serde_json::{Value, json};

use super::GeneratedFile;
use super::file_decryption::vectors::{
    GroupBuilder, Spec, Vector, plaintext, rejected, with, without,
};
use msc4268_corpus::fixture::Flag;
use msc4268_model::b64;
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::{IdentifierVariant, ROOM_KEY_BUNDLE, ROOM_KEY_BUNDLE_UNSTABLE};

const CATEGORY: Category = Category::ToDeviceContent;
const ROOM: &str = "!history:hs1.test";

/// The `to-device-content` fixture files.
pub fn files() -> Vec<GeneratedFile> {
    vec![event_type(), content()]
}

fn new_file(name: &str, description: &str, groups: Vec<GroupBuilder>) -> GeneratedFile {
    let mut f = super::file(
        CATEGORY,
        name,
        description,
        &format!("generate::to_device::{}", name.replace('-', "_")),
    );
    f.file.groups = groups.into_iter().map(GroupBuilder::finish).collect();
    f
}

fn spec<'a>(name: &'a str, rules: &'a [&'a str], comment: &'a str, flags: &'a [Flag]) -> Spec<'a> {
    Spec {
        name,
        rules,
        comment,
        flags,
    }
}

/// The bundle file every case points at (its ciphertext is never needed here).
fn bundle_file() -> Value {
    Vector::new("to-device/bundle", &plaintext("to-device/bundle", 64)).file()
}

fn input(event_type: &str, content: Value) -> Value {
    json!({"type": event_type, "content": content})
}

fn accepted(room_id: &str, variant: &str, file: &Value) -> Value {
    json!({
        "outcome": "accepted",
        "room_id": room_id,
        "event_type_variant": variant,
        "url": file["url"],
    })
}

// ---------------------------------------------------------------------------------------------
// event-type.json

fn event_type() -> GeneratedFile {
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
    let wrong: [(&str, &str, &str, &[Flag]); 8] = [
        (
            "spec-typo-m-room-key-bundle",
            "m.room.key_bundle",
            "`m.room.key_bundle` is a typo in the spec's prose (digest D2); no implementation sends it and it is not the event type.",
            &[Flag::SpecAmbiguity],
        ),
        (
            "m-room-key",
            "m.room_key",
            "`m.room_key` is the ordinary Megolm key share; its content is not a bundle notification even if it has `room_id` and `file`.",
            &[Flag::Spoofing],
        ),
        (
            "m-forwarded-room-key",
            "m.forwarded_room_key",
            "`m.forwarded_room_key` is a key-forwarding event, not a bundle notification.",
            &[Flag::Spoofing],
        ),
        (
            "m-room-encrypted",
            "m.room.encrypted",
            "`m.room.encrypted` is the outer Olm wrapper's type, never a decrypted inner type.",
            &[Flag::SchemaViolation],
        ),
        (
            "uppercase",
            "M.ROOM_KEY_BUNDLE",
            "Event types are case-sensitive.",
            &[Flag::SchemaViolation],
        ),
        (
            "trailing-space",
            "m.room_key_bundle ",
            "A trailing space makes another type.",
            &[Flag::SchemaViolation],
        ),
        (
            "suffixed",
            "m.room_key_bundle.v2",
            "A type that merely starts with `m.room_key_bundle` is another type.",
            &[Flag::SchemaViolation],
        ),
        (
            "empty",
            "",
            "The empty string is no event type.",
            &[Flag::SchemaViolation],
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
            &[Flag::Legacy],
        ),
        input(ROOM_KEY_BUNDLE_UNSTABLE, content.clone()),
        accepted(ROOM, "unstable", &file),
    );
    unstable.valid(
        spec(
            "unstable-extra-content",
            &["R21", "R23"],
            "The unstable type with an unknown extra content member: tolerated, as with the stable type.",
            &[Flag::Legacy],
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
            &[Flag::Legacy, Flag::SchemaViolation],
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
            spec(name, &["R21"], comment, &[Flag::Legacy, Flag::Interop]),
            input(t, content.clone()),
            rejected("R21", "/type"),
        );
    }

    new_file(
        "event-type",
        "R21: which decrypted to-device event types are bundle notifications. Stable and unstable spellings are in separate groups.",
        vec![stable, unstable],
    )
}

// ---------------------------------------------------------------------------------------------
// content.json

fn content() -> GeneratedFile {
    let file = bundle_file();
    let content = json!({"room_id": ROOM, "file": file});

    // room_id
    let mut room = GroupBuilder::new(
        CATEGORY,
        "room-id",
        "R23: `content.room_id` is present and is a room ID (`!...`).",
        IdentifierVariant::Stable,
    );
    let v12_room = format!(
        "!{}",
        b64::encode_url_safe(msc4268_model::material::seed("to-device/room-v12"))
    );
    room.valid(
        spec(
            "room-id-v12",
            &["R23"],
            "A room version 12 room ID: `!` followed by the create event's reference hash, with no server name. It is a room ID.",
            &[Flag::EdgeCase],
        ),
        input(ROOM_KEY_BUNDLE, with(&content, "/room_id", json!(v12_room))),
        accepted(&v12_room, "stable", &file),
    );
    room.valid(
        spec(
            "room-id-server-with-port",
            &["R23"],
            "A room ID whose server name carries a port.",
            &[],
        ),
        input(
            ROOM_KEY_BUNDLE,
            with(&content, "/room_id", json!("!history:hs1.test:8448")),
        ),
        accepted("!history:hs1.test:8448", "stable", &file),
    );
    let bad_rooms: [(&str, &str, Option<Value>); 9] = [
        (
            "room-id-missing",
            "`room_id` is missing: the receiver cannot tell which room the keys are for, nor match the invite (R33).",
            None,
        ),
        ("room-id-null", "`room_id` is null.", Some(Value::Null)),
        ("room-id-number", "`room_id` is a number.", Some(json!(1))),
        (
            "room-id-array",
            "`room_id` is an array holding a room ID.",
            Some(json!([ROOM])),
        ),
        (
            "room-id-empty",
            "`room_id` is the empty string.",
            Some(json!("")),
        ),
        (
            "room-id-alias",
            "`room_id` is a room alias (`#...`), not a room ID.",
            Some(json!("#history:hs1.test")),
        ),
        (
            "room-id-user-id",
            "`room_id` is a user ID (`@...`).",
            Some(json!("@alice:hs1.test")),
        ),
        (
            "room-id-no-sigil",
            "`room_id` lacks the `!` sigil.",
            Some(json!("history:hs1.test")),
        ),
        (
            "room-id-whitespace",
            "`room_id` contains a space.",
            Some(json!("!his tory:hs1.test")),
        ),
    ];
    for (name, comment, value) in bad_rooms {
        let c = match value {
            Some(x) => with(&content, "/room_id", x),
            None => without(&content, "/room_id"),
        };
        room.invalid(
            spec(name, &["R23"], comment, &[Flag::SchemaViolation]),
            input(ROOM_KEY_BUNDLE, c),
            rejected("R23", "/content/room_id"),
        );
    }

    // content shape
    let mut shape = GroupBuilder::new(
        CATEGORY,
        "content-shape",
        "R23: the content is an object with `room_id` and `file`; unknown members are tolerated.",
        IdentifierVariant::Stable,
    );
    shape.valid(
        spec(
            "extra-content-members",
            &["R23"],
            "Unknown content members (`org.example.note`, `sender_key`) are ignored.",
            &[],
        ),
        input(
            ROOM_KEY_BUNDLE,
            with(
                &with(&content, "/org.example.note", json!("hello")),
                "/sender_key",
                json!(msc4268_model::material::curve25519_public_b64(
                    "to-device/extra"
                )),
            ),
        ),
        accepted(ROOM, "stable", &file),
    );
    shape.valid(
        spec(
            "file-with-extras",
            &["R23", "A5", "A8"],
            "The file has `key_ops` in ruma's order, an extra `sha512` hash and an unknown member: it is still complete and valid.",
            &[Flag::Interop],
        ),
        input(
            ROOM_KEY_BUNDLE,
            with(
                &content,
                "/file",
                with(
                    &with(
                        &with(&file, "/key/key_ops", json!(["decrypt", "encrypt"])),
                        "/hashes/sha512",
                        json!(b64::encode([7u8; 64])),
                    ),
                    "/org.example.note",
                    json!(true),
                ),
            ),
        ),
        accepted(ROOM, "stable", &file),
    );
    let bad_shapes: [(&str, &str, Value, &str); 6] = [
        (
            "content-array",
            "The content is an array.",
            json!([content.clone()]),
            "/content",
        ),
        (
            "content-null",
            "The content is null.",
            Value::Null,
            "/content",
        ),
        (
            "content-empty",
            "The content is an empty object: `room_id` is the first thing missing.",
            json!({}),
            "/content/room_id",
        ),
        (
            "file-missing",
            "The content has no `file`: there is nothing to download.",
            without(&content, "/file"),
            "/content/file",
        ),
        (
            "file-null",
            "`file` is null.",
            with(&content, "/file", Value::Null),
            "/content/file",
        ),
        (
            "file-url-string",
            "`file` is the bare `mxc://` URL instead of an EncryptedFile: an unencrypted upload's shape.",
            with(&content, "/file", file["url"].clone()),
            "/content/file",
        ),
    ];
    for (name, comment, c, path) in bad_shapes {
        shape.invalid(
            spec(name, &["R23"], comment, &[Flag::SchemaViolation]),
            input(ROOM_KEY_BUNDLE, c),
            rejected("R23", path),
        );
    }

    // completeness
    let mut complete = GroupBuilder::new(
        CATEGORY,
        "file-complete",
        "R23: the file is complete: `url`, `key` (`kty`, `key_ops`, `alg`, `k`, `ext`), `iv`, `hashes.sha256` and `v` are all present.",
        IdentifierVariant::Stable,
    );
    for member in [
        "url",
        "key",
        "iv",
        "hashes",
        "v",
        "key/kty",
        "key/key_ops",
        "key/alg",
        "key/k",
        "key/ext",
        "hashes/sha256",
    ] {
        let name = format!("missing-{}", member.replace(['/', '_'], "-"));
        let comment = format!(
            "The file lacks `{}`: it is incomplete, so the notification cannot be acted on.",
            member.replace('/', ".")
        );
        complete.invalid(
            spec(&name, &["R23"], &comment, &[Flag::SchemaViolation]),
            input(
                ROOM_KEY_BUNDLE,
                with(&content, "/file", without(&file, &format!("/{member}"))),
            ),
            rejected("R23", &format!("/content/file/{member}")),
        );
    }

    // values
    let mut values = GroupBuilder::new(
        CATEGORY,
        "file-values",
        "The file's members have the wrong type (invalid: the content does not parse) or a wrong value. The spec does not say whether values are checked when the notification arrives or when the file is downloaded (file-decryption checks them there), so refusing early and accepting now are both acceptable for wrong values.",
        IdentifierVariant::Stable,
    );
    let bad_types: [(&str, &str, &str, Value, &str); 4] = [
        (
            "iv-number",
            "/iv",
            "`iv` is a number: the file does not parse.",
            json!(0),
            "A7",
        ),
        (
            "key-string",
            "/key",
            "`key` is the bare key string instead of a JWK object.",
            json!(b64::encode_url_safe([1u8; 32])),
            "A2",
        ),
        (
            "hashes-string",
            "/hashes",
            "`hashes` is a string instead of an object.",
            json!("sha256"),
            "A8",
        ),
        ("url-number", "/url", "`url` is a number.", json!(7), "A12"),
    ];
    for (name, ptr, comment, value, rule) in bad_types {
        values.invalid(
            spec(name, &[rule, "R23"], comment, &[Flag::SchemaViolation]),
            input(
                ROOM_KEY_BUNDLE,
                with(&content, "/file", with(&file, ptr, value)),
            ),
            rejected(rule, &format!("/content/file{ptr}")),
        );
    }
    let bad_values: [(&str, &str, &str, Value, &str); 6] = [
        ("v1", "/v", "`v` is `v1`.", json!("v1"), "A1"),
        (
            "alg-a128ctr",
            "/key/alg",
            "`alg` is `A128CTR`.",
            json!("A128CTR"),
            "A3",
        ),
        (
            "ext-false",
            "/key/ext",
            "`ext` is `false`.",
            json!(false),
            "A4",
        ),
        (
            "key-ops-encrypt-only",
            "/key/key_ops",
            "`key_ops` lacks `decrypt`.",
            json!(["encrypt"]),
            "A5",
        ),
        (
            "k-16-bytes",
            "/key/k",
            "`k` is a 16-byte key.",
            json!(b64::encode_url_safe([2u8; 16])),
            "A6",
        ),
        (
            "url-https",
            "/url",
            "`url` is an `https://` URL, not `mxc://`.",
            json!("https://hs1.test/bundle"),
            "A12",
        ),
    ];
    for (name, ptr, comment, value, rule) in bad_values {
        let bad_file = with(&file, ptr, value);
        let comment = format!(
            "{comment} The reference refuses the notification at once ({rule}); a receiver that checks the file only when downloading it may accept the notification here."
        );
        values.acceptable(
            spec(name, &[rule, "R23"], &comment, &[Flag::SpecAmbiguity]),
            input(ROOM_KEY_BUNDLE, with(&content, "/file", bad_file.clone())),
            rejected(rule, &format!("/content/file{ptr}")),
            vec![accepted(ROOM, "stable", &bad_file)],
        );
    }

    new_file(
        "content",
        "R23: the `m.room_key_bundle` content carries a room ID and a complete EncryptedFile; unknown members are tolerated.",
        vec![room, shape, complete, values],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_decryption::tests::run_all;
    use msc4268_model::reference::Reference;
    use msc4268_protocol::cases::{ToDeviceInput, ToDeviceOutcome};
    use msc4268_protocol::implementation::{Implementation, ImplementationInfo, OpResult};

    #[test]
    fn reference_passes_every_case() {
        let (passed, failed, skipped) = run_all(&files(), &Reference);
        assert!(failed.is_empty(), "{}", failed.join("\n"));
        assert!(skipped.is_empty(), "skipped: {skipped:?}");
        assert!(passed.len() >= 45, "only {} cases", passed.len());
    }

    /// Accepts any type that contains `room_key_bundle` or `room.key_bundle`, and any string room ID.
    struct Lenient;

    impl Implementation for Lenient {
        fn info(&self) -> ImplementationInfo {
            Reference.info()
        }
        fn check_to_device(&self, input: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
            let t = &input.event_type;
            let known = t.contains("room_key_bundle") || t.contains("room.key_bundle");
            let room = input.content["room_id"].as_str();
            let url = input.content["file"]["url"].as_str();
            Ok(match (known, room, url) {
                (true, Some(r), Some(u)) => ToDeviceOutcome::Accepted {
                    room_id: r.into(),
                    event_type_variant: if t.starts_with("m.") {
                        IdentifierVariant::Stable
                    } else {
                        IdentifierVariant::Unstable
                    },
                    url: u.into(),
                },
                _ => ToDeviceOutcome::Rejected(Default::default()),
            })
        }
    }

    #[test]
    fn a_lenient_receiver_is_caught() {
        let (_, failed, _) = run_all(&files(), &Lenient);
        for id in [
            "spec-typo-m-room-key-bundle",
            "room-id-alias",
            "missing-hashes-sha256",
        ] {
            assert!(failed.iter().any(|f| f.contains(id)), "{id} not caught");
        }
    }
}
