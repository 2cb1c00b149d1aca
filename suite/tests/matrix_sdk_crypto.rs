//! The whole corpus against matrix-sdk-crypto 0.18.0, in-process (the library) and as a process
//! speaking the adapter protocol (the binary `msc4268-adapter-matrix-sdk-crypto-0-18`, which
//! `cargo test --workspace` builds for the adapter's own protocol test): the adapter never errors
//! (a panic inside the crate is a listed finding), every failure is a listed expected failure
//! (and every listed one still fails, the listed way), every skip says why, and the skipped cases
//! are exactly the ones pinned, with their reasons, in `adapters/matrix-sdk-crypto/skipped-cases.json`:
//! a new skip fails this test until it is listed (`MSC4268_BLESS_SKIPS=1` rewrites the file from
//! the protocol route, to be reviewed; the in-process route is held to the same file). Both
//! routes are held to the same list and the same pinned skips, so they give the same results.

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
    let mut problems = problems(&reports, &listed, &known);
    problems.extend(skips_as_pinned(&reports));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The in-process skips against the pinned ones, which are written from the protocol route (what
/// `check --impl matrix-sdk-crypto` reports): there the host prefixes a skip the adapter answers
/// with `adapter skipped it: `; a skip the runner decides (a category the adapter does not run)
/// has no prefix on either route. Same cases, same reasons otherwise.
fn skips_as_pinned(reports: &[CaseReport]) -> Vec<String> {
    const HOST_PREFIX: &str = "adapter skipped it: ";
    let pinned = match pinned_skips::PinnedSkips::load(Path::new(PINNED_SKIPS)) {
        Ok(p) => p,
        Err(e) => return vec![e.to_string()],
    };
    let mut problems = Vec::new();
    let mut skipped = 0;
    for r in reports {
        let Status::Skipped { reason } = &r.status else {
            if let Some(p) = pinned.reason(&r.id) {
                problems.push(format!("{}: pinned as skipped ({p}), but it ran", r.id));
            }
            continue;
        };
        skipped += 1;
        match pinned.reason(&r.id) {
            Some(p) if p == reason || p.strip_prefix(HOST_PREFIX) == Some(reason) => {}
            Some(p) => problems.push(format!(
                "{}: skipped for another reason: pinned `{p}`, now `{reason}`",
                r.id
            )),
            None => problems.push(format!("{}: skipped, but not pinned ({reason})", r.id)),
        }
    }
    if skipped != pinned.len() {
        problems.push(format!(
            "{skipped} cases skipped in-process, {} pinned in {PINNED_SKIPS}",
            pinned.len()
        ));
    }
    problems
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
    match pinned_skips::check_or_bless(Path::new(PINNED_SKIPS), "matrix-sdk-crypto", &reports) {
        Ok(outcome) => eprintln!("pinned skips: {outcome:?}"),
        Err(e) => problems.push(e.to_string()),
    }
    problems.extend(imp.problems());
    assert_eq!(imp.restarts(), 0, "the adapter process was restarted");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `path` as one word of a command line.
fn shlex_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}
