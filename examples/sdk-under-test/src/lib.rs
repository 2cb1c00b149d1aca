//! A toy "SDK" that shows how a Rust SDK runs the MSC4268 conformance corpus from its own
//! `cargo test` (see `tests/msc4268.rs` and the README section "Use from an SDK's own cargo test").
//!
//! The SDK has its own API and error types: [`ToyClient::decrypt_attachment`],
//! [`ToyClient::read_bundle`] and [`ToyClient::is_shareable`]. Its engine is borrowed from the
//! suite's reference model, with documented twists that show how the suite treats them:
//!
//! 1. **Its errors carry no rule ids.** [`ToyError`] only says what went wrong in words; the
//!    adapter maps every error to a rejection without `rule`, and the runner then compares
//!    outcomes without rule ids (it does so whenever an implementation reports none).
//! 2. **It knows stable and unstable identifiers, not matrix-rust-sdk's `m.shared_history`.**
//!    It declares so in [`Implementation::info`], and the corpus's `interop` groups are reported
//!    skipped, with the reason.
//! 3. **It offers three operations** (file decryption, bundle parsing, reading the flag); every
//!    other category is reported skipped, never passed.
//! 4. **It refuses attachments larger than its own limit** ([`ToyClient::max_attachment`], 1 MiB
//!    by default, well below the suite's 64 MiB), the kind of local policy an SDK may have.

use msc4268_harness::cases::*;
use msc4268_harness::identifiers::IdentifierVariant;
use msc4268_harness::implementation::{Implementation, ImplementationInfo, OpError, OpResult};
use msc4268_model::wire::bundle;

/// What the toy SDK reports when it refuses something.
#[derive(Debug, thiserror::Error)]
pub enum ToyError {
    /// The attachment is malformed or does not verify.
    #[error("attachment refused: {0}")]
    Attachment(String),
    /// The bundle is not a bundle.
    #[error("bundle refused: {0}")]
    Bundle(String),
}

/// A room key the toy SDK read from a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToyRoomKey {
    /// Where the entry was in the bundle (JSON pointer).
    pub source: String,
    /// Room.
    pub room_id: String,
    /// Session.
    pub session_id: String,
    /// First known ratchet index.
    pub first_index: u32,
}

/// The toy SDK's view of a bundle.
#[derive(Debug, Clone, Default)]
pub struct ToyBundle {
    /// Keys it will import.
    pub keys: Vec<ToyRoomKey>,
    /// Withheld entries: (source, room, session, code, which spelling of the code).
    pub withheld: Vec<WithheldSummary>,
    /// Entries it dropped: (source, why).
    pub dropped: Vec<(String, String)>,
}

/// The toy SDK's client.
#[derive(Debug, Clone)]
pub struct ToyClient {
    /// Largest attachment it downloads and decrypts, in bytes.
    pub max_attachment: u64,
}

impl Default for ToyClient {
    fn default() -> Self {
        Self {
            max_attachment: 1024 * 1024,
        }
    }
}

impl ToyClient {
    /// Checks and decrypts a downloaded attachment described by `file` (an `EncryptedFile`).
    pub fn decrypt_attachment(
        &self,
        file: &serde_json::Value,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, ToyError> {
        msc4268_model::attachment::decrypt_json(file, ciphertext, self.max_attachment)
            .map_err(|v| ToyError::Attachment(v.message))
    }

    /// Reads a decrypted bundle.
    pub fn read_bundle(&self, plaintext: &[u8]) -> Result<ToyBundle, ToyError> {
        let parsed = bundle::parse(plaintext).map_err(|v| ToyError::Bundle(v.message))?;
        let BundleParseOutcome::Parsed { withheld, .. } = BundleParseOutcome::from(&parsed) else {
            return Err(ToyError::Bundle("unreadable".into()));
        };
        Ok(ToyBundle {
            keys: parsed
                .room_keys
                .iter()
                .map(|e| ToyRoomKey {
                    source: e.source.clone(),
                    room_id: e.value.room_id.clone(),
                    session_id: e.value.session_id.clone(),
                    first_index: e.value.session_key.index,
                })
                .collect(),
            withheld,
            dropped: parsed
                .skipped
                .iter()
                .map(|(s, v)| (s.clone(), v.message.clone()))
                .collect(),
        })
    }

    /// Whether a session received in `structure` (with this JSON) may be shared with invitees.
    pub fn is_shareable(
        &self,
        structure: FlagStructure,
        content: &serde_json::Value,
    ) -> FlagOutcome {
        msc4268_model::policy::flag::read(structure.into(), content).into()
    }
}

/// The glue between the toy SDK and the suite: one method per operation it offers.
impl Implementation for ToyClient {
    fn info(&self) -> ImplementationInfo {
        ImplementationInfo {
            name: "toy-sdk".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            language: "rust".into(),
            issues: None,
            identifiers: vec![IdentifierVariant::Stable, IdentifierVariant::Unstable],
        }
    }

    fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        let ciphertext = carrier_bytes(&input.ciphertext).map_err(OpError::Errored)?;
        Ok(match self.decrypt_attachment(&input.file, &ciphertext) {
            Ok(plaintext) => DecryptOutcome::Decrypted {
                plaintext: msc4268_model::b64::encode_padded(plaintext),
            },
            Err(e) => DecryptOutcome::Rejected(Rejection {
                reason: e.to_string(),
                ..Rejection::default()
            }),
        })
    }

    fn parse_bundle(&self, input: &BundleParsingInput) -> OpResult<BundleParseOutcome> {
        let bytes = input.bytes().map_err(OpError::Errored)?;
        Ok(match self.read_bundle(&bytes) {
            Ok(b) => BundleParseOutcome::Parsed {
                room_keys: b
                    .keys
                    .into_iter()
                    .map(|k| KeySummary {
                        source: k.source,
                        room_id: k.room_id,
                        session_id: k.session_id,
                        first_known_index: k.first_index,
                    })
                    .collect(),
                withheld: b.withheld,
                skipped: b
                    .dropped
                    .into_iter()
                    .map(|(source, reason)| SkippedEntry {
                        source,
                        rule: None,
                        reason,
                    })
                    .collect(),
            },
            Err(e) => BundleParseOutcome::Rejected(Rejection {
                reason: e.to_string(),
                ..Rejection::default()
            }),
        })
    }

    fn shared_history_flag(&self, input: &FlagInput) -> OpResult<FlagOutcome> {
        // This SDK declares no capability, so the structure always comes as a JSON value.
        let content = input
            .content_value()
            .map_err(|e| OpError::Errored(e.to_string()))?;
        Ok(self.is_shareable(input.structure, &content))
    }
}
