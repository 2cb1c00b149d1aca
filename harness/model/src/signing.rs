//! Matrix canonical JSON and Ed25519 JSON signatures (spec appendix "Signing JSON").
//!
//! The canonical form sorts object keys by code point, has no insignificant whitespace, and is
//! computed after removing `signatures` and `unsigned`. It is written here (not taken from
//! `serde_json`'s map order) so it stays correct even if a dependency turns on `preserve_order`.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Map, Value};

use crate::b64;

/// Why a JSON signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `signatures.<user>.<key id>` entry.
    #[error("no signature by {user_id} with key {key_id}")]
    Missing {
        /// Signing user.
        user_id: String,
        /// Key id, e.g. `ed25519:DEVICE`.
        key_id: String,
    },
    /// The signature is not 64 bytes of unpadded base64.
    #[error("signature by {key_id} is not valid base64 of 64 bytes")]
    Malformed {
        /// Key id.
        key_id: String,
    },
    /// The public key is not a valid Ed25519 key.
    #[error("public key for {key_id} is not a valid Ed25519 key")]
    BadKey {
        /// Key id.
        key_id: String,
    },
    /// The signature does not verify over the canonical JSON.
    #[error("signature by {key_id} does not verify")]
    Invalid {
        /// Key id.
        key_id: String,
    },
    /// The JSON cannot be canonicalised (floats are not allowed in canonical JSON).
    #[error("value cannot be canonicalised: {0}")]
    NotCanonical(String),
}

/// Canonical JSON of `value` (object keys sorted, compact). Floats are refused.
pub fn canonical_json(value: &Value) -> Result<String, SignatureError> {
    let mut out = String::new();
    write_canonical(value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut String) -> Result<(), SignatureError> {
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => out.push_str(
            &serde_json::to_string(value)
                .map_err(|e| SignatureError::NotCanonical(e.to_string()))?,
        ),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(SignatureError::NotCanonical(format!(
                    "non-integer number {n}"
                )));
            }
            out.push_str(&n.to_string());
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(
                    &serde_json::to_string(key)
                        .map_err(|e| SignatureError::NotCanonical(e.to_string()))?,
                );
                out.push(':');
                write_canonical(&map[key], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// The bytes a signature covers: canonical JSON without `signatures` and `unsigned`.
pub fn signed_bytes(value: &Map<String, Value>) -> Result<String, SignatureError> {
    let mut copy = value.clone();
    copy.remove("signatures");
    copy.remove("unsigned");
    canonical_json(&Value::Object(copy))
}

/// Adds the signature of `key` as `signatures[user_id][key_id]` to `value`.
pub fn sign_json(
    value: &mut Map<String, Value>,
    user_id: &str,
    key_id: &str,
    key: &SigningKey,
) -> Result<(), SignatureError> {
    let sig = key.sign(signed_bytes(value)?.as_bytes());
    let sigs = value
        .entry("signatures")
        .or_insert_with(|| Value::Object(Map::new()));
    if !sigs.is_object() {
        *sigs = Value::Object(Map::new());
    }
    let user = sigs
        .as_object_mut()
        .map(|m| {
            m.entry(user_id)
                .or_insert_with(|| Value::Object(Map::new()))
        })
        .ok_or_else(|| SignatureError::NotCanonical("signatures is not an object".into()))?;
    if !user.is_object() {
        *user = Value::Object(Map::new());
    }
    if let Some(m) = user.as_object_mut() {
        m.insert(
            key_id.to_owned(),
            Value::String(b64::encode(sig.to_bytes())),
        );
    }
    Ok(())
}

/// Verifies the signature `signatures[user_id][key_id]` of `value` with `public_key` (32 bytes).
///
/// The Ed25519 check is ed25519-dalek's `verify`: RFC 8032's cofactorless equation
/// `[S]B = R + [k]A`, with S required to be below L and the recomputed R compared with the
/// signature's R as bytes. So the reference refuses S ≥ L and a non-canonical R, and accepts a
/// small-order public key (whose "signature" verifies for every message), a small-order R and a
/// non-canonical public-key encoding that decodes. vodozemac (matrix-sdk-crypto) uses
/// `verify_strict`, which also refuses small-order keys and R. The Matrix texts fix neither
/// ("`ed25519` as implemented by NACL"), so the fixtures mark every input on which the two differ
/// `acceptable` (rule R50, decision S12; constructions in [`crate::ed25519_edge`]).
pub fn verify_json(
    value: &Map<String, Value>,
    user_id: &str,
    key_id: &str,
    public_key: &[u8; 32],
) -> Result<(), SignatureError> {
    let sig_b64 = value
        .get("signatures")
        .and_then(|s| s.get(user_id))
        .and_then(|u| u.get(key_id))
        .and_then(Value::as_str)
        .ok_or_else(|| SignatureError::Missing {
            user_id: user_id.to_owned(),
            key_id: key_id.to_owned(),
        })?;
    let sig: [u8; 64] = b64::decode_array(sig_b64, b64::Alphabet::Standard).map_err(|_| {
        SignatureError::Malformed {
            key_id: key_id.to_owned(),
        }
    })?;
    let message = signed_bytes(value)?;
    let memo_key = verified::key(public_key, &sig, message.as_bytes());
    let valid = match verified::lookup(&memo_key) {
        Some(v) => v,
        None => {
            let key = VerifyingKey::from_bytes(public_key).map_err(|_| SignatureError::BadKey {
                key_id: key_id.to_owned(),
            })?;
            // Cofactorless, not strict: see the function's documentation (R50, S12).
            let v =
                Verifier::verify(&key, message.as_bytes(), &Signature::from_bytes(&sig)).is_ok();
            verified::remember(memo_key, v);
            v
        }
    };
    if valid {
        Ok(())
    } else {
        Err(SignatureError::Invalid {
            key_id: key_id.to_owned(),
        })
    }
}

/// A bounded memo of Ed25519 verification results, keyed by the SHA-256 of (public key,
/// signature, signed bytes). Verification is a pure function of those three, so the memo never
/// changes an answer; it spares the fuzz targets and large imports from verifying the same
/// device and cross-signing signatures again and again (Ed25519 verification was most of
/// `import_policy`'s time). Only keys that decoded are remembered, so a bad key still reports
/// [`SignatureError::BadKey`].
mod verified {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};

    use sha2::{Digest, Sha256};

    /// Entries kept before the memo starts over (about 2.5 MiB at most).
    const CAPACITY: usize = 32_768;

    static MEMO: LazyLock<Mutex<HashMap<[u8; 32], bool>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));

    /// The memo key of one verification.
    pub(super) fn key(public_key: &[u8; 32], signature: &[u8; 64], message: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(public_key);
        h.update(signature);
        h.update(message);
        h.finalize().into()
    }

    /// The remembered result, if any.
    pub(super) fn lookup(key: &[u8; 32]) -> Option<bool> {
        MEMO.lock().ok().and_then(|m| m.get(key).copied())
    }

    /// Remembers a result; starts over when full.
    pub(super) fn remember(key: [u8; 32], valid: bool) {
        if let Ok(mut m) = MEMO.lock() {
            if m.len() >= CAPACITY {
                m.clear();
            }
            m.insert(key, valid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_and_compacts() {
        let v = json!({"b": 1, "a": {"d": [1, "x"], "c": null}, "é": true});
        assert_eq!(
            canonical_json(&v).unwrap(),
            r#"{"a":{"c":null,"d":[1,"x"]},"b":1,"é":true}"#
        );
        assert!(canonical_json(&json!({"f": 1.5})).is_err());
    }

    #[test]
    fn sign_then_verify_and_detect_tampering() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let public = key.verifying_key().to_bytes();
        let mut obj = json!({"user_id": "@a:x", "unsigned": {"n": 1}})
            .as_object()
            .unwrap()
            .clone();
        sign_json(&mut obj, "@a:x", "ed25519:DEV", &key).unwrap();
        verify_json(&obj, "@a:x", "ed25519:DEV", &public).unwrap();
        obj.insert("unsigned".into(), json!({"n": 2}));
        verify_json(&obj, "@a:x", "ed25519:DEV", &public).unwrap();
        obj.insert("user_id".into(), json!("@b:x"));
        assert!(matches!(
            verify_json(&obj, "@a:x", "ed25519:DEV", &public),
            Err(SignatureError::Invalid { .. })
        ));
    }

    /// The reference's Ed25519 strictness (rule R50, decision S12) through `verify_json`: it
    /// accepts a small-order key (canonical or not) with a signature valid for every message and
    /// a small-order R, and refuses S + L, a non-canonical R and S ≥ 2^253.
    #[test]
    fn verification_is_cofactorless_and_refuses_non_canonical_s_and_r() {
        use crate::ed25519_edge::{
            IDENTITY, IDENTITY_NON_CANONICAL, for_identity_key, json_message, json_signature,
            put_signature, s_plus_l, s_top_bits_set, with_identity_r,
        };
        let base = json!({"user_id": "@e:x", "device_id": "E"})
            .as_object()
            .unwrap()
            .clone();
        let check = |public: [u8; 32], sig: [u8; 64]| {
            let mut obj = base.clone();
            put_signature(&mut obj, "@e:x", "ed25519:E", sig);
            verify_json(&obj, "@e:x", "ed25519:E", &public)
        };
        let forged = for_identity_key("signing-test");
        check(IDENTITY, forged).unwrap();
        check(IDENTITY_NON_CANONICAL, forged).unwrap();
        let key = SigningKey::from_bytes(&[11; 32]);
        let public = key.verifying_key().to_bytes();
        let msg = json_message(&base).unwrap();
        check(public, with_identity_r(&key, IDENTITY, &msg)).unwrap();
        let good = json_signature(&base, &key).unwrap();
        check(public, good).unwrap();
        for bad in [
            with_identity_r(&key, IDENTITY_NON_CANONICAL, &msg),
            s_plus_l(good),
            s_top_bits_set(good),
        ] {
            assert!(matches!(
                check(public, bad),
                Err(SignatureError::Invalid { .. })
            ));
        }
    }

    /// The memo of verification results never changes an answer: the same signature verifies
    /// again, a tampered message or another key still fails after a success was remembered, and
    /// a failure is remembered as a failure.
    #[test]
    fn remembered_verifications_give_the_same_answers() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let public = key.verifying_key().to_bytes();
        let other = SigningKey::from_bytes(&[10; 32]).verifying_key().to_bytes();
        let mut obj = json!({"user_id": "@m:x"}).as_object().unwrap().clone();
        sign_json(&mut obj, "@m:x", "ed25519:DEV", &key).unwrap();
        for _ in 0..3 {
            verify_json(&obj, "@m:x", "ed25519:DEV", &public).unwrap();
            assert!(matches!(
                verify_json(&obj, "@m:x", "ed25519:DEV", &other),
                Err(SignatureError::Invalid { .. })
            ));
        }
        let mut tampered = obj.clone();
        tampered.insert("user_id".into(), json!("@n:x"));
        for _ in 0..3 {
            assert!(matches!(
                verify_json(&tampered, "@m:x", "ed25519:DEV", &public),
                Err(SignatureError::Invalid { .. })
            ));
        }
        verify_json(&obj, "@m:x", "ed25519:DEV", &public).unwrap();
    }
}
