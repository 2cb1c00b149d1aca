//! `import-decision/envelope.json`: the Olm envelope checks, end to end.

use super::*;

pub(super) fn envelope() -> GeneratedFile {
    let mut f = file(
        CAT,
        "envelope",
        "Olm envelope failures stop the import before any download (R30, R31, R32).",
        module_path!(),
    );
    let mut g = new_group(
        "envelope",
        "A valid bundle behind a broken envelope.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("envelope", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_edit = Some(|pt| {
        pt.as_object_mut().map(|m| m.remove("sender_device_keys"));
    });
    a.case(
        spec(
            "no-sender-device-keys",
            &["R30"],
            "Without sender_device_keys the event is ignored and nothing is downloaded.",
            &[BugClass::AuthBypass],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "R30"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.encrypted = false;
    a.case(
        spec(
            "sent-in-the-clear",
            &["R32"],
            "An unencrypted m.room_key_bundle is never acted on.",
            &[BugClass::AuthBypass, BugClass::Confidentiality],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "R32"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_edit = Some(|pt| pt["sender"] = json!(CAROL));
    a.case(
        spec(
            "plaintext-sender-mismatch",
            &["R31"],
            "The Olm plaintext claims another sender than the to-device event (O1).",
            &[BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "O1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_edit = Some(|pt| pt["recipient"] = json!("@eve:hs2.test"));
    a.case(
        spec(
            "addressed-to-someone-else",
            &["R31"],
            "A plaintext addressed to Eve, replayed to Bob (O2).",
            &[BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "O2"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_edit = Some(|pt| {
        if let Some(dk) = pt.get_mut("sender_device_keys") {
            dk["algorithms"] = json!([]);
        }
    });
    a.case(
        spec(
            "device-keys-changed-after-signing",
            &["R31"],
            "sender_device_keys had `algorithms` emptied after it was signed, so its self-signature no longer verifies (O7): discard, even though the recipient can learn the sender's device from /keys/query (found by differential fuzzing, F18).",
            &[BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &s,
        not_imported("discarded", "O7"),
    );
    let s = baseline(bundle(&[&k], &[]));
    a.case(
        spec(
            "valid-envelope",
            &["R30", "R31", "R32"],
            "A complete, correctly signed envelope lets the import go ahead.",
            &[],
        ),
        Verdict::Valid,
        &s,
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    f
}
