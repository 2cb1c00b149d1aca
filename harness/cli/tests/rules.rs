//! `msc4268 rules [ID]` as a user runs it: the built binary, its stdout, stderr and exit status.

use std::path::PathBuf;
use std::process::{Command, Output};

fn msc4268(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msc4268"))
        .args(args)
        .output()
        .expect("run msc4268")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scenario registry in a fresh temporary directory.
fn registry(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msc4268-rules-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let file = dir.join("scenarios.json");
    std::fs::write(&file, text).expect("write registry");
    file
}

#[test]
fn without_an_id_it_lists_the_catalogue() {
    let out = msc4268(&["rules"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().any(|l| l.starts_with("R33 ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("A12 ")), "{text}");
}

#[test]
fn r33_lists_the_rule_its_cases_and_code() {
    let out = msc4268(&["rules", "R33"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("R33 (SHOULD)\n"), "{text}");
    assert!(text.contains("\nstatement:   "), "{text}");
    assert!(text.contains("\n  D10: "), "decision D10 missing:\n{text}");
    assert!(text.contains("\n  import-decision ("), "{text}");
    assert!(
        text.lines().any(|l| l
            .trim_start()
            .starts_with("invalid    SHOULD import-decision/")
            && l.contains("fixtures/import-decision/")),
        "no invalid import-decision case with its level and file:\n{text}"
    );
    // A case another rule decides shows that rule's level and says so.
    assert!(
        text.lines()
            .any(|l| l.contains("import-decision/") && l.ends_with(", its deciding rule)")),
        "no case decided by another rule:\n{text}"
    );
    assert!(
        text.contains("\n  harness/model/src/policy/import.rs:"),
        "no code location:\n{text}"
    );
}

#[test]
fn scenarios_come_from_the_registry() {
    let file = registry(
        "present",
        r#"{"scenarios": [
            {"id": "share/wrong-inviter", "file": "scenarios/tests/scenarios.rs",
             "summary": "Carol's bundle is not downloaded.", "rules": ["R33", "R35"]},
            {"id": "share/other", "file": "scenarios/tests/scenarios.rs",
             "summary": "Unrelated.", "rules": ["R12"]}
        ]}"#,
    );
    let out = msc4268(&["rules", "R33", "--scenarios", &file.to_string_lossy()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("\nscenarios: 1 (from "), "{text}");
    assert!(
        text.contains("\n  share/wrong-inviter  scenarios/tests/scenarios.rs\n"),
        "{text}"
    );
    assert!(!text.contains("share/other"), "{text}");
}

#[test]
fn a_missing_registry_is_said_not_fatal() {
    let dir = std::env::temp_dir().join(format!("msc4268-rules-{}-absent", std::process::id()));
    let file = dir.join("scenarios.json");
    let out = msc4268(&["rules", "R33", "--scenarios", &file.to_string_lossy()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("scenarios: no scenario registry found"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_unknown_id_fails_cleanly_with_near_ids() {
    let out = msc4268(&["rules", "R999"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: no rule `R999` in the catalogue"),
        "{err}"
    );
    assert!(err.contains("nearest: "), "{err}");
}
