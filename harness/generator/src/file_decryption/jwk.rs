//! `file-decryption/jwk.json`: `v` and the JSON Web Key's members have exactly the values the spec
//! fixes (A1–A6).

use super::*;

pub(super) fn jwk() -> GeneratedFile {
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
    let versions: [(&str, &str, Option<Value>, &[BugClass]); 5] = [
        (
            "v1",
            "`v` is `v1`, the older attachment version whose IV rules differ; v2 is required (rust-sdk refuses other versions with UnknownVersion).",
            Some(json!("v1")),
            &[BugClass::Legacy],
        ),
        (
            "v3",
            "`v` is `v3`, a version no spec defines.",
            Some(json!("v3")),
            &[BugClass::SchemaViolation],
        ),
        (
            "v-uppercase",
            "`v` is `V2`: the value is case-sensitive.",
            Some(json!("V2")),
            &[BugClass::SchemaViolation],
        ),
        (
            "v-number",
            "`v` is the number 2, not the string `v2`.",
            Some(json!(2)),
            &[BugClass::SchemaViolation],
        ),
        (
            "v-missing",
            "`v` is missing: the version is required, not defaulted.",
            None,
            &[BugClass::SchemaViolation],
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
                spec(name, &[rule], comment, &[BugClass::SchemaViolation]),
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
            &[BugClass::SchemaViolation],
        ),
        v.input(without(&file, "/key")),
        rejected("A2", "/key"),
    );
    kty.invalid(
        spec(
            "key-not-object",
            &["A2"],
            "`key` is the bare `k` string instead of a JWK object.",
            &[BugClass::SchemaViolation],
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
            &[BugClass::SchemaViolation],
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
        CATEGORY,
        module_path!(),
        "jwk",
        "A1–A6: `v` and the JSON Web Key's members must have exactly the values the spec fixes.",
        vec![version, kty, alg, ext, key_ops, k],
    )
}
