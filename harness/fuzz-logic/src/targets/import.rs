//! `import_policy`: structured import scenarios ([`Scenario`], built by [`arbitrary`]) →
//! [`import::decide`].
//!
//! A scenario starts from the fixtures' story (Alice invited Bob to [`ROOM`], Bob accepted on this
//! device and is joined, Alice's cross-signed device sends a really encrypted bundle) and lets the
//! fuzzer change every part of it: who sends and who invited, membership, clock and window, the
//! sender's identity and cross-signing, a dozen envelope defects, the bundle's entries (well-formed,
//! forged or broken, for this room or another), what the media repository serves, and the store.
//!
//! The scenario knows, independently of the policy, whether each check must pass, and so what the
//! decision must be: the first failing stage decides (envelope or trust → `discarded`, invite →
//! `deferred`, download → `failed`, hash or structure → `rejected`). On top of the exact decision,
//! the safety invariants of the issue:
//! * never a key for another room (R40) — every imported session is for the invite's room;
//! * never from a non-inviter (R33), never after a failed hash (R38) or `sender_device_keys`
//!   check (R30, R31) — implied by the exact decision, asserted on its own too;
//! * never a worse copy (R42, R44): a session already stored is replaced only by a strictly
//!   earlier copy of the same ratchet, and never when the stored copy is authenticated;
//! * every imported session comes from a well-formed entry of the bundle, at that entry's index,
//!   with the bundle's sender as forwarder (R41); nothing is both imported and kept; withheld
//!   entries recorded are for the room (R45).

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use msc4268_model::attachment;
use msc4268_model::b64;
use msc4268_model::megolm::{ExportedSessionKey, RatchetOrdering};
use msc4268_model::policy::build::HISTORIC_ROOM_KEY_FIELDS;
use msc4268_model::policy::import;
use msc4268_model::wire::bundle;
use msc4268_model::wire::encrypted_file::EncryptedFile;
use msc4268_protocol::cases::{
    IdentityState, ImportDecision, ImportInput, ImportOutcome, InviteRecord, KnownDevice, Media,
    Membership, Provenance, ReceivedToDevice, SenderIdentity, StoredSession,
};
use msc4268_protocol::identifiers::{
    HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, MEGOLM_V1, ROOM_KEY_BUNDLE,
    ROOM_KEY_BUNDLE_UNSTABLE, SENDER_DEVICE_KEYS_UNSTABLE,
};
use serde_json::{Value, json};

use super::scenario::room_key_entry;
pub use super::scenario::{NOW, OTHER_ROOM, Person, ROOM, RoomChoice, SessionRef};
use crate::{Finding, ensure};

/// Target name.
pub const NAME: &str = "import_policy";

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
            "sender_key": super::scenario::creator().curve25519,
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

/// A scenario's bytes and input, computed once.
#[derive(Debug, Clone)]
pub struct Materialized {
    /// The bundle plaintext.
    pub plaintext: Vec<u8>,
    /// Its encryption, as uploaded.
    pub ciphertext: Vec<u8>,
    /// The bytes the media repository serves (`None`: 404 or a broken download).
    pub served: Option<Vec<u8>>,
    /// The `import-decision` input.
    pub input: ImportInput,
}

/// One import scenario.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Scenario {
    pub sender: Person,
    pub inviter: InviterChoice,
    pub accepted: AcceptedChoice,
    /// The invite was accepted on another device of the recipient (D10).
    pub accepted_elsewhere: bool,
    pub membership: MembershipChoice,
    /// The acceptance window (`None`: the default 24 h).
    pub window_ms: Option<u64>,
    /// The room the invite was accepted in.
    pub room: RoomChoice,
    /// The room the event's content names.
    pub content_room: RoomChoice,
    pub identity: IdentityChoice,
    /// The sender's device is not cross-signed by its `v1` identity.
    pub device_not_cross_signed: bool,
    pub envelope: Envelope,
    pub bundle: BundleChoice,
    pub media: MediaChoice,
    /// The store; a session appears at most once (later duplicates are dropped).
    pub store: Vec<StoreEntry>,
    pub key: [u8; 32],
    pub iv: [u8; 16],
}

impl Scenario {
    /// The fixtures' story with a valid envelope and this bundle: every check passes.
    pub fn valid(bundle: BundleChoice, store: Vec<StoreEntry>) -> Self {
        Scenario {
            sender: Person::Alice,
            inviter: InviterChoice::Sender,
            accepted: AcceptedChoice::Ago(60 * 60 * 1000),
            accepted_elsewhere: false,
            membership: MembershipChoice::Join,
            window_ms: None,
            room: RoomChoice::History,
            content_room: RoomChoice::History,
            identity: IdentityChoice::Pinned(StateChoice::Tofu),
            device_not_cross_signed: false,
            envelope: Envelope::VALID,
            bundle,
            media: MediaChoice::Served,
            store,
            key: [7; 32],
            iv: [9, 8, 7, 6, 5, 4, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0],
        }
    }

    /// The store, without duplicate sessions (a store holds one copy of a session).
    pub fn store_entries(&self) -> Vec<StoreEntry> {
        let mut seen = BTreeSet::new();
        self.store
            .iter()
            .filter(|e| seen.insert((e.room, e.session.label())))
            .copied()
            .collect()
    }

    /// The bundle plaintext, its encryption, what is served, and the `import-decision` input,
    /// computed once.
    pub fn materialize(&self) -> Materialized {
        let plaintext = self.bundle.plaintext();
        let (file, ciphertext) =
            attachment::encrypt_with(self.key, self.iv, &plaintext, "mxc://hs1.test/fuzzbundle");
        let served = self.served(&ciphertext);
        let input = self.input_for(&file, served.as_deref());
        Materialized {
            plaintext,
            ciphertext,
            served,
            input,
        }
    }

    /// The served bytes, if any are served as base64.
    fn served(&self, ciphertext: &[u8]) -> Option<Vec<u8>> {
        let mut served = ciphertext.to_vec();
        match &self.media {
            MediaChoice::Served => {}
            MediaChoice::NotFound | MediaChoice::Garbled => return None,
            MediaChoice::FlipBit { at, bit } => {
                if !served.is_empty() {
                    let i = usize::from(*at) % served.len();
                    served[i] ^= 1 << (bit % 8);
                }
            }
            MediaChoice::Truncate(n) => served.truncate(usize::from(*n)),
            MediaChoice::Extend(more) => served.extend_from_slice(more),
        }
        Some(served)
    }

    /// The accepted-at time, if accepted.
    fn accepted_at(&self) -> Option<u64> {
        let AcceptedChoice::Ago(ago) = self.accepted else {
            return None;
        };
        let at = (i128::from(NOW) - i128::from(ago)).clamp(0, i128::from(u64::MAX));
        u64::try_from(at).ok()
    }

    fn window(&self) -> u64 {
        self.window_ms
            .unwrap_or(msc4268_protocol::cases::DEFAULT_ACCEPTANCE_WINDOW_MS)
    }

    /// The `import-decision` input of this scenario.
    pub fn input(&self) -> ImportInput {
        self.materialize().input
    }

    fn input_for(&self, file: &EncryptedFile, served: Option<&[u8]>) -> ImportInput {
        let sender = self.sender.keys();
        let bob = super::olm::people().bob.clone();
        let env = &self.envelope;
        let event_type = match env.event_type {
            EventTypeChoice::Stable => ROOM_KEY_BUNDLE,
            EventTypeChoice::Unstable => ROOM_KEY_BUNDLE_UNSTABLE,
            EventTypeChoice::RoomKey => "m.room_key",
            EventTypeChoice::Typo => "m.room.key_bundle",
        };
        let mut device_keys = if !self.device_not_cross_signed {
            sender.device_keys_cross_signed.clone()
        } else {
            sender.device_keys_self_signed.clone()
        };
        if env.device_user_id {
            device_keys["user_id"] = json!(bob.user_id);
        }
        if env.tamper_device_keys {
            device_keys["algorithms"] = json!([]);
        }
        let pad = |k: &str| {
            if env.padded_keys {
                format!("{k}=")
            } else {
                k.to_owned()
            }
        };
        let mut pt = json!({
            "type": event_type,
            "content": {"room_id": self.content_room.id(), "file": file.to_json()},
            "sender": if env.wrong_sender { "@mallory:evil.test" } else { self.sender.user_id() },
            "recipient": if env.wrong_recipient { "@carol:hs2.test" } else { bob.user_id.as_str() },
            "recipient_keys": {"ed25519": if env.wrong_recipient_key { sender.ed25519.clone() } else { pad(&bob.ed25519) }},
            "keys": {"ed25519": if env.wrong_claimed_ed25519 { bob.ed25519.clone() } else { pad(&sender.ed25519) }},
        });
        match env.device_keys {
            DeviceKeysChoice::Stable => pt["sender_device_keys"] = device_keys,
            DeviceKeysChoice::Alias => pt[SENDER_DEVICE_KEYS_UNSTABLE] = device_keys,
            DeviceKeysChoice::Missing => {}
            DeviceKeysChoice::Null => pt["sender_device_keys"] = Value::Null,
            DeviceKeysChoice::NotAnObject => pt["sender_device_keys"] = json!("device keys"),
        }
        let known_devices = match env.known {
            KnownChoice::Unknown => Vec::new(),
            KnownChoice::Same | KnownChoice::Conflicting => vec![KnownDevice {
                user_id: self.sender.user_id().to_owned(),
                device_id: sender.device.device_id.clone(),
                ed25519: if env.known == KnownChoice::Same {
                    sender.ed25519.clone()
                } else {
                    bob.ed25519.clone()
                },
            }],
        };
        let sender_identity = match self.identity {
            IdentityChoice::Unknown => None,
            IdentityChoice::Pinned(s) | IdentityChoice::Reset(s) => {
                let (master_key, self_signing_key) = match self.identity {
                    IdentityChoice::Pinned(_) => sender.identity_v1.clone(),
                    _ => sender.identity_v2.clone(),
                };
                Some(SenderIdentity {
                    master_key,
                    self_signing_key,
                    state: match s {
                        StateChoice::Tofu => IdentityState::Tofu,
                        StateChoice::Verified => IdentityState::Verified,
                        StateChoice::PinViolation => IdentityState::PinViolation,
                    },
                })
            }
        };
        let media = match (&self.media, served) {
            (MediaChoice::NotFound, _) => Media::NotFound,
            (_, Some(bytes)) => Media::Available {
                ciphertext: b64::encode_padded(bytes),
            },
            (_, None) => Media::Available {
                ciphertext: "*not base64*".into(),
            },
        };
        ImportInput {
            recipient: bob.clone(),
            room_id: self.room.id().to_owned(),
            membership: match self.membership {
                MembershipChoice::Join => Membership::Join,
                MembershipChoice::Invite => Membership::Invite,
                MembershipChoice::Leave => Membership::Leave,
                MembershipChoice::Ban => Membership::Ban,
                MembershipChoice::Knock => Membership::Knock,
                MembershipChoice::None => Membership::None,
            },
            invite: self.inviter_person().map(|p| InviteRecord {
                inviter: p.user_id().to_owned(),
                accepted_at_ms: self.accepted_at(),
                accepted_on_this_device: !self.accepted_elsewhere,
            }),
            now_ms: NOW,
            acceptance_window_ms: self.window(),
            event: ReceivedToDevice {
                encrypted: !env.unencrypted,
                sender: self.sender.user_id().to_owned(),
                sender_key: if env.wrong_olm_sender_key {
                    bob.curve25519.clone()
                } else {
                    sender.curve25519.clone()
                },
                plaintext: pt,
                olm_sender_device: None,
            },
            known_devices,
            sender_identity,
            store: self
                .store_entries()
                .iter()
                .map(StoreEntry::stored)
                .collect(),
            media,
        }
    }

    /// The person who invited the recipient, if anyone did.
    pub fn inviter_person(&self) -> Option<Person> {
        match self.inviter {
            InviterChoice::Sender => Some(self.sender),
            InviterChoice::Other => Some(match self.sender {
                Person::Alice => Person::Carol,
                Person::Carol => Person::Alice,
            }),
            InviterChoice::Nobody => None,
        }
    }

    /// Whether the sender is trusted (X1, X2).
    pub fn trusted(&self) -> bool {
        !self.device_not_cross_signed
            && matches!(
                self.identity,
                IdentityChoice::Pinned(StateChoice::Tofu | StateChoice::Verified)
            )
    }

    /// Whether the invite record allows a download now (R33–R36).
    pub fn invite_allows(&self) -> bool {
        self.inviter == InviterChoice::Sender
            && self.content_room == self.room
            && !self.accepted_elsewhere
            && self.membership == MembershipChoice::Join
            && self
                .accepted_at()
                .is_some_and(|at| NOW.saturating_sub(at) < self.window())
    }

    /// The decision the scenario requires: the first failing stage decides.
    pub fn expected_decision(&self, m: &Materialized) -> ImportDecision {
        if !self.envelope.valid() || !self.trusted() {
            return ImportDecision::Discarded;
        }
        if !self.invite_allows() {
            return ImportDecision::Deferred;
        }
        let Some(served) = &m.served else {
            return ImportDecision::Failed;
        };
        if served != &m.ciphertext {
            return ImportDecision::Rejected;
        }
        match bundle::parse(&m.plaintext) {
            Ok(_) => ImportDecision::Imported,
            Err(_) => ImportDecision::Rejected,
        }
    }
}

/// Checks the import policy on a scenario built from `data`.
pub fn run(data: &[u8]) -> Result<(), Finding> {
    let mut u = Unstructured::new(data);
    let Ok(scenario) = Scenario::arbitrary(&mut u) else {
        return Ok(());
    };
    check(&scenario).map(|_| ())
}

/// Runs [`import::decide`] on `scenario` and checks every invariant; returns the outcome.
pub fn check(scenario: &Scenario) -> Result<ImportOutcome, Finding> {
    let m = scenario.materialize();
    let input = &m.input;
    let out = ImportOutcome::from(import::decide(&import::ImportRequest::from(input)));
    let expected = scenario.expected_decision(&m);
    ensure(
        out.decision == expected,
        NAME,
        "the first failing stage decides",
        || format!("expected {expected:?}, got {out:?}"),
    )?;
    if out.decision != ImportDecision::Imported {
        return ensure(
            out.imported.is_empty()
                && out.kept_existing.is_empty()
                && out.withheld.is_empty()
                && out.skipped.is_empty(),
            NAME,
            "a bundle that is not imported has no effect",
            || format!("{out:?}"),
        )
        .map(|_| out);
    }
    // Safety, stated on its own: an import needs the envelope, trust, invite and hash checks.
    ensure(
        scenario.envelope.valid()
            && scenario.trusted()
            && scenario.invite_allows()
            && m.served.as_ref() == Some(&m.ciphertext),
        NAME,
        "imports only after every check passed",
        || format!("{out:?}"),
    )?;
    check_entries(scenario, &m, &out)?;
    Ok(out)
}

fn check_entries(
    scenario: &Scenario,
    m: &Materialized,
    out: &ImportOutcome,
) -> Result<(), Finding> {
    let input = &m.input;
    let sender = scenario.sender.user_id();
    let parsed = bundle::parse(&m.plaintext)
        .map_err(|v| Finding::new(NAME, "an imported bundle parses", v))?;
    let well_formed: Option<Vec<&KeyEntry>> = match &scenario.bundle {
        BundleChoice::Entries { keys, .. } => {
            Some(keys.iter().filter(|k| k.defect.well_formed()).collect())
        }
        BundleChoice::Raw(_) => None,
    };
    for i in &out.imported {
        ensure(
            i.room_id == input.room_id,
            NAME,
            "R40: never a key for another room",
            || format!("{i:?} imported for {}", input.room_id),
        )?;
        ensure(
            i.forwarder == sender,
            NAME,
            "R41: the forwarder is the bundle's sender",
            || format!("{i:?}"),
        )?;
        let source = parsed.room_keys.iter().find(|e| {
            e.value.room_id == i.room_id
                && e.value.session_id == i.session_id
                && e.value.session_key.index == i.first_known_index
        });
        let Some(source) = source else {
            return Err(Finding::new(
                NAME,
                "every imported session is an entry of the bundle",
                format!("{i:?}"),
            ));
        };
        if let Some(wf) = &well_formed {
            ensure(
                wf.iter().any(|k| {
                    k.room.id() == i.room_id
                        && k.session.session_id() == i.session_id
                        && k.session.index() == i.first_known_index
                }),
                NAME,
                "only well-formed entries are imported",
                || format!("{i:?}"),
            )?;
        }
        for stored in input
            .store
            .iter()
            .filter(|s| s.room_id == i.room_id && s.session_id == i.session_id)
        {
            check_replacement(stored, &source.value.session_key, i.first_known_index)?;
        }
    }
    for sid in &out.kept_existing {
        ensure(
            !out.imported.iter().any(|i| &i.session_id == sid),
            NAME,
            "nothing is both imported and kept",
            || sid.clone(),
        )?;
    }
    for w in &out.withheld {
        ensure(
            w.room_id == input.room_id,
            NAME,
            "R45: withheld entries are for the room",
            || format!("{w:?}"),
        )?;
    }
    // Completeness: a well-formed entry for the room whose session is not in the store is imported.
    if let Some(wf) = &well_formed {
        for k in wf {
            let sid = k.session.session_id();
            let in_store = input
                .store
                .iter()
                .any(|s| s.room_id == input.room_id && s.session_id == sid);
            // Copies of one session that do not connect are all refused (R42): which is genuine
            // cannot be told.
            let copies: Vec<&ExportedSessionKey> = parsed
                .room_keys
                .iter()
                .filter(|e| e.value.room_id == input.room_id && e.value.session_id == sid)
                .map(|e| &e.value.session_key)
                .collect();
            let conflicting = copies.iter().min_by_key(|c| c.index).is_some_and(|best| {
                copies
                    .iter()
                    .any(|c| best.compare(c) == RatchetOrdering::Unconnected)
            });
            if k.room.id() != input.room_id {
                continue;
            }
            if conflicting {
                ensure(
                    !out.imported.iter().any(|i| i.session_id == sid),
                    NAME,
                    "R42: copies of a session that do not connect are never imported",
                    || format!("{k:?} imported in {out:?}"),
                )?;
            } else if !in_store {
                ensure(
                    out.imported.iter().any(|i| i.session_id == sid),
                    NAME,
                    "a new session of the room is imported",
                    || format!("{k:?} missing from {out:?}"),
                )?;
            }
        }
    }
    Ok(())
}

/// R42/R44: a stored copy is replaced only by a strictly earlier copy of the same ratchet, and an
/// authenticated one never.
fn check_replacement(
    stored: &StoredSession,
    imported: &ExportedSessionKey,
    index: u32,
) -> Result<(), Finding> {
    let held = ExportedSessionKey::from_base64(&stored.session_key).map_err(|e| {
        Finding::new(
            NAME,
            "R42: a stored copy is never replaced by one it cannot be compared with",
            format!(
                "session {} replaced at index {index} although the stored key does not decode ({e})",
                stored.session_id
            ),
        )
    })?;
    ensure(
        stored.provenance != Provenance::RoomKey,
        NAME,
        "R44: an authenticated copy is never replaced",
        || format!("session {} replaced at index {index}", stored.session_id),
    )?;
    ensure(
        held.compare(imported) == RatchetOrdering::Better,
        NAME,
        "R42: never a worse or unconnected copy",
        || {
            format!(
                "stored index {}, imported {index}: {:?}",
                held.index,
                held.compare(imported)
            )
        },
    )
}
