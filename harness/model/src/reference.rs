//! The reference implementation: the suite's own reading of the spec, used as the embedded
//! default implementation and as the base of the mutant self-test.

use serde_json::Value;

use msc4268_protocol::cases::*;
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::{Implementation, ImplementationInfo, OpError, OpResult};

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
        Ok(crate::wire::bundle::parse_outcome(&bytes))
    }

    fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        let ciphertext = carrier_bytes(&input.ciphertext).map_err(OpError::Errored)?;
        Ok(
            match crate::attachment::decrypt_json(
                &input.file,
                &ciphertext,
                crate::attachment::DEFAULT_MAX_SIZE,
            ) {
                Ok(plaintext) => DecryptOutcome::Decrypted {
                    plaintext: crate::b64::encode_padded(plaintext),
                },
                Err(v) => DecryptOutcome::Rejected(v.into()),
            },
        )
    }

    fn encrypt_file(&self, plaintext: &[u8]) -> OpResult<Encryption> {
        crate::attachment::encrypt_to_fixture(plaintext, crate::attachment::PLACEHOLDER_URL)
            .map_err(|e| OpError::Errored(e.to_string()))
    }

    fn check_to_device(&self, input: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
        Ok(
            match crate::wire::to_device::parse_content(&input.event_type, &input.content) {
                Ok(c) => ToDeviceOutcome::Accepted {
                    room_id: c.room_id,
                    event_type_variant: c.event_type_variant,
                    url: c.file.url,
                },
                Err(v) => ToDeviceOutcome::Rejected(v.into()),
            },
        )
    }

    fn check_envelope(&self, input: &OlmEnvelopeInput) -> OpResult<EnvelopeOutcome> {
        Ok(
            match crate::wire::olm::validate(&input.recipient, &input.event, &input.known_devices) {
                Ok(e) => EnvelopeOutcome::Accepted {
                    sender: e.sender,
                    sender_device_id: e.sender_device_id,
                    sender_ed25519: e.sender_ed25519,
                    event_type: e.event_type,
                },
                Err(v) => EnvelopeOutcome::Rejected(v.into()),
            },
        )
    }

    fn decide_import(&self, input: &ImportInput) -> OpResult<ImportOutcome> {
        Ok(crate::policy::import::decide(input))
    }

    fn build_bundle(&self, input: &BuildInput) -> OpResult<Option<Value>> {
        crate::policy::build::build(input).map_err(|v| OpError::Errored(v.to_string()))
    }

    fn shared_history_flag(&self, input: &FlagInput) -> OpResult<FlagOutcome> {
        Ok(crate::policy::flag::read(input.structure, &input.content))
    }
}
