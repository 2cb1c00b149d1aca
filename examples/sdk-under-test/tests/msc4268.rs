//! The whole MSC4268 corpus as this SDK's own tests: one test per fixture case.
//!
//! `cargo test -p sdk-under-test --test msc4268` runs it; `-- bundle-parsing/` filters by case id.
//! Skipped cases (operations the SDK does not offer, identifier variants it does not know) show
//! as ignored, with the reason.

use std::path::Path;

use sdk_under_test::ToyClient;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    // An SDK that vendors the corpus (or a git submodule of this repository) points here.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let trials = msc4268_harness::libtest::trials(ToyClient::default(), &fixtures)
        .unwrap_or_else(|e| panic!("cannot load the MSC4268 corpus: {e}"));
    libtest_mimic::run(&args, trials).exit();
}
