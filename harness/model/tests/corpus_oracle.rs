//! The corpus oracle: every case of the embedded fixture corpus, run through the runner against
//! the reference model of this crate, passes. It is the one test `cargo mutants` runs
//! (`.cargo/mutants.toml`): a mutant of the model survives exactly when the corpus does not
//! notice it (`harness/model/mutants.md`).

use msc4268_harness::corpus::embedded;
use msc4268_harness::runner::{Status, run_corpus};
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
