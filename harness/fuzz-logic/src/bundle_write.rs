//! Writing the strict bundle model ([`msc4268_model::wire::bundle::RoomKeyBundle`]) back to
//! JSON, so a parsed bundle can be parsed again (parse ∘ serialize ∘ parse).
//!
//! The writer is canonical for the model, not for the input: both arrays are always written,
//! skipped entries are gone, `session_key` is the unpadded export format, and a withheld code is
//! written in the spelling it was read in. Reading the output again must give the same entries
//! (with `source` pointers renumbered), nothing skipped and no array missing.

use msc4268_model::identifiers::{HISTORY_NOT_SHARED_UNSTABLE, IdentifierVariant};
use msc4268_model::wire::bundle::{
    Entry, HistoricRoomKey, RoomKeyBundle, RoomKeyWithheld, WithheldCode,
};
use serde_json::{Map, Value, json};

/// The JSON of one `room_keys` entry: exactly the six `HistoricRoomKey` members.
pub fn room_key_json(k: &HistoricRoomKey) -> Value {
    json!({
        "algorithm": k.algorithm,
        "room_id": k.room_id,
        "sender_key": k.sender_key,
        "sender_claimed_keys": { "ed25519": k.sender_claimed_ed25519 },
        "session_id": k.session_id,
        "session_key": k.session_key.to_base64(),
    })
}

/// A withheld code in the spelling it was read in.
pub fn written_code(code: &WithheldCode) -> &str {
    match code {
        WithheldCode::HistoryNotShared(IdentifierVariant::Unstable) => HISTORY_NOT_SHARED_UNSTABLE,
        other => other.as_stable(),
    }
}

/// The JSON of one `withheld` entry; absent optional members are left out.
pub fn withheld_json(w: &RoomKeyWithheld) -> Value {
    let mut obj = Map::new();
    obj.insert("algorithm".into(), Value::String(w.algorithm.clone()));
    obj.insert(
        "code".into(),
        Value::String(written_code(&w.code).to_owned()),
    );
    obj.insert("sender_key".into(), Value::String(w.sender_key.clone()));
    if let Some(r) = &w.room_id {
        obj.insert("room_id".into(), Value::String(r.clone()));
    }
    if let Some(s) = &w.session_id {
        obj.insert("session_id".into(), Value::String(s.clone()));
    }
    if let Some(r) = &w.reason {
        obj.insert("reason".into(), Value::String(r.clone()));
    }
    Value::Object(obj)
}

/// The bundle as JSON: both arrays, the well-formed entries in order.
pub fn to_value(bundle: &RoomKeyBundle) -> Value {
    json!({
        "room_keys": bundle.room_keys.iter().map(|e| room_key_json(&e.value)).collect::<Vec<_>>(),
        "withheld": bundle.withheld.iter().map(|e| withheld_json(&e.value)).collect::<Vec<_>>(),
    })
}

/// The bundle as compact JSON bytes.
pub fn to_bytes(bundle: &RoomKeyBundle) -> Vec<u8> {
    to_value(bundle).to_string().into_bytes()
}

/// Whether two bundles hold the same entries in the same order, ignoring where they were read
/// (`source`), what was skipped, and which arrays were missing.
pub fn same_entries(a: &RoomKeyBundle, b: &RoomKeyBundle) -> bool {
    fn values<T>(v: &[Entry<T>]) -> Vec<&T> {
        v.iter().map(|e| &e.value).collect()
    }
    values(&a.room_keys) == values(&b.room_keys) && values(&a.withheld) == values(&b.withheld)
}

#[cfg(test)]
mod tests {
    use super::*;
    use msc4268_model::wire::bundle;

    #[test]
    fn writes_what_the_parser_reads_back() {
        let k = msc4268_model::material::megolm_session("write/s1", 3);
        let text = json!({
            "room_keys": [{
                "algorithm": "m.megolm.v1.aes-sha2", "room_id": "!r:hs.test",
                "sender_key": msc4268_model::material::curve25519_public_b64("c"),
                "sender_claimed_keys": {"ed25519": msc4268_model::material::ed25519_public_b64("c")},
                "session_id": k.session_id(), "session_key": k.to_base64(), "extra": 1
            }, 5],
            "withheld": [{"algorithm": "x", "code": HISTORY_NOT_SHARED_UNSTABLE, "sender_key": msc4268_model::material::curve25519_public_b64("c"),
                          "room_id": "!r:hs.test", "session_id": "s"},
                         {"algorithm": "x", "code": "m.no_olm", "sender_key": msc4268_model::material::curve25519_public_b64("c")}]
        })
        .to_string();
        let first = bundle::parse(text.as_bytes()).unwrap();
        assert_eq!(first.skipped.len(), 1);
        let written = to_bytes(&first);
        let second = bundle::parse(&written).unwrap();
        assert!(same_entries(&first, &second));
        assert!(second.skipped.is_empty() && second.missing_arrays.is_empty());
        assert_eq!(to_bytes(&second), written);
        assert!(
            String::from_utf8(written)
                .unwrap()
                .contains(HISTORY_NOT_SHARED_UNSTABLE)
        );
    }
}
