//! `import-decision/unstable.json`: the unstable spellings, end to end.

use super::*;

pub(super) fn unstable() -> GeneratedFile {
    let mut f = file(
        CAT,
        "unstable",
        "Pre-stable identifiers still import (rust-sdk and js-sdk accept both).",
        module_path!(),
    );
    let mut g = new_group(
        "unstable",
        "The MSC's unstable event type and withheld code.",
        IdentifierVariant::Unstable,
    );
    let mut a = Add { g: &mut g };
    let k = key("unstable", 0);
    let mut s = baseline(bundle(
        &[&k],
        &[withheld_entry(
            "unstable-w",
            ROOM,
            HISTORY_NOT_SHARED_UNSTABLE,
        )],
    ));
    s.event_type = ROOM_KEY_BUNDLE_UNSTABLE;
    a.case(
        spec(
            "unstable-event-type-and-code",
            &["R34", "R45"],
            "io.element.msc4268.room_key_bundle is handled like m.room_key_bundle; the unstable withheld code is recorded as m.history_not_shared.",
            &[BugClass::Legacy],
        ),
        Verdict::Valid,
        &s,
        imported(vec![k.imported(ALICE)], vec![withheld_recorded("unstable-w")], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    f
}
