//! The interface every implementation under test provides, one method per fixture operation.
//!
//! Each method defaults to [`OpError::Unsupported`], so an implementation supports exactly the
//! operations it overrides; the runner reports the rest as *skipped, with the reason*, never as
//! passed. The reference model (`msc4268_model::reference::Reference`) is one implementation.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cases::*;
use crate::identifiers::IdentifierVariant;

/// Who an implementation is and what it supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImplementationInfo {
    /// Short name used on the command line and in reports (`reference`, `matrix-sdk-crypto`).
    pub name: String,
    /// Version of the implementation.
    pub version: String,
    /// Programming language.
    pub language: String,
    /// Where to report bugs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<String>,
    /// Identifier variants it understands; cases of other groups are skipped.
    pub identifiers: Vec<IdentifierVariant>,
}

/// Why an operation gave no outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// The implementation does not offer this operation (reported as skipped).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The implementation failed unexpectedly (reported as errored, which counts as a failure).
    #[error("errored: {0}")]
    Errored(String),
    /// The implementation gave no answer in time (reported as errored, which counts as a
    /// failure; an expected-failures entry tells it apart from other errors with
    /// `"fails_as": "timeout"`).
    #[error("timed out: {0}")]
    TimedOut(String),
}

/// Result of one operation.
pub type OpResult<T> = Result<T, OpError>;

fn unsupported<T>(what: &str) -> OpResult<T> {
    Err(OpError::Unsupported(format!(
        "this implementation does not offer {what}"
    )))
}

/// An optional part of the protocol an implementation says it reads. A case that needs a
/// capability the implementation does not declare is reported *skipped*, with the reason, and
/// never sent to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Reads the literal-JSON-text carriers outside `bundle-parsing`: `event.plaintext_text`
    /// (`olm-envelope`, `import-decision`) and `content_text` (`shared-history-flag`). The text is
    /// what the implementation's own JSON parser must read (or, with a real Olm layer, what it
    /// must encrypt byte for byte): duplicate member names, `\u` escapes, lone surrogates.
    JsonText,
    /// A capability this version of the suite does not know (declared by a newer adapter).
    #[serde(other)]
    Unknown,
}

impl Capability {
    /// Every capability the suite knows.
    pub const ALL: [Capability; 1] = [Capability::JsonText];

    /// The name in the protocol (`json-text`).
    pub fn name(self) -> &'static str {
        match self {
            Capability::JsonText => "json-text",
            Capability::Unknown => "unknown",
        }
    }
}

/// Limits an implementation declares, for the cases that test them: a case that needs a limit
/// the implementation does not declare is reported *skipped*, with the reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The largest download (ciphertext bytes) it accepts as a bundle file; anything larger is
    /// refused. The harness makes a file one byte over it (`bytes_over_declared_limit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_download_bytes: Option<u64>,
}

impl Limits {
    /// Whether no limit is declared.
    pub fn is_empty(&self) -> bool {
        self.max_download_bytes.is_none()
    }
}

/// An implementation under test.
pub trait Implementation: Send + Sync {
    /// Name, version and capabilities.
    fn info(&self) -> ImplementationInfo;

    /// The optional parts of the protocol it reads (default: none). Cases that need another
    /// capability are skipped, with the reason.
    fn capabilities(&self) -> Vec<Capability> {
        Vec::new()
    }

    /// The limits it declares (default: none).
    fn limits(&self) -> Limits {
        Limits::default()
    }

    /// Whether the suite's auditors may run as this implementation (audit cases check the
    /// suite's own auditors, so only the reference model and its derivatives say yes).
    fn runs_audits(&self) -> bool {
        false
    }

    /// Called by the runner before each case with its id, so that an implementation can name the
    /// case in its own logs or messages (the process adapter sends it along). Does nothing by
    /// default.
    fn begin_case(&self, _case_id: &str) {}

    /// Called once after the last case: ends the implementation (an adapter process is sent
    /// `stop`) and returns notes for the report, one line each (restarts, protocol problems, how
    /// it stopped). Returns nothing by default.
    fn finish(&self) -> Vec<String> {
        Vec::new()
    }

    /// `bundle-parsing`: read a decrypted bundle.
    fn parse_bundle(&self, _input: &BundleParsingInput) -> OpResult<BundleParseOutcome> {
        unsupported("bundle parsing")
    }

    /// `file-decryption`: check and decrypt a downloaded file.
    fn decrypt_file(&self, _input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        unsupported("file decryption")
    }

    /// `file-encryption`: encrypt `plaintext` as an attachment, with a placeholder `mxc://` URL.
    fn encrypt_file(&self, _plaintext: &[u8]) -> OpResult<Encryption> {
        unsupported("file encryption")
    }

    /// `to-device-content`: check the decrypted event's type and content.
    fn check_to_device(&self, _input: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
        unsupported("to-device content checks")
    }

    /// `olm-envelope`: check the Olm plaintext envelope.
    fn check_envelope(&self, _input: &OlmEnvelopeInput) -> OpResult<EnvelopeOutcome> {
        unsupported("Olm envelope checks")
    }

    /// `import-decision`: handle a received bundle end to end.
    fn decide_import(&self, _input: &ImportInput) -> OpResult<ImportOutcome> {
        unsupported("import decisions")
    }

    /// `bundle-building` (`build`): the bundle JSON to send, or `None` to send nothing.
    fn build_bundle(&self, _input: &BuildInput) -> OpResult<Option<Value>> {
        unsupported("bundle building")
    }

    /// `shared-history-flag`: whether a session received in this structure is shareable.
    fn shared_history_flag(&self, _input: &FlagInput) -> OpResult<FlagOutcome> {
        unsupported("shared_history flag reading")
    }
}
