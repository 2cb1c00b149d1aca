//! The inviter's side: building a `RoomKeyBundle` from the inviter's store, and the suite's
//! auditor of a bundle someone else built for the same store (rules R11–R16, B1, B2; digest §1.3,
//! §2.1–§2.3; implementation notes §1.3).
//!
//! Decisions of the reference builder:
//! * If the room's *current* visibility is `joined` or `invited`, it sends nothing (R11 is a MAY;
//!   fixtures accept a bundle there too). An absent or not-understood visibility counts as
//!   `shared`, the server default (digest D7).
//! * Only sessions of the invite's room are considered. Shareable ones (see
//!   [`crate::policy::flag::origin_shareable`]) go into `room_keys` with exactly the six fields of
//!   a `HistoricRoomKey`, the stored export-format key copied as it is. Every other session of the
//!   room goes into `withheld` with code `m.history_not_shared` and `from_device` set to the
//!   inviter's device, as matrix-rust-sdk writes it.
//! * `m.history_not_shared` entries the inviter itself received for this room (either spelling)
//!   are passed on with the stable code, unless the session is now in `room_keys`: no session is
//!   ever in both arrays (R14), and none is listed twice.
//! * Both arrays are always written (receivers such as matrix-rust-sdk need both, digest D3). A
//!   bundle with both arrays empty is not sent.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::b64;
use crate::cases::{BuildInput, BuildOutcome, BuiltKey, BuiltWithheld, InviterSession};
use crate::error::Violation;
use crate::identifiers::{HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, MEGOLM_V1};
use crate::json::{as_object, is_room_id, pointer, required, required_str, type_name};
use crate::megolm::{ExportedSessionKey, RatchetOrdering};
use crate::policy::flag::origin_shareable;

/// The `reason` the reference builder writes on its `m.history_not_shared` entries (the text
/// matrix-rust-sdk uses).
pub const NOT_SHARED_REASON: &str = "The sender disabled sharing encrypted history.";

/// The withheld code for "no Olm session with the device": the only code whose entries may omit
/// `room_id` and `session_id` (R16).
pub const NO_OLM: &str = "m.no_olm";

/// The six members of a `HistoricRoomKey`, and no others (R15).
pub const HISTORIC_ROOM_KEY_FIELDS: [&str; 6] = [
    "algorithm",
    "room_id",
    "sender_claimed_keys",
    "sender_key",
    "session_id",
    "session_key",
];

/// Whether the room's current visibility lets the inviter skip sharing (R11): `joined` or
/// `invited`. Absent, unknown and non-string values count as `shared`.
pub fn current_visibility_opts_out(visibility: Option<&Value>) -> bool {
    matches!(visibility.and_then(Value::as_str), Some("joined" | "invited"))
}

/// Builds the bundle the inviter sends for `input`, or `None` if it sends nothing.
///
/// Fails only on an inconsistent store: a session of the room whose `session_key` is not an
/// export-format key for its `session_id`.
pub fn build(input: &BuildInput) -> Result<Option<Value>, Violation> {
    if current_visibility_opts_out(input.history_visibility.as_ref()) {
        return Ok(None);
    }
    let in_room: Vec<(usize, &InviterSession)> = input
        .store
        .iter()
        .enumerate()
        .filter(|(_, s)| s.room_id == input.room_id)
        .collect();
    for (i, s) in &in_room {
        check_stored_key(*i, s)?;
    }

    let mut shared = BTreeSet::new();
    let mut room_keys = Vec::new();
    for (_, s) in in_room.iter().filter(|(_, s)| origin_shareable(&s.origin)) {
        if shared.insert(s.session_id.as_str()) {
            room_keys.push(historic_room_key(s));
        }
    }

    let mut listed = BTreeSet::new();
    let mut withheld = Vec::new();
    for (_, s) in &in_room {
        if !shared.contains(s.session_id.as_str()) && listed.insert(s.session_id.clone()) {
            withheld.push(not_shared_entry(input, s));
        }
    }
    for entry in &input.received_withheld {
        if let Some((session_id, copy)) = transitive_copy(input, entry)
            && !shared.contains(session_id.as_str())
            && listed.insert(session_id)
        {
            withheld.push(copy);
        }
    }

    if room_keys.is_empty() && withheld.is_empty() {
        return Ok(None);
    }
    Ok(Some(json!({ "room_keys": room_keys, "withheld": withheld })))
}

fn check_stored_key(index: usize, s: &InviterSession) -> Result<(), Violation> {
    let path = format!("/store/{index}/session_key");
    let key = ExportedSessionKey::from_base64(&s.session_key)
        .map_err(|e| Violation::new("R15", &path, e.to_string()))?;
    if key.session_id() != s.session_id {
        return Err(Violation::new(
            "B2",
            path,
            "the stored session_key does not belong to the stored session_id",
        ));
    }
    Ok(())
}

/// The `room_keys` entry for a stored session: exactly the six `HistoricRoomKey` fields.
fn historic_room_key(s: &InviterSession) -> Value {
    json!({
        "algorithm": MEGOLM_V1,
        "room_id": s.room_id,
        "sender_key": s.sender_key,
        "sender_claimed_keys": { "ed25519": s.sender_claimed_ed25519 },
        "session_id": s.session_id,
        "session_key": s.session_key,
    })
}

/// The `withheld` entry for a stored session that is not shareable.
fn not_shared_entry(input: &BuildInput, s: &InviterSession) -> Value {
    json!({
        "algorithm": MEGOLM_V1,
        "code": HISTORY_NOT_SHARED,
        "reason": NOT_SHARED_REASON,
        "room_id": s.room_id,
        "session_id": s.session_id,
        "sender_key": s.sender_key,
        "from_device": input.inviter_device_id,
    })
}

/// A received `m.history_not_shared` entry for this room, ready to pass on (stable code), with its
/// session ID; `None` for entries of other rooms, other codes, or too malformed to pass on.
fn transitive_copy(input: &BuildInput, entry: &Value) -> Option<(String, Value)> {
    let obj = entry.as_object()?;
    let code = obj.get("code")?.as_str()?;
    if code != HISTORY_NOT_SHARED && code != HISTORY_NOT_SHARED_UNSTABLE {
        return None;
    }
    if obj.get("room_id")?.as_str()? != input.room_id {
        return None;
    }
    let session_id = obj.get("session_id")?.as_str()?.to_owned();
    if obj.get("algorithm")?.as_str()? != MEGOLM_V1 {
        return None;
    }
    obj.get("sender_key")?.as_str()?;
    let mut copy = obj.clone();
    copy.insert("code".into(), Value::String(HISTORY_NOT_SHARED.into()));
    Some((session_id, Value::Object(copy)))
}

// ---------------------------------------------------------------------------------------------
// Reading a candidate bundle

/// A `room_keys` entry, checked for R15.
#[derive(Debug, Clone)]
struct KeyEntry {
    path: String,
    room_id: String,
    session_id: String,
    sender_key: String,
    sender_ed25519: String,
    key: ExportedSessionKey,
}

/// A `withheld` entry, checked for R16.
#[derive(Debug, Clone)]
struct WithheldEntry {
    path: String,
    room_id: Option<String>,
    session_id: Option<String>,
    code: String,
}

/// The two arrays of a candidate bundle (B1).
fn arrays(candidate: &Value) -> Result<(&Vec<Value>, &Vec<Value>), Violation> {
    let obj = as_object(candidate, "", "B1")?;
    let array = |name: &str| -> Result<&Vec<Value>, Violation> {
        let v = required(obj, name, "", "B1")?;
        v.as_array().ok_or_else(|| {
            Violation::new(
                "B1",
                pointer("", name),
                format!("`{name}` must be an array, found {}", type_name(v)),
            )
        })
    };
    Ok((array("room_keys")?, array("withheld")?))
}

fn curve_or_ed_key(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    rule: &'static str,
) -> Result<String, Violation> {
    let s = required_str(obj, key, path, rule)?;
    b64::decode_array::<32>(s, b64::Alphabet::Standard).map_err(|e| {
        Violation::new(
            rule,
            pointer(path, key),
            format!("`{key}` is not a 32-byte unpadded base64 key: {e}"),
        )
    })?;
    Ok(s.to_owned())
}

/// Checks one `room_keys` item (R15): an object with exactly the six fields, each well-formed,
/// and an export-format `session_key`.
fn key_entry(item: &Value, path: &str) -> Result<KeyEntry, Violation> {
    let obj = as_object(item, path, "R15")?;
    for field in HISTORIC_ROOM_KEY_FIELDS {
        required(obj, field, path, "R15")?;
    }
    if let Some(extra) = obj
        .keys()
        .find(|k| !HISTORIC_ROOM_KEY_FIELDS.contains(&k.as_str()))
    {
        return Err(Violation::new(
            "R15",
            pointer(path, extra),
            format!("`{extra}` is not one of the six fields of a HistoricRoomKey"),
        ));
    }
    let algorithm = required_str(obj, "algorithm", path, "R15")?;
    if algorithm != MEGOLM_V1 {
        return Err(Violation::new(
            "R15",
            pointer(path, "algorithm"),
            format!("algorithm must be {MEGOLM_V1}, found {algorithm}"),
        ));
    }
    let room_id = required_str(obj, "room_id", path, "R15")?;
    if !is_room_id(room_id) {
        return Err(Violation::new(
            "R15",
            pointer(path, "room_id"),
            "room_id is not a room ID",
        ));
    }
    let sender_key = curve_or_ed_key(obj, "sender_key", path, "R15")?;
    let claimed_path = pointer(path, "sender_claimed_keys");
    let claimed = as_object(
        required(obj, "sender_claimed_keys", path, "R15")?,
        &claimed_path,
        "R15",
    )?;
    let sender_ed25519 = curve_or_ed_key(claimed, "ed25519", &claimed_path, "R15")?;
    let session_id = required_str(obj, "session_id", path, "R15")?;
    let session_key = required_str(obj, "session_key", path, "R15")?;
    let key = ExportedSessionKey::from_base64(session_key)
        .map_err(|e| Violation::new("R15", pointer(path, "session_key"), e.to_string()))?;
    Ok(KeyEntry {
        path: path.to_owned(),
        room_id: room_id.to_owned(),
        session_id: session_id.to_owned(),
        sender_key,
        sender_ed25519,
        key,
    })
}

/// Checks one `withheld` item (R16): valid `m.room_key.withheld` content.
fn withheld_entry(item: &Value, path: &str) -> Result<WithheldEntry, Violation> {
    let obj = as_object(item, path, "R16")?;
    let algorithm = required_str(obj, "algorithm", path, "R16")?;
    if algorithm != MEGOLM_V1 {
        return Err(Violation::new(
            "R16",
            pointer(path, "algorithm"),
            format!("algorithm must be {MEGOLM_V1}, found {algorithm}"),
        ));
    }
    curve_or_ed_key(obj, "sender_key", path, "R16")?;
    let code = required_str(obj, "code", path, "R16")?;
    let optional = |key: &str| -> Result<Option<String>, Violation> {
        match obj.get(key) {
            None if code == NO_OLM => Ok(None),
            _ => Ok(Some(required_str(obj, key, path, "R16")?.to_owned())),
        }
    };
    let room_id = optional("room_id")?;
    if let Some(r) = &room_id
        && !is_room_id(r)
    {
        return Err(Violation::new(
            "R16",
            pointer(path, "room_id"),
            "room_id is not a room ID",
        ));
    }
    let session_id = optional("session_id")?;
    if let Some(v) = obj.get("reason")
        && !v.is_string()
    {
        return Err(Violation::new(
            "R16",
            pointer(path, "reason"),
            format!("`reason` must be a string, found {}", type_name(v)),
        ));
    }
    Ok(WithheldEntry {
        path: path.to_owned(),
        room_id,
        session_id,
        code: code.to_owned(),
    })
}

/// Reads a candidate bundle: B1, then R15 for every key, then B2, then R16 for every entry.
fn read_bundle(candidate: &Value) -> Result<(Vec<KeyEntry>, Vec<WithheldEntry>), Violation> {
    let (keys, withheld) = arrays(candidate)?;
    let keys = keys
        .iter()
        .enumerate()
        .map(|(i, item)| key_entry(item, &format!("/room_keys/{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    for k in &keys {
        if k.key.session_id() != k.session_id {
            return Err(Violation::new(
                "B2",
                pointer(&k.path, "session_id"),
                "session_id is not the Ed25519 key inside session_key",
            ));
        }
    }
    let withheld = withheld
        .iter()
        .enumerate()
        .map(|(i, item)| withheld_entry(item, &format!("/withheld/{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((keys, withheld))
}

/// Judges `candidate`, a bundle someone built for `input`'s store. The first failing rule wins,
/// in this order: B1, R15, B2, R16, R14, R12, R13.
pub fn audit(input: &BuildInput, candidate: &Value) -> Result<(), Violation> {
    let (keys, withheld) = read_bundle(candidate)?;

    // R14: never in both arrays.
    let shared: BTreeSet<(&str, &str)> = keys
        .iter()
        .map(|k| (k.room_id.as_str(), k.session_id.as_str()))
        .collect();
    for w in &withheld {
        if let (Some(r), Some(s)) = (&w.room_id, &w.session_id)
            && shared.contains(&(r.as_str(), s.as_str()))
        {
            return Err(Violation::new(
                "R14",
                w.path.clone(),
                format!("session {s} of {r} is in both room_keys and withheld"),
            ));
        }
    }

    // R12: only shareable sessions of this room, as the store has them.
    for k in &keys {
        check_shared_key(input, k)?;
    }

    // R13: every non-shareable session of the room is listed in withheld.
    let listed: BTreeSet<(&str, &str)> = withheld
        .iter()
        .filter_map(|w| Some((w.room_id.as_deref()?, w.session_id.as_deref()?)))
        .collect();
    for (i, s) in input.store.iter().enumerate() {
        if s.room_id == input.room_id
            && !origin_shareable(&s.origin)
            && !listed.contains(&(s.room_id.as_str(), s.session_id.as_str()))
        {
            return Err(Violation::new(
                "R13",
                "/withheld",
                format!(
                    "session {} (store entry {i}) is not shareable but is not listed in withheld",
                    s.session_id
                ),
            ));
        }
    }
    Ok(())
}

fn check_shared_key(input: &BuildInput, k: &KeyEntry) -> Result<(), Violation> {
    let fail = |msg: String| Err(Violation::new("R12", k.path.clone(), msg));
    if k.room_id != input.room_id {
        return fail(format!(
            "a key for {}, not for the invite's room {}",
            k.room_id, input.room_id
        ));
    }
    let Some(stored) = input
        .store
        .iter()
        .find(|s| s.room_id == k.room_id && s.session_id == k.session_id)
    else {
        return fail(format!(
            "session {} is not a session of the inviter's store for this room",
            k.session_id
        ));
    };
    if !origin_shareable(&stored.origin) {
        return fail(format!("session {} is not shareable", k.session_id));
    }
    if stored.sender_key != k.sender_key || stored.sender_claimed_ed25519 != k.sender_ed25519 {
        return fail(format!(
            "session {} is attributed to another device than the one the store records",
            k.session_id
        ));
    }
    if let Ok(held) = ExportedSessionKey::from_base64(&stored.session_key)
        && held.compare(&k.key) == RatchetOrdering::Unconnected
    {
        return fail(format!(
            "the session_key of {} is not the stored session's ratchet",
            k.session_id
        ));
    }
    Ok(())
}

/// Summarises a bundle as the `bundle-building` outcome: each key's room, session and first known
/// index, and each withheld entry's room, session and code as written.
pub fn summarise(bundle: &Value) -> Result<BuildOutcome, Violation> {
    let (keys, withheld) = read_bundle(bundle)?;
    let room_keys = keys
        .into_iter()
        .map(|k| BuiltKey {
            room_id: k.room_id,
            session_id: k.session_id,
            first_known_index: k.key.index,
        })
        .collect();
    let withheld = withheld
        .into_iter()
        .map(|w| match (w.room_id, w.session_id) {
            (Some(room_id), Some(session_id)) => Ok(BuiltWithheld {
                room_id,
                session_id,
                code: w.code,
            }),
            _ => Err(Violation::new(
                "R16",
                w.path,
                "a bundle's withheld entry must name its room and session",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BuildOutcome::Bundle {
        room_keys,
        withheld,
    })
}
