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
        withheld_kept(&w, HISTORY_NOT_SHARED, Some(IdentifierVariant::Stable)),
    );
    let w = withheld("codes-blacklisted", "m.blacklisted");
    g.push(
        spec(
            "blacklisted",
            &["R16"],
            "A code the spec defines other than the history-not-shared one is kept as written.",
            &[],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [], "withheld": [w.clone()]}}),
        withheld_kept(&w, "m.blacklisted", None),
    );
    let w = withheld("codes-custom-namespaced", "com.example.not_shared");
    g.acceptable(
        spec(
            "custom-namespaced",
            &["R16"],
            "A custom namespaced code is allowed (\"Custom codes must use the Java package naming convention\"), so the entry is valid (R16). No text requires a receiver to keep a withheld entry whose code it does not understand (R45 is the suite's own): the reference keeps it verbatim, dropping it is also acceptable (decision S13).",
            &[BugClass::SpecAmbiguity],
        ),
        json!({"plaintext": {"room_keys": [], "withheld": [w.clone()]}}),
        withheld_kept(&w, "com.example.not_shared", None),
        withheld_dropped("/withheld/0"),
    );
    for (name, code) in [
        ("near-miss-suffix", "m.history_not_shared.v2"),
        ("near-miss-upper", "M.HISTORY_NOT_SHARED"),
        ("near-miss-room-prefix", "m.room.history_not_shared"),
    ] {
        let w = withheld(&format!("codes-{name}"), code);
        let c = g.push(
            spec(
                name,
                &["B4", "R16"],
                &format!(
                    "`{code}` is no code the spec defines (\"Codes beginning with `m.` are reserved for codes defined in the Matrix specification. Custom codes must use the Java package naming convention.\"), and it is not the history-not-shared code: reading it as that code (a loose match) breaks B4. Keeping the entry verbatim (the reference) and dropping it as a code not understood are both safe (decision S13)."
                ),
                &[BugClass::Malleability],
            ),
            Verdict::Invalid,
            json!({"plaintext": {"room_keys": [], "withheld": [w.clone()]}}),
            withheld_kept(&w, code, None),
        );
        c.also_acceptable.extend(withheld_dropped("/withheld/0"));
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
        withheld_kept(&w, HISTORY_NOT_SHARED, Some(IdentifierVariant::Unstable)),
    );
    let mut legacy = withheld("codes-legacy", "m.unauthorised");
    legacy["reason"] = json!("History not shared");
    g.push(
        spec(
            "early-draft-unauthorised",
            &["B4", "R16"],
            "Early drafts sent m.unauthorised with reason \"History not shared\" (D6); that is just m.unauthorised: a receiver uses `reason` only when it does not understand the code (R48), and it understands m.unauthorised.",
            &[BugClass::Legacy],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [], "withheld": [legacy.clone()]}}),
        withheld_kept(&legacy, "m.unauthorised", None),
    );
    f.file.groups.push(g.finish());
    f
}
