//! `msc4268`: the command line of the MSC4268 conformance suite.
//!
//! * `msc4268 check` runs the fixture corpus against an implementation (the embedded reference
//!   model by default) and prints a table per category and per rule.
//! * `msc4268 fixtures generate` writes the generated fixtures; `msc4268 fixtures check` fails when
//!   the checked-in files differ from what the generator makes.
//! * `msc4268 rules` lists the rule catalogue.
//! * `msc4268 fuzz-corpus --out DIR` writes seed corpora for the fuzz targets from the fixtures.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use msc4268_harness::cases::Category;
use msc4268_harness::implementation::Implementation;
use msc4268_harness::reference::Reference;
use msc4268_harness::runner::{CaseReport, Status, run_case};
use msc4268_harness::{fixture, generate, report, rules};

/// The fixtures directory of this checkout, used when `--fixtures` is not given.
const DEFAULT_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

#[derive(Parser)]
#[command(
    name = "msc4268",
    version,
    about = "Conformance suite for MSC4268 encrypted history sharing"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the fixture corpus against an implementation and print per-category and per-rule tables.
    Check {
        /// The implementation under test.
        #[arg(long = "impl", default_value = "reference")]
        implementation: String,
        /// Fixtures directory.
        #[arg(long, default_value = DEFAULT_FIXTURES)]
        fixtures: PathBuf,
        /// Only run this category (repeatable).
        #[arg(long = "category", value_parser = parse_category)]
        categories: Vec<Category>,
        /// Print every case, not only failures.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Generate or check the fixture files.
    Fixtures {
        #[command(subcommand)]
        action: FixturesAction,
    },
    /// List the rule catalogue.
    Rules,
    /// Write seed corpora for the fuzz targets (`fuzz/`), one directory per target, from the fixtures.
    FuzzCorpus {
        /// Output directory (`fuzz/corpus` to seed cargo-fuzz's default corpus).
        #[arg(long)]
        out: PathBuf,
        /// Fixtures directory.
        #[arg(long, default_value = DEFAULT_FIXTURES)]
        fixtures: PathBuf,
    },
}

#[derive(Subcommand)]
enum FixturesAction {
    /// Write every generated fixture file.
    Generate {
        /// Fixtures directory.
        #[arg(long, default_value = DEFAULT_FIXTURES)]
        dir: PathBuf,
    },
    /// Fail if the checked-in fixtures differ from the generator's output.
    Check {
        /// Fixtures directory.
        #[arg(long, default_value = DEFAULT_FIXTURES)]
        dir: PathBuf,
    },
}

fn parse_category(s: &str) -> Result<Category, String> {
    Category::ALL
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| {
            format!(
                "unknown category `{s}`; one of: {}",
                Category::ALL.map(|c| c.as_str()).join(", ")
            )
        })
}

fn implementation(name: &str) -> Result<Box<dyn Implementation>, String> {
    match name {
        "reference" => Ok(Box::new(Reference)),
        #[cfg(feature = "matrix-sdk-crypto")]
        "matrix-sdk-crypto" => msc4268_adapter_matrix_sdk_crypto::MatrixSdkCrypto::new()
            .map(|i| Box::new(i) as Box<dyn Implementation>)
            .map_err(|e| format!("matrix-sdk-crypto: {e}")),
        other => Err(format!(
            "unknown implementation `{other}`; available: reference{}",
            if cfg!(feature = "matrix-sdk-crypto") {
                ", matrix-sdk-crypto"
            } else {
                " (matrix-sdk-crypto: build with the `matrix-sdk-crypto` feature)"
            }
        )),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Check {
            implementation: name,
            fixtures,
            categories,
            verbose,
        } => check(&name, &fixtures, &categories, verbose),
        Command::Fixtures {
            action: FixturesAction::Generate { dir },
        } => {
            let written =
                generate::write_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            println!(
                "wrote {} fixture files under {}",
                written.len(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Fixtures {
            action: FixturesAction::Check { dir },
        } => {
            let drift = generate::check(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            if drift.is_empty() {
                println!(
                    "fixtures are up to date ({} generated files)",
                    generate::all().len()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                for d in &drift {
                    eprintln!("{d}");
                }
                eprintln!(
                    "{} fixture file(s) differ; run `cargo run -p msc4268-cli -- fixtures generate`",
                    drift.len()
                );
                Ok(ExitCode::FAILURE)
            }
        }
        Command::FuzzCorpus { out, fixtures } => {
            let counts =
                msc4268_fuzz_logic::corpus::write(&fixtures, &out).map_err(|e| e.to_string())?;
            for (target, n) in &counts {
                println!("{target:<20} {n:>5} seeds");
            }
            println!("wrote seed corpora under {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            let cat = rules::catalogue().map_err(|e| format!("fixtures/rules.json: {e}"))?;
            for r in &cat.rules {
                println!(
                    "{:<4} {:<6} {}",
                    r.id,
                    format!("{:?}", r.level).to_uppercase(),
                    r.statement
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(
    name: &str,
    dir: &std::path::Path,
    categories: &[Category],
    verbose: bool,
) -> Result<ExitCode, String> {
    let started = Instant::now();
    let imp = implementation(name)?;
    let mut cases = fixture::load_dir(dir).map_err(|e| e.to_string())?;
    if !categories.is_empty() {
        cases.retain(|c| categories.contains(&c.category));
    }
    let info = imp.info();
    println!(
        "implementation: {} {} ({})",
        info.name, info.version, info.language
    );
    println!("fixtures: {} cases from {}\n", cases.len(), dir.display());
    let reports: Vec<CaseReport> = cases.iter().map(|c| run_case(imp.as_ref(), c)).collect();
    for r in &reports {
        if r.status.is_failure() || verbose {
            println!("{}", r.explain());
        }
    }
    println!(
        "{}",
        report::table("category", &report::by_category(&reports), false)
    );
    println!(
        "{}",
        report::table("rule", &report::by_rule(&reports), true)
    );
    let failed = reports.iter().filter(|r| r.status.is_failure()).count();
    let skipped = reports
        .iter()
        .filter(|r| matches!(r.status, Status::Skipped { .. }))
        .count();
    let passed = reports.len() - failed - skipped;
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    println!("wall time: {:.3} s", started.elapsed().as_secs_f64());
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
