//! Generator of the `file-decryption` fixtures: an `EncryptedFile` and the downloaded bytes, and
//! whether a receiver must decrypt them (A1–A9, A12, R38).
//!
//! Every ciphertext is built by [`vectors`] with the raw AES block function, independently of the
//! reference's `ctr`-crate decryption; every expected plaintext is the plaintext the generator
//! chose; every rejection names the rule the generator deliberately broke.

pub(super) mod vectors;

use serde_json::{Value, json};

use super::GeneratedFile;
use msc4268_corpus::fixture::Flag;
use msc4268_model::b64::{self, Alphabet};
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::IdentifierVariant;
use vectors::{
    GroupBuilder, Spec, Vector, decrypted, iv_with_low, plaintext, rejected, with, without,
};

const CATEGORY: Category = Category::FileDecryption;
const STABLE: IdentifierVariant = IdentifierVariant::Stable;

/// The `file-decryption` fixture files.
pub fn files() -> Vec<GeneratedFile> {
    vec![valid(), counter(), hash(), jwk(), base64(), url()]
}

fn new_file(name: &str, description: &str, groups: Vec<GroupBuilder>) -> GeneratedFile {
    let mut f = super::file(
        CATEGORY,
        name,
        description,
        &format!("generate::file_decryption::{}", name.replace('-', "_")),
    );
    f.file.groups = groups.into_iter().map(GroupBuilder::finish).collect();
    f
}

fn spec<'a>(name: &'a str, rules: &'a [&'a str], comment: &'a str, flags: &'a [Flag]) -> Spec<'a> {
    Spec {
        name,
        rules,
        comment,
        flags,
    }
}

// ---------------------------------------------------------------------------------------------
// valid.json

fn valid() -> GeneratedFile {
    let mut sizes = GroupBuilder::new(
        CATEGORY,
        "sizes",
        "Canonical v2 files around the AES block size: the receiver returns exactly the plaintext.",
        STABLE,
    );
    let size_cases: [(usize, &str, &str); 6] = [
        (
            0,
            "size-0",
            "An empty plaintext: the ciphertext is empty and `hashes.sha256` is the SHA-256 of no bytes. An empty download is not an error in itself; the receiver returns an empty plaintext.",
        ),
        (
            1,
            "size-1",
            "A 1-byte plaintext: CTR mode has no padding, so the ciphertext is 1 byte long and decrypts to the same byte.",
        ),
        (
            15,
            "size-15",
            "A 15-byte plaintext, one byte short of a block: the keystream block is used partially.",
        ),
        (
            16,
            "size-16",
            "A 16-byte plaintext, exactly one block: no second counter block is needed.",
        ),
        (
            17,
            "size-17",
            "A 17-byte plaintext: the last byte uses the second counter block (IV + 1, 128-bit big-endian).",
        ),
        (
            4096,
            "size-4096",
            "A 4096-byte plaintext: 256 counter blocks, the low counter byte runs through every value.",
        ),
    ];
    for (n, name, comment) in size_cases {
        let v = Vector::new(&format!("valid/{name}"), &plaintext(name, n));
        sizes.valid(
            spec(name, &["A9", "R38"], comment, &[Flag::EdgeCase]),
            v.input(v.file()),
            decrypted(&v.plaintext),
        );
    }
    let v = Vector::new("valid/bundle-json", &vectors::bundle_plaintext("valid"));
    sizes.valid(
        spec(
            "bundle-json",
            &["A9", "R38"],
            "A realistic RoomKeyBundle (one export-format Megolm session, one m.history_not_shared withheld entry) encrypted as the bundle file: the receiver returns the JSON bytes unchanged.",
            &[],
        ),
        v.input(v.file()),
        decrypted(&v.plaintext),
    );

    let mut tolerated = GroupBuilder::new(
        CATEGORY,
        "tolerated",
        "Variations the spec allows: extra hash algorithms, key_ops in any order and with extras, unknown members.",
        STABLE,
    );
    let v = Vector::new("valid/tolerated", &plaintext("valid/tolerated", 100));
    let file = v.file();
    tolerated.valid(
        spec(
            "extra-hash-sha512",
            &["A8", "R38"],
            "`hashes` holds a correct `sha512` next to `sha256`. Only `sha256` is required; other algorithms may sit beside it.",
            &[],
        ),
        v.input(with(&file, "/hashes/sha512", json!(vectors::sha512_b64(&v.ciphertext)))),
        decrypted(&v.plaintext),
    );
    tolerated.valid(
        spec(
            "extra-hash-unknown-algorithm",
            &["A8", "R38"],
            "`hashes` holds an algorithm no receiver knows next to a correct `sha256`; unknown algorithms are ignored, `sha256` decides.",
            &[],
        ),
        v.input(with(
            &file,
            "/hashes/org.example.hash",
            json!(b64::encode(msc4268_model::material::seed("attachment/unknown-hash"))),
        )),
        decrypted(&v.plaintext),
    );
    tolerated.acceptable(
        spec(
            "extra-hash-not-base64",
            &["A8", "R38"],
            "`hashes` holds, next to a correct `sha256`, an unknown algorithm whose value is not base64. The reference ignores unknown algorithms and decrypts; matrix-sdk-crypto (ruma reads every `hashes` value as base64) refuses the file. Both are safe: found by differential fuzzing (F15).",
            &[Flag::SpecAmbiguity],
        ),
        v.input(with(&file, "/hashes/org.example.hash", json!("not base64!"))),
        decrypted(&v.plaintext),
        vec![rejected("A8", "/hashes/org.example.hash")],
    );
    tolerated.valid(
        spec(
            "key-ops-reversed",
            &["A5"],
            "`key_ops` is `[\"decrypt\", \"encrypt\"]`, the order ruma emits: the order of `key_ops` does not matter.",
            &[Flag::Interop],
        ),
        v.input(with(&file, "/key/key_ops", json!(["decrypt", "encrypt"]))),
        decrypted(&v.plaintext),
    );
    tolerated.valid(
        spec(
            "key-ops-extra",
            &["A5"],
            "`key_ops` holds `wrapKey` and `unwrapKey` besides `encrypt` and `decrypt`: it must contain at least the two, extras are allowed.",
            &[],
        ),
        v.input(with(
            &file,
            "/key/key_ops",
            json!(["encrypt", "decrypt", "wrapKey", "unwrapKey"]),
        )),
        decrypted(&v.plaintext),
    );
    tolerated.valid(
        spec(
            "unknown-file-member",
            &["A9", "R38"],
            "The EncryptedFile carries an unknown member `org.example.note`; receivers ignore unknown members.",
            &[],
        ),
        v.input(with(&file, "/org.example.note", json!("ignore me"))),
        decrypted(&v.plaintext),
    );
    tolerated.valid(
        spec(
            "unknown-jwk-member",
            &["A9", "R38"],
            "The JWK carries a `kid` member (RFC 7517) the spec does not mention; receivers ignore it.",
            &[],
        ),
        v.input(with(&file, "/key/kid", json!("bundle-key-1"))),
        decrypted(&v.plaintext),
    );

    new_file(
        "valid",
        "Well-formed EncryptedFile v2 objects a receiver must decrypt: plaintext sizes around the AES block size, and the variations the spec allows.",
        vec![sizes, tolerated],
    )
}

// ---------------------------------------------------------------------------------------------
// counter.json

fn counter() -> GeneratedFile {
    let mut zero = GroupBuilder::new(
        CATEGORY,
        "counter-low-half-zero",
        "IVs as a conformant sender makes them (low 64 bits zero): the counter never leaves the low half, but it must be big-endian.",
        STABLE,
    );
    let v = Vector::new(
        "counter/258-blocks",
        &plaintext("counter/258-blocks", 258 * 16),
    );
    zero.valid(
        spec(
            "258-blocks",
            &["A9"],
            "258 blocks from a zero low half: block 256 carries from the last IV byte into the one before it. A little-endian counter differs from block 1 on; a counter that increments only the last byte (mod 256) differs from block 256 on.",
            &[Flag::EdgeCase],
        ),
        v.input(v.file()),
        decrypted(&v.plaintext),
    );
    let mut iv = [0u8; 16];
    iv[..8].fill(0xff);
    let v = Vector::with_iv(
        "counter/high-half-all-ones",
        iv,
        &plaintext("counter/hh", 48),
    );
    zero.valid(
        spec(
            "high-half-all-ones",
            &["A9"],
            "The IV's random half is all ones and the low half zero: a legal IV; 3 blocks decrypt normally (no carry reaches the high half).",
            &[Flag::EdgeCase],
        ),
        v.input(v.file()),
        decrypted(&v.plaintext),
    );

    let mut nonzero = GroupBuilder::new(
        CATEGORY,
        "counter-low-half-nonzero",
        "IVs whose low 64 bits are not zero (senders must not make them, A11). A receiver may decrypt them as given, with the 128-bit big-endian counter carrying into the high half, or refuse them; decrypting with any other counter arithmetic is wrong.",
        STABLE,
    );
    let cases: [(&str, [u8; 16], usize, &str); 5] = [
        (
            "carry-after-two-blocks",
            iv_with_low("counter/carry-2", u64::MAX - 1),
            70,
            "Low half 2^64-2, 5 blocks: the third block's counter carries into the high half (high + 1, low 0). Decrypting with a 64-bit wrapping counter yields other bytes from block 3 on.",
        ),
        (
            "carry-after-one-block",
            iv_with_low("counter/carry-1", u64::MAX),
            40,
            "Low half 2^64-1, 3 blocks: the very first increment carries into the high half.",
        ),
        (
            "carry-ripples-through-high-half",
            {
                let mut iv = iv_with_low("counter/ripple", u64::MAX);
                iv[5..8].fill(0xff);
                iv
            },
            40,
            "High half ends in three 0xff bytes and the low half is all ones: the carry ripples through four bytes of the high half.",
        ),
        (
            "wraps-at-2-pow-128",
            [0xff; 16],
            48,
            "The whole IV is all ones: the 128-bit counter wraps to zero for the second block.",
        ),
        (
            "low-half-small",
            iv_with_low("counter/low-1", 1),
            48,
            "Low half 1, no carry: the receiver must use the IV as given, not clear its low half.",
        ),
    ];
    for (name, iv, n, comment) in cases {
        let v = Vector::with_iv(&format!("counter/{name}"), iv, &plaintext(name, n));
        nonzero.acceptable(
            spec(name, &["A9", "A11"], comment, &[Flag::EdgeCase]),
            v.input(v.file()),
            decrypted(&v.plaintext),
            vec![rejected("A11", "/iv")],
        );
    }

    new_file(
        "counter",
        "A9: the counter block is the whole 16-byte IV, incremented as one 128-bit big-endian integer; carries out of the low 64 bits go into the high 64 bits.",
        vec![zero, nonzero],
    )
}

// ---------------------------------------------------------------------------------------------
// hash.json

fn hash() -> GeneratedFile {
    let mut check = GroupBuilder::new(
        CATEGORY,
        "hash-check",
        "R38: the SHA-256 of the downloaded ciphertext must equal `hashes.sha256` before any plaintext is used.",
        STABLE,
    );
    let v = Vector::new("hash/check", &plaintext("hash/check", 100));
    let file = v.file();
    check.valid(
        spec(
            "matching",
            &["R38"],
            "The hash is the SHA-256 of the ciphertext: decrypts.",
            &[],
        ),
        v.input(file.clone()),
        decrypted(&v.plaintext),
    );
    let hash_of = |bytes: &[u8]| json!(b64::encode(vectors::sha256(bytes)));
    let with_ct = |ct: Vec<u8>, f: Value| json!({"file": f, "ciphertext": b64::encode_padded(ct)});
    let mismatch: Vec<(&str, &str, Value, &[Flag])> = vec![
        (
            "wrong-hash",
            "`hashes.sha256` is the SHA-256 of some other bytes.",
            v.input(with(&file, "/hashes/sha256", hash_of(b"some other upload"))),
            &[Flag::Malleability],
        ),
        (
            "hash-of-plaintext",
            "`hashes.sha256` is the SHA-256 of the plaintext, not the ciphertext (a sender bug). A receiver that hashes the decrypted bytes would accept it.",
            v.input(with(&file, "/hashes/sha256", hash_of(&v.plaintext))),
            &[Flag::Malleability],
        ),
        (
            "hash-all-zero",
            "`hashes.sha256` is 32 zero bytes.",
            v.input(with(&file, "/hashes/sha256", json!(b64::encode([0u8; 32])))),
            &[Flag::Malleability],
        ),
        (
            "truncated-ciphertext",
            "The download lost its last byte: the hash no longer matches. CTR would happily decrypt the rest.",
            with_ct(
                v.ciphertext[..v.ciphertext.len() - 1].to_vec(),
                file.clone(),
            ),
            &[Flag::Malleability],
        ),
        (
            "empty-ciphertext",
            "The download is empty although the file's hash is of 100 bytes.",
            with_ct(Vec::new(), file.clone()),
            &[Flag::Malleability, Flag::EdgeCase],
        ),
        (
            "extended-ciphertext",
            "One byte was appended to the download: the hash no longer matches.",
            with_ct([v.ciphertext.as_slice(), &[0x00]].concat(), file.clone()),
            &[Flag::Malleability],
        ),
        (
            "flipped-bit-first-byte",
            "The lowest bit of the first ciphertext byte is flipped: in CTR mode this flips the same plaintext bit, so only the hash can catch it.",
            {
                let mut ct = v.ciphertext.clone();
                ct[0] ^= 0x01;
                with_ct(ct, file.clone())
            },
            &[Flag::Malleability],
        ),
        (
            "flipped-bit-last-byte",
            "The highest bit of the last ciphertext byte is flipped.",
            {
                let mut ct = v.ciphertext.clone();
                if let Some(b) = ct.last_mut() {
                    *b ^= 0x80;
                }
                with_ct(ct, file.clone())
            },
            &[Flag::Malleability],
        ),
    ];
    for (name, comment, input, flags) in mismatch {
        check.invalid(
            spec(name, &["R38"], comment, flags),
            input,
            rejected("R38", "/hashes/sha256"),
        );
    }

    let mut field = GroupBuilder::new(
        CATEGORY,
        "hash-field",
        "A8: `hashes` is an object holding `sha256`, the 32-byte digest in standard unpadded base64.",
        STABLE,
    );
    let real = v.sha256();
    let hex: String = real.iter().map(|b| format!("{b:02x}")).collect();
    let broken: Vec<(&str, &str, Value, &str)> = vec![
        (
            "hashes-missing",
            "The file has no `hashes`: nothing to check the download against.",
            without(&file, "/hashes"),
            "/hashes",
        ),
        (
            "hashes-not-object",
            "`hashes` is the digest string itself rather than an object of algorithm to digest.",
            with(&file, "/hashes", json!(v.sha256_b64())),
            "/hashes",
        ),
        (
            "sha256-missing",
            "`hashes` is empty.",
            with(&file, "/hashes", json!({})),
            "/hashes/sha256",
        ),
        (
            "sha256-missing-sha512-present",
            "`hashes` holds only a correct `sha512`: `sha256` is required, another algorithm does not replace it.",
            with(
                &file,
                "/hashes",
                json!({"sha512": vectors::sha512_b64(&v.ciphertext)}),
            ),
            "/hashes/sha256",
        ),
        (
            "sha256-uppercase-key",
            "The digest is under `SHA256`: member names are case-sensitive, so `sha256` is missing.",
            with(&file, "/hashes", json!({"SHA256": v.sha256_b64()})),
            "/hashes/sha256",
        ),
        (
            "sha256-31-bytes",
            "`sha256` is the real digest without its last byte (31 bytes).",
            with(&file, "/hashes/sha256", json!(b64::encode(&real[..31]))),
            "/hashes/sha256",
        ),
        (
            "sha256-33-bytes",
            "`sha256` is the real digest with one more byte (33 bytes).",
            with(
                &file,
                "/hashes/sha256",
                json!(b64::encode([real.as_slice(), &[0]].concat())),
            ),
            "/hashes/sha256",
        ),
        (
            "sha256-hex",
            "`sha256` is the real digest in lowercase hex (64 characters, which happen to be base64 symbols and decode to 48 bytes).",
            with(&file, "/hashes/sha256", json!(hex)),
            "/hashes/sha256",
        ),
    ];
    for (name, comment, f, path) in broken {
        field.invalid(
            spec(name, &["A8", "R38"], comment, &[Flag::SchemaViolation]),
            v.input(f),
            rejected("A8", path),
        );
    }

    new_file(
        "hash",
        "R38: the SHA-256 of the ciphertext is checked before any plaintext is used; A8: `hashes.sha256` is present and well formed.",
        vec![check, field],
    )
}

// ---------------------------------------------------------------------------------------------
// jwk.json

fn jwk() -> GeneratedFile {
    let v = Vector::new("jwk", &plaintext("jwk", 64));
    let file = v.file();

    let mut version = GroupBuilder::new(CATEGORY, "version", "A1: `v` is the string `v2`.", STABLE);
    version.valid(
        spec(
            "canonical",
            &["A1", "A2", "A3", "A4", "A5", "A6"],
            "The canonical file: v2, kty oct, alg A256CTR, ext true, key_ops [encrypt, decrypt], a 32-byte k: decrypts.",
            &[],
        ),
        v.input(file.clone()),
        decrypted(&v.plaintext),
    );
    let versions: [(&str, &str, Option<Value>, &[Flag]); 5] = [
        (
            "v1",
            "`v` is `v1`, the older attachment version whose IV rules differ; v2 is required (rust-sdk refuses other versions with UnknownVersion).",
            Some(json!("v1")),
            &[Flag::Legacy],
        ),
        (
            "v3",
            "`v` is `v3`, a version no spec defines.",
            Some(json!("v3")),
            &[Flag::SchemaViolation],
        ),
        (
            "v-uppercase",
            "`v` is `V2`: the value is case-sensitive.",
            Some(json!("V2")),
            &[Flag::SchemaViolation],
        ),
        (
            "v-number",
            "`v` is the number 2, not the string `v2`.",
            Some(json!(2)),
            &[Flag::SchemaViolation],
        ),
        (
            "v-missing",
            "`v` is missing: the version is required, not defaulted.",
            None,
            &[Flag::SchemaViolation],
        ),
    ];
    for (name, comment, value, flags) in versions {
        let f = match value {
            Some(x) => with(&file, "/v", x),
            None => without(&file, "/v"),
        };
        version.invalid(
            spec(name, &["A1"], comment, flags),
            v.input(f),
            rejected("A1", "/v"),
        );
    }

    let member_group = |id: &str,
                        description: &str,
                        rule: &'static str,
                        member: &str,
                        cases: Vec<(&str, &str, Option<Value>)>| {
        let mut g = GroupBuilder::new(CATEGORY, id, description, STABLE);
        let ptr = format!("/key/{member}");
        for (name, comment, value) in cases {
            let f = match value {
                Some(x) => with(&file, &ptr, x),
                None => without(&file, &ptr),
            };
            g.invalid(
                spec(name, &[rule], comment, &[Flag::SchemaViolation]),
                v.input(f),
                rejected(rule, &ptr),
            );
        }
        g
    };

    let mut kty = member_group(
        "jwk-kty",
        "A2: `key` is a JWK object whose `kty` is `oct`.",
        "A2",
        "kty",
        vec![
            ("kty-missing", "The JWK has no `kty`.", None),
            (
                "kty-uppercase",
                "`kty` is `OCT`: JWK values are case-sensitive.",
                Some(json!("OCT")),
            ),
            (
                "kty-ec",
                "`kty` is `EC`, an elliptic-curve key type.",
                Some(json!("EC")),
            ),
        ],
    );
    kty.invalid(
        spec(
            "key-missing",
            &["A2"],
            "The file has no `key` at all.",
            &[Flag::SchemaViolation],
        ),
        v.input(without(&file, "/key")),
        rejected("A2", "/key"),
    );
    kty.invalid(
        spec(
            "key-not-object",
            &["A2"],
            "`key` is the bare `k` string instead of a JWK object.",
            &[Flag::SchemaViolation],
        ),
        v.input(with(&file, "/key", json!(v.k()))),
        rejected("A2", "/key"),
    );

    let alg = member_group(
        "jwk-alg",
        "A3: `alg` is `A256CTR`.",
        "A3",
        "alg",
        vec![
            ("alg-missing", "The JWK has no `alg`.", None),
            (
                "alg-a128ctr",
                "`alg` is `A128CTR`: the key is still 32 bytes, but the file claims AES-128.",
                Some(json!("A128CTR")),
            ),
            (
                "alg-a256gcm",
                "`alg` is `A256GCM`, another AES-256 mode.",
                Some(json!("A256GCM")),
            ),
            (
                "alg-lowercase",
                "`alg` is `a256ctr`: JWK values are case-sensitive.",
                Some(json!("a256ctr")),
            ),
        ],
    );

    let ext = member_group(
        "jwk-ext",
        "A4: `ext` is the boolean `true`.",
        "A4",
        "ext",
        vec![
            ("ext-false", "`ext` is `false`.", Some(json!(false))),
            (
                "ext-string",
                "`ext` is the string `\"true\"`, not the boolean.",
                Some(json!("true")),
            ),
            ("ext-number", "`ext` is the number 1.", Some(json!(1))),
            ("ext-missing", "The JWK has no `ext`.", None),
        ],
    );

    let key_ops = member_group(
        "jwk-key-ops",
        "A5: `key_ops` is an array of strings containing at least `encrypt` and `decrypt`.",
        "A5",
        "key_ops",
        vec![
            ("key-ops-missing", "The JWK has no `key_ops`.", None),
            (
                "key-ops-encrypt-only",
                "`key_ops` is `[\"encrypt\"]`: `decrypt` is missing.",
                Some(json!(["encrypt"])),
            ),
            (
                "key-ops-decrypt-only",
                "`key_ops` is `[\"decrypt\"]`: `encrypt` is missing.",
                Some(json!(["decrypt"])),
            ),
            ("key-ops-empty", "`key_ops` is empty.", Some(json!([]))),
            (
                "key-ops-uppercase",
                "`key_ops` is `[\"ENCRYPT\", \"DECRYPT\"]`: operation names are case-sensitive.",
                Some(json!(["ENCRYPT", "DECRYPT"])),
            ),
            (
                "key-ops-string",
                "`key_ops` is the string `\"encrypt decrypt\"` instead of an array.",
                Some(json!("encrypt decrypt")),
            ),
        ],
    );
    let mut key_ops = key_ops;
    key_ops.invalid(
        spec(
            "key-ops-non-string-entry",
            &["A5"],
            "`key_ops` holds `encrypt`, `decrypt` and the number 7: RFC 7517 makes it an array of strings.",
            &[Flag::SchemaViolation],
        ),
        v.input(with(&file, "/key/key_ops", json!(["encrypt", "decrypt", 7]))),
        rejected("A5", "/key/key_ops/2"),
    );

    let short = |n: usize| {
        json!(b64::encode_url_safe(msc4268_model::material::bytes(
            "attachment/jwk/short-k",
            n
        )))
    };
    let k = member_group(
        "jwk-k",
        "A6: `k` is the 32-byte AES-256 key.",
        "A6",
        "k",
        vec![
            ("k-missing", "The JWK has no `k`.", None),
            ("k-31-bytes", "`k` decodes to 31 bytes.", Some(short(31))),
            ("k-33-bytes", "`k` decodes to 33 bytes.", Some(short(33))),
            (
                "k-16-bytes",
                "`k` decodes to 16 bytes, an AES-128 key.",
                Some(short(16)),
            ),
            ("k-empty", "`k` is the empty string.", Some(json!(""))),
        ],
    );

    new_file(
        "jwk",
        "A1–A6: `v` and the JSON Web Key's members must have exactly the values the spec fixes.",
        vec![version, kty, alg, ext, key_ops, k],
    )
}

// ---------------------------------------------------------------------------------------------
// base64.json

struct Field {
    group: &'static str,
    rule: &'static str,
    ptr: &'static str,
    alphabet: Alphabet,
    what: &'static str,
}

fn base64() -> GeneratedFile {
    let fields = [
        Field {
            group: "base64-k",
            rule: "A6",
            ptr: "/key/k",
            alphabet: Alphabet::UrlSafe,
            what: "`key.k` (URL-safe alphabet)",
        },
        Field {
            group: "base64-iv",
            rule: "A7",
            ptr: "/iv",
            alphabet: Alphabet::Standard,
            what: "`iv` (standard alphabet)",
        },
        Field {
            group: "base64-sha256",
            rule: "A8",
            ptr: "/hashes/sha256",
            alphabet: Alphabet::Standard,
            what: "`hashes.sha256` (standard alphabet)",
        },
    ];
    let mut groups = Vec::new();
    for field in fields {
        let label = format!("base64/{}", field.group);
        let pt = plaintext(&label, 40);
        let field_of = |v: &Vector| match field.rule {
            "A6" => v.k(),
            "A7" => v.iv_b64(),
            _ => v.sha256_b64(),
        };
        // A vector whose encoding of this field uses an alphabet-specific symbol, so that the
        // other-alphabet spelling really differs.
        let v = Vector::find(&label, &pt, |v| {
            vectors::has_alphabet_specific(&field_of(v))
        });
        let file = v.file();
        let canonical = field_of(&v);
        let rule = field.rule;
        let mut g = GroupBuilder::new(
            CATEGORY,
            field.group,
            &format!("Encodings of {}.", field.what),
            STABLE,
        );
        g.valid(
            spec(
                "canonical",
                &[rule],
                &format!(
                    "{} in its canonical unpadded encoding: decrypts.",
                    field.what
                ),
                &[],
            ),
            v.input(file.clone()),
            decrypted(&v.plaintext),
        );
        g.acceptable(
            spec(
                "padded",
                &[rule],
                &format!("{} with `=` padding. The spec's appendix says decoders SHOULD accept padded input, so the reference decrypts; refusing it breaks only a SHOULD.", field.what),
                &[Flag::LenientEncoding],
            ),
            v.input(with(&file, field.ptr, json!(vectors::padded(&canonical)))),
            decrypted(&v.plaintext),
            vec![rejected(rule, field.ptr)],
        );
        g.acceptable(
            spec(
                "other-alphabet",
                &[rule],
                &format!("{} written in the other base64 alphabet. The alphabet is part of the field's format, so the reference rejects it; a lenient decoder reads the same bytes and decrypts correctly.", field.what),
                &[Flag::LenientEncoding],
            ),
            v.input(with(&file, field.ptr, json!(vectors::other_alphabet(&canonical)))),
            rejected(rule, field.ptr),
            vec![decrypted(&v.plaintext)],
        );
        g.acceptable(
            spec(
                "trailing-bits",
                &[rule],
                &format!("{} whose last symbol has a non-zero unused bit (a non-canonical encoding of the same bytes). The reference rejects it as malleable; a lenient decoder reads the same bytes.", field.what),
                &[Flag::LenientEncoding, Flag::Malleability],
            ),
            v.input(with(
                &file,
                field.ptr,
                json!(vectors::with_trailing_bits(&canonical, field.alphabet)),
            )),
            rejected(rule, field.ptr),
            vec![decrypted(&v.plaintext)],
        );
        let invalid: [(&str, String, Value); 3] = [
            (
                "garbage",
                format!("{} with a `!`, which is in no base64 alphabet.", field.what),
                json!(vectors::with_garbage(&canonical)),
            ),
            (
                "number",
                format!("{} is a number, not a string.", field.what),
                json!(12345),
            ),
            ("null", format!("{} is null.", field.what), Value::Null),
        ];
        for (name, comment, value) in invalid {
            g.invalid(
                spec(name, &[rule], &comment, &[Flag::SchemaViolation]),
                v.input(with(&file, field.ptr, value)),
                rejected(rule, field.ptr),
            );
        }
        if rule == "A6" {
            g.invalid(
                spec(
                    "overpadded",
                    &[rule],
                    "`key.k` with two `=` where one pads it: not a valid base64 length for any decoder.",
                    &[Flag::SchemaViolation],
                ),
                v.input(with(&file, field.ptr, json!(format!("{canonical}==")))),
                rejected(rule, field.ptr),
            );
        }
        if rule == "A7" {
            for (name, n, comment) in [
                (
                    "iv-8-bytes",
                    8,
                    "`iv` holds only the 8 random bytes, without the zero half: 16 bytes are required.",
                ),
                (
                    "iv-12-bytes",
                    12,
                    "`iv` is a 12-byte nonce (the GCM size): 16 bytes are required.",
                ),
                (
                    "iv-17-bytes",
                    17,
                    "`iv` decodes to 17 bytes: 16 are required.",
                ),
            ] {
                let mut bytes = v.iv.to_vec();
                bytes.resize(n, 0);
                g.invalid(
                    spec(name, &[rule], comment, &[Flag::SchemaViolation]),
                    v.input(with(&file, field.ptr, json!(b64::encode(bytes)))),
                    rejected(rule, field.ptr),
                );
            }
        }
        groups.push(g);
    }
    new_file(
        "base64",
        "A6–A8 encodings: `key.k` is URL-safe unpadded base64, `iv` and `hashes.sha256` standard unpadded base64. Padded input is accepted (SHOULD); the other alphabet and non-zero trailing bits are rejected by the reference but acceptable, since a lenient decoder yields the same bytes; anything else is invalid.",
        groups,
    )
}

// ---------------------------------------------------------------------------------------------
// url.json

fn url() -> GeneratedFile {
    let v = Vector::new("url", &plaintext("url", 32));
    let file = v.file();
    let mut g = GroupBuilder::new(
        CATEGORY,
        "url",
        "A12: `url` is an `mxc://<server-name>/<media-id>` URI.",
        STABLE,
    );
    g.valid(
        spec("mxc", &["A12"], "A plain `mxc://server/media-id` URL.", &[]),
        v.input(file.clone()),
        decrypted(&v.plaintext),
    );
    g.valid(
        spec(
            "mxc-with-port",
            &["A12"],
            "The server name carries a port (`hs1.test:8448`), which server names may.",
            &[],
        ),
        v.input(with(
            &file,
            "/url",
            json!("mxc://hs1.test:8448/BundleMedia_01"),
        )),
        decrypted(&v.plaintext),
    );
    let bad: [(&str, &str, Option<Value>); 11] = [
        ("url-missing", "The file has no `url`.", None),
        ("url-number", "`url` is a number.", Some(json!(42))),
        (
            "url-http",
            "`url` is an `http://` URL: the ciphertext must live in the media repository, named by an `mxc://` URI.",
            Some(json!("http://hs1.test/bundle.bin")),
        ),
        (
            "url-https-download",
            "`url` is the HTTPS download URL of the media rather than its `mxc://` URI.",
            Some(json!(
                "https://hs1.test/_matrix/client/v1/media/download/hs1.test/BundleMedia01"
            )),
        ),
        ("url-empty", "`url` is the empty string.", Some(json!(""))),
        (
            "mxc-no-media-id",
            "`mxc://hs1.test` has no media ID.",
            Some(json!("mxc://hs1.test")),
        ),
        (
            "mxc-empty-media-id",
            "`mxc://hs1.test/` has an empty media ID.",
            Some(json!("mxc://hs1.test/")),
        ),
        (
            "mxc-no-server",
            "`mxc:///BundleMedia01` has no server name.",
            Some(json!("mxc:///BundleMedia01")),
        ),
        (
            "mxc-server-port-not-digits",
            "`mxc://hs1.test:st/…`: a server name's port is 1–5 digits (found by differential fuzzing, F16).",
            Some(json!("mxc://hs1.test:st/BundleMedia01")),
        ),
        (
            "mxc-server-bad-character",
            "`mxc://hs1;test/…`: a DNS server name holds only letters, digits, `-` and `.` (found by differential fuzzing, F16).",
            Some(json!("mxc://hs1;test/BundleMedia01")),
        ),
        (
            "mxc-path-in-media-id",
            "The media ID contains `/` and `..`: media IDs are limited to `A-Z a-z 0-9 _ -`, so the URL cannot smuggle a path.",
            Some(json!("mxc://hs1.test/../../evil")),
        ),
    ];
    for (name, comment, value) in bad {
        let f = match value {
            Some(x) => with(&file, "/url", x),
            None => without(&file, "/url"),
        };
        g.invalid(
            spec(name, &["A12"], comment, &[Flag::SchemaViolation]),
            v.input(f),
            rejected("A12", "/url"),
        );
    }
    new_file(
        "url",
        "A12: the file's `url` is an `mxc://` URI naming the media that holds the ciphertext.",
        vec![g],
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::{GeneratedFile, render};
    use msc4268_corpus::fixture::parse_file;
    use msc4268_harness::runner::{Status, run_case};
    use msc4268_model::reference::Reference;
    use msc4268_protocol::cases::{DecryptOutcome, FileDecryptionInput, carrier_bytes};
    use msc4268_protocol::identifiers::IdentifierVariant;
    use msc4268_protocol::implementation::{Implementation, ImplementationInfo, OpResult};
    use std::path::Path;

    /// Renders, reloads and runs every case of `files` under `imp`; returns the ids of passed
    /// cases, the explanations of failed or errored ones, and the ids of skipped ones.
    pub(crate) fn run_all(
        files: &[GeneratedFile],
        imp: &dyn Implementation,
    ) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut passed = Vec::new();
        let mut failed = Vec::new();
        let mut skipped = Vec::new();
        for g in files {
            let text = render(&g.file);
            let cases =
                parse_file(&text, Path::new(&g.path)).unwrap_or_else(|e| panic!("{}: {e}", g.path));
            for c in &cases {
                let r = run_case(imp, c);
                match r.status {
                    Status::Passed => passed.push(r.id.clone()),
                    Status::Skipped { .. } => skipped.push(r.id.clone()),
                    Status::Failed { .. }
                    | Status::Errored { .. }
                    | Status::ExpectedFailure { .. }
                    | Status::UnexpectedPass { .. } => failed.push(r.explain()),
                }
            }
        }
        (passed, failed, skipped)
    }

    #[test]
    fn reference_passes_every_case() {
        let files = files();
        let (passed, failed, skipped) = run_all(&files, &Reference);
        assert!(failed.is_empty(), "{}", failed.join("\n"));
        assert!(skipped.is_empty(), "skipped: {skipped:?}");
        assert!(passed.len() >= 90, "only {} cases", passed.len());
    }

    #[test]
    fn generation_is_deterministic() {
        let a: Vec<String> = files().iter().map(|g| render(&g.file)).collect();
        let b: Vec<String> = files().iter().map(|g| render(&g.file)).collect();
        assert_eq!(a, b);
    }

    /// A receiver with one deliberate bug.
    struct Mutant(fn(&FileDecryptionInput) -> DecryptOutcome);

    impl Implementation for Mutant {
        fn info(&self) -> ImplementationInfo {
            ImplementationInfo {
                name: "mutant".into(),
                version: "0".into(),
                language: "rust".into(),
                issues: None,
                identifiers: vec![IdentifierVariant::Stable],
            }
        }
        fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
            Ok((self.0)(input))
        }
    }

    fn reject() -> DecryptOutcome {
        DecryptOutcome::Rejected(Default::default())
    }

    fn parsed(
        input: &FileDecryptionInput,
    ) -> Option<(msc4268_model::wire::encrypted_file::EncryptedFile, Vec<u8>)> {
        let f = msc4268_model::wire::encrypted_file::parse(&input.file, "").ok()?;
        let ct = carrier_bytes(&input.ciphertext).ok()?;
        Some((f, ct))
    }

    fn out(pt: Vec<u8>) -> DecryptOutcome {
        DecryptOutcome::Decrypted {
            plaintext: b64::encode_padded(pt),
        }
    }

    fn mutant_fails(m: Mutant, what: &str, expect_in: &str) {
        let (_, failed, _) = run_all(&files(), &m);
        assert!(
            failed.iter().any(|f| f.contains(expect_in)),
            "the {what} mutant passed every case of {expect_in}"
        );
    }

    #[test]
    fn mutants_are_caught() {
        mutant_fails(
            Mutant(|i| match parsed(i) {
                Some((f, ct)) => out(vectors::ctr(
                    &f.key,
                    &f.iv,
                    &ct,
                    vectors::Counter::Be64Wrapping,
                )),
                None => reject(),
            }),
            "64-bit wrapping counter",
            "counter-low-half-nonzero",
        );
        mutant_fails(
            Mutant(|i| match parsed(i) {
                Some((f, ct)) => out(vectors::ctr(&f.key, &f.iv, &ct, vectors::Counter::Le128)),
                None => reject(),
            }),
            "little-endian counter",
            "counter-low-half-zero",
        );
        mutant_fails(
            Mutant(|i| match parsed(i) {
                Some((f, ct)) => out(vectors::ctr(&f.key, &f.iv, &ct, vectors::Counter::Be128)),
                None => reject(),
            }),
            "no hash check",
            "hash-check",
        );
        mutant_fails(
            Mutant(|i| match parsed(i) {
                Some((f, ct)) => {
                    let pt = vectors::ctr(&f.key, &f.iv, &ct, vectors::Counter::Be128);
                    if vectors::sha256(&pt) == f.sha256 {
                        out(pt)
                    } else {
                        reject()
                    }
                }
                None => reject(),
            }),
            "hash over plaintext",
            "hash-of-plaintext",
        );
        mutant_fails(
            Mutant(|i| {
                let mut file = i.file.clone();
                for (ptr, value) in [("/v", "v2"), ("/key/alg", "A256CTR")] {
                    if let Some(x) = file.pointer_mut(ptr) {
                        *x = json!(value);
                    }
                }
                match msc4268_model::attachment::decrypt_json(
                    &file,
                    &carrier_bytes(&i.ciphertext).unwrap_or_default(),
                    1 << 20,
                ) {
                    Ok(pt) => out(pt),
                    Err(_) => reject(),
                }
            }),
            "unchecked v and alg",
            "alg-a128ctr",
        );
    }
}
