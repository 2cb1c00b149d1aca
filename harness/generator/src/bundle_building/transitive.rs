//! `bundle-building/transitive.json`: keys that came from another bundle.

use super::*;

pub(super) fn transitive_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "transitive",
        "m.history_not_shared entries the inviter received in an earlier bundle are passed on (as matrix-rust-sdk does), never beside a key for the same session (R14).",
        module_path!(),
    );
    f.file
        .groups
        .push(transitive_group(IdentifierVariant::Stable).finish());
    f.file
        .groups
        .push(transitive_group(IdentifierVariant::Unstable).finish());
    f
}

fn transitive_group(variant: IdentifierVariant) -> GroupBuilder {
    let (code, vslug) = match variant {
        IdentifierVariant::Unstable => (HISTORY_NOT_SHARED_UNSTABLE, "unstable"),
        _ => (HISTORY_NOT_SHARED, "stable"),
    };
    let mut g = new_group(
        &format!("transitive-{vslug}"),
        &format!("Received withheld entries with code `{code}`."),
        variant,
        build_context(Some("shared")),
    );
    let p = format!("transitive-{vslug}");
    let mine = Sess::new(&format!("{p}/mine"), own(Some(json!("shared"))));
    let remote = Sess::new(&format!("{p}/remote"), own(None));
    let written = if variant == IdentifierVariant::Unstable {
        " The entry arrived with the unstable code; the inviter writes the stable code, which every receiver understands (B4)."
    } else {
        ""
    };
    let mut flags = vec![BugClass::SpecAmbiguity];
    if variant == IdentifierVariant::Unstable {
        flags.push(BugClass::Legacy);
    }
    g.push(spec("passed-on", &["R13", "R14"], &format!(
            "The inviter holds one shareable session and earlier received a not-shared entry for a session it never had. The reference passes the entry on, so the chain of invitees keeps the reason (matrix-rust-sdk, test_transitive_history_share_with_withhelds). The spec does not require it, so leaving it out is also acceptable.{written}"
        ), &flags), Verdict::Acceptable, json!({"store": store(&[&mine]), "received_withheld": [remote.received(code)]}), bundle(&[&mine], &[&remote])).also_acceptable = vec![bundle(&[&mine], &[])];
    let now_shared = Sess::new(&format!("{p}/now-shared"), from_bundle());
    g.push(
        spec(
            "now-shareable",
            &["R14", "R12"],
            "The inviter earlier received a not-shared entry for a session it has since obtained as a shareable key (from a later bundle). The key is shared, and the old entry must not be passed on beside it: no session may be in both arrays (R14). (matrix-rust-sdk does not dedupe here.)",
            &[],
        ),
        Verdict::Valid,
        json!({"store": store(&[&now_shared]), "received_withheld": [now_shared.received(code)]}),
        bundle(&[&now_shared], &[]),
    );
    if variant == IdentifierVariant::Stable {
        let also_mine = Sess::new(
            &format!("{p}/also-mine"),
            room_key(flag(Some(SHARED_HISTORY), json!(false))),
        );
        g.push(
            spec(
                "already-withheld",
                &["R13"],
                "The inviter holds a non-shareable session and also received a not-shared entry for it. The reference lists it once. matrix-rust-sdk lists it twice (once from its store, once passed on); a duplicate entry breaks no rule, so that is also acceptable.",
                &[BugClass::EdgeCase],
            ),
            Verdict::Acceptable,
            json!({"store": store(&[&also_mine]), "received_withheld": [also_mine.received(code)]}),
            bundle(&[], &[&also_mine]),
        ).also_acceptable = vec![bundle(&[], &[&also_mine, &also_mine])];
        g.push(
            spec(
                "only-received",
                &["R13"],
                "The inviter holds no session of the room, only a received not-shared entry. The reference sends a bundle with just that entry; sending nothing is also acceptable (nothing requires passing entries on).",
                &[BugClass::SpecAmbiguity, BugClass::EdgeCase],
            ),
            Verdict::Acceptable,
            json!({"store": [], "received_withheld": [remote.received(code)]}),
            bundle(&[], &[&remote]),
        ).also_acceptable = vec![nothing()];
    }
    g
}
