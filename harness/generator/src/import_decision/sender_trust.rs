//! `import-decision/sender-trust.json`: the sending device must be cross-signed by the inviter (R34).

use super::*;

pub(super) fn sender_trust() -> GeneratedFile {
    let mut f = file(
        CAT,
        "sender-trust",
        "The sending device must be cross-signed by the sender's identity, which must not be in a pin violation (X1, X2, D9).",
        module_path!(),
    );
    let mut g = new_group(
        "trust",
        "Trust in Alice's device.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("trust", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = None;
    a.case(
        spec(
            "device-not-cross-signed",
            &["X1"],
            "Alice's device is not signed by her self-signing key (an injected device): the bundle is dropped.",
            &[BugClass::AuthBypass, BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.identity = None;
    a.case(
        spec(
            "identity-unknown",
            &["X1"],
            "Bob has no cross-signing identity for Alice: the device's cross-signature cannot be checked.",
            &[BugClass::AuthBypass],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = Some(CrossSigning::new(ALICE, "stale"));
    a.case(
        spec(
            "signed-by-stale-identity",
            &["X1"],
            "The device is signed by a self-signing key that is not Alice's current one.",
            &[BugClass::AuthBypass, BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = Some(CrossSigning::new(CAROL, "v1"));
    a.case(
        spec(
            "signed-by-another-users-key",
            &["X1"],
            "The device carries a signature by Carol's self-signing key, not Alice's.",
            &[BugClass::AuthBypass, BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.identity_state = "pin_violation";
    a.case(
        spec(
            "identity-pin-violation",
            &["X2"],
            "Alice's identity changed since Bob pinned it: the bundle is dropped.",
            &[BugClass::AuthBypass],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X2"),
    );
    let s = baseline(bundle(&[&k], &[]));
    a.case(
        spec(
            "tofu-identity",
            &["X1", "X2"],
            "A device cross-signed by a TOFU-pinned identity is trusted.",
            &[],
        ),
        Verdict::Valid,
        &s,
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    f
}
