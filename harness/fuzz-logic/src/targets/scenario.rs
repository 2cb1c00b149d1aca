//! Building blocks shared by the structured targets: rooms, people and Megolm sessions chosen by
//! the fuzzer from a small cast, with real key material derived once per process.

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use msc4268_model::material::{self, CrossSigning, Device};
use msc4268_model::megolm::ExportedSessionKey;
use serde_json::{Value, json};

/// The room of the invite and the bundle.
pub const ROOM: &str = "!history:hs1.test";
/// Another room.
pub const OTHER_ROOM: &str = "!elsewhere:hs1.test";
/// The recipient's clock.
pub const NOW: u64 = 1_790_000_000_000;
/// How many distinct Megolm sessions the fuzzer chooses from.
pub const SESSIONS: usize = 4;

/// One of two rooms.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoomChoice {
    /// [`ROOM`].
    History,
    /// [`OTHER_ROOM`].
    Elsewhere,
}

impl RoomChoice {
    /// The room ID.
    pub fn id(self) -> &'static str {
        match self {
            RoomChoice::History => ROOM,
            RoomChoice::Elsewhere => OTHER_ROOM,
        }
    }
}

/// A Megolm session of the cast and the index it is exported at.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRef {
    /// Which session (modulo [`SESSIONS`]).
    pub session: u8,
    /// Index code: `0..240` map to `0..24`; `240..=255` to `250..=295`, across a byte boundary
    /// of the ratchet.
    pub index: u8,
}

impl SessionRef {
    /// Which of the [`SESSIONS`] sessions.
    pub fn label(self) -> usize {
        usize::from(self.session) % SESSIONS
    }

    /// The ratchet index.
    pub fn index(self) -> u32 {
        match self.index {
            i @ 0..240 => u32::from(i) % 24,
            i => 250 + u32::from(i - 240) * 3,
        }
    }

    /// The position of this index among the [`INDEX_CODES`] distinct indices.
    fn slot(self) -> usize {
        match self.index {
            i @ 0..240 => usize::from(i) % 24,
            i => 24 + usize::from(i - 240),
        }
    }

    /// The session's export-format key at this index (from a table built once: advancing a
    /// ratchet by hundreds of steps per fuzz input would dominate the targets' speed).
    pub fn key(self) -> ExportedSessionKey {
        keys()[self.label()][self.slot()].clone()
    }

    /// The session ID.
    pub fn session_id(self) -> String {
        static IDS: OnceLock<[String; SESSIONS]> = OnceLock::new();
        IDS.get_or_init(|| std::array::from_fn(|i| sessions()[i].session_id()))[self.label()]
            .clone()
    }

    /// A copy with the same session ID and index whose ratchet is not the session's: what a forger
    /// who knows only the public session ID can write.
    pub fn forged_key(self) -> ExportedSessionKey {
        let mut k = self.key();
        k.ratchet[3][0] ^= 0x5a;
        k
    }
}

/// How many distinct indices [`SessionRef::index`] yields.
pub const INDEX_CODES: usize = 24 + 16;

/// Every session of the cast at every index a [`SessionRef`] can name, by slot.
fn keys() -> &'static [Vec<ExportedSessionKey>; SESSIONS] {
    static K: OnceLock<[Vec<ExportedSessionKey>; SESSIONS]> = OnceLock::new();
    K.get_or_init(|| {
        std::array::from_fn(|label| {
            let base = &sessions()[label];
            (0..=255u8)
                .filter(|i| *i < 24 || *i >= 240)
                .map(|code| {
                    let index = SessionRef {
                        session: 0,
                        index: code,
                    }
                    .index();
                    base.advanced_to(index).unwrap_or_else(|| base.clone())
                })
                .collect()
        })
    })
}

/// The cast's Megolm sessions at index 0.
pub fn sessions() -> &'static [ExportedSessionKey; SESSIONS] {
    static S: OnceLock<[ExportedSessionKey; SESSIONS]> = OnceLock::new();
    S.get_or_init(|| std::array::from_fn(|i| material::megolm_session(&format!("fuzz/s{i}"), 0)))
}

/// The device that created the sessions (its keys are the `room_keys` claims).
pub struct Creator {
    /// Curve25519 key.
    pub curve25519: String,
    /// Ed25519 key.
    pub ed25519: String,
}

/// The sessions' creator.
pub fn creator() -> &'static Creator {
    static C: OnceLock<Creator> = OnceLock::new();
    C.get_or_init(|| {
        let d = Device::new("@dave:hs1.test", "DAVEDEV");
        Creator {
            curve25519: d.curve25519(),
            ed25519: d.ed25519(),
        }
    })
}

/// A `room_keys` entry for `s` in `room`, with `key` as its `session_key`.
pub fn room_key_entry(room: &str, session_id: &str, key: &ExportedSessionKey) -> Value {
    let c = creator();
    json!({
        "algorithm": msc4268_protocol::identifiers::MEGOLM_V1,
        "room_id": room,
        "sender_key": c.curve25519,
        "sender_claimed_keys": {"ed25519": c.ed25519},
        "session_id": session_id,
        "session_key": key.to_base64(),
    })
}

/// Someone who can invite and send a bundle.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Person {
    /// `@alice:hs1.test`, device `ALICEDEV`.
    Alice,
    /// `@carol:hs1.test`, device `CAROLDEV`.
    Carol,
}

/// A person's device and identity, derived once.
pub struct Keys {
    /// The device.
    pub device: Device,
    /// Its Curve25519 key.
    pub curve25519: String,
    /// Its Ed25519 key.
    pub ed25519: String,
    /// `DeviceKeys`, self-signed and cross-signed by the `v1` identity.
    pub device_keys_cross_signed: Value,
    /// `DeviceKeys`, self-signed only.
    pub device_keys_self_signed: Value,
    /// The `v1` identity: master key and self-signing key JSON.
    pub identity_v1: (Value, Value),
    /// A reset identity (`v2`), which did not sign the device.
    pub identity_v2: (Value, Value),
}

impl Person {
    /// The user ID.
    pub fn user_id(self) -> &'static str {
        match self {
            Person::Alice => "@alice:hs1.test",
            Person::Carol => "@carol:hs1.test",
        }
    }

    /// The person's keys.
    pub fn keys(self) -> &'static Keys {
        static K: OnceLock<[Keys; 2]> = OnceLock::new();
        let all = K.get_or_init(|| {
            [Person::Alice, Person::Carol].map(|p| {
                let device_id = match p {
                    Person::Alice => "ALICEDEV",
                    Person::Carol => "CAROLDEV",
                };
                let device = Device::new(p.user_id(), device_id);
                let v1 = CrossSigning::new(p.user_id(), "v1");
                let v2 = CrossSigning::new(p.user_id(), "v2");
                Keys {
                    curve25519: device.curve25519(),
                    ed25519: device.ed25519(),
                    device_keys_cross_signed: device.device_keys(Some(&v1)),
                    device_keys_self_signed: device.device_keys(None),
                    identity_v1: (v1.master_key_json(), v1.self_signing_key_json()),
                    identity_v2: (v2.master_key_json(), v2.self_signing_key_json()),
                    device,
                }
            })
        });
        match self {
            Person::Alice => &all[0],
            Person::Carol => &all[1],
        }
    }
}
