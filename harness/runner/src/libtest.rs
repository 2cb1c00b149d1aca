//! Run the corpus from an SDK's own `cargo test`, each case as its own test.
//!
//! In the SDK's `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! msc4268-harness = "0.1"
//! libtest-mimic = "0.8"
//!
//! [[test]]
//! name = "msc4268"
//! harness = false
//! ```
//!
//! and in `tests/msc4268.rs`:
//!
//! ```no_run
//! # use msc4268_protocol::implementation::{Implementation, ImplementationInfo};
//! # struct MySdk;
//! # impl Implementation for MySdk { fn info(&self) -> ImplementationInfo { unimplemented!() } }
//! fn main() {
//!     let args = libtest_mimic::Arguments::from_args();
//!     let trials = msc4268_harness::libtest::trials(MySdk).unwrap_or_else(|e| panic!("{e}"));
//!     libtest_mimic::run(&args, trials).exit();
//! }
//! ```
//!
//! [`trials`] runs the corpus embedded in `msc4268-corpus` (the version this crate depends on);
//! [`trials_from`] runs a vendored or newer copy from a directory.
//!
//! A passed case is a passed test; a failed or errored case (or an expected failure that passes)
//! fails its test with the explanation; a skipped case and an expected failure are reported as
//! *ignored*, with the reason. Test names are case ids, the test kind is the category, so
//! `cargo test --test msc4268 -- bundle-parsing/` filters as usual.

use std::path::Path;
use std::sync::Arc;

pub use libtest_mimic::{Arguments, Completion, Failed, Trial};

use msc4268_corpus::expected_failures::ExpectedFailures;
use msc4268_corpus::fixture::{Case, FixtureError, load_dir};
use msc4268_protocol::implementation::Implementation;

use crate::runner::{Status, run_case_expecting};

/// What a skipped case (an operation the implementation does not offer) becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skips {
    /// An ignored test, with the reason: for implementations that offer some operations.
    Ignored,
    /// A failed test: for an implementation that must run every case (the reference model).
    Fail,
}

/// One trial per case of the embedded corpus, run against `imp`.
pub fn trials<I: Implementation + 'static>(imp: I) -> Result<Vec<Trial>, FixtureError> {
    Ok(trials_for(
        Arc::new(imp),
        msc4268_corpus::embedded::cases()?,
        None,
        Skips::Ignored,
    ))
}

/// One trial per fixture case under `dir` (a vendored or newer copy of the corpus), run against
/// `imp`.
pub fn trials_from<I: Implementation + 'static>(
    imp: I,
    dir: &Path,
) -> Result<Vec<Trial>, FixtureError> {
    Ok(trials_for(
        Arc::new(imp),
        load_dir(dir)?,
        None,
        Skips::Ignored,
    ))
}

/// One trial per case of `cases`, run against a shared implementation with its expected-failures
/// list; `skips` says whether a skipped case is an ignored or a failed test.
pub fn trials_for(
    imp: Arc<dyn Implementation>,
    cases: Vec<Case>,
    expected_failures: Option<ExpectedFailures>,
    skips: Skips,
) -> Vec<Trial> {
    let expected_failures = expected_failures.map(Arc::new);
    cases
        .into_iter()
        .map(|case| {
            let imp = Arc::clone(&imp);
            let expected_failures = expected_failures.clone();
            let kind = case.category.as_str();
            Trial::ignorable_test(case.def.id.clone(), move || {
                let report = run_case_expecting(imp.as_ref(), &case, expected_failures.as_deref());
                match &report.status {
                    Status::Passed => Ok(Completion::Completed),
                    Status::Skipped { reason } if skips == Skips::Ignored => {
                        Ok(Completion::ignored_with(reason))
                    }
                    Status::ExpectedFailure {
                        reason, upstream, ..
                    } => Ok(Completion::ignored_with(format!(
                        "expected failure: {reason} ({upstream})"
                    ))),
                    Status::Skipped { .. }
                    | Status::Failed { .. }
                    | Status::Errored { .. }
                    | Status::UnexpectedPass { .. }
                    | Status::ExpectedFailureMismatch { .. } => Err(Failed::from(report.explain())),
                }
            })
            .with_kind(kind)
        })
        .collect()
}
