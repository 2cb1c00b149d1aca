//! MSC4268 share scenarios against real Synapse homeservers (one test per scenario).
//!
//! Needs Docker. Set `MSC4268_SKIP_DOCKER=1` to report every scenario as ignored instead.
//! Which scenarios exist, what each checks and which rules it observes is data, in
//! `scenarios/scenarios.json` (the registry); each theme's file here defines the bodies, whose
//! doc comments list their steps. With `MSC4268_SCENARIO_RESULTS=FILE` the run writes its
//! results for `msc4268 check --scenario-results FILE`. The `careless/...` tests are
//! self-tests: each absence scenario run with a client that imports every bundle unchecked must
//! fail at its absence check. `MSC4268_SCENARIO_TIMEOUT` (seconds, default 300) cuts off a
//! scenario that hangs.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use msc4268_harness::external::{self, ExternalOutcome, ExternalResult, ExternalResults};
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::ImplementationInfo;
use msc4268_scenarios::cast::{Casting, ClientSpec, Pair};
use msc4268_scenarios::registry::{self, RegisteredScenario, Registry};
use msc4268_scenarios::{Env, RunOutcome, Runner, docker};

mod common;
mod federation;
mod interop;
mod media;
mod share;
mod timing;
mod trust;

use common::{Body, Defined};

/// Every scenario body, from every theme's file.
fn defined() -> Vec<Defined> {
    [
        share::scenarios(),
        trust::scenarios(),
        media::scenarios(),
        timing::scenarios(),
        federation::scenarios(),
        interop::scenarios(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A registered scenario with its body, or why it has none that the registry agrees with.
struct Scenario {
    registered: RegisteredScenario,
    body: Result<Body, String>,
}

/// The registry's scenarios, in its order, each joined with its body; then the bodies the
/// registry does not list, as failures.
fn scenarios(registry: &Registry) -> (Vec<Scenario>, Vec<Defined>) {
    let mut bodies = defined();
    let joined = registry
        .scenarios
        .iter()
        .map(|r| {
            let body = match bodies.iter().position(|d| d.id == r.id) {
                None => Err(format!(
                    "{} lists `{}`, but no file defines it",
                    registry::REGISTRY_FILE,
                    r.id
                )),
                Some(i) => {
                    let d = bodies.remove(i);
                    if d.file == r.file {
                        Ok(d.body)
                    } else {
                        Err(format!(
                            "{} says `{}` is in {}, but {} defines it",
                            registry::REGISTRY_FILE,
                            r.id,
                            r.file,
                            d.file
                        ))
                    }
                }
            };
            Scenario {
                registered: r.clone(),
                body,
            }
        })
        .collect();
    (joined, bodies)
}

/// Whether the command line selects the test `name` (libtest's substring or exact filter and
/// `--skip`).
fn is_selected(args: &Arguments, name: &str) -> bool {
    args.filter.as_deref().is_none_or(|f| {
        if args.exact {
            name == f
        } else {
            name.contains(f)
        }
    }) && !args.skip.iter().any(|s| name.contains(s.as_str()))
}

/// The clients under test and the homeserver, as the results file names them.
fn implementation(pairs: &[(Pair, Option<String>)]) -> ImplementationInfo {
    let pairs: Vec<String> = pairs.iter().map(|(p, _)| p.to_string()).collect();
    ImplementationInfo {
        name: "scenarios".into(),
        version: format!("{} against Synapse 1.163.2", pairs.join("; ")),
        language: "Rust".into(),
        issues: None,
        identifiers: vec![IdentifierVariant::Stable],
    }
}

/// One scenario's result for the results file.
fn result(
    s: &RegisteredScenario,
    outcome: ExternalOutcome,
    detail: Option<String>,
    duration_s: f64,
) -> ExternalResult {
    ExternalResult {
        id: s.id.clone(),
        category: registry::CATEGORY.into(),
        file: s.file.clone(),
        rules: s.rules.clone(),
        summary: s.summary.clone(),
        outcome,
        detail,
        duration_s,
    }
}

/// The scenarios whose verdict is an absence ("Bob did not import ..."), each with the start of
/// the failure message its absence check gives when it fails. Each runs once more as a
/// self-test, `careless/<id>`, with Bob's client made careless
/// (`start` with `careless`: it imports every bundle it receives, unchecked);
/// the self-test passes only if the scenario then fails at that check, proving the check can
/// fail.
const CARELESS_SELF_TESTS: &[(&str, &str)] = &[
    (
        "trust/bundle-from-non-inviter-ignored",
        "Bob reads the secret as Decrypted",
    ),
    (
        "trust/bundle-naming-other-room-ignored",
        "Bob reads the secret as Decrypted",
    ),
    (
        "trust/other-room-keys-in-bundle-skipped",
        "Bob holds 1 session(s) for",
    ),
    (
        "timing/bundle-after-24h-window-ignored",
        "after the window Bob reads Decrypted",
    ),
];

/// The verdict of a careless self-test, given the scenario's outcome under a careless Bob.
fn careless_verdict(id: &str, expected: &str, outcome: RunOutcome) -> Result<(), Failed> {
    match outcome {
        RunOutcome::Unsupported(reason) => {
            Err(format!("`{id}` could not run its careless self-test: {reason}").into())
        }
        RunOutcome::Passed => Err(format!(
            "`{id}` passed with a careless Bob, who imports every bundle unchecked: its absence \
             check cannot fail"
        )
        .into()),
        RunOutcome::Failed(message) if message.starts_with(expected) => Ok(()),
        RunOutcome::Failed(message) => Err(format!(
            "`{id}` failed with a careless Bob, but not at its absence check (expected a failure \
             starting with {expected:?}): {message}"
        )
        .into()),
    }
}

/// Checks, without Docker, that README's scenario table has a row for every registered
/// scenario whose last cell lists exactly the scenario's rules, so the table and the reports
/// never disagree.
fn readme_table_matches(registry: &Registry) -> Result<(), Failed> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path)
        .map_err(|e| Failed::from(format!("{}: {e}", path.display())))?;
    let mut problems = Vec::new();
    for s in &registry.scenarios {
        let prefix = format!("| `{}` |", s.id);
        match readme.lines().find(|l| l.starts_with(&prefix)) {
            None => problems.push(format!("no row for `{}`", s.id)),
            Some(row) => {
                let last = row.trim_end_matches('|').rsplit('|').next().unwrap_or("");
                let listed: Vec<&str> = last.split(',').map(str::trim).collect();
                if listed != s.rules {
                    problems.push(format!(
                        "`{}`: README lists rules `{}`, the registry `{}`",
                        s.id,
                        last.trim(),
                        s.rules.join(", ")
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}: {}", path.display(), problems.join("; ")).into())
    }
}

/// The pairs of clients this run plays, and a note for each pair that cannot run (its actor is
/// not built) when the pairs are the default ones rather than chosen.
fn pairs(built_dir: &std::path::Path) -> Result<Vec<(Pair, Option<String>)>, String> {
    match Pair::from_env() {
        Some(chosen) => Ok(chosen?.into_iter().map(|p| (p, None)).collect()),
        None => Ok(Pair::ci()
            .into_iter()
            .map(|p| {
                let missing = [&p.alice, &p.bob]
                    .into_iter()
                    .find_map(|c| c.argv(built_dir).err());
                (p, missing)
            })
            .collect()),
    }
}

/// The test name of a scenario played by `pair`.
fn trial_name(id: &str, pair: &Pair) -> String {
    format!("{id}[{pair}]")
}

fn main() {
    let args = Arguments::from_args();
    let runner = Runner {
        log_root: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario-logs"),
    };
    // The 0.18.0 actor is a binary of this package; cargo puts every binary of this build there.
    let built_dir = PathBuf::from(env!("CARGO_BIN_EXE_msc4268-client-matrix-sdk"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let (registry, unusable) = match registry::registry() {
        Ok(r) => (r, None),
        Err(e) => (
            Registry {
                scenarios: Vec::new(),
            },
            Some(e.to_string()),
        ),
    };
    // A malformed choice of clients is a usage error, whatever the filter: no test runs.
    let pairs = match pairs(&built_dir) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    for (pair, missing) in &pairs {
        if let Some(why) = missing {
            eprintln!("the scenarios of pair {pair} are reported as ignored: {why}");
        }
    }
    let (scenarios, unregistered) = scenarios(&registry);
    let skip = docker::skip_requested();
    let selected = scenarios.iter().any(|s| {
        s.body.is_ok()
            && (pairs.iter().any(|(p, missing)| {
                missing.is_none() && is_selected(&args, &trial_name(&s.registered.id, p))
            }) || is_selected(&args, &format!("careless/{}", s.registered.id)))
    });
    // Prepare Docker (and build the image if missing) only if a scenario will run.
    let prepared = if skip {
        Err(format!(
            "{} is set: Docker scenarios are skipped",
            docker::SKIP_ENV
        ))
    } else if args.list || !selected {
        Ok(())
    } else {
        docker::prepare().map(|_| ()).map_err(|e| e.to_string())
    };
    if skip {
        eprintln!(
            "{} is set: the Docker scenarios are reported as ignored",
            docker::SKIP_ENV
        );
    }
    let casting = |pair: &Pair, careless: Option<&str>| Casting {
        pair: pair.clone(),
        built_dir: built_dir.clone(),
        repo_root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
        command_timeout: msc4268_scenarios::actor::COMMAND_TIMEOUT,
        careless: careless.map(str::to_owned),
        logs: Arc::default(),
    };
    let results: Arc<Mutex<Vec<ExternalResult>>> = Arc::default();
    let started = Instant::now();
    let mut trials: Vec<Trial> = Vec::new();
    for (pair, missing) in &pairs {
        for s in &scenarios {
            let name = trial_name(&s.registered.id, pair);
            let runner = runner.clone();
            let prepared = prepared.clone();
            let results = results.clone();
            let mut registered = s.registered.clone();
            registered.id = name.clone();
            let body = s.body.clone();
            let casting = casting(pair, None);
            trials.push(
                Trial::ignorable_test(name.clone(), move || {
                    let t = Instant::now();
                    let outcome = body.and_then(|body| {
                        prepared.map(|()| {
                            runner.run(&name, casting, async |env: &mut Env| body(env).await)
                        })
                    });
                    let (status, detail, verdict) = match outcome {
                        Ok(RunOutcome::Passed) => {
                            (ExternalOutcome::Passed, None, Ok(Completion::Completed))
                        }
                        // Ignored at run time, with the reason, in libtest's output too.
                        Ok(RunOutcome::Unsupported(reason)) => (
                            ExternalOutcome::Skipped,
                            Some(reason.clone()),
                            Ok(Completion::ignored_with(reason)),
                        ),
                        Ok(RunOutcome::Failed(e)) | Err(e) => (
                            ExternalOutcome::Failed,
                            Some(e.clone()),
                            Err(Failed::from(e)),
                        ),
                    };
                    if let Ok(mut r) = results.lock() {
                        r.push(result(
                            &registered,
                            status,
                            detail,
                            t.elapsed().as_secs_f64(),
                        ));
                    }
                    verdict
                })
                .with_ignored_flag(skip || missing.is_some()),
            );
        }
    }
    // The self-tests prove that the scenarios can fail, whatever the clients under test: they
    // run with the suite's own matrix-sdk 0.18.0 actor, which can be made careless.
    let own = Pair::same(ClientSpec::MatrixSdk {
        version: "0.18.0".into(),
    });
    for (id, expected) in CARELESS_SELF_TESTS {
        let body = scenarios
            .iter()
            .find(|s| s.registered.id == *id)
            .map(|s| s.body.clone())
            .unwrap_or_else(|| Err(format!("no scenario `{id}` for the careless self-test")));
        let runner = runner.clone();
        let prepared = prepared.clone();
        let name = format!("careless/{id}");
        let casting = casting(&own, Some("Bob"));
        trials.push(
            Trial::test(name.clone(), move || {
                let body = body.map_err(Failed::from)?;
                prepared.map_err(Failed::from)?;
                let outcome = runner.run(&name, casting, async |env: &mut Env| body(env).await);
                careless_verdict(id, expected, outcome)
            })
            .with_ignored_flag(skip),
        );
    }
    for d in unregistered {
        let message = format!(
            "{} defines `{}`, but {} does not list it",
            d.file,
            d.id,
            registry::REGISTRY_FILE
        );
        trials.push(Trial::test(d.id, move || Err(message.into())));
    }
    if let Some(message) = unusable {
        trials.push(Trial::test(registry::REGISTRY_FILE, move || {
            Err(message.into())
        }));
    }
    let readme_registry = registry.clone();
    trials.push(Trial::test(
        "readme-table-lists-every-scenario",
        move || readme_table_matches(&readme_registry),
    ));
    let conclusion = libtest_mimic::run(&args, trials);
    if let Some(file) = std::env::var_os(external::RESULTS_ENV) {
        let file = PathBuf::from(file);
        let ran = results.lock().map(|r| r.clone()).unwrap_or_default();
        let mut report = ExternalResults::new(implementation(&pairs));
        report.wall_time_s = started.elapsed().as_secs_f64();
        if !args.list {
            for (pair, missing) in &pairs {
                for s in &scenarios {
                    let name = trial_name(&s.registered.id, pair);
                    if !is_selected(&args, &name) {
                        continue;
                    }
                    let done = ran.iter().find(|r| r.id == name).cloned();
                    report.results.push(done.unwrap_or_else(|| {
                        let reason = if skip {
                            format!("{} is set: Docker scenarios are skipped", docker::SKIP_ENV)
                        } else if let Some(why) = missing {
                            why.clone()
                        } else {
                            "not run (ignored)".into()
                        };
                        let mut registered = s.registered.clone();
                        registered.id = name;
                        result(&registered, ExternalOutcome::Skipped, Some(reason), 0.0)
                    }));
                }
            }
        }
        match report.write(&file) {
            Ok(()) => eprintln!("scenario results written to {}", file.display()),
            Err(e) => {
                eprintln!(
                    "cannot write the scenario results to {}: {e}",
                    file.display()
                );
                std::process::exit(101);
            }
        }
    }
    conclusion.exit();
}
