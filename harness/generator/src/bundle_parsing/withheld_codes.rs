//! `bundle-parsing/withheld-codes.json`: the `code` of a `withheld` entry, in each spelling.

use super::*;

pub(super) fn withheld_codes() -> GeneratedFile {
    let mut f = file(
        CAT,
        "withheld-codes",
        "The history-not-shared code in each spelling, reported with the spelling seen (B4, D6).",
        module_path!(),
    );
    let mut g = GroupBuilder::new(CAT, "stable", "Stable spelling.", IdentifierVariant::Stable);
    let w = withheld("codes-stable", HISTORY_NOT_SHARED);
    g.push(
        spec(
            "history-not-shared",
            &["B4", "R16"],
            "m.history_not_shared is read as such and reported as the stable spelling.",
            &[],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [], "withheld": [w.clone()]}}),
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
        g.push(
            spec(
                name,
                &["R16"],
                "Other codes, including custom namespaced ones, are kept verbatim.",
                &[],
            ),
            Verdict::Valid,
            json!({"plaintext": {"room_keys": [], "withheld": [w.clone()]}}),
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
        g.push(spec(name, &["B4"], &format!(
                "`{code}` is not the history-not-shared code; it must be kept verbatim, not matched loosely."
            ), &[BugClass::Malleability]), Verdict::Invalid, json!({"plaintext": {"room_keys": [], "withheld": [w.clone()]}}), parsed(
                vec![],
                vec![withheld_summary("/withheld/0", &w, code, None)],
                vec![],
            ));
    }
    f.file.groups.push(g.finish());
    let mut g = GroupBuilder::new(
        CAT,
        "unstable",
        "The MSC's unstable spelling.",
        IdentifierVariant::Unstable,
    );
    let w = withheld("codes-unstable", HISTORY_NOT_SHARED_UNSTABLE);
    g.push(
        spec(
            "history-not-shared-unstable",
            &["B4", "R16"],
            "io.element.msc4268.history_not_shared means m.history_not_shared; the unstable spelling is reported.",
            &[BugClass::Legacy],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [], "withheld": [w.clone()]}}),
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
    g.push(
        spec(
            "early-draft-unauthorised",
            &["B4", "R16"],
            "Early drafts sent m.unauthorised with reason \"History not shared\" (D6); that is just m.unauthorised.",
            &[BugClass::Legacy],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [], "withheld": [legacy.clone()]}}),
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
    f.file.groups.push(g.finish());
    f
}
