//! The exact base64 variants Matrix uses, and what the reference model does with near misses.
//!
//! | field | alphabet | padding |
//! |---|---|---|
//! | JWK `k` | URL-safe (RFC 4648 §5) | none |
//! | `iv`, `hashes.sha256`, keys, `session_key`, signatures | standard (RFC 4648 §4) | none |
//!
//! Decisions of the reference model (recorded in `fixtures/rules.json` as decision `S3`):
//! * **Padded** input is accepted: the spec's appendix says decoders SHOULD accept it.
//! * Input in the **other alphabet** is rejected (the field's alphabet is part of its format).
//!   Fixtures mark such cases `acceptable`, since a lenient decoder yields the same bytes.
//! * **Non-zero trailing bits** (a non-canonical last symbol) are rejected: they make the encoding
//!   malleable. Fixtures mark them `acceptable` too.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// A base64 alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    /// `+` and `/`: RFC 4648 §4.
    Standard,
    /// `-` and `_`: RFC 4648 §5.
    UrlSafe,
}

/// Why a string did not decode as the expected base64 variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    /// The string uses the other alphabet's characters (e.g. `-` in a standard-alphabet field).
    #[error("uses the {found:?} alphabet where the {expected:?} alphabet is required")]
    WrongAlphabet {
        /// The alphabet the field requires.
        expected: Alphabet,
        /// The alphabet the input decodes in.
        found: Alphabet,
    },
    /// The last symbol carries non-zero bits beyond the data (non-canonical encoding).
    #[error("the last symbol has non-zero trailing bits (non-canonical encoding)")]
    TrailingBits,
    /// Not base64 at all: bad characters or an impossible length.
    #[error("not valid base64: {0}")]
    Invalid(String),
}

const fn engine(alpha: &alphabet::Alphabet, trailing: bool) -> GeneralPurpose {
    GeneralPurpose::new(
        alpha,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(trailing),
    )
}

const STANDARD: GeneralPurpose = engine(&alphabet::STANDARD, false);
const URL_SAFE: GeneralPurpose = engine(&alphabet::URL_SAFE, false);
const STANDARD_LAX: GeneralPurpose = engine(&alphabet::STANDARD, true);
const URL_SAFE_LAX: GeneralPurpose = engine(&alphabet::URL_SAFE, true);

/// Encodes as standard-alphabet base64 without padding (Matrix "unpadded base64").
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// Encodes as URL-safe base64 without padding (the JWK `k` format).
pub fn encode_url_safe(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE.encode(bytes)
}

/// Encodes as standard base64 *with* padding: used only to carry raw bytes inside fixtures.
pub fn encode_padded(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes `s` in `alphabet`, padded or not, rejecting the other alphabet and trailing bits.
pub fn decode(s: &str, alphabet: Alphabet) -> Result<Vec<u8>, Base64Error> {
    let (strict, lax, other, other_alpha) = match alphabet {
        Alphabet::Standard => (&STANDARD, &STANDARD_LAX, &URL_SAFE_LAX, Alphabet::UrlSafe),
        Alphabet::UrlSafe => (&URL_SAFE, &URL_SAFE_LAX, &STANDARD_LAX, Alphabet::Standard),
    };
    match strict.decode(s) {
        Ok(bytes) => Ok(bytes),
        Err(err) => {
            if lax.decode(s).is_ok() {
                Err(Base64Error::TrailingBits)
            } else if other.decode(s).is_ok() {
                Err(Base64Error::WrongAlphabet {
                    expected: alphabet,
                    found: other_alpha,
                })
            } else {
                Err(Base64Error::Invalid(err.to_string()))
            }
        }
    }
}

/// Decodes `s` as standard base64, exactly `N` bytes long.
pub fn decode_array<const N: usize>(s: &str, alphabet: Alphabet) -> Result<[u8; N], String> {
    let bytes = decode(s, alphabet).map_err(|e| e.to_string())?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| format!("decodes to {len} bytes, expected {N}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_input_is_accepted() {
        assert_eq!(decode("AQI=", Alphabet::Standard).unwrap(), vec![1, 2]);
        assert_eq!(decode("AQI", Alphabet::Standard).unwrap(), vec![1, 2]);
    }

    #[test]
    fn other_alphabet_is_named() {
        let e = decode("-_8", Alphabet::Standard).unwrap_err();
        assert_eq!(
            e,
            Base64Error::WrongAlphabet {
                expected: Alphabet::Standard,
                found: Alphabet::UrlSafe
            }
        );
        let e = decode("+/8", Alphabet::UrlSafe).unwrap_err();
        assert_eq!(
            e,
            Base64Error::WrongAlphabet {
                expected: Alphabet::UrlSafe,
                found: Alphabet::Standard
            }
        );
    }

    #[test]
    fn trailing_bits_are_rejected() {
        assert_eq!(
            decode("AQJ", Alphabet::Standard).unwrap_err(),
            Base64Error::TrailingBits
        );
    }

    #[test]
    fn garbage_is_invalid() {
        assert!(matches!(
            decode("AQ!I", Alphabet::Standard),
            Err(Base64Error::Invalid(_))
        ));
        assert!(matches!(
            decode("A", Alphabet::Standard),
            Err(Base64Error::Invalid(_))
        ));
    }

    #[test]
    fn encodings_are_unpadded() {
        assert_eq!(encode([1, 2]), "AQI");
        assert_eq!(encode_url_safe([0xfb, 0xff]), "-_8");
    }
}
