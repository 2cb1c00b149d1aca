//! PLACEHOLDER (owned by the envelope helper): Olm plaintext envelope checks.
use crate::cases::{KnownDevice, ReceivedToDevice, Recipient, SenderIdentity};
use crate::error::Violation;
use serde_json::Value;
/// Validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedEnvelope {
    /// s
    pub sender: String,
    /// d
    pub sender_device_id: String,
    /// e
    pub sender_ed25519: String,
    /// c
    pub sender_curve25519: String,
    /// t
    pub event_type: String,
    /// c
    pub content: Value,
    /// k
    pub device_keys: Value,
}
/// Trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderTrust {
    /// a
    CrossSignedTofu,
    /// b
    Verified,
    /// c
    NotCrossSigned,
    /// d
    IdentityViolation,
}
/// Validate.
pub fn validate(
    _r: &Recipient,
    _e: &ReceivedToDevice,
    _k: &[KnownDevice],
) -> Result<ValidatedEnvelope, Violation> {
    todo!()
}
/// Trust.
pub fn sender_trust(_e: &ValidatedEnvelope, _i: Option<&SenderIdentity>) -> SenderTrust {
    todo!()
}
