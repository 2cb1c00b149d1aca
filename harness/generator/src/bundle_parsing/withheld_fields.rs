//! `bundle-parsing/withheld-fields.json`: the fields of a `withheld` entry (R16).

use super::*;

fn broken_withheld(g: &mut GroupBuilder, name: &str, comment: &str, broken: Value) {
    broken_withheld_under(g, name, "R16", comment, broken);
}

/// One broken withheld entry beside a good one, skipped under `rule` (or the bundle refused).
fn broken_withheld_under(
    g: &mut GroupBuilder,
    name: &str,
    rule: &str,
    comment: &str,
    broken: Value,
) {
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
        vec![("/withheld/1", rule)],
    );
    let rules: Vec<&str> = if rule == "R16" {
        vec!["R16"]
    } else {
        vec![rule, "R16"]
    };
    let c = g.push(
        spec(name, &rules, comment, &[BugClass::SchemaViolation]),
        Verdict::Invalid,
        json!({"plaintext": plaintext}),
        expected,
    );
    c.also_acceptable.push(rejected(rule));
}

pub(super) fn withheld_fields() -> GeneratedFile {
    let mut f = file(
        CAT,
        "withheld-fields",
        "Each `withheld` entry is valid m.room_key.withheld content (R16).",
        module_path!(),
    );
    let mut g = GroupBuilder::new(
        CAT,
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
    broken_withheld_under(
        &mut g,
        "room-id-without-sigil",
        "R46",
        "room_id must be a room ID (appendix grammar, R46).",
        e,
    );
    broken_withheld(
        &mut g,
        "entry-is-string",
        "Every withheld entry must be an object.",
        json!(HISTORY_NOT_SHARED),
    );
    f.file.groups.push(g.finish());
    let mut g = GroupBuilder::new(
        CAT,
        "no-olm",
        "m.no_olm entries may omit room_id and session_id.",
        IdentifierVariant::Stable,
    );
    let no_olm = json!({"algorithm": MEGOLM_V1, "code": "m.no_olm", "sender_key": material::curve25519_public_b64("@carol:hs1.test/CAROLDEV")});
    g.acceptable(
        spec(
            "no-olm-without-ids",
            &["R16"],
            "m.no_olm without room_id and session_id is well-formed (R16: both are \"Required if `code` is not `m.no_olm`\"). Such an entry names no session, and no text requires a receiver to keep it: the reference keeps it, dropping it is also acceptable (decision S13).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        json!({"plaintext": {"room_keys": [], "withheld": [no_olm.clone()]}}),
        withheld_kept(&no_olm, "m.no_olm", None),
        withheld_dropped("/withheld/0"),
    );
    let mut with_ids = withheld("no-olm-ids", "m.no_olm");
    with_ids.as_object_mut().map(|m| m.remove("reason"));
    g.acceptable(
        spec(
            "no-olm-with-ids",
            &["R16"],
            "m.no_olm with room_id and session_id: the ids are required for every other code and merely optional for m.no_olm, so the entry is well-formed (R16) and the bundle must not be refused for it. The reference keeps it with its ids; no text requires a receiver to keep a withheld entry (R45 is the suite's own), so dropping it is also acceptable (decision S13).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        json!({"plaintext": {"room_keys": [], "withheld": [with_ids.clone()]}}),
        withheld_kept(&with_ids, "m.no_olm", None),
        withheld_dropped("/withheld/0"),
    );
    let mut other = withheld("other-codes", "m.unverified");
    other.as_object_mut().map(|m| m.remove("reason"));
    g.push(
        spec(
            "other-code-without-reason",
            &["R16"],
            "Other withheld codes are kept as written; reason is optional.",
            &[],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [], "withheld": [other.clone()]}}),
        withheld_kept(&other, "m.unverified", None),
    );
    f.file.groups.push(g.finish());
    let mut g = GroupBuilder::new(
        CAT,
        "other-algorithm",
        "A withheld entry whose `algorithm` is not m.megolm.v1.aes-sha2: the schema's enum lists only Megolm v1, but nothing is imported from a withheld entry and no text says what a receiver does with one of another algorithm, so keeping it, skipping it or refusing the bundle are all acceptable.",
        IdentifierVariant::Stable,
    );
    for (name, alg) in [
        ("megolm-v2", "m.megolm.v2.aes-sha2"),
        ("olm", "m.olm.v1.curve25519-aes-sha2"),
    ] {
        let good = withheld(&format!("other-algorithm-{name}-good"), HISTORY_NOT_SHARED);
        let mut e = withheld(&format!("other-algorithm-{name}"), HISTORY_NOT_SHARED);
        e["algorithm"] = json!(alg);
        let good_summary = withheld_summary(
            "/withheld/0",
            &good,
            HISTORY_NOT_SHARED,
            Some(IdentifierVariant::Stable),
        );
        let c = g.push(
            spec(
                name,
                &["R16"],
                &format!(
                    "A withheld entry for `{alg}` beside a good one. The reference keeps it (a withheld entry imports nothing, so keeping it cannot plant a key); skipping it on its own (the schema's enum) or refusing the bundle is also acceptable."
                ),
                &[BugClass::SpecAmbiguity, BugClass::SchemaViolation],
            ),
            Verdict::Acceptable,
            json!({"plaintext": {"room_keys": [], "withheld": [good.clone(), e.clone()]}}),
            parsed(
                vec![],
                vec![
                    good_summary.clone(),
                    withheld_summary(
                        "/withheld/1",
                        &e,
                        HISTORY_NOT_SHARED,
                        Some(IdentifierVariant::Stable),
                    ),
                ],
                vec![],
            ),
        );
        c.also_acceptable.push(parsed(
            vec![],
            vec![good_summary],
            vec![("/withheld/1", "R16")],
        ));
        c.also_acceptable.push(rejected("R16"));
    }
    f.file.groups.push(g.finish());
    f
}
