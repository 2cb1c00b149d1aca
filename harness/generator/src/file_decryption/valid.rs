//! `file-decryption/valid.json`: well-formed `EncryptedFile` v2 objects a receiver must decrypt.

use super::*;

pub(super) fn valid() -> GeneratedFile {
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
            spec(name, &["A9", "R38"], comment, &[BugClass::EdgeCase]),
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
            &[BugClass::SpecAmbiguity],
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
            &[BugClass::Interop],
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
        CATEGORY,
        module_path!(),
        "valid",
        "Well-formed EncryptedFile v2 objects a receiver must decrypt: plaintext sizes around the AES block size, and the variations the spec allows.",
        vec![sizes, tolerated],
    )
}
