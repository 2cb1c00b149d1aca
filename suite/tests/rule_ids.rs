//! Rule ids in the harness's code are checked, not strings: every string literal that is a rule id
//! (`Violation::new("R15", ..)`, `rule: Some("R45".into())`, `rejected("A3", ..)`, ...) in the
//! reference model, the generator and the runner names a rule of `fixtures/rules.json`.
//!
//! The sources are read by the same scanner the CLI's build script uses to index rule locations
//! for `msc4268 rules <ID>` (`harness/cli/build/rule_scan.rs`). Test code (`#[cfg(test)]`) is left
//! out: it may name made-up ids on purpose, and an id it asserts on comes from checked code.
//! That every case's `rules` are in the catalogue is checked in `corpus.rs`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use msc4268_corpus::rules::catalogue;

#[path = "../../harness/cli/build/rule_scan.rs"]
mod rule_scan;

/// The source trees whose rule-id literals are data, relative to the repository root.
const SOURCES: [&str; 3] = [
    "harness/model/src",
    "harness/generator/src",
    "harness/runner/src",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn literals(tree: &str) -> Vec<rule_scan::FileRuleLiteral> {
    let root = repo_root();
    rule_scan::scan_tree(&root, &root.join(tree))
        .unwrap_or_else(|e| panic!("cannot read {tree}: {e}"))
        .into_iter()
        .filter(|f| !f.literal.in_test)
        .collect()
}

#[test]
fn every_rule_id_the_code_names_is_in_the_catalogue() {
    let cat = catalogue().expect("rules.json parses");
    let known: BTreeSet<&str> = cat.rules.iter().map(|r| r.id.as_str()).collect();
    let mut unknown = Vec::new();
    for tree in SOURCES {
        for found in literals(tree) {
            let l = &found.literal;
            if !known.contains(l.rule.as_str()) {
                unknown.push(format!(
                    "{}:{}{}: \"{}\" is not a rule of fixtures/rules.json",
                    found.file,
                    l.line,
                    l.function
                        .as_deref()
                        .map(|f| format!(" (in {f})"))
                        .unwrap_or_default(),
                    l.rule
                ));
            }
        }
    }
    assert!(unknown.is_empty(), "{}", unknown.join("\n"));
}

#[test]
fn the_scanner_sees_the_reference_models_violations() {
    // Guards the check above against passing because the scanner found nothing.
    let model = literals("harness/model/src");
    let rules: BTreeSet<&str> = model.iter().map(|f| f.literal.rule.as_str()).collect();
    for id in ["R15", "R33", "A3", "B1", "O1", "X1"] {
        assert!(
            rules.contains(id),
            "no `{id}` literal found in harness/model/src"
        );
    }
    assert!(
        model
            .iter()
            .any(|f| f.file == "harness/model/src/policy/import.rs"
                && f.literal.rule == "R33"
                && f.literal.function.as_deref() == Some("check_invite")),
        "R33 not found in check_invite"
    );
}
