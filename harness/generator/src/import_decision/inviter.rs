//! `import-decision/inviter.json`: only the inviter's bundle is downloaded (R33).

use super::*;

pub(super) fn inviter() -> GeneratedFile {
    let mut f = file(
        CAT,
        "inviter",
        "Only the user whose invite Bob accepted, for that room, gets a bundle imported (R33).",
        module_path!(),
    );
    let mut g = new_group(
        "not-the-inviter",
        "Bundles Bob must store but not download.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("inviter", 0);
    let carol_cs = CrossSigning::new(CAROL, "v1");
    let mut s = baseline(bundle(&[&k], &[]));
    s.sender = Device::new(CAROL, CAROL_DEVICE);
    s.identity = Some(carol_cs.clone());
    s.device_signed_by = Some(carol_cs);
    a.case(
        spec(
            "bundle-from-other-member",
            &["R33"],
            "Carol, a trusted member who did not invite Bob, sends a bundle for the room Alice invited him to: not downloaded.",
            &[BugClass::AuthBypass, BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R33"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    let bob_cs = CrossSigning::new(BOB, "v1");
    s.sender = Device::new(BOB, BOB_PHONE);
    s.identity = Some(bob_cs.clone());
    s.device_signed_by = Some(bob_cs);
    a.case(
        spec(
            "bundle-from-bobs-own-device",
            &["R33"],
            "Bob's own cross-signed phone sends his laptop a bundle for the room Alice invited him to: Bob is not the inviter, so it is not downloaded.",
            &[BugClass::AuthBypass, BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R33"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    let lookalike = "@Alice:hs1.test";
    let lookalike_cs = CrossSigning::new(lookalike, "v1");
    s.sender = Device::new(lookalike, ALICE_DEVICE);
    s.identity = Some(lookalike_cs.clone());
    s.device_signed_by = Some(lookalike_cs);
    a.case(
        spec(
            "sender-differs-from-inviter-in-case",
            &["R33"],
            "`@Alice:hs1.test` is not `@alice:hs1.test`: user IDs compare byte for byte, so a look-alike's bundle is not downloaded.",
            &[BugClass::AuthBypass, BugClass::EdgeCase],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R33"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    let nfc = "@zo\u{eb}:hs1.test";
    let nfd = "@zoe\u{308}:hs1.test";
    let nfd_cs = CrossSigning::new(nfd, "v1");
    s.invite = Some(
        json!({"inviter": nfc, "accepted_at_ms": NOW - HOUR, "accepted_on_this_device": true}),
    );
    s.sender = Device::new(nfd, ALICE_DEVICE);
    s.identity = Some(nfd_cs.clone());
    s.device_signed_by = Some(nfd_cs);
    a.case(
        spec(
            "sender-differs-from-inviter-in-normalisation",
            &["R33"],
            "The invite came from `@zo\\u00eb:hs1.test` (NFC, U+00EB); the bundle comes from `@zoe\\u0308:hs1.test` (NFD, `e` + U+0308), which renders the same. User IDs compare code point for code point, with no Unicode normalisation (the grammar allows no non-ASCII at all), so the look-alike's bundle is not downloaded.",
            &[BugClass::AuthBypass, BugClass::Spoofing, BugClass::EdgeCase],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R33"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.invite = None;
    a.case(
        spec(
            "no-invite-on-record",
            &["R33"],
            "Bob joined without an invite (public room): a bundle is not downloaded.",
            &[BugClass::AuthBypass],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R33"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.content_room = OTHER_ROOM.into();
    a.case(
        spec(
            "bundle-for-another-room",
            &["R33"],
            "Alice's bundle names a room other than the one whose invite Bob accepted.",
            &[BugClass::AuthBypass, BugClass::DenialOfService],
        ),
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R33"),
    );
    f.file.groups.push(g.finish());
    f
}
