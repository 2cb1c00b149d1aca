//! `import-decision/store-merge.json`: merging imported keys with the keys already held.

use super::*;

pub(super) fn store_merge() -> GeneratedFile {
    let mut f = file(
        CAT,
        "store-merge",
        "Imported sessions meet the store: never a worse copy, never an unconnected one, never an authenticated copy traded for a forwarded one (R42, R44, R41).",
        module_path!(),
    );
    let mut g = new_group(
        "merge",
        "Bob already holds some of the bundle's sessions.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let early = key("merge-a", 0);
    let late = key("merge-a", 5);
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![late.stored("backup")];
    a.acceptable(
        spec(
            "better-than-backup-copy",
            &["R42"],
            "Bob has the session from backup at index 5; the bundle offers index 0. The reference takes the better copy. The store-update MUST lets a client update a session only from \"a trusted source\", and the texts do not say whether a bundle from another user is one, so keeping the stored copy is also acceptable (R47, decision S15).",
            &[BugClass::SpecAmbiguity],
        ),
        &s,
        imported(vec![early.imported(ALICE)], vec![], vec![], vec![]),
        vec![imported(vec![], vec![], vec![early.session_id()], vec![])],
    );
    let mut s = baseline(bundle(&[&late], &[]));
    s.store = vec![early.stored("room_key")];
    a.case(
        spec(
            "worse-than-room-key-copy",
            &["R42"],
            "Bob has the session at index 0 from Alice's own m.room_key; the bundle's index 5 copy would lose messages 0-4 and authenticity.",
            &[BugClass::Downgrade],
        ),
        Verdict::Invalid,
        &s,
        imported(vec![], vec![], vec![late.session_id()], vec![]),
    );
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![early.stored("room_key")];
    a.case(
        spec(
            "same-as-stored",
            &["R42"],
            "The bundle repeats a copy Bob already has: the store keeps its copy.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Valid,
        &s,
        imported(vec![], vec![], vec![early.session_id()], vec![]),
    );
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![late.stored("room_key")];
    let c = a.case(
        spec(
            "earlier-than-authenticated-copy",
            &["R44", "R42"],
            "Bob holds an authenticated copy at index 5; the bundle offers index 0. The reference keeps the authenticated copy (messages 0-4 stay undecryptable); taking the connected earlier ratchet is also safe.",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        &s,
        imported(vec![], vec![], vec![early.session_id()], vec![]),
    );
    c.also_acceptable.push(imported(
        vec![early.imported(ALICE)],
        vec![],
        vec![],
        vec![],
    ));
    let mut forged = key("merge-forged", 3).json();
    let mut fk = key("merge-forged", 3).material();
    fk.ratchet[0][0] ^= 0xff;
    forged["session_key"] = json!(fk.to_base64());
    let mut s = baseline(json!({"room_keys": [forged], "withheld": []}));
    s.store = vec![key("merge-forged", 0).stored("room_key")];
    a.case(
        spec(
            "unconnected-ratchet",
            &["R42"],
            "Same session ID and signing key, but a ratchet that does not follow from the stored one: a forgery, skipped.",
            &[BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        &s,
        imported(vec![], vec![], vec![], vec![("/room_keys/0", "R42")]),
    );
    let prior = key("merge-prior", 5);
    let better = key("merge-prior", 0);
    let mut stored = prior.stored("bundle");
    stored["forwarder"] = json!(CAROL);
    let mut s = baseline(bundle(&[&better], &[]));
    s.store = vec![stored];
    a.acceptable(
        spec(
            "better-than-earlier-bundle",
            &["R42", "R41"],
            "Bob holds a copy Carol forwarded in an earlier bundle at index 5; Alice's bundle offers index 0. The reference replaces it and records Alice as the forwarder; keeping Carol's copy is also acceptable: whether a bundle is a \"trusted source\" for updating a stored session is not said (R47, decision S15).",
            &[BugClass::SpecAmbiguity],
        ),
        &s,
        imported(vec![better.imported(ALICE)], vec![], vec![], vec![]),
        vec![imported(vec![], vec![], vec![better.session_id()], vec![])],
    );
    let opaque = key("merge-opaque", 0);
    let mut stored = opaque.stored("room_key");
    stored["session_key"] = json!("c3RvcmVkIGluIGFuIG9sZGVyIGZvcm1hdA");
    let mut s = baseline(bundle(&[&opaque], &[]));
    s.store = vec![stored];
    a.case(
        spec(
            "stored-copy-not-comparable",
            &["R42"],
            "Bob's stored copy of the session has a key the merge cannot read (an older store format): it cannot be compared, so the bundle's copy must not replace it.",
            &[BugClass::EdgeCase, BugClass::Downgrade],
        ),
        Verdict::Valid,
        &s,
        imported(vec![], vec![], vec![opaque.session_id()], vec![]),
    );
    let genuine = key("merge-pair", 0);
    let mut forged = key("merge-pair", 3).json();
    let mut fk = key("merge-pair", 3).material();
    fk.ratchet[2][7] ^= 0x40;
    forged["session_key"] = json!(fk.to_base64());
    let forged_copy = json!({"room_id": ROOM, "session_id": genuine.session_id(), "first_known_index": 3, "forwarder": ALICE});
    let c = a.case(
        spec(
            "unconnected-copies-in-one-bundle",
            &["R42"],
            "The bundle carries a session at index 0 and a forged copy at index 3 whose ratchet does not follow from it. Which one is genuine cannot be told: the reference imports neither, whatever their order; importing one of them is no worse than what the forwarder could do by sending only that one, so it is acceptable too.",
            &[BugClass::KeyPlanting, BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        &baseline(json!({"room_keys": [forged, genuine.json()], "withheld": []})),
        imported(vec![], vec![], vec![], vec![("/room_keys/0", "R42"), ("/room_keys/1", "R42")]),
    );
    for (kept, dropped) in [
        (genuine.imported(ALICE), "/room_keys/0"),
        (forged_copy, "/room_keys/1"),
    ] {
        c.also_acceptable
            .push(imported(vec![kept.clone()], vec![], vec![], vec![]));
        c.also_acceptable
            .push(imported(vec![kept], vec![], vec![], vec![(dropped, "R42")]));
    }
    // The same pair of unconnected copies, and Bob already holds a better copy (index 0).
    let held = key("merge-stored-pair", 0);
    let later = key("merge-stored-pair", 3);
    let mut fk = later.material();
    fk.ratchet[2][7] ^= 0x40;
    stored_copy_refused(
        &mut a,
        spec(
            "unconnected-copies-with-stored-copy",
            &["R42"],
            "Bob holds a session at index 0 (from key backup); the bundle carries it at index 3 and a forged copy at index 3 whose ratchet does not follow. The reference refuses both copies (reported skipped, R42); keeping the stored copy and reporting it kept leaves the same store, so it is acceptable too (found by the differential fuzzer: matrix-sdk-crypto keeps its copy). Replacing the stored copy with either is not.",
            &[BugClass::KeyPlanting, BugClass::SpecAmbiguity],
        ),
        &held,
        fk,
        &later,
    );
    // A forged copy at the stored index whose flipped part (R3) the ratchet rewrites at the next
    // multiple of 256, so that it leads to the genuine copy the bundle also carries at 274.
    let held = key("merge-stored-conflict", 7);
    let later = key("merge-stored-conflict", 274);
    let mut fk = held.material();
    fk.ratchet[3][0] ^= 1;
    stored_copy_refused(
        &mut a,
        spec(
            "best-copy-not-connected-to-stored-copy",
            &["R42"],
            "Bob holds a session at index 7 (from key backup). The bundle carries a forged copy at index 7 and the genuine copy at index 274; the forged copy's ratchet differs only in the part Megolm rewrites at index 256, so it leads to the genuine copy at 274 but not from Bob's copy at 7. The reference refuses both copies (reported skipped, R42: the best copy on offer does not connect to the stored one); comparing each copy with the stored one, refusing the forged copy and keeping the stored copy over the worse genuine one, leaves the same store, so it is acceptable too (found by the differential fuzzer: matrix-sdk-crypto keeps its copy). Replacing the stored copy with the forged one is not.",
            &[BugClass::KeyPlanting, BugClass::SpecAmbiguity],
        ),
        &held,
        fk,
        &later,
    );
    let twice_late = key("merge-twice", 4);
    let twice_early = key("merge-twice", 1);
    a.case(
        spec(
            "same-session-twice-in-bundle",
            &["R42"],
            "The bundle lists one session at index 4 and at index 1, and Bob holds no copy. The reference keeps the better copy whatever the order; no text says which of two copies in one bundle to keep (the store-update MUST compares with a copy already stored), so ending with index 4 is also acceptable (decision S15).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        &baseline(bundle(&[&twice_late, &twice_early], &[])),
        imported(vec![twice_early.imported(ALICE)], vec![], vec![], vec![]),
    )
    .also_acceptable = vec![imported(vec![twice_late.imported(ALICE)], vec![], vec![], vec![])];
    a.case(
        spec(
            "same-session-twice-better-first",
            &["R42"],
            "The bundle lists one session at index 1 and then at index 4 (the first case's entries swapped). The reference keeps the better copy; an importer that compares each entry only with the store as it was before the bundle ends with the copy listed last (F20). No text covers two copies of a session in one bundle, so that is also acceptable (decision S15).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        &baseline(bundle(&[&twice_early, &twice_late], &[])),
        imported(vec![twice_early.imported(ALICE)], vec![], vec![], vec![]),
    )
    .also_acceptable = vec![imported(vec![twice_late.imported(ALICE)], vec![], vec![], vec![])];
    let mut spoof = key("merge-spoof", 0).json();
    spoof["forwarder"] = json!(CAROL);
    spoof["sender"] = json!(CAROL);
    spoof["shared_by"] = json!(CAROL);
    a.case(
        spec(
            "entry-claims-another-forwarder",
            &["R41", "R44"],
            "Entry members claiming a forwarder are ignored: the forwarder is the bundle's sender, Alice.",
            &[BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &baseline(json!({"room_keys": [spoof], "withheld": []})),
        imported(vec![key("merge-spoof", 0).imported(ALICE)], vec![], vec![], vec![]),
    );
    let k = key("merge-claims", 0);
    a.case(
        spec(
            "forwarder-is-the-sender",
            &["R41", "R44"],
            "The session's claimed creator is Dave, but the forwarder recorded is Alice, who sent the bundle.",
            &[],
        ),
        Verdict::Valid,
        &baseline(bundle(&[&k], &[])),
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    let mut g = new_group(
        "ratchet-end",
        "R42 at the end of the 32-bit Megolm counter: copies at 0xFFFFFFFE and 0xFFFFFFFF compare like any others.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let second_last = key("ratchet-end", 0xFFFF_FFFE);
    let last = key("ratchet-end", u32::MAX);
    let mut s = baseline(bundle(&[&second_last], &[]));
    s.store = vec![last.stored("backup")];
    a.acceptable(
        spec(
            "better-at-counter-end",
            &["R42"],
            "Bob holds the session from backup at index 0xFFFFFFFF; the bundle's copy at 0xFFFFFFFE is one step earlier, and the reference replaces the stored copy with it. An implementation that keeps the index in a signed 32-bit integer, or compares with wrapping arithmetic, gets the order wrong. Keeping the stored copy is also acceptable, as in `merge/better-than-backup-copy`: whether a bundle is a \"trusted source\" for updating a stored session is not said (R47, decision S15); `worse-at-counter-end` catches the harmful direction.",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &s,
        imported(vec![second_last.imported(ALICE)], vec![], vec![], vec![]),
        vec![imported(vec![], vec![], vec![second_last.session_id()], vec![])],
    );
    let mut s = baseline(bundle(&[&last], &[]));
    s.store = vec![second_last.stored("room_key")];
    a.case(
        spec(
            "worse-at-counter-end",
            &["R42"],
            "Bob holds the session at index 0xFFFFFFFE from its creator's m.room_key; the bundle's copy at 0xFFFFFFFF is worse and must not replace it.",
            &[BugClass::Downgrade, BugClass::EdgeCase],
        ),
        Verdict::Invalid,
        &s,
        imported(vec![], vec![], vec![last.session_id()], vec![]),
    );
    f.file.groups.push(g.finish());
    let mut g = new_group(
        "both-arrays",
        "R43: one session listed in both `room_keys` and `withheld` of a received bundle. The sender broke R14; how a receiver handles such a malformed bundle is implementation-defined.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("both-arrays", 0);
    let w = withheld_entry("both-arrays", ROOM, HISTORY_NOT_SHARED);
    let s = baseline(bundle(&[&k], &[w]));
    let recorded = withheld_recorded("both-arrays");
    a.case(
        spec(
            "session-in-both-arrays",
            &["R43"],
            "The bundle lists Alice's session both as a key and as withheld (`m.history_not_shared`). \"Handling such malformed bundles as a receiving client is implementation-defined\": the reference imports the key and records the withheld entry (as matrix-rust-sdk does); importing only the key, recording only the withheld entry, or refusing the bundle are acceptable too.",
            &[BugClass::SpecAmbiguity, BugClass::EdgeCase],
        ),
        Verdict::Acceptable,
        &s,
        imported(vec![k.imported(ALICE)], vec![recorded.clone()], vec![], vec![]),
    )
    .also_acceptable
    .extend([
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
        imported(vec![], vec![recorded], vec![], vec![("/room_keys/0", "R43")]),
        not_imported("rejected", "R43"),
    ]);
    f.file.groups.push(g.finish());
    let mut g = new_group(
        "withheld-twice",
        "One session listed twice in `withheld` with different codes. The texts describe `withheld` only as \"the room keys that the creator of the bundle is choosing not to share\" and say nothing of a session listed twice there (decision S22).",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let first = withheld_entry("withheld-twice", ROOM, HISTORY_NOT_SHARED);
    let mut second = first.clone();
    second["code"] = json!("m.unverified");
    second["reason"] = json!("The sender has not verified your device.");
    let recorded_first = withheld_recorded("withheld-twice");
    let mut recorded_second = recorded_first.clone();
    recorded_second["code"] = json!("m.unverified");
    a.acceptable(
        spec(
            "session-withheld-with-two-codes",
            &["R45"],
            "The bundle withholds one session first with `m.history_not_shared`, then with `m.unverified`. The reference records both entries; a receiver that keeps one reason per session, the first or the last listed, explains the missing key as well, so either is acceptable too (decision S22; found by the differential fuzzer: matrix-sdk-crypto keeps the last). Recording neither is not (R45).",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        &baseline(bundle(&[], &[first, second])),
        imported(
            vec![],
            vec![recorded_first.clone(), recorded_second.clone()],
            vec![],
            vec![],
        ),
        vec![
            imported(vec![], vec![recorded_first], vec![], vec![]),
            imported(vec![], vec![recorded_second], vec![], vec![]),
        ],
    );
    f.file.groups.push(g.finish());
    f
}

/// An `acceptable` R42 case: Bob holds `held` (from key backup); the bundle carries a forged copy
/// (`forged`, the key material of a copy of the same session with a flipped ratchet bit) and then
/// the genuine `genuine`. The reference refuses both copies; keeping the stored copy (reported
/// kept, with or without the forged copy reported skipped) leaves the same store.
fn stored_copy_refused(
    a: &mut Add<'_>,
    spec: Spec<'_>,
    held: &Key,
    forged: msc4268_model::megolm::ExportedSessionKey,
    genuine: &Key,
) {
    let mut forged_entry = genuine.json();
    forged_entry["session_key"] = json!(forged.to_base64());
    let mut s = baseline(json!({"room_keys": [forged_entry, genuine.json()], "withheld": []}));
    s.store = vec![held.stored("backup")];
    let kept = vec![held.session_id()];
    a.acceptable(
        spec,
        &s,
        imported(
            vec![],
            vec![],
            vec![],
            vec![("/room_keys/0", "R42"), ("/room_keys/1", "R42")],
        ),
        vec![
            imported(vec![], vec![], kept.clone(), vec![]),
            imported(vec![], vec![], kept, vec![("/room_keys/0", "R42")]),
        ],
    );
}
