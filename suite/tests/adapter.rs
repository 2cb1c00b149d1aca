//! The adapter protocol: the harness survives adapters that crash, hang, print garbage, answer out
//! of step, speak another protocol version, or break the schemas. (The Python example adapter's
//! run through the protocol needs a venv: it is in `optional_tools.rs`.)

use std::path::{Path, PathBuf};
use std::time::Duration;

use msc4268_adapter::{AdapterOptions, CommandImplementation};
use msc4268_corpus::fixture::{Case, load_dir};
use msc4268_harness::runner::{Status, run_case};
use msc4268_protocol::cases::Category;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus() -> Vec<Case> {
    load_dir(&root().join("fixtures")).unwrap_or_else(|e| panic!("cannot load fixtures: {e}"))
}

fn case(id: &str) -> Case {
    corpus()
        .into_iter()
        .find(|c| c.def.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

fn options(strict: bool) -> AdapterOptions {
    AdapterOptions {
        case_timeout: Duration::from_secs(2),
        start_timeout: Duration::from_secs(10),
        strict,
    }
}

// ---------------------------------------------------------------------------------------------
// Misbehaving adapters, written as POSIX shell scripts.

const START: &str = r#"{"version":1,"implementation":{"name":"sh-test","version":"0","language":"sh","categories":["file-decryption"],"identifiers":["stable"]}}"#;
const OTHER_CASE: &str = "file-decryption/hash-check/wrong-hash";

/// Writes `body` as a shell script and returns the command line that runs it.
fn script(name: &str, body: &str) -> String {
    let dir = std::env::temp_dir().join(format!("msc4268-adapter-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.sh"));
    std::fs::write(&path, format!("START='{START}'\n{body}\n")).expect("write script");
    format!("sh {}", path.display())
}

/// A well-behaved responder loop: skips every run, except that `trigger` (a shell `case`
/// pattern) on a request line runs `action` instead.
fn responder(trigger: &str, action: &str) -> String {
    format!(
        r#"read l; echo "$START"
while read l; do
  seq=$(printf '%s' "$l" | sed 's/.*"seq":\([0-9]*\).*/\1/')
  case "$l" in
    *'"cmd":"stop"'*) exit 0 ;;
    {trigger}) {action} ;;
    *) echo "{{\"seq\":$seq,\"skipped\":{{\"reason\":\"not implemented\"}}}}" ;;
  esac
done"#
    )
}

/// Shell `case` pattern matching the first `run` request (members may come in any order).
const FIRST_RUN: &str = r#"*'"seq":1'[,}]*"#;

fn first_case() -> Case {
    // Any existing file-decryption case; the id only has to be stable within this test run.
    corpus()
        .into_iter()
        .find(|c| c.category == Category::FileDecryption)
        .expect("a file-decryption case")
}

fn errored(status: &Status) -> &str {
    match status {
        Status::Errored { detail } => detail,
        other => panic!("expected errored, got {other:?}"),
    }
}

#[test]
fn a_well_behaved_shell_adapter_skips_with_its_reason() {
    let imp = CommandImplementation::start(&script("ok", &responder("NEVER", ":")), options(true))
        .unwrap_or_else(|e| panic!("{e}"));
    let r = run_case(&imp, &first_case());
    assert_eq!(
        r.status,
        Status::Skipped {
            reason: "adapter skipped it: not implemented".into()
        }
    );
    // Undeclared categories are skipped without asking the process.
    let other = corpus()
        .into_iter()
        .find(|c| c.category == Category::BundleParsing)
        .expect("a bundle-parsing case");
    let r = run_case(&imp, &other);
    assert!(
        matches!(&r.status, Status::Skipped { reason } if reason.contains("does not declare")),
        "{:?}",
        r.status
    );
    assert_eq!(imp.stop(), None);
}

#[test]
fn a_crashing_adapter_errors_the_case_with_its_stderr_and_is_restarted() {
    let crash = script(
        "crash",
        &responder(FIRST_RUN, "echo 'boom: simulated crash' >&2; exit 3"),
    );
    let imp =
        CommandImplementation::start(&crash, options(false)).unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let r = run_case(&imp, &c);
    let detail = errored(&r.status);
    assert!(detail.contains("closed its standard output"), "{detail}");
    assert!(detail.contains("exited with status 3"), "{detail}");
    assert!(detail.contains("boom: simulated crash"), "{detail}");
    // The next case runs on a fresh process (whose seq 2 request does not crash it).
    let r = run_case(&imp, &c);
    assert!(matches!(r.status, Status::Skipped { .. }), "{:?}", r.status);
    assert_eq!(imp.restarts(), 1);
    assert_eq!(imp.problems().len(), 1);
}

#[test]
fn a_hanging_adapter_is_killed_after_the_timeout_and_restarted() {
    let hang = script("hang", &responder(FIRST_RUN, "exec sleep 60"));
    let mut opts = options(false);
    opts.case_timeout = Duration::from_millis(500);
    let imp = CommandImplementation::start(&hang, opts).unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let started = std::time::Instant::now();
    let r = run_case(&imp, &c);
    let detail = errored(&r.status);
    assert!(detail.contains("no reply within 0.5 s"), "{detail}");
    assert!(detail.contains("killed"), "{detail}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let r = run_case(&imp, &c);
    assert!(matches!(r.status, Status::Skipped { .. }), "{:?}", r.status);
    assert_eq!(imp.restarts(), 1);
}

#[test]
fn garbage_output_errors_the_case_and_restarts_the_adapter() {
    let garbage = script(
        "garbage",
        &responder(FIRST_RUN, "echo 'Traceback (most recent call last): oops'"),
    );
    let imp =
        CommandImplementation::start(&garbage, options(false)).unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let detail = errored(&run_case(&imp, &c).status).to_owned();
    assert!(detail.contains("not JSON"), "{detail}");
    assert!(detail.contains("Traceback"), "{detail}");
    assert!(matches!(run_case(&imp, &c).status, Status::Skipped { .. }));
    assert_eq!(imp.restarts(), 1);
}

#[test]
fn a_reply_out_of_step_errors_the_case() {
    let wrong = script(
        "wrong-seq",
        &responder(FIRST_RUN, r#"echo '{"seq":99,"skipped":{"reason":"x"}}'"#),
    );
    let imp =
        CommandImplementation::start(&wrong, options(false)).unwrap_or_else(|e| panic!("{e}"));
    let detail = errored(&run_case(&imp, &first_case()).status).to_owned();
    assert!(detail.contains("seq 99 but 1 was asked"), "{detail}");
}

#[test]
fn an_outcome_of_the_wrong_shape_errors_the_case_in_both_modes() {
    let body = responder(
        FIRST_RUN,
        r#"echo '{"seq":1,"outcome":{"outcome":"decrypted","plaintext":3}}'"#,
    );
    for strict in [false, true] {
        let imp = CommandImplementation::start(
            &script(&format!("shape-{strict}"), &body),
            options(strict),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let detail = errored(&run_case(&imp, &first_case()).status).to_owned();
        if strict {
            assert!(detail.contains("strict mode"), "{detail}");
            assert!(detail.contains("/outcome/plaintext"), "{detail}");
        } else {
            assert!(
                detail.contains("does not have the expected shape"),
                "{detail}"
            );
            assert!(detail.contains("plaintext"), "{detail}");
        }
    }
}

#[test]
fn strict_mode_refuses_a_start_reply_the_lenient_mode_accepts() {
    let body = r#"read l; echo '{"version":1,"implementation":{"name":"Not A Valid Name","version":"0","language":"sh","categories":[],"identifiers":[]}}'; read l"#;
    let lenient = CommandImplementation::start(&script("name-lenient", body), options(false));
    assert!(lenient.is_ok(), "{:?}", lenient.err());
    let err = CommandImplementation::start(&script("name-strict", body), options(true))
        .expect_err("strict mode must refuse the name");
    let msg = err.to_string();
    assert!(msg.contains("strict mode"), "{msg}");
    assert!(msg.contains("/implementation/name"), "{msg}");
}

#[test]
fn start_failures_name_the_problem() {
    let version = script(
        "version",
        r#"read l; echo '{"version":2,"implementation":{}}'; read l"#,
    );
    let e = CommandImplementation::start(&version, options(false)).expect_err("version 2");
    assert!(e.to_string().contains("protocol version 2"), "{e}");

    let silent = script("silent", "echo 'starting up' >&2; exit 4");
    let e = CommandImplementation::start(&silent, options(false)).expect_err("exits");
    let msg = e.to_string();
    assert!(msg.contains("exited with status 4"), "{msg}");
    assert!(msg.contains("starting up"), "{msg}");

    let e = CommandImplementation::start("/nonexistent/adapter --flag", options(false))
        .expect_err("no such program");
    assert!(e.to_string().contains("cannot start adapter"), "{e}");

    let e = CommandImplementation::start("python3 'unbalanced", options(false))
        .expect_err("bad quoting");
    assert!(e.to_string().contains("cannot split"), "{e}");
}

#[test]
fn the_case_id_travels_with_the_request() {
    // The adapter echoes the case id into its skip reason.
    let body = r#"read l; echo "$START"
while read l; do
  case "$l" in *'"cmd":"stop"'*) exit 0 ;; esac
  id=$(printf '%s' "$l" | sed 's/.*"case":"\([^"]*\)".*/\1/')
  seq=$(printf '%s' "$l" | sed 's/.*"seq":\([0-9]*\).*/\1/')
  echo "{\"seq\":$seq,\"skipped\":{\"reason\":\"$id\"}}"
done"#;
    let imp = CommandImplementation::start(&script("echo-id", body), options(true))
        .unwrap_or_else(|e| panic!("{e}"));
    let c = case(OTHER_CASE);
    let r = run_case(&imp, &c);
    assert_eq!(
        r.status,
        Status::Skipped {
            reason: format!("adapter skipped it: {OTHER_CASE}")
        }
    );
}
