//! The `EncryptedFile` object (spec §Sending encrypted attachments, `v2`) and its JSON Web Key.
//!
//! Two readers are offered:
//!
//! * [`parse`] is the **receiver's** reading: every required member present with the right type
//!   and value, binary fields decoded with the strict decoder of [`crate::b64`] (which accepts
//!   padding, as the spec's appendix asks of decoders, and rejects the other alphabet and non-zero
//!   trailing bits). Unknown members, extra `key_ops` and extra hash algorithms are tolerated.
//! * [`parse_as_sent`] is the **sender's** audit: on top of [`parse`], `k`, `iv` and
//!   `hashes.sha256` must be in exactly the canonical encoding (unpadded, right alphabet), since a
//!   conformant sender has no reason to emit anything else.
//!
//! Every rejection names its rule (`A1`–`A8`, `A12`) and the JSON pointer of the offending member.

use serde_json::{Map, Value, json};

use crate::b64::{self, Alphabet};
use crate::error::Violation;
use crate::json::{pointer, required, required_object, required_str, type_name};

/// The only supported `v`.
pub const VERSION: &str = "v2";
/// The only supported JWK `kty`.
pub const KTY: &str = "oct";
/// The only supported JWK `alg`.
pub const ALG: &str = "A256CTR";
/// The `key_ops` a JWK must contain (at least; any order, extras allowed).
pub const REQUIRED_KEY_OPS: [&str; 2] = ["encrypt", "decrypt"];
/// Length of the AES-256 key.
pub const KEY_LEN: usize = 32;
/// Length of the AES-CTR counter block.
pub const IV_LEN: usize = 16;
/// Length of a SHA-256 digest.
pub const SHA256_LEN: usize = 32;

/// A checked `EncryptedFile`: where the ciphertext is and how to check and decrypt it.
///
/// Only the members that carry information are kept: `v`, `kty`, `alg`, `ext` and `key_ops` have
/// exactly one acceptable meaning once [`parse`] has checked them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedFile {
    /// The `mxc://` URI of the ciphertext.
    pub url: String,
    /// The AES-256 key (`key.k`).
    pub key: [u8; KEY_LEN],
    /// The initial 128-bit counter block (`iv`).
    pub iv: [u8; IV_LEN],
    /// SHA-256 of the ciphertext (`hashes.sha256`).
    pub sha256: [u8; SHA256_LEN],
}

impl EncryptedFile {
    /// The canonical JSON of this file, as a conformant sender writes it.
    pub fn to_json(&self) -> Value {
        json!({
            "url": self.url,
            "key": {
                "kty": KTY,
                "key_ops": REQUIRED_KEY_OPS,
                "alg": ALG,
                "k": b64::encode_url_safe(self.key),
                "ext": true,
            },
            "iv": b64::encode(self.iv),
            "hashes": { "sha256": b64::encode(self.sha256) },
            "v": VERSION,
        })
    }
}

/// Whether `s` is an `mxc://<server-name>/<media-id>` URI: a server name as the spec's grammar
/// has it ([`is_server_name`]) and a non-empty media ID of `A-Z a-z 0-9 _ -`.
pub fn is_mxc(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("mxc://") else {
        return false;
    };
    let Some((server, media_id)) = rest.split_once('/') else {
        return false;
    };
    is_server_name(server)
        && !media_id.is_empty()
        && media_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether `s` is a server name (spec appendix, *Server Name*): `hostname [":" port]`, where the
/// hostname is a bracketed IPv6 literal (`is_ipv6_literal`) or a DNS name or IPv4 address
/// (`is_dns_name`), and the port is 1–5 digits (`is_port`).
pub fn is_server_name(s: &str) -> bool {
    let (host_ok, port) = if let Some(v6) = s.strip_prefix('[') {
        let Some((inside, after)) = v6.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        (is_ipv6_literal(inside), port)
    } else {
        match s.split_once(':') {
            Some((host, port)) => (is_dns_name(host), Some(port)),
            None => (is_dns_name(s), None),
        }
    };
    host_ok && port.is_none_or(is_port)
}

/// `IPv6address = 2*45IPv6char`, `IPv6char = DIGIT / %x41-46 / %x61-66 / ":" / "."` (the inside
/// of the brackets).
fn is_ipv6_literal(inside: &str) -> bool {
    (2..=45).contains(&inside.len())
        && inside
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
}

/// `dns-name = 1*255dns-char`, `dns-char = DIGIT / ALPHA / "-" / "."` (which also holds every
/// IPv4 address).
fn is_dns_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// `port = 1*5DIGIT`.
fn is_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit())
}

/// Reads an `EncryptedFile` as a receiver must: see the module documentation.
///
/// `path` is the JSON pointer of `v` in the enclosing input (`""` when `v` is the whole input);
/// violations point below it.
pub fn parse(v: &Value, path: &str) -> Result<EncryptedFile, Violation> {
    let obj = v.as_object().ok_or_else(|| {
        Violation::new(
            "R23",
            path,
            format!("an EncryptedFile must be an object, found {}", type_name(v)),
        )
    })?;

    let version = required_str(obj, "v", path, "A1")?;
    if version != VERSION {
        return Err(Violation::new(
            "A1",
            pointer(path, "v"),
            format!("`v` must be `{VERSION}`, found `{version}`"),
        ));
    }

    let key_path = pointer(path, "key");
    let jwk = jwk_object(obj, path)?;
    let kty = required_str(jwk, "kty", &key_path, "A2")?;
    if kty != KTY {
        return Err(Violation::new(
            "A2",
            pointer(&key_path, "kty"),
            format!("`kty` must be `{KTY}`, found `{kty}`"),
        ));
    }
    let alg = required_str(jwk, "alg", &key_path, "A3")?;
    if alg != ALG {
        return Err(Violation::new(
            "A3",
            pointer(&key_path, "alg"),
            format!("`alg` must be `{ALG}`, found `{alg}`"),
        ));
    }
    let ext = required(jwk, "ext", &key_path, "A4")?;
    if ext != &Value::Bool(true) {
        return Err(Violation::new(
            "A4",
            pointer(&key_path, "ext"),
            format!("`ext` must be the boolean `true`, found {ext}"),
        ));
    }
    check_key_ops(jwk, &key_path)?;
    let k = required_str(jwk, "k", &key_path, "A6")?;
    let key = decode_field::<KEY_LEN>(k, Alphabet::UrlSafe, "A6", &pointer(&key_path, "k"))?;

    let iv = required_str(obj, "iv", path, "A7")?;
    let iv = decode_field::<IV_LEN>(iv, Alphabet::Standard, "A7", &pointer(path, "iv"))?;

    let hashes = required_object(obj, "hashes", path, "A8")?;
    let hashes_path = pointer(path, "hashes");
    let sha256 = required_str(hashes, "sha256", &hashes_path, "A8")?;
    let sha256 = decode_field::<SHA256_LEN>(
        sha256,
        Alphabet::Standard,
        "A8",
        &pointer(&hashes_path, "sha256"),
    )?;

    let url = required_str(obj, "url", path, "A12")?;
    if !is_mxc(url) {
        return Err(Violation::new(
            "A12",
            pointer(path, "url"),
            format!("`url` must be an `mxc://<server-name>/<media-id>` URI, found `{url}`"),
        ));
    }

    Ok(EncryptedFile {
        url: url.to_owned(),
        key,
        iv,
        sha256,
    })
}

/// Reads an `EncryptedFile` a sender produced: [`parse`], and then `key.k`, `iv` and
/// `hashes.sha256` must be exactly the canonical unpadded encodings in their alphabets.
pub fn parse_as_sent(v: &Value, path: &str) -> Result<EncryptedFile, Violation> {
    let file = parse(v, path)?;
    let key_path = pointer(path, "key");
    let hashes_path = pointer(path, "hashes");
    let checks = [
        (
            v.pointer("/key/k"),
            b64::encode_url_safe(file.key),
            "A6",
            pointer(&key_path, "k"),
        ),
        (
            v.pointer("/iv"),
            b64::encode(file.iv),
            "A7",
            pointer(path, "iv"),
        ),
        (
            v.pointer("/hashes/sha256"),
            b64::encode(file.sha256),
            "A8",
            pointer(&hashes_path, "sha256"),
        ),
    ];
    for (found, canonical, rule, at) in checks {
        let found = found.and_then(Value::as_str).unwrap_or_default();
        if found != canonical {
            return Err(Violation::new(
                rule,
                at,
                format!(
                    "a sender must write the canonical unpadded encoding `{canonical}`, found `{found}`"
                ),
            ));
        }
    }
    Ok(file)
}

fn jwk_object<'a>(
    obj: &'a Map<String, Value>,
    path: &str,
) -> Result<&'a Map<String, Value>, Violation> {
    let key_path = pointer(path, "key");
    match obj.get("key") {
        None => Err(Violation::new(
            "A2",
            key_path,
            "required field `key` (the JSON Web Key) is missing",
        )),
        Some(Value::Object(m)) => Ok(m),
        Some(other) => Err(Violation::new(
            "A2",
            key_path,
            format!(
                "`key` must be a JSON Web Key object, found {}",
                type_name(other)
            ),
        )),
    }
}

fn check_key_ops(jwk: &Map<String, Value>, key_path: &str) -> Result<(), Violation> {
    let at = pointer(key_path, "key_ops");
    let ops = required(jwk, "key_ops", key_path, "A5")?;
    let ops = ops.as_array().ok_or_else(|| {
        Violation::new(
            "A5",
            &at,
            format!(
                "`key_ops` must be an array of strings, found {}",
                type_name(ops)
            ),
        )
    })?;
    let mut names = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let name = op.as_str().ok_or_else(|| {
            Violation::new(
                "A5",
                pointer(&at, i),
                format!("`key_ops` entries must be strings, found {}", type_name(op)),
            )
        })?;
        names.push(name);
    }
    for needed in REQUIRED_KEY_OPS {
        if !names.contains(&needed) {
            return Err(Violation::new(
                "A5",
                &at,
                format!("`key_ops` must contain `{needed}`"),
            ));
        }
    }
    Ok(())
}

fn decode_field<const N: usize>(
    s: &str,
    alphabet: Alphabet,
    rule: &'static str,
    at: &str,
) -> Result<[u8; N], Violation> {
    let bytes = b64::decode(s, alphabet).map_err(|e| Violation::new(rule, at, e.to_string()))?;
    let len = bytes.len();
    bytes.try_into().map_err(|_| {
        Violation::new(
            rule,
            at,
            format!("decodes to {len} bytes, {N} are required"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EncryptedFile {
        EncryptedFile {
            url: "mxc://hs1.test/abc_DEF-123".into(),
            key: [0xfb; 32],
            iv: [0xfe, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0],
            sha256: [0xff; 32],
        }
    }

    #[test]
    fn canonical_json_round_trips() {
        let f = sample();
        let v = f.to_json();
        assert_eq!(parse(&v, "").unwrap(), f);
        assert_eq!(parse_as_sent(&v, "").unwrap(), f);
        assert_eq!(v["key"]["key_ops"], json!(["encrypt", "decrypt"]));
        assert_eq!(v["iv"].as_str().unwrap().len(), 22);
        assert_eq!(v["key"]["k"].as_str().unwrap().len(), 43);
    }

    #[test]
    fn violations_name_rule_and_pointer() {
        let mut v = sample().to_json();
        v["key"]["alg"] = json!("A128CTR");
        let e = parse(&v, "/content/file").unwrap_err();
        assert_eq!((e.rule, e.path.as_str()), ("A3", "/content/file/key/alg"));

        let mut v = sample().to_json();
        v["hashes"].as_object_mut().unwrap().remove("sha256");
        let e = parse(&v, "").unwrap_err();
        assert_eq!((e.rule, e.path.as_str()), ("A8", "/hashes/sha256"));

        let mut v = sample().to_json();
        v["key"]["key_ops"] = json!(["encrypt", 7]);
        let e = parse(&v, "").unwrap_err();
        assert_eq!((e.rule, e.path.as_str()), ("A5", "/key/key_ops/1"));
    }

    #[test]
    fn receivers_accept_padding_senders_do_not() {
        let mut v = sample().to_json();
        let iv = format!("{}==", v["iv"].as_str().unwrap());
        v["iv"] = json!(iv);
        assert!(parse(&v, "").is_ok());
        let e = parse_as_sent(&v, "/f").unwrap_err();
        assert_eq!((e.rule, e.path.as_str()), ("A7", "/f/iv"));
    }

    #[test]
    fn mxc_uris() {
        assert!(is_mxc("mxc://hs1.test/abc"));
        assert!(is_mxc("mxc://hs1.test:8448/a-b_c"));
        assert!(is_mxc("mxc://[::1]:8448/abc"));
        assert!(is_mxc("mxc://127.0.0.1/abc"));
        for bad in [
            "https://hs1.test/abc",
            "mxc://",
            "mxc://hs1.test",
            "mxc://hs1.test/",
            "mxc:///abc",
            "mxc://hs1.test/a/b",
            "mxc://hs 1.test/abc",
            "mxc://hs1.test:st/abc",
            "mxc://hs1.test:/abc",
            "mxc://hs1.test:123456/abc",
            "mxc://hs1;test/abc",
            "mxc://[::1/abc",
        ] {
            assert!(!is_mxc(bad), "{bad}");
        }
    }
}
