//! The shell scripts around the tests: `fuzz/count-runs.sh` tells a fuzz run that executed inputs
//! from one that did not start or fuzzed nothing (so `fuzz/nightly.sh` and `.ci/run`'s smoke
//! cannot pass without fuzzing), and README's test command is the one `.ci/run` runs.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `fuzz/count-runs.sh` on a log with `text`; returns its success, stdout and stderr.
fn count_runs(name: &str, text: Option<&str>) -> (bool, String, String) {
    let dir = std::env::temp_dir().join(format!("msc4268-count-runs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let log = dir.join(format!("{name}.log"));
    match text {
        Some(t) => std::fs::write(&log, t).expect("write log"),
        None => {
            let _ = std::fs::remove_file(&log);
        }
    }
    let out = Command::new("bash")
        .arg(root().join("fuzz/count-runs.sh"))
        .arg(&log)
        .output()
        .expect("run bash");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SINGLE_PROCESS: &str = "INFO: Running with entropic power schedule (0xFF, 100).
INFO: Seed: 1
INFO: Loaded 1 modules   (23841 inline 8-bit counters): 23841 [0x55d0, 0x55d6)
INFO:      118 files found in corpus/bundle_parser
#119\tINITED cov: 1615 ft: 6057 corp: 110/45Kb exec/s: 0 rss: 45Mb
#10000\tDONE   cov: 1702 ft: 6211 corp: 131/51Kb lim: 4096 exec/s: 2000 rss: 61Mb
Done 10000 runs in 5 second(s)
";

const FORK_MODE: &str = "INFO: -fork=2: fuzzing in separate process(s)
INFO: -fork=2: 118 seed inputs, starting to fuzz in /tmp/libFuzzerTemp.FuzzWithFork1.dir
#8523: cov: 1650 ft: 6100 corp: 120 exec/s: 1704 oom/timeout/crash: 0/0/0 time: 6s job: 1 dft_time: 0
#20011: cov: 1700 ft: 6300 corp: 125 exec/s: 1800 oom/timeout/crash: 0/0/0 time: 12s job: 2 dft_time: 0
INFO: fuzzed for 12 seconds, wrapping up soon
INFO: exiting: 0 time: 13s
";

#[test]
fn count_runs_reads_the_executions_of_a_run_that_fuzzed() {
    assert_eq!(
        count_runs("single", Some(SINGLE_PROCESS)),
        (true, "10000".into(), String::new())
    );
    assert_eq!(
        count_runs("fork", Some(FORK_MODE)),
        (true, "20011".into(), String::new()),
        "fork mode: the last stat line"
    );
}

#[test]
fn count_runs_fails_a_run_that_did_not_start_or_executed_nothing() {
    let cases = [
        (
            "not-started",
            Some(
                "./bundle_parser: error while loading shared libraries: libc++.so.1: cannot open shared object file\n",
            ),
            "did not start or executed no input",
        ),
        ("empty", Some(""), "did not start or executed no input"),
        (
            "zero",
            Some("INFO: Seed: 1\nDone 0 runs in 0 second(s)\n"),
            "executed no input (0 runs)",
        ),
        (
            "fork-no-job",
            Some("INFO: -fork=2: fuzzing in separate process(s)\nINFO: exiting: 1 time: 0s\n"),
            "did not start or executed no input",
        ),
        ("missing", None, "no such log"),
    ];
    for (name, text, why) in cases {
        let (ok, stdout, stderr) = count_runs(name, text);
        assert!(!ok, "{name}: must fail, printed {stdout:?}");
        assert!(stdout.is_empty(), "{name}: {stdout:?}");
        assert!(stderr.contains(why), "{name}: {stderr}");
    }
}

#[test]
fn the_fuzz_scripts_check_that_their_targets_ran() {
    let nightly = std::fs::read_to_string(root().join("fuzz/nightly.sh")).expect("nightly.sh");
    assert!(
        nightly.contains("count-runs.sh"),
        "fuzz/nightly.sh checks each target's log"
    );
    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    assert!(
        ci.contains("./count-runs.sh"),
        ".ci/run's fuzz smoke checks each target's log"
    );
    assert!(
        !ci.contains("$(cargo fuzz list); do"),
        ".ci/run must not loop over an unchecked `cargo fuzz list`"
    );
}

#[test]
fn readme_test_command_is_the_one_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let section = readme
        .split("## The two commands")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has 'The two commands'");
    assert!(
        section.contains("```sh\n# Tests: every fixture case as its own test, corpus properties, unit tests, snapshots.\nscripts/test.sh\n```"),
        "README's test command is scripts/test.sh:\n{section}"
    );
    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    assert!(
        ci.lines()
            .any(|l| !l.trim_start().starts_with('#') && l.contains("scripts/test.sh")),
        ".ci/run runs scripts/test.sh"
    );
    let script = std::fs::read_to_string(root().join("scripts/test.sh")).expect("scripts/test.sh");
    assert!(script.contains("exec cargo test --workspace \"$@\""));
}
