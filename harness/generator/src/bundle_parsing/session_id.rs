//! `bundle-parsing/session-id.json`: an entry's `session_id` must be the ID of its session key (B2).

use super::*;

pub(super) fn session_id() -> GeneratedFile {
    let mut f = file(
        CAT,
        "session-id",
        "session_id must name the key it comes with: the unpadded base64 of the Ed25519 key in session_key (B2).",
        module_path!(),
    );
    let mut g = GroupBuilder::new(
        CAT,
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
        &[BugClass::KeyPlanting],
        e,
    );
    let mut e = base.clone();
    e["session_id"] = json!("");
    broken_key(
        &mut g,
        "empty-id",
        "B2",
        "An empty session_id matches no key.",
        &[BugClass::SchemaViolation],
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
        &[BugClass::Malleability],
        e,
    );
    f.file.groups.push(g.finish());
    let mut g = GroupBuilder::new(
        CAT,
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
    let mut kept = Key::new("sid", 0).summary("/room_keys/1");
    kept["session_id"] = json!(padded.trim_end_matches('='));
    g.acceptable(
        spec(
            "padded-id",
            &["B2"],
            "A padded session_id is a different string from the session's ID; the reference refuses the entry, a lenient reader that keeps it under the unpadded ID is also safe.",
            &[BugClass::LenientEncoding],
        ),
        json!({"plaintext": plaintext}),
        expected,
        vec![
            rejected("B2"),
            parsed(vec![good.summary("/room_keys/0"), kept], vec![], vec![]),
        ],
    );
    f.file.groups.push(g.finish());
    let mut g = GroupBuilder::new(
        CAT,
        "matching",
        "IDs that match.",
        IdentifierVariant::Stable,
    );
    let k = Key::new("sid-late", 77);
    g.push(
        spec(
            "id-of-later-export",
            &["B2", "R15"],
            "A key exported at index 77 still has its session's ID: the ID is the Ed25519 key, not the ratchet.",
            &[],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [k.json()], "withheld": []}}),
        parsed(vec![k.summary("/room_keys/0")], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    f
}
