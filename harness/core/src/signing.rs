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
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| SignatureError::BadKey {
        key_id: key_id.to_owned(),
    })?;
    key.verify(
        signed_bytes(value)?.as_bytes(),
        &Signature::from_bytes(&sig),
    )
    .map_err(|_| SignatureError::Invalid {
        key_id: key_id.to_owned(),
    })
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
}
