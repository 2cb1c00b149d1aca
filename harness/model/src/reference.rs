//! The reference implementation, and the model's one boundary with the case contract.
//!
//! [`Reference`] is the suite's own reading of the spec, used as the embedded default
//! implementation and as the base of the mutant self-test. This module and [`convert`] are the
//! only code of the model that names `msc4268_protocol`: each operation converts the contract's
//! input to the model's input, runs the model, and converts the model's result to the contract's
//! outcome. The suite's auditors ([`audit_build`], [`judge_built`], [`audit_encryptions`]) are
//! offered here in contract terms for the runner.

pub mod convert;

use serde_json::Value;

use msc4268_protocol::cases::*;
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::{
    Capability, Implementation, ImplementationInfo, Limits, OpError, OpResult,
};

use crate::attachment::{self, EncryptedAttachment};
use crate::error::Violation;
use crate::json::pointer;
use crate::policy::build::{self, BuildRequest};
use crate::policy::flag;
use crate::policy::import::{self, ImportRequest};
use crate::wire::{bundle, olm, to_device};

/// The reference model of MSC4268 / spec v1.19 as this suite reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reference;

impl Implementation for Reference {
    fn info(&self) -> ImplementationInfo {
        ImplementationInfo {
            name: "reference".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            language: "rust".into(),
            issues: None,
            identifiers: vec![
                IdentifierVariant::Stable,
                IdentifierVariant::Unstable,
                IdentifierVariant::Interop,
            ],
        }
    }

    fn runs_audits(&self) -> bool {
        true
    }

    fn parse_bundle(&self, input: &BundleParsingInput) -> OpResult<BundleParseOutcome> {
        let bytes = input.bytes().map_err(OpError::Errored)?;
        Ok(match bundle::parse(&bytes) {
            Ok(b) => BundleParseOutcome::from(&b),
            Err(v) => BundleParseOutcome::Rejected(v.into()),
        })
    }

    fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        let ciphertext = carrier_bytes(&input.ciphertext).map_err(OpError::Errored)?;
        Ok(
            match attachment::decrypt_json(&input.file, &ciphertext, attachment::DEFAULT_MAX_SIZE) {
                Ok(plaintext) => DecryptOutcome::Decrypted {
                    plaintext: crate::b64::encode_padded(plaintext),
                },
                Err(v) => DecryptOutcome::Rejected(v.into()),
            },
        )
    }

    fn encrypt_file(&self, plaintext: &[u8]) -> OpResult<Encryption> {
        attachment::encrypt(plaintext, attachment::PLACEHOLDER_URL)
            .map(Encryption::from)
            .map_err(|e| OpError::Errored(e.to_string()))
    }

    fn capabilities(&self) -> Vec<Capability> {
        vec![Capability::JsonText]
    }

    fn limits(&self) -> Limits {
        Limits {
            max_download_bytes: Some(attachment::DEFAULT_MAX_SIZE),
        }
    }

    fn check_to_device(&self, input: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
        Ok(
            match to_device::parse_content(&input.event_type, &input.content) {
                Ok(c) => ToDeviceOutcome::Accepted {
                    room_id: c.room_id,
                    event_type_variant: c.event_type_variant.into(),
                    url: c.file.url,
                },
                Err(v) => ToDeviceOutcome::Rejected(v.into()),
            },
        )
    }

    fn check_envelope(&self, input: &OlmEnvelopeInput) -> OpResult<EnvelopeOutcome> {
        let recipient = olm::Recipient::from(&input.recipient);
        let event = olm::ReceivedToDevice::from(&input.event);
        let known = convert::known_devices(&input.known_devices);
        Ok(match olm::validate(&recipient, &event, &known) {
            Ok(e) => EnvelopeOutcome::Accepted {
                sender: e.sender,
                sender_device_id: e.sender_device_id,
                sender_ed25519: e.sender_ed25519,
                event_type: e.event_type,
            },
            Err(v) => EnvelopeOutcome::Rejected(v.into()),
        })
    }

    fn decide_import(&self, input: &ImportInput) -> OpResult<ImportOutcome> {
        Ok(import::decide(&ImportRequest::from(input)).into())
    }

    fn build_bundle(&self, input: &BuildInput) -> OpResult<Option<Value>> {
        build::build(&BuildRequest::from(input)).map_err(|v| OpError::Errored(v.to_string()))
    }

    fn shared_history_flag(&self, input: &FlagInput) -> OpResult<FlagOutcome> {
        // A structure that is not JSON at all carries no flag: not shareable.
        let content = match input.content_value() {
            Ok(v) => v,
            Err(PlaintextError::Unreadable(_)) => Value::Null,
            Err(PlaintextError::Malformed(m)) => return Err(OpError::Errored(m)),
        };
        Ok(flag::read(input.structure.into(), &content).into())
    }
}

/// The suite's bundle auditor on `candidate`, a bundle someone built for `input`'s store
/// ([`build::audit`]): `Conformant`, or the first rule it breaks.
pub fn audit_build(input: &BuildInput, candidate: &Value) -> BuildOutcome {
    match build::audit(&BuildRequest::from(input), candidate) {
        Ok(()) => BuildOutcome::Conformant,
        Err(v) => BuildOutcome::Violation(v.into()),
    }
}

/// An implementation's built `bundle` for `input`'s store, judged: the first rule the auditor
/// finds broken ([`build::audit`]), or else the bundle's summary ([`build::summarise`]).
pub fn judge_built(input: &BuildInput, bundle: &Value) -> BuildOutcome {
    if let Err(v) = build::audit(&BuildRequest::from(input), bundle) {
        return BuildOutcome::Violation(v.into());
    }
    summarise_built(bundle)
}

/// The summary of a built `bundle` ([`build::summarise`]) without auditing it against a store,
/// or the rule its shape breaks.
pub fn summarise_built(bundle: &Value) -> BuildOutcome {
    match build::summarise(bundle) {
        Ok(summary) => summary.into(),
        Err(v) => BuildOutcome::Violation(v.into()),
    }
}

/// The suite's encryption auditor ([`attachment::audit`]) on encryptions of `plaintext`.
///
/// A ciphertext carrier that is not base64 breaks R17 at `/encryptions/<i>/ciphertext`; the
/// encryptions before it are audited first.
pub fn audit_encryptions(plaintext: &[u8], encryptions: &[Encryption]) -> EncryptionAuditOutcome {
    let mut uploads = Vec::with_capacity(encryptions.len());
    let mut carrier_violation = None;
    for (i, e) in encryptions.iter().enumerate() {
        match crate::b64::decode(&e.ciphertext, crate::b64::Alphabet::Standard) {
            Ok(ciphertext) => uploads.push(EncryptedAttachment {
                file: e.file.clone(),
                ciphertext,
            }),
            Err(err) => {
                carrier_violation = Some(Violation::new(
                    "R17",
                    pointer(&pointer("/encryptions", i), "ciphertext"),
                    format!("the ciphertext carrier is not base64: {err}"),
                ));
                break;
            }
        }
    }
    match attachment::audit(plaintext, &uploads)
        .err()
        .or(carrier_violation)
    {
        None => EncryptionAuditOutcome::Conformant,
        Some(v) => EncryptionAuditOutcome::Violation(v.into()),
    }
}

#[cfg(test)]
mod tests {
    /// The model spells the identifiers exactly as the contract does.
    #[test]
    fn identifiers_agree_with_the_contract() {
        use crate::identifiers as model;
        use msc4268_protocol::identifiers as contract;
        for (m, c) in [
            (model::ROOM_KEY_BUNDLE, contract::ROOM_KEY_BUNDLE),
            (
                model::ROOM_KEY_BUNDLE_UNSTABLE,
                contract::ROOM_KEY_BUNDLE_UNSTABLE,
            ),
            (model::HISTORY_NOT_SHARED, contract::HISTORY_NOT_SHARED),
            (
                model::HISTORY_NOT_SHARED_UNSTABLE,
                contract::HISTORY_NOT_SHARED_UNSTABLE,
            ),
            (model::SHARED_HISTORY, contract::SHARED_HISTORY),
            (
                model::SHARED_HISTORY_UNSTABLE,
                contract::SHARED_HISTORY_UNSTABLE,
            ),
            (
                model::SHARED_HISTORY_INTEROP,
                contract::SHARED_HISTORY_INTEROP,
            ),
            (model::MEGOLM_V1, contract::MEGOLM_V1),
            (model::OLM_V1, contract::OLM_V1),
            (
                model::SENDER_DEVICE_KEYS_UNSTABLE,
                contract::SENDER_DEVICE_KEYS_UNSTABLE,
            ),
        ] {
            assert_eq!(m, c);
        }
    }
}
