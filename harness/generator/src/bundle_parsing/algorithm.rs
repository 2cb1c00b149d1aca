//! `bundle-parsing/algorithm.json`: entries of algorithms other than Megolm v1.

use super::*;

pub(super) fn algorithm() -> GeneratedFile {
    let mut f = file(
        CAT,
        "algorithm",
        "Entries for algorithms other than m.megolm.v1.aes-sha2 are skipped on their own (B3).",
        module_path!(),
    );
    let mut g = GroupBuilder::new(
        CAT,
        "unsupported",
        "Unsupported algorithm strings.",
        IdentifierVariant::Stable,
    );
    let base = Key::new("alg", 0).json();
    for (name, alg) in [
        ("megolm-v2", "m.megolm.v2.aes-sha2"),
        ("olm", "m.olm.v1.curve25519-aes-sha2"),
        ("upper-case", "M.MEGOLM.V1.AES-SHA2"),
        ("empty", ""),
        ("trailing-space", "m.megolm.v1.aes-sha2 "),
    ] {
        let mut e = base.clone();
        e["algorithm"] = json!(alg);
        broken_key(
            &mut g,
            name,
            "B3",
            &format!(
                "`{alg}` is not m.megolm.v1.aes-sha2; the entry is skipped, the rest of the bundle stands."
            ),
            &[BugClass::EdgeCase],
            e,
        );
    }
    f.file.groups.push(g.finish());
    let mut g = GroupBuilder::new(
        CAT,
        "supported",
        "The one supported algorithm.",
        IdentifierVariant::Stable,
    );
    let k = Key::new("alg-ok", 9);
    g.push(
        spec(
            "megolm-v1",
            &["B3", "R15"],
            "m.megolm.v1.aes-sha2 entries are read.",
            &[],
        ),
        Verdict::Valid,
        json!({"plaintext": {"room_keys": [k.json()], "withheld": []}}),
        parsed(vec![k.summary("/room_keys/0")], vec![], vec![]),
    );
    f.file.groups.push(g.finish());
    f
}
