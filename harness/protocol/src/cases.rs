//! Typed inputs and outcomes of every fixture category: the contract between fixtures, the runner
//! and implementations.
//!
//! Inputs are what a fixture case gives an implementation (its group `context` merged with the
//! case `input`); outcomes are what an implementation answers, and what a case's `expected` holds.
//! Both are plain JSON so that adapters in other languages speak the same shapes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::identifiers::IdentifierVariant;

/// The fixture categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Bundle plaintext → strict model (R15, R16, B-rules).
    BundleParsing,
    /// `EncryptedFile` + ciphertext → plaintext (A-rules, R38).
    FileDecryption,
    /// Plaintext → `EncryptedFile` + ciphertext, audited (R17); and the auditor itself.
    FileEncryption,
    /// The decrypted `m.room_key_bundle` event type and content (R21, R23).
    ToDeviceContent,
    /// Olm plaintext envelope checks (R30–R32, O-rules).
    OlmEnvelope,
    /// The invitee's whole import decision (R33–R45, X-rules).
    ImportDecision,
    /// The inviter's bundle (R11–R16), and the bundle auditor.
    BundleBuilding,
    /// Reading the `shared_history` flag from each structure that carries it (R1, R3–R6).
    SharedHistoryFlag,
}

impl Category {
    /// Every fixture category, in report order.
    pub const ALL: [Category; 8] = [
        Category::BundleParsing,
        Category::FileDecryption,
        Category::FileEncryption,
        Category::ToDeviceContent,
        Category::OlmEnvelope,
        Category::ImportDecision,
        Category::BundleBuilding,
        Category::SharedHistoryFlag,
    ];

    /// The kebab-case name used in fixtures and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::BundleParsing => "bundle-parsing",
            Category::FileDecryption => "file-decryption",
            Category::FileEncryption => "file-encryption",
            Category::ToDeviceContent => "to-device-content",
            Category::OlmEnvelope => "olm-envelope",
            Category::ImportDecision => "import-decision",
            Category::BundleBuilding => "bundle-building",
            Category::SharedHistoryFlag => "shared-history-flag",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejection, as any implementation may report it. Only the fact of rejection is compared;
/// `rule` and `path` are compared only when both the expectation and the implementation name one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// The violated rule id, if the implementation knows our rule ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// JSON pointer into the input, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Free text for humans. Never compared.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// bundle-parsing

/// Input of a `bundle-parsing` case: the decrypted bundle bytes, in exactly one of three forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleParsingInput {
    /// The plaintext as a JSON value (serialised compactly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<Value>,
    /// The plaintext as literal text (for syntax errors, duplicate keys, odd whitespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext_text: Option<String>,
    /// The plaintext as padded standard base64 of raw bytes (for invalid UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext_base64: Option<String>,
}

impl BundleParsingInput {
    /// The plaintext bytes, or why the input does not say them exactly once.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        match (
            &self.plaintext,
            &self.plaintext_text,
            &self.plaintext_base64,
        ) {
            (Some(v), None, None) => serde_json::to_vec(v).map_err(|e| e.to_string()),
            (None, Some(t), None) => Ok(t.as_bytes().to_vec()),
            (None, None, Some(b)) => carrier_bytes(b),
            _ => {
                Err("exactly one of plaintext, plaintext_text, plaintext_base64 is required".into())
            }
        }
    }
}

/// Decodes a fixture's padded-base64 carrier of raw bytes.
pub fn carrier_bytes(s: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const CARRIER: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    CARRIER
        .decode(s)
        .map_err(|e| format!("carrier base64: {e}"))
}

/// One `room_keys` entry an implementation accepted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySummary {
    /// JSON pointer of the entry in the bundle, e.g. `/room_keys/0`.
    pub source: String,
    /// `room_id` of the entry.
    pub room_id: String,
    /// `session_id` of the entry.
    pub session_id: String,
    /// Ratchet index of its `session_key`.
    pub first_known_index: u32,
}

/// One `withheld` entry an implementation accepted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithheldSummary {
    /// JSON pointer of the entry, e.g. `/withheld/0`.
    pub source: String,
    /// `room_id`, absent for `m.no_olm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// `session_id`, absent for `m.no_olm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The code, normalised to its stable spelling where one exists.
    pub code: String,
    /// Which spelling of the code was seen, for codes this suite knows in several spellings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_variant: Option<IdentifierVariant>,
}

/// An entry the implementation dropped while keeping the rest of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkippedEntry {
    /// JSON pointer of the entry, e.g. `/room_keys/3`.
    pub source: String,
    /// Rule id, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Free text. Never compared.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// Outcome of a `bundle-parsing` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum BundleParseOutcome {
    /// The bundle was read; some entries may have been skipped.
    Parsed {
        /// Accepted `room_keys` entries.
        room_keys: Vec<KeySummary>,
        /// Accepted `withheld` entries.
        withheld: Vec<WithheldSummary>,
        /// Entries dropped on their own.
        #[serde(default)]
        skipped: Vec<SkippedEntry>,
    },
    /// The whole bundle was refused.
    Rejected(Rejection),
}

// ---------------------------------------------------------------------------------------------
// file-decryption

/// Input of a `file-decryption` case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDecryptionInput {
    /// The `EncryptedFile` object exactly as received (may be malformed on purpose).
    pub file: Value,
    /// The downloaded bytes, as padded standard base64 (a fixture carrier, not a wire field).
    pub ciphertext: String,
}

/// A `file-decryption` case the harness makes at run time (it is never sent as such): a file
/// `bytes_over_declared_limit` bytes larger than the implementation's declared
/// [`max_download_bytes`](crate::implementation::Limits::max_download_bytes), correctly encrypted
/// and hashed, so that only its size can refuse it. An implementation that declares no limit has
/// the case skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverLimitInput {
    /// How many bytes past the declared limit the ciphertext is (at least 1).
    pub bytes_over_declared_limit: u64,
}

/// Outcome of a `file-decryption` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum DecryptOutcome {
    /// The hash matched and the bytes decrypted.
    Decrypted {
        /// Plaintext as padded standard base64.
        plaintext: String,
    },
    /// Refused.
    Rejected(Rejection),
}

// ---------------------------------------------------------------------------------------------
// file-encryption

/// Input of a `file-encryption` case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "snake_case", deny_unknown_fields)]
pub enum FileEncryptionInput {
    /// Encrypt `plaintext` `times` times; the runner audits every result and compares them.
    Encrypt {
        /// Plaintext, padded standard base64.
        plaintext: String,
        /// How many independent encryptions to ask for (≥ 2 lets key/IV reuse show).
        times: u32,
    },
    /// Audit encryptions another party produced (checks the suite's auditor; reference only).
    Audit {
        /// Plaintext, padded standard base64.
        plaintext: String,
        /// The encryptions to audit together.
        encryptions: Vec<Encryption>,
    },
}

/// The `url` of an `EncryptedFile` an implementation encrypts for a `file-encryption` case (the
/// file is never uploaded).
pub const PLACEHOLDER_URL: &str = "mxc://conformance.invalid/bundle";

/// One encryption: the `EncryptedFile` and the uploaded bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// The `EncryptedFile` JSON (its `url` may be a placeholder `mxc://` until uploaded).
    pub file: Value,
    /// The ciphertext, padded standard base64.
    pub ciphertext: String,
}

/// Outcome of a `file-encryption` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum EncryptionAuditOutcome {
    /// Every encryption follows R17 and the A-rules.
    Conformant,
    /// A rule is broken.
    Violation(Rejection),
}

// ---------------------------------------------------------------------------------------------
// to-device-content

/// Input of a `to-device-content` case: the decrypted event's `type` and `content`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToDeviceInput {
    /// The inner event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The inner event content.
    pub content: Value,
}

/// Outcome of a `to-device-content` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToDeviceOutcome {
    /// A usable bundle notification.
    Accepted {
        /// `content.room_id`.
        room_id: String,
        /// Which spelling of the event type was seen.
        event_type_variant: IdentifierVariant,
        /// `content.file.url`.
        url: String,
    },
    /// Not acted on.
    Rejected(Rejection),
}

// ---------------------------------------------------------------------------------------------
// olm-envelope

/// The receiving device, as the envelope and import checks need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Own user ID.
    pub user_id: String,
    /// Own device ID.
    pub device_id: String,
    /// Own device Ed25519 key.
    pub ed25519: String,
    /// Own device Curve25519 key.
    pub curve25519: String,
}

/// A device the recipient already knows (from an earlier `/keys/query` or event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDevice {
    /// Owner.
    pub user_id: String,
    /// Device ID.
    pub device_id: String,
    /// Ed25519 key on record.
    pub ed25519: String,
}

/// The to-device event as the recipient's Olm layer delivers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceivedToDevice {
    /// Whether it arrived as an Olm-encrypted `m.room.encrypted` (false: sent in the clear).
    pub encrypted: bool,
    /// The to-device event's `sender` (from the homeserver).
    pub sender: String,
    /// The Curve25519 key of the Olm session it was decrypted with (outer `sender_key`).
    pub sender_key: String,
    /// The decrypted Olm plaintext (`type`, `content`, `sender`, `recipient`, `keys`, ...) as a
    /// JSON value. Exactly one of `plaintext` and `plaintext_text` is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<Value>,
    /// The decrypted Olm plaintext as literal JSON text, for what a JSON value cannot say
    /// (duplicate member names, `\u` escapes, lone surrogates): the bytes the sender's Olm
    /// layer encrypted. Only implementations that declare
    /// [`Capability::JsonText`](crate::implementation::Capability::JsonText) are given such cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext_text: Option<String>,
    /// Replay data, never an input to the decision: the fixture device whose Olm account holds
    /// `sender_key` (its secret keys are in the input's [`Replay::devices`]). An implementation
    /// that runs its real Olm layer needs it to encrypt the plaintext from that account when the
    /// plaintext itself does not name the device (no `sender_device_keys`, or keys of another
    /// device). Absent when no fixture device holds `sender_key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub olm_sender_device: Option<OlmSenderDevice>,
}

impl ReceivedToDevice {
    /// The exact bytes of the Olm plaintext (what a real Olm layer encrypts): `plaintext_text`
    /// as written, or `plaintext` serialised compactly.
    pub fn plaintext_bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.plaintext, &self.plaintext_text) {
            (Some(v), None) => serde_json::to_vec(v).map_err(|e| e.to_string()),
            (None, Some(t)) => Ok(t.as_bytes().to_vec()),
            _ => Err(ONE_PLAINTEXT.into()),
        }
    }

    /// The Olm plaintext as a JSON value: `plaintext`, or `plaintext_text` read by serde_json
    /// (a member named twice keeps its last value). `Err(Unreadable)` when the text is not JSON
    /// serde_json reads (a lone surrogate, a number beyond a double); `Err(Malformed)` when the
    /// input does not carry exactly one of the two members.
    pub fn plaintext_value(&self) -> Result<Value, PlaintextError> {
        match (&self.plaintext, &self.plaintext_text) {
            (Some(v), None) => Ok(v.clone()),
            (None, Some(t)) => {
                serde_json::from_str(t).map_err(|e| PlaintextError::Unreadable(e.to_string()))
            }
            _ => Err(PlaintextError::Malformed(ONE_PLAINTEXT.into())),
        }
    }

    /// Whether the plaintext comes as literal JSON text (a case that needs
    /// [`Capability::JsonText`](crate::implementation::Capability::JsonText)).
    pub fn is_text(&self) -> bool {
        self.plaintext_text.is_some()
    }
}

const ONE_PLAINTEXT: &str = "exactly one of `plaintext` and `plaintext_text` is required";

/// Why an Olm plaintext (or a `content_text`) gives no JSON value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaintextError {
    /// The text is not JSON that serde_json reads: what a receiver does with it is its
    /// parser's choice (the cases that carry such text say so).
    #[error("not readable as JSON: {0}")]
    Unreadable(String),
    /// The input itself is malformed (neither or both carriers).
    #[error("{0}")]
    Malformed(String),
}

/// A fixture device named by user and device ID (see [`ReceivedToDevice::olm_sender_device`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OlmSenderDevice {
    /// User ID.
    pub user_id: String,
    /// Device ID.
    pub device_id: String,
}

/// Replay data of an `olm-envelope` or `import-decision` case: what an implementation that runs
/// its real Olm layer needs to replay the case (the secret keys of the fixture devices the case
/// names, the identity the recipient pinned before). Never an input to the decision: an
/// implementation that decides from the plaintext alone ignores it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// Every fixture device the case names whose keys appear in the input (the recipient, the
    /// Olm sender, known devices), with its secret keys.
    #[serde(default)]
    pub devices: Vec<ReplayDevice>,
    /// For a sender identity in state `pin_violation`: the identity of the sender that the
    /// recipient had pinned before the one the case gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_identity: Option<PinnedIdentity>,
}

/// A fixture device with its secret keys (all binary values padded standard base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayDevice {
    /// Owner.
    pub user_id: String,
    /// Device ID.
    pub device_id: String,
    /// The Ed25519 public key, unpadded base64 (as in `DeviceKeys`).
    pub ed25519: String,
    /// The Curve25519 public key, unpadded base64 (as in `DeviceKeys`).
    pub curve25519: String,
    /// The Ed25519 secret key: the 32-byte seed of RFC 8032 (what libolm and vodozemac keep as
    /// the account's signing key), padded standard base64.
    pub ed25519_seed: String,
    /// The Curve25519 (X25519) secret key: the 32-byte scalar of RFC 7748 before clamping (the
    /// account's identity key), padded standard base64.
    pub curve25519_secret: String,
    /// The device's `DeviceKeys` object, self-signed (no cross-signing signature), as a
    /// homeserver serves it from `/keys/query`.
    pub device_keys: Value,
}

/// An identity of the sender that the recipient had pinned (trusted on first use) before the
/// case's `sender_identity`, which then replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedIdentity {
    /// The master `CrossSigningKey` object.
    pub master_key: Value,
    /// The self-signing `CrossSigningKey` object, signed by the master key.
    pub self_signing_key: Value,
    /// The Olm sender device's `DeviceKeys`, self-signed and signed by this self-signing key
    /// (absent when no fixture device holds the Olm sender key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_device_keys: Option<Value>,
}

/// Input of an `olm-envelope` case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OlmEnvelopeInput {
    /// The receiving device.
    pub recipient: Recipient,
    /// The event.
    pub event: ReceivedToDevice,
    /// Devices already known to the recipient.
    #[serde(default)]
    pub known_devices: Vec<KnownDevice>,
    /// Replay data (secret keys of the fixture devices), never an input to the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<Replay>,
}

/// Outcome of an `olm-envelope` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum EnvelopeOutcome {
    /// All checks passed.
    Accepted {
        /// Sending user.
        sender: String,
        /// Sending device ID (from `sender_device_keys`).
        sender_device_id: String,
        /// Sending device Ed25519 key.
        sender_ed25519: String,
        /// Inner event type, as seen.
        event_type: String,
    },
    /// Discarded.
    Rejected(Rejection),
}

// ---------------------------------------------------------------------------------------------
// import-decision

/// The recipient's membership in the bundle's room, now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// Joined.
    Join,
    /// Invited, not joined.
    Invite,
    /// Left or kicked.
    Leave,
    /// Banned.
    Ban,
    /// Knocking.
    Knock,
    /// No membership at all.
    None,
}

/// The recipient's record of an invite to the room ("pending key bundle" record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRecord {
    /// The `sender` of the recipient's `m.room.member` invite event.
    pub inviter: String,
    /// When this device accepted the invite (ms since the epoch); absent if not accepted.
    #[serde(default)]
    pub accepted_at_ms: Option<u64>,
    /// Whether the acceptance was recorded by *this* device (digest D10).
    pub accepted_on_this_device: bool,
}

/// An invite to the room that came before the one the recipient's membership now rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlierInvite {
    /// The `sender` of that `m.room.member` invite event.
    pub inviter: String,
    /// How the invite ended.
    pub ended: InviteEnd,
    /// When this device accepted it (ms since the epoch), for an invite it accepted and then
    /// left (`ended: left`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at_ms: Option<u64>,
}

/// How an earlier invite ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteEnd {
    /// The recipient rejected it (its membership went from `invite` to `leave`).
    Rejected,
    /// Another user invited the recipient while it was still pending: the room's `m.room.member`
    /// invite event the recipient then accepted is the later one.
    Superseded,
    /// The recipient accepted it on this device (`accepted_at_ms`) and later left the room.
    Left,
}

/// How far the recipient trusts the sender's cross-signing identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityState {
    /// First seen and pinned (trust on first use).
    Tofu,
    /// Verified by the recipient.
    Verified,
    /// The identity changed after it was pinned or verified.
    PinViolation,
}

/// The sender's cross-signing identity as the recipient knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderIdentity {
    /// The master `CrossSigningKey` object.
    pub master_key: Value,
    /// The self-signing `CrossSigningKey` object, signed by the master key.
    pub self_signing_key: Value,
    /// The recipient's trust in it.
    pub state: IdentityState,
}

/// Where a stored session came from, for store-merge decisions (R42, R44).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// A direct `m.room_key` from the session's creator: authenticated.
    RoomKey,
    /// A key-backup restore: unauthenticated.
    Backup,
    /// A key-file import: unauthenticated.
    Export,
    /// An earlier bundle: vouched for by its forwarder only.
    Bundle,
}

/// A session already in the recipient's store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredSession {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Export-format key at the first known index.
    pub session_key: String,
    /// Where it came from.
    pub provenance: Provenance,
    /// The forwarder, for `bundle` provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarder: Option<String>,
}

/// What the media repository serves for the bundle's `mxc://` URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum Media {
    /// 200 with these bytes (padded standard base64).
    Available {
        /// The bytes served.
        ciphertext: String,
    },
    /// 404 `M_NOT_FOUND`: deleted or expired.
    NotFound,
}

/// Input of an `import-decision` case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// The receiving device.
    pub recipient: Recipient,
    /// The room the event names; and the recipient's membership in it.
    pub room_id: String,
    /// Membership now.
    pub membership: Membership,
    /// The invite record for this room, if any: the invite the current membership came from.
    #[serde(default)]
    pub invite: Option<InviteRecord>,
    /// Earlier invites to this room, oldest first, that came before `invite`: one the recipient
    /// rejected, one a later invite superseded while it was still pending, or one it accepted
    /// before it left the room. Absent (empty) in most cases; the cases of
    /// `import-decision/invite-history.json` use it to ask whose bundle an earlier invite still
    /// lets the recipient download.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_invites: Vec<EarlierInvite>,
    /// The clock (ms since the epoch).
    pub now_ms: u64,
    /// The acceptance window in ms; the spec recommends 24 h.
    #[serde(default = "default_window")]
    pub acceptance_window_ms: u64,
    /// The received to-device event.
    pub event: ReceivedToDevice,
    /// Devices already known to the recipient.
    #[serde(default)]
    pub known_devices: Vec<KnownDevice>,
    /// The sender's cross-signing identity, if the recipient has it.
    #[serde(default)]
    pub sender_identity: Option<SenderIdentity>,
    /// Sessions already in the store.
    #[serde(default)]
    pub store: Vec<StoredSession>,
    /// What downloading the file's URL yields.
    pub media: Media,
    /// Replay data (secret keys of the fixture devices, the identity pinned before), never an
    /// input to the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<Replay>,
}

/// The acceptance window the spec recommends: 24 hours.
pub const DEFAULT_ACCEPTANCE_WINDOW_MS: u64 = 24 * 60 * 60 * 1000;

fn default_window() -> u64 {
    DEFAULT_ACCEPTANCE_WINDOW_MS
}

/// What the recipient did with the bundle as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportDecision {
    /// Downloaded, decrypted, parsed and used (possibly importing nothing new).
    Imported,
    /// Recorded for later; not downloaded (R33, R35, R36).
    Deferred,
    /// Thrown away without download: bad envelope, bad content, untrusted sender.
    Discarded,
    /// Downloaded but refused: hash mismatch, undecryptable, unparsable.
    Rejected,
    /// The download failed (media gone); handled gracefully (R39).
    Failed,
}

/// A session written to the store by the import.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedSession {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// First known index of the stored copy after the import.
    pub first_known_index: u32,
    /// The forwarder recorded for it (the bundle's sender) (R41).
    pub forwarder: String,
}

/// A withheld entry recorded by the import.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedWithheld {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Code, normalised to the stable spelling.
    pub code: String,
}

/// Outcome of an `import-decision` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportOutcome {
    /// What happened to the bundle.
    pub decision: ImportDecision,
    /// Why, when not imported (rule id), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Sessions written or improved.
    #[serde(default)]
    pub imported: Vec<ImportedSession>,
    /// Session IDs offered by the bundle where the stored copy was kept as it was.
    #[serde(default)]
    pub kept_existing: Vec<String>,
    /// Withheld entries recorded.
    #[serde(default)]
    pub withheld: Vec<RecordedWithheld>,
    /// Entries dropped on their own.
    #[serde(default)]
    pub skipped: Vec<SkippedEntry>,
}

// ---------------------------------------------------------------------------------------------
// bundle-building

/// How the inviter got a session, which decides whether it is shareable (spec §Shareable sessions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case", deny_unknown_fields)]
pub enum SessionOrigin {
    /// Created by this client while the room's visibility was `visibility_at_creation` (absent:
    /// no visibility event, which servers treat as `shared`; digest D7).
    Own {
        /// `m.room.history_visibility` content's `history_visibility` at creation time.
        #[serde(default)]
        visibility_at_creation: Option<Value>,
    },
    /// Received in `m.room_key`; `content` holds the flag members as they arrived.
    RoomKey {
        /// Members of the `m.room_key` content besides the key itself (flag variants).
        content: Map<String, Value>,
    },
    /// Restored from key backup; `session_data` holds the flag members of `BackedUpSessionData`.
    KeyBackup {
        /// Flag members of `BackedUpSessionData`.
        session_data: Map<String, Value>,
    },
    /// Imported from a key export; `session_data` holds the flag members of `ExportedSessionData`.
    KeyExport {
        /// Flag members of `ExportedSessionData`.
        session_data: Map<String, Value>,
    },
    /// Received in an earlier bundle from `forwarder`.
    RoomKeyBundle {
        /// Who sent that bundle.
        forwarder: String,
    },
    /// Received in `m.forwarded_room_key` (never a route to shareability).
    ForwardedRoomKey {
        /// Members of the `m.forwarded_room_key` content besides the key (flag variants).
        content: Map<String, Value>,
    },
}

/// A session in the inviter's store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviterSession {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Export-format key at the first known index.
    pub session_key: String,
    /// Curve25519 key of the session's creator.
    pub sender_key: String,
    /// Ed25519 key of the session's creator.
    pub sender_claimed_ed25519: String,
    /// How the inviter got it.
    pub origin: SessionOrigin,
}

/// Input of a `bundle-building` case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildInput {
    /// `build`: the implementation builds; `audit`: the suite's auditor judges `candidate`.
    pub operation: BuildOperation,
    /// The room Bob is invited to.
    pub room_id: String,
    /// The inviter's user ID.
    pub inviter_user_id: String,
    /// The inviter's device ID.
    pub inviter_device_id: String,
    /// Current `history_visibility` content value; absent if the room has no such event.
    #[serde(default)]
    pub history_visibility: Option<Value>,
    /// The inviter's sessions (all rooms).
    pub store: Vec<InviterSession>,
    /// `m.history_not_shared` withheld entries the inviter itself received in earlier bundles.
    #[serde(default)]
    pub received_withheld: Vec<Value>,
    /// For `audit`: the bundle to judge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<Value>,
}

/// The two operations of the `bundle-building` category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildOperation {
    /// Build the bundle.
    Build,
    /// Audit a given bundle (suite auditor; reference only).
    Audit,
}

/// A `room_keys` entry of a built bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuiltKey {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Ratchet index of the exported key.
    pub first_known_index: u32,
}

/// A `withheld` entry of a built bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuiltWithheld {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Code as written.
    pub code: String,
}

/// Outcome of a `bundle-building` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum BuildOutcome {
    /// The bundle the inviter sends (summarised).
    Bundle {
        /// `room_keys` entries.
        room_keys: Vec<BuiltKey>,
        /// `withheld` entries.
        withheld: Vec<BuiltWithheld>,
    },
    /// The inviter sends no bundle.
    Nothing,
    /// Audit: the candidate bundle follows the rules.
    Conformant,
    /// Audit: the candidate bundle breaks a rule.
    Violation(Rejection),
}

// ---------------------------------------------------------------------------------------------
// shared-history-flag

/// The structures that carry a `shared_history` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlagStructure {
    /// `m.room_key` to-device content.
    #[serde(rename = "m.room_key")]
    RoomKey,
    /// `m.forwarded_room_key` content (not a route to shareability).
    #[serde(rename = "m.forwarded_room_key")]
    ForwardedRoomKey,
    /// Key backup `BackedUpSessionData`.
    #[serde(rename = "BackedUpSessionData")]
    BackedUpSessionData,
    /// Key export `ExportedSessionData`.
    #[serde(rename = "ExportedSessionData")]
    ExportedSessionData,
}

/// Input of a `shared-history-flag` case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagInput {
    /// Which structure `content` is.
    pub structure: FlagStructure,
    /// The structure's JSON. Exactly one of `content` and `content_text` is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
    /// The structure as literal JSON text (a member named twice); only for implementations that
    /// declare [`Capability::JsonText`](crate::implementation::Capability::JsonText).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_text: Option<String>,
}

impl FlagInput {
    /// The structure as a JSON value: `content`, or `content_text` read by serde_json (a member
    /// named twice keeps its last value).
    pub fn content_value(&self) -> Result<Value, PlaintextError> {
        match (&self.content, &self.content_text) {
            (Some(v), None) => Ok(v.clone()),
            (None, Some(t)) => {
                serde_json::from_str(t).map_err(|e| PlaintextError::Unreadable(e.to_string()))
            }
            _ => Err(PlaintextError::Malformed(
                "exactly one of `content` and `content_text` is required".into(),
            )),
        }
    }

    /// Whether the structure comes as literal JSON text.
    pub fn is_text(&self) -> bool {
        self.content_text.is_some()
    }
}

/// Outcome of a `shared-history-flag` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagOutcome {
    /// Whether a session received this way is shareable.
    pub shareable: bool,
    /// Which spelling of the flag's key decided it, if any was present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<IdentifierVariant>,
}
