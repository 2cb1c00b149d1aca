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
            "top-level-array-of-the-two-arrays",
            &["B1"],
            "`[[<key>], []]`: the two arrays of a bundle in member order, but in an array, not an object (the schema's `type: object`). A deserializer that maps a sequence onto a struct's fields in order (serde's derived `visit_seq`) reads it as a bundle with one key; it must be refused whole (found by the differential fuzzer, F22).",
            &[BugClass::SchemaViolation],
        ),
        Verdict::Invalid,
        json!({"plaintext": [[k0.json()], []]}),
        rejected("B1"),
    );
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
        withheld_kept(&w, HISTORY_NOT_SHARED, Some(IdentifierVariant::Stable)),
    );
    c.also_acceptable.push(rejected("B1"));
    f.file.groups.push(g.finish());
    f.file.groups.push(json_text_edges(&k0));
    f
}

/// The bundle's JSON text at the edges of what parsers accept: escapes, numbers, nesting, lone
/// surrogates, bytes that are not UTF-8.
fn json_text_edges(k0: &Key) -> msc4268_corpus::fixture::GroupDef {
    let mut g = GroupBuilder::new(
        CAT,
        "json-text",
        "The bundle's JSON text at the edges of what parsers accept: `\\u` escapes in names and values, numbers beyond 64-bit and double range, deep nesting, lone surrogates and bytes that are not UTF-8 in members the receiver does not use. RFC 8259 lets parsers limit number range and nesting depth, leaves lone surrogates unpredictable and requires UTF-8 of the sender; no Matrix text says more.",
        IdentifierVariant::Stable,
    );
    let entry = k0.json().to_string();
    let with_unknown = |member: &str| {
        format!("{{\"room_keys\":[{entry}],\"withheld\":[],\"org.example.extra\":{member}}}")
    };
    let one_key = || parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]);

    // Escaped names and values are the same strings once parsed.
    let escaped_entry = entry.replace("m.megolm.v1.aes-sha2", "m.megolm.v1.aes\\u002dsha2");
    g.push(
        spec(
            "escaped-names-and-values",
            &["B1", "B3", "R15"],
            "`room\\u005fkeys` and `m.megolm.v1.aes\\u002dsha2` are written with `\\u` escapes: after parsing they are `room_keys` and `m.megolm.v1.aes-sha2`, so the bundle reads as usual. A receiver that matches names or the algorithm on the raw bytes misses the key.",
            &[BugClass::EdgeCase, BugClass::Interop],
        ),
        Verdict::Valid,
        json!({"plaintext_text": format!("{{\"room\\u005fkeys\":[{escaped_entry}],\"withheld\":[]}}")}),
        one_key(),
    );

    let acceptable =
        |g: &mut GroupBuilder, name: &str, comment: &str, text: String, parses: bool| {
            let (expected, also) = if parses {
                (one_key(), rejected("B1"))
            } else {
                (rejected("B1"), one_key())
            };
            let c = g.push(
                spec(
                    name,
                    &["B1"],
                    comment,
                    &[BugClass::SpecAmbiguity, BugClass::EdgeCase],
                ),
                Verdict::Acceptable,
                json!({"plaintext_text": text}),
                expected,
            );
            c.also_acceptable.push(also);
        };
    acceptable(
        &mut g,
        "integer-beyond-64-bit",
        "An unknown member holds 18446744073709551616000 (beyond 2^64). The reference reads it as a double and ignores the member; a parser that refuses integers it cannot hold exactly may refuse the bundle. Nothing the receiver uses depends on it.",
        with_unknown("18446744073709551616000"),
        true,
    );
    acceptable(
        &mut g,
        "number-beyond-double",
        "An unknown member holds 1e400, beyond the range of a double. serde_json (the reference) refuses the text; a parser that reads it as infinity, or skips unknown members unparsed, keeps the bundle.",
        with_unknown("1e400"),
        false,
    );
    let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
    acceptable(
        &mut g,
        "nesting-past-128",
        "An unknown member nests 129 arrays deep (130 levels with the bundle object). serde_json (the reference) stops at 128 levels and refuses the text; a parser with a higher limit keeps the bundle. A limit protects the receiver's stack; either answer is safe.",
        with_unknown(&deep),
        false,
    );
    acceptable(
        &mut g,
        "lone-surrogate-in-unknown-member",
        "An unknown member's string is `\\ud800`, a lone high surrogate that no UTF-8 text can carry. serde_json (the reference) refuses the text; a parser that replaces it with U+FFFD, or never decodes unknown members, keeps the bundle.",
        with_unknown("\"\\ud800\""),
        false,
    );

    // Bytes that are not UTF-8 cannot travel as `plaintext_text`: this case is given as bytes.
    let mut not_utf8 = with_unknown("\"\u{1}\"").into_bytes();
    let at = not_utf8.iter().position(|&b| b == 1).unwrap_or(0);
    not_utf8.splice(at..=at, [0xffu8, 0xfe]);
    let c = g.push(
        spec(
            "invalid-utf8-in-unknown-member",
            &["B1"],
            "An unknown member's string holds the bytes 0xff 0xfe, which are not UTF-8, so the text is not JSON text (RFC 8259 §8.1: it \"MUST be encoded using UTF-8\"). The reference refuses it; a parser that never decodes unknown members (serde_json skips an ignored string without checking its bytes, so matrix-sdk-crypto keeps the bundle) is also acceptable, as for a lone surrogate there (decision S20). Found by the differential fuzzer.",
            &[BugClass::SpecAmbiguity, BugClass::EdgeCase],
        ),
        Verdict::Acceptable,
        json!({"plaintext_base64": b64::encode_padded(&not_utf8)}),
        rejected("B1"),
    );
    c.also_acceptable.push(one_key());

    // A lone surrogate inside the room ID of a key: never imported under any room.
    let good = Key::new("json-text-good", 0);
    let bad = Key::new("json-text-surrogate", 0)
        .json()
        .to_string()
        .replace(ROOM, "!hist\\ud800ory:hs1.test");
    let c = g.push(
        spec(
            "lone-surrogate-in-room-id",
            &["R15", "R46", "B1"],
            "The second key's `room_id` is `!hist\\ud800ory:hs1.test`: a lone surrogate, which a room ID may not contain (\"valid non-surrogate Unicode code points\", R46). The entry must not be imported under any room (a parser that substitutes U+FFFD would report `!hist\u{fffd}ory:hs1.test`): the reference's parser refuses the whole text; skipping the entry alone is also acceptable.",
            &[BugClass::SchemaViolation, BugClass::EdgeCase],
        ),
        Verdict::Invalid,
        json!({"plaintext_text": format!("{{\"room_keys\":[{},{bad}],\"withheld\":[]}}", good.json())}),
        rejected("B1"),
    );
    c.also_acceptable.push(parsed(
        vec![good.summary("/room_keys/0")],
        vec![],
        vec![("/room_keys/1", "R46")],
    ));
    g.finish()
}
