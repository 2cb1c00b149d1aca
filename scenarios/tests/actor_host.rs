//! The harness side of the client-actor protocol against actors that misbehave, without Docker:
//! each test starts Alice's actor as a small program that crashes, hangs, prints garbage or
//! answers wrongly at `start`, and checks that the harness gives it up with a message saying
//! what happened, its stderr, and nothing of its process group left running. The Python example
//! actor shows an honest `unsupported`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};
use msc4268_scenarios::cast::{CASTING, Casting, ClientSpec, Pair};
use msc4268_scenarios::{Actor, ScenarioError};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Registers Alice, played by `argv`, on a homeserver nobody listens on (every actor here fails
/// before it would connect), with 2 s per command.
fn alice_played_by(argv: &[&str]) -> ScenarioError {
    let casting = Casting {
        pair: Pair {
            alice: ClientSpec::Command {
                argv: argv.iter().map(|a| (*a).to_owned()).collect(),
            },
            bob: ClientSpec::MatrixSdk {
                version: "0.18.0".into(),
            },
        },
        built_dir: PathBuf::from(env!("CARGO_BIN_EXE_msc4268-client-matrix-sdk"))
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default(),
        repo_root: repo_root(),
        command_timeout: Duration::from_secs(2),
        careless: None,
        logs: Arc::default(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let registered =
        rt.block_on(CASTING.scope(casting, Actor::register_at("http://127.0.0.1:9", "Alice")));
    match registered {
        Ok(a) => panic!("Alice's actor {argv:?} registered as {}", a.user_id()),
        Err(e) => e,
    }
}

/// A program that answers `start` (seq 0) with `reply`, then waits for its input to end.
fn answers_start_with(reply: &str) -> Vec<String> {
    let script = format!("read -r request; printf '%s\\n' '{reply}'; cat >/dev/null");
    vec!["sh".into(), "-c".into(), script]
}

fn actor_error(e: &ScenarioError) -> &str {
    match e {
        ScenarioError::Actor(m) => m,
        other => panic!("expected an actor error, got {other:?}"),
    }
}

/// Whether the process `pid` is gone (or a zombie waiting for init), polling for up to 2 s.
fn is_gone(pid: u32) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat)
                if stat
                    .rsplit(')')
                    .next()
                    .is_some_and(|s| s.trim_start().starts_with('Z')) =>
            {
                return true;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    false
}

fn garbage_on_stdout_gives_the_actor_up_and_kills_its_process_group() {
    let dir = tempfile::tempdir().expect("dir");
    let pidfile = dir.path().join("grandchild.pid");
    let script = format!(
        "sleep 300 & echo $! > '{}'; echo 'not json at all'; echo 'last words' >&2; wait",
        pidfile.display()
    );
    let e = alice_played_by(&["sh", "-c", &script]);
    let message = actor_error(&e);
    assert!(
        message.contains("answered `start` with a line that is not a reply")
            && message.contains("not json at all")
            && message.contains("last words"),
        "{message}"
    );
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .expect("the grandchild wrote its pid")
        .trim()
        .parse()
        .expect("a pid");
    assert!(
        is_gone(pid),
        "the actor's grandchild {pid} is still running"
    );
}

fn an_actor_that_hangs_is_killed_after_the_command_timeout() {
    let started = Instant::now();
    let e = alice_played_by(&["sleep", "300"]);
    let message = actor_error(&e);
    assert!(
        message.contains("did not answer `start` within 2.0 s"),
        "{message}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

fn an_actor_that_exits_is_reported_with_its_stderr() {
    let e = alice_played_by(&["sh", "-c", "echo 'panicked at main.rs' >&2; exit 3"]);
    let message = actor_error(&e);
    // Depending on when it exits, writing `start` or reading its reply is what fails.
    assert!(
        message.contains("`start`")
            && message.contains("exited with status 3")
            && message.contains("panicked at main.rs"),
        "{message}"
    );
}

fn a_reply_out_of_turn_is_refused() {
    let e = alice_played_by(
        &answers_start_with(r#"{"seq": 7, "result": {}}"#)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let message = actor_error(&e);
    assert!(message.contains("(seq 0) with seq 7"), "{message}");
}

fn a_reply_with_two_bodies_is_refused() {
    let argv = answers_start_with(r#"{"seq": 0, "result": {}, "failed": {"message": "x"}}"#);
    let e = alice_played_by(&argv.iter().map(String::as_str).collect::<Vec<_>>());
    let message = actor_error(&e);
    assert!(message.contains("exactly one of"), "{message}");
}

fn a_result_of_the_wrong_shape_names_the_json_path() {
    let argv = answers_start_with(
        r#"{"seq": 0, "result": {"version": 1, "client": {"name": "x", "version": "1"}}}"#,
    );
    let e = alice_played_by(&argv.iter().map(String::as_str).collect::<Vec<_>>());
    let message = actor_error(&e);
    assert!(
        message.contains("the result of `start` does not have the protocol's shape at client")
            && message.contains("language"),
        "{message}"
    );
}

fn another_protocol_version_is_refused() {
    let argv = answers_start_with(
        r#"{"seq": 0, "result": {"version": 2, "client": {"name": "x", "version": "1", "language": "Go"}}}"#,
    );
    let e = alice_played_by(&argv.iter().map(String::as_str).collect::<Vec<_>>());
    let message = actor_error(&e);
    assert!(
        message.contains("speaks client protocol version 2"),
        "{message}"
    );
}

fn the_python_example_actor_says_register_is_unsupported() {
    let e = alice_played_by(&["python3", "examples/python-client-actor/actor.py"]);
    match e {
        ScenarioError::Unsupported(reason) => assert!(
            reason.contains("Alice's client does not support `register`"),
            "{reason}"
        ),
        other => panic!("expected unsupported, got {other:?}"),
    }
}

/// The Python example actor's own tests (framing, handshake, unsupported answers, a fake
/// homeserver for its demonstration mode).
fn the_python_example_actors_own_tests_pass() {
    let out = std::process::Command::new("python3")
        .args([
            "-m",
            "unittest",
            "examples/python-client-actor/test_actor.py",
        ])
        .current_dir(repo_root())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 -m unittest examples/python-client-actor/test_actor.py: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    let args = Arguments::from_args();
    // The Python example needs python3; `MSC4268_SKIP_PYTHON=1` (as for the adapter example)
    // reports its test ignored instead.
    let skip_python = std::env::var("MSC4268_SKIP_PYTHON").is_ok_and(|v| v == "1");
    let trial = |name: &'static str, f: fn()| {
        Trial::test(name, move || {
            std::panic::catch_unwind(f).map_err(|p| {
                Failed::from(
                    p.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "panic".into()),
                )
            })
        })
    };
    let trials = vec![
        trial(
            "garbage_on_stdout_gives_the_actor_up_and_kills_its_process_group",
            garbage_on_stdout_gives_the_actor_up_and_kills_its_process_group,
        ),
        trial(
            "an_actor_that_hangs_is_killed_after_the_command_timeout",
            an_actor_that_hangs_is_killed_after_the_command_timeout,
        ),
        trial(
            "an_actor_that_exits_is_reported_with_its_stderr",
            an_actor_that_exits_is_reported_with_its_stderr,
        ),
        trial(
            "a_reply_out_of_turn_is_refused",
            a_reply_out_of_turn_is_refused,
        ),
        trial(
            "a_reply_with_two_bodies_is_refused",
            a_reply_with_two_bodies_is_refused,
        ),
        trial(
            "a_result_of_the_wrong_shape_names_the_json_path",
            a_result_of_the_wrong_shape_names_the_json_path,
        ),
        trial(
            "another_protocol_version_is_refused",
            another_protocol_version_is_refused,
        ),
        trial(
            "the_python_example_actor_says_register_is_unsupported",
            the_python_example_actor_says_register_is_unsupported,
        )
        .with_ignored_flag(skip_python),
        trial(
            "the_python_example_actors_own_tests_pass",
            the_python_example_actors_own_tests_pass,
        )
        .with_ignored_flag(skip_python),
    ];
    libtest_mimic::run(&args, trials).exit();
}
