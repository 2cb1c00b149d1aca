//! The documented list of known differences between the reference model and matrix-sdk-crypto.
//!
//! Each entry cites a finding (`F…`, `docs/findings.md`) or a decision of the suite (`D…` / `S…`,
//! `fixtures/rules.json`: behaviour the fixtures accept either way). A finding that a decision
//! withdrew is cited by that decision (`S13-…`, `S15-…`), its summary naming the old finding. The comparison modules only
//! call a disagreement known when the input has the property the entry names (the predicates in
//! this module), so a new kind of disagreement can never hide behind an old entry.

use msc4268_model::megolm::ExportedSessionKey;
use msc4268_protocol::identifiers::{HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, MEGOLM_V1};
use serde_json::{Map, Value};

/// One documented difference.
#[derive(Debug, PartialEq, Eq)]
pub struct KnownDifference {
    /// `F…` (a finding in `docs/findings.md`), or `D…` / `S…` (a decision in `fixtures/rules.json`),
    /// with a suffix where one decision covers several differences.
    pub id: &'static str,
    /// The differential targets it shows up in.
    pub targets: &'static [&'static str],
    /// What differs, and for which inputs.
    pub summary: &'static str,
}

const DEC: &str = crate::decrypt::NAME;
const BUN: &str = crate::bundle::NAME;
const IMP: &str = crate::import::NAME;

/// Every known difference.
pub static KNOWN: &[KnownDifference] = &[
    KnownDifference {
        id: "S1",
        targets: &[BUN, IMP],
        summary: "a room_keys/withheld entry the reference skips on its own makes the crate's RoomKeyBundle deserializer refuse the whole bundle (both acceptable)",
    },
    KnownDifference {
        id: "D3",
        targets: &[BUN, IMP],
        summary: "a bundle without `room_keys` or `withheld`: the reference reads the array as empty, the crate refuses the bundle (both acceptable)",
    },
    KnownDifference {
        id: "S3",
        targets: &[BUN, DEC, IMP],
        summary: "base64 that is not canonical unpadded standard base64 (padding, the URL-safe alphabet, non-zero trailing bits): the reference and the crate draw the line differently (fixtures accept either where the spec allows it)",
    },
    KnownDifference {
        id: "F4",
        targets: &[BUN, IMP],
        summary: "a key without a claimed Ed25519 key (`sender_claimed_keys` missing, `{}`, or without a string `ed25519`) is used by the crate",
    },
    KnownDifference {
        id: "F5",
        targets: &[BUN, IMP],
        summary: "a 43/44-character `ed25519` value that does not decode to 32 bytes panics in vodozemac 0.10: the crate side is not run on such inputs (it would abort the fuzzer)",
    },
    KnownDifference {
        id: "F6",
        targets: &[BUN, IMP],
        summary: "an export-format `session_key` with trailing bytes is accepted by the crate",
    },
    KnownDifference {
        id: "F7",
        targets: &[BUN, IMP],
        summary: "a `session_id` that is not the ID of `session_key` is accepted by the crate (it files the key under the ID of the key)",
    },
    KnownDifference {
        id: "R16-other-algorithm",
        targets: &[BUN, IMP],
        summary: "a withheld entry whose `algorithm` is not `m.megolm.v1.aes-sha2`: the reference keeps it (it imports nothing), the crate reads it as unknown content and drops it (fixtures bundle-parsing/other-algorithm/* accept both)",
    },
    KnownDifference {
        id: "S13-unknown-code",
        targets: &[BUN, IMP],
        summary: "a withheld entry with a code the crate does not know is dropped by the crate (finding F8, withdrawn: dropping it is acceptable)",
    },
    KnownDifference {
        id: "S13-no-olm",
        targets: &[BUN, IMP],
        summary: "an `m.no_olm` withheld entry is handled differently: without room and session ID the crate drops it; with them the crate keeps it (the reference keeps both; finding F9, withdrawn: dropping either is acceptable)",
    },
    KnownDifference {
        id: "F10",
        targets: &[DEC],
        summary: "an `mxc://server/` URL (empty media ID) passes ruma's MxcUri::validate, so the crate decrypts; the reference refuses (A12)",
    },
    KnownDifference {
        id: "R42-copies",
        targets: &[IMP],
        summary: "a bundle carries copies of one session whose ratchets do not connect, to each other or (the best of them) to the copy the recipient holds: the reference imports none of them, the crate imports one, or keeps the copy it holds (fixtures import-decision/merge/unconnected-copies-in-one-bundle, unconnected-copies-with-stored-copy and best-copy-not-connected-to-stored-copy accept both)",
    },
    KnownDifference {
        id: "F15",
        targets: &[DEC],
        summary: "`hashes` holds another algorithm whose value is not base64: ruma (every `hashes` value is `Base64`) refuses the file, the reference ignores unknown algorithms and decrypts (fixture file-decryption/tolerated/extra-hash-not-base64 accepts both)",
    },
    KnownDifference {
        id: "S20-not-utf8",
        targets: &[BUN],
        summary: "bytes that are not UTF-8 inside a member the receiver does not use: the reference refuses the text (B1), serde_json skips the ignored string without checking it and the crate keeps the bundle (fixture bundle-parsing/json-text/invalid-utf8-in-unknown-member accepts both; decision S20)",
    },
    KnownDifference {
        id: "F22",
        targets: &[BUN],
        summary: "the bundle's top level is a JSON array: the reference refuses it (B1), the crate's derived `Deserialize` reads `RoomKeyBundle` from an array of its fields in order (fixture bundle-parsing/not-a-bundle/top-level-array-of-the-two-arrays)",
    },
    KnownDifference {
        id: "F19",
        targets: &[BUN, IMP],
        summary: "a JSON object with a member name twice: the reference reads the last value, the crate's derived deserializers refuse (`duplicate field`) (fixture bundle-parsing/duplicate-members/withheld-code-twice accepts both)",
    },
    KnownDifference {
        id: "S15-same-session-twice",
        targets: &[IMP],
        summary: "a bundle carries one session more than once: the reference imports the best copy, the crate stores the copy listed last (finding F20, withdrawn: either copy is acceptable)",
    },
    KnownDifference {
        id: "S22-withheld-twice",
        targets: &[IMP],
        summary: "a bundle withholds one session more than once with different codes: the reference records every code, the crate one per session (the entry listed last) (fixture import-decision/withheld-twice/session-withheld-with-two-codes accepts both; decision S22)",
    },
    KnownDifference {
        id: "F11",
        targets: &[IMP],
        summary: "a sender whose trust-on-first-use identity changed is still trusted by the crate",
    },
];

/// The known difference `id` (`None` if the list has no such entry, which the caller treats as
/// a new disagreement).
pub fn known(id: &str) -> Option<&'static KnownDifference> {
    KNOWN.iter().find(|k| k.id == id)
}

/// Decodes base64 leniently (either alphabet, padded or not), as the predicates need the bytes
/// of a value whatever its spelling.
pub(crate) fn lenient_b64(s: &str) -> Option<Vec<u8>> {
    let trimmed = s.trim_end_matches('=');
    let standard: String = trimmed
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    msc4268_model::b64::decode(&standard, msc4268_model::b64::Alphabet::Standard)
        .ok()
        .or_else(|| lenient_bits(&standard))
}

/// Decodes unpadded standard base64 ignoring non-zero trailing bits.
fn lenient_bits(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)?;
        acc = (acc << 6) | u32::try_from(v).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    (s.len() % 4 != 1).then_some(out)
}

/// Whether `s` is base64 but not canonical unpadded standard base64 (S3).
pub(crate) fn non_canonical_b64(s: &str) -> bool {
    lenient_b64(s).is_some_and(|b| msc4268_model::b64::encode(b) != s)
}

/// Whether any string member of `entry` is non-canonical base64 (S3).
pub(crate) fn has_non_canonical_b64(entry: &Value) -> bool {
    match entry {
        Value::String(s) => s.len() >= 8 && non_canonical_b64(s),
        Value::Array(a) => a.iter().any(has_non_canonical_b64),
        Value::Object(o) => o.values().any(has_non_canonical_b64),
        _ => false,
    }
}

/// F5: a value vodozemac 0.10's `Ed25519PublicKey::from_base64` panics on: 43 or 44
/// characters that decode to something other than 32 bytes.
fn ed25519_value_hazard(s: &str) -> bool {
    (s.len() == 43 || s.len() == 44) && lenient_b64(s).is_some_and(|b| b.len() != 32)
}

fn ed25519_member(name: &str) -> bool {
    name == "ed25519" || name.starts_with("ed25519:")
}

/// F5: somewhere in `v` an `ed25519` (or `ed25519:…`) member holds a value vodozemac 0.10
/// panics on.
pub fn ed25519_panic_hazard(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().any(ed25519_panic_hazard),
        Value::Object(o) => o.iter().any(|(k, v)| {
            (ed25519_member(k) && v.as_str().is_some_and(ed25519_value_hazard))
                || ed25519_panic_hazard(v)
        }),
        _ => false,
    }
}

/// F5 on raw bytes, which need not be JSON: serde deserialises members as it reads them, so the
/// crate panics on such a member even when the text turns out to be broken (invalid UTF-8, a
/// syntax error) further on. Every `"ed25519…": "…"` member in the text is checked.
pub fn ed25519_panic_hazard_bytes(bytes: &[u8]) -> bool {
    const NEEDLE: &[u8] = b"\"ed25519";
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], NEEDLE).map(|i| i + from) {
        from = at + 1;
        let Some((name, after)) = string_literal(bytes, at) else {
            continue;
        };
        if !ed25519_member(&name) {
            continue;
        }
        let mut i = skip_ws(bytes, after);
        if bytes.get(i) != Some(&b':') {
            continue;
        }
        i = skip_ws(bytes, i + 1);
        if let Some((value, _)) = string_literal(bytes, i)
            && ed25519_value_hazard(&value)
        {
            return true;
        }
    }
    false
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| b" \t\r\n".contains(b)) {
        i += 1;
    }
    i
}

/// The JSON string literal starting at `bytes[at]` (a `"`), decoded, and the index after it.
fn string_literal(bytes: &[u8], at: usize) -> Option<(String, usize)> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                let s = serde_json::from_slice::<String>(&bytes[at..=i]).ok()?;
                return Some((s, i + 1));
            }
            _ => i += 1,
        }
    }
    None
}

fn obj(entry: &Value) -> Option<&Map<String, Value>> {
    entry.as_object()
}

fn str_member<'a>(entry: &'a Value, key: &str) -> Option<&'a str> {
    obj(entry)?.get(key)?.as_str()
}

/// F4: the key has no string `sender_claimed_keys.ed25519`.
pub(crate) fn lacks_claimed_ed25519(entry: &Value) -> bool {
    entry
        .get("sender_claimed_keys")
        .and_then(|c| c.get("ed25519"))
        .and_then(Value::as_str)
        .is_none()
}

/// F6: the `session_key` decodes to more than the 165 bytes of the export format.
pub(crate) fn extended_session_key(entry: &Value) -> bool {
    str_member(entry, "session_key")
        .and_then(lenient_b64)
        .is_some_and(|b| b.len() > 165)
}

/// F7: the `session_key` reads as a key whose ID is not the claimed `session_id`.
pub(crate) fn session_id_mismatch(entry: &Value) -> bool {
    let (Some(key), Some(id)) = (
        str_member(entry, "session_key"),
        str_member(entry, "session_id"),
    ) else {
        return false;
    };
    let bytes = lenient_b64(key);
    let Some(parsed) = bytes.and_then(|b| ExportedSessionKey::from_bytes(b.get(..165)?).ok())
    else {
        return false;
    };
    parsed.session_id() != id
}

/// The withheld codes matrix-sdk-crypto 0.18 knows (`WithheldCode`); others deserialise as
/// `Unknown` content.
const CRATE_CODES: &[&str] = &[
    "m.blacklisted",
    "m.unverified",
    "m.unauthorised",
    "m.unavailable",
    "m.no_olm",
    HISTORY_NOT_SHARED,
    HISTORY_NOT_SHARED_UNSTABLE,
];

/// R16: the withheld entry's `algorithm` is not Megolm v1 (or is missing).
pub(crate) fn other_algorithm(entry: &Value) -> bool {
    str_member(entry, "algorithm") != Some(MEGOLM_V1)
}

/// F8: the withheld entry's code is not one the crate knows.
pub(crate) fn unknown_code(entry: &Value) -> bool {
    str_member(entry, "code").is_some_and(|c| !CRATE_CODES.contains(&c))
}

/// F9: the withheld entry's code is `m.no_olm`.
pub(crate) fn no_olm(entry: &Value) -> bool {
    str_member(entry, "code") == Some("m.no_olm")
}

/// F15: `hashes` holds a member other than `sha256` whose value is not a base64 string.
pub(crate) fn extra_hash_not_base64(file: &Value) -> bool {
    file.get("hashes")
        .and_then(Value::as_object)
        .is_some_and(|h| {
            h.iter()
                .any(|(k, v)| k != "sha256" && v.as_str().and_then(lenient_b64).is_none())
        })
}

/// The `url` of an `EncryptedFile` is `mxc://server/` with an empty media ID (F10).
pub(crate) fn empty_media_id(file: &Value) -> bool {
    str_member(file, "url")
        .and_then(|u| u.strip_prefix("mxc://"))
        .is_some_and(|rest| {
            rest.split_once('/')
                .is_some_and(|(s, m)| !s.is_empty() && m.is_empty())
        })
}

/// F19: whether the JSON text has an object with a member name twice (anywhere).
pub fn has_duplicate_members(bytes: &[u8]) -> bool {
    serde_json::from_slice::<DuplicateCheck>(bytes).is_ok_and(|d| d.0)
}

/// Reads any JSON value, remembering whether some object repeated a member name.
struct DuplicateCheck(bool);

impl<'de> serde::Deserialize<'de> for DuplicateCheck {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DuplicateVisitor)
    }
}

struct DuplicateVisitor;

impl<'de> serde::de::Visitor<'de> for DuplicateVisitor {
    type Value = DuplicateCheck;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(DuplicateCheck(false))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(DuplicateCheck(false))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(DuplicateCheck(false))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(DuplicateCheck(false))
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(DuplicateCheck(false))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(DuplicateCheck(false))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut dup = false;
        while let Some(DuplicateCheck(d)) = a.next_element()? {
            dup |= d;
        }
        Ok(DuplicateCheck(dup))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut names = std::collections::HashSet::new();
        let mut dup = false;
        while let Some(name) = a.next_key::<String>()? {
            dup |= !names.insert(name);
            let DuplicateCheck(d) = a.next_value()?;
            dup |= d;
        }
        Ok(DuplicateCheck(dup))
    }
}
