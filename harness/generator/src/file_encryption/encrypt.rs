//! `file-encryption/encrypt.json`: the implementation encrypts as the bundle sender; the runner
//! audits every encryption.

use super::*;

pub(super) fn encrypt() -> GeneratedFile {
    let mut g = GroupBuilder::new(
        CATEGORY,
        "encrypt",
        "The implementation encrypts the plaintext `times` times as a bundle sender would; every result must pass the audit (R17, A1–A12), and no key or IV may repeat between them (A10).",
        STABLE,
    );
    let cases: [(&str, Vec<u8>, u32, &str); 6] = [
        (
            "empty",
            Vec::new(),
            2,
            "An empty plaintext, twice: the ciphertext is empty, its hash is the SHA-256 of no bytes, and the two encryptions still use different keys and IVs.",
        ),
        (
            "one-byte",
            plaintext("encrypt/one-byte", 1),
            2,
            "A 1-byte plaintext, twice: no padding, so the ciphertext is 1 byte.",
        ),
        (
            "one-block",
            plaintext("encrypt/one-block", 16),
            2,
            "Exactly one AES block, twice.",
        ),
        (
            "thousand-bytes",
            plaintext("encrypt/thousand-bytes", 1000),
            2,
            "1000 bytes (63 blocks, the last partial), twice.",
        ),
        (
            "many-blocks",
            plaintext("encrypt/many-blocks", 4128),
            2,
            "258 blocks, twice: the counter carries between bytes of its low half, which a little-endian or byte-wise counter gets wrong (A9).",
        ),
        (
            "bundle-json",
            vectors::bundle_plaintext("encrypt"),
            3,
            "A realistic RoomKeyBundle JSON, three times: three fresh keys, three fresh IVs with zero low halves, hashes over each ciphertext.",
        ),
    ];
    for (name, pt, times, comment) in cases {
        g.valid(
            spec(
                name,
                &["R17", "A10", "A11", "A9"],
                comment,
                &[BugClass::Confidentiality],
            ),
            json!({
                "operation": "encrypt",
                "plaintext": b64::encode_padded(&pt),
                "times": times,
            }),
            conformant(),
        );
    }
    new_file(
        CATEGORY,
        module_path!(),
        "encrypt",
        "R17 and A1–A12 on the sender side: encrypt a bundle plaintext as an attachment, with a fresh key and IV each time.",
        vec![g],
    )
}
