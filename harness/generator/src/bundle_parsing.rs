//! Generator for `bundle-parsing`: the decrypted bundle plaintext → strict model (B1–B4, R15, R16).
//!
//! Every invalid-entry case puts one broken entry beside a good one: the good one must survive
//! (the reference skips the broken entry, S1), or the whole bundle may be refused; importing the
//! broken entry is never acceptable.

use serde_json::{Value, json};

use super::{GeneratedFile, case, file, group};
use msc4268_corpus::fixture::{CaseDef, Flag, GroupDef, Verdict};
use msc4268_model::b64;
use msc4268_model::material;
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::{
    HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, IdentifierVariant, MEGOLM_V1,
};

const ROOM: &str = "!history:hs1.test";
const CAT: Category = Category::BundleParsing;

/// A `room_keys` entry built from material, and what a parser must report for it.
#[derive(Clone)]
struct Key {
    label: String,
    index: u32,
    room: String,
}

impl Key {
    fn new(label: &str, index: u32) -> Self {
        Key {
            label: label.into(),
            index,
            room: ROOM.into(),
        }
    }

    fn json(&self) -> Value {
        let k = material::megolm_session(&format!("bundle-parsing/{}", self.label), self.index);
        json!({
            "algorithm": MEGOLM_V1,
            "room_id": self.room,
            "sender_key": material::curve25519_public_b64("@carol:hs1.test/CAROLDEV"),
            "sender_claimed_keys": {"ed25519": material::ed25519_public_b64("@carol:hs1.test/CAROLDEV")},
            "session_id": k.session_id(),
            "session_key": k.to_base64(),
        })
    }

    fn session_id(&self) -> String {
        material::megolm_session(&format!("bundle-parsing/{}", self.label), 0).session_id()
    }

    fn summary(&self, source: &str) -> Value {
        json!({"source": source, "room_id": self.room, "session_id": self.session_id(), "first_known_index": self.index})
    }
}

fn withheld(label: &str, code: &str) -> Value {
    json!({
        "algorithm": MEGOLM_V1,
        "code": code,
        "reason": "The sender disabled sharing encrypted history.",
        "room_id": ROOM,
        "session_id": material::megolm_session(&format!("bundle-parsing/withheld/{label}"), 0).session_id(),
        "sender_key": material::curve25519_public_b64("@carol:hs1.test/CAROLDEV"),
        "from_device": "ALICEDEV",
    })
}

fn withheld_summary(
    source: &str,
    entry: &Value,
    code: &str,
    variant: Option<IdentifierVariant>,
) -> Value {
    let mut s = json!({"source": source, "code": code});
    for k in ["room_id", "session_id"] {
        if let Some(v) = entry.get(k) {
            s[k] = v.clone();
        }
    }
    if let Some(v) = variant {
        s["code_variant"] = json!(v);
    }
    s
}

fn parsed(room_keys: Vec<Value>, withheld: Vec<Value>, skipped: Vec<(&str, &str)>) -> Value {
    let skipped: Vec<Value> = skipped
        .into_iter()
        .map(|(s, r)| json!({"source": s, "rule": r}))
        .collect();
    json!({"outcome": "parsed", "room_keys": room_keys, "withheld": withheld, "skipped": skipped})
}

fn rejected(rule: &str) -> Value {
    json!({"outcome": "rejected", "rule": rule})
}

fn id(g: &GroupDef, name: &str) -> String {
    format!("{}/{}/{name}", CAT.as_str(), g.id)
}

/// Adds a case whose input is a JSON plaintext.
#[allow(clippy::too_many_arguments)]
fn add(
    g: &mut GroupDef,
    name: &str,
    rules: &[&str],
    comment: &str,
    flags: &[Flag],
    result: Verdict,
    plaintext: Value,
    expected: Value,
) {
    let c = case(
        id(g, name),
        rules,
        comment,
        flags,
        result,
        json!({"plaintext": plaintext}),
        expected,
    );
    g.cases.push(c);
}

fn with_alt(mut c: CaseDef, alt: Value) -> CaseDef {
    c.also_acceptable.push(alt);
    c
}

/// Generates the files of this category.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        valid(),
        structure(),
        room_key_fields(),
        session_id(),
        algorithm(),
        withheld_fields(),
        withheld_codes(),
    ]
}

fn valid() -> GeneratedFile {
    let mut f = file(
        CAT,
        "valid",
        "Well-formed bundles that every implementation must read completely.",
        "bundle_parsing::valid",
    );
    let mut g = group(
        "well-formed",
        "Bundles as a correct inviter writes them.",
        IdentifierVariant::Stable,
    );
    let k0 = Key::new("one", 0);
    add(
        &mut g,
        "one-key-index-0",
        &["R15", "B1"],
        "A single room key exported at index 0 (base64 starts AQAAAA).",
        &[],
        Verdict::Valid,
        json!({"room_keys": [k0.json()], "withheld": []}),
        parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]),
    );
    let keys: Vec<Key> = [0u32, 5, 255, 256, 65_536, 16_777_216]
        .iter()
        .enumerate()
        .map(|(i, ix)| Key::new(&format!("many-{i}"), *ix))
        .collect();
    add(
        &mut g,
        "keys-at-ratchet-boundaries",
        &["R15"],
        "Keys exported at indexes across the Megolm ratchet's byte boundaries; the first known index of each is reported.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        json!({"room_keys": keys.iter().map(Key::json).collect::<Vec<_>>(), "withheld": []}),
        parsed(
            keys.iter()
                .enumerate()
                .map(|(i, k)| k.summary(&format!("/room_keys/{i}")))
                .collect(),
            vec![],
            vec![],
        ),
    );
    add(
        &mut g,
        "empty-arrays",
        &["B1"],
        "Both arrays present and empty: a well-formed bundle with nothing in it.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        json!({"room_keys": [], "withheld": []}),
        parsed(vec![], vec![], vec![]),
    );
    let w = withheld("w1", HISTORY_NOT_SHARED);
    add(
        &mut g,
        "key-and-withheld",
        &["R15", "R16"],
        "One shared key and one withheld session, both reported.",
        &[],
        Verdict::Valid,
        json!({"room_keys": [k0.json()], "withheld": [w.clone()]}),
        parsed(
            vec![k0.summary("/room_keys/0")],
            vec![withheld_summary(
                "/withheld/0",
                &w,
                HISTORY_NOT_SHARED,
                Some(IdentifierVariant::Stable),
            )],
            vec![],
        ),
    );
    add(
        &mut g,
        "only-withheld",
        &["R16"],
        "Nothing shareable, one withheld entry.",
        &[],
        Verdict::Valid,
        json!({"room_keys": [], "withheld": [w.clone()]}),
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
    add(
        &mut g,
        "unknown-top-level-members",
        &["B1"],
        "Unknown top-level members are tolerated.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        json!({"room_keys": [k0.json()], "withheld": [], "org.example.extra": {"x": 1}, "version": 2}),
        parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]),
    );
    let mut extra = k0.json();
    extra["forwarding_curve25519_key_chain"] = json!([]);
    extra["shared_history"] = json!(true);
    extra["org.example.note"] = json!("x");
    add(
        &mut g,
        "unknown-entry-members",
        &["R15"],
        "Members a bundle entry deliberately omits (forwarding chain, shared_history) and unknown ones are tolerated.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        json!({"room_keys": [extra], "withheld": []}),
        parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]),
    );
    let mut v12 = Key::new("v12", 2);
    v12.room = "!b3BhcXVlX3Jvb21faWRfdjEy".into();
    add(
        &mut g,
        "room-id-without-server-name",
        &["R15"],
        "Room IDs of room version 12 have no server name; they are still room IDs.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        json!({"room_keys": [v12.json()], "withheld": []}),
        parsed(vec![v12.summary("/room_keys/0")], vec![], vec![]),
    );
    let same_a = Key::new("dup", 4);
    let same_b = Key::new("dup", 1);
    add(
        &mut g,
        "same-session-twice",
        &["R15"],
        "The same session at two indexes is two well-formed entries; choosing between them is the import's job.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        json!({"room_keys": [same_a.json(), same_b.json()], "withheld": []}),
        parsed(
            vec![
                same_a.summary("/room_keys/0"),
                same_b.summary("/room_keys/1"),
            ],
            vec![],
            vec![],
        ),
    );
    let text = format!(
        "  {{\n  \"room_keys\" : [ {} ] ,\n\t\"withheld\":[]\n}}\n  ",
        k0.json()
    );
    g.cases.push(case(
        id(&g, "insignificant-whitespace"),
        &["B1"],
        "Whitespace between JSON tokens is insignificant.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        json!({"plaintext_text": text}),
        parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]),
    ));
    f.file.groups.push(g);
    f
}

fn structure() -> GeneratedFile {
    let mut f = file(
        CAT,
        "structure",
        "The bundle's top level: UTF-8 JSON object with `room_keys` and `withheld` arrays (B1, D3).",
        "bundle_parsing::structure",
    );
    let mut g = group(
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
        (
            "byte-order-mark",
            "JSON text may not start with a byte order mark (RFC 8259 §8.1).",
            json!({"plaintext_base64": b64::encode_padded([&[0xefu8, 0xbb, 0xbf][..], br#"{"room_keys":[],"withheld":[]}"#].concat())}),
        ),
    ];
    for (name, comment, input) in raw {
        g.cases.push(case(
            id(&g, name),
            &["B1"],
            comment,
            &[Flag::SchemaViolation],
            Verdict::Invalid,
            input,
            rejected("B1"),
        ));
    }
    for (name, v) in [
        ("top-level-array", json!([k0.json()])),
        ("top-level-string", json!("room_keys")),
        ("top-level-number", json!(1)),
    ] {
        add(
            &mut g,
            name,
            &["B1"],
            "The top level must be an object.",
            &[Flag::SchemaViolation],
            Verdict::Invalid,
            v,
            rejected("B1"),
        );
    }
    g.cases.push(case(
        id(&g, "top-level-null"),
        &["B1"],
        "The top level must be an object, not null.",
        &[Flag::SchemaViolation],
        Verdict::Invalid,
        json!({"plaintext_text": "null"}),
        rejected("B1"),
    ));
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
        add(
            &mut g,
            name,
            &["B1"],
            "`room_keys` and `withheld` must be arrays when present; a bundle with a mistyped array is refused whole.",
            &[Flag::SchemaViolation],
            Verdict::Invalid,
            v,
            rejected("B1"),
        );
    }
    f.file.groups.push(g);
    let mut g = group(
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
        let c = case(
            id(&g, name),
            &["B1"],
            "A missing array reads as empty (reference), or the bundle is refused (matrix-rust-sdk): both are safe.",
            &[Flag::SpecAmbiguity],
            Verdict::Acceptable,
            json!({"plaintext": v}),
            expected,
        );
        g.cases.push(with_alt(c, rejected("B1")));
    }
    f.file.groups.push(g);

    let mut g = group(
        "duplicate-members",
        "JSON objects with a member name twice (RFC 8259 §4: names SHOULD be unique; what a parser does with duplicates is not defined).",
        IdentifierVariant::Stable,
    );
    let w = withheld("duplicate", HISTORY_NOT_SHARED);
    let mut text = w.to_string();
    // The same `code` twice, the last one being the entry's own.
    text.insert_str(1, "\"code\":\"m.unverified\",");
    let plaintext = format!("{{\"room_keys\":[],\"withheld\":[{text}]}}");
    let c = case(
        id(&g, "withheld-code-twice"),
        &["B1", "R16"],
        "A withheld entry carries `code` twice. The reference reads the last value (serde_json's `Value`), matrix-sdk-crypto refuses the bundle (serde's `duplicate field`). The bundle is encrypted and hash-checked, so no second reader can see another value: both are safe (found by differential fuzzing, F19).",
        &[Flag::SpecAmbiguity],
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
    g.cases.push(with_alt(c, rejected("B1")));
    f.file.groups.push(g);
    f
}

/// One broken entry beside a good one: expected skip of the broken entry, or whole rejection.
fn broken_key(
    g: &mut GroupDef,
    name: &str,
    rule: &str,
    comment: &str,
    flags: &[Flag],
    broken: Value,
) {
    let good = Key::new(&format!("{}-good", g.id), 0);
    let plaintext = json!({"room_keys": [good.json(), broken], "withheld": []});
    let expected = parsed(
        vec![good.summary("/room_keys/0")],
        vec![],
        vec![("/room_keys/1", rule)],
    );
    let rules: Vec<&str> = if rule == "R15" {
        vec!["R15"]
    } else {
        vec![rule, "R15"]
    };
    let c = case(
        id(g, name),
        &rules,
        comment,
        flags,
        Verdict::Invalid,
        json!({"plaintext": plaintext}),
        expected,
    );
    g.cases.push(with_alt(c, rejected(rule)));
}

/// 32 deterministic bytes that are not the encoding of an Ed25519 curve point.
fn not_a_point() -> [u8; 32] {
    (0u32..)
        .map(|i| {
            let mut b = [0u8; 32];
            b.copy_from_slice(&material::bytes(&format!("not-a-point/{i}"), 32));
            b
        })
        .find(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_err())
        .unwrap_or([0xff; 32])
}

fn room_key_fields() -> GeneratedFile {
    let mut f = file(
        CAT,
        "room-key-fields",
        "Each `room_keys` entry has the six fields of HistoricRoomKey, well-formed (R15).",
        "bundle_parsing::room_key_fields",
    );
    let mut g = group(
        "missing-or-mistyped",
        "One field of one entry is missing or has the wrong type.",
        IdentifierVariant::Stable,
    );
    let base = Key::new("fields", 3).json();
    for field in [
        "algorithm",
        "room_id",
        "sender_key",
        "sender_claimed_keys",
        "session_id",
        "session_key",
    ] {
        let mut e = base.clone();
        e.as_object_mut().map(|m| m.remove(field));
        broken_key(
            &mut g,
            &format!("missing-{}", field.replace('_', "-")),
            "R15",
            &format!("`{field}` is required in every room_keys entry."),
            &[Flag::SchemaViolation],
            e,
        );
        let mut e = base.clone();
        e[field] = json!(42);
        broken_key(
            &mut g,
            &format!("{}-is-number", field.replace('_', "-")),
            "R15",
            &format!("`{field}` must not be a number."),
            &[Flag::SchemaViolation],
            e,
        );
    }
    for (name, v) in [
        ("entry-is-string", json!("key")),
        ("entry-is-null", Value::Null),
        ("entry-is-array", json!([base.clone()])),
    ] {
        broken_key(
            &mut g,
            name,
            "R15",
            "Every room_keys entry must be an object.",
            &[Flag::SchemaViolation],
            v,
        );
    }
    f.file.groups.push(g);

    let mut g = group(
        "values",
        "Fields present with malformed values.",
        IdentifierVariant::Stable,
    );
    let mut e = base.clone();
    e["room_id"] = json!("#alias:hs1.test");
    broken_key(
        &mut g,
        "room-id-is-alias",
        "R15",
        "A room alias is not a room ID.",
        &[Flag::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["room_id"] = json!("");
    broken_key(
        &mut g,
        "room-id-empty",
        "R15",
        "An empty string is not a room ID.",
        &[Flag::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["sender_key"] = json!(b64::encode(material::bytes("short", 31)));
    broken_key(
        &mut g,
        "sender-key-31-bytes",
        "R15",
        "sender_key is a 32-byte Curve25519 key.",
        &[Flag::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["sender_key"] = json!("not base64!");
    broken_key(
        &mut g,
        "sender-key-not-base64",
        "R15",
        "sender_key must be unpadded base64.",
        &[Flag::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["sender_claimed_keys"] = json!({});
    broken_key(
        &mut g,
        "claimed-keys-without-ed25519",
        "R15",
        "sender_claimed_keys must hold the creator's ed25519 key (matrix-rust-sdk tolerates its absence; the spec requires it).",
        &[Flag::SchemaViolation, Flag::Spoofing],
        e,
    );
    let mut e = base.clone();
    e["sender_claimed_keys"] = json!({"ed25519": b64::encode(material::bytes("long", 33))});
    broken_key(
        &mut g,
        "claimed-ed25519-33-bytes",
        "R15",
        "The claimed ed25519 key is 32 bytes.",
        &[Flag::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    e["sender_claimed_keys"] = json!({"ed25519": b64::encode(not_a_point())});
    broken_key(
        &mut g,
        "claimed-ed25519-not-a-point",
        "R15",
        "The claimed ed25519 value is 32 bytes but no Ed25519 public key: the point does not decompress (found by differential fuzzing, F17: the reference used to check only the length; matrix-sdk-crypto refuses the bundle).",
        &[Flag::SchemaViolation],
        e,
    );
    f.file.groups.push(g);

    let mut g = group(
        "session-key",
        "session_key must be a Megolm key in the export format: 0x01, index, ratchet, Ed25519 key (165 bytes).",
        IdentifierVariant::Stable,
    );
    let k = material::megolm_session("bundle-parsing/fields", 3);
    let bytes = k.to_bytes();
    let variants: Vec<(&str, Vec<u8>, &str, Vec<Flag>)> = vec![
        (
            "sharing-format",
            {
                let mut b = bytes.clone();
                b[0] = 0x02;
                b.extend_from_slice(&material::bytes("sig", 64));
                b
            },
            "The sharing format (0x02 + signature, as in m.room_key and the spec's misleading examples, D4) is not the export format.",
            vec![Flag::Legacy, Flag::SchemaViolation],
        ),
        (
            "version-0",
            {
                let mut b = bytes.clone();
                b[0] = 0x00;
                b
            },
            "Version byte 0x00 is unknown.",
            vec![Flag::SchemaViolation],
        ),
        (
            "truncated-164",
            bytes[..164].to_vec(),
            "One byte short of 165.",
            vec![Flag::SchemaViolation, Flag::EdgeCase],
        ),
        (
            "extended-166",
            {
                let mut b = bytes.clone();
                b.push(0);
                b
            },
            "One byte too many.",
            vec![Flag::SchemaViolation, Flag::EdgeCase],
        ),
        (
            "only-version-byte",
            vec![0x01],
            "Just the version byte.",
            vec![Flag::SchemaViolation],
        ),
        ("empty", vec![], "Empty key.", vec![Flag::SchemaViolation]),
    ];
    for (name, b, comment, flags) in variants {
        let mut e = base.clone();
        e["session_key"] = json!(b64::encode(&b));
        broken_key(&mut g, name, "R15", comment, &flags, e);
    }
    let mut invalid_point = bytes.clone();
    // y = 2 is not the y-coordinate of any point on edwards25519 (no square root exists).
    let mut y = [0u8; 32];
    y[0] = 2;
    invalid_point[133..165].copy_from_slice(&y);
    let mut e = base.clone();
    e["session_key"] = json!(b64::encode(&invalid_point));
    broken_key(
        &mut g,
        "signing-key-not-a-point",
        "R15",
        "The embedded Ed25519 key does not decode to a curve point.",
        &[Flag::SchemaViolation, Flag::KeyPlanting],
        e,
    );
    let mut e = base.clone();
    e["session_key"] = json!(format!("{}!", k.to_base64()));
    broken_key(
        &mut g,
        "not-base64",
        "R15",
        "session_key must be base64.",
        &[Flag::SchemaViolation],
        e,
    );
    f.file.groups.push(g);
    f
}

fn session_id() -> GeneratedFile {
    let mut f = file(
        CAT,
        "session-id",
        "session_id must name the key it comes with: the unpadded base64 of the Ed25519 key in session_key (B2).",
        "bundle_parsing::session_id",
    );
    let mut g = group(
        "mismatch",
        "An entry whose session_id is not its key's ID could overwrite or shadow another session.",
        IdentifierVariant::Stable,
    );
    let base = Key::new("sid", 0).json();
    let mut e = base.clone();
    e["session_id"] = json!(material::megolm_session("bundle-parsing/sid-other", 0).session_id());
    broken_key(
        &mut g,
        "id-of-another-session",
        "B2",
        "session_id names another real session: importing would plant this key under that session's ID.",
        &[Flag::KeyPlanting],
        e,
    );
    let mut e = base.clone();
    e["session_id"] = json!("");
    broken_key(
        &mut g,
        "empty-id",
        "B2",
        "An empty session_id matches no key.",
        &[Flag::SchemaViolation],
        e,
    );
    let mut e = base.clone();
    let sid = e["session_id"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    e["session_id"] = json!(sid);
    broken_key(
        &mut g,
        "id-case-changed",
        "B2",
        "Session IDs are case-sensitive base64.",
        &[Flag::Malleability],
        e,
    );
    f.file.groups.push(g);
    let mut g = group(
        "padded",
        "A padded spelling of the right ID.",
        IdentifierVariant::Stable,
    );
    let mut e = base.clone();
    let padded = format!("{}=", e["session_id"].as_str().unwrap_or_default());
    e["session_id"] = json!(padded);
    let good = Key::new("padded-good", 0);
    let plaintext = json!({"room_keys": [good.json(), e], "withheld": []});
    let expected = parsed(
        vec![good.summary("/room_keys/0")],
        vec![],
        vec![("/room_keys/1", "B2")],
    );
    let c = case(
        id(&g, "padded-id"),
        &["B2"],
        "A padded session_id is a different string from the session's ID; the reference refuses the entry, a lenient reader that keeps it under the unpadded ID is also safe.",
        &[Flag::LenientEncoding],
        Verdict::Acceptable,
        json!({"plaintext": plaintext}),
        expected,
    );
    let mut kept = Key::new("sid", 0).summary("/room_keys/1");
    kept["session_id"] = json!(padded.trim_end_matches('='));
    g.cases.push(with_alt(
        with_alt(c, rejected("B2")),
        parsed(vec![good.summary("/room_keys/0"), kept], vec![], vec![]),
    ));
    f.file.groups.push(g);
    let mut g = group("matching", "IDs that match.", IdentifierVariant::Stable);
    let k = Key::new("sid-late", 77);
    add(
        &mut g,
        "id-of-later-export",
        &["B2", "R15"],
        "A key exported at index 77 still has its session's ID: the ID is the Ed25519 key, not the ratchet.",
        &[],
        Verdict::Valid,
        json!({"room_keys": [k.json()], "withheld": []}),
        parsed(vec![k.summary("/room_keys/0")], vec![], vec![]),
    );
    f.file.groups.push(g);
    f
}

fn algorithm() -> GeneratedFile {
    let mut f = file(
        CAT,
        "algorithm",
        "Entries for algorithms other than m.megolm.v1.aes-sha2 are skipped on their own (B3).",
        "bundle_parsing::algorithm",
    );
    let mut g = group(
        "unsupported",
        "Unsupported algorithm strings.",
        IdentifierVariant::Stable,
    );
    let base = Key::new("alg", 0).json();
    for (name, alg) in [
        ("megolm-v2", "m.megolm.v2.aes-sha2"),
        ("olm", "m.olm.v1.curve25519-aes-sha2"),
        ("upper-case", "M.MEGOLM.V1.AES-SHA2"),
        ("empty", ""),
        ("trailing-space", "m.megolm.v1.aes-sha2 "),
    ] {
        let mut e = base.clone();
        e["algorithm"] = json!(alg);
        broken_key(
            &mut g,
            name,
            "B3",
            &format!(
                "`{alg}` is not m.megolm.v1.aes-sha2; the entry is skipped, the rest of the bundle stands."
            ),
            &[Flag::EdgeCase],
            e,
        );
    }
    f.file.groups.push(g);
    let mut g = group(
        "supported",
        "The one supported algorithm.",
        IdentifierVariant::Stable,
    );
    let k = Key::new("alg-ok", 9);
    add(
        &mut g,
        "megolm-v1",
        &["B3", "R15"],
        "m.megolm.v1.aes-sha2 entries are read.",
        &[],
        Verdict::Valid,
        json!({"room_keys": [k.json()], "withheld": []}),
        parsed(vec![k.summary("/room_keys/0")], vec![], vec![]),
    );
    f.file.groups.push(g);
    f
}

fn broken_withheld(g: &mut GroupDef, name: &str, comment: &str, broken: Value) {
    let good = withheld(&format!("{}-good", g.id), HISTORY_NOT_SHARED);
    let plaintext = json!({"room_keys": [], "withheld": [good.clone(), broken]});
    let expected = parsed(
        vec![],
        vec![withheld_summary(
            "/withheld/0",
            &good,
            HISTORY_NOT_SHARED,
            Some(IdentifierVariant::Stable),
        )],
        vec![("/withheld/1", "R16")],
    );
    let c = case(
        id(g, name),
        &["R16"],
        comment,
        &[Flag::SchemaViolation],
        Verdict::Invalid,
        json!({"plaintext": plaintext}),
        expected,
    );
    g.cases.push(with_alt(c, rejected("R16")));
}

fn withheld_fields() -> GeneratedFile {
    let mut f = file(
        CAT,
        "withheld-fields",
        "Each `withheld` entry is valid m.room_key.withheld content (R16).",
        "bundle_parsing::withheld_fields",
    );
    let mut g = group(
        "malformed",
        "One withheld entry is malformed.",
        IdentifierVariant::Stable,
    );
    let base = withheld("fields", HISTORY_NOT_SHARED);
    for field in ["algorithm", "code", "sender_key", "room_id", "session_id"] {
        let mut e = base.clone();
        e.as_object_mut().map(|m| m.remove(field));
        broken_withheld(
            &mut g,
            &format!("missing-{}", field.replace('_', "-")),
            &format!(
                "`{field}` is required (room_id and session_id may be absent only for m.no_olm)."
            ),
            e,
        );
    }
    for (field, v) in [
        ("code", json!(7)),
        ("reason", json!(["x"])),
        ("room_id", json!(null)),
        ("session_id", json!({})),
        ("algorithm", json!(true)),
    ] {
        let mut e = base.clone();
        e[field] = v;
        broken_withheld(
            &mut g,
            &format!("{}-wrong-type", field.replace('_', "-")),
            &format!("`{field}` must be a string."),
            e,
        );
    }
    let mut e = base.clone();
    e["sender_key"] = json!("fc0uE~bWBrC2xp6SLzrOdfR43cTxvvxbu9ofa7s");
    broken_withheld(
        &mut g,
        "sender-key-not-a-key",
        "sender_key is the session creator's Curve25519 key (unpadded base64, 32 bytes); an entry with anything else is skipped on its own, or the bundle refused (found by differential fuzzing, F14: matrix-sdk-crypto refuses the bundle; the reference used to keep the entry).",
        e,
    );
    let mut e = base.clone();
    e["room_id"] = json!("history:hs1.test");
    broken_withheld(
        &mut g,
        "room-id-without-sigil",
        "room_id must be a room ID.",
        e,
    );
    broken_withheld(
        &mut g,
        "entry-is-string",
        "Every withheld entry must be an object.",
        json!(HISTORY_NOT_SHARED),
    );
    f.file.groups.push(g);
    let mut g = group(
        "no-olm",
        "m.no_olm entries may omit room_id and session_id.",
        IdentifierVariant::Stable,
    );
    let no_olm = json!({"algorithm": MEGOLM_V1, "code": "m.no_olm", "sender_key": material::curve25519_public_b64("@carol:hs1.test/CAROLDEV")});
    add(
        &mut g,
        "no-olm-without-ids",
        &["R16"],
        "m.no_olm without room_id and session_id is well-formed.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        json!({"room_keys": [], "withheld": [no_olm.clone()]}),
        parsed(
            vec![],
            vec![withheld_summary("/withheld/0", &no_olm, "m.no_olm", None)],
            vec![],
        ),
    );
    let mut other = withheld("other-codes", "m.unverified");
    other.as_object_mut().map(|m| m.remove("reason"));
    add(
        &mut g,
        "other-code-without-reason",
        &["R16"],
        "Other withheld codes are kept as written; reason is optional.",
        &[],
        Verdict::Valid,
        json!({"room_keys": [], "withheld": [other.clone()]}),
        parsed(
            vec![],
            vec![withheld_summary(
                "/withheld/0",
                &other,
                "m.unverified",
                None,
            )],
            vec![],
        ),
    );
    f.file.groups.push(g);
    f
}

fn withheld_codes() -> GeneratedFile {
    let mut f = file(
        CAT,
        "withheld-codes",
        "The history-not-shared code in each spelling, reported with the spelling seen (B4, D6).",
        "bundle_parsing::withheld_codes",
    );
    let mut g = group("stable", "Stable spelling.", IdentifierVariant::Stable);
    let w = withheld("codes-stable", HISTORY_NOT_SHARED);
    add(
        &mut g,
        "history-not-shared",
        &["B4", "R16"],
        "m.history_not_shared is read as such and reported as the stable spelling.",
        &[],
        Verdict::Valid,
        json!({"room_keys": [], "withheld": [w.clone()]}),
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
    for (name, code) in [
        ("custom-namespaced", "com.example.not_shared"),
        ("blacklisted", "m.blacklisted"),
    ] {
        let w = withheld(&format!("codes-{name}"), code);
        add(
            &mut g,
            name,
            &["R16"],
            "Other codes, including custom namespaced ones, are kept verbatim.",
            &[],
            Verdict::Valid,
            json!({"room_keys": [], "withheld": [w.clone()]}),
            parsed(
                vec![],
                vec![withheld_summary("/withheld/0", &w, code, None)],
                vec![],
            ),
        );
    }
    for (name, code) in [
        ("near-miss-suffix", "m.history_not_shared.v2"),
        ("near-miss-upper", "M.HISTORY_NOT_SHARED"),
        ("near-miss-room-prefix", "m.room.history_not_shared"),
    ] {
        let w = withheld(&format!("codes-{name}"), code);
        add(
            &mut g,
            name,
            &["B4"],
            &format!(
                "`{code}` is not the history-not-shared code; it must be kept verbatim, not matched loosely."
            ),
            &[Flag::Malleability],
            Verdict::Invalid,
            json!({"room_keys": [], "withheld": [w.clone()]}),
            parsed(
                vec![],
                vec![withheld_summary("/withheld/0", &w, code, None)],
                vec![],
            ),
        );
    }
    f.file.groups.push(g);
    let mut g = group(
        "unstable",
        "The MSC's unstable spelling.",
        IdentifierVariant::Unstable,
    );
    let w = withheld("codes-unstable", HISTORY_NOT_SHARED_UNSTABLE);
    add(
        &mut g,
        "history-not-shared-unstable",
        &["B4", "R16"],
        "io.element.msc4268.history_not_shared means m.history_not_shared; the unstable spelling is reported.",
        &[Flag::Legacy],
        Verdict::Valid,
        json!({"room_keys": [], "withheld": [w.clone()]}),
        parsed(
            vec![],
            vec![withheld_summary(
                "/withheld/0",
                &w,
                HISTORY_NOT_SHARED,
                Some(IdentifierVariant::Unstable),
            )],
            vec![],
        ),
    );
    let mut legacy = withheld("codes-legacy", "m.unauthorised");
    legacy["reason"] = json!("History not shared");
    add(
        &mut g,
        "early-draft-unauthorised",
        &["B4", "R16"],
        "Early drafts sent m.unauthorised with reason \"History not shared\" (D6); that is just m.unauthorised.",
        &[Flag::Legacy],
        Verdict::Valid,
        json!({"room_keys": [], "withheld": [legacy.clone()]}),
        parsed(
            vec![],
            vec![withheld_summary(
                "/withheld/0",
                &legacy,
                "m.unauthorised",
                None,
            )],
            vec![],
        ),
    );
    f.file.groups.push(g);
    f
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_case_passes_against_the_reference() {
        crate::assert_reference_passes(super::files());
    }
}
