//! Megolm session keys in the export format, and the Megolm ratchet.
//!
//! Export format (spec §Megolm, "session export format"): one version byte `0x01`, the ratchet
//! index as a 4-byte big-endian integer, the ratchet `R0..R3` (4 × 32 bytes), and the session's
//! Ed25519 public key (32 bytes): 165 bytes in all. A session's ID is the unpadded base64 of that
//! Ed25519 key.
//!
//! The ratchet is written here from the Megolm specification rather than taken from vodozemac, so
//! the reference model is independent of the implementations it checks; a unit test proves the two
//! agree.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::b64;

/// Version byte of the session export format.
pub const EXPORT_VERSION: u8 = 0x01;
/// Version byte of the session *sharing* format (`m.room_key`), which a bundle must not carry.
pub const SHARING_VERSION: u8 = 0x02;
/// Length of a decoded export-format session key.
pub const EXPORT_LEN: usize = 1 + 4 + 128 + 32;

/// Why a `session_key` is not a valid export-format Megolm key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionKeyError {
    /// Not unpadded standard base64.
    #[error("session_key is not standard base64: {0}")]
    Base64(String),
    /// Wrong decoded length.
    #[error("session_key decodes to {0} bytes, the export format has {EXPORT_LEN}")]
    Length(usize),
    /// The sharing format (`0x02`, with a signature) instead of the export format.
    #[error(
        "session_key is in the sharing format (version 0x02), a bundle needs the export format (0x01)"
    )]
    SharingFormat,
    /// Another version byte.
    #[error("session_key has unknown version byte {0:#04x}")]
    Version(u8),
    /// The embedded Ed25519 key is not a valid curve point.
    #[error("session_key embeds an invalid Ed25519 public key")]
    SigningKey,
}

/// A decoded export-format Megolm session key.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportedSessionKey {
    /// The ratchet index: the first message index this key can decrypt.
    pub index: u32,
    /// The ratchet state `R0..R3`.
    pub ratchet: [[u8; 32]; 4],
    /// The session's Ed25519 public key.
    pub signing_key: [u8; 32],
}

impl std::fmt::Debug for ExportedSessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportedSessionKey")
            .field("index", &self.index)
            .field("session_id", &self.session_id())
            .finish_non_exhaustive()
    }
}

/// How a candidate copy of a session relates to a copy already held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatchetOrdering {
    /// Same first known index and same ratchet.
    Equal,
    /// The candidate starts earlier, and advancing it reaches the held copy.
    Better,
    /// The candidate starts later, and advancing the held copy reaches it.
    Worse,
    /// Different signing keys, or the ratchets do not connect: one of them is forged.
    Unconnected,
}

impl ExportedSessionKey {
    /// Decodes a base64 `session_key`, checking version, length and the Ed25519 key.
    pub fn from_base64(s: &str) -> Result<Self, SessionKeyError> {
        let bytes = b64::decode(s, b64::Alphabet::Standard)
            .map_err(|e| SessionKeyError::Base64(e.to_string()))?;
        Self::from_bytes(&bytes)
    }

    /// Decodes raw export-format bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SessionKeyError> {
        match bytes.first() {
            Some(&EXPORT_VERSION) => {}
            Some(&SHARING_VERSION) => return Err(SessionKeyError::SharingFormat),
            Some(&v) => return Err(SessionKeyError::Version(v)),
            None => return Err(SessionKeyError::Length(0)),
        }
        if bytes.len() != EXPORT_LEN {
            return Err(SessionKeyError::Length(bytes.len()));
        }
        let mut index = [0u8; 4];
        index.copy_from_slice(&bytes[1..5]);
        let mut ratchet = [[0u8; 32]; 4];
        for (i, part) in ratchet.iter_mut().enumerate() {
            part.copy_from_slice(&bytes[5 + 32 * i..5 + 32 * (i + 1)]);
        }
        let mut signing_key = [0u8; 32];
        signing_key.copy_from_slice(&bytes[133..165]);
        if ed25519_dalek::VerifyingKey::from_bytes(&signing_key).is_err() {
            return Err(SessionKeyError::SigningKey);
        }
        Ok(Self {
            index: u32::from_be_bytes(index),
            ratchet,
            signing_key,
        })
    }

    /// The export-format bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(EXPORT_LEN);
        out.push(EXPORT_VERSION);
        out.extend_from_slice(&self.index.to_be_bytes());
        for part in &self.ratchet {
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&self.signing_key);
        out
    }

    /// The export-format key as unpadded base64 (starts `AQAAAA` at index 0).
    pub fn to_base64(&self) -> String {
        b64::encode(self.to_bytes())
    }

    /// The session ID this key belongs to: unpadded base64 of the Ed25519 key.
    pub fn session_id(&self) -> String {
        b64::encode(self.signing_key)
    }

    /// This session advanced to `index`, or `None` if `index` is before the first known index.
    pub fn advanced_to(&self, index: u32) -> Option<Self> {
        if index < self.index {
            return None;
        }
        let mut out = self.clone();
        advance_to(&mut out.ratchet, self.index, index);
        out.index = index;
        Some(out)
    }

    /// Compares `candidate` against `self`, a copy already held.
    pub fn compare(&self, candidate: &Self) -> RatchetOrdering {
        if self.signing_key != candidate.signing_key {
            return RatchetOrdering::Unconnected;
        }
        match candidate.index.cmp(&self.index) {
            std::cmp::Ordering::Equal if candidate.ratchet == self.ratchet => {
                RatchetOrdering::Equal
            }
            std::cmp::Ordering::Less
                if candidate.advanced_to(self.index).as_ref() == Some(self) =>
            {
                RatchetOrdering::Better
            }
            std::cmp::Ordering::Greater
                if self.advanced_to(candidate.index).as_ref() == Some(candidate) =>
            {
                RatchetOrdering::Worse
            }
            _ => RatchetOrdering::Unconnected,
        }
    }
}

fn rehash(ratchet: &mut [[u8; 32]; 4], from: usize, to: usize) {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&ratchet[from])
        .expect("HMAC takes keys of any length");
    mac.update(&[to as u8]);
    ratchet[to].copy_from_slice(&mac.finalize().into_bytes());
}

/// Advances a Megolm ratchet from index `from` to index `to` (`to >= from`), as the Megolm spec
/// describes: part `j` is rehashed once for every change of byte `j` of the counter.
///
/// The counter never wraps here (`to >= from`, checked by [`ExportedSessionKey::advanced_to`]), so
/// unlike libolm there is no 256-step case for a byte that comes round to its old value.
fn advance_to(ratchet: &mut [[u8; 32]; 4], from: u32, to: u32) {
    let mut counter = from;
    for j in 0..4 {
        let shift = (3 - j) * 8;
        let mask = u32::MAX.checked_shl(shift as u32).unwrap_or(0);
        let mut steps = ((to >> shift).wrapping_sub(counter >> shift)) & 0xff;
        if steps == 0 {
            continue;
        }
        while steps > 1 {
            rehash(ratchet, j, j);
            steps -= 1;
        }
        for k in (j..4).rev() {
            rehash(ratchet, j, k);
        }
        counter = to & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(index: u32) -> ExportedSessionKey {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        ExportedSessionKey {
            index,
            ratchet: [[1; 32], [2; 32], [3; 32], [4; 32]],
            signing_key: signing.verifying_key().to_bytes(),
        }
    }

    #[test]
    fn round_trips_and_starts_with_aqaaaa() {
        let k = sample(0);
        assert!(k.to_base64().starts_with("AQAAAA"));
        assert_eq!(ExportedSessionKey::from_base64(&k.to_base64()).unwrap(), k);
    }

    #[test]
    fn rejects_sharing_format_and_bad_lengths() {
        let mut bytes = sample(0).to_bytes();
        bytes[0] = 2;
        assert_eq!(
            ExportedSessionKey::from_bytes(&bytes).unwrap_err(),
            SessionKeyError::SharingFormat
        );
        let bytes = sample(0).to_bytes();
        assert_eq!(
            ExportedSessionKey::from_bytes(&bytes[..164]).unwrap_err(),
            SessionKeyError::Length(164)
        );
    }

    /// Our ratchet agrees with vodozemac's, including jumps across byte boundaries.
    #[test]
    fn ratchet_matches_vodozemac() {
        use vodozemac::megolm::{ExportedSessionKey as VKey, InboundGroupSession, SessionConfig};
        let k = sample(0);
        let v = VKey::from_base64(&k.to_base64()).unwrap();
        let mut session = InboundGroupSession::import(&v, SessionConfig::version_1());
        for target in [
            1u32, 5, 255, 256, 257, 65_535, 65_536, 70_000, 16_777_216, 16_777_300,
        ] {
            let ours = k.advanced_to(target).unwrap().to_base64();
            let theirs = session.export_at(target).unwrap().to_base64();
            assert_eq!(ours, theirs, "index {target}");
        }
        let mid = k.advanced_to(300).unwrap();
        assert_eq!(mid.advanced_to(70_000), k.advanced_to(70_000));
    }

    #[test]
    fn compare_orders_connected_copies_and_flags_forgeries() {
        let k0 = sample(0);
        let k5 = k0.advanced_to(5).unwrap();
        assert_eq!(k5.compare(&k0), RatchetOrdering::Better);
        assert_eq!(k0.compare(&k5), RatchetOrdering::Worse);
        assert_eq!(k0.compare(&k0), RatchetOrdering::Equal);
        let mut forged = k5.clone();
        forged.ratchet[3][0] ^= 1;
        assert_eq!(k0.compare(&forged), RatchetOrdering::Unconnected);
    }
}
