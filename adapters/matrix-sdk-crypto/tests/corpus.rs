//! The whole corpus against matrix-sdk-crypto: the adapter never errors (a panic inside the crate
//! is a listed finding), every failure is a listed expected failure (and every listed one still
//! fails), every skip says why, and the skipped cases are exactly the ones pinned, with their
//! reasons, in `adapters/matrix-sdk-crypto/skipped-cases.json`: a new skip fails this test until
//! it is listed (`MSC4268_BLESS_SKIPS=1` rewrites the file from the run, to be reviewed).

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;

use msc4268_adapter_matrix_sdk_crypto::{MatrixSdkCrypto, PANIC_PREFIX};
use msc4268_corpus::expected_failures::ExpectedFailures;
use msc4268_corpus::fixture;
use msc4268_harness::pinned_skips;
use msc4268_harness::runner::{Status, run_corpus};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// The skipped cases of this run, with their reasons (see `msc4268_harness::pinned_skips`).
const PINNED_SKIPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/skipped-cases.json");

#[test]
fn corpus_against_matrix_sdk_crypto() {
    let cases = fixture::load_dir(&Path::new(ROOT).join("fixtures")).unwrap();
    let listed =
        ExpectedFailures::load(&Path::new(ROOT).join("expected-failures/matrix-sdk-crypto.json"))
            .unwrap();
    assert_eq!(listed.implementation, "matrix-sdk-crypto");
    let imp = MatrixSdkCrypto::new().unwrap();
    let reports = run_corpus(&imp, &cases, Some(&listed), |_| {}, |_| {});
    let mut problems = Vec::new();
    for r in &reports {
        match &r.status {
            // The adapter itself never errors; a panic inside the crate is a finding and must be
            // a listed expected failure (an unlisted one is an error below).
            Status::ExpectedFailure { actual, .. } => {
                if let Some(detail) = actual.get("errored").and_then(|d| d.as_str())
                    && !detail.starts_with(PANIC_PREFIX)
                {
                    problems.push(format!("{}: errored: {detail}", r.id));
                }
            }
            Status::Errored { detail } => problems.push(format!("{}: errored: {detail}", r.id)),
            Status::Failed { .. } => problems.push(format!("unlisted failure:\n{}", r.explain())),
            Status::UnexpectedPass { .. } => problems.push(format!(
                "{}: listed as an expected failure but it no longer fails",
                r.id
            )),
            Status::ExpectedFailureMismatch { .. } => problems.push(format!(
                "listed as an expected failure, but it failed another way:\n{}",
                r.explain()
            )),
            Status::Skipped { reason } if reason.trim().is_empty() => {
                problems.push(format!("{}: skipped without a reason", r.id))
            }
            Status::Skipped { .. } | Status::Passed => {}
        }
    }
    match pinned_skips::check_or_bless(Path::new(PINNED_SKIPS), "matrix-sdk-crypto", &reports) {
        Ok(outcome) => eprintln!("pinned skips: {outcome:?}"),
        Err(e) => problems.push(e.to_string()),
    }
    let known = cases.iter().map(|c| c.def.id.as_str()).collect();
    for case in listed.unknown_cases(&known) {
        problems.push(format!(
            "{case}: listed as an expected failure but no such case"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
