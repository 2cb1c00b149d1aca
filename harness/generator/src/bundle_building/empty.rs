//! `bundle-building/empty.json`: an inviter with nothing to share.

use super::*;

pub(super) fn empty_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "empty",
        "Nothing to send: an inviter with no sessions of the room sends no bundle (as both SDKs do).",
        module_path!(),
    );
    let mut g = new_group(
        "empty",
        "Stores with nothing for the invite's room.",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    let empty_bundle = json!({"outcome": "bundle", "room_keys": [], "withheld": []});
    let elsewhere = Sess::new("empty/elsewhere", own(Some(json!("shared")))).in_room(OTHER_ROOM);
    let cases: [(&str, Value, &str); 3] = [
        (
            "empty-store",
            json!({"store": []}),
            "The inviter has no sessions at all. Both arrays would be empty, so the reference (like both SDKs) sends nothing; an empty bundle breaks no rule, so it is also acceptable.",
        ),
        (
            "only-other-rooms",
            json!({"store": store(&[&elsewhere])}),
            "The inviter's only session belongs to another room, so this room's bundle would be empty: nothing is sent (an empty bundle is also acceptable).",
        ),
        (
            "only-other-room-withheld",
            json!({"store": [], "received_withheld": [elsewhere.received(HISTORY_NOT_SHARED)]}),
            "The inviter's only received not-shared entry is for another room, so this room's bundle would be empty: nothing is sent (an empty bundle is also acceptable).",
        ),
    ];
    for (name, input, comment) in cases {
        g.push(
            spec(name, &["R12", "R13"], comment, &[BugClass::EdgeCase]),
            Verdict::Acceptable,
            input,
            nothing(),
        )
        .also_acceptable = vec![empty_bundle.clone()];
    }
    f.file.groups.push(g.finish());
    f
}
