//! `file-decryption/url.json`: the file's `url` is an `mxc://` URI (A12).

use super::*;

pub(super) fn url() -> GeneratedFile {
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
    let bad: [(&str, &str, Option<Value>); 13] = [
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
        (
            "mxc-with-query",
            "`mxc://hs1.test/BundleMedia01?ts=1`: the grammar `mxc://<server-name>/<media-id>` has no query, and `?` and `=` are not media-ID characters (`A-Z a-z 0-9 _ -`).",
            Some(json!("mxc://hs1.test/BundleMedia01?ts=1")),
        ),
        (
            "mxc-with-fragment",
            "`mxc://hs1.test/BundleMedia01#part`: the grammar `mxc://<server-name>/<media-id>` has no fragment, and `#` is not a media-ID character.",
            Some(json!("mxc://hs1.test/BundleMedia01#part")),
        ),
    ];
    for (name, comment, value) in bad {
        let f = match value {
            Some(x) => with(&file, "/url", x),
            None => without(&file, "/url"),
        };
        g.invalid(
            spec(name, &["A12"], comment, &[BugClass::SchemaViolation]),
            v.input(f),
            rejected("A12", "/url"),
        );
    }
    g.acceptable(
        spec(
            "mxc-scheme-upper-case",
            &["A12"],
            "`MXC://hs1.test/BundleMedia01`: URI schemes are case-insensitive in general (RFC 3986), but the spec writes `mxc://` and says nothing of other cases. The reference refuses it; a client that reads the scheme case-insensitively downloads the same media and decrypts it, which is also acceptable.",
            &[BugClass::SpecAmbiguity, BugClass::LenientEncoding],
        ),
        v.input(with(&file, "/url", json!("MXC://hs1.test/BundleMedia01"))),
        rejected("A12", "/url"),
        vec![decrypted(&v.plaintext)],
    );
    new_file(
        CATEGORY,
        module_path!(),
        "url",
        "A12: the file's `url` is an `mxc://` URI naming the media that holds the ciphertext.",
        vec![g],
    )
}
