//! `bundle-building/shareability.json`: which of the inviter's sessions are shareable and go into
//! `room_keys`, and which are listed in `withheld` (R12–R14).

use super::*;

pub(super) fn shareability_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "shareability",
        "Which sessions go into room_keys and which into withheld, by how the inviter got them (spec §Shareable encryption sessions). Current visibility is shared throughout.",
        module_path!(),
    );
    f.file.groups.push(own_group().finish());
    for variant in [
        IdentifierVariant::Stable,
        IdentifierVariant::Unstable,
        IdentifierVariant::Interop,
    ] {
        f.file.groups.push(flag_group(variant).finish());
    }
    f.file.groups.push(chained_group().finish());
    f.file.groups.push(mixed_group().finish());
    f
}

fn own_group() -> GroupBuilder {
    let mut g = new_group(
        "shareability-own",
        "Sessions the inviter created itself, by the room's visibility when it created them.",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    for (name, vis, shared) in [
        ("own-shared", "shared", true),
        ("own-world-readable", "world_readable", true),
    ] {
        single(
            &mut g,
            spec(
                name,
                &["R12"],
                &format!(
                    "The inviter created the session while visibility was {vis}: condition 1 of the shareability definition holds, so the session goes into room_keys with its stored export key."
                ),
                &[],
            ),
            Verdict::Valid,
            own(Some(json!(vis))),
            shared,
            false,
        );
    }
    for (name, vis) in [("own-joined", "joined"), ("own-invited", "invited")] {
        single(
            &mut g,
            spec(
                name,
                &["R13", "R12"],
                &format!(
                    "The inviter created the session while visibility was {vis}: it is not shareable, so it must not be in room_keys (R12) and should be listed in withheld with m.history_not_shared (R13)."
                ),
                &[],
            ),
            Verdict::Valid,
            own(Some(json!(vis))),
            false,
            false,
        );
    }
    single(
        &mut g,
        spec(
            "own-no-visibility-event",
            &["R12"],
            "The room had no history_visibility event when the inviter created the session. The spec does not say how to flag it (digest D7): servers assume shared, and both SDKs flag such sessions shareable, which the reference follows; MSC3061 advised treating it as joined to fail safe, so withholding it is also acceptable.",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        own(None),
        true,
        true,
    );
    single(
        &mut g,
        spec(
            "own-unknown-visibility",
            &["R12"],
            "The visibility at creation was a value the spec does not define. Servers treat a value they do not understand as shared (history_visibility module), and the reference does the same; matrix-rust-sdk flags sessions created under a custom value not shareable, so withholding it is also acceptable.",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        own(Some(json!("org.example.members_only"))),
        true,
        true,
    );
    single(
        &mut g,
        spec(
            "own-non-string-visibility",
            &["R13", "R12"],
            "The visibility at creation was a number, not a visibility value at all. The reference fails safe and treats the session as not shareable (withheld); since servers treat a value they do not understand as shared, sharing it is also acceptable.",
            &[BugClass::SpecAmbiguity, BugClass::SchemaViolation],
        ),
        Verdict::Acceptable,
        own(Some(json!(42))),
        false,
        true,
    );
    g
}

fn flag_group(variant: IdentifierVariant) -> GroupBuilder {
    let (member, vslug) = match variant {
        IdentifierVariant::Stable => (SHARED_HISTORY, "stable"),
        IdentifierVariant::Unstable => (SHARED_HISTORY_UNSTABLE, "unstable"),
        IdentifierVariant::Interop => (SHARED_HISTORY_INTEROP, "interop"),
    };
    let mut g = new_group(
        &format!("shareability-flag-{vslug}"),
        &format!(
            "Sessions received with a `{member}` flag ({vslug} spelling): by m.room_key, key backup, key export, and m.forwarded_room_key."
        ),
        variant,
        build_context(Some("shared")),
    );
    type Origin = fn(Map<String, Value>) -> Value;
    let structures: [(&str, &str, Origin, &str); 3] = [
        ("room-key", "m.room_key", room_key, "R4"),
        (
            "backup",
            "key backup (BackedUpSessionData)",
            key_backup,
            "R5",
        ),
        (
            "export",
            "a key export (ExportedSessionData)",
            key_export,
            "R5",
        ),
    ];
    let stable = variant == IdentifierVariant::Stable;
    let interop = variant == IdentifierVariant::Interop;
    for (slug, what, origin, rule) in structures {
        // true
        if interop {
            single(
                &mut g,
                spec(
                    &format!("{slug}-true"),
                    &["R12", rule],
                    &format!(
                        "Received through {what} with `m.shared_history: true`. No spec text defines that name; matrix-rust-sdk and ruma write it (digest D1). The reference reads it, so the session is shared; an implementation that reads only spec names sees no flag and withholds it, which is also acceptable."
                    ),
                    &[BugClass::Interop],
                ),
                Verdict::Acceptable,
                origin(flag(Some(member), json!(true))),
                true,
                true,
            );
        } else {
            single(
                &mut g,
                spec(
                    &format!("{slug}-true"),
                    &["R12", rule],
                    &format!(
                        "Received through {what} with `{member}: true`: shareable, so it goes into room_keys."
                    ),
                    &[],
                ),
                Verdict::Valid,
                origin(flag(Some(member), json!(true))),
                true,
                false,
            );
        }
        // false
        single(
            &mut g,
            spec(
                &format!("{slug}-false"),
                &["R13", rule],
                &format!(
                    "Received through {what} with `{member}: false`: not shareable, so it is withheld with m.history_not_shared."
                ),
                if interop { &[BugClass::Interop] } else { &[] },
            ),
            Verdict::Valid,
            origin(flag(Some(member), json!(false))),
            false,
            false,
        );
        if stable {
            single(
                &mut g,
                spec(
                    &format!("{slug}-missing"),
                    &["R3", "R13", rule],
                    &format!(
                        "Received through {what} without any flag member: a missing shared_history means not shareable (R3), so it is withheld."
                    ),
                    &[],
                ),
                Verdict::Valid,
                origin(flag(None, Value::Null)),
                false,
                false,
            );
        }
        // Non-boolean values: stable gets all three, the others one each.
        let bad: Vec<(&str, Value)> = if stable {
            vec![
                ("string-true", json!("true")),
                ("number-1", json!(1)),
                ("null", Value::Null),
            ]
        } else {
            vec![("string-true", json!("true"))]
        };
        for (bslug, v) in bad {
            let rules: &[&str] = if stable {
                &["R3", "R12", rule]
            } else {
                &[rule, "R3", "R12"]
            };
            let mut flags = vec![BugClass::SchemaViolation];
            if interop {
                flags.push(BugClass::Interop);
            }
            single(
                &mut g,
                spec(
                    &format!("{slug}-{bslug}"),
                    rules,
                    &format!(
                        "Received through {what} with `{member}: {v}`, which is not a boolean: it counts as false (R3), so the session must not be in room_keys (R12) and is withheld."
                    ),
                    &flags,
                ),
                Verdict::Invalid,
                origin(flag(Some(member), v)),
                false,
                false,
            );
        }
    }
    // m.forwarded_room_key carrying a flag in this spelling.
    let mut flags = vec![BugClass::KeyPlanting];
    if interop {
        flags.push(BugClass::Interop);
    }
    single(
        &mut g,
        spec(
            "forwarded-flag-true",
            &["R3", "R12"],
            &format!(
                "Received through m.forwarded_room_key carrying `{member}: true`. A forwarded key is never shareable (digest §1.2 \"Not a route\"): the spec adds no flag to this event, so the member is ignored and the session is withheld. Honouring it would let any forwarder make keys re-shareable. R5 does not cover this event; R3 is the closest rule."
            ),
            &flags,
        ),
        Verdict::Invalid,
        forwarded(flag(Some(member), json!(true))),
        false,
        false,
    );
    if stable {
        single(
            &mut g,
            spec(
                "forwarded-no-flag",
                &["R12", "R13"],
                "Received through m.forwarded_room_key with no flag: not a route to shareability, so withheld.",
                &[],
            ),
            Verdict::Valid,
            forwarded(Map::new()),
            false,
            false,
        );
    }
    g
}

fn chained_group() -> GroupBuilder {
    let mut g = new_group(
        "shareability-chained",
        "Sessions the inviter itself received in an earlier bundle (condition 5, R6).",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    single(
        &mut g,
        spec(
            "from-bundle",
            &["R6", "R12"],
            "The session arrived in an earlier room key bundle from Bob: such keys are shareable and are passed on (R6), so it goes into room_keys.",
            &[],
        ),
        Verdict::Valid,
        from_bundle(),
        true,
        false,
    );
    let s = Sess::new(
        "shareability-chained/from-bundle-later-index",
        from_bundle(),
    )
    .at(7);
    g.push(
        spec(
            "from-bundle-later-index",
            &["R6", "R15"],
            "The earlier bundle carried the session from index 7: it is passed on as stored, exported at index 7.",
            &[],
        ),
        Verdict::Valid,
        json!({"store": store(&[&s])}),
        bundle(&[&s], &[]),
    );
    single(
        &mut g,
        spec(
            "forwarded-by-the-same-user",
            &["R6", "R12"],
            "The session came from Bob, the same user who sent the inviter bundles, but by m.forwarded_room_key rather than inside a bundle. Only keys that arrived inside a bundle count as shareable (R6); a forwarded one does not, so it is withheld.",
            &[BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        forwarded(Map::new()),
        false,
        false,
    );
    g
}

fn mixed_group() -> GroupBuilder {
    let mut g = new_group(
        "shareability-mixed",
        "A store with sessions of every origin at once.",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    let p = "shareability-mixed/every-origin";
    let own_shared = Sess::new(&format!("{p}/own-shared"), own(Some(json!("shared"))));
    let own_joined = Sess::new(&format!("{p}/own-joined"), own(Some(json!("joined"))));
    let rk_true = Sess::new(
        &format!("{p}/room-key-true"),
        room_key(flag(Some(SHARED_HISTORY), json!(true))),
    )
    .at(2);
    let rk_false = Sess::new(
        &format!("{p}/room-key-false"),
        room_key(flag(Some(SHARED_HISTORY), json!(false))),
    );
    let backup = Sess::new(
        &format!("{p}/backup-true"),
        key_backup(flag(Some(SHARED_HISTORY), json!(true))),
    );
    let export = Sess::new(&format!("{p}/export-missing"), key_export(Map::new()));
    let chained = Sess::new(&format!("{p}/bundle"), from_bundle()).at(30);
    let fwd = Sess::new(&format!("{p}/forwarded"), forwarded(Map::new()));
    g.push(
        spec(
            "every-origin",
            &["R12", "R13", "R14"],
            "Eight sessions of the room: own (shared), own (joined), m.room_key true at index 2, m.room_key false, backup true, export without flag, from a bundle at index 30, forwarded. The four shareable ones go into room_keys at their stored indices; the other four are withheld; none is in both.",
            &[],
        ),
        Verdict::Valid,
        json!({"store": store(&[&own_shared, &own_joined, &rk_true, &rk_false, &backup, &export, &chained, &fwd])}),
        bundle(
            &[&own_shared, &rk_true, &backup, &chained],
            &[&own_joined, &rk_false, &export, &fwd],
        ),
    );
    g
}
