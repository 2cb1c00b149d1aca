//! `to-device-content/content.json`: the notification's content, a room ID and a complete
//! `EncryptedFile` (R23).

use super::*;

pub(super) fn content() -> GeneratedFile {
    let file = bundle_file();
    let content = json!({"room_id": ROOM, "file": file});

    // room_id
    let mut room = GroupBuilder::new(
        CATEGORY,
        "room-id",
        "R23: `content.room_id` is present and is a room ID under the appendix grammar (R46).",
        IdentifierVariant::Stable,
    );
    let v12_room = format!(
        "!{}",
        b64::encode_url_safe(msc4268_model::material::seed("to-device/room-v12"))
    );
    room.valid(
        spec(
            "room-id-v12",
            &["R23", "R46"],
            "A room version 12 room ID: `!` followed by the create event's reference hash, with no server name. It is a room ID.",
            &[BugClass::EdgeCase],
        ),
        input(ROOM_KEY_BUNDLE, with(&content, "/room_id", json!(v12_room))),
        accepted(&v12_room, "stable", &file),
    );
    room.valid(
        spec(
            "room-id-server-with-port",
            &["R23", "R46"],
            "A room ID whose server name carries a port.",
            &[],
        ),
        input(
            ROOM_KEY_BUNDLE,
            with(&content, "/room_id", json!("!history:hs1.test:8448")),
        ),
        accepted("!history:hs1.test:8448", "stable", &file),
    );
    room.valid(
        spec(
            "room-id-whitespace",
            &["R23", "R46"],
            "A space in the localpart: the appendix lets a room ID's localpart hold any non-surrogate code point, control characters included, except `:` and NUL, so `!his tory:hs1.test` is a room ID (R46).",
            &[BugClass::EdgeCase],
        ),
        input(
            ROOM_KEY_BUNDLE,
            with(&content, "/room_id", json!("!his tory:hs1.test")),
        ),
        accepted("!his tory:hs1.test", "stable", &file),
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
            "room-id-nul",
            "`room_id` contains U+0000 (`\\u0000` in the JSON text): a room ID's localpart MUST NOT contain NUL (appendix, Room IDs; R46), and a C-string consumer would read `!his` as the room.",
            Some(json!("!his\u{0}tory:hs1.test")),
        ),
    ];
    for (name, comment, value) in bad_rooms {
        // A string that is not a room ID breaks the grammar (R46) as well as R23.
        let (rules, rule): (&[&str], &str) = match &value {
            Some(Value::String(_)) => (&["R46", "R23"], "R46"),
            _ => (&["R23"], "R23"),
        };
        let c = match value {
            Some(x) => with(&content, "/room_id", x),
            None => without(&content, "/room_id"),
        };
        room.invalid(
            spec(name, rules, comment, &[BugClass::SchemaViolation]),
            input(ROOM_KEY_BUNDLE, c),
            rejected(rule, "/content/room_id"),
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
            &[BugClass::Interop],
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
            spec(name, &["R23"], comment, &[BugClass::SchemaViolation]),
            input(ROOM_KEY_BUNDLE, c),
            rejected("R23", path),
        );
    }

    // completeness
    let mut complete = GroupBuilder::new(
        CATEGORY,
        "file-complete",
        "R23: the file is complete: `url`, `key` (`kty`, `key_ops`, `alg`, `k`, `ext`), `iv`, `hashes.sha256` and `v` are all present. A file without `url` points at nothing; for the other members the texts do not say when they are checked, so refusing at once and refusing at download are both acceptable (decision S16).",
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
        let case_input = input(
            ROOM_KEY_BUNDLE,
            with(&content, "/file", without(&file, &format!("/{member}"))),
        );
        let expected = rejected("R23", &format!("/content/file/{member}"));
        if member == "url" {
            // Without a URL the notification points at nothing: it cannot be accepted as usable.
            complete.invalid(
                spec(
                    &name,
                    &["R23", "A12"],
                    "The file lacks `url`: the notification points at no media, so it cannot be acted on at any time.",
                    &[BugClass::SchemaViolation],
                ),
                case_input,
                expected,
            );
            continue;
        }
        let comment = format!(
            "The file lacks `{}`, which the EncryptedFile schema requires. The texts do not say whether the file is checked when the notification arrives or when it is downloaded (decision S16): the reference refuses the notification at once; accepting it now and refusing the file at download (file-decryption) is also acceptable.",
            member.replace('/', ".")
        );
        complete.acceptable(
            spec(
                &name,
                &["R23"],
                &comment,
                &[BugClass::SchemaViolation, BugClass::SpecAmbiguity],
            ),
            case_input,
            expected,
            vec![accepted(ROOM, "stable", &file)],
        );
    }

    // values
    let mut values = GroupBuilder::new(
        CATEGORY,
        "file-values",
        "The file's members have the wrong type or a wrong value. The spec does not say whether the file is checked when the notification arrives or when it is downloaded (file-decryption checks it there), so refusing early and accepting now are both acceptable (decision S16); only a `url` that is not a string leaves nothing to accept.",
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
        let case_input = input(
            ROOM_KEY_BUNDLE,
            with(&content, "/file", with(&file, ptr, value)),
        );
        let expected = rejected(rule, &format!("/content/file{ptr}"));
        if ptr == "/url" {
            // A notification whose URL is not a string points at nothing usable.
            values.invalid(
                spec(name, &[rule, "R23"], comment, &[BugClass::SchemaViolation]),
                case_input,
                expected,
            );
            continue;
        }
        let comment = format!(
            "{comment} The texts do not say whether the file is checked when the notification arrives or when it is downloaded (decision S16): the reference refuses the notification at once; accepting it now and refusing the file at download is also acceptable."
        );
        values.acceptable(
            spec(
                name,
                &[rule, "R23"],
                &comment,
                &[BugClass::SchemaViolation, BugClass::SpecAmbiguity],
            ),
            case_input,
            expected,
            vec![accepted(ROOM, "stable", &file)],
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
            spec(name, &[rule, "R23"], &comment, &[BugClass::SpecAmbiguity]),
            input(ROOM_KEY_BUNDLE, with(&content, "/file", bad_file.clone())),
            rejected(rule, &format!("/content/file{ptr}")),
            vec![accepted(ROOM, "stable", &bad_file)],
        );
    }

    new_file(
        CATEGORY,
        module_path!(),
        "content",
        "R23: the `m.room_key_bundle` content carries a room ID and a complete EncryptedFile; unknown members are tolerated.",
        vec![room, shape, complete, values],
    )
}
