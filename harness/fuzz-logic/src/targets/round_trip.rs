//! `round_trip`: an inviter's store ([`BuildScenario`], built by [`arbitrary`]) →
//! [`build::build`] → serialize → [`attachment::encrypt_with`] → [`attachment::decrypt_json`] →
//! [`bundle::parse`].
//!
//! Invariants:
//! * build → encrypt → decrypt → parse is the identity: the decrypted bytes are the serialized
//!   bundle, and parsing them gives exactly the entries the built JSON holds, nothing skipped;
//!   writing the parsed model back ([`crate::bundle_write`]) and parsing again changes nothing;
//! * the reference builder passes the reference auditor ([`build::audit`]);
//! * `room_keys` holds exactly the shareable sessions of the room (shareability decided here by an
//!   independent reading of the flag rules), at their stored index; `withheld` lists every other
//!   session of the room; no session is in both arrays or listed twice (R12–R14);
//! * the builder fails only on an inconsistent store, and sends nothing only when the room's
//!   visibility opts out or there is nothing to say (R11).

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use msc4268_model::attachment;
use msc4268_model::policy::build;
use msc4268_model::wire::bundle;
use msc4268_protocol::cases::{BuildInput, BuildOperation, InviterSession, SessionOrigin};
use msc4268_protocol::identifiers::{HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, MEGOLM_V1};
use serde_json::{Map, Value, json};

use super::scenario::creator;
pub use super::scenario::{RoomChoice, SessionRef};
use crate::{Finding, bundle_write, ensure};

/// Target name.
pub const NAME: &str = "round_trip";

/// A `history_visibility` value.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum VisibilityChoice {
    Absent,
    Shared,
    WorldReadable,
    Joined,
    Invited,
    Custom,
    NotAString,
}

impl VisibilityChoice {
    /// The JSON value, `None` when absent.
    pub fn value(self) -> Option<Value> {
        match self {
            VisibilityChoice::Absent => None,
            VisibilityChoice::Shared => Some(json!("shared")),
            VisibilityChoice::WorldReadable => Some(json!("world_readable")),
            VisibilityChoice::Joined => Some(json!("joined")),
            VisibilityChoice::Invited => Some(json!("invited")),
            VisibilityChoice::Custom => Some(json!("org.example.custom")),
            VisibilityChoice::NotAString => Some(json!(5)),
        }
    }

    /// Whether a session created under this visibility is shareable (absent and unknown strings
    /// count as `shared`; non-strings fail safe).
    pub fn shareable_at_creation(self) -> bool {
        !matches!(
            self,
            VisibilityChoice::Joined | VisibilityChoice::Invited | VisibilityChoice::NotAString
        )
    }

    /// Whether the room's current visibility lets the inviter send nothing (R11).
    pub fn opts_out(self) -> bool {
        matches!(self, VisibilityChoice::Joined | VisibilityChoice::Invited)
    }
}

/// A flag member's value.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum FlagValue {
    True,
    False,
    StringTrue,
    One,
    Null,
}

/// The flag members of a structure, each spelling present or not.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct FlagChoice {
    pub stable: Option<FlagValue>,
    pub unstable: Option<FlagValue>,
    pub interop: Option<FlagValue>,
}

impl FlagChoice {
    /// The members as JSON.
    pub fn members(self) -> Map<String, Value> {
        let mut m = Map::new();
        for (name, v) in [
            ("shared_history", self.stable),
            ("org.matrix.msc3061.shared_history", self.unstable),
            ("m.shared_history", self.interop),
        ] {
            if let Some(v) = v {
                let value = match v {
                    FlagValue::True => json!(true),
                    FlagValue::False => json!(false),
                    FlagValue::StringTrue => json!("true"),
                    FlagValue::One => json!(1),
                    FlagValue::Null => Value::Null,
                };
                m.insert(name.into(), value);
            }
        }
        m.insert("session_id".into(), json!("ignored"));
        m
    }

    /// The first present spelling decides, and only the boolean `true` shares.
    pub fn shareable(self) -> bool {
        self.stable.or(self.unstable).or(self.interop) == Some(FlagValue::True)
    }
}

/// How the inviter got a session.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum OriginChoice {
    Own(VisibilityChoice),
    RoomKey(FlagChoice),
    KeyBackup(FlagChoice),
    KeyExport(FlagChoice),
    Bundle,
    Forwarded(FlagChoice),
}

impl OriginChoice {
    /// The origin.
    pub fn origin(self) -> SessionOrigin {
        match self {
            OriginChoice::Own(v) => SessionOrigin::Own {
                visibility_at_creation: v.value(),
            },
            OriginChoice::RoomKey(f) => SessionOrigin::RoomKey {
                content: f.members(),
            },
            OriginChoice::KeyBackup(f) => SessionOrigin::KeyBackup {
                session_data: f.members(),
            },
            OriginChoice::KeyExport(f) => SessionOrigin::KeyExport {
                session_data: f.members(),
            },
            OriginChoice::Bundle => SessionOrigin::RoomKeyBundle {
                forwarder: "@carol:hs1.test".into(),
            },
            OriginChoice::Forwarded(f) => SessionOrigin::ForwardedRoomKey {
                content: f.members(),
            },
        }
    }

    /// Whether a session of this origin may be shared (independent of `policy::flag`).
    pub fn shareable(self) -> bool {
        match self {
            OriginChoice::Own(v) => v.shareable_at_creation(),
            OriginChoice::RoomKey(f) | OriginChoice::KeyBackup(f) | OriginChoice::KeyExport(f) => {
                f.shareable()
            }
            OriginChoice::Bundle => true,
            OriginChoice::Forwarded(_) => false,
        }
    }
}

/// A session in the inviter's store.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct InviterEntry {
    pub session: SessionRef,
    pub room: RoomChoice,
    pub origin: OriginChoice,
    /// Store another session's key under this session's ID (an inconsistent store).
    pub corrupt: bool,
}

impl InviterEntry {
    /// The stored session.
    pub fn session(&self) -> InviterSession {
        let s = self.session;
        let key = if self.corrupt {
            SessionRef {
                session: s.session.wrapping_add(1),
                index: s.index,
            }
            .key()
        } else {
            s.key()
        };
        let c = creator();
        InviterSession {
            room_id: self.room.id().to_owned(),
            session_id: s.session_id(),
            session_key: key.to_base64(),
            sender_key: c.curve25519.clone(),
            sender_claimed_ed25519: c.ed25519.clone(),
            origin: self.origin.origin(),
        }
    }
}

/// An `m.history_not_shared` entry the inviter itself received.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct ReceivedWithheld {
    pub session: SessionRef,
    pub room: RoomChoice,
    pub unstable_code: bool,
    /// Another code (`m.unverified`): not passed on.
    pub other_code: bool,
    /// A `sender_key` that is not a key: too malformed to pass on.
    pub bad_sender_key: bool,
}

impl ReceivedWithheld {
    /// The entry's JSON.
    pub fn json(&self) -> Value {
        let code = if self.other_code {
            "m.unverified"
        } else if self.unstable_code {
            HISTORY_NOT_SHARED_UNSTABLE
        } else {
            HISTORY_NOT_SHARED
        };
        json!({
            "algorithm": MEGOLM_V1, "code": code, "room_id": self.room.id(),
            "session_id": self.session.session_id(),
            "sender_key": if self.bad_sender_key { "nope".to_owned() } else { creator().curve25519.clone() },
            "from_device": "CAROLDEV",
        })
    }

    /// Whether the builder may pass it on.
    pub fn passable(&self) -> bool {
        self.room == RoomChoice::History && !self.other_code && !self.bad_sender_key
    }
}

/// One inviter's store and room.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct BuildScenario {
    /// The room's current visibility.
    pub visibility: VisibilityChoice,
    /// The store; a session appears at most once per room (later duplicates are dropped).
    pub store: Vec<InviterEntry>,
    pub received_withheld: Vec<ReceivedWithheld>,
    pub key: [u8; 32],
    pub iv: [u8; 16],
}

impl BuildScenario {
    /// The store without duplicate sessions.
    pub fn store_entries(&self) -> Vec<InviterEntry> {
        let mut seen = BTreeSet::new();
        self.store
            .iter()
            .filter(|e| seen.insert((e.room, e.session.label())))
            .copied()
            .collect()
    }

    /// The `bundle-building` input.
    pub fn input(&self) -> BuildInput {
        BuildInput {
            operation: BuildOperation::Build,
            room_id: super::scenario::ROOM.to_owned(),
            inviter_user_id: "@alice:hs1.test".into(),
            inviter_device_id: "ALICEDEV".into(),
            history_visibility: self.visibility.value(),
            store: self
                .store_entries()
                .iter()
                .map(InviterEntry::session)
                .collect(),
            received_withheld: self
                .received_withheld
                .iter()
                .map(ReceivedWithheld::json)
                .collect(),
            candidate: None,
        }
    }
}

/// Checks the round trip on a store built from `data`.
pub fn run(data: &[u8]) -> Result<(), Finding> {
    let mut u = Unstructured::new(data);
    let Ok(scenario) = BuildScenario::arbitrary(&mut u) else {
        return Ok(());
    };
    check(&scenario).map(|_| ())
}

/// Builds, checks the builder's invariants, and runs the round trip; returns the built bundle.
pub fn check(scenario: &BuildScenario) -> Result<Option<Value>, Finding> {
    let input = build::BuildRequest::from(&scenario.input());
    let entries = scenario.store_entries();
    let in_room: Vec<&InviterEntry> = entries
        .iter()
        .filter(|e| e.room == RoomChoice::History)
        .collect();
    let built = match build::build(&input) {
        Ok(b) => b,
        Err(v) => {
            return ensure(
                in_room.iter().any(|e| e.corrupt),
                NAME,
                "the builder fails only on an inconsistent store",
                || v.to_string(),
            )
            .map(|_| None);
        }
    };
    ensure(
        !in_room.iter().any(|e| e.corrupt) || scenario.visibility.opts_out(),
        NAME,
        "an inconsistent store is refused",
        || format!("{built:?}"),
    )?;
    let Some(bundle_json) = built else {
        return ensure(
            scenario.visibility.opts_out()
                || (in_room.is_empty() && !scenario.received_withheld.iter().any(|w| w.passable())),
            NAME,
            "R11: nothing is sent only when visibility opts out or nothing is to be said",
            || format!("{scenario:?}"),
        )
        .map(|_| None);
    };
    ensure(
        !scenario.visibility.opts_out(),
        NAME,
        "R11: the reference sends nothing when visibility opts out",
        || format!("{bundle_json}"),
    )?;
    build::audit(&input, &bundle_json)
        .map_err(|v| Finding::new(NAME, "the reference builder passes the auditor", v))?;

    let parsed = bundle::parse_value(&bundle_json)
        .map_err(|v| Finding::new(NAME, "a built bundle parses", v))?;
    ensure(
        parsed.skipped.is_empty() && parsed.missing_arrays.is_empty(),
        NAME,
        "a built bundle is fully well-formed",
        || format!("{parsed:?}"),
    )?;
    check_arrays(&in_room, &parsed)?;

    // build -> serialize -> encrypt -> decrypt -> parse.
    let bytes = bundle_json.to_string().into_bytes();
    let (file, ciphertext) = attachment::encrypt_with(
        scenario.key,
        scenario.iv,
        &bytes,
        "mxc://hs1.test/roundtrip",
    );
    let plaintext =
        attachment::decrypt_json(&file.to_json(), &ciphertext, attachment::DEFAULT_MAX_SIZE)
            .map_err(|v| Finding::new(NAME, "our own encryption decrypts", v))?;
    ensure(
        plaintext == bytes,
        NAME,
        "decrypt . encrypt is the identity",
        || format!("{} bytes in, {} out", bytes.len(), plaintext.len()),
    )?;
    let reparsed = bundle::parse(&plaintext)
        .map_err(|v| Finding::new(NAME, "the decrypted bundle parses", v))?;
    ensure(
        reparsed == parsed,
        NAME,
        "parse . decrypt . encrypt . serialize = parse",
        || format!("{parsed:?}\n!=\n{reparsed:?}"),
    )?;
    let written = bundle_write::to_bytes(&reparsed);
    let again =
        bundle::parse(&written).map_err(|v| Finding::new(NAME, "a written bundle parses", v))?;
    ensure(
        again == reparsed,
        NAME,
        "parse . serialize . parse = parse on a built bundle",
        || format!("{reparsed:?}\n!=\n{again:?}"),
    )?;
    Ok(Some(bundle_json))
}

fn check_arrays(in_room: &[&InviterEntry], parsed: &bundle::RoomKeyBundle) -> Result<(), Finding> {
    let keys: Vec<(String, u32)> = parsed
        .room_keys
        .iter()
        .map(|e| (e.value.session_id.clone(), e.value.session_key.index))
        .collect();
    let key_ids: BTreeSet<&str> = keys.iter().map(|(s, _)| s.as_str()).collect();
    ensure(
        key_ids.len() == keys.len(),
        NAME,
        "R14: no session listed twice in room_keys",
        || format!("{keys:?}"),
    )?;
    let want: BTreeSet<(String, u32)> = in_room
        .iter()
        .filter(|e| e.origin.shareable())
        .map(|e| (e.session.session_id(), e.session.index()))
        .collect();
    let got: BTreeSet<(String, u32)> = keys.iter().cloned().collect();
    ensure(
        got == want,
        NAME,
        "R12: room_keys holds exactly the shareable sessions of the room",
        || format!("want {want:?}, got {got:?}"),
    )?;
    for e in &parsed.room_keys {
        ensure(
            e.value.room_id == super::scenario::ROOM,
            NAME,
            "R12: room_keys only for the room",
            || e.value.room_id.clone(),
        )?;
    }
    let withheld: Vec<&str> = parsed
        .withheld
        .iter()
        .filter_map(|w| w.value.session_id.as_deref())
        .collect();
    let withheld_set: BTreeSet<&str> = withheld.iter().copied().collect();
    ensure(
        withheld_set.len() == withheld.len(),
        NAME,
        "no session listed twice in withheld",
        || format!("{withheld:?}"),
    )?;
    ensure(
        key_ids.is_disjoint(&withheld_set),
        NAME,
        "R14: never in both arrays",
        || format!("{key_ids:?} / {withheld_set:?}"),
    )?;
    for e in in_room.iter().filter(|e| !e.origin.shareable()) {
        let sid = e.session.session_id();
        ensure(
            withheld_set.contains(sid.as_str()),
            NAME,
            "R13: every unshareable session of the room is withheld",
            || sid.clone(),
        )?;
    }
    Ok(())
}
