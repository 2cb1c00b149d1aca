//! The whole corpus against matrix-sdk-crypto 0.18.0, in-process (the library) and as a process
//! speaking the adapter protocol (the binary `msc4268-adapter-matrix-sdk-crypto-0-18`, which
//! `cargo test --workspace` builds for the adapter's own protocol test): the adapter never errors
//! (a panic inside the crate is a listed finding), every failure is a listed expected failure
//! (and every listed one still fails, the listed way), every skip says why, and the skipped cases
//! are exactly the ones pinned, with their reasons, in `adapters/matrix-sdk-crypto/skipped-cases.json`:
//! a new skip fails this test until it is listed (`MSC4268_BLESS_SKIPS=1` rewrites the file from
//! the run, to be reviewed). Both routes are held to the same list and the same pinned skips, so
//! they give the same results.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::time::Duration;

use msc4268_adapter::{AdapterOptions, CommandImplementation};
use msc4268_adapter_matrix_sdk_crypto::{MatrixSdkCrypto, PANIC_PREFIX};
use msc4268_corpus::expected_failures::ExpectedFailures;
use msc4268_corpus::fixture;
use msc4268_harness::pinned_skips;
use msc4268_harness::runner::{CaseReport, Status, run_corpus};
use msc4268_protocol::implementation::Implementation;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
/// The skipped cases of 0.18.0, with their reasons (see `msc4268_harness::pinned_skips`).
const PINNED_SKIPS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../adapters/matrix-sdk-crypto/skipped-cases.json"
);
/// The adapter program for 0.18.0 (`[[bin]]` of `adapters/matrix-sdk-crypto`).
const BINARY: &str = "msc4268-adapter-matrix-sdk-crypto-0-18";

fn run(imp: &dyn Implementation) -> (Vec<CaseReport>, ExpectedFailures, Vec<String>) {
    let cases = fixture::load_dir(&Path::new(ROOT).join("fixtures")).unwrap();
    let listed =
        ExpectedFailures::load(&Path::new(ROOT).join("expected-failures/matrix-sdk-crypto.json"))
            .unwrap();
    assert_eq!(listed.implementation, "matrix-sdk-crypto");
    assert_eq!(imp.info().name, "matrix-sdk-crypto");
    let reports = run_corpus(imp, &cases, Some(&listed), |_| {}, |_| {});
    let known = cases.iter().map(|c| c.def.id.clone()).collect();
    (reports, listed, known)
}

/// Everything wrong with a run against the list.
fn problems(reports: &[CaseReport], listed: &ExpectedFailures, known: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in reports {
        match &r.status {
            // The adapter itself never errors; a panic inside the crate is a finding and must be
            // a listed expected failure (an unlisted one is an error below).
            Status::ExpectedFailure { actual, .. } => {
                if let Some(detail) = actual.get("errored").and_then(|d| d.as_str())
                    && !detail.contains(PANIC_PREFIX)
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
    match pinned_skips::check_or_bless(Path::new(PINNED_SKIPS), "matrix-sdk-crypto", reports) {
        Ok(outcome) => eprintln!("pinned skips: {outcome:?}"),
        Err(e) => problems.push(e.to_string()),
    }
    let known = known.iter().map(String::as_str).collect();
    for case in listed.unknown_cases(&known) {
        problems.push(format!(
            "{case}: listed as an expected failure but no such case"
        ));
    }
    problems
}

/// One line of counts, printed with `--nocapture`.
fn counts(route: &str, reports: &[CaseReport]) -> String {
    let n = |f: fn(&Status) -> bool| reports.iter().filter(|r| f(&r.status)).count();
    format!(
        "matrix-sdk-crypto {} ({route}): {} passed, {} failed, {} expected failures, {} skipped",
        msc4268_adapter_matrix_sdk_crypto::CRATE_VERSION,
        n(|s| matches!(s, Status::Passed)),
        n(|s| s.is_failure()),
        n(|s| matches!(s, Status::ExpectedFailure { .. })),
        n(|s| matches!(s, Status::Skipped { .. })),
    )
}

#[test]
fn corpus_against_matrix_sdk_crypto_in_process() {
    let imp = MatrixSdkCrypto::new().unwrap();
    let (reports, listed, known) = run(&imp);
    println!("{}", counts("in-process", &reports));
    let problems = problems(&reports, &listed, &known);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The adapter binary next to this test's own target directory (`<target>/<profile>/`).
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // <target>/<profile>/deps/<test binary>
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join(format!("{BINARY}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is not built: `cargo test --workspace` builds it (the adapter's own protocol test \
         needs it), or run `cargo build -p msc4268-adapter-matrix-sdk-crypto`",
        path.display()
    );
    path
}

#[test]
fn corpus_against_matrix_sdk_crypto_through_the_protocol() {
    let options = AdapterOptions {
        // The dev profile, and a machine shared with other builds: generous, never asserted.
        case_timeout: Duration::from_secs(120),
        strict: true,
        ..AdapterOptions::default()
    };
    let command = shlex_quote(&binary());
    let imp = CommandImplementation::start(&command, options).unwrap();
    assert_eq!(
        imp.declared().categories.len(),
        8,
        "the adapter runs every category"
    );
    assert_eq!(
        imp.declared().version,
        msc4268_adapter_matrix_sdk_crypto::CRATE_VERSION
    );
    let (reports, listed, known) = run(&imp);
    println!("{}", counts("adapter protocol", &reports));
    let mut problems = problems(&reports, &listed, &known);
    problems.extend(imp.problems());
    assert_eq!(imp.restarts(), 0, "the adapter process was restarted");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `path` as one word of a command line.
fn shlex_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}
