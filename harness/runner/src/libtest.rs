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
//! *ignored*, with the reason. Test names are case ids, so `cargo test --test msc4268 --
//! bundle-parsing/` filters as usual; the test kind is the case's tier, so the output shows
//! `[required]`, `[recommended]` or `[suite]` before every case.
//!
//! [`trials`] and [`trials_from`] use the profile `required`: a failed case of a `SHOULD`, `MAY`
//! or `suite` rule is reported as *ignored*, with a message saying it failed and why it is not
//! counted. [`trials_with_profile`] (or [`trials_for`]) picks another profile, for example
//! [`Profile::Recommended`] to make the recommendations fail the test run too.

use std::path::Path;
use std::sync::Arc;

pub use libtest_mimic::{Arguments, Completion, Failed, Trial};

use msc4268_corpus::expected_failures::ExpectedFailures;
use msc4268_corpus::fixture::{Case, FixtureError, load_dir};
use msc4268_protocol::implementation::Implementation;

use crate::output::status_detail;
pub use crate::profile::Profile;
use crate::runner::{Status, run_case_expecting};

/// What a skipped case (an operation the implementation does not offer) becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skips {
    /// An ignored test, with the reason: for implementations that offer some operations.
    Ignored,
    /// A failed test: for an implementation that must run every case (the reference model).
    Fail,
}

/// One trial per case of the embedded corpus, run against `imp`, under the profile `required`.
pub fn trials<I: Implementation + 'static>(imp: I) -> Result<Vec<Trial>, FixtureError> {
    trials_with_profile(imp, Profile::Required)
}

/// One trial per case of the embedded corpus, run against `imp`; failures in tiers `profile`
/// does not count are ignored tests.
pub fn trials_with_profile<I: Implementation + 'static>(
    imp: I,
    profile: Profile,
) -> Result<Vec<Trial>, FixtureError> {
    Ok(trials_for(
        Arc::new(imp),
        msc4268_corpus::embedded::cases()?,
        None,
        Skips::Ignored,
        profile,
    ))
}

/// One trial per fixture case under `dir` (a vendored or newer copy of the corpus), run against
/// `imp`, under the profile `required`.
pub fn trials_from<I: Implementation + 'static>(
    imp: I,
    dir: &Path,
) -> Result<Vec<Trial>, FixtureError> {
    Ok(trials_for(
        Arc::new(imp),
        load_dir(dir)?,
        None,
        Skips::Ignored,
        Profile::Required,
    ))
}

/// One trial per case of `cases`, run against a shared implementation with its expected-failures
/// list; `skips` says whether a skipped case is an ignored or a failed test, `profile` which
/// tiers' failures fail their test (the others are ignored, with a message saying they failed).
pub fn trials_for(
    imp: Arc<dyn Implementation>,
    cases: Vec<Case>,
    expected_failures: Option<ExpectedFailures>,
    skips: Skips,
    profile: Profile,
) -> Vec<Trial> {
    let expected_failures = expected_failures.map(Arc::new);
    cases
        .into_iter()
        .map(|case| {
            let imp = Arc::clone(&imp);
            let expected_failures = expected_failures.clone();
            let kind = case.def.level.tier().as_str();
            Trial::ignorable_test(case.def.id.clone(), move || {
                let report = run_case_expecting(imp.as_ref(), &case, expected_failures.as_deref());
                if profile.tolerates(&report) {
                    return Ok(Completion::ignored_with(format!(
                        "{}: {}",
                        profile.tolerated_note(&report),
                        first_line(&status_detail(&report.status))
                    )));
                }
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

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use msc4268_corpus::rules::Level;
    use msc4268_model::reference::Reference;

    /// One SHOULD case the reference passes but a list says it fails: an unexpected pass, a
    /// failure of the recommended tier. `required` reports it as ignored, `recommended` fails it.
    #[test]
    fn the_profile_decides_whether_a_should_failure_fails_its_test() {
        let case = msc4268_corpus::embedded::cases()
            .unwrap()
            .into_iter()
            .find(|c| c.def.level == Level::Should)
            .expect("a SHOULD case");
        let list = ExpectedFailures::parse(
            &format!(
                r#"{{"implementation": "reference", "expected_failures": [
                    {{"case": "{}", "reason": "r", "upstream": "not yet reported"}}]}}"#,
                case.def.id
            ),
            Path::new("reference.json"),
        )
        .unwrap();
        let run = |profile: Profile| {
            let trials = trials_for(
                Arc::new(Reference),
                vec![case.clone()],
                Some(list.clone()),
                Skips::Fail,
                profile,
            );
            assert_eq!(trials[0].kind(), "recommended");
            // The inner run's own report goes to a log file, not into this test's output.
            let log = std::env::temp_dir().join(format!(
                "msc4268-libtest-{profile}-{}.log",
                std::process::id()
            ));
            let args = Arguments {
                test_threads: Some(1),
                quiet: true,
                logfile: Some(log.display().to_string()),
                ..Arguments::default()
            };
            let conclusion = libtest_mimic::run(&args, trials);
            let _ = std::fs::remove_file(&log);
            conclusion
        };
        let required = run(Profile::Required);
        assert_eq!((required.num_failed, required.num_ignored), (0, 1));
        let recommended = run(Profile::Recommended);
        assert_eq!((recommended.num_failed, recommended.num_ignored), (1, 0));
    }
}
