//! The corpus oracle: every case of the embedded fixture corpus, run through the runner against
//! the reference model of this crate, passes. It is the one test `cargo mutants` runs
//! (`.cargo/mutants.toml`): a mutant of the model survives exactly when the corpus does not
//! notice it (`harness/model/mutants.md`).

use serde_json::Value;

use msc4268_harness::corpus::embedded;
use msc4268_harness::runner::{Status, execute, run_corpus};
use msc4268_model::reference::Reference;

#[test]
fn the_reference_passes_every_case_of_the_corpus() {
    let cases = embedded::cases().expect("the embedded corpus loads");
    assert!(
        cases.len() >= 300,
        "only {} cases in the embedded corpus",
        cases.len()
    );
    let reports = run_corpus(&Reference, &cases, None, |_| {}, |_| {});
    let wrong: Vec<String> = reports
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| format!("{} ({}): {:?}", r.id, r.file, r.status))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} cases did not pass:\n{}",
        wrong.len(),
        reports.len(),
        wrong.join("\n")
    );
}

/// Whether an outcome, as JSON, names a rule id anywhere.
fn names_rule(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, x)| (k == "rule" && x.is_string()) || names_rule(x)),
        Value::Array(a) => a.iter().any(names_rule),
        _ => false,
    }
}

/// The runner compares rule ids only when an implementation names some (adapters of other SDKs do
/// not know ours). The reference does, so where every acceptable outcome of a case names a rule,
/// the reference's outcome must name one too: otherwise its rule ids would go unchecked.
#[test]
fn the_reference_names_the_rules_the_corpus_expects() {
    let cases = embedded::cases().expect("the embedded corpus loads");
    let mut silent = Vec::new();
    for case in &cases {
        let all_name_rules = std::iter::once(&case.expected)
            .chain(&case.also_acceptable)
            .all(|o| names_rule(&o.to_json()));
        if !all_name_rules {
            continue;
        }
        match execute(&Reference, &case.input) {
            Ok(actual) if names_rule(&actual.to_json()) => {}
            Ok(actual) => silent.push(format!("{}: {}", case.def.id, actual.to_json())),
            Err(e) => silent.push(format!("{}: {e:?}", case.def.id)),
        }
    }
    assert!(
        silent.is_empty(),
        "the reference names no rule where the corpus expects one:\n{}",
        silent.join("\n")
    );
}
