//! Prints what a saved differential input means, for minimising it by hand into a fixture case.
//!
//! ```sh
//! cargo run -p msc4268-fuzz-differential --example triage -- diff_import \
//!     fuzz/differential/regressions/diff_import/F20-same-session-better-copy-first
//! ```
//!
//! For `diff_import` it prints the decoded scenario, the `import-decision` input both sides get
//! (fixture JSON), each side's outcome and the verdict; for the other targets, the verdict.

use std::process::ExitCode;

use msc4268_fuzz_differential::{TARGETS, import};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((target, files)) = args.split_first() else {
        eprintln!("usage: triage <diff_decryptor|diff_bundle_parser|diff_import> <input file>...");
        return ExitCode::from(2);
    };
    let Some(t) = TARGETS.iter().find(|t| t.name == target) else {
        eprintln!("unknown target `{target}`");
        return ExitCode::from(2);
    };
    let mut status = ExitCode::SUCCESS;
    for file in files {
        let data = match std::fs::read(file) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{file}: {e}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        println!("== {file}");
        if t.name == import::NAME {
            println!("{}", import::describe(&data));
        } else {
            println!("verdict: {:?}", (t.compare)(&data));
        }
    }
    status
}
