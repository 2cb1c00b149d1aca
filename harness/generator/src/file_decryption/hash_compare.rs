//! `file-decryption/hash-compare.json`: a `hashes.sha256` that differs from the ciphertext's
//! SHA-256 in more than one byte (R38). Added for mutation testing of the reference (issue 17): the
//! hash cases differ from the real digest in many bytes at once, so a comparison that folded the
//! byte differences with XOR (two equal differences cancel) instead of OR still passed them.

use super::*;

pub(super) fn hash_compare() -> GeneratedFile {
    let v = Vector::new("hash/compare", &plaintext("hash/compare", 64));
    let file = v.file();
    let mut g = GroupBuilder::new(
        CATEGORY,
        "hash-compare",
        "R38: every byte of `hashes.sha256` must equal the ciphertext's SHA-256.",
        STABLE,
    );
    let mut two = vectors::sha256(&v.ciphertext);
    two[0] ^= 0x01;
    two[1] ^= 0x01;
    g.invalid(
        spec(
            "two-bytes-differ-alike",
            &["R38"],
            "`hashes.sha256` is the ciphertext's SHA-256 with the lowest bit of its first two bytes flipped: two bytes differ, by the same bit. The hash does not match.",
            &[BugClass::Malleability, BugClass::EdgeCase],
        ),
        v.input(with(&file, "/hashes/sha256", json!(b64::encode(two)))),
        rejected("R38", "/hashes/sha256"),
    );
    let mut last = vectors::sha256(&v.ciphertext);
    last[31] ^= 0x80;
    g.invalid(
        spec(
            "last-byte-differs",
            &["R38"],
            "`hashes.sha256` is the ciphertext's SHA-256 with the top bit of its last byte flipped: only the last byte differs. The hash does not match.",
            &[BugClass::Malleability, BugClass::EdgeCase],
        ),
        v.input(with(&file, "/hashes/sha256", json!(b64::encode(last)))),
        rejected("R38", "/hashes/sha256"),
    );
    new_file(
        CATEGORY,
        module_path!(),
        "hash-compare",
        "R38: the whole digest is compared, byte for byte.",
        vec![g],
    )
}
