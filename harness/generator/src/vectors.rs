//! Attachment test vectors for the `file-decryption`, `file-encryption` and `to-device-content`
//! generators, built independently of the reference model.
//!
//! Ciphertexts are made here with the raw AES-256 block function and an explicit `u128` counter
//! (not with the `ctr` crate the reference decrypts with), hashes with SHA-256 directly, and
//! `EncryptedFile` JSON by hand; so a counter bug in the reference cannot hide behind a fixture
//! built with the same bug. Keys and IVs come from [`msc4268_model::material::seed`] labels: the IV is
//! 8 label-derived bytes followed by 8 zero bytes.

use aes::Aes256;
use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

use msc4268_model::b64;
use msc4268_model::material;

/// How the counter block advances from one 16-byte block to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// The whole block is one 128-bit big-endian integer (A9: the right way).
    Be128,
    /// Only the low 64 bits count, wrapping without carry into the high half (a known bug; used
    /// by the tests' mutants).
    #[cfg(test)]
    Be64Wrapping,
    /// The whole block is one 128-bit little-endian integer (a known bug).
    Le128,
}

/// The counter block of block number `i` when the first block is `iv`.
fn counter_block(iv: &[u8; 16], i: u128, counter: Counter) -> [u8; 16] {
    match counter {
        Counter::Be128 => u128::from_be_bytes(*iv).wrapping_add(i).to_be_bytes(),
        Counter::Le128 => u128::from_le_bytes(*iv).wrapping_add(i).to_le_bytes(),
        #[cfg(test)]
        Counter::Be64Wrapping => {
            let mut out = *iv;
            let mut low = [0u8; 8];
            low.copy_from_slice(&iv[8..]);
            // Truncation to 64 bits is the point: this models the bug.
            let low = u64::from_be_bytes(low).wrapping_add(i as u64);
            out[8..].copy_from_slice(&low.to_be_bytes());
            out
        }
    }
}

/// AES-256-CTR over `data`, block by block with the raw block function.
pub fn ctr(key: &[u8; 32], iv: &[u8; 16], data: &[u8], counter: Counter) -> Vec<u8> {
    let cipher = Aes256::new(&(*key).into());
    let mut out = Vec::with_capacity(data.len());
    for (i, chunk) in data.chunks(16).enumerate() {
        let mut block = Array::from(counter_block(iv, i as u128, counter));
        cipher.encrypt_block(&mut block);
        out.extend(chunk.iter().zip(block.iter()).map(|(d, k)| d ^ k));
    }
    out
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-512 of `data`, unpadded standard base64.
pub fn sha512_b64(data: &[u8]) -> String {
    b64::encode(Sha512::digest(data))
}

/// A plaintext of `n` label-derived bytes.
pub fn plaintext(label: &str, n: usize) -> Vec<u8> {
    material::bytes(&format!("attachment/{label}/plaintext"), n)
}

/// A realistic bundle plaintext: canonical JSON of a `RoomKeyBundle` with one real Megolm session
/// in export format and one `m.history_not_shared` withheld entry.
pub fn bundle_plaintext(label: &str) -> Vec<u8> {
    let room_id = "!history:hs1.test";
    let alice = material::Device::new("@alice:hs1.test", "ALICEDEV");
    let shared = material::megolm_session(&format!("{label}/shared"), 0);
    let withheld = material::megolm_session(&format!("{label}/withheld"), 0);
    let bundle = json!({
        "room_keys": [{
            "algorithm": msc4268_protocol::identifiers::MEGOLM_V1,
            "room_id": room_id,
            "sender_claimed_keys": {"ed25519": alice.ed25519()},
            "sender_key": alice.curve25519(),
            "session_id": shared.session_id(),
            "session_key": shared.to_base64(),
        }],
        "withheld": [{
            "algorithm": msc4268_protocol::identifiers::MEGOLM_V1,
            "code": msc4268_protocol::identifiers::HISTORY_NOT_SHARED,
            "reason": "The sender disabled sharing encrypted history.",
            "room_id": room_id,
            "sender_key": alice.curve25519(),
            "session_id": withheld.session_id(),
        }],
    });
    msc4268_model::signing::canonical_json(&bundle)
        .unwrap_or_default()
        .into_bytes()
}

/// A deterministic `mxc://` URL for `label`.
pub fn media_url(label: &str) -> String {
    let id = b64::encode_url_safe(&material::seed(&format!("attachment/{label}/media"))[..12]);
    format!("mxc://hs1.test/{id}")
}

/// One encryption: key, IV, plaintext and the ciphertext they give.
#[derive(Debug, Clone)]
pub struct Vector {
    /// The AES-256 key.
    pub key: [u8; 32],
    /// The initial counter block.
    pub iv: [u8; 16],
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The ciphertext (128-bit big-endian counter unless built otherwise).
    pub ciphertext: Vec<u8>,
    /// The `mxc://` URL.
    pub url: String,
}

impl Vector {
    /// Key and IV from `label` (IV low 64 bits zero), encrypting `plaintext` correctly.
    pub fn new(label: &str, plaintext: &[u8]) -> Self {
        Self::with_iv(label, Self::label_iv(label), plaintext)
    }

    /// The IV `label` gives: 8 label-derived bytes, then 8 zero bytes.
    pub fn label_iv(label: &str) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv[..8].copy_from_slice(&material::seed(&format!("attachment/{label}/iv"))[..8]);
        iv
    }

    /// The key `label` gives.
    pub fn label_key(label: &str) -> [u8; 32] {
        material::seed(&format!("attachment/{label}/key"))
    }

    /// Key from `label`, the given IV, encrypting `plaintext` correctly.
    pub fn with_iv(label: &str, iv: [u8; 16], plaintext: &[u8]) -> Self {
        Self::build(
            Self::label_key(label),
            iv,
            plaintext,
            media_url(label),
            Counter::Be128,
        )
    }

    /// Any key and IV, encrypting with the given counter flavour.
    pub fn build(
        key: [u8; 32],
        iv: [u8; 16],
        plaintext: &[u8],
        url: String,
        counter: Counter,
    ) -> Self {
        Self {
            key,
            iv,
            plaintext: plaintext.to_vec(),
            ciphertext: ctr(&key, &iv, plaintext, counter),
            url,
        }
    }

    /// The first of `label`, `label~1`, `label~2`, ... whose vector satisfies `want` (the last tried
    /// if none of the first 4096 does; callers' tests check the property).
    pub fn find(label: &str, plaintext: &[u8], want: impl Fn(&Vector) -> bool) -> Self {
        let mut v = Self::new(label, plaintext);
        for i in 1..4096 {
            if want(&v) {
                break;
            }
            v = Self::new(&format!("{label}~{i}"), plaintext);
        }
        v
    }

    /// SHA-256 of the ciphertext.
    pub fn sha256(&self) -> [u8; 32] {
        sha256(&self.ciphertext)
    }

    /// `key.k`, canonical (URL-safe, unpadded).
    pub fn k(&self) -> String {
        b64::encode_url_safe(self.key)
    }

    /// `iv`, canonical (standard, unpadded).
    pub fn iv_b64(&self) -> String {
        b64::encode(self.iv)
    }

    /// `hashes.sha256`, canonical (standard, unpadded).
    pub fn sha256_b64(&self) -> String {
        b64::encode(self.sha256())
    }

    /// The canonical `EncryptedFile` JSON, written out member by member.
    pub fn file(&self) -> Value {
        json!({
            "url": self.url,
            "key": {
                "kty": "oct",
                "key_ops": ["encrypt", "decrypt"],
                "alg": "A256CTR",
                "k": self.k(),
                "ext": true,
            },
            "iv": self.iv_b64(),
            "hashes": {"sha256": self.sha256_b64()},
            "v": "v2",
        })
    }

    /// The ciphertext as a fixture carrier (padded standard base64).
    pub fn ciphertext_carrier(&self) -> String {
        b64::encode_padded(&self.ciphertext)
    }

    /// `{file, ciphertext}` with this vector's ciphertext: a `file-decryption` input, or an
    /// `Encryption` of a `file-encryption` audit.
    pub fn input(&self, file: Value) -> Value {
        json!({"file": file, "ciphertext": self.ciphertext_carrier()})
    }
}

/// An IV whose high 64 bits come from `label` and whose low 64 bits are `low`.
pub fn iv_with_low(label: &str, low: u64) -> [u8; 16] {
    let mut iv = Vector::label_iv(label);
    iv[8..].copy_from_slice(&low.to_be_bytes());
    iv
}

// ---------------------------------------------------------------------------------------------
// JSON edits

/// `v` with the member at JSON pointer `ptr` set to `value` (the parent must be an object).
pub fn with(v: &Value, ptr: &str, value: Value) -> Value {
    let mut out = v.clone();
    if let Some((parent, key)) = ptr.rsplit_once('/')
        && let Some(Value::Object(m)) = out.pointer_mut(parent)
    {
        m.insert(unescape(key), value);
    }
    out
}

/// `v` without the member at JSON pointer `ptr`.
pub fn without(v: &Value, ptr: &str) -> Value {
    let mut out = v.clone();
    if let Some((parent, key)) = ptr.rsplit_once('/')
        && let Some(Value::Object(m)) = out.pointer_mut(parent)
    {
        m.remove(&unescape(key));
    }
    out
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

// ---------------------------------------------------------------------------------------------
// Base64 near misses

/// `s` with `=` padding added.
pub fn padded(s: &str) -> String {
    let pad = (4 - s.len() % 4) % 4;
    format!("{s}{}", "=".repeat(pad))
}

/// `s` with every alphabet-specific symbol swapped for the other alphabet's (`+`↔`-`, `/`↔`_`).
pub fn other_alphabet(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect()
}

/// Whether `s` contains a symbol that differs between the two alphabets.
pub fn has_alphabet_specific(s: &str) -> bool {
    s.contains(['+', '/', '-', '_'])
}

const STANDARD_SYMBOLS: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE_SYMBOLS: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Canonical unpadded `s` with the lowest unused bit of its last symbol set: a non-canonical
/// encoding a lenient decoder reads as the same bytes.
pub fn with_trailing_bits(s: &str, alphabet: b64::Alphabet) -> String {
    let symbols = match alphabet {
        b64::Alphabet::Standard => STANDARD_SYMBOLS,
        b64::Alphabet::UrlSafe => URL_SAFE_SYMBOLS,
    };
    let mut bytes = s.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut()
        && let Some(i) = symbols.iter().position(|c| c == last)
    {
        *last = symbols[i | 1];
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// `s` with its fourth symbol replaced by `!`, which no base64 alphabet has.
pub fn with_garbage(s: &str) -> String {
    s.char_indices()
        .map(|(i, c)| if i == 3 { '!' } else { c })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Outcomes and cases

/// `file-decryption`: decrypted to `plaintext`.
pub fn decrypted(plaintext: &[u8]) -> Value {
    json!({"outcome": "decrypted", "plaintext": b64::encode_padded(plaintext)})
}

/// Any category: rejected for `rule` at `path`.
pub fn rejected(rule: &str, path: &str) -> Value {
    json!({"outcome": "rejected", "rule": rule, "path": path})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_ctr_agrees_with_the_reference() {
        for (label, n) in [("a", 0), ("b", 1), ("c", 17), ("d", 4128)] {
            let v = Vector::new(label, &plaintext(label, n));
            let (file, ct) =
                msc4268_model::attachment::encrypt_with(v.key, v.iv, &v.plaintext, &v.url);
            assert_eq!(ct, v.ciphertext);
            assert_eq!(file.to_json(), v.file());
        }
        let iv = iv_with_low("carry", u64::MAX - 1);
        let pt = plaintext("carry", 80);
        let (_, ct) = msc4268_model::attachment::encrypt_with([9; 32], iv, &pt, "mxc://a/b");
        assert_eq!(ct, ctr(&[9; 32], &iv, &pt, Counter::Be128));
        assert_ne!(ct, ctr(&[9; 32], &iv, &pt, Counter::Be64Wrapping));
    }

    #[test]
    fn near_misses_decode_as_intended() {
        use msc4268_model::b64::{Alphabet, Base64Error, decode};
        let v = Vector::new("near-miss", b"x");
        let k = v.k();
        assert_eq!(decode(&padded(&k), Alphabet::UrlSafe).unwrap(), v.key);
        let tb = with_trailing_bits(&k, Alphabet::UrlSafe);
        assert_ne!(tb, k);
        assert_eq!(
            decode(&tb, Alphabet::UrlSafe).unwrap_err(),
            Base64Error::TrailingBits
        );
        let iv = v.iv_b64();
        let tb = with_trailing_bits(&iv, Alphabet::Standard);
        assert_ne!(tb, iv);
        assert_eq!(
            decode(&tb, Alphabet::Standard).unwrap_err(),
            Base64Error::TrailingBits
        );
        assert!(matches!(
            decode(&with_garbage(&iv), Alphabet::Standard),
            Err(Base64Error::Invalid(_))
        ));
    }

    #[test]
    fn json_edits() {
        let v = json!({"a": {"b": 1, "c/d": 2}});
        assert_eq!(with(&v, "/a/b", json!(3)), json!({"a": {"b": 3, "c/d": 2}}));
        assert_eq!(without(&v, "/a/c~1d"), json!({"a": {"b": 1}}));
    }
}
