//! `import-decision/second-bundle.json`: a bundle from the inviter after an earlier one for the same
//! room, in either order. The earlier bundle is the recipient's store (sessions of provenance
//! `bundle`, forwarded by Alice); the texts treat every bundle event alike (R34) and every stored
//! session by the update rule (R42), so a second bundle is one more import, never a replacement of
//! better keys.

use super::*;

/// A session Bob got from an earlier bundle of Alice's.
fn from_earlier_bundle(k: &Key) -> Value {
    let mut stored = k.stored("bundle");
    stored["forwarder"] = json!(ALICE);
    stored
}

pub(super) fn second_bundle() -> GeneratedFile {
    let mut f = file(
        CAT,
        "second-bundle",
        "A second bundle from the inviter for the same room, after an earlier one (the store holds what the earlier bundle gave), in either order (R34, R42).",
        module_path!(),
    );
    let mut g = new_group(
        "second-bundle",
        "Alice sent Bob a bundle for the room before (its sessions are in Bob's store, forwarded by Alice); now another bundle of hers arrives. Each bundle event is handled like the first (R34), and each session by the update rule (R42).",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };

    let first = key("second-bundle/first", 0);
    let added = key("second-bundle/added", 0);
    let mut s = baseline(bundle(&[&first, &added], &[]));
    s.store = vec![from_earlier_bundle(&first)];
    a.case(
        spec(
            "adds-new-sessions",
            &["R34", "R42"],
            "The second bundle repeats the session of the first and adds a new one (Alice had more history to share, e.g. after a later invite of Bob's other account or a re-send). The new session is imported; the repeated one is kept as stored. A receiver that handles only the first bundle per room and inviter loses the new history.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &s,
        imported(
            vec![added.imported(ALICE)],
            vec![],
            vec![first.session_id()],
            vec![],
        ),
    );

    let same = key("second-bundle/same", 0);
    let mut s = baseline(bundle(&[&same], &[]));
    s.store = vec![from_earlier_bundle(&same)];
    a.case(
        spec(
            "same-copy-again",
            &["R42"],
            "The second bundle carries exactly the copy the first one gave (same session, same first known index, same forwarder): nothing changes, the stored copy is kept.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &s,
        imported(vec![], vec![], vec![same.session_id()], vec![]),
    );

    let newer = key("second-bundle/out-of-order", 0);
    let older = key("second-bundle/out-of-order", 3);
    let mut s = baseline(bundle(&[&older], &[]));
    s.store = vec![from_earlier_bundle(&newer)];
    a.case(
        spec(
            "older-bundle-after-newer",
            &["R42"],
            "Out of order: Bob already holds the session at index 0 from a later bundle of Alice's; an older bundle of hers, delivered late, offers it at index 3. Not an improvement: the stored copy is kept, and messages 0–2 stay decryptable.",
            &[BugClass::Downgrade],
        ),
        Verdict::Invalid,
        &s,
        imported(vec![], vec![], vec![older.session_id()], vec![]),
    );
    f.file.groups.push(g.finish());
    f
}
