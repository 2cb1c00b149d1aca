//! `file-decryption/base64.json`: the base64 encodings of `key.k`, `iv` and `hashes.sha256`
//! (A6–A8).

use super::*;

struct Field {
    group: &'static str,
    rule: &'static str,
    ptr: &'static str,
    alphabet: Alphabet,
    what: &'static str,
}

pub(super) fn base64() -> GeneratedFile {
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
                &[BugClass::LenientEncoding],
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
                &[BugClass::LenientEncoding],
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
                &[BugClass::LenientEncoding, BugClass::Malleability],
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
                spec(name, &[rule], &comment, &[BugClass::SchemaViolation]),
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
                    &[BugClass::SchemaViolation],
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
                    spec(name, &[rule], comment, &[BugClass::SchemaViolation]),
                    v.input(with(&file, field.ptr, json!(b64::encode(bytes)))),
                    rejected(rule, field.ptr),
                );
            }
        }
        groups.push(g);
    }
    new_file(
        CATEGORY,
        module_path!(),
        "base64",
        "A6–A8 encodings: `key.k` is URL-safe unpadded base64, `iv` and `hashes.sha256` standard unpadded base64. Padded input is accepted (SHOULD); the other alphabet and non-zero trailing bits are rejected by the reference but acceptable, since a lenient decoder yields the same bytes; anything else is invalid.",
        groups,
    )
}
