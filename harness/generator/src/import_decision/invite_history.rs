//! `import-decision/invite-history.json`: Bob's membership has a history (an invite rejected,
//! superseded or accepted and left before the one he accepted last); whose bundle is downloaded
//! (R33, R34, R36).

use super::*;

/// Bob accepted Carol's invite an hour ago; `earlier` came before it.
fn accepted_carols_invite(keys: &[&Key], sender: &str, earlier: Value) -> ImportSetup {
    let mut s = baseline(bundle(keys, &[]));
    s.invite = Some(
        json!({"inviter": CAROL, "accepted_at_ms": NOW - HOUR, "accepted_on_this_device": true}),
    );
    s.earlier_invites = vec![earlier];
    if sender == CAROL {
        let carol_cs = CrossSigning::new(CAROL, "v1");
        s.sender = Device::new(CAROL, CAROL_DEVICE);
        s.identity = Some(carol_cs.clone());
        s.device_signed_by = Some(carol_cs);
    }
    s
}

pub(super) fn invite_history() -> GeneratedFile {
    let mut f = file(
        CAT,
        "invite-history",
        "Bob was invited more than once: only the invite his current membership rests on surely lets its sender's bundle be downloaded; an invite he rejected, or accepted more than a window ago, does not (R33, R34, R36, S21).",
        module_path!(),
    );
    let k = key("invite-history", 0);

    let mut g = new_group(
        "two-inviters",
        "Alice invited Bob, then Carol did; Bob accepted the room's invite, which is Carol's `m.room.member` event.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let superseded = json!({"inviter": ALICE, "ended": "superseded"});
    a.case(
        spec(
            "bundle-from-inviter-whose-invite-was-accepted",
            &["R34", "R33"],
            "Carol's invite superseded Alice's before Bob answered; Bob accepted it an hour ago, and Carol's bundle arrives: downloaded and imported, with Carol as the forwarder. A receiver that remembers only the first inviter would defer it.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &accepted_carols_invite(&[&k], CAROL, superseded.clone()),
        imported(vec![k.imported(CAROL)], vec![], vec![], vec![]),
    );
    a.acceptable(
        spec(
            "bundle-from-superseded-inviter",
            &["R33", "R34"],
            "Alice's bundle arrives; her invite was superseded by Carol's, which Bob accepted. Whether Bob \"has recently accepted an invite to the room from Alice\" the texts do not settle when two invites were pending: the reference defers (the invite Bob accepted is Carol's event), and importing is also acceptable (decision S21).",
            &[BugClass::SpecAmbiguity, BugClass::AuthBypass],
        ),
        &accepted_carols_invite(&[&k], ALICE, superseded),
        not_imported("deferred", "R33"),
        vec![imported(vec![k.imported(ALICE)], vec![], vec![], vec![])],
    );
    a.case(
        spec(
            "bundle-from-rejected-inviter",
            &["R33", "R35"],
            "Bob rejected Alice's invite, then accepted Carol's an hour ago. Alice's bundle arrives: Bob never accepted an invite from Alice, so it is stored, not downloaded. A receiver that counts any inviter on record would download it.",
            &[BugClass::AuthBypass, BugClass::DenialOfService],
        ),
        Verdict::Invalid,
        &accepted_carols_invite(&[&k], ALICE, json!({"inviter": ALICE, "ended": "rejected"})),
        not_imported("deferred", "R33"),
    );
    f.file.groups.push(g.finish());

    let mut g = new_group(
        "re-invite",
        "Bob accepted Alice's invite, left, and later accepted Carol's invite to the same room.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let left_recently =
        json!({"inviter": ALICE, "ended": "left", "accepted_at_ms": NOW - 3 * HOUR});
    a.case(
        spec(
            "bundle-from-current-inviter",
            &["R34", "R33"],
            "Bob accepted Alice's invite 3 h ago and left; Carol re-invited him and he accepted an hour ago. Carol's bundle is downloaded and imported: the earlier acceptance does not stand in the way of the current one.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &accepted_carols_invite(&[&k], CAROL, left_recently.clone()),
        imported(vec![k.imported(CAROL)], vec![], vec![], vec![]),
    );
    a.acceptable(
        spec(
            "bundle-from-earlier-inviter-within-window",
            &["R33", "R34"],
            "Alice's bundle arrives after Bob re-joined through Carol's invite. Bob did accept an invite from Alice 3 h ago, inside the recommended 24 h, but left since; the texts set no condition on what happened after an acceptance. The reference defers (only the invite of the current membership counts), and importing is also acceptable (decision S21).",
            &[BugClass::SpecAmbiguity, BugClass::EdgeCase],
        ),
        &accepted_carols_invite(&[&k], ALICE, left_recently),
        not_imported("deferred", "R33"),
        vec![imported(vec![k.imported(ALICE)], vec![], vec![], vec![])],
    );
    a.case(
        spec(
            "bundle-from-earlier-inviter-after-window",
            &["R36", "R33"],
            "Bob accepted Alice's invite 30 h ago and left; he accepted Carol's an hour ago. Alice's bundle arrives: Bob has not recently accepted an invite from Alice, so it is not downloaded. A receiver that keeps a set of inviters but one acceptance time (the latest) would download it.",
            &[BugClass::DenialOfService, BugClass::AuthBypass],
        ),
        Verdict::Invalid,
        &accepted_carols_invite(
            &[&k],
            ALICE,
            json!({"inviter": ALICE, "ended": "left", "accepted_at_ms": NOW - 30 * HOUR}),
        ),
        not_imported("deferred", "R33"),
    );
    f.file.groups.push(g.finish());
    f
}
