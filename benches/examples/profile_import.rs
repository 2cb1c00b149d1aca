//! One import of an N-session bundle, for a profiler: the stage the benchmarks call `import`
//! (`docs/performance.md`), once, without criterion around it.
//!
//! ```sh
//! cargo build --release -p msc4268-benches --example profile_import
//! perf record -g --call-graph dwarf -o import-10k.data \
//!     target/release/examples/profile_import matrix-sdk-crypto 10000
//! perf report -i import-10k.data --no-children --percent-limit 2
//! ```
//!
//! The first argument is `matrix-sdk-crypto` (0.18.0, in this process), `reference`, or
//! `cmd:<adapter command line>`: any adapter program through the adapter protocol, e.g. the
//! release build of the 0.19.1 adapter (`perf record` follows the child process):
//!
//! ```sh
//! cargo build --release --ignore-rust-version --manifest-path adapters/matrix-sdk-crypto-0.19/Cargo.toml
//! target/release/examples/profile_import cmd:target/release/msc4268-adapter-matrix-sdk-crypto-0-19 10000
//! ```
//!
//! The second argument is the number of sessions, the optional third how many imports to run.
//! Setting up the bundle (key generation, encryption) is done before the import and timed apart;
//! through the protocol the time includes sending the bundle (base64 in one JSON line).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use msc4268_adapter::{AdapterOptions, CommandImplementation};
use msc4268_protocol::implementation::Implementation;

use msc4268_adapter_matrix_sdk_crypto::MatrixSdkCrypto;
use msc4268_benches::BenchError;
use msc4268_benches::corpus::{Case, Corpus, import_template};
use msc4268_benches::ops::{self, Context};

fn run() -> Result<(), BenchError> {
    let mut args = std::env::args().skip(1);
    let usage = || {
        BenchError::Setup(
            "usage: profile_import (matrix-sdk-crypto|reference) SESSIONS [REPEAT]".into(),
        )
    };
    let implementation = args.next().ok_or_else(usage)?;
    let n: usize = args.next().and_then(|s| s.parse().ok()).ok_or_else(usage)?;
    let repeat: usize = match args.next() {
        Some(s) => s.parse().map_err(|_| usage())?,
        None => 1,
    };
    let command = implementation.strip_prefix("cmd:").map(str::to_owned);
    let op = ops::all()
        .into_iter()
        .find(|o| {
            o.stage == ops::stage::IMPORT
                && o.implementation
                    == command
                        .as_ref()
                        .map_or(implementation.as_str(), |_| ops::MATRIX_SDK_CRYPTO)
        })
        .ok_or_else(usage)?;
    let adapter = match &command {
        Some(c) => Some(
            CommandImplementation::start(
                c,
                AdapterOptions {
                    case_timeout: Duration::from_secs(3600),
                    start_timeout: Duration::from_secs(60),
                    strict: false,
                    max_consecutive_failures: 1,
                },
            )
            .map_err(|e| BenchError::Setup(e.to_string()))?,
        ),
        None => None,
    };

    let setup = Instant::now();
    let template = import_template()?;
    let corpus = Corpus::generate(n);
    let case = Case::new(&corpus, n, &template)?;
    let ctx = Context {
        crate_adapter: MatrixSdkCrypto::new().map_err(|e| BenchError::Setup(e.to_string()))?,
    };
    eprintln!(
        "setup: {n} sessions, {} bytes, {:.1} s",
        case.bytes(),
        setup.elapsed().as_secs_f64()
    );
    for _ in 0..repeat {
        let start = Instant::now();
        let imported = match &adapter {
            Some(a) => {
                ops::imported_count(a.decide_import(&case.import)).map_err(BenchError::Setup)?
            }
            None => (op.run)(&ctx, &case).map_err(BenchError::Setup)?,
        };
        let took = start.elapsed();
        if imported != op.expected(&case) {
            return Err(BenchError::Setup(format!(
                "imported {imported} sessions, expected {}",
                op.expected(&case)
            )));
        }
        println!(
            "{implementation} import of {n} sessions: {:.3} s ({:.1} µs per session)",
            took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("profile_import: {e}");
            ExitCode::FAILURE
        }
    }
}
