//! One fuzzed import ([`ImportStory`]): the fixtures' story with every part open to the fuzzer,
//! turned into the `import-decision` input ([`ImportStory::materialize`]) and the decision the
//! policy must reach ([`ImportStory::expected_decision`]), known independently of the policy.

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use msc4268_model::attachment;
use msc4268_model::b64;
use msc4268_model::wire::bundle;
use msc4268_model::wire::encrypted_file::EncryptedFile;
use msc4268_protocol::cases::{
    IdentityState, ImportDecision, ImportInput, InviteRecord, KnownDevice, Media, Membership,
    ReceivedToDevice, SenderIdentity,
};
use msc4268_protocol::identifiers::{
    ROOM_KEY_BUNDLE, ROOM_KEY_BUNDLE_UNSTABLE, SENDER_DEVICE_KEYS_UNSTABLE,
};
use serde_json::{Value, json};

use super::grammar::*;
pub use crate::targets::scenario::{NOW, Person, RoomChoice};

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
pub struct ImportStory {
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

impl ImportStory {
    /// The fixtures' story with a valid envelope and this bundle: every check passes.
    pub fn valid(bundle: BundleChoice, store: Vec<StoreEntry>) -> Self {
        ImportStory {
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
        let bob = crate::targets::olm::people().bob.clone();
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
        let mut input = ImportInput {
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
            earlier_invites: Vec::new(),
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
                plaintext: Some(pt),
                plaintext_text: None,
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
            replay: None,
        };
        // The fixture devices' secret keys, as the generator publishes them in every case.
        input.replay = serde_json::to_value(&input)
            .ok()
            .and_then(|v| msc4268_model::material::replay_for(&v));
        input
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
