//! Ed25519 signatures at the edge of what verifiers accept, for the fixtures that show which
//! Ed25519 verification an implementation uses (rule R50, decision S12).
//!
//! The Matrix texts name "`ed25519` as implemented by NACL" and RFC 8032 allows two verification
//! equations, so verifiers differ on a few inputs (see [`crate::signing`] for the one the
//! reference uses):
//!
//! * a **small-order public key** (the identity point, in any encoding): under the cofactorless
//!   equation `[S]B = R + [k]A` the term `[k]A` vanishes, so the one signature
//!   ([`for_identity_key`]) verifies for every message; a strict verifier (vodozemac's
//!   `verify_strict`) refuses such a key;
//! * a **small-order R** ([`with_identity_r`]): a signature by the real key holder whose R is the
//!   identity point; the cofactorless equation holds, a strict verifier refuses it;
//! * **S ≥ L** ([`s_plus_l`]): RFC 8032 says decoding fails; the historical reference code only
//!   refused S ≥ 2^253 ([`s_top_bits_set`], which no verifier accepts);
//! * a **non-canonical encoding** of R or of the public key (y ≥ p): RFC 8032 says decoding
//!   fails; ZIP-215-style verifiers accept it.
//!
//! Every function is deterministic; the signatures are real (they verify where the comment says).

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::SigningKey;
use serde_json::{Map, Value};
use sha2::{Digest, Sha512};

use crate::b64;
use crate::material;
use crate::signing::{SignatureError, signed_bytes};

/// The identity point (neutral element, order 1), canonical encoding: y = 1, sign bit 0.
pub const IDENTITY: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 1;
    b
};

/// The identity point encoded with y = p + 1 (p = 2^255 − 19): not canonical (y ≥ p), decodes to
/// the same point in decoders that reduce y modulo p.
pub const IDENTITY_NON_CANONICAL: [u8; 32] = {
    let mut b = [0xffu8; 32];
    b[0] = 0xee;
    b[31] = 0x7f;
    b
};

/// L, the order of the base point, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The Ed25519 challenge `k = SHA-512(R ‖ A ‖ M) mod L`.
fn challenge(r: &[u8; 32], a: &[u8; 32], message: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(a);
    h.update(message);
    let digest: [u8; 64] = h.finalize().into();
    Scalar::from_bytes_mod_order_wide(&digest)
}

/// `R ‖ S` as a signature.
fn join(r: [u8; 32], s: [u8; 32]) -> [u8; 64] {
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&r);
    sig[32..].copy_from_slice(&s);
    sig
}

/// A signature that every message has under a public key whose point is the identity, in any
/// encoding ([`IDENTITY`], [`IDENTITY_NON_CANONICAL`]): `R = [s]B`, `S = s` for a scalar derived
/// from `label`. Cofactorless verification accepts it (`[k]A` is the identity); strict
/// verification refuses the key.
pub fn for_identity_key(label: &str) -> [u8; 64] {
    let s = Scalar::from_bytes_mod_order(material::seed(&format!("ed25519-edge/{label}")));
    let r = (s * ED25519_BASEPOINT_POINT).compress().to_bytes();
    join(r, s.to_bytes())
}

/// A signature by `key` over `message` whose R is the identity point written as `r` ([`IDENTITY`]
/// or [`IDENTITY_NON_CANONICAL`]): `S = k·a` with `k = H(r ‖ A ‖ M)`, so `[S]B = R + [k]A` holds.
/// With the canonical `r` cofactorless verification accepts it and strict verification refuses
/// the small-order R; with the non-canonical `r` both refuse it (RFC 8032's decoding fails, and
/// the recomputed R is compared as bytes), while a verifier that decodes R leniently and checks
/// the cofactored equation accepts it.
pub fn with_identity_r(key: &SigningKey, r: [u8; 32], message: &[u8]) -> [u8; 64] {
    let a = key.verifying_key().to_bytes();
    let k = challenge(&r, &a, message);
    join(r, (k * key.to_scalar()).to_bytes())
}

/// `signature` with S replaced by S + L: the same group equation, a non-canonical scalar
/// (RFC 8032: "S being out of range", the signature is invalid).
pub fn s_plus_l(signature: [u8; 64]) -> [u8; 64] {
    let mut out = signature;
    let mut carry = 0u16;
    for (i, l) in L.iter().enumerate() {
        let sum = u16::from(signature[32 + i]) + u16::from(*l) + carry;
        out[32 + i] = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    out
}

/// `signature` with the top three bits of S set (S ≥ 2^253): refused by every verifier, the
/// historical reference code included.
pub fn s_top_bits_set(signature: [u8; 64]) -> [u8; 64] {
    let mut out = signature;
    out[63] |= 0xe0;
    out
}

/// The signature of `key` over the canonical JSON of `value` (what [`crate::signing::sign_json`]
/// would write), as bytes.
pub fn json_signature(
    value: &Map<String, Value>,
    key: &SigningKey,
) -> Result<[u8; 64], SignatureError> {
    use ed25519_dalek::Signer;
    Ok(key.sign(signed_bytes(value)?.as_bytes()).to_bytes())
}

/// The bytes a JSON signature of `value` covers (canonical JSON without `signatures` and
/// `unsigned`).
pub fn json_message(value: &Map<String, Value>) -> Result<Vec<u8>, SignatureError> {
    Ok(signed_bytes(value)?.into_bytes())
}

/// Writes `signature` as `signatures[user_id][key_id]` of `value` (unpadded base64), keeping the
/// other signatures.
pub fn put_signature(
    value: &mut Map<String, Value>,
    user_id: &str,
    key_id: &str,
    signature: [u8; 64],
) {
    let sigs = value
        .entry("signatures")
        .or_insert_with(|| Value::Object(Map::new()));
    if !sigs.is_object() {
        *sigs = Value::Object(Map::new());
    }
    if let Some(user) = sigs.as_object_mut().map(|m| {
        m.entry(user_id)
            .or_insert_with(|| Value::Object(Map::new()))
    }) {
        if !user.is_object() {
            *user = Value::Object(Map::new());
        }
        if let Some(m) = user.as_object_mut() {
            m.insert(key_id.to_owned(), Value::String(b64::encode(signature)));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, VerifyingKey};

    fn key() -> SigningKey {
        material::ed25519("ed25519-edge/test")
    }

    /// What the two verifiers of ed25519-dalek (the reference's `verify`, vodozemac's
    /// `verify_strict`) say of each construction: the constructions are what their comments claim.
    #[test]
    fn constructions_behave_as_documented() {
        use ed25519_dalek::Verifier;
        let msg = b"any message";
        let both = |a: &[u8; 32], sig: [u8; 64]| {
            let vk = VerifyingKey::from_bytes(a).unwrap();
            let s = Signature::from_bytes(&sig);
            (
                vk.verify(msg, &s).is_ok(),
                vk.verify_strict(msg, &s).is_ok(),
            )
        };
        let forged = for_identity_key("t");
        assert_eq!(both(&IDENTITY, forged), (true, false));
        assert_eq!(both(&IDENTITY_NON_CANONICAL, forged), (true, false));
        let a = key().verifying_key().to_bytes();
        let small_r = with_identity_r(&key(), IDENTITY, msg);
        assert_eq!(both(&a, small_r), (true, false));
        let nc_r = with_identity_r(&key(), IDENTITY_NON_CANONICAL, msg);
        assert_eq!(both(&a, nc_r), (false, false));
        use ed25519_dalek::Signer;
        let good = key().sign(msg).to_bytes();
        assert_eq!(both(&a, good), (true, true));
        assert_eq!(both(&a, s_plus_l(good)), (false, false));
        assert_eq!(both(&a, s_top_bits_set(good)), (false, false));
        assert_ne!(s_plus_l(good), good);
    }
}
