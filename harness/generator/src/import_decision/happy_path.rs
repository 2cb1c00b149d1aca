//! `import-decision/happy-path.json`: bundles the invitee must import.

use super::*;

pub(super) fn happy_path() -> GeneratedFile {
    let mut f = file(
        CAT,
        "happy-path",
        "Bundles that the invitee must import: right sender, right room, accepted invite, good file.",
        module_path!(),
    );
    let mut g = new_group(
        "import",
        "Alice's bundle arrives an hour after Bob accepted her invite on this device.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("happy-one", 0);
    a.case(
        spec(
            "one-key",
            &["R34", "R35", "R41", "R33", "R39", "R38"],
            "One key: downloaded, hash checked, imported with Alice recorded as forwarder.",
            &[],
        ),
        Verdict::Valid,
        &baseline(bundle(&[&k], &[])),
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
    );
    let ks: Vec<Key> = [0u32, 3, 300]
        .iter()
        .enumerate()
        .map(|(i, ix)| key(&format!("happy-many-{i}"), *ix))
        .collect();
    let refs: Vec<&Key> = ks.iter().collect();
    a.case(
        spec(
            "three-keys-at-their-indexes",
            &["R34", "R41", "R42"],
            "Each key is imported at the first known index of its export.",
            &[],
        ),
        Verdict::Valid,
        &baseline(bundle(&refs, &[])),
        imported(
            ks.iter().map(|k| k.imported(ALICE)).collect(),
            vec![],
            vec![],
            vec![],
        ),
    );
    let k = key("happy-with-withheld", 2);
    a.case(
        spec(
            "key-and-withheld",
            &["R45", "R34"],
            "The withheld entry for this room is recorded, so the UI can say why that session cannot be decrypted.",
            &[],
        ),
        Verdict::Valid,
        &baseline(bundle(&[&k], &[withheld_entry("happy-withheld", ROOM, HISTORY_NOT_SHARED)])),
        imported(vec![k.imported(ALICE)], vec![withheld_recorded("happy-withheld")], vec![], vec![]),
    );
    a.case(
        spec(
            "empty-bundle",
            &["R34"],
            "An empty bundle is used and imports nothing.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &baseline(bundle(&[], &[])),
        imported(vec![], vec![], vec![], vec![]),
    );
    let mut s = baseline(bundle(&[&key("happy-verified", 0)], &[]));
    s.identity_state = "verified";
    a.case(
        spec(
            "verified-sender",
            &["X1", "R34"],
            "A sender whose identity Bob verified is trusted like a TOFU one.",
            &[],
        ),
        Verdict::Valid,
        &s,
        imported(
            vec![key("happy-verified", 0).imported(ALICE)],
            vec![],
            vec![],
            vec![],
        ),
    );
    let mut s = baseline(bundle(&[&key("happy-edge-window", 0)], &[]));
    s.now = NOW - HOUR + DEFAULT_ACCEPTANCE_WINDOW_MS - 1;
    a.case(
        spec(
            "last-millisecond-of-window",
            &["R36", "R34"],
            "Accepted 24 h minus 1 ms ago: still recent.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &s,
        imported(
            vec![key("happy-edge-window", 0).imported(ALICE)],
            vec![],
            vec![],
            vec![],
        ),
    );
    let mut s = baseline(bundle(&[&key("happy-clock", 0)], &[]));
    s.now = NOW - 2 * HOUR;
    a.acceptable(
        spec(
            "clock-behind-acceptance",
            &["R36"],
            "A clock that reads earlier than the recorded acceptance (skew). The texts leave \"recently\" to clients and say nothing of clock skew: the reference counts it as within the window and imports, deferring is also acceptable (decision S14).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &s,
        imported(vec![key("happy-clock", 0).imported(ALICE)], vec![], vec![], vec![]),
        vec![not_imported("deferred", "R36")],
    );
    let mut s = baseline(bundle(&[&key("happy-window", 0)], &[]));
    s.window = Some(2 * HOUR);
    s.now = NOW + HOUR / 2;
    a.case(
        spec(
            "configured-window",
            &["R36"],
            "With a configured 2 h window, 1.5 h after acceptance is recent.",
            &[],
        ),
        Verdict::Valid,
        &s,
        imported(
            vec![key("happy-window", 0).imported(ALICE)],
            vec![],
            vec![],
            vec![],
        ),
    );
    f.file.groups.push(g.finish());
    f
}
