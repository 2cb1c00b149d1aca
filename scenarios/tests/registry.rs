//! The scenario registry (`scenarios/scenarios.json`) against the rule catalogue and the
//! scenario sources, without Docker: every claimed rule exists and is observable in a scenario,
//! and every scenario's file exists and defines it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use msc4268_harness::corpus::rules::catalogue;
use msc4268_scenarios::registry::{Registry, registry};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_registry_parses_and_lists_scenarios() {
    let r = registry().unwrap_or_else(|e| panic!("{e}"));
    assert!(!r.scenarios.is_empty());
}

#[test]
fn every_claimed_rule_is_in_the_catalogue_and_observable_in_a_scenario() {
    let r = registry().unwrap_or_else(|e| panic!("{e}"));
    let cat = catalogue().expect("fixtures/rules.json parses");
    let problems = r.unsupported_claims(&cat);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_scenario_file_exists_and_names_the_scenario() {
    let r = registry().unwrap_or_else(|e| panic!("{e}"));
    for s in &r.scenarios {
        let path = repository().join(&s.file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {}: {e}", s.id, path.display()));
        assert!(
            text.contains(&format!("\"{}\"", s.id)),
            "{} does not define `{}`",
            s.file,
            s.id
        );
    }
}

#[test]
fn claims_are_single_rule_ids() {
    let one = |rules: &str| {
        format!(
            r#"{{"scenarios": [{{"id": "trust/x", "file": "f.rs", "summary": "s", "rules": {rules}}}]}}"#
        )
    };
    let parse = |rules: &str| Registry::parse(&one(rules), Path::new("r.json"));
    for (rules, path) in [
        (r#"["R12–R17"]"#, "/scenarios/0/rules/0"),
        (r#"["R1, R2"]"#, "/scenarios/0/rules/0"),
        (r#"["12"]"#, "/scenarios/0/rules/0"),
        ("[]", "/scenarios/0/rules"),
        (r#""R12""#, "/scenarios/0/rules"),
    ] {
        let e = parse(rules).expect_err(rules);
        assert_eq!(e.path, path, "{rules}: {e}");
    }
    assert!(parse(r#"["R12", "A1"]"#).is_ok());
}

#[test]
fn ids_are_unique_and_themed() {
    let two = |a: &str, b: &str| {
        format!(
            r#"{{"scenarios": [
                {{"id": "{a}", "file": "f.rs", "summary": "s", "rules": ["R1"]}},
                {{"id": "{b}", "file": "f.rs", "summary": "s", "rules": ["R1"]}}]}}"#
        )
    };
    let e = Registry::parse(&two("trust/x", "trust/x"), Path::new("r.json")).unwrap_err();
    assert_eq!(e.path, "/scenarios/1/id", "{e}");
    let e = Registry::parse(&two("trust/x", "untrusted"), Path::new("r.json")).unwrap_err();
    assert_eq!(e.path, "/scenarios/1/id", "{e}");
}
