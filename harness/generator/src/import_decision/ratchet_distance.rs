//! `import-decision/ratchet-distance.json`: merging copies of one session whose indexes are far
//! apart, so that telling whether they are connected advances the Megolm ratchet across the
//! bytes of the counter, and an earlier copy that is not connected at all (R42). Added for mutation testing of the reference (issue 17): the
//! store-merge cases only advance within the lowest byte, so a reference that advanced the higher
//! parts of the ratchet wrongly still passed them.

use super::*;

pub(super) fn ratchet_distance() -> GeneratedFile {
    let mut f = file(
        CAT,
        "ratchet-distance",
        "A held copy and a bundled copy of one session, far apart: connected across every byte of the Megolm counter (R42).",
        module_path!(),
    );
    let mut g = new_group(
        "distance",
        "Bob holds a copy of the bundle's session at a much later index.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    // 0x01020304: every byte of the counter changes between index 0 and this index, so checking
    // that the two copies are connected rehashes all four parts of the ratchet.
    let early = key("distance-a", 0);
    let far = key("distance-a", 0x0102_0304);
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![far.stored("backup")];
    a.acceptable(
        spec(
            "better-than-distant-backup-copy",
            &["R42"],
            "Bob has the session from backup at index 16909060 (0x01020304); the bundle's index 0 copy advances to exactly that copy, so it is connected and better; the reference replaces the stored copy with it. Keeping the stored copy is also acceptable, as in `merge/better-than-backup-copy`: whether a bundle is a \"trusted source\" for updating a stored session is not said (R47, decision S15).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &s,
        imported(vec![early.imported(ALICE)], vec![], vec![], vec![]),
        vec![imported(vec![], vec![], vec![early.session_id()], vec![])],
    );
    // 0x01ff → 0x0200: one step across a byte boundary of the counter, where the second byte
    // is already non-zero before the step.
    let early = key("distance-b", 0x01ff);
    let next = key("distance-b", 0x0200);
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![next.stored("backup")];
    a.acceptable(
        spec(
            "better-than-backup-copy-across-a-byte",
            &["R42"],
            "Bob has the session from backup at index 512 (0x200); the bundle's copy at index 511 (0x1ff) is one ratchet step earlier across a byte boundary of the counter, so it is connected and better; the reference replaces the stored copy with it. Keeping the stored copy is also acceptable, as in `merge/better-than-backup-copy`: whether a bundle is a \"trusted source\" for updating a stored session is not said (R47, decision S15).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &s,
        imported(vec![early.imported(ALICE)], vec![], vec![], vec![]),
        vec![imported(vec![], vec![], vec![early.session_id()], vec![])],
    );
    // An earlier copy whose ratchet does not lead to the held one.
    let held = key("distance-c", 5);
    let earlier = key("distance-c", 0);
    let mut forged = earlier.json();
    let mut fk = earlier.material();
    fk.ratchet[3][0] ^= 0x01;
    forged["session_key"] = json!(fk.to_base64());
    let mut s = baseline(json!({"room_keys": [forged], "withheld": []}));
    s.store = vec![held.stored("backup")];
    let c = a.case(
        spec(
            "earlier-copy-not-connected-to-backup-copy",
            &["R42"],
            "Bob has the session from backup at index 5; the bundle offers a copy at index 0 whose ratchet does not advance to Bob's copy. A known session is only improved by a copy with a lower first known index whose ratchet matches, so it must not replace Bob's copy: the reference skips it (R42); keeping Bob's copy without flagging the entry is also right.",
            &[BugClass::KeyPlanting, BugClass::Downgrade],
        ),
        Verdict::Invalid,
        &s,
        imported(vec![], vec![], vec![], vec![("/room_keys/0", "R42")]),
    );
    c.also_acceptable
        .push(imported(vec![], vec![], vec![held.session_id()], vec![]));
    f.file.groups.push(g.finish());
    f
}
