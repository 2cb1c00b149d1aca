//! `RoomKeyBundle`, `HistoricRoomKey` and bundle `withheld` entries: the decrypted bundle file.
//!
//! Reference decisions (see `fixtures/rules.json`):
//! * The plaintext must be UTF-8 JSON whose top level is an object (B1). `room_keys` and `withheld`,
//!   when present, must be arrays (B1); a missing array is read as empty (D3: the spec schema does
//!   not require them, although senders must write both).
//! * A malformed *entry* is skipped on its own and reported (S1); the rest of the bundle stands.
//!   Rejecting the whole bundle instead is also safe, and fixtures accept it.
//! * Unknown members are tolerated everywhere.

use serde_json::{Map, Value};

use crate::b64;
use crate::error::Violation;
use crate::identifiers::{self, IdentifierVariant};
use crate::json::{self, pointer};
use crate::megolm::ExportedSessionKey;

/// One `room_keys` entry: a Megolm session the bundle's sender shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricRoomKey {
    /// Always `m.megolm.v1.aes-sha2` once parsed (B3).
    pub algorithm: String,
    /// Room the session belongs to, as claimed.
    pub room_id: String,
    /// Curve25519 key of the session's creator, as claimed by the bundle's sender (R44).
    pub sender_key: String,
    /// Ed25519 key of the session's creator, as claimed by the bundle's sender (R44).
    pub sender_claimed_ed25519: String,
    /// Session ID; equals `session_key.session_id()` (B2).
    pub session_id: String,
    /// The export-format key.
    pub session_key: ExportedSessionKey,
}

/// A withheld code, with the spelling seen for codes this suite knows in several spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithheldCode {
    /// `m.history_not_shared` or its unstable spelling (B4).
    HistoryNotShared(IdentifierVariant),
    /// `m.no_olm`: `room_id` and `session_id` are optional.
    NoOlm,
    /// Any other code, kept as written (`m.blacklisted`, `m.unverified`, custom codes, ...).
    Other(String),
}

impl WithheldCode {
    /// Classifies a code string.
    pub fn from_code(code: &str) -> Self {
        match code {
            identifiers::HISTORY_NOT_SHARED => {
                WithheldCode::HistoryNotShared(IdentifierVariant::Stable)
            }
            identifiers::HISTORY_NOT_SHARED_UNSTABLE => {
                WithheldCode::HistoryNotShared(IdentifierVariant::Unstable)
            }
            "m.no_olm" => WithheldCode::NoOlm,
            other => WithheldCode::Other(other.to_owned()),
        }
    }

    /// The code in its stable spelling.
    pub fn as_stable(&self) -> &str {
        match self {
            WithheldCode::HistoryNotShared(_) => identifiers::HISTORY_NOT_SHARED,
            WithheldCode::NoOlm => "m.no_olm",
            WithheldCode::Other(s) => s,
        }
    }

    /// The spelling seen, for codes with several.
    pub fn variant(&self) -> Option<IdentifierVariant> {
        match self {
            WithheldCode::HistoryNotShared(v) => Some(*v),
            _ => None,
        }
    }
}

/// One `withheld` entry (the content format of `m.room_key.withheld`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomKeyWithheld {
    /// Algorithm of the withheld session.
    pub algorithm: String,
    /// Room; absent only for `m.no_olm`.
    pub room_id: Option<String>,
    /// Session; absent only for `m.no_olm`.
    pub session_id: Option<String>,
    /// Curve25519 key of the session's creator.
    pub sender_key: String,
    /// Why it was withheld.
    pub code: WithheldCode,
    /// Human-readable reason, if any.
    pub reason: Option<String>,
}

/// A parsed entry and where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<T> {
    /// JSON pointer of the entry, e.g. `/room_keys/3`.
    pub source: String,
    /// The entry.
    pub value: T,
}

/// A parsed bundle.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoomKeyBundle {
    /// Well-formed `room_keys` entries.
    pub room_keys: Vec<Entry<HistoricRoomKey>>,
    /// Well-formed `withheld` entries.
    pub withheld: Vec<Entry<RoomKeyWithheld>>,
    /// Entries skipped on their own, with the rule they break.
    pub skipped: Vec<(String, Violation)>,
    /// Top-level arrays that were missing (read as empty; D3).
    pub missing_arrays: Vec<&'static str>,
}

/// Parses decrypted bundle bytes.
///
/// A well-formed bundle is read one entry at a time ([`stream`]): only one entry is ever held as
/// a JSON value, so memory stays near the size of the result. Anything else (not JSON, not an
/// object, an array member that is not an array, a repeated `room_keys` or `withheld`) is read
/// again as a whole by [`parse_value`], which gives the exact error; both paths give the same
/// result for every input.
pub fn parse(bytes: &[u8]) -> Result<RoomKeyBundle, Violation> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Violation::new("B1", "", format!("bundle plaintext is not UTF-8: {e}")))?;
    if let Some(bundle) = stream::parse(text) {
        return Ok(bundle);
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Violation::new("B1", "", format!("bundle plaintext is not JSON: {e}")))?;
    parse_value(&value)
}

/// The streaming reader behind [`parse`]: a serde visitor over the top-level object that hands
/// each array element, as a JSON value of its own, to [`parse_room_key`] or [`parse_withheld`].
mod stream {
    use std::fmt;

    use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
    use serde_json::Value;

    use super::{Entry, RoomKeyBundle, parse_room_key, parse_withheld};
    use crate::error::Violation;
    use crate::json::pointer;

    /// What the two arrays yielded, kept apart so that the result does not depend on the order
    /// of the members in the document.
    #[derive(Default)]
    struct Arrays {
        room_keys: Option<Parsed<super::HistoricRoomKey>>,
        withheld: Option<Parsed<super::RoomKeyWithheld>>,
    }

    /// The bundle, or `None` when the document must be read as a whole to say what is wrong.
    pub(super) fn parse(text: &str) -> Option<RoomKeyBundle> {
        let mut de = serde_json::Deserializer::from_str(text);
        let arrays = de.deserialize_map(TopLevel).ok()?;
        de.end().ok()?;
        let mut bundle = RoomKeyBundle::default();
        match arrays.room_keys {
            Some((entries, skipped)) => {
                bundle.room_keys = entries;
                bundle.skipped = skipped;
            }
            None => bundle.missing_arrays.push("room_keys"),
        }
        match arrays.withheld {
            Some((entries, skipped)) => {
                bundle.withheld = entries;
                bundle.skipped.extend(skipped);
            }
            None => bundle.missing_arrays.push("withheld"),
        }
        Some(bundle)
    }

    struct TopLevel;

    impl<'de> Visitor<'de> for TopLevel {
        type Value = Arrays;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a room key bundle object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Arrays, A::Error> {
            let mut arrays = Arrays::default();
            while let Some(name) = map.next_key::<String>()? {
                match name.as_str() {
                    "room_keys" if arrays.room_keys.is_some() => {
                        return Err(A::Error::custom("repeated member"));
                    }
                    "withheld" if arrays.withheld.is_some() => {
                        return Err(A::Error::custom("repeated member"));
                    }
                    "room_keys" => {
                        arrays.room_keys = Some(map.next_value_seed(Entries {
                            name: "room_keys",
                            parse: parse_room_key,
                        })?);
                    }
                    "withheld" => {
                        arrays.withheld = Some(map.next_value_seed(Entries {
                            name: "withheld",
                            parse: parse_withheld,
                        })?);
                    }
                    // Read as a value, exactly as the whole-document path would (so that the
                    // same documents are JSON to both), then dropped.
                    _ => drop(map.next_value::<Value>()?),
                }
            }
            Ok(arrays)
        }
    }

    /// One array: each element read as a value, parsed at its JSON pointer, then dropped.
    struct Entries<T> {
        name: &'static str,
        parse: fn(&Value, &str) -> Result<T, Violation>,
    }

    /// One array's entries and the entries skipped with their violation.
    type Parsed<T> = (Vec<Entry<T>>, Vec<(String, Violation)>);

    impl<'de, T> DeserializeSeed<'de> for Entries<T> {
        type Value = Parsed<T>;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Parsed<T>, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de, T> Visitor<'de> for Entries<T> {
        type Value = Parsed<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "the `{}` array", self.name)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed<T>, A::Error> {
            let base = pointer("", self.name);
            let mut entries = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            let mut skipped = Vec::new();
            let mut i = 0usize;
            while let Some(item) = seq.next_element::<Value>()? {
                let path = pointer(&base, i);
                match (self.parse)(&item, &path) {
                    Ok(value) => entries.push(Entry {
                        source: path,
                        value,
                    }),
                    Err(v) => skipped.push((path, v)),
                }
                i += 1;
            }
            entries.shrink_to_fit();
            Ok((entries, skipped))
        }
    }
}

/// Parses a bundle already read as JSON.
pub fn parse_value(value: &Value) -> Result<RoomKeyBundle, Violation> {
    let top = json::as_object(value, "", "B1")?;
    let mut bundle = RoomKeyBundle::default();
    for (name, is_keys) in [("room_keys", true), ("withheld", false)] {
        let items = match top.get(name) {
            None => {
                bundle.missing_arrays.push(name);
                continue;
            }
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(Violation::new(
                    "B1",
                    pointer("", name),
                    format!(
                        "`{name}` must be an array, found {}",
                        json::type_name(other)
                    ),
                ));
            }
        };
        for (i, item) in items.iter().enumerate() {
            let path = pointer(&pointer("", name), i);
            if is_keys {
                match parse_room_key(item, &path) {
                    Ok(value) => bundle.room_keys.push(Entry {
                        source: path,
                        value,
                    }),
                    Err(v) => bundle.skipped.push((path, v)),
                }
            } else {
                match parse_withheld(item, &path) {
                    Ok(value) => bundle.withheld.push(Entry {
                        source: path,
                        value,
                    }),
                    Err(v) => bundle.skipped.push((path, v)),
                }
            }
        }
    }
    Ok(bundle)
}

fn key32(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    rule: &'static str,
) -> Result<String, Violation> {
    let s = json::required_str(obj, key, path, rule)?;
    b64::decode_array::<32>(s, b64::Alphabet::Standard).map_err(|e| {
        Violation::new(
            rule,
            pointer(path, key),
            format!("`{key}` is not a 32-byte unpadded base64 key: {e}"),
        )
    })?;
    Ok(s.to_owned())
}

/// Parses one `room_keys` entry at `path` (R15, B2, B3).
pub fn parse_room_key(v: &Value, path: &str) -> Result<HistoricRoomKey, Violation> {
    let obj = json::as_object(v, path, "R15")?;
    let algorithm = json::required_str(obj, "algorithm", path, "R15")?;
    if algorithm != identifiers::MEGOLM_V1 {
        return Err(Violation::new(
            "B3",
            pointer(path, "algorithm"),
            format!(
                "unsupported algorithm `{algorithm}`: only {} sessions can be imported",
                identifiers::MEGOLM_V1
            ),
        ));
    }
    let room_id = json::required_str(obj, "room_id", path, "R15")?;
    if !json::is_room_id(room_id) {
        return Err(Violation::new(
            "R46",
            pointer(path, "room_id"),
            format!("`{room_id}` is not a room ID (appendix grammar)"),
        ));
    }
    let sender_key = key32(obj, "sender_key", path, "R15")?;
    let claimed = json::required_object(obj, "sender_claimed_keys", path, "R15")?;
    let claimed_path = pointer(path, "sender_claimed_keys");
    let sender_claimed_ed25519 = key32(claimed, "ed25519", &claimed_path, "R15")?;
    // 32 bytes are not yet an Ed25519 public key: the point must decompress.
    let point = b64::decode_array::<32>(&sender_claimed_ed25519, b64::Alphabet::Standard)
        .map_err(|e| Violation::new("R15", pointer(&claimed_path, "ed25519"), e))?;
    if ed25519_dalek::VerifyingKey::from_bytes(&point).is_err() {
        return Err(Violation::new(
            "R15",
            pointer(&claimed_path, "ed25519"),
            "`sender_claimed_keys.ed25519` is not an Ed25519 public key (not a curve point)",
        ));
    }
    let session_id = json::required_str(obj, "session_id", path, "R15")?;
    let key_str = json::required_str(obj, "session_key", path, "R15")?;
    let session_key = ExportedSessionKey::from_base64(key_str)
        .map_err(|e| Violation::new("R15", pointer(path, "session_key"), e.to_string()))?;
    if session_key.session_id() != session_id {
        return Err(Violation::new(
            "B2",
            pointer(path, "session_id"),
            format!(
                "session_id `{session_id}` is not the ID of the key in session_key (`{}`)",
                session_key.session_id()
            ),
        ));
    }
    Ok(HistoricRoomKey {
        algorithm: algorithm.to_owned(),
        room_id: room_id.to_owned(),
        sender_key,
        sender_claimed_ed25519,
        session_id: session_id.to_owned(),
        session_key,
    })
}

/// Parses one `withheld` entry at `path` (R16, B4).
pub fn parse_withheld(v: &Value, path: &str) -> Result<RoomKeyWithheld, Violation> {
    let obj = json::as_object(v, path, "R16")?;
    let algorithm = json::required_str(obj, "algorithm", path, "R16")?;
    // The session creator's Curve25519 key, like a key entry's `sender_key` (R16).
    let sender_key = key32(obj, "sender_key", path, "R16")?;
    let code = WithheldCode::from_code(json::required_str(obj, "code", path, "R16")?);
    let reason = json::optional_str(obj, "reason", path, "R16")?.map(str::to_owned);
    let (room_id, session_id) = if code == WithheldCode::NoOlm {
        (
            json::optional_str(obj, "room_id", path, "R16")?,
            json::optional_str(obj, "session_id", path, "R16")?,
        )
    } else {
        (
            Some(json::required_str(obj, "room_id", path, "R16")?),
            Some(json::required_str(obj, "session_id", path, "R16")?),
        )
    };
    if let Some(r) = room_id.filter(|r| !json::is_room_id(r)) {
        return Err(Violation::new(
            "R46",
            pointer(path, "room_id"),
            format!("`{r}` is not a room ID (appendix grammar)"),
        ));
    }
    Ok(RoomKeyWithheld {
        algorithm: algorithm.to_owned(),
        room_id: room_id.map(str::to_owned),
        session_id: session_id.map(str::to_owned),
        sender_key,
        code,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::material;
    use serde_json::json;

    fn key_entry(label: &str, index: u32) -> Value {
        let k = material::megolm_session(label, index);
        json!({
            "algorithm": identifiers::MEGOLM_V1,
            "room_id": "!r:hs.test",
            "sender_key": material::curve25519_public_b64("creator"),
            "sender_claimed_keys": {"ed25519": material::ed25519_public_b64("creator")},
            "session_id": k.session_id(),
            "session_key": k.to_base64(),
        })
    }

    #[test]
    fn parses_a_well_formed_bundle_and_skips_bad_entries() {
        let mut bad = key_entry("s2", 0);
        bad["session_id"] = json!(material::megolm_session("other", 0).session_id());
        let v = json!({
            "room_keys": [key_entry("s1", 3), bad],
            "withheld": [{"algorithm": identifiers::MEGOLM_V1, "code": identifiers::HISTORY_NOT_SHARED_UNSTABLE,
                          "room_id": "!r:hs.test", "session_id": "x", "sender_key": material::curve25519_public_b64("creator")}],
        });
        let b = parse_value(&v).unwrap();
        assert_eq!(b.room_keys.len(), 1);
        assert_eq!(b.room_keys[0].value.session_key.index, 3);
        assert_eq!(b.skipped.len(), 1);
        assert_eq!(b.skipped[0].1.rule, "B2");
        assert_eq!(
            b.withheld[0].value.code.variant(),
            Some(IdentifierVariant::Unstable)
        );
    }

    /// Both readers, on the same bytes.
    fn both(
        text: &str,
    ) -> (
        Result<RoomKeyBundle, Violation>,
        Result<RoomKeyBundle, Violation>,
    ) {
        let whole = serde_json::from_str::<Value>(text)
            .map_err(|e| Violation::new("B1", "", format!("bundle plaintext is not JSON: {e}")))
            .and_then(|v| parse_value(&v));
        (parse(text.as_bytes()), whole)
    }

    #[test]
    fn streaming_and_whole_document_readers_agree() {
        let mut bad = key_entry("s2", 0);
        bad["session_id"] = json!(material::megolm_session("other", 0).session_id());
        let withheld = json!({"algorithm": identifiers::MEGOLM_V1, "code": identifiers::HISTORY_NOT_SHARED,
                              "room_id": "!r:hs.test", "session_id": "x", "sender_key": "k"});
        let keys = json!([key_entry("s1", 3), bad, 7, key_entry("s3", 0)]);
        let docs = [
            json!({"room_keys": keys, "withheld": [withheld, {"code": 1}]}).to_string(),
            format!(
                r#"{{"withheld": [{withheld}, []], "extra": {{"a": [1, 2]}}, "room_keys": {keys}}}"#
            ),
            format!(r#"{{"room_keys": {keys}}}"#),
            r#"{"withheld": []}"#.to_owned(),
            r#"{"room_keys": [], "room_keys": []}"#.to_owned(),
            r#"{"room_keys": [], "withheld": {}}"#.to_owned(),
            r#"{"room_keys": null}"#.to_owned(),
            r#"{"room_keys": [], "x": 1e400}"#.to_owned(),
            r#"{"room_keys": [{"a": 1, "a": 2}]}"#.to_owned(),
            r#"{"room_keys": [] } trailing"#.to_owned(),
            r#"{"room_keys": [1,]}"#.to_owned(),
            r#"{"room_keys": [], "dup": 1, "dup": 2}"#.to_owned(),
            "  {}  ".to_owned(),
            "[]".to_owned(),
            "\"text\"".to_owned(),
            String::new(),
        ];
        for doc in docs {
            let (streamed, whole) = both(&doc);
            assert_eq!(streamed, whole, "{doc}");
        }
    }

    #[test]
    fn structural_errors_reject_the_whole_bundle() {
        assert_eq!(parse(b"\xff").unwrap_err().rule, "B1");
        assert_eq!(parse(b"[]").unwrap_err().rule, "B1");
        assert_eq!(
            parse(br#"{"room_keys": {}}"#).unwrap_err().path,
            "/room_keys"
        );
        assert_eq!(
            parse(b"{}").unwrap().missing_arrays,
            vec!["room_keys", "withheld"]
        );
    }
}
