//! `bundle-building/visibility.json`: the room's history visibility and the bundle.

use super::*;

pub(super) fn visibility_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "visibility",
        "The room's current history visibility: the inviter may send nothing when it is joined or invited (R11, a MAY).",
        module_path!(),
    );
    let mut g = new_group(
        "visibility",
        "The same store (one shareable and one non-shareable session) under each current visibility.",
        IdentifierVariant::Stable,
        build_context(None),
    );
    let p = "visibility/store";
    let shared = Sess::new(&format!("{p}/shared"), own(Some(json!("shared"))));
    let unshared = Sess::new(
        &format!("{p}/not-shared"),
        room_key(flag(Some(SHARED_HISTORY), json!(false))),
    );
    let st = store(&[&shared, &unshared]);
    let full = bundle(&[&shared], &[&unshared]);
    let input = |v: Option<Value>| {
        let mut m = obj(json!({"store": st}));
        if let Some(v) = v {
            m.insert("history_visibility".into(), v);
        }
        Value::Object(m)
    };
    for vis in ["shared", "world_readable"] {
        g.push(spec(&format!("current-{}", vis.replace('_', "-")), &["R11", "R12", "R13"], &format!(
                "Current visibility {vis}: the opt-out does not apply, so the inviter shares: the shareable session in room_keys, the other withheld."
            ), &[]), Verdict::Valid, input(Some(json!(vis))), full.clone());
    }
    for vis in ["joined", "invited"] {
        g.push(spec(&format!("current-{vis}"), &["R11"], &format!(
                "Current visibility {vis}: the spec lets the inviter share nothing (R11, MAY), even sessions flagged shareable earlier; both SDKs and the reference skip. Sharing the bundle the store would give is also acceptable."
            ), &[BugClass::SpecAmbiguity]), Verdict::Acceptable, input(Some(json!(vis))), nothing()).also_acceptable = vec![full.clone()];
    }
    g.push(
        spec(
            "current-absent",
            &["R11", "R12"],
            "The room has no history_visibility event. The spec is silent (digest D7); servers assume shared, and both SDKs and the reference share. Treating it as joined and sending nothing is also acceptable.",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        input(None),
        full.clone(),
    ).also_acceptable = vec![nothing()];
    g.push(
        spec(
            "current-unknown",
            &["R11", "R12"],
            "Current visibility is a value the spec does not define: servers treat a value they do not understand as shared, so the opt-out for joined/invited does not apply and the inviter shares.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        input(Some(json!("org.example.members_only"))),
        full.clone(),
    );
    g.push(
        spec(
            "current-capitalised-joined",
            &["R11", "R12"],
            "Current visibility `Joined`: visibility values are case-sensitive, so this is not `joined` but a value not understood, which counts as shared; the inviter shares.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        input(Some(json!("Joined"))),
        full.clone(),
    );
    g.push(
        spec(
            "current-non-string",
            &["R11", "R12"],
            "Current visibility is a number: not understood, so it counts as shared and the reference shares. Sending nothing is also acceptable for so broken a room state.",
            &[BugClass::SchemaViolation, BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        input(Some(json!(3))),
        full.clone(),
    ).also_acceptable = vec![nothing()];
    let only = Sess::new("visibility/joined-flagged-earlier", from_bundle());
    g.push(
        spec(
            "current-joined-sessions-flagged-earlier",
            &["R11", "R6"],
            "Current visibility joined, and the store holds only a session that is shareable (it came in an earlier bundle). The opt-out applies even to sessions flagged shareable earlier: sending nothing is the reference's choice, sharing is also acceptable.",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        json!({"history_visibility": "joined", "store": store(&[&only])}),
        nothing(),
    ).also_acceptable = vec![bundle(&[&only], &[])];
    f.file.groups.push(g.finish());
    f
}
