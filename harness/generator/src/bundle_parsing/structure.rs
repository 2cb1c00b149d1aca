//! `bundle-parsing/structure.json`: the bundle's top level and its two arrays (B1).

use super::*;

pub(super) fn structure() -> GeneratedFile {
    let mut f = file(
        CAT,
        "structure",
        "The bundle's top level: UTF-8 JSON object with `room_keys` and `withheld` arrays (B1, D3).",
        module_path!(),
    );
    let mut g = GroupBuilder::new(
        CAT,
        "not-a-bundle",
        "Plaintexts that are not a bundle at all must be refused whole.",
        IdentifierVariant::Stable,
    );
    let k0 = Key::new("structure", 0);
    let raw: Vec<(&str, &str, Value)> = vec![
        (
            "not-utf8",
            "Invalid UTF-8 bytes (a lone 0xff) cannot be JSON text.",
            json!({"plaintext_base64": b64::encode_padded([0xffu8, b'{', b'}'])}),
        ),
        (
            "not-json",
            "Text that is not JSON.",
            json!({"plaintext_text": "room_keys=[]"}),
        ),
        (
            "empty-file",
            "An empty file.",
            json!({"plaintext_text": ""}),
        ),
        (
            "truncated-json",
            "JSON cut off in the middle, as a truncated download decrypts.",
            json!({"plaintext_text": format!("{{\"room_keys\": [{}", k0.json())}),
        ),
        (
            "trailing-garbage",
            "A JSON object followed by more text.",
            json!({"plaintext_text": "{\"room_keys\": [], \"withheld\": []} x"}),
        ),
    ];
    for (name, comment, input) in raw {
        g.push(
            spec(name, &["B1"], comment, &[BugClass::SchemaViolation]),
            Verdict::Invalid,
            input,
            rejected("B1"),
        );
    }
    g.acceptable(
        spec(
            "byte-order-mark",
            &["B1"],
            "An empty bundle preceded by a UTF-8 byte order mark. RFC 8259 §8.1 forbids a sender to add one (\"MUST NOT add a byte order mark\") but lets a parser \"ignore the presence of a byte order mark rather than treating it as an error\": the reference refuses the bundle, reading it as an empty bundle is also acceptable.",
            &[BugClass::SchemaViolation, BugClass::SpecAmbiguity],
        ),
        json!({"plaintext_base64": b64::encode_padded([&[0xefu8, 0xbb, 0xbf][..], br#"{"room_keys":[],"withheld":[]}"#].concat())}),
        rejected("B1"),
        vec![parsed(vec![], vec![], vec![])],
    );
    for (name, v) in [
        ("top-level-array", json!([k0.json()])),
        ("top-level-string", json!("room_keys")),
        ("top-level-number", json!(1)),
    ] {
        g.push(
            spec(
                name,
                &["B1"],
                "The top level must be an object.",
                &[BugClass::SchemaViolation],
            ),
            Verdict::Invalid,
            json!({"plaintext": v}),
            rejected("B1"),
        );
    }
    g.push(
        spec(
            "top-level-null",
            &["B1"],
            "The top level must be an object, not null.",
            &[BugClass::SchemaViolation],
        ),
        Verdict::Invalid,
        json!({"plaintext_text": "null"}),
        rejected("B1"),
    );
    for (name, v) in [
        ("room-keys-null", json!({"room_keys": null, "withheld": []})),
        (
            "room-keys-object",
            json!({"room_keys": {"0": k0.json()}, "withheld": []}),
        ),
        (
            "room-keys-string",
            json!({"room_keys": "[]", "withheld": []}),
        ),
        (
            "withheld-object",
            json!({"room_keys": [k0.json()], "withheld": {}}),
        ),
        (
            "withheld-true",
            json!({"room_keys": [k0.json()], "withheld": true}),
        ),
    ] {
        g.push(
            spec(
                name,
                &["B1"],
                "`room_keys` and `withheld` must be arrays when present; a bundle with a mistyped array is refused whole.",
                &[BugClass::SchemaViolation],
            ),
            Verdict::Invalid,
            json!({"plaintext": v}),
            rejected("B1"),
        );
    }
    f.file.groups.push(g.finish());
    let mut g = GroupBuilder::new(
        CAT,
        "missing-arrays",
        "The spec schema does not mark the arrays required (D3); matrix-rust-sdk rejects a bundle without them. Senders must write both.",
        IdentifierVariant::Stable,
    );
    for (name, v, keys) in [
        ("missing-withheld", json!({"room_keys": [k0.json()]}), true),
        ("missing-room-keys", json!({"withheld": []}), false),
        ("missing-both", json!({}), false),
    ] {
        let expected = parsed(
            if keys {
                vec![k0.summary("/room_keys/0")]
            } else {
                vec![]
            },
            vec![],
            vec![],
        );
        let c = g.push(
            spec(
                name,
                &["B1"],
                "A missing array reads as empty (reference), or the bundle is refused (matrix-rust-sdk): both are safe.",
                &[BugClass::SpecAmbiguity],
            ),
            Verdict::Acceptable,
            json!({"plaintext": v}),
            expected,
        );
        c.also_acceptable.push(rejected("B1"));
    }
    f.file.groups.push(g.finish());

    let mut g = GroupBuilder::new(
        CAT,
        "duplicate-members",
        "JSON objects with a member name twice (RFC 8259 §4: names SHOULD be unique; what a parser does with duplicates is not defined).",
        IdentifierVariant::Stable,
    );
    let w = withheld("duplicate", HISTORY_NOT_SHARED);
    let mut text = w.to_string();
    // The same `code` twice, the last one being the entry's own.
    text.insert_str(1, "\"code\":\"m.unverified\",");
    let plaintext = format!("{{\"room_keys\":[],\"withheld\":[{text}]}}");
    let c = g.push(
        spec(
            "withheld-code-twice",
            &["B1", "R16"],
            "A withheld entry carries `code` twice. The reference reads the last value (serde_json's `Value`), matrix-sdk-crypto refuses the bundle (serde's `duplicate field`). The bundle is encrypted and hash-checked, so no second reader can see another value: both are safe (found by differential fuzzing, F19).",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        json!({"plaintext_text": plaintext}),
        parsed(
            vec![],
            vec![withheld_summary(
                "/withheld/0",
                &w,
                HISTORY_NOT_SHARED,
                Some(IdentifierVariant::Stable),
            )],
            vec![],
        ),
    );
    c.also_acceptable.push(rejected("B1"));
    f.file.groups.push(g.finish());
    f
}
