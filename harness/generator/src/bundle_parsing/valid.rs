//! `bundle-parsing/valid.json`: well-formed bundles a receiver must read, and what it reports.

use super::*;

pub(super) fn valid() -> GeneratedFile {
    let mut f = file(
        CAT,
        "valid",
        "Well-formed bundles that every implementation must read completely.",
        module_path!(),
    );
    let mut g = GroupBuilder::new(
        CAT,
        "well-formed",
        "Bundles as a correct inviter writes them.",
        IdentifierVariant::Stable,
    );
    let k0 = Key::new("one", 0);
    g.push(
        spec(
            "one-key-index-0",
            &["R15", "B1"],
            "A single room key exported at index 0 (base64 starts AQAAAA).",
            &[],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [k0.json()], "withheld": []}}),
        parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]),
    );
    let keys: Vec<Key> = [0u32, 5, 255, 256, 65_536, 16_777_216]
        .iter()
        .enumerate()
        .map(|(i, ix)| Key::new(&format!("many-{i}"), *ix))
        .collect();
    g.push(
        spec(
            "keys-at-ratchet-boundaries",
            &["R15"],
            "Keys exported at indexes across the Megolm ratchet's byte boundaries; the first known index of each is reported.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": keys.iter().map(Key::json).collect::<Vec<_>>(), "withheld": []}}),
        parsed(
            keys.iter()
                .enumerate()
                .map(|(i, k)| k.summary(&format!("/room_keys/{i}")))
                .collect(),
            vec![],
            vec![],
        ),
    );
    let end: Vec<Key> = [0xFFFF_FFFEu32, u32::MAX]
        .iter()
        .enumerate()
        .map(|(i, ix)| Key::new(&format!("end-{i}"), *ix))
        .collect();
    g.push(
        spec(
            "keys-near-ratchet-end",
            &["R15"],
            "Keys exported at the last two indexes the 32-bit Megolm counter has, 0xFFFFFFFE and 0xFFFFFFFF (every byte of the counter at 0xff): well-formed, each reported with its index; a parser that stores the index in a signed 32-bit integer or adds 1 to it without care sees a negative or wrapped index.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": end.iter().map(Key::json).collect::<Vec<_>>(), "withheld": []}}),
        parsed(
            end.iter()
                .enumerate()
                .map(|(i, k)| k.summary(&format!("/room_keys/{i}")))
                .collect(),
            vec![],
            vec![],
        ),
    );
    g.push(
        spec(
            "empty-arrays",
            &["B1"],
            "Both arrays present and empty: a well-formed bundle with nothing in it.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [], "withheld": []}}),
        parsed(vec![], vec![], vec![]),
    );
    let w = withheld("w1", HISTORY_NOT_SHARED);
    g.push(
        spec(
            "key-and-withheld",
            &["R15", "R16"],
            "One shared key and one withheld session, both reported.",
            &[],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [k0.json()], "withheld": [w.clone()]}}),
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
    g.push(
        spec(
            "only-withheld",
            &["R16"],
            "Nothing shareable, one withheld entry.",
            &[],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [], "withheld": [w.clone()]}}),
        withheld_kept(&w, HISTORY_NOT_SHARED, Some(IdentifierVariant::Stable)),
    );
    g.push(
        spec(
            "unknown-top-level-members",
            &["B1"],
            "Unknown top-level members are tolerated.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [k0.json()], "withheld": [], "org.example.extra": {"x": 1}, "version": 2}}),
        parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]),
    );
    let mut extra = k0.json();
    extra["forwarding_curve25519_key_chain"] = json!([]);
    extra["shared_history"] = json!(true);
    extra["org.example.note"] = json!("x");
    g.push(
        spec(
            "unknown-entry-members",
            &["R15"],
            "Members a bundle entry deliberately omits (forwarding chain, shared_history) and unknown ones are tolerated.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [extra], "withheld": []}}),
        parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]),
    );
    let mut v12 = Key::new("v12", 2);
    v12.room = "!b3BhcXVlX3Jvb21faWRfdjEy".into();
    g.push(
        spec(
            "room-id-without-server-name",
            &["R15", "R46"],
            "Room IDs of room version 12 have no server name; they are still room IDs.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [v12.json()], "withheld": []}}),
        parsed(vec![v12.summary("/room_keys/0")], vec![], vec![]),
    );
    let same_a = Key::new("dup", 4);
    let same_b = Key::new("dup", 1);
    g.push(
        spec(
            "same-session-twice",
            &["R15"],
            "The same session at two indexes is two well-formed entries; choosing between them is the import's job.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [same_a.json(), same_b.json()], "withheld": []}}),
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
    g.push(
        spec(
            "insignificant-whitespace",
            &["B1"],
            "Whitespace between JSON tokens is insignificant.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        json!({"plaintext_text": text}),
        parsed(vec![k0.summary("/room_keys/0")], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    f
}
