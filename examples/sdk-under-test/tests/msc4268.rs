//! The whole MSC4268 corpus as this SDK's own tests: one test per fixture case.
//!
//! `cargo test -p sdk-under-test --test msc4268` runs it; `-- bundle-parsing/` filters by case id.
//! Skipped cases (operations the SDK does not offer, identifier variants it does not know) show
//! as ignored, with the reason. So do failures of SHOULD, MAY and `suite` cases: `trials` uses the
//! profile `required` (each test's kind shows its tier); `trials_with_profile(client,
//! Profile::Recommended)` would make the recommendations fail the run too.
//!
//! The corpus comes embedded in the `msc4268-corpus` crate the harness depends on: no path to a
//! vendored copy. An SDK that vendors a newer copy (or a git submodule of the suite) calls
//! `msc4268_harness::libtest::trials_from(client, dir)` instead.

use sdk_under_test::ToyClient;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = msc4268_harness::libtest::trials(ToyClient::default())
        .unwrap_or_else(|e| panic!("cannot load the MSC4268 corpus: {e}"));
    libtest_mimic::run(&args, trials).exit();
}
