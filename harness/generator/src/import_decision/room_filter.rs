//! `import-decision/room-filter.json`: only keys of the invited room are imported (R41).

use super::*;

pub(super) fn room_filter() -> GeneratedFile {
    let mut f = file(
        CAT,
        "room-filter",
        "Only keys and withheld entries for the bundle's room are used (R40, R45).",
        module_path!(),
    );
    let mut g = new_group(
        "rooms",
        "Entries for other rooms inside Alice's bundle.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let here = key("filter-here", 0);
    let mut there = key("filter-there", 0);
    there.room = OTHER_ROOM.into();
    a.case(
        spec(
            "key-for-another-room",
            &["R40"],
            "A key for another room rides along in the bundle: it is skipped, the room's own key is imported.",
            &[BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        &baseline(bundle(&[&here, &there], &[])),
        imported(vec![here.imported(ALICE)], vec![], vec![], vec![("/room_keys/1", "R40")]),
    );
    a.case(
        spec(
            "only-other-rooms",
            &["R40"],
            "Every key is for another room: nothing is imported.",
            &[BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        &baseline(bundle(&[&there], &[])),
        imported(vec![], vec![], vec![], vec![("/room_keys/0", "R40")]),
    );
    a.case(
        spec(
            "all-keys-for-this-room",
            &["R40"],
            "All keys are for the bundle's room and all are imported.",
            &[],
        ),
        Verdict::Valid,
        &baseline(bundle(&[&here], &[])),
        imported(vec![here.imported(ALICE)], vec![], vec![], vec![]),
    );
    a.case(
        spec(
            "withheld-for-another-room",
            &["R45"],
            "A withheld entry for another room is not recorded.",
            &[BugClass::Spoofing],
        ),
        Verdict::Invalid,
        &baseline(bundle(
            &[],
            &[
                withheld_entry("filter-w-there", OTHER_ROOM, HISTORY_NOT_SHARED),
                withheld_entry("filter-w-here", ROOM, HISTORY_NOT_SHARED),
            ],
        )),
        imported(
            vec![],
            vec![withheld_recorded("filter-w-here")],
            vec![],
            vec![("/withheld/0", "R45")],
        ),
    );
    f.file.groups.push(g.finish());
    f
}
