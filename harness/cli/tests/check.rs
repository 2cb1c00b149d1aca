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
    let versions = msc4268_adapter::crypto_adapters::CRYPTO_ADAPTERS
        .iter()
        .map(|a| format!("`matrix-sdk-crypto@{}`", a.version));
    let names = ["`reference`", "`matrix-sdk-crypto`", "`cmd:"]
        .into_iter()
        .map(String::from)
        .chain(versions);
    for name in names {
        assert!(
            help.contains(&name),
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

#[test]
fn a_fixtures_directory_with_a_subset_gives_one_line_about_the_other_entries() {
    // A fixtures directory with one file of one category, and an expected-failures list naming
    // one case of that file and two cases elsewhere in the corpus.
    let dir = std::env::temp_dir().join(format!("msc4268-cli-subset-{}", std::process::id()));
    let fixtures = dir.join("fixtures");
    let ef = dir.join("expected");
    std::fs::create_dir_all(fixtures.join("file-decryption")).unwrap();
    std::fs::create_dir_all(&ef).unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    let file = std::fs::read_dir(format!("{root}/file-decryption"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let name = file.file_name().unwrap().to_owned();
    std::fs::copy(&file, fixtures.join("file-decryption").join(&name)).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let inside = json["groups"][0]["cases"][0]["id"].as_str().unwrap();
    std::fs::write(
        ef.join("reference.json"),
        format!(
            r#"{{"implementation": "reference", "expected_failures": [
            {{"case": "{inside}", "reason": "r", "upstream": "not yet reported"}},
            {{"case": "import-decision/x/outside-one", "reason": "r", "upstream": "not yet reported"}},
            {{"case": "bundle-parsing/x/outside-two", "reason": "r", "upstream": "not yet reported"}}]}}"#
        ),
    )
    .unwrap();
    let args = [
        "check",
        "--fixtures",
        fixtures.to_str().unwrap(),
        "--expected-failures",
        ef.to_str().unwrap(),
        "--profile",
        "strict",
    ];
    let o = msc4268(&args);
    let out = stdout(&o);
    let summary: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("entries name cases that are not among"))
        .collect();
    assert_eq!(summary.len(), 1, "one summary line:\n{out}");
    assert!(
        summary[0].contains("2 of 3 entries") && summary[0].contains("--verbose lists them"),
        "{out}"
    );
    assert!(
        !out.contains("outside-one") && !out.contains("outside-two"),
        "entries named one by one without --verbose:\n{out}"
    );
    // The listed case inside the directory passes on the reference: an unexpected pass, which
    // fails the run under the strict profile whatever the case's level.
    assert!(!o.status.success(), "{out}");

    let mut verbose = args.to_vec();
    verbose.push("--verbose");
    let out = stdout(&msc4268(&verbose));
    assert!(out.contains("  import-decision/x/outside-one"), "{out}");
    assert!(out.contains("  bundle-parsing/x/outside-two"), "{out}");
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

/// An adapter declaring the name `declared-name` that answers every `file-decryption` case with
/// an error.
fn adapter_that_errors(dir: &std::path::Path) -> std::path::PathBuf {
    let script = dir.join("errors.sh");
    std::fs::write(
        &script,
        r#"read l
echo '{"version":1,"implementation":{"name":"declared-name","version":"0","language":"sh","categories":["file-decryption"],"identifiers":["stable","unstable","interop"]}}'
while read l; do
  case "$l" in *'"cmd":"stop"'*) exit 0 ;; esac
  seq=$(printf '%s' "$l" | sed 's/.*"seq":\([0-9]*\).*/\1/')
  echo "{\"seq\":$seq,\"errored\":{\"message\":\"not implemented\"}}"
done
"#,
    )
    .unwrap();
    script
}

/// The status of case `id` of the only implementation in `report.json` under `out`, and the
/// implementation's name.
fn status_in_report(out: &std::path::Path, id: &str) -> (String, String) {
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let run = &report["implementations"][0];
    let case = run["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id} in the report"));
    (
        case["status"].as_str().unwrap().to_owned(),
        run["implementation"]["name"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn the_expected_failures_list_is_chosen_by_the_name_on_the_command_line() {
    let dir = std::env::temp_dir().join(format!("msc4268-cli-list-name-{}", std::process::id()));
    let lists = dir.join("lists");
    std::fs::create_dir_all(&lists).unwrap();
    let script = adapter_that_errors(&dir);
    let chosen = "file-decryption/hash-check/wrong-hash";
    let declared = "file-decryption/hash-check/hash-all-zero";
    for (name, case) in [("my-sdk", chosen), ("declared-name", declared)] {
        std::fs::write(
            lists.join(format!("{name}.json")),
            format!(
                r#"{{"implementation": "{name}", "expected_failures": [
                    {{"case": "{case}", "reason": "r", "upstream": "not yet reported", "fails_as": "errored"}}]}}"#
            ),
        )
        .unwrap();
    }
    let run = |imp: &str, out: &str| {
        let out = dir.join(out);
        let o = msc4268(&[
            "check",
            "--impl",
            imp,
            "--category",
            "file-decryption",
            "--expected-failures",
            lists.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ]);
        // Every other case errors: the run fails either way.
        assert!(!o.status.success(), "{}", stdout(&o));
        (stdout(&o), out)
    };

    // With a name on the command line, its list applies and the run is reported under it.
    let (text, out) = run(&format!("my-sdk=cmd:sh {}", script.display()), "named");
    assert_eq!(
        status_in_report(&out, chosen),
        ("expected_failure".to_owned(), "my-sdk".to_owned()),
        "{text}"
    );
    assert_eq!(status_in_report(&out, declared).0, "errored", "{text}");
    assert!(
        text.contains("the adapter declares the name `declared-name`"),
        "{text}"
    );

    // Without a name, the name the adapter declares chooses, and the output says so.
    let (text, out) = run(&format!("cmd:sh {}", script.display()), "unnamed");
    assert_eq!(status_in_report(&out, chosen).0, "errored", "{text}");
    assert_eq!(
        status_in_report(&out, declared),
        ("expected_failure".to_owned(), "declared-name".to_owned()),
        "{text}"
    );
    assert!(
        text.contains("chosen by the name the adapter declares"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_adapter_notes_are_printed_and_reported() {
    let dir = std::env::temp_dir().join(format!("msc4268-cli-notes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = adapter_that_errors(&dir);
    let out = dir.join("out");
    let o = msc4268(&[
        "check",
        "--impl",
        &format!("cmd:sh {}", script.display()),
        "--category",
        "file-decryption",
        "--output",
        out.to_str().unwrap(),
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("note: adapter `declared-name`: `stop` answered by a clean exit"),
        "{text}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let notes = report["implementations"][0]["notes"].to_string();
    assert!(notes.contains("`stop` answered by a clean exit"), "{notes}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn max_consecutive_failures_must_be_positive() {
    let o = msc4268(&["check", "--max-consecutive-failures", "0"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--max-consecutive-failures"), "{err}");
}

#[test]
fn the_reusable_workflow_bounds_the_job_and_passes_the_name() {
    let workflow = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.github/workflows/conformance.yml"
    ))
    .unwrap();
    assert!(
        workflow.contains("      timeout-minutes:\n"),
        "no timeout-minutes input"
    );
    assert!(
        workflow.contains("    timeout-minutes: ${{ inputs.timeout-minutes }}\n"),
        "the job does not use the timeout-minutes input"
    );
    assert!(workflow.contains(r#"impl="${{ inputs.name }}=$impl""#));
}
