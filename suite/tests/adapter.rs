//! The adapter protocol: the harness survives adapters that crash, hang, print garbage, answer out
//! of step, speak another protocol version, or break the schemas; adapters that leave processes
//! behind, print endless lines or invalid UTF-8, flood standard error, hang in `start` or stop
//! reading a large request cannot hang or flood a run, and an adapter that keeps timing out is
//! given up. (The Python example adapter's run through the protocol needs a venv: it is in
//! `optional_tools.rs`.)

use std::path::{Path, PathBuf};
use std::time::Duration;

use msc4268_adapter::{AdapterOptions, CommandImplementation};
use msc4268_corpus::fixture::{Case, load_dir};
use msc4268_harness::runner::{Status, run_case};
use msc4268_model::reference::Reference;
use msc4268_protocol::cases::*;
use msc4268_protocol::implementation::{Implementation, ImplementationInfo, OpError, OpResult};

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
        max_consecutive_failures: 3,
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
fn a_case_that_needs_an_undeclared_capability_is_skipped_without_asking() {
    let declaring = |capabilities: &str| {
        format!(
            r#"START='{{"version":1,"implementation":{{"name":"sh-caps","version":"0","language":"sh","categories":["olm-envelope"],"identifiers":["stable"]{capabilities}}}}}'
{}"#,
            responder(
                "*'\"plaintext_text\":\"{'*",
                r#"echo "{\"seq\":$seq,\"skipped\":{\"reason\":\"got the text\"}}""#
            )
        )
    };
    let text_case = case("olm-envelope/escapes/type-escaped");
    let without = CommandImplementation::start(&script("caps-none", &declaring("")), options(true))
        .unwrap_or_else(|e| panic!("{e}"));
    let r = run_case(&without, &text_case);
    assert!(
        matches!(&r.status, Status::Skipped { reason } if reason.contains("does not declare the `json-text` capability")),
        "{:?}",
        r.status
    );
    assert_eq!(without.stop(), None);

    // Declared (beside a capability this harness does not know, which is ignored): the case is
    // sent, with the plaintext as the text it is.
    let with = CommandImplementation::start(
        &script(
            "caps-json-text",
            &declaring(r#","capabilities":["json-text","org.example.future"]"#),
        ),
        options(true),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = run_case(&with, &text_case);
    assert_eq!(
        r.status,
        Status::Skipped {
            reason: "adapter skipped it: got the text".into()
        }
    );
    assert_eq!(with.stop(), None);
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

// ---------------------------------------------------------------------------------------------
// Adapters that must not hang or flood a run. Timeouts that a well-behaved step must beat are
// generous (a loaded CI machine runs `sh`, `sed` and pipes slowly); only steps that always hang
// get short ones.

/// Strict options with a case timeout long enough for a script to move a few MB through pipes.
fn patient() -> AdapterOptions {
    AdapterOptions {
        case_timeout: Duration::from_secs(20),
        ..options(true)
    }
}

/// Runs `f` on its own thread and returns its result; fails the test if it has not returned
/// after two minutes (the harness hung: every test below finishes in seconds).
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(120))
        .unwrap_or_else(|_| panic!("{what}: the harness hung (nothing returned within 120 s)"))
}

/// A file the adapter scripts write a pid into.
fn pid_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msc4268-adapter-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.pid"));
    let _ = std::fs::remove_file(&path);
    path
}

/// Reads the pid a script wrote (waiting for it to appear).
fn read_pid(path: &Path) -> u32 {
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the script wrote no pid into {}", path.display())
}

/// Whether process `pid` runs no more: it is gone, or a zombie its new parent did not reap yet.
#[cfg(target_os = "linux")]
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| matches!(rest.trim_start().chars().next(), Some('Z' | 'X'))),
    }
}

/// Waits (a while: a kill is delivered asynchronously) for `pid` to be gone; kills it if it is
/// not, so that a failing test leaves nothing behind either.
#[cfg(target_os = "linux")]
fn assert_gone(pid: u32, what: &str) {
    for _ in 0..100 {
        if gone(pid) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
    panic!("{what}: process {pid} (started by the adapter) is still running");
}

#[cfg(target_os = "linux")]
#[test]
fn a_timeout_kills_what_the_adapter_started() {
    let pids = pid_file("grandchild-timeout");
    let body = responder(
        FIRST_RUN,
        &format!("sleep 300 & echo $! > {}; wait", pids.display()),
    );
    let mut opts = options(false);
    opts.case_timeout = Duration::from_secs(3);
    let imp = CommandImplementation::start(&script("grandchild-timeout", &body), opts)
        .unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let r = within("timeout with a grandchild", move || {
        let first = run_case(&imp, &c);
        let second = run_case(&imp, &c);
        (first, second, imp)
    });
    let detail = errored(&r.0.status);
    assert!(detail.contains("no reply within 3.0 s"), "{detail}");
    assert_gone(read_pid(&pids), "after the timeout");
    assert!(
        matches!(r.1.status, Status::Skipped { .. }),
        "{:?}",
        r.1.status
    );
}

#[cfg(target_os = "linux")]
#[test]
fn stop_kills_what_the_adapter_left_running() {
    let pids = pid_file("grandchild-stop");
    let body = format!(
        "sleep 300 & echo $! > {}\n{}",
        pids.display(),
        responder("NEVER", ":")
    );
    let imp = CommandImplementation::start(&script("grandchild-stop", &body), options(true))
        .unwrap_or_else(|e| panic!("{e}"));
    let pid = read_pid(&pids);
    assert!(!gone(pid), "the background process should run until `stop`");
    // The adapter itself exits cleanly on `stop`; what it left running is killed with its group.
    assert_eq!(imp.stop(), None);
    assert_gone(pid, "after `stop`");
}

#[cfg(target_os = "linux")]
#[test]
fn a_hang_during_start_is_bounded_and_leaves_nothing_behind() {
    let pids = pid_file("start-hang");
    let body = format!("sleep 300 & echo $! > {}\nsleep 300", pids.display());
    let mut opts = options(false);
    opts.start_timeout = Duration::from_secs(2);
    let command = script("start-hang", &body);
    let e = within("a hang in start", move || {
        CommandImplementation::start(&command, opts).expect_err("no start reply")
    });
    let msg = e.to_string();
    assert!(msg.contains("no start reply within 2.0 s"), "{msg}");
    assert!(msg.contains("killed by the harness"), "{msg}");
    assert_gone(read_pid(&pids), "after the start timeout");
}

#[test]
fn an_adapter_that_does_not_read_a_large_request_times_out() {
    // It answers `start`, then never reads again: a request larger than the pipe's buffer
    // blocks the write.
    let body = r#"read l; echo "$START"; sleep 300"#;
    let mut opts = options(false);
    opts.case_timeout = Duration::from_millis(500);
    let imp = CommandImplementation::start(&script("no-read", body), opts)
        .unwrap_or_else(|e| panic!("{e}"));
    let input = FileDecryptionInput {
        file: serde_json::json!({}),
        ciphertext: "A".repeat(4 << 20),
    };
    let (result, imp) = within("a request the adapter does not read", move || {
        (imp.decrypt_file(&input), imp)
    });
    match result {
        Err(OpError::TimedOut(msg)) => {
            assert!(msg.contains("did not read the whole request"), "{msg}");
            assert!(msg.contains("killed by the harness"), "{msg}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(imp.problems().len(), 1, "{:?}", imp.problems());
}

#[test]
fn an_endless_line_is_a_protocol_error() {
    let body = responder(FIRST_RUN, "cat /dev/zero");
    let imp = CommandImplementation::start(&script("endless", &body), patient())
        .unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let (first, second) = within("an endless line", move || {
        (run_case(&imp, &c), run_case(&imp, &c))
    });
    let detail = errored(&first.status);
    assert!(
        detail.contains(&format!("longer than {} bytes", msc4268_adapter::MAX_LINE)),
        "{detail}"
    );
    // The adapter was killed and restarted for the next case.
    assert!(
        matches!(second.status, Status::Skipped { .. }),
        "{:?}",
        second.status
    );
}

#[test]
fn a_long_reply_under_the_limit_is_read() {
    // A skip reason of 1 MiB: long, but a quarter of the limit.
    let body = responder(
        FIRST_RUN,
        r#"printf '{"seq":1,"skipped":{"reason":"'; head -c 1048576 /dev/zero | tr '\0' r; printf '"}}\n'"#,
    );
    let imp = CommandImplementation::start(&script("long-reply", &body), patient())
        .unwrap_or_else(|e| panic!("{e}"));
    let r = run_case(&imp, &first_case());
    match &r.status {
        Status::Skipped { reason } => assert_eq!(reason.matches('r').count(), 1048576 + 1),
        other => panic!("expected the long skip, got {other:?}"),
    }
}

#[test]
fn invalid_utf8_is_a_protocol_error() {
    let body = responder(
        FIRST_RUN,
        r#"printf '{"seq":1,"skipped":{"reason":"\377\376"}}\n'"#,
    );
    let imp = CommandImplementation::start(&script("utf8", &body), options(false))
        .unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let detail = errored(&run_case(&imp, &c).status).to_owned();
    assert!(detail.contains("not UTF-8"), "{detail}");
    assert!(matches!(run_case(&imp, &c).status, Status::Skipped { .. }));
    assert_eq!(imp.restarts(), 1);
}

#[test]
fn a_stderr_flood_neither_blocks_the_adapter_nor_floods_the_report() {
    // Each run writes a 3 MB line and 200,000 short lines (5 MB) to stderr; the first run then
    // answers, the second crashes.
    let flood = "head -c 3000000 /dev/zero | tr '\\0' e >&2; echo >&2; yes 'flood line' | head -n 200000 >&2";
    let body = format!(
        r#"read l; echo "$START"
while read l; do
  case "$l" in
    *'"cmd":"stop"'*) exit 0 ;;
    *'"seq":1'[,}}]*) {flood}; echo '{{"seq":1,"skipped":{{"reason":"after the flood"}}}}' ;;
    *) {flood}; echo 'last words' >&2; exit 3 ;;
  esac
done"#
    );
    let imp = CommandImplementation::start(&script("stderr-flood", &body), patient())
        .unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let (first, second) = within("a stderr flood", move || {
        (run_case(&imp, &c), run_case(&imp, &c))
    });
    assert_eq!(
        first.status,
        Status::Skipped {
            reason: "adapter skipped it: after the flood".into()
        }
    );
    let detail = errored(&second.status);
    assert!(detail.contains("exited with status 3"), "{detail}");
    assert!(detail.contains("last words"), "{detail}");
    assert!(
        detail.contains("bytes of standard error in all"),
        "{detail}"
    );
    let stderr = detail
        .split_once("adapter stderr")
        .map(|(_, tail)| tail)
        .unwrap_or_default();
    assert!(
        stderr.len() < msc4268_adapter::STDERR_KEEP * 2,
        "{} bytes of stderr in the detail",
        stderr.len()
    );
}

#[test]
fn the_restart_budget_errors_the_remaining_cases_at_once() {
    let hang = script(
        "always-hangs",
        &responder(r#"*'"cmd":"run"'*"#, "sleep 300"),
    );
    let mut opts = options(false);
    opts.case_timeout = Duration::from_millis(300);
    opts.max_consecutive_failures = 2;
    let imp = CommandImplementation::start(&hang, opts).unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let (reports, imp) = within("an adapter that always hangs", move || {
        ((0..5).map(|_| run_case(&imp, &c)).collect::<Vec<_>>(), imp)
    });
    let details: Vec<&str> = reports.iter().map(|r| errored(&r.status)).collect();
    assert!(details[0].contains("no reply within"), "{}", details[0]);
    assert!(!details[0].contains("given up"), "{}", details[0]);
    assert!(details[1].contains("no reply within"), "{}", details[1]);
    assert!(
        details[1].contains("given up after 2 consecutive timeouts"),
        "{}",
        details[1]
    );
    for d in &details[2..] {
        assert!(d.starts_with("not run: "), "{d}");
        assert!(d.contains("given up"), "{d}");
    }
    // Restarted once (for the second case), then never again.
    assert_eq!(imp.restarts(), 1);
    assert!(imp.given_up().is_some());
    let notes = imp.finish();
    let all = notes.join("\n");
    assert!(all.contains("restarted 1 time(s)"), "{all}");
    assert!(all.contains("3 case(s) errored without running"), "{all}");
    assert!(all.contains("no `stop` sent"), "{all}");
}

#[test]
fn an_answered_case_resets_the_restart_budget() {
    // Odd requests hang, even ones are answered: never two timeouts in a row.
    let body = responder(r#"*'"seq":'[13579][,}]*"#, "sleep 300");
    let mut opts = options(false);
    opts.case_timeout = Duration::from_secs(2);
    opts.max_consecutive_failures = 2;
    let imp = CommandImplementation::start(&script("alternating", &body), opts)
        .unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let reports = within("an adapter that hangs every other case", move || {
        (0..6).map(|_| run_case(&imp, &c)).collect::<Vec<_>>()
    });
    for (i, r) in reports.iter().enumerate() {
        if i % 2 == 0 {
            let d = errored(&r.status);
            assert!(d.contains("no reply within"), "{d}");
            assert!(!d.contains("given up"), "{d}");
        } else {
            assert!(matches!(r.status, Status::Skipped { .. }), "{:?}", r.status);
        }
    }
}

#[test]
fn failed_restarts_count_towards_the_budget() {
    // The first process crashes on its first case; every later start hangs.
    let marker = pid_file("restart-hang-marker");
    let body = format!(
        "if [ -e {m} ]; then sleep 300; fi\ntouch {m}\n{}",
        responder(FIRST_RUN, "exit 3"),
        m = marker.display()
    );
    let mut opts = options(false);
    opts.start_timeout = Duration::from_secs(3);
    opts.max_consecutive_failures = 2;
    let imp = CommandImplementation::start(&script("restart-hang", &body), opts)
        .unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    let reports = within("restarts that hang", move || {
        (0..4).map(|_| run_case(&imp, &c)).collect::<Vec<_>>()
    });
    let details: Vec<&str> = reports.iter().map(|r| errored(&r.status)).collect();
    assert!(
        details[0].contains("exited with status 3"),
        "{}",
        details[0]
    );
    assert!(details[1].contains("cannot restart"), "{}", details[1]);
    assert!(
        details[1].contains("no start reply within 3.0 s"),
        "{}",
        details[1]
    );
    assert!(details[2].contains("given up"), "{}", details[2]);
    assert!(details[3].starts_with("not run: "), "{}", details[3]);
}

#[test]
fn finish_reports_restarts_protocol_problems_and_how_the_adapter_stopped() {
    let crash = script(
        "crash-then-bad-stop",
        &responder(FIRST_RUN, "exit 3").replace(
            r#"*'"cmd":"stop"'*) exit 0 ;;"#,
            r#"*'"cmd":"stop"'*) echo 'stopping badly' >&2; exit 5 ;;"#,
        ),
    );
    let imp =
        CommandImplementation::start(&crash, options(false)).unwrap_or_else(|e| panic!("{e}"));
    let c = first_case();
    assert!(matches!(run_case(&imp, &c).status, Status::Errored { .. }));
    assert!(matches!(run_case(&imp, &c).status, Status::Skipped { .. }));
    let notes = imp.finish();
    let all = notes.join("\n");
    assert!(
        all.contains(&format!("restarted 1 time(s), for the cases: {}", c.def.id)),
        "{all}"
    );
    assert!(
        all.contains(&format!("protocol problem in {}", c.def.id)),
        "{all}"
    );
    assert!(all.contains("exited with status 5 after `stop`"), "{all}");
    assert!(all.contains("stopping badly"), "{all}");
    assert!(
        notes.iter().all(|n| !n.contains('\n')),
        "one line each: {notes:?}"
    );
    // A second call adds nothing.
    assert!(imp.finish().is_empty());

    let ok = CommandImplementation::start(
        &script("clean-stop", &responder("NEVER", ":")),
        options(false),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ok.finish(),
        vec!["adapter `sh-test`: `stop` answered by a clean exit".to_owned()]
    );
}

// ---------------------------------------------------------------------------------------------
// Expected failures through a real adapter: an entry matches the way the case fails.

fn listed(
    case: &str,
    fails_as: Option<&str>,
) -> msc4268_corpus::expected_failures::ExpectedFailures {
    let fails_as = fails_as
        .map(|f| format!(r#", "fails_as": "{f}""#))
        .unwrap_or_default();
    msc4268_corpus::expected_failures::ExpectedFailures::parse(
        &format!(
            r#"{{"implementation": "sh-test", "expected_failures": [
                {{"case": "{case}", "reason": "known", "upstream": "not yet reported"{fails_as}}}]}}"#
        ),
        Path::new("expected-failures/sh-test.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn expected_failures_match_how_the_case_fails() {
    use msc4268_harness::runner::{Happened, run_case_expecting};
    let c = first_case();
    let id = c.def.id.clone();
    let label = |imp: &CommandImplementation, fails_as: Option<&str>| {
        run_case_expecting(imp, &c, Some(&listed(&id, fails_as))).status
    };
    let mut opts = options(false);
    opts.case_timeout = Duration::from_secs(2);
    opts.max_consecutive_failures = 100;

    // An adapter that crashes on every case.
    let crash = CommandImplementation::start(
        &script("xfail-crash", &responder(r#"*'"cmd":"run"'*"#, "exit 3")),
        opts.clone(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        label(&crash, Some("errored")),
        Status::ExpectedFailure { .. }
    ));
    match label(&crash, None) {
        Status::ExpectedFailureMismatch {
            happened, actual, ..
        } => {
            assert_eq!(happened, Happened::Errored);
            assert!(
                actual["errored"]
                    .as_str()
                    .is_some_and(|d| d.contains("status 3"))
            );
        }
        other => panic!("a crash listed as a wrong outcome: {other:?}"),
    }
    assert!(matches!(
        label(&crash, Some("timeout")),
        Status::ExpectedFailureMismatch { .. }
    ));

    // An adapter that hangs on every case.
    let hang = CommandImplementation::start(
        &script("xfail-hang", &responder(r#"*'"cmd":"run"'*"#, "sleep 300")),
        opts.clone(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    match label(&hang, Some("timeout")) {
        Status::ExpectedFailure { actual, .. } => assert!(actual.get("timeout").is_some()),
        other => panic!("a timeout listed as a timeout: {other:?}"),
    }
    match label(&hang, Some("errored")) {
        Status::ExpectedFailureMismatch { happened, .. } => assert_eq!(happened, Happened::Timeout),
        other => panic!("a timeout listed as errored: {other:?}"),
    }

    // An adapter that skips every case: a listed case that no longer runs fails the run.
    let skip = CommandImplementation::start(&script("xfail-skip", &responder("NEVER", ":")), opts)
        .unwrap_or_else(|e| panic!("{e}"));
    let status = label(&skip, None);
    assert!(status.is_failure(), "{status:?}");
    match status {
        Status::ExpectedFailureMismatch { happened, .. } => assert_eq!(happened, Happened::Skipped),
        other => panic!("a skip of a listed case: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The reply line limit against the largest real reply.

/// The reference model, measuring the reply line each of its outcomes makes on the wire.
#[derive(Default)]
struct Measuring {
    case: std::sync::Mutex<String>,
    /// Per category: the largest reply line and its case.
    largest: std::sync::Mutex<std::collections::BTreeMap<String, (usize, String)>>,
}

impl Measuring {
    fn record<T: serde::Serialize>(&self, r: OpResult<T>) -> OpResult<T> {
        if let Ok(outcome) = &r {
            let line = serde_json::json!({"seq": u32::MAX, "outcome": outcome}).to_string();
            let case = self.case.lock().expect("lock").clone();
            let category = case.split('/').next().unwrap_or_default().to_owned();
            let mut largest = self.largest.lock().expect("lock");
            let entry = largest.entry(category).or_default();
            if line.len() > entry.0 {
                *entry = (line.len(), case);
            }
        }
        r
    }
}

impl Implementation for Measuring {
    fn info(&self) -> ImplementationInfo {
        Reference.info()
    }
    fn begin_case(&self, case_id: &str) {
        *self.case.lock().expect("lock") = case_id.to_owned();
    }
    fn parse_bundle(&self, i: &BundleParsingInput) -> OpResult<BundleParseOutcome> {
        self.record(Reference.parse_bundle(i))
    }
    fn decrypt_file(&self, i: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        self.record(Reference.decrypt_file(i))
    }
    fn encrypt_file(&self, p: &[u8]) -> OpResult<Encryption> {
        self.record(Reference.encrypt_file(p))
    }
    fn check_to_device(&self, i: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
        self.record(Reference.check_to_device(i))
    }
    fn check_envelope(&self, i: &OlmEnvelopeInput) -> OpResult<EnvelopeOutcome> {
        self.record(Reference.check_envelope(i))
    }
    fn decide_import(&self, i: &ImportInput) -> OpResult<ImportOutcome> {
        self.record(Reference.decide_import(i))
    }
    fn build_bundle(&self, i: &BuildInput) -> OpResult<Option<serde_json::Value>> {
        // On the wire: {"bundle": ...}.
        let r = Reference.build_bundle(i);
        let _ = self.record(
            r.clone()
                .map(|bundle| serde_json::json!({ "bundle": bundle })),
        );
        r
    }
    fn shared_history_flag(&self, i: &FlagInput) -> OpResult<FlagOutcome> {
        self.record(Reference.shared_history_flag(i))
    }
}

#[test]
fn the_reply_line_limit_fits_the_largest_reply_of_the_reference() {
    let m = Measuring::default();
    let cases = corpus();
    for c in &cases {
        let _ = run_case(&m, c);
    }
    let per_category = m.largest.lock().expect("lock").clone();
    for (category, (size, case)) in &per_category {
        eprintln!("largest {category} reply of the reference: {size} bytes ({case})");
    }
    let (largest, case) = per_category.into_values().max().unwrap_or_default();
    eprintln!(
        "largest reply of the reference over {} cases: {largest} bytes ({case}); limit {} bytes",
        cases.len(),
        msc4268_adapter::MAX_LINE
    );
    assert!(largest > 0, "nothing measured");
    assert!(
        largest * 100 < msc4268_adapter::MAX_LINE,
        "the largest reply ({largest} bytes, {case}) leaves less than a hundredfold margin"
    );
    // Not 64 MiB: a few MiB bound what one reply costs, far above the largest real reply.
    const {
        assert!(
            msc4268_adapter::MAX_LINE <= 8 << 20,
            "the reply line limit is far above the largest real reply"
        )
    };
}
