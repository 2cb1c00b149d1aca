//! `to-device-content/room-id-length.json`: a room ID at the 255-byte limit of the appendix
//! (R46, R23). Added for mutation testing of the reference (issue 17): without these cases the corpus
//! did not notice a reference that refused a room ID of exactly 255 bytes.

use super::*;

/// A `!localpart:hs1.test` room ID of exactly `len` bytes.
fn room_id_of_len(len: usize) -> String {
    let server = ":hs1.test";
    let localpart = "r".repeat(len - 1 - server.len());
    format!("!{localpart}{server}")
}

pub(super) fn room_id_length() -> GeneratedFile {
    let file = bundle_file();
    let content = json!({"room_id": ROOM, "file": file});
    let mut g = GroupBuilder::new(
        CATEGORY,
        "room-id-length",
        "R46: \"Combined, the localpart, domain, and `!` sigil MUST NOT exceed 255 bytes.\"",
        IdentifierVariant::Stable,
    );
    let at_limit = room_id_of_len(255);
    g.valid(
        spec(
            "room-id-255-bytes",
            &["R46", "R23"],
            "A room ID of exactly 255 bytes (sigil, localpart and server name): at the limit, so it is a room ID.",
            &[BugClass::EdgeCase],
        ),
        input(ROOM_KEY_BUNDLE, with(&content, "/room_id", json!(at_limit))),
        accepted(&at_limit, "stable", &file),
    );
    g.invalid(
        spec(
            "room-id-256-bytes",
            &["R46", "R23"],
            "A room ID of 256 bytes: one byte over the limit the appendix sets, so it is not a room ID.",
            &[BugClass::SchemaViolation],
        ),
        input(
            ROOM_KEY_BUNDLE,
            with(&content, "/room_id", json!(room_id_of_len(256))),
        ),
        rejected("R46", "/content/room_id"),
    );
    g.acceptable(
        spec(
            "room-id-sigil-only",
            &["R46", "R23"],
            "`!` alone. Room IDs take the form `!opaque_id` and no room version makes an empty one (a v12 room ID is the create event's hash), but no text says in so many words that the opaque ID is not empty. The reference rejects it; accepting it is also acceptable.",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        input(ROOM_KEY_BUNDLE, with(&content, "/room_id", json!("!"))),
        rejected("R46", "/content/room_id"),
        vec![accepted("!", "stable", &file)],
    );
    new_file(
        CATEGORY,
        module_path!(),
        "room-id-length",
        "R46, R23: the room ID's length: at and one past the 255-byte limit, and the sigil alone.",
        vec![g],
    )
}
