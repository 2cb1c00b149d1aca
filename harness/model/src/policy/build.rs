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

use serde_json::{Value, json};

use crate::b64;
use crate::error::Violation;
use crate::identifiers::{
    HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, IdentifierVariant, MEGOLM_V1,
};
use crate::json::pointer;
use crate::megolm::{ExportedSessionKey, RatchetOrdering};
use crate::policy::flag::{SessionOrigin, origin_shareable};
use crate::wire::bundle::{self, Entry, HistoricRoomKey, RoomKeyBundle, WithheldCode};

/// A session in the inviter's store.
#[derive(Debug, Clone, PartialEq)]
pub struct InviterSession {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Export-format key at the first known index, as stored: checked against `session_id`, and
    /// copied into the bundle as it is.
    pub session_key: String,
    /// Curve25519 key of the session's creator.
    pub sender_key: String,
    /// Ed25519 key of the session's creator.
    pub sender_claimed_ed25519: String,
    /// How the inviter got it.
    pub origin: SessionOrigin,
}

/// What the inviter knows when it invites someone: the room, its own device, the room's
/// visibility now, and its store.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildRequest {
    /// The room the invitee is invited to.
    pub room_id: String,
    /// The inviter's device ID (written as `from_device` on withheld entries).
    pub inviter_device_id: String,
    /// The `history_visibility` value of the room's current visibility event; `None` if the room
    /// has none.
    pub history_visibility: Option<Value>,
    /// The inviter's sessions (all rooms).
    pub store: Vec<InviterSession>,
    /// `m.history_not_shared` withheld entries the inviter itself received in earlier bundles,
    /// as received.
    pub received_withheld: Vec<Value>,
}

/// A `room_keys` entry of a built bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BuiltKey {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Ratchet index of the exported key.
    pub first_known_index: u32,
}

/// A `withheld` entry of a built bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BuiltWithheld {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Code as written.
    pub code: String,
}

/// A built bundle, summarised: what it shares and what it withholds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuiltBundle {
    /// `room_keys` entries, in bundle order.
    pub room_keys: Vec<BuiltKey>,
    /// `withheld` entries, in bundle order.
    pub withheld: Vec<BuiltWithheld>,
}

/// The `reason` the reference builder writes on its `m.history_not_shared` entries (the text
/// matrix-rust-sdk uses).
pub const NOT_SHARED_REASON: &str = "The sender disabled sharing encrypted history.";

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
    matches!(
        visibility.and_then(Value::as_str),
        Some("joined" | "invited")
    )
}

/// Builds the bundle the inviter sends for `input`, or `None` if it sends nothing.
///
/// Fails only on an inconsistent store: a session of the room whose `session_key` is not an
/// export-format key for its `session_id`.
pub fn build(input: &BuildRequest) -> Result<Option<Value>, Violation> {
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
    Ok(Some(
        json!({ "room_keys": room_keys, "withheld": withheld }),
    ))
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
fn not_shared_entry(input: &BuildRequest, s: &InviterSession) -> Value {
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
fn transitive_copy(input: &BuildRequest, entry: &Value) -> Option<(String, Value)> {
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
    b64::decode_array::<32>(obj.get("sender_key")?.as_str()?, b64::Alphabet::Standard).ok()?;
    let mut copy = obj.clone();
    copy.insert("code".into(), Value::String(HISTORY_NOT_SHARED.into()));
    Some((session_id, Value::Object(copy)))
}

// ---------------------------------------------------------------------------------------------
// Reading a candidate bundle

/// Reads a candidate bundle with the strict parser ([`crate::wire::bundle`]) and turns anything a
/// receiver would merely tolerate into a violation, since a builder must write it right. Checks
/// run rule by rule, in this order: B1 (structure), B5 (both arrays present), R15 (every `room_keys`
/// item: exactly the six fields, well-formed, export-format key, Megolm v1), B2 (every item's
/// `session_id` matches its key), R16 (every `withheld` item is valid withheld content).
fn read_bundle(candidate: &Value) -> Result<RoomKeyBundle, Violation> {
    let bundle = bundle::parse_value(candidate)?;
    if let Some(name) = bundle.missing_arrays.first() {
        return Err(Violation::new(
            "B5",
            pointer("", name),
            format!("`{name}` is missing: a builder must write both arrays, even empty"),
        ));
    }
    let skipped = |prefix: &str, pred: &dyn Fn(&Violation) -> bool| {
        bundle
            .skipped
            .iter()
            .find(|(source, v)| source.starts_with(prefix) && pred(v))
            .map(|(_, v)| v.clone())
    };

    // R15, in item order: entries the parser skipped for anything but B2, and extra members.
    let raw_keys = candidate
        .get("room_keys")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, item) in raw_keys.iter().enumerate() {
        let path = pointer("/room_keys", i);
        if let Some((_, v)) = bundle.skipped.iter().find(|(source, _)| *source == path) {
            if v.rule != "B2" {
                return Err(Violation::new("R15", v.path.clone(), v.message.clone()));
            }
        } else if let Some(extra) = item.as_object().and_then(|obj| {
            obj.keys()
                .find(|k| !HISTORIC_ROOM_KEY_FIELDS.contains(&k.as_str()))
        }) {
            return Err(Violation::new(
                "R15",
                pointer(&path, extra),
                format!("`{extra}` is not one of the six fields of a HistoricRoomKey"),
            ));
        }
    }
    if let Some(v) = skipped("/room_keys/", &|v| v.rule == "B2") {
        return Err(v);
    }

    // R16: entries the parser skipped, and what a builder must get right beyond the parser.
    if let Some(v) = skipped("/withheld/", &|_| true) {
        return Err(Violation::new("R16", v.path, v.message));
    }
    for e in &bundle.withheld {
        if e.value.algorithm != MEGOLM_V1 {
            return Err(Violation::new(
                "R16",
                pointer(&e.source, "algorithm"),
                format!("algorithm must be {MEGOLM_V1}, found {}", e.value.algorithm),
            ));
        }
        if let Err(err) = b64::decode_array::<32>(&e.value.sender_key, b64::Alphabet::Standard) {
            return Err(Violation::new(
                "R16",
                pointer(&e.source, "sender_key"),
                format!("sender_key is not a 32-byte unpadded base64 key: {err}"),
            ));
        }
    }
    Ok(bundle)
}

/// Judges `candidate`, a bundle someone built for `input`'s store. The first failing rule wins,
/// in this order: B1, R15, B2, R16, R14, R12, R13.
pub fn audit(input: &BuildRequest, candidate: &Value) -> Result<(), Violation> {
    let bundle = read_bundle(candidate)?;
    let keys = &bundle.room_keys;
    let withheld = &bundle.withheld;

    // R14: never in both arrays.
    let shared: BTreeSet<(&str, &str)> = keys
        .iter()
        .map(|k| (k.value.room_id.as_str(), k.value.session_id.as_str()))
        .collect();
    for w in withheld {
        if let (Some(r), Some(s)) = (&w.value.room_id, &w.value.session_id)
            && shared.contains(&(r.as_str(), s.as_str()))
        {
            return Err(Violation::new(
                "R14",
                w.source.clone(),
                format!("session {s} of {r} is in both room_keys and withheld"),
            ));
        }
    }

    // R12: only shareable sessions of this room, as the store has them.
    for k in keys {
        check_shared_key(input, k)?;
    }

    // R13: every non-shareable session of the room is listed in withheld.
    let listed: BTreeSet<(&str, &str)> = withheld
        .iter()
        .filter_map(|w| Some((w.value.room_id.as_deref()?, w.value.session_id.as_deref()?)))
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

fn check_shared_key(input: &BuildRequest, entry: &Entry<HistoricRoomKey>) -> Result<(), Violation> {
    let k = &entry.value;
    let fail = |msg: String| Err(Violation::new("R12", entry.source.clone(), msg));
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
    if stored.sender_key != k.sender_key
        || stored.sender_claimed_ed25519 != k.sender_claimed_ed25519
    {
        return fail(format!(
            "session {} is attributed to another device than the one the store records",
            k.session_id
        ));
    }
    if let Ok(held) = ExportedSessionKey::from_base64(&stored.session_key)
        && held.compare(&k.session_key) == RatchetOrdering::Unconnected
    {
        return fail(format!(
            "the session_key of {} is not the stored session's ratchet",
            k.session_id
        ));
    }
    Ok(())
}

/// Summarises a bundle after reading it as the auditor does: each key's room, session and first known
/// index, and each withheld entry's room, session and code as written.
pub fn summarise(bundle: &Value) -> Result<BuiltBundle, Violation> {
    let bundle = read_bundle(bundle)?;
    let room_keys = bundle
        .room_keys
        .into_iter()
        .map(|e| BuiltKey {
            room_id: e.value.room_id,
            session_id: e.value.session_id,
            first_known_index: e.value.session_key.index,
        })
        .collect();
    let withheld = bundle
        .withheld
        .into_iter()
        .map(|e| match (e.value.room_id, e.value.session_id) {
            (Some(room_id), Some(session_id)) => Ok(BuiltWithheld {
                room_id,
                session_id,
                code: written_code(&e.value.code).to_owned(),
            }),
            _ => Err(Violation::new(
                "R16",
                e.source,
                "a bundle's withheld entry must name its room and session",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BuiltBundle {
        room_keys,
        withheld,
    })
}

/// A withheld code in the spelling the bundle used.
fn written_code(code: &WithheldCode) -> &str {
    match code {
        WithheldCode::HistoryNotShared(IdentifierVariant::Unstable) => HISTORY_NOT_SHARED_UNSTABLE,
        other => other.as_stable(),
    }
}
