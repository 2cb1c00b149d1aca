//! `file-encryption/audit.json`: encryptions built here, each breaking at most one rule, check the
//! suite's auditor itself.

use super::*;

/// One `audit-fields` case: name, rule, comment, edited file, pointer inside the file, flags.
type FieldCase<'a> = (&'a str, &'a str, &'a str, Value, &'a str, &'a [BugClass]);

/// Builds audit inputs over one plaintext.
struct Audit {
    plaintext: Vec<u8>,
}

impl Audit {
    fn input(&self, encryptions: Vec<Value>) -> Value {
        json!({
            "operation": "audit",
            "plaintext": b64::encode_padded(&self.plaintext),
            "encryptions": encryptions,
        })
    }

    fn vector(&self, label: &str) -> Vector {
        Vector::new(&format!("audit/{label}"), &self.plaintext)
    }
}

pub(super) fn audit() -> GeneratedFile {
    let a = Audit {
        plaintext: vectors::bundle_plaintext("audit"),
    };
    let v = a.vector("a");
    let w = a.vector("b");
    let file = v.file();
    let at = |rest: &str| format!("/encryptions/0/file{rest}");

    // Conformant encryptions.
    let mut ok = GroupBuilder::new(
        CATEGORY,
        "audit-conformant",
        "Encryptions a conformant sender may produce: the auditor must find nothing wrong.",
        STABLE,
    );
    ok.valid(
        spec(
            "single",
            &["R17", "A9", "A11"],
            "One canonical encryption: random-looking key, IV with zero low half, hash over the ciphertext, v2 JWK.",
            &[],
        ),
        a.input(vec![v.input(file.clone())]),
        conformant(),
    );
    ok.valid(
        spec(
            "two-fresh",
            &["A10", "R17"],
            "Two encryptions of the same plaintext with different keys and different IVs.",
            &[],
        ),
        a.input(vec![v.input(file.clone()), w.input(w.file())]),
        conformant(),
    );
    ok.valid(
        spec(
            "key-ops-reversed",
            &["A5"],
            "`key_ops` in ruma's order `[\"decrypt\", \"encrypt\"]`: order does not matter.",
            &[BugClass::Interop],
        ),
        a.input(vec![v.input(with(
            &file,
            "/key/key_ops",
            json!(["decrypt", "encrypt"]),
        ))]),
        conformant(),
    );
    ok.valid(
        spec(
            "extra-sha512",
            &["A8"],
            "A correct `sha512` next to `sha256`: extra hash algorithms are allowed.",
            &[],
        ),
        a.input(vec![v.input(with(
            &file,
            "/hashes/sha512",
            json!(vectors::sha512_b64(&v.ciphertext)),
        ))]),
        conformant(),
    );
    ok.valid(
        spec(
            "placeholder-url",
            &["A12"],
            "The `url` is the suite's placeholder `mxc://conformance.invalid/bundle`, as before upload: an `mxc://` URI.",
            &[],
        ),
        a.input(vec![v.input(with(
            &file,
            "/url",
            json!(msc4268_model::attachment::PLACEHOLDER_URL),
        ))]),
        conformant(),
    );
    let empty = Audit {
        plaintext: Vec::new(),
    };
    let e = empty.vector("empty");
    ok.valid(
        spec(
            "empty-plaintext",
            &["R17"],
            "An empty plaintext: empty ciphertext, hash of no bytes.",
            &[BugClass::EdgeCase],
        ),
        empty.input(vec![e.input(e.file())]),
        conformant(),
    );

    // Field values and encodings.
    let mut fields = GroupBuilder::new(
        CATEGORY,
        "audit-fields",
        "A1–A8, A12 on the sender side: exact JWK values and canonical encodings (a sender has no reason to pad or switch alphabets, so the auditor does not tolerate it).",
        STABLE,
    );
    let alpha = Vector::find("audit/alphabet", &a.plaintext, |x| {
        vectors::has_alphabet_specific(&x.k())
    });
    let field_cases: Vec<FieldCase<'_>> = vec![
        (
            "v1",
            "A1",
            "`v` is `v1`.",
            with(&file, "/v", json!("v1")),
            "/v",
            &[BugClass::Legacy],
        ),
        (
            "kty-uppercase",
            "A2",
            "`kty` is `OCT`.",
            with(&file, "/key/kty", json!("OCT")),
            "/key/kty",
            &[BugClass::SchemaViolation],
        ),
        (
            "alg-a128ctr",
            "A3",
            "`alg` is `A128CTR` although the key is 32 bytes.",
            with(&file, "/key/alg", json!("A128CTR")),
            "/key/alg",
            &[BugClass::SchemaViolation],
        ),
        (
            "ext-missing",
            "A4",
            "The JWK has no `ext`.",
            without(&file, "/key/ext"),
            "/key/ext",
            &[BugClass::SchemaViolation],
        ),
        (
            "ext-string",
            "A4",
            "`ext` is the string `\"true\"`.",
            with(&file, "/key/ext", json!("true")),
            "/key/ext",
            &[BugClass::SchemaViolation],
        ),
        (
            "key-ops-without-decrypt",
            "A5",
            "`key_ops` is `[\"encrypt\"]`: the recipient needs `decrypt`.",
            with(&file, "/key/key_ops", json!(["encrypt"])),
            "/key/key_ops",
            &[BugClass::SchemaViolation],
        ),
        (
            "k-padded",
            "A6",
            "`k` carries `=` padding: a sender must write unpadded URL-safe base64.",
            with(&file, "/key/k", json!(vectors::padded(&v.k()))),
            "/key/k",
            &[BugClass::LenientEncoding],
        ),
        (
            "k-standard-alphabet",
            "A6",
            "`k` is in the standard alphabet (`+`, `/`): JWK `k` is URL-safe base64.",
            with(
                &alpha.file(),
                "/key/k",
                json!(vectors::other_alphabet(&alpha.k())),
            ),
            "/key/k",
            &[BugClass::LenientEncoding],
        ),
        (
            "k-16-bytes",
            "A6",
            "`k` is a 16-byte key.",
            with(&file, "/key/k", json!(b64::encode_url_safe(&v.key[..16]))),
            "/key/k",
            &[BugClass::SchemaViolation],
        ),
        (
            "iv-padded",
            "A7",
            "`iv` carries `==` padding.",
            with(&file, "/iv", json!(vectors::padded(&v.iv_b64()))),
            "/iv",
            &[BugClass::LenientEncoding],
        ),
        (
            "iv-12-bytes",
            "A7",
            "`iv` is a 12-byte nonce.",
            with(&file, "/iv", json!(b64::encode(&v.iv[..12]))),
            "/iv",
            &[BugClass::SchemaViolation],
        ),
        (
            "sha256-padded",
            "A8",
            "`hashes.sha256` carries `=` padding.",
            with(
                &file,
                "/hashes/sha256",
                json!(vectors::padded(&v.sha256_b64())),
            ),
            "/hashes/sha256",
            &[BugClass::LenientEncoding],
        ),
        (
            "sha256-missing",
            "A8",
            "`hashes` has no `sha256`.",
            with(&file, "/hashes", json!({})),
            "/hashes/sha256",
            &[BugClass::SchemaViolation],
        ),
        (
            "url-https",
            "A12",
            "`url` is an `https://` URL.",
            with(&file, "/url", json!("https://hs1.test/bundle")),
            "/url",
            &[BugClass::SchemaViolation],
        ),
    ];
    for (name, rule, comment, f, ptr, flags) in field_cases {
        let ciphertext_of = if name == "k-standard-alphabet" {
            &alpha
        } else {
            &v
        };
        fields.invalid(
            spec(name, &[rule, "R17"], comment, flags),
            a.input(vec![ciphertext_of.input(f)]),
            violation(rule, &at(ptr)),
        );
    }

    // Cryptographic content.
    let mut crypto = GroupBuilder::new(
        CATEGORY,
        "audit-crypto",
        "R17, A9, A11: the IV's low half is zero, the hash is over the ciphertext, and the ciphertext decrypts to the plaintext with a 128-bit big-endian counter.",
        STABLE,
    );
    let mut random_iv = Vector::label_iv("audit/random-iv");
    random_iv[8..].copy_from_slice(&msc4268_model::material::seed("audit/random-iv/low")[..8]);
    let r = Vector::with_iv("audit/random-iv", random_iv, &a.plaintext);
    crypto.invalid(
        spec(
            "iv-fully-random",
            &["A11"],
            "All 16 IV bytes are random (the ciphertext is otherwise correct): the low 64 bits must start at zero.",
            &[BugClass::Confidentiality],
        ),
        a.input(vec![r.input(r.file())]),
        violation("A11", &at("/iv")),
    );
    let one = Vector::with_iv(
        "audit/iv-low-one",
        iv_with_low("audit/iv-low-one", 1),
        &a.plaintext,
    );
    crypto.invalid(
        spec(
            "iv-low-half-one",
            &["A11"],
            "The counter starts at 1 instead of 0 (low half `...01`).",
            &[BugClass::Confidentiality, BugClass::EdgeCase],
        ),
        a.input(vec![one.input(one.file())]),
        violation("A11", &at("/iv")),
    );
    crypto.invalid(
        spec(
            "hash-over-plaintext",
            &["R17"],
            "`hashes.sha256` is the SHA-256 of the plaintext: receivers hash the ciphertext and will refuse the file.",
            &[BugClass::Interop],
        ),
        a.input(vec![v.input(with(
            &file,
            "/hashes/sha256",
            json!(b64::encode(vectors::sha256(&a.plaintext))),
        ))]),
        violation("R17", &at("/hashes/sha256")),
    );
    crypto.invalid(
        spec(
            "hash-of-other-bytes",
            &["R17"],
            "`hashes.sha256` is the SHA-256 of other bytes.",
            &[BugClass::Interop],
        ),
        a.input(vec![v.input(with(
            &file,
            "/hashes/sha256",
            json!(b64::encode(vectors::sha256(b"another upload"))),
        ))]),
        violation("R17", &at("/hashes/sha256")),
    );
    let le = Vector::build(
        Vector::label_key("audit/le"),
        Vector::label_iv("audit/le"),
        &a.plaintext,
        vectors::media_url("audit/le"),
        Counter::Le128,
    );
    crypto.invalid(
        spec(
            "little-endian-counter",
            &["A9"],
            "Encrypted with a little-endian counter (hash over that ciphertext is correct): with the 128-bit big-endian counter the ciphertext decrypts to other bytes from the second block on.",
            &[BugClass::Interop],
        ),
        a.input(vec![le.input(le.file())]),
        violation("A9", "/encryptions/0/ciphertext"),
    );
    let stale = Vector::new("audit/stale", &vectors::bundle_plaintext("audit-stale"));
    crypto.invalid(
        spec(
            "other-plaintext",
            &["A9"],
            "A correct encryption of another bundle (a stale one): it does not decrypt to the plaintext being sent.",
            &[BugClass::Interop],
        ),
        a.input(vec![stale.input(stale.file())]),
        violation("A9", "/encryptions/0/ciphertext"),
    );
    let short = Vector::new(
        "audit/truncated",
        &a.plaintext[..a.plaintext.len().saturating_sub(1)],
    );
    crypto.invalid(
        spec(
            "truncated-plaintext",
            &["A9"],
            "The plaintext lost its last byte before encryption (hash over that ciphertext is correct): it decrypts to a prefix of the plaintext.",
            &[BugClass::Interop],
        ),
        a.input(vec![short.input(short.file())]),
        violation("A9", "/encryptions/0/ciphertext"),
    );

    // Reuse across encryptions.
    let mut reuse = GroupBuilder::new(
        CATEGORY,
        "audit-reuse",
        "A10: every encryption uses a fresh key and a fresh IV; any repeat across encryptions is a violation.",
        STABLE,
    );
    let same_key = Vector::build(v.key, w.iv, &a.plaintext, w.url.clone(), Counter::Be128);
    reuse.invalid(
        spec(
            "key-reused",
            &["A10"],
            "The second encryption reuses the first one's key with a new IV.",
            &[BugClass::Confidentiality],
        ),
        a.input(vec![v.input(file.clone()), same_key.input(same_key.file())]),
        violation("A10", "/encryptions/1/file/key/k"),
    );
    let same_iv = Vector::build(w.key, v.iv, &a.plaintext, w.url.clone(), Counter::Be128);
    reuse.invalid(
        spec(
            "iv-reused",
            &["A10"],
            "The second encryption reuses the first one's IV with a new key.",
            &[BugClass::Confidentiality],
        ),
        a.input(vec![v.input(file.clone()), same_iv.input(same_iv.file())]),
        violation("A10", "/encryptions/1/file/iv"),
    );
    reuse.invalid(
        spec(
            "identical-twice",
            &["A10"],
            "The same encryption twice (a cached or deterministic encryptor): key and IV repeat; the key is reported first.",
            &[BugClass::Confidentiality],
        ),
        a.input(vec![v.input(file.clone()), v.input(file.clone())]),
        violation("A10", "/encryptions/1/file/key/k"),
    );
    let x = a.vector("c");
    let third = Vector::build(v.key, x.iv, &a.plaintext, x.url.clone(), Counter::Be128);
    reuse.invalid(
        spec(
            "key-reused-non-adjacent",
            &["A10"],
            "Three encryptions; the third reuses the first one's key: reuse is checked across all of them, not only neighbours.",
            &[BugClass::Confidentiality],
        ),
        a.input(vec![
            v.input(file.clone()),
            w.input(w.file()),
            third.input(third.file()),
        ]),
        violation("A10", "/encryptions/2/file/key/k"),
    );

    new_file(
        CATEGORY,
        module_path!(),
        "audit",
        "The suite's encryption auditor (reference only): conformant encryptions pass, each broken rule is reported.",
        vec![ok, fields, crypto, reuse],
    )
}
