//! The receiver's trust in the device that sent a room key bundle (X1, X2).
//!
//! Following matrix-rust-sdk (digest D9), a bundle is used only if the sending device is
//! cross-signed by its owner: the device keys carry a valid signature by the owner's self-signing
//! key (SSK), and the SSK carries a valid signature by the owner's master key (MSK). The
//! recipient's pinned or verified state of that identity then decides between trust on first use,
//! verified, and a pin violation (X2: never used).

use serde_json::{Map, Value};

use crate::b64;
use crate::signing::{SignatureError, verify_json};

use super::ValidatedEnvelope;

/// How far the recipient trusts the sender's cross-signing identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityState {
    /// First seen and pinned (trust on first use).
    Tofu,
    /// Verified by the recipient.
    Verified,
    /// The identity changed after it was pinned or verified.
    PinViolation,
}

/// The sender's cross-signing identity as the recipient knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SenderIdentity {
    /// The master `CrossSigningKey` object, as received.
    pub master_key: Value,
    /// The self-signing `CrossSigningKey` object, signed by the master key, as received.
    pub self_signing_key: Value,
    /// The recipient's trust in it.
    pub state: IdentityState,
}

/// How far the recipient trusts the sender of a validated envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderTrust {
    /// The device is cross-signed by an identity trusted on first use (pinned, not verified).
    CrossSignedTofu,
    /// The device is cross-signed by an identity the recipient verified.
    Verified,
    /// No identity, or the device is not correctly cross-signed by it (X1: not used).
    NotCrossSigned,
    /// The device is cross-signed, but the identity changed after it was pinned or verified (X2:
    /// not used).
    IdentityViolation,
}

/// The two cross-signing keys the chain goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// The master key (`usage: ["master"]`).
    Master,
    /// The self-signing key (`usage: ["self_signing"]`).
    SelfSigning,
}

impl KeyRole {
    /// The `usage` entry a key of this role carries.
    pub fn usage(self) -> &'static str {
        match self {
            KeyRole::Master => "master",
            KeyRole::SelfSigning => "self_signing",
        }
    }
}

impl std::fmt::Display for KeyRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyRole::Master => "master key",
            KeyRole::SelfSigning => "self-signing key",
        })
    }
}

/// Why a device is not cross-signed by the identity the recipient has for its owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrossSigningError {
    /// A cross-signing key is not a JSON object.
    #[error("the {role} is not a JSON object")]
    NotAnObject {
        /// Which key.
        role: KeyRole,
    },
    /// A cross-signing key belongs to another user (or names none).
    #[error("the {role} belongs to {found:?}, not to the sender {sender}")]
    WrongOwner {
        /// Which key.
        role: KeyRole,
        /// Its `user_id`, if it is a string.
        found: Option<String>,
        /// The sender.
        sender: String,
    },
    /// A cross-signing key's `usage` lacks its role.
    #[error("the {role}'s `usage` does not contain `{}`", role.usage())]
    WrongUsage {
        /// Which key.
        role: KeyRole,
    },
    /// A cross-signing key's `keys` is not exactly one `ed25519:<key>` entry holding that 32-byte key.
    #[error(
        "the {role} must hold exactly one key, `ed25519:<key>`: <key> (32 bytes, unpadded base64)"
    )]
    MalformedKey {
        /// Which key.
        role: KeyRole,
    },
    /// The self-signing key carries no valid signature by the master key.
    #[error("the self-signing key is not signed by the master key: {0}")]
    SelfSigningNotSigned(SignatureError),
    /// The device keys are not an object, or belong to another user than the sender.
    #[error("the device keys do not belong to the sender {sender}")]
    DeviceNotOwned {
        /// The sender.
        sender: String,
    },
    /// The device keys carry no valid signature by the self-signing key.
    #[error("the device is not signed by the self-signing key: {0}")]
    DeviceNotSigned(SignatureError),
}

/// The trust the recipient has in the sender of `envelope`, given what it knows of the sender's
/// cross-signing identity (X1, X2).
pub fn sender_trust(
    envelope: &ValidatedEnvelope,
    identity: Option<&SenderIdentity>,
) -> SenderTrust {
    let Some(identity) = identity else {
        return SenderTrust::NotCrossSigned;
    };
    if check_cross_signing(&envelope.sender, &envelope.device_keys, identity).is_err() {
        return SenderTrust::NotCrossSigned;
    }
    match identity.state {
        IdentityState::Tofu => SenderTrust::CrossSignedTofu,
        IdentityState::Verified => SenderTrust::Verified,
        IdentityState::PinViolation => SenderTrust::IdentityViolation,
    }
}

/// Checks the chain master key → self-signing key → device keys for `sender` (X1).
pub fn check_cross_signing(
    sender: &str,
    device_keys: &Value,
    identity: &SenderIdentity,
) -> Result<(), CrossSigningError> {
    let msk = cross_signing_key(&identity.master_key, KeyRole::Master, sender)?;
    let ssk = cross_signing_key(&identity.self_signing_key, KeyRole::SelfSigning, sender)?;
    verify_json(ssk.object, sender, &msk.key_id, &msk.key)
        .map_err(CrossSigningError::SelfSigningNotSigned)?;
    let dk = device_keys
        .as_object()
        .filter(|dk| dk.get("user_id").and_then(Value::as_str) == Some(sender))
        .ok_or_else(|| CrossSigningError::DeviceNotOwned {
            sender: sender.to_owned(),
        })?;
    verify_json(dk, sender, &ssk.key_id, &ssk.key).map_err(CrossSigningError::DeviceNotSigned)
}

/// A checked `CrossSigningKey` object.
struct CrossSigningKey<'a> {
    /// The object.
    object: &'a Map<String, Value>,
    /// Its only key's ID, `ed25519:<key>`.
    key_id: String,
    /// The public key.
    key: [u8; 32],
}

/// The `CrossSigningKey` object `value` of `sender` with `role`.
fn cross_signing_key<'a>(
    value: &'a Value,
    role: KeyRole,
    sender: &str,
) -> Result<CrossSigningKey<'a>, CrossSigningError> {
    let obj = value
        .as_object()
        .ok_or(CrossSigningError::NotAnObject { role })?;
    let owner = obj.get("user_id").and_then(Value::as_str);
    if owner != Some(sender) {
        return Err(CrossSigningError::WrongOwner {
            role,
            found: owner.map(str::to_owned),
            sender: sender.to_owned(),
        });
    }
    let has_usage = obj
        .get("usage")
        .and_then(Value::as_array)
        .is_some_and(|u| u.iter().any(|x| x.as_str() == Some(role.usage())));
    if !has_usage {
        return Err(CrossSigningError::WrongUsage { role });
    }
    let malformed = CrossSigningError::MalformedKey { role };
    let keys = obj
        .get("keys")
        .and_then(Value::as_object)
        .ok_or(malformed.clone())?;
    let mut entries = keys.iter();
    let (Some((key_id, key)), None) = (entries.next(), entries.next()) else {
        return Err(malformed);
    };
    let key = key.as_str().ok_or(malformed.clone())?;
    if key_id.strip_prefix("ed25519:") != Some(key) {
        return Err(malformed);
    }
    let bytes = b64::decode_array::<32>(key, b64::Alphabet::Standard).map_err(|_| malformed)?;
    Ok(CrossSigningKey {
        object: obj,
        key_id: key_id.clone(),
        key: bytes,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::identifiers::IdentifierVariant;
    use crate::material::{CrossSigning, Device};
    use serde_json::json;

    const ALICE: &str = "@alice:hs1.test";
    const MALLORY: &str = "@mallory:evil.test";

    fn alice() -> Device {
        Device::new(ALICE, "ALICEDEV")
    }

    fn cs(label: &str) -> CrossSigning {
        CrossSigning::new(ALICE, label)
    }

    fn envelope(device_keys: Value) -> ValidatedEnvelope {
        let a = alice();
        ValidatedEnvelope {
            sender: ALICE.into(),
            sender_device_id: a.device_id.clone(),
            sender_ed25519: a.ed25519(),
            sender_curve25519: a.curve25519(),
            event_type: "m.room_key_bundle".into(),
            event_type_variant: IdentifierVariant::Stable,
            content: json!({}),
            device_keys,
            device_keys_variant: IdentifierVariant::Stable,
        }
    }

    fn identity(cs: &CrossSigning, state: IdentityState) -> SenderIdentity {
        SenderIdentity {
            master_key: cs.master_key_json(),
            self_signing_key: cs.self_signing_key_json(),
            state,
        }
    }

    fn signed() -> ValidatedEnvelope {
        envelope(alice().device_keys(Some(&cs("v1"))))
    }

    #[test]
    fn tofu_verified_and_pin_violation() {
        let id = |s| identity(&cs("v1"), s);
        assert_eq!(
            sender_trust(&signed(), Some(&id(IdentityState::Tofu))),
            SenderTrust::CrossSignedTofu
        );
        assert_eq!(
            sender_trust(&signed(), Some(&id(IdentityState::Verified))),
            SenderTrust::Verified
        );
        assert_eq!(
            sender_trust(&signed(), Some(&id(IdentityState::PinViolation))),
            SenderTrust::IdentityViolation
        );
    }

    #[test]
    fn no_identity_is_not_cross_signed() {
        assert_eq!(sender_trust(&signed(), None), SenderTrust::NotCrossSigned);
    }

    #[test]
    fn unsigned_device_is_not_cross_signed() {
        let env = envelope(alice().device_keys(None));
        let id = identity(&cs("v1"), IdentityState::Verified);
        assert_eq!(sender_trust(&env, Some(&id)), SenderTrust::NotCrossSigned);
        assert!(matches!(
            check_cross_signing(ALICE, &env.device_keys, &id),
            Err(CrossSigningError::DeviceNotSigned(
                SignatureError::Missing { .. }
            ))
        ));
        // An unsigned device stays untrusted even when the identity is in a pin violation.
        let id = identity(&cs("v1"), IdentityState::PinViolation);
        assert_eq!(sender_trust(&env, Some(&id)), SenderTrust::NotCrossSigned);
    }

    #[test]
    fn device_signed_by_an_older_identity_is_not_cross_signed() {
        // Alice reset her identity (v2); the device is still signed by the v1 SSK.
        let id = identity(&cs("v2"), IdentityState::Tofu);
        assert_eq!(
            sender_trust(&signed(), Some(&id)),
            SenderTrust::NotCrossSigned
        );
        assert!(matches!(
            check_cross_signing(ALICE, &signed().device_keys, &id),
            Err(CrossSigningError::DeviceNotSigned(
                SignatureError::Missing { .. }
            ))
        ));
    }

    #[test]
    fn ssk_not_signed_by_msk_is_not_cross_signed() {
        // The v1 SSK (which did sign the device) presented under the v2 master key.
        let id = SenderIdentity {
            master_key: cs("v2").master_key_json(),
            self_signing_key: cs("v1").self_signing_key_json(),
            state: IdentityState::Verified,
        };
        assert_eq!(
            sender_trust(&signed(), Some(&id)),
            SenderTrust::NotCrossSigned
        );
        assert!(matches!(
            check_cross_signing(ALICE, &signed().device_keys, &id),
            Err(CrossSigningError::SelfSigningNotSigned(_))
        ));
        // The SSK with its master signature stripped.
        let mut ssk = cs("v1").self_signing_key_json();
        ssk.as_object_mut().unwrap().remove("signatures");
        let id = SenderIdentity {
            master_key: cs("v1").master_key_json(),
            self_signing_key: ssk,
            state: IdentityState::Tofu,
        };
        assert!(matches!(
            check_cross_signing(ALICE, &signed().device_keys, &id),
            Err(CrossSigningError::SelfSigningNotSigned(
                SignatureError::Missing { .. }
            ))
        ));
    }

    #[test]
    fn identity_of_another_user_is_not_cross_signed() {
        let mallory = CrossSigning::new(MALLORY, "v1");
        let id = identity(&mallory, IdentityState::Tofu);
        // Even a device that Mallory's SSK signed does not make Alice cross-signed.
        let dk = alice().device_keys(Some(&mallory));
        assert_eq!(
            sender_trust(&envelope(dk.clone()), Some(&id)),
            SenderTrust::NotCrossSigned
        );
        assert!(matches!(
            check_cross_signing(ALICE, &dk, &id),
            Err(CrossSigningError::WrongOwner {
                role: KeyRole::Master,
                ..
            })
        ));
    }

    #[test]
    fn malformed_cross_signing_keys_are_not_cross_signed() {
        let good = identity(&cs("v1"), IdentityState::Tofu);
        let dk = signed().device_keys;

        let mut id = good.clone();
        id.master_key["usage"] = json!(["self_signing"]);
        assert_eq!(
            check_cross_signing(ALICE, &dk, &id),
            Err(CrossSigningError::WrongUsage {
                role: KeyRole::Master
            })
        );

        let mut id = good.clone();
        id.self_signing_key["usage"] = json!(["master"]);
        assert_eq!(
            check_cross_signing(ALICE, &dk, &id),
            Err(CrossSigningError::WrongUsage {
                role: KeyRole::SelfSigning
            })
        );

        let mut id = good.clone();
        let extra = cs("v2").msk_public();
        id.master_key["keys"][format!("ed25519:{extra}")] = json!(extra);
        assert_eq!(
            check_cross_signing(ALICE, &dk, &id),
            Err(CrossSigningError::MalformedKey {
                role: KeyRole::Master
            })
        );

        let mut id = good.clone();
        id.self_signing_key["user_id"] = json!(MALLORY);
        assert!(matches!(
            check_cross_signing(ALICE, &dk, &id),
            Err(CrossSigningError::WrongOwner {
                role: KeyRole::SelfSigning,
                ..
            })
        ));

        let mut id = good;
        id.master_key = json!("not an object");
        assert_eq!(
            check_cross_signing(ALICE, &dk, &id),
            Err(CrossSigningError::NotAnObject {
                role: KeyRole::Master
            })
        );
    }

    #[test]
    fn device_of_another_user_is_not_cross_signed() {
        let id = identity(&cs("v1"), IdentityState::Tofu);
        let mut dk = signed().device_keys;
        dk["user_id"] = json!(MALLORY);
        assert!(matches!(
            check_cross_signing(ALICE, &dk, &id),
            Err(CrossSigningError::DeviceNotOwned { .. })
        ));
    }
}
