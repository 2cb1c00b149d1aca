//! Every fixture case as its own named test, run against the reference model.
//!
//! Test names are case ids (`bundle-parsing/structure/not-json`) and the test kind is the
//! category, so `cargo test --test fixtures -- bundle-parsing/` and nextest filters and
//! `--partition` work. A failure prints the case id, rule ids, file, expected and actual outcome.

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use msc4268_corpus::fixture::load_dir;
use msc4268_harness::runner::{Status, run_case};
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
    let trials = cases
        .into_iter()
        .map(|case| {
            let kind = case.category.as_str();
            Trial::test(case.def.id.clone(), move || {
                let report = run_case(&Reference, &case);
                match report.status {
                    Status::Passed => Ok(()),
                    // The reference model must support every case: a skip here is a bug, not a pass.
                    _ => Err(Failed::from(report.explain())),
                }
            })
            .with_kind(kind)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
