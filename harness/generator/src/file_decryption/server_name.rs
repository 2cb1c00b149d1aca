//! `file-decryption/server-name.json`: the server name of the file's `mxc://` URL against the
//! appendix's grammar (A12): DNS names at their length limit, bracketed IPv6 literals, ports.
//! Added for mutation testing of the reference (issue 17): the `url` cases had no IPv6 literal
//! and no length at a limit, so a reference that got those branches wrong still passed.

use super::*;

/// `mxc://<server>/BundleMedia01`.
fn mxc(server: &str) -> Value {
    json!(format!("mxc://{server}/BundleMedia01"))
}

/// A DNS name of exactly `len` characters made of labels of at most 63 characters
/// (`aaa….aaa….a…`), the last label filling the rest.
fn dns_name(len: usize) -> String {
    let label = "a".repeat(63);
    let mut name = String::new();
    while name.len() + 64 < len {
        name.push_str(&label);
        name.push('.');
    }
    name.push_str(&"b".repeat(len - name.len()));
    name
}

/// The longest textual IPv6 address, 45 characters (RFC 3513 §2.2, form 3: `x:x:x:x:x:x:d.d.d.d`).
const IPV6_45: &str = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";

pub(super) fn server_name() -> GeneratedFile {
    let v = Vector::new("server-name", &plaintext("server-name", 32));
    let file = v.file();
    let mut g = GroupBuilder::new(
        CATEGORY,
        "server-name",
        "A12: the server name of `url` follows the appendix's grammar: `hostname [ \":\" port ]`, a hostname being a bracketed IPv6 literal of 2–45 IPv6 characters or a DNS name of 1–255 DNS characters, a port 1–5 digits.",
        STABLE,
    );
    let good: [(&str, &str, String); 5] = [
        (
            "ipv6-literal",
            "The server name is a bracketed IPv6 literal (`hostname = … \"[\" IPv6address \"]\" …`).",
            "[2001:db8::1]".into(),
        ),
        (
            "ipv6-literal-with-port",
            "A bracketed IPv6 literal with a port.",
            "[2001:db8::1]:8448".into(),
        ),
        (
            "ipv6-literal-2-characters",
            "`[::]`, an IPv6 literal of 2 characters: the grammar's minimum (`2*45IPv6char`), and a valid IPv6 address.",
            "[::]".into(),
        ),
        (
            "ipv6-literal-45-characters",
            "`[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]`, an IPv6 literal of 45 characters: the grammar's maximum (`2*45IPv6char`), and a valid IPv6 address.",
            format!("[{IPV6_45}]"),
        ),
        (
            "port-5-digits",
            "A port of 5 digits, the grammar's maximum (`1*5DIGIT`).",
            "hs1.test:65535".into(),
        ),
    ];
    for (name, comment, server) in good {
        g.valid(
            spec(name, &["A12"], comment, &[BugClass::EdgeCase]),
            v.input(with(&file, "/url", mxc(&server))),
            decrypted(&v.plaintext),
        );
    }
    g.acceptable(
        spec(
            "dns-name-255-characters",
            &["A12"],
            "A DNS name of 255 characters (labels of 63): the grammar's maximum (`1*255dns-char`), but the grammar only includes all valid server names, and DNS itself allows 253 characters in text form. The reference accepts it; rejecting it is also acceptable.",
            &[BugClass::EdgeCase, BugClass::SpecAmbiguity],
        ),
        v.input(with(&file, "/url", mxc(&dns_name(255)))),
        decrypted(&v.plaintext),
        vec![rejected("A12", "/url")],
    );
    let bad: [(&str, &str, String); 10] = [
        (
            "ipv6-literal-empty",
            "`[]`: an IPv6 literal has at least 2 characters.",
            "[]".into(),
        ),
        (
            "ipv6-literal-1-character",
            "`[1]`: an IPv6 literal has at least 2 characters (`2*45IPv6char`).",
            "[1]".into(),
        ),
        (
            "ipv6-literal-46-characters",
            "An IPv6 literal of 46 characters, one more than `2*45IPv6char` allows.",
            format!("[0{IPV6_45}]"),
        ),
        (
            "ipv6-literal-not-hex",
            "`[2001:db8::g]`: `g` is not an IPv6 character (digits, `A-F`, `a-f`, `:`, `.`).",
            "[2001:db8::g]".into(),
        ),
        (
            "ipv6-literal-unclosed",
            "`[2001:db8::1` has no closing bracket.",
            "[2001:db8::1".into(),
        ),
        (
            "ipv6-literal-trailing-text",
            "`[2001:db8::1]x`: after the bracket only `:` and a port may follow.",
            "[2001:db8::1]x".into(),
        ),
        (
            "ipv6-literal-port-not-digits",
            "`[2001:db8::1]:ab`: a port is digits.",
            "[2001:db8::1]:ab".into(),
        ),
        (
            "dns-name-256-characters",
            "A DNS name of 256 characters, one more than `1*255dns-char` allows.",
            dns_name(256),
        ),
        (
            "port-6-digits",
            "A port of 6 digits, one more than `1*5DIGIT` allows.",
            "hs1.test:123456".into(),
        ),
        (
            "port-empty",
            "`hs1.test:`: a colon with no port (`1*5DIGIT` needs at least one digit).",
            "hs1.test:".into(),
        ),
    ];
    for (name, comment, server) in bad {
        g.invalid(
            spec(name, &["A12"], comment, &[BugClass::SchemaViolation]),
            v.input(with(&file, "/url", mxc(&server))),
            rejected("A12", "/url"),
        );
    }
    new_file(
        CATEGORY,
        module_path!(),
        "server-name",
        "A12: the server name of the file's `mxc://` URL, at the limits of the appendix's grammar.",
        vec![g],
    )
}
