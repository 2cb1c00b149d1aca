//! Every fixture case as its own named test, run against the reference model.
//!
//! Test names are case ids (`bundle-parsing/structure/not-json`) and the test kind is the
//! case's tier (required, recommended, suite), so `cargo test --test fixtures -- bundle-parsing/` and nextest filters and
//! `--partition` work. A failure prints the case id, rule ids, file, expected and actual outcome.
//! The reference model must support every case and pass every tier (profile `strict`): a skipped
//! or failed case of any level fails its test here.

use std::path::Path;
use std::sync::Arc;

use libtest_mimic::Arguments;
use msc4268_corpus::fixture::load_dir;
use msc4268_harness::libtest::{Profile, Skips, trials_for};
use msc4268_model::reference::Reference;

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let cases = match load_dir(&dir) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("cannot load the fixture corpus: {e}");
            std::process::exit(101);
        }
    };
    let trials = trials_for(
        Arc::new(Reference),
        cases,
        None,
        Skips::Fail,
        Profile::Strict,
    );
    libtest_mimic::run(&args, trials).exit();
}
