//! `file-decryption/hash.json`: the ciphertext's SHA-256 is checked before any plaintext is used
//! (R38), and `hashes.sha256` is present and well formed (A8).

use super::*;

pub(super) fn hash() -> GeneratedFile {
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
    let mismatch: Vec<(&str, &str, Value, &[BugClass])> = vec![
        (
            "wrong-hash",
            "`hashes.sha256` is the SHA-256 of some other bytes.",
            v.input(with(&file, "/hashes/sha256", hash_of(b"some other upload"))),
            &[BugClass::Malleability],
        ),
        (
            "hash-of-plaintext",
            "`hashes.sha256` is the SHA-256 of the plaintext, not the ciphertext (a sender bug). A receiver that hashes the decrypted bytes would accept it.",
            v.input(with(&file, "/hashes/sha256", hash_of(&v.plaintext))),
            &[BugClass::Malleability],
        ),
        (
            "hash-all-zero",
            "`hashes.sha256` is 32 zero bytes.",
            v.input(with(&file, "/hashes/sha256", json!(b64::encode([0u8; 32])))),
            &[BugClass::Malleability],
        ),
        (
            "truncated-ciphertext",
            "The download lost its last byte: the hash no longer matches. CTR would happily decrypt the rest.",
            with_ct(
                v.ciphertext[..v.ciphertext.len() - 1].to_vec(),
                file.clone(),
            ),
            &[BugClass::Malleability],
        ),
        (
            "empty-ciphertext",
            "The download is empty although the file's hash is of 100 bytes.",
            with_ct(Vec::new(), file.clone()),
            &[BugClass::Malleability, BugClass::EdgeCase],
        ),
        (
            "extended-ciphertext",
            "One byte was appended to the download: the hash no longer matches.",
            with_ct([v.ciphertext.as_slice(), &[0x00]].concat(), file.clone()),
            &[BugClass::Malleability],
        ),
        (
            "flipped-bit-first-byte",
            "The lowest bit of the first ciphertext byte is flipped: in CTR mode this flips the same plaintext bit, so only the hash can catch it.",
            {
                let mut ct = v.ciphertext.clone();
                ct[0] ^= 0x01;
                with_ct(ct, file.clone())
            },
            &[BugClass::Malleability],
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
            &[BugClass::Malleability],
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
            spec(name, &["A8", "R38"], comment, &[BugClass::SchemaViolation]),
            v.input(f),
            rejected("A8", path),
        );
    }

    new_file(
        CATEGORY,
        module_path!(),
        "hash",
        "R38: the SHA-256 of the ciphertext is checked before any plaintext is used; A8: `hashes.sha256` is present and well formed.",
        vec![check, field],
    )
}
