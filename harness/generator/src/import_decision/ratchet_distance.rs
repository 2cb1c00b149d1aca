//! `import-decision/ratchet-distance.json`: merging copies of one session whose indexes are far
//! apart, so that telling whether they are connected advances the Megolm ratchet across the
//! bytes of the counter (R42). Added for mutation testing of the reference (issue 17): the
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
    a.case(
        spec(
            "better-than-distant-backup-copy",
            &["R42"],
            "Bob has the session from backup at index 16909060 (0x01020304); the bundle's index 0 copy advances to exactly that copy, so it is connected and better, and replaces it.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &s,
        imported(vec![early.imported(ALICE)], vec![], vec![], vec![]),
    );
    // 0x00000100: one step across the lowest byte boundary.
    let early = key("distance-b", 0xff);
    let next = key("distance-b", 0x100);
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![next.stored("backup")];
    a.case(
        spec(
            "better-than-backup-copy-across-a-byte",
            &["R42"],
            "Bob has the session from backup at index 256; the bundle's copy at index 255 is one ratchet step earlier across a byte boundary of the counter, so it is connected and better, and replaces it.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &s,
        imported(vec![early.imported(ALICE)], vec![], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    f
}
