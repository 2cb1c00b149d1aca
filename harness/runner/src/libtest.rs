//! Run the corpus from an SDK's own `cargo test`, each case as its own test.
//!
//! In the SDK's `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! msc4268-harness = { git = "...", package = "msc4268-harness" }
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
//!     let trials = msc4268_harness::libtest::trials(MySdk, "path/to/fixtures".as_ref())
//!         .unwrap_or_else(|e| panic!("{e}"));
//!     libtest_mimic::run(&args, trials).exit();
//! }
//! ```
//!
//! A passed case is a passed test; a failed or errored case (or an expected failure that passes)
//! fails its test with the explanation; a skipped case and an expected failure are reported as
//! *ignored*, with the reason. Test names are case ids, the test kind is the category, so
//! `cargo test --test msc4268 -- bundle-parsing/` filters as usual.

use std::path::Path;
use std::sync::Arc;

pub use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::runner::{Status, run_case_expecting};
use msc4268_corpus::expected::ExpectedFailures;
use msc4268_corpus::fixture::{FixtureError, load_dir};
use msc4268_protocol::implementation::Implementation;

/// One trial per fixture case under `dir`, run against `imp`.
pub fn trials<I: Implementation + 'static>(imp: I, dir: &Path) -> Result<Vec<Trial>, FixtureError> {
    trials_expecting(Arc::new(imp), dir, None)
}

/// [`trials`] for a shared implementation, with its expected-failures list.
pub fn trials_expecting(
    imp: Arc<dyn Implementation>,
    dir: &Path,
    expected: Option<ExpectedFailures>,
) -> Result<Vec<Trial>, FixtureError> {
    let expected = expected.map(Arc::new);
    let cases = load_dir(dir)?;
    Ok(cases
        .into_iter()
        .map(|case| {
            let imp = Arc::clone(&imp);
            let expected = expected.clone();
            let kind = case.category.as_str();
            Trial::ignorable_test(case.def.id.clone(), move || {
                let report = run_case_expecting(imp.as_ref(), &case, expected.as_deref());
                match &report.status {
                    Status::Passed => Ok(Completion::Completed),
                    Status::Skipped { reason } => Ok(Completion::ignored_with(reason)),
                    Status::ExpectedFailure {
                        reason, upstream, ..
                    } => Ok(Completion::ignored_with(format!(
                        "expected failure: {reason} ({upstream})"
                    ))),
                    Status::Failed { .. }
                    | Status::Errored { .. }
                    | Status::UnexpectedPass { .. } => Err(Failed::from(report.explain())),
                }
            })
            .with_kind(kind)
        })
        .collect())
}
