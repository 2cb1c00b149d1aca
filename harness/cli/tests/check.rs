//! `msc4268 check` as a user runs it: a run that checked nothing fails, and the help names every
//! built-in implementation.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::process::{Command, Output};

fn msc4268(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msc4268"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// An adapter that answers `start` declaring no category at all, then waits for `stop`.
fn adapter_without_categories(dir: &std::path::Path) -> String {
    let script = dir.join("no-categories.sh");
    std::fs::write(
        &script,
        r#"read l
echo '{"version":1,"implementation":{"name":"empty","version":"0","language":"sh","categories":[],"identifiers":["stable","unstable","interop"]}}'
while read l; do :; done
"#,
    )
    .unwrap();
    format!("cmd:sh {}", script.display())
}

#[test]
fn a_run_that_checked_nothing_fails() {
    let dir = std::env::temp_dir().join(format!("msc4268-cli-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let imp = adapter_without_categories(&dir);
    let o = msc4268(&["check", "--impl", &imp, "--category", "bundle-parsing"]);
    let out = stdout(&o);
    assert!(!o.status.success(), "exit status {:?}\n{out}", o.status);
    assert!(out.contains("nothing was checked"), "{out}");

    // Control: the same cases against the reference pass and exit 0.
    let o = msc4268(&["check", "--category", "bundle-parsing"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(!stdout(&o).contains("nothing was checked"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_help_names_every_built_in_implementation() {
    let help = stdout(&msc4268(&["check", "--help"]));
    for name in ["`reference`", "`matrix-sdk-crypto`", "`cmd:"] {
        assert!(
            help.contains(name),
            "check --help does not name {name}:\n{help}"
        );
    }
}

#[test]
fn expected_failures_outside_the_cases_run_are_one_line() {
    let dir = std::env::temp_dir().join(format!("msc4268-cli-stale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("reference.json"),
        r#"{"implementation": "reference", "expected_failures": [
            {"case": "import-decision/a/b", "reason": "r", "upstream": "not yet reported"},
            {"case": "import-decision/a/c", "reason": "r", "upstream": "not yet reported"}]}"#,
    )
    .unwrap();
    let ef = dir.to_str().unwrap();
    let o = msc4268(&[
        "check",
        "--category",
        "bundle-parsing",
        "--expected-failures",
        ef,
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    let notes: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("import-decision/a/"))
        .collect();
    assert!(
        notes.is_empty(),
        "entries listed one by one without --verbose:\n{out}"
    );
    assert!(
        out.contains("2 of 2 entries name cases that are not among"),
        "{out}"
    );
    let o = msc4268(&[
        "check",
        "--category",
        "bundle-parsing",
        "--expected-failures",
        ef,
        "-v",
    ]);
    assert!(stdout(&o).contains("  import-decision/a/b"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--profile` picks which failures fail the run. The reference passes every case, so listing
/// one case as an expected failure makes it an `unexpected_pass`, a failure of that case's tier:
/// a MUST case fails every profile, a SHOULD case `recommended` and `strict`, a `suite` case only
/// `strict`; a failure the profile does not count is printed with a note.
#[test]
fn the_profile_picks_which_failures_fail_the_run() {
    use msc4268_corpus::rules::Level;
    let cases = msc4268_corpus::embedded::cases().unwrap();
    for (level, failing_profiles) in [
        (Level::Must, &["required", "recommended", "strict"][..]),
        (Level::Should, &["recommended", "strict"]),
        (Level::Suite, &["strict"]),
    ] {
        let case = cases.iter().find(|c| c.def.level == level).unwrap();
        let dir = std::env::temp_dir().join(format!(
            "msc4268-cli-profile-{level}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("reference.json"),
            format!(
                r#"{{"implementation": "reference", "expected_failures": [
                    {{"case": "{}", "reason": "r", "upstream": "not yet reported"}}]}}"#,
                case.def.id
            ),
        )
        .unwrap();
        for profile in ["required", "recommended", "strict"] {
            let o = msc4268(&[
                "check",
                "--category",
                case.category.as_str(),
                "--expected-failures",
                dir.to_str().unwrap(),
                "--profile",
                profile,
            ]);
            let out = stdout(&o);
            let should_fail = failing_profiles.contains(&profile);
            assert_eq!(
                !o.status.success(),
                should_fail,
                "{} (level {level}) under --profile {profile}: exit status {:?}\n{out}",
                case.def.id,
                o.status
            );
            assert!(out.contains(&format!("profile {profile}")), "{out}");
            assert_eq!(
                out.contains("not counted under profile"),
                !should_fail,
                "{out}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let o = msc4268(&["check", "--profile", "MUST"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("one of: required, recommended, strict"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
