//! The whole corpus against matrix-sdk-crypto: the adapter never errors (a panic inside the crate
//! is a listed finding), every failure is a listed expected failure (and every listed one still
//! fails), every skip says why.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::Path;

use msc4268_adapter_matrix_sdk_crypto::{MatrixSdkCrypto, PANIC_PREFIX};
use msc4268_corpus::fixture;
use msc4268_harness::runner::{Status, run_case};
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn expected_failures() -> BTreeMap<String, String> {
    let path = Path::new(ROOT).join("expected-failures/matrix-sdk-crypto.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["implementation"], "matrix-sdk-crypto");
    v["expected_failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let case = e["case"].as_str().unwrap().to_owned();
            let reason = e["reason"].as_str().unwrap().to_owned();
            assert!(
                !reason.is_empty(),
                "{case}: an expected failure needs a reason"
            );
            assert!(
                e["upstream"].as_str().is_some_and(|u| !u.is_empty()),
                "{case}: upstream"
            );
            (case, reason)
        })
        .collect()
}

#[test]
fn corpus_against_matrix_sdk_crypto() {
    let cases = fixture::load_dir(&Path::new(ROOT).join("fixtures")).unwrap();
    let imp = MatrixSdkCrypto::new().unwrap();
    let listed = expected_failures();
    let mut problems = Vec::new();
    let mut failed = Vec::new();
    for case in &cases {
        let r = run_case(&imp, case);
        match &r.status {
            // The adapter itself never errors; a panic inside the crate is a finding and must be
            // a listed expected failure.
            Status::Errored { detail }
                if detail.starts_with(PANIC_PREFIX) && listed.contains_key(&r.id) =>
            {
                failed.push(r.id.clone())
            }
            Status::Errored { detail } => problems.push(format!("{}: errored: {detail}", r.id)),
            Status::Failed { .. } => {
                failed.push(r.id.clone());
                if !listed.contains_key(&r.id) {
                    problems.push(format!("unlisted failure:\n{}", r.explain()));
                }
            }
            Status::Skipped { reason } if reason.trim().is_empty() => {
                problems.push(format!("{}: skipped without a reason", r.id))
            }
            Status::Skipped { .. } | Status::Passed => {}
            // `run_case` does not know the expected-failures list, so it never reports these.
            Status::ExpectedFailure { .. } | Status::UnexpectedPass { .. } => {
                problems.push(format!("{}: unexpected status {}", r.id, r.status.label()))
            }
        }
    }
    for case in listed.keys() {
        if !cases.iter().any(|c| &c.def.id == case) {
            problems.push(format!(
                "{case}: listed as an expected failure but no such case"
            ));
        } else if !failed.contains(case) {
            problems.push(format!(
                "{case}: listed as an expected failure but it no longer fails"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
