//! `import-decision/acceptance.json`: the bundle must arrive in the window after the invitee accepted the invite on this device (R35, R36).

use super::*;

pub(super) fn acceptance() -> GeneratedFile {
    let mut f = file(
        CAT,
        "acceptance",
        "The bundle is used only while the acceptance on this device is recent and Bob is joined (R34, R35, R36, D10).",
        module_path!(),
    );
    let mut g = new_group("when", "Timing and membership.", IdentifierVariant::Stable);
    let mut a = Add { g: &mut g };
    let k = key("acceptance", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.invite = Some(json!({"inviter": ALICE, "accepted_on_this_device": false}));
    s.membership = "invite";
    a.case(
        spec(
            "invite-not-yet-accepted",
            &["R35", "R34"],
            "The bundle arrives while Bob is only invited: he has not accepted an invite, so R34's immediate download does not apply; store, do not download until he accepts (R35).",
            &[BugClass::DenialOfService],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R35"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.membership = "leave";
    a.acceptable(
        spec(
            "left-after-accepting",
            &["R34"],
            "Bob accepted, then left again. The reference defers (it imports only while Bob is joined); the texts set no condition on current membership (\"If Bob has recently accepted an invite to the room from Alice\"), so importing is also acceptable (decision S14).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &s,
        not_imported("deferred", "R34"),
        vec![imported(vec![k.imported(ALICE)], vec![], vec![], vec![])],
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.membership = "ban";
    a.acceptable(
        spec(
            "banned-after-accepting",
            &["R34"],
            "Bob accepted, then was banned. The reference defers (Bob is not joined); the texts set no condition on current membership, so importing is also acceptable (decision S14).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &s,
        not_imported("deferred", "R34"),
        vec![imported(vec![k.imported(ALICE)], vec![], vec![], vec![])],
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.membership = "knock";
    a.acceptable(
        spec(
            "knocking-after-accepting",
            &["R34"],
            "Bob's membership is `knock` (he left and knocked again). The reference defers (Bob is not joined); the texts set no condition on current membership, so importing is also acceptable (decision S14).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &s,
        not_imported("deferred", "R34"),
        vec![imported(vec![k.imported(ALICE)], vec![], vec![], vec![])],
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.now = NOW - HOUR + DEFAULT_ACCEPTANCE_WINDOW_MS + 1;
    a.case(
        spec(
            "window-passed-by-1ms",
            &["R36"],
            "Accepted 24 h plus 1 ms ago: too late, nothing is downloaded.",
            &[BugClass::DenialOfService, BugClass::EdgeCase],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R36"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.now = NOW - HOUR + DEFAULT_ACCEPTANCE_WINDOW_MS;
    a.acceptable(
        spec(
            "exactly-24h",
            &["R36"],
            "Exactly 24 h after acceptance. \"The definition of 'recently' is left up to clients\" and \"24 hours is a recommended time limit\": the boundary itself is not specified. The reference's window is half-open (it defers), importing is also acceptable (decision S14).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &s,
        not_imported("deferred", "R36"),
        vec![imported(vec![k.imported(ALICE)], vec![], vec![], vec![])],
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.now = NOW + 30 * 24 * HOUR;
    a.case(
        spec(
            "a-month-later",
            &["R36"],
            "A bundle arriving a month after the join is ignored.",
            &[BugClass::DenialOfService],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R36"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.window = Some(0);
    s.now = NOW - 2 * HOUR;
    a.case(
        spec(
            "zero-window",
            &["R36"],
            "A window of 0 ms admits nothing, even when the clock reads earlier than the acceptance (found by fuzzing: the reference once overflowed here).",
            &[BugClass::EdgeCase],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R36"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.window = Some(HOUR / 2);
    a.case(
        spec(
            "configured-window-passed",
            &["R36"],
            "With a configured 30 min window, 1 h after acceptance is too late.",
            &[BugClass::DenialOfService],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R36"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.invite = Some(
        json!({"inviter": ALICE, "accepted_at_ms": NOW - HOUR, "accepted_on_this_device": false}),
    );
    let c = a.case(
        spec(
            "accepted-on-another-device",
            &["R35"],
            "Bob accepted on his phone; this laptop did not record an acceptance (D10). SDKs import only on the accepting device; importing here too leaks nothing.",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        &s,
        not_imported("deferred", "R35"),
    );
    c.also_acceptable
        .push(imported(vec![k.imported(ALICE)], vec![], vec![], vec![]));
    f.file.groups.push(g.finish());
    f
}
