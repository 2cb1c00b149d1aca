//! `import-decision/json-text.json`: the bundle event's Olm plaintext as literal JSON text, with a
//! content member named twice (`room_id`, `file.hashes.sha256`), end to end (R33, R38;
//! decision S20). Only implementations that declare the `json-text` capability run these.

use super::*;
use crate::json_text::string_member_twice;

/// A hash no served ciphertext has (32 bytes of a label, unpadded base64).
fn wrong_sha256() -> String {
    b64::encode(material::seed("import-decision/json-text/wrong-sha256"))
}

pub(super) fn json_text() -> GeneratedFile {
    let mut f = file(
        CAT,
        "json-text",
        "The bundle event's Olm plaintext as literal JSON text with a content member named twice (R33, R38, S20). RFC 8259 §4 leaves duplicate names unpredictable; each case accepts the outcome of either reading, or discarding the event, and catches a receiver that checks one copy and acts on the other.",
        module_path!(),
    );
    let mut g = new_group(
        "duplicate-members",
        "`content.room_id` or `content.file.hashes.sha256` written twice in the Olm plaintext.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("json-text", 0);
    let imports = || imported(vec![k.imported(ALICE)], vec![], vec![], vec![]);
    let discarded = not_imported("discarded", "R31");

    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_text_edit = Some(|t| string_member_twice(t, "room_id", OTHER_ROOM, true));
    a.acceptable(
        spec(
            "room-id-twice-other-room-first",
            &["R33"],
            "`content.room_id` is written twice: another room, then the room Bob was invited to by Alice. Reading the invited room, the bundle is imported; reading the other room, it names no room Bob accepted an invite to, so it is kept for later (R33). Keys must never be imported for the other room, and a receiver must not check one room and import for the other.",
            &[BugClass::SpecAmbiguity, BugClass::KeyPlanting],
        ),
        &s,
        imports(),
        vec![not_imported("deferred", "R33"), discarded.clone()],
    );
    s.plaintext_text_edit = Some(|t| string_member_twice(t, "room_id", OTHER_ROOM, false));
    a.acceptable(
        spec(
            "room-id-twice-other-room-last",
            &["R33"],
            "`content.room_id` is written twice: the invited room, then another room. The reference (serde_json: the last value) keeps the bundle for later as one for a room without an accepted invite (R33); the first value's reading imports it for the invited room.",
            &[BugClass::SpecAmbiguity, BugClass::KeyPlanting],
        ),
        &s,
        not_imported("deferred", "R33"),
        vec![imports(), discarded.clone()],
    );

    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_text_edit = Some(|t| string_member_twice(t, "sha256", &wrong_sha256(), true));
    a.acceptable(
        spec(
            "sha256-twice-wrong-first",
            &["R38"],
            "`content.file.hashes.sha256` is written twice: a hash the served ciphertext does not have, then its real hash. Reading the real hash, the bundle is imported; reading the wrong one, the download fails the hash check (R38). A receiver must not report the hash check passed on one copy and fail it on the other, nor import after a failed check.",
            &[BugClass::SpecAmbiguity, BugClass::Malleability],
        ),
        &s,
        imports(),
        vec![not_imported("rejected", "R38"), discarded.clone()],
    );
    s.plaintext_text_edit = Some(|t| string_member_twice(t, "sha256", &wrong_sha256(), false));
    a.acceptable(
        spec(
            "sha256-twice-wrong-last",
            &["R38"],
            "`content.file.hashes.sha256` is written twice: the real hash, then a wrong one. The reference (the last value) fails the hash check (R38); the first value's reading imports the bundle.",
            &[BugClass::SpecAmbiguity, BugClass::Malleability],
        ),
        &s,
        not_imported("rejected", "R38"),
        vec![imports(), discarded],
    );
    f.file.groups.push(g.finish());
    f
}
