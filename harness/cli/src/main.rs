//! `msc4268`: the command line of the MSC4268 conformance suite.
//!
//! * `msc4268 check` runs the fixture corpus against one or more implementations (the embedded
//!   reference model by default; `--impl cmd:'<command line>'` for an adapter process speaking the
//!   adapter protocol), prints a table per category and per rule, and with `--output DIR` writes
//!   JSON, JUnit XML, Markdown and HTML reports. Every table and report shows the cases of MUST
//!   rules (required), of SHOULD and MAY rules (recommended) and of the suite's own hardening
//!   (suite) apart; `--profile required|recommended|strict` picks which of them fail the run. `--scenarios` also runs the Docker scenarios
//!   (real clients against Synapse) and reports them as the implementation `scenarios`;
//!   `--scenario-results FILE` adds the results of an earlier scenario run instead.
//! * `msc4268 fixtures generate` writes the generated fixtures; `msc4268 fixtures check` fails when
//!   the checked-in files differ from what the generator makes.
//! * `msc4268 rules` lists the rule catalogue; `msc4268 rules R33` prints everything about one
//!   rule: the rule and its decisions and quotes, its cases, the reference code that enforces it
//!   (`file:line`), and the scenarios that check it.
//! * `msc4268 fuzz-corpus --out DIR` writes seed corpora for the fuzz targets from the fixtures.

mod rule_info;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use msc4268_adapter::{AdapterOptions, CommandImplementation};
use msc4268_corpus::expected_failures::ExpectedFailures;
use msc4268_corpus::{fixture, rules};
use msc4268_generator as generate;
use msc4268_harness::external::{self, ExternalResults, PAIRS_ENV};
use msc4268_harness::output::{ImplementationRun, RunSet};
use msc4268_harness::profile::Profile;
use msc4268_harness::runner::{Status, run_corpus};
use msc4268_harness::{output, report};
use msc4268_model::reference::Reference;
use msc4268_protocol::cases::Category;
use msc4268_protocol::implementation::Implementation;

/// The fixtures directory of this checkout, used when `--fixtures` is not given.
const DEFAULT_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
/// The expected-failures directory of this checkout (`<name>.json` per implementation).
const DEFAULT_EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../expected-failures");

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
        /// The implementation under test (repeatable, for a matrix). Built in: `reference` (the
        /// embedded reference model); `matrix-sdk-crypto@0.18.0` (alias `matrix-sdk-crypto`),
        /// `matrix-sdk-crypto@0.19.1` and the older releases `matrix-sdk-crypto@0.17.0` and
        /// `matrix-sdk-crypto@0.16.0`, the adapter programs of `adapters/` (built separately; the
        /// error says how); any other implementation as `NAME=cmd:'<command line>'`, an adapter
        /// speaking the adapter protocol. The name given here (the built-in name, or NAME)
        /// chooses the expected-failures list `<name>.json` (a matrix-sdk-crypto version by its
        /// canonical name: `matrix-sdk-crypto` for 0.18.0, `matrix-sdk-crypto@0.19.1`); `cmd:`
        /// without NAME uses the name the adapter declares.
        #[arg(long = "impl", default_value = "reference")]
        implementations: Vec<String>,
        /// Write report.json, junit.xml, summary.md and index.html into this directory.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Directory of expected-failures files (`<implementation name>.json`).
        #[arg(long, default_value = DEFAULT_EXPECTED)]
        expected_failures: PathBuf,
        /// Per-case timeout for adapter processes, in seconds (it also bounds how long an adapter
        /// may take to read a request).
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Give an adapter up after this many consecutive timeouts or failed restarts: its
        /// remaining cases are errored at once, without running.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
        max_consecutive_failures: u32,
        /// Validate every adapter protocol message against the JSON Schemas in `protocol/`.
        #[arg(long)]
        strict: bool,
        /// Fixtures directory.
        #[arg(long, default_value = DEFAULT_FIXTURES)]
        fixtures: PathBuf,
        /// Only run this category (repeatable).
        #[arg(long = "category", value_parser = parse_category)]
        categories: Vec<Category>,
        /// Print every case, not only failures.
        #[arg(long, short)]
        verbose: bool,
        /// Which failures make the exit status non-zero: `required` (cases of MUST rules),
        /// `recommended` (also SHOULD and MAY), `strict` (also the suite's own hardening).
        /// Reports show all three either way.
        #[arg(long, default_value = "required", value_parser = parse_profile)]
        profile: Profile,
        /// Also run the Docker scenarios (real matrix-sdk clients against Synapse; needs Docker
        /// and this checkout's sources: runs `cargo test --workspace --test scenarios`)
        /// and add their results to the same tables and reports, as the implementation
        /// `scenarios`.
        #[arg(long, conflicts_with = "scenario_results")]
        scenarios: bool,
        /// With --scenarios: only the scenarios whose test name contains this text.
        #[arg(long, requires = "scenarios")]
        scenario_filter: Option<String>,
        /// With --scenarios: a client under test, `alice=CLIENT` (the inviter) or `bob=CLIENT`
        /// (the invitee), CLIENT being `matrix-sdk@0.18.0`, `matrix-sdk@0.19.1` or
        /// `cmd:COMMAND LINE` (any actor of the client-actor protocol). Repeatable: the
        /// scenarios run for every (alice, bob) pair; each pair is its own column in the
        /// reports. Without it, the scenario binary's default pairs run.
        #[arg(long = "client", value_name = "ROLE=CLIENT", requires = "scenarios")]
        clients: Vec<String>,
        /// Add the scenario results a previous run wrote (the file named by
        /// MSC4268_SCENARIO_RESULTS when `cargo test` ran the scenarios) instead of running them.
        #[arg(long, value_name = "FILE")]
        scenario_results: Option<PathBuf>,
    },
    /// Generate or check the fixture files.
    Fixtures {
        #[command(subcommand)]
        action: FixturesAction,
    },
    /// List the rule catalogue, or with a rule id everything about that rule: the rule, its
    /// cases, the reference code that enforces it (`file:line`) and the scenarios that check it.
    Rules {
        /// A rule id (`R33`, `A3`, ...); without it, list every rule.
        id: Option<String>,
        /// Read the cases from this fixtures directory instead of the corpus embedded in the binary.
        #[arg(long, requires = "id")]
        fixtures: Option<PathBuf>,
        /// The scenario registry.
        #[arg(long, requires = "id", default_value = rule_info::DEFAULT_SCENARIOS)]
        scenarios: PathBuf,
    },
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

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse::<Profile>().map_err(|e| e.to_string())
}

/// An `--impl` value: the implementation's name as the user gave it (it chooses the
/// expected-failures list), and how to run it.
#[derive(Debug, PartialEq, Eq)]
struct ImplSpec<'a> {
    /// The built-in name, or NAME of `NAME=cmd:...`; `None` for `cmd:` without a name.
    name: Option<&'a str>,
    /// The command line of a `cmd:` adapter; `None` for a built-in.
    command: Option<&'a str>,
}

impl<'a> ImplSpec<'a> {
    fn parse(spec: &'a str) -> Result<Self, String> {
        if let Some(command) = spec.strip_prefix("cmd:") {
            return Ok(Self {
                name: None,
                command: Some(command),
            });
        }
        if let Some((name, command)) = spec.split_once("=cmd:") {
            if !is_list_name(name) {
                return Err(format!(
                    "`{name}` in `--impl {spec}` is not an implementation name (letters, digits, `.`, `_`, `-`, `@`)"
                ));
            }
            return Ok(Self {
                name: Some(name),
                command: Some(command),
            });
        }
        Ok(Self {
            name: Some(spec),
            command: None,
        })
    }
}

/// Whether `name` can name an expected-failures file as it is.
fn is_list_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

fn implementation(
    spec: &ImplSpec<'_>,
    adapter: &AdapterOptions,
) -> Result<Box<dyn Implementation>, String> {
    if let Some(command) = spec.command {
        let imp =
            CommandImplementation::start(command, adapter.clone()).map_err(|e| e.to_string())?;
        return Ok(Box::new(imp));
    }
    match spec.name.unwrap_or_default() {
        "reference" => Ok(Box::new(Reference)),
        other => match msc4268_adapter::crypto_adapters::resolve(other) {
            Some(crypto) => {
                let program = msc4268_adapter::crypto_adapters::locate(crypto)?;
                println!("adapter program: {}", program.display());
                let command = msc4268_adapter::crypto_adapters::command_line(&program);
                let imp = CommandImplementation::start(&command, adapter.clone())
                    .map_err(|e| e.to_string())?;
                Ok(Box::new(imp))
            }
            None => Err(format!(
                "unknown implementation `{other}`; available: reference, [NAME=]cmd:'<command line>', matrix-sdk-crypto (= matrix-sdk-crypto@0.18.0), {}",
                msc4268_adapter::crypto_adapters::versions()
            )),
        },
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
            implementations,
            output,
            expected_failures,
            timeout,
            max_consecutive_failures,
            strict,
            fixtures,
            categories,
            verbose,
            profile,
            scenarios,
            scenario_filter,
            clients,
            scenario_results,
        } => {
            if !(timeout.is_finite() && timeout > 0.0) {
                return Err(format!(
                    "--timeout must be a positive number of seconds, not {timeout}"
                ));
            }
            let adapter = AdapterOptions {
                case_timeout: Duration::from_secs_f64(timeout),
                strict,
                max_consecutive_failures,
                ..AdapterOptions::default()
            };
            check(
                &CheckArgs {
                    implementations: &implementations,
                    adapter,
                    expected_dir: &expected_failures,
                    output: output.as_deref(),
                    categories: &categories,
                    verbose,
                    profile,
                    scenarios: if scenarios {
                        Some(ScenarioSource::Run {
                            filter: scenario_filter,
                            pairs: client_pairs(&clients)?,
                        })
                    } else {
                        scenario_results.map(ScenarioSource::File)
                    },
                },
                &fixtures,
            )
        }
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
                let files = generate::all().map_err(|e| e.to_string())?;
                println!("fixtures are up to date ({} generated files)", files.len());
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
        Command::Rules { id: None, .. } => list_rules(),
        Command::Rules {
            id: Some(id),
            fixtures,
            scenarios,
        } => {
            let sources = rule_info::Sources {
                fixtures: fixtures.as_deref(),
                scenarios: &scenarios,
            };
            let lines = rule_info::describe(&id, sources).map_err(|e| e.to_string())?;
            for line in lines {
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `msc4268 rules`: one line per rule of the catalogue.
fn list_rules() -> Result<ExitCode, String> {
    let cat = rules::catalogue().map_err(|e| format!("fixtures/rules.json: {e}"))?;
    for r in &cat.rules {
        println!("{:<4} {:<6} {}", r.id, r.level.as_str(), r.statement);
    }
    Ok(ExitCode::SUCCESS)
}

struct CheckArgs<'a> {
    implementations: &'a [String],
    adapter: AdapterOptions,
    expected_dir: &'a Path,
    output: Option<&'a Path>,
    categories: &'a [Category],
    verbose: bool,
    profile: Profile,
    scenarios: Option<ScenarioSource>,
}

/// Where `check` gets scenario results from.
enum ScenarioSource {
    /// Run the scenario tests now (optionally only those whose name contains `filter`), for
    /// the client pairs `pairs` (the `MSC4268_CLIENT_PAIRS` value; the binary's default if
    /// `None`).
    Run {
        filter: Option<String>,
        pairs: Option<String>,
    },
    /// Read a results file an earlier run wrote.
    File(PathBuf),
}

fn check(args: &CheckArgs<'_>, dir: &Path) -> Result<ExitCode, String> {
    let mut cases = fixture::load_dir(dir).map_err(|e| e.to_string())?;
    if !args.categories.is_empty() {
        cases.retain(|c| args.categories.contains(&c.category));
    }
    let catalogue = rules::catalogue().map_err(|e| format!("fixtures/rules.json: {e}"))?;
    let mut runs = Vec::new();
    let mut nothing_checked = false;
    for name in args.implementations {
        let run = check_one(name, args, dir, &cases)?;
        nothing_checked |= run.summary().ran() == 0;
        runs.push(run);
    }
    if let Some(source) = &args.scenarios {
        runs.extend(scenario_run(
            source,
            args.output,
            args.verbose,
            args.profile,
            &catalogue,
        )?);
    }
    let set = RunSet {
        fixtures: dir
            .canonicalize()
            .unwrap_or_else(|_| dir.to_owned())
            .display()
            .to_string(),
        runs,
        catalogue,
        profile: args.profile,
    };
    if set.runs.len() > 1 {
        println!("== matrix (profile {})", set.profile);
        for run in &set.runs {
            let c = run.summary();
            let tiers: Vec<String> = run
                .by_tier()
                .into_iter()
                .rev()
                .map(|(tier, t)| format!("{tier} {}/{} ✗{}", t.passed, t.ran(), t.failed))
                .collect();
            println!(
                "{:<30} {} passed, {} failed, {} expected failures, {} skipped; {}; {}",
                run.info.name,
                c.passed,
                c.failed,
                c.expected_failures,
                c.skipped,
                tiers.join(", "),
                if run.failed(set.profile) {
                    "FAILED"
                } else {
                    "passed"
                }
            );
        }
    }
    if let Some(out) = args.output {
        let written = output::write_all(&set, out).map_err(|e| e.to_string())?;
        for p in written {
            println!("wrote {}", p.display());
        }
    }
    Ok(if set.failed() || nothing_checked {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads the expected failures of `name`, if its file exists.
fn expected_for(dir: &Path, name: &str) -> Result<Option<ExpectedFailures>, String> {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{safe}.json"));
    if !path.exists() {
        return Ok(None);
    }
    let list = ExpectedFailures::load(&path).map_err(|e| e.to_string())?;
    if list.implementation != name {
        return Err(format!(
            "{}: at /implementation: the list is for `{}`, not for `{name}`",
            path.display(),
            list.implementation
        ));
    }
    Ok(Some(list))
}

fn progress_bar(len: usize, name: &str) -> indicatif::ProgressBar {
    // Drawn on stderr, and only when stderr is a terminal (indicatif hides it otherwise).
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}",
    ) {
        bar.set_style(style);
    }
    bar.set_prefix(name.to_owned());
    bar
}

fn check_one(
    name: &str,
    args: &CheckArgs<'_>,
    dir: &Path,
    cases: &[fixture::Case],
) -> Result<ImplementationRun, String> {
    let started = Instant::now();
    let spec = ImplSpec::parse(name)?;
    let imp = implementation(&spec, &args.adapter)?;
    let mut info = imp.info();
    let mut notes = Vec::new();
    // The list is chosen by the name the user gave; only a `cmd:` adapter without NAME falls
    // back to the name it declares.
    let list_name = match spec.name {
        Some(given) => {
            // A matrix-sdk-crypto version goes by its canonical name (`matrix-sdk-crypto` for
            // 0.18.0 whether given as `matrix-sdk-crypto` or `@0.18.0`); its programs all declare
            // `matrix-sdk-crypto`, so each version is reported under its own name without a note.
            let crypto = msc4268_adapter::crypto_adapters::resolve(given);
            let given = crypto.map_or(given, |a| a.name);
            if crypto.is_some() && spec.command.is_none() {
                info.name = given.to_owned();
            }
            if given != info.name {
                notes.push(format!(
                    "the adapter declares the name `{}`; it is reported, and its expected failures chosen, as `{given}` (given on the command line)",
                    info.name
                ));
                info.name = given.to_owned();
            }
            given.to_owned()
        }
        None => info.name.clone(),
    };
    let expected = expected_for(args.expected_dir, &list_name)?;
    println!(
        "implementation: {} {} ({})",
        info.name, info.version, info.language
    );
    for n in &notes {
        println!("note: {n}");
    }
    println!("fixtures: {} cases from {}", cases.len(), dir.display());
    if let Some(list) = &expected {
        let file = list
            .file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let chosen = if spec.name.is_none() {
            " (chosen by the name the adapter declares; `--impl NAME=cmd:...` chooses the list)"
        } else {
            ""
        };
        println!("expected failures: {} listed in {file}{chosen}", list.len());
        let known: std::collections::BTreeSet<&str> =
            cases.iter().map(|c| c.def.id.as_str()).collect();
        let outside = list.unknown_cases(&known);
        if !outside.is_empty() {
            // With --category or a partial --fixtures directory most entries are outside the
            // cases run; one line says so, --verbose names them.
            let note = format!(
                "{file}: {} of {} entries name cases that are not among the {} cases run{}",
                outside.len(),
                list.len(),
                cases.len(),
                if args.verbose {
                    ":"
                } else {
                    " (--verbose lists them)"
                }
            );
            println!("note: {note}");
            if args.verbose {
                for case in &outside {
                    println!("  {case}");
                }
            }
            notes.push(note);
        }
    }
    println!();
    let bar = progress_bar(cases.len(), &info.name);
    let reports = run_corpus(
        imp.as_ref(),
        cases,
        expected.as_ref(),
        |c| bar.set_message(c.def.id.clone()),
        |r| {
            if r.status.is_failure() || args.verbose {
                bar.suspend(|| {
                    println!("{}", r.explain());
                    if args.profile.tolerates(r) {
                        println!("  note: {}\n", args.profile.tolerated_note(r));
                    }
                });
            }
            bar.inc(1);
        },
    );
    bar.finish_and_clear();
    // Stops an adapter; its restarts, protocol problems and how it stopped go into the notes.
    for note in imp.finish() {
        println!("note: {note}");
        notes.push(note);
    }
    drop(imp);
    println!(
        "{}",
        report::table("category", &report::by_category(&reports), false)
    );
    println!(
        "{}",
        report::table("rule", &report::by_rule(&reports), true)
    );
    println!("{}", report::tier_table(&reports, args.profile));
    let totals = report::totals(&reports);
    let errored = reports
        .iter()
        .filter(|r| matches!(r.status, Status::Errored { .. }))
        .count();
    let counted = reports.iter().filter(|r| args.profile.fails(r)).count();
    println!(
        "{}: {} passed, {} failed ({errored} errored), {} expected failures, {} skipped; {counted} failures count under profile {}",
        info.name,
        totals.passed,
        totals.failed,
        totals.expected_failures,
        totals.skipped,
        args.profile
    );
    if totals.ran() == 0 {
        let note = format!(
            "nothing was checked: {} ran none of the {} cases (all skipped)",
            info.name,
            reports.len()
        );
        println!("error: {note}");
        notes.push(note);
    }
    let wall = started.elapsed().as_secs_f64();
    println!("wall time: {wall:.3} s\n");
    Ok(ImplementationRun {
        info,
        expected_failures_file: expected
            .and_then(|l| l.file)
            .map(|p| p.display().to_string()),
        cases: reports,
        wall_time_s: wall,
        notes,
    })
}

/// The workspace root of this checkout (for running the scenario tests).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Runs the scenario tests (or reads a results file) and turns the results into a run.
///
/// A run writes its results file into the `--output` directory (`scenarios.json`), or into the
/// system's temporary directory.
fn scenario_run(
    source: &ScenarioSource,
    output: Option<&Path>,
    verbose: bool,
    profile: Profile,
    catalogue: &rules::Catalogue,
) -> Result<Vec<ImplementationRun>, String> {
    let started = Instant::now();
    let (results, notes) = match source {
        ScenarioSource::File(file) => {
            let r = ExternalResults::load(file).map_err(|e| e.to_string())?;
            let note = format!("scenario results read from {}", file.display());
            (r, vec![note])
        }
        ScenarioSource::Run { filter, pairs } => {
            let file = match output {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                    dir.join("scenarios.json")
                }
                None => std::env::temp_dir()
                    .join(format!("msc4268-scenarios-{}.json", std::process::id())),
            };
            // A file left by an earlier run must not pass for this run's results.
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("{}: {e}", file.display())),
            }
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut cmd = std::process::Command::new(&cargo);
            cmd.current_dir(WORKSPACE)
                // `--workspace` (not `-p`): the same feature set as `cargo test --workspace`, so
                // its build is reused instead of building matrix-sdk a second time.
                .args(["test", "--workspace", "--test", "scenarios", "--"])
                .args(filter.iter())
                .env(external::RESULTS_ENV, &file)
                .envs(pairs.iter().map(|p| (PAIRS_ENV, p)))
                // The scenario output goes to stderr so that stdout keeps the tables.
                .stdout(std::process::Stdio::from(std::io::stderr()));
            println!(
                "scenarios: running `cargo test --workspace --test scenarios{}` in {WORKSPACE}",
                filter
                    .as_deref()
                    .map(|f| format!(" -- {f}"))
                    .unwrap_or_default()
            );
            let status = cmd
                .status()
                .map_err(|e| format!("cannot run {}: {e}", cargo.to_string_lossy()))?;
            if !file.exists() {
                return Err(format!(
                    "the scenario run ended ({status}) without writing its results (see its output above)"
                ));
            }
            let mut r = ExternalResults::load(&file).map_err(|e| e.to_string())?;
            let note = format!("scenario results written to {}", file.display());
            let any_failed = r
                .results
                .iter()
                .any(|x| x.outcome == external::ExternalOutcome::Failed);
            if !status.success() && !any_failed {
                // The test binary failed although no scenario did: a self-test, the registry or
                // README check, or the harness itself. That must fail the check too.
                r.results.push(external::ExternalResult {
                    id: "scenario-run".into(),
                    category: "scenario".into(),
                    file: "scenarios/tests/scenarios/main.rs".into(),
                    rules: Vec::new(),
                    summary: "The scenario test binary as a whole".into(),
                    outcome: external::ExternalOutcome::Failed,
                    detail: Some(format!(
                        "`cargo test --test scenarios` ended with {status} while no scenario \
                         failed: a self-test (careless/...), the registry or README check, or the \
                         harness failed; see its output above"
                    )),
                    duration_s: 0.0,
                });
            }
            (r, vec![note])
        }
    };
    let wall = match source {
        ScenarioSource::File(_) => results.wall_time_s,
        ScenarioSource::Run { .. } => started.elapsed().as_secs_f64(),
    };
    println!("wall time of the scenario run: {wall:.1} s\n");
    Ok(by_pair(&results)
        .into_iter()
        .map(|(pair, results)| {
            let mut info = results.implementation.clone();
            if let Some(pair) = &pair {
                info.name = format!("scenarios {pair}");
            }
            println!("implementation: {} ({})", info.name, info.version);
            let reports = results.case_reports(catalogue);
            for r in &reports {
                if r.status.is_failure() || verbose {
                    println!("{}", r.explain());
                }
            }
            println!(
                "{}",
                report::table("rule", &report::by_rule(&reports), true)
            );
            println!("{}", report::tier_table(&reports, profile));
            let totals = report::totals(&reports);
            println!(
                "{}: {} passed, {} failed, {} skipped (of {} scenarios)\n",
                info.name,
                totals.passed,
                totals.failed,
                totals.skipped,
                reports.len()
            );
            let wall_time_s = results.results.iter().map(|r| r.duration_s).sum();
            ImplementationRun {
                info,
                expected_failures_file: None,
                cases: reports,
                wall_time_s,
                notes: notes.clone(),
            }
        })
        .collect())
}

/// The scenario results split by client pair: a result whose id ends in `[PAIR]` (the test
/// name of a scenario played by that pair) goes to PAIR's run with the id without it, so that
/// the reports show one column per pair with the same rows; the others (an older results file,
/// the run as a whole) go to a run of their own, in order of first appearance.
fn by_pair(results: &ExternalResults) -> Vec<(Option<String>, ExternalResults)> {
    let mut groups: Vec<(Option<String>, ExternalResults)> = Vec::new();
    for r in &results.results {
        let (pair, id) = match r.id.strip_suffix(']').and_then(|s| s.split_once('[')) {
            Some((id, pair)) => (Some(pair.to_owned()), id.to_owned()),
            None => (None, r.id.clone()),
        };
        let at = match groups.iter().position(|(p, _)| *p == pair) {
            Some(i) => i,
            None => {
                let mut empty = results.clone();
                empty.results.clear();
                groups.push((pair, empty));
                groups.len() - 1
            }
        };
        let mut r = r.clone();
        r.id = id;
        groups[at].1.results.push(r);
    }
    if groups.is_empty() {
        groups.push((None, results.clone()));
    }
    groups
}

/// The `MSC4268_CLIENT_PAIRS` value for `--client` options: every `alice=` with every `bob=`.
fn client_pairs(clients: &[String]) -> Result<Option<String>, String> {
    if clients.is_empty() {
        return Ok(None);
    }
    let (mut alices, mut bobs) = (Vec::new(), Vec::new());
    for c in clients {
        match c.split_once('=') {
            Some(("alice", client)) => alices.push(client),
            Some(("bob", client)) => bobs.push(client),
            _ => return Err(format!("--client {c}: expected alice=CLIENT or bob=CLIENT")),
        }
        if c.contains(';') || c.contains(',') {
            return Err(format!("--client {c}: a client may not contain `,` or `;`"));
        }
    }
    if alices.is_empty() || bobs.is_empty() {
        return Err("--client: name at least one alice= and one bob= client".into());
    }
    let pairs: Vec<String> = alices
        .iter()
        .flat_map(|a| bobs.iter().map(move |b| format!("alice={a},bob={b}")))
        .collect();
    Ok(Some(pairs.join(";")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_options_make_every_pair() {
        let c = |v: &[&str]| client_pairs(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(c(&[]), Ok(None));
        assert_eq!(
            c(&[
                "alice=matrix-sdk@0.18.0",
                "bob=matrix-sdk@0.18.0",
                "bob=matrix-sdk@0.19.1"
            ]),
            Ok(Some(
                "alice=matrix-sdk@0.18.0,bob=matrix-sdk@0.18.0;\
                 alice=matrix-sdk@0.18.0,bob=matrix-sdk@0.19.1"
                    .into()
            ))
        );
        assert!(c(&["alice=matrix-sdk@0.18.0"]).is_err_and(|e| e.contains("one bob=")));
        assert!(c(&["carol=x", "bob=y"]).is_err_and(|e| e.contains("carol=x")));
        assert!(c(&["alice=cmd:a;b", "bob=y"]).is_err_and(|e| e.contains("`;`")));
    }

    #[test]
    fn scenario_results_split_into_one_run_per_pair() {
        let result = |id: &str| external::ExternalResult {
            id: id.into(),
            category: "scenario".into(),
            file: "f".into(),
            rules: vec!["R33".into()],
            summary: "s".into(),
            outcome: external::ExternalOutcome::Passed,
            detail: None,
            duration_s: 1.0,
        };
        let mut all = ExternalResults::new(msc4268_protocol::implementation::ImplementationInfo {
            name: "scenarios".into(),
            version: "v".into(),
            language: "Rust".into(),
            issues: None,
            identifiers: Vec::new(),
        });
        all.results = vec![
            result("a/x[alice=p,bob=q]"),
            result("a/x[alice=q,bob=p]"),
            result("a/y[alice=p,bob=q]"),
            result("scenario-run"),
        ];
        let groups = by_pair(&all);
        let shape: Vec<(Option<&str>, Vec<&str>)> = groups
            .iter()
            .map(|(p, r)| {
                (
                    p.as_deref(),
                    r.results.iter().map(|r| r.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (Some("alice=p,bob=q"), vec!["a/x", "a/y"]),
                (Some("alice=q,bob=p"), vec!["a/x"]),
                (None, vec!["scenario-run"]),
            ]
        );
    }

    #[test]
    fn impl_specs_name_the_list() {
        let p = |s| ImplSpec::parse(s).map_err(|e| e.to_string());
        assert_eq!(
            p("reference"),
            Ok(ImplSpec {
                name: Some("reference"),
                command: None
            })
        );
        assert_eq!(
            p("cmd:python3 a.py --x=cmd:y"),
            Ok(ImplSpec {
                name: None,
                command: Some("python3 a.py --x=cmd:y")
            })
        );
        assert_eq!(
            p("my-sdk=cmd:python3 a.py"),
            Ok(ImplSpec {
                name: Some("my-sdk"),
                command: Some("python3 a.py")
            })
        );
        // A version names its own list (`matrix-sdk-crypto@0.19.1.json`).
        assert_eq!(
            p("matrix-sdk-crypto@0.19.1=cmd:./adapter"),
            Ok(ImplSpec {
                name: Some("matrix-sdk-crypto@0.19.1"),
                command: Some("./adapter")
            })
        );
        assert!(p("../x=cmd:python3 a.py").is_err());
        assert!(p("=cmd:python3 a.py").is_err());
        assert!(p("a/b=cmd:python3 a.py").is_err());
    }
}
