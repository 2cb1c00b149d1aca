//! Keys the adapter makes up itself, for parties a case gives no keys for (forwarders of stored
//! sessions, session creators, the parse-only forwarder): they only label sessions, so any valid
//! key does, as long as each label gets its own. They are derived from the label, so runs are
//! repeatable; they are not secret and never stand for a fixture device (whose keys come from
//! the case's replay data).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use matrix_sdk_crypto::vodozemac::{
    Curve25519PublicKey, Curve25519SecretKey, Ed25519PublicKey, Ed25519SecretKey,
};

/// 32 bytes that depend on every byte of `label` (not a cryptographic hash: distinct labels
/// only need distinct keys).
fn label_bytes(label: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut state: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, slot) in out.iter_mut().enumerate() {
        for b in label.bytes().chain([i as u8]) {
            state ^= u64::from(b);
            state = state.wrapping_mul(0x0100_0000_01b3);
        }
        *slot = (state >> 24) as u8;
    }
    out
}

/// The Ed25519 public key labelled `label`.
pub(crate) fn labelled_ed25519(label: &str) -> Ed25519PublicKey {
    Ed25519SecretKey::from_slice(&label_bytes(&format!("ed25519/{label}"))).public_key()
}

/// The Curve25519 public key labelled `label`.
pub(crate) fn labelled_curve25519(label: &str) -> Curve25519PublicKey {
    Curve25519PublicKey::from(&Curve25519SecretKey::from_slice(&label_bytes(&format!(
        "curve25519/{label}"
    ))))
}

/// A media ID (`[A-Za-z0-9_-]`) naming `text`.
pub(crate) fn media_id(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// Padded standard base64, the fixtures' carrier of raw bytes.
pub(crate) fn padded_base64(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_give_distinct_keys() {
        assert_eq!(labelled_ed25519("a"), labelled_ed25519("a"));
        assert_ne!(labelled_ed25519("a"), labelled_ed25519("b"));
        assert_ne!(labelled_curve25519("a"), labelled_curve25519("b"));
        assert_eq!(media_id("!r:x"), "IXI6eA");
    }
}
