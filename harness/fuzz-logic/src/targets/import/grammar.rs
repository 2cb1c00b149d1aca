//! The input grammar of `import_policy`: every choice the fuzzer makes about the sender, the
//! invite, membership, identity, the envelope, the bundle's entries, the media and the store.

use arbitrary::Arbitrary;
use msc4268_model::b64;
use msc4268_model::policy::build::HISTORIC_ROOM_KEY_FIELDS;
use msc4268_protocol::cases::{Provenance, StoredSession};
use msc4268_protocol::identifiers::{HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, MEGOLM_V1};
use serde_json::{Value, json};

use crate::targets::scenario::room_key_entry;
pub use crate::targets::scenario::{RoomChoice, SessionRef};

/// The recipient's membership now.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum MembershipChoice {
    Join,
    Invite,
    Leave,
    Ban,
    Knock,
    None,
}

/// The recipient's trust state for an identity.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum StateChoice {
    Tofu,
    Verified,
    PinViolation,
}

/// Which cross-signing identity the recipient has for the sender.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityChoice {
    /// The identity that signed the sender's device.
    Pinned(StateChoice),
    /// Another identity of the sender (a reset), which did not sign the device.
    Reset(StateChoice),
    /// None at all (X1).
    Unknown,
}

/// Who invited the recipient.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviterChoice {
    /// The bundle's sender.
    Sender,
    /// The other person of the cast.
    Other,
    /// No invite on record.
    Nobody,
}

/// When the recipient accepted the invite.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptedChoice {
    /// This many milliseconds ago (negative: in the future, a skewed clock).
    Ago(i64),
    /// Not accepted (yet).
    NotAccepted,
}

/// The inner event type.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTypeChoice {
    /// `m.room_key_bundle`.
    Stable,
    /// `io.element.msc4268.room_key_bundle`.
    Unstable,
    /// `m.room_key` (not a bundle).
    RoomKey,
    /// `m.room.key_bundle`, the spec's typo (not a bundle).
    Typo,
}

/// How the Olm plaintext carries the sender's device keys.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKeysChoice {
    /// `sender_device_keys`.
    Stable,
    /// Only the MSC4147 alias `org.matrix.msc4147.device_keys` (accepted).
    Alias,
    /// Neither (R30).
    Missing,
    /// `sender_device_keys: null` (R30).
    Null,
    /// `sender_device_keys: "..."` (R31).
    NotAnObject,
}

/// A device the recipient already knows.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownChoice {
    /// The sender's device is not known.
    Unknown,
    /// Known with the same Ed25519 key.
    Same,
    /// Known with another Ed25519 key (O8).
    Conflicting,
}

/// The Olm envelope: the baseline is valid; every `true` flag but `padded_keys` is a defect that
/// must stop the import.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Envelope {
    pub unencrypted: bool,
    pub event_type: EventTypeChoice,
    pub device_keys: DeviceKeysChoice,
    pub wrong_sender: bool,
    pub wrong_recipient: bool,
    pub wrong_recipient_key: bool,
    pub wrong_claimed_ed25519: bool,
    pub device_user_id: bool,
    pub wrong_olm_sender_key: bool,
    pub tamper_device_keys: bool,
    pub known: KnownChoice,
    /// Write `keys.ed25519` and `recipient_keys.ed25519` padded: the same keys (accepted).
    pub padded_keys: bool,
}

impl Envelope {
    /// The valid envelope.
    pub const VALID: Envelope = Envelope {
        unencrypted: false,
        event_type: EventTypeChoice::Stable,
        device_keys: DeviceKeysChoice::Stable,
        wrong_sender: false,
        wrong_recipient: false,
        wrong_recipient_key: false,
        wrong_claimed_ed25519: false,
        device_user_id: false,
        wrong_olm_sender_key: false,
        tamper_device_keys: false,
        known: KnownChoice::Unknown,
        padded_keys: false,
    };

    /// Whether every envelope and content check must pass.
    pub fn valid(&self) -> bool {
        !self.unencrypted
            && matches!(
                self.event_type,
                EventTypeChoice::Stable | EventTypeChoice::Unstable
            )
            && matches!(
                self.device_keys,
                DeviceKeysChoice::Stable | DeviceKeysChoice::Alias
            )
            && !self.wrong_sender
            && !self.wrong_recipient
            && !self.wrong_recipient_key
            && !self.wrong_claimed_ed25519
            && !self.device_user_id
            && !self.wrong_olm_sender_key
            && !self.tamper_device_keys
            && self.known != KnownChoice::Conflicting
    }
}

/// What is wrong with a `room_keys` entry, if anything.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDefect {
    /// Nothing.
    None,
    /// Same session ID and index, another ratchet: well-formed, but not the session's.
    ForgedRatchet,
    /// An extra member (tolerated by receivers).
    ExtraMember,
    /// `session_id` of another session (B2).
    WrongSessionId,
    /// `session_key` in the sharing format (R15).
    SharingFormat,
    /// `sender_key` not a key (R15).
    BadSenderKey,
    /// One of the six members missing (R15).
    MissingMember(u8),
    /// Another algorithm (B3).
    WrongAlgorithm,
    /// `room_id` not a string (R15).
    RoomIdNotString,
    /// Not an object (R15).
    NotAnObject,
}

impl KeyDefect {
    /// Whether an entry with this defect is well-formed (the parser keeps it).
    pub fn well_formed(self) -> bool {
        matches!(
            self,
            KeyDefect::None | KeyDefect::ForgedRatchet | KeyDefect::ExtraMember
        )
    }
}

/// A `room_keys` entry.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyEntry {
    /// The session and index.
    pub session: SessionRef,
    /// The room it claims.
    pub room: RoomChoice,
    /// What is wrong with it.
    pub defect: KeyDefect,
}

impl KeyEntry {
    /// The entry's JSON.
    pub fn json(&self) -> Value {
        let s = self.session;
        let key = match self.defect {
            KeyDefect::ForgedRatchet => s.forged_key(),
            _ => s.key(),
        };
        let mut v = room_key_entry(self.room.id(), &s.session_id(), &key);
        match self.defect {
            KeyDefect::None | KeyDefect::ForgedRatchet => {}
            KeyDefect::ExtraMember => v["org.example.extra"] = json!({"n": 1}),
            KeyDefect::WrongSessionId => {
                v["session_id"] = json!(
                    SessionRef {
                        session: s.session.wrapping_add(1),
                        index: 0
                    }
                    .session_id()
                )
            }
            KeyDefect::SharingFormat => {
                let mut bytes = key.to_bytes();
                bytes[0] = 2;
                v["session_key"] = json!(b64::encode(bytes));
            }
            KeyDefect::BadSenderKey => v["sender_key"] = json!("not a key"),
            KeyDefect::MissingMember(i) => {
                if let Some(obj) = v.as_object_mut() {
                    obj.remove(HISTORIC_ROOM_KEY_FIELDS[usize::from(i) % 6]);
                }
            }
            KeyDefect::WrongAlgorithm => v["algorithm"] = json!("m.megolm.v2.aes-sha2"),
            KeyDefect::RoomIdNotString => v["room_id"] = json!(["!history:hs1.test"]),
            KeyDefect::NotAnObject => v = json!(s.session_id()),
        }
        v
    }
}

/// A withheld code.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum CodeChoice {
    Stable,
    Unstable,
    NoOlm,
    Unverified,
}

/// A `withheld` entry.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct WithheldEntry {
    pub session: SessionRef,
    pub room: RoomChoice,
    pub code: CodeChoice,
    /// Leave out `room_id` and `session_id` (valid only for `m.no_olm`).
    pub without_ids: bool,
}

impl WithheldEntry {
    /// The entry's JSON.
    pub fn json(&self) -> Value {
        let code = match self.code {
            CodeChoice::Stable => HISTORY_NOT_SHARED,
            CodeChoice::Unstable => HISTORY_NOT_SHARED_UNSTABLE,
            CodeChoice::NoOlm => "m.no_olm",
            CodeChoice::Unverified => "m.unverified",
        };
        let mut v = json!({
            "algorithm": MEGOLM_V1, "code": code, "reason": "fuzz",
            "sender_key": crate::targets::scenario::creator().curve25519,
        });
        if !self.without_ids {
            v["room_id"] = json!(self.room.id());
            v["session_id"] = json!(self.session.session_id());
        }
        v
    }
}

/// The decrypted bundle.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum BundleChoice {
    /// Built from entries.
    Entries {
        /// `room_keys`.
        keys: Vec<KeyEntry>,
        /// `withheld`.
        withheld: Vec<WithheldEntry>,
    },
    /// Raw plaintext bytes.
    Raw(Vec<u8>),
}

impl BundleChoice {
    /// The plaintext.
    pub fn plaintext(&self) -> Vec<u8> {
        match self {
            BundleChoice::Entries { keys, withheld } => json!({
                "room_keys": keys.iter().map(KeyEntry::json).collect::<Vec<_>>(),
                "withheld": withheld.iter().map(WithheldEntry::json).collect::<Vec<_>>(),
            })
            .to_string()
            .into_bytes(),
            BundleChoice::Raw(b) => b.clone(),
        }
    }
}

/// What the media repository serves.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum MediaChoice {
    /// The ciphertext.
    Served,
    /// 404.
    NotFound,
    /// The ciphertext with one bit flipped (no change if it is empty).
    FlipBit {
        /// Byte position, modulo the length.
        at: u16,
        /// Bit.
        bit: u8,
    },
    /// The first `n` bytes.
    Truncate(u16),
    /// The ciphertext and more.
    Extend(Vec<u8>),
    /// A carrier that is not base64 (a broken download).
    Garbled,
}

/// Where a stored session came from.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ProvenanceChoice {
    RoomKey,
    Backup,
    Export,
    Bundle,
}

/// The stored copy's key.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredKeyChoice {
    /// The session's real key at the entry's index.
    Real,
    /// A forged ratchet with the session's ID.
    Forged,
    /// A key that does not decode (a damaged store).
    Undecodable,
}

/// A session already in the recipient's store.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct StoreEntry {
    pub session: SessionRef,
    pub room: RoomChoice,
    pub provenance: ProvenanceChoice,
    pub key: StoredKeyChoice,
}

impl StoreEntry {
    /// The stored session.
    pub fn stored(&self) -> StoredSession {
        let s = self.session;
        let session_key = match self.key {
            StoredKeyChoice::Real => s.key().to_base64(),
            StoredKeyChoice::Forged => s.forged_key().to_base64(),
            StoredKeyChoice::Undecodable => "AQAAAAAA".into(),
        };
        let (provenance, forwarder) = match self.provenance {
            ProvenanceChoice::RoomKey => (Provenance::RoomKey, None),
            ProvenanceChoice::Backup => (Provenance::Backup, None),
            ProvenanceChoice::Export => (Provenance::Export, None),
            ProvenanceChoice::Bundle => (Provenance::Bundle, Some("@carol:hs1.test".to_owned())),
        };
        StoredSession {
            room_id: self.room.id().to_owned(),
            session_id: s.session_id(),
            session_key,
            provenance,
            forwarder,
        }
    }
}
