//! `bundle-building/room-filter.json`: only sessions of the invited room are in the bundle (R15, R16).

use super::*;

pub(super) fn room_filter_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "room-filter",
        "Only sessions of the invite's room appear in the bundle, in either array (R12, R13).",
        module_path!(),
    );
    let mut g = new_group(
        "room-filter",
        "Stores that mix sessions of the invite's room with sessions of other rooms.",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    let here = Sess::new("room-filter/here", own(Some(json!("shared"))));
    let cases: [(&str, &str, &str, Value, bool, &str); 4] = [
        (
            "other-room-shareable",
            "R12",
            OTHER_ROOM,
            own(Some(json!("shared"))),
            false,
            "A shareable session of another room must not be shared: room_keys carries only sessions of the invite's room (R12).",
        ),
        (
            "other-room-not-shareable",
            "R13",
            OTHER_ROOM,
            room_key(flag(Some(SHARED_HISTORY), json!(false))),
            false,
            "A non-shareable session of another room is not this room's business: it is not listed in withheld either (R13 covers the room's own sessions).",
        ),
        (
            "same-localpart-other-server",
            "R12",
            "!history:hs2.test",
            own(Some(json!("shared"))),
            true,
            "A session of `!history:hs2.test`, a different room whose ID differs from the invite's only in the server part: room IDs are compared whole, so it is excluded.",
        ),
        (
            "room-id-differs-in-case",
            "R12",
            "!History:hs1.test",
            own(Some(json!("shared"))),
            true,
            "A session of `!History:hs1.test`: room IDs are case-sensitive, so this is another room and its session is excluded.",
        ),
    ];
    for (name, rule, room, origin, edge, comment) in cases {
        let there = Sess::new(&format!("room-filter/{name}"), origin).in_room(room);
        g.push(
            spec(
                name,
                &[rule, "R12"][..if rule == "R12" { 1 } else { 2 }],
                comment,
                if edge { &[BugClass::EdgeCase] } else { &[] },
            ),
            Verdict::Valid,
            json!({"store": store(&[&here, &there])}),
            bundle(&[&here], &[]),
        );
    }
    let there =
        Sess::new("room-filter/received-withheld-other-room", own(None)).in_room(OTHER_ROOM);
    g.push(
        spec(
            "received-withheld-other-room",
            &["R13"],
            "The inviter earlier received an m.history_not_shared entry for another room: it is not passed on in this room's bundle.",
            &[],
        ),
        Verdict::Valid,
        json!({"store": store(&[&here]), "received_withheld": [there.received(HISTORY_NOT_SHARED)]}),
        bundle(&[&here], &[]),
    );
    f.file.groups.push(g.finish());
    f
}
