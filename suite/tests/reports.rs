//! Report files: the JSON follows its schema, JUnit and Markdown carry every case and failure.
//! Expected failures turn into `expected_failure` / `unexpected_pass`. (The HTML page rendered in
//! a real headless browser is checked in `optional_tools.rs`.)

use std::path::{Path, PathBuf};

use msc4268_corpus::expected_failures::ExpectedFailures;
use msc4268_corpus::fixture::{Case, load_dir};
use msc4268_generator::mutants::{Bug, Mutant};
use msc4268_harness::external::{ExternalOutcome, ExternalResult, ExternalResults};
use msc4268_harness::output::{self, ImplementationRun, RunSet};
use msc4268_harness::profile::Profile;
use msc4268_harness::runner::{Status, run_case_expecting};
use msc4268_model::reference::Reference;
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::{Implementation, ImplementationInfo};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cases() -> Vec<Case> {
    let mut c = load_dir(&root().join("fixtures")).unwrap_or_else(|e| panic!("fixtures: {e}"));
    c.retain(|c| c.category == Category::FileDecryption);
    c
}

const XFAIL_CASE: &str = "file-decryption/hash-check/wrong-hash";

fn expected_list() -> ExpectedFailures {
    ExpectedFailures::parse(
        &format!(
            r#"{{"implementation": "mutant:skips-hash-check", "expected_failures": [
                {{"case": "{XFAIL_CASE}", "reason": "does not check the hash", "upstream": "https://example.invalid/issues/1"}}]}}"#
        ),
        Path::new("expected-failures/mutant.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(
    imp: &dyn Implementation,
    cases: &[Case],
    expected: Option<&ExpectedFailures>,
) -> ImplementationRun {
    ImplementationRun {
        info: imp.info(),
        expected_failures_file: expected
            .and_then(|e| e.file.clone())
            .map(|p| p.display().to_string()),
        cases: cases
            .iter()
            .map(|c| run_case_expecting(imp, c, expected))
            .collect(),
        wall_time_s: 0.1,
        notes: vec!["test run".into()],
    }
}

fn run_set() -> RunSet {
    let cases = cases();
    let list = expected_list();
    RunSet {
        fixtures: "fixtures".into(),
        catalogue: msc4268_corpus::rules::catalogue().expect("catalogue"),
        runs: vec![
            run(&Reference, &cases, None),
            run(&Mutant::new(Bug::SkipsHashCheck), &cases, Some(&list)),
        ],
        profile: Profile::Required,
    }
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("msc4268-reports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn expected_failures_are_reported_and_a_passing_one_fails_the_run() {
    let cases = cases();
    let list = expected_list();
    let case = cases.iter().find(|c| c.def.id == XFAIL_CASE).expect("case");
    // The mutant fails the listed case: expected failure, not a failure of the run.
    let r = run_case_expecting(&Mutant::new(Bug::SkipsHashCheck), case, Some(&list));
    assert!(
        matches!(r.status, Status::ExpectedFailure { .. }),
        "{:?}",
        r.status
    );
    assert!(!r.status.is_failure());
    // The reference passes it: unexpected pass, which fails the run.
    let r = run_case_expecting(&Reference, case, Some(&list));
    assert!(
        matches!(r.status, Status::UnexpectedPass { .. }),
        "{:?}",
        r.status
    );
    assert!(r.status.is_failure());
    assert!(r.explain().contains("remove it from the list"));
}

/// Panics unless `report` follows `fixtures/schema/report.schema.json`.
fn assert_follows_report_schema(report: &serde_json::Value) {
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root().join(p)).expect("read schema"))
            .expect("schema is JSON")
    };
    let fixture_schema = read("fixtures/schema/fixture-file.schema.json");
    let validator = jsonschema::options()
        .with_resource(
            fixture_schema["$id"].as_str().expect("$id"),
            jsonschema::Resource::from_contents(fixture_schema.clone()),
        )
        .build(&read("fixtures/schema/report.schema.json"))
        .expect("report schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report.json breaks its schema: {errors:#?}"
    );
}

/// Scenario results (`check --scenarios` / `--scenario-results`) join the same report files:
/// their own implementation column, category `scenario`, a failed scenario fails the run with
/// its message, a skipped one is skipped, and the JSON still follows its schema.
#[test]
fn scenario_results_join_the_reports() {
    let mut results = ExternalResults::new(ImplementationInfo {
        name: "scenarios".into(),
        version: "matrix-sdk 0.18.0 against Synapse 1.163.2".into(),
        language: "Rust".into(),
        issues: None,
        identifiers: vec![IdentifierVariant::Stable],
    });
    for (id, file, rules, outcome, detail) in [
        (
            "trust/bundle-from-non-inviter-ignored",
            "scenarios/tests/scenarios/trust.rs",
            &["R33"][..],
            ExternalOutcome::Passed,
            None,
        ),
        (
            "media/wrong-sha256-nothing-imported",
            "scenarios/tests/scenarios/media.rs",
            &["R38", "R39"],
            ExternalOutcome::Failed,
            Some("Bob's client decrypted the Hash-tampered media"),
        ),
        (
            "rotation/member-leaves-key-rotates",
            "scenarios/tests/scenarios/share.rs",
            &["R8"],
            ExternalOutcome::Skipped,
            Some("MSC4268_SKIP_DOCKER is set"),
        ),
    ] {
        results.results.push(ExternalResult {
            id: id.into(),
            category: "scenario".into(),
            file: file.into(),
            rules: rules.iter().map(|r| (*r).to_owned()).collect(),
            summary: format!("what {id} checks"),
            outcome,
            detail: detail.map(str::to_owned),
            duration_s: 1.0,
        });
    }
    let dir = out_dir("scenarios");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("scenarios.json");
    results.write(&file).expect("write results");
    let loaded = ExternalResults::load(&file).unwrap_or_else(|e| panic!("{e}"));
    let mut set = run_set();
    set.runs.truncate(1);
    set.runs.push(ImplementationRun {
        info: loaded.implementation.clone(),
        expected_failures_file: None,
        cases: loaded.case_reports(&set.catalogue),
        wall_time_s: loaded.wall_time_s,
        notes: Vec::new(),
    });
    assert!(set.failed(), "a failed scenario fails the run");
    output::write_all(&set, &dir).unwrap_or_else(|e| panic!("{e}"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("read"))
            .expect("report.json is JSON");
    assert_follows_report_schema(&report);
    let scenarios = &report["implementations"][1];
    assert_eq!(scenarios["implementation"]["name"], "scenarios");
    assert_eq!(scenarios["by_category"]["scenario"]["passed"], 1);
    assert_eq!(scenarios["by_category"]["scenario"]["failed"], 1);
    assert_eq!(scenarios["by_category"]["scenario"]["skipped"], 1);
    assert_eq!(scenarios["by_rule"]["R38"]["state"], "fail");
    assert_eq!(scenarios["by_rule"]["R8"]["state"], "skip");
    assert_eq!(scenarios["by_tier"]["required"]["counts"]["failed"], 1);
    assert_eq!(scenarios["cases"][1]["level"], "MUST", "R38 decides");
    let md = std::fs::read_to_string(dir.join("summary.md")).expect("md");
    assert!(md.contains("| scenario |"), "{md}");
    assert!(
        md.contains("scenario/media/wrong-sha256-nothing-imported"),
        "{md}"
    );
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit");
    assert!(junit.contains("Hash-tampered media"), "{junit}");
    assert!(
        junit.contains("file=\"scenarios/tests/scenarios/media.rs\""),
        "{junit}"
    );
    assert_eq!(
        scenarios["cases"][1]["file"], "scenarios/tests/scenarios/media.rs",
        "each scenario names its own source file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_files_follow_their_formats() {
    let set = run_set();
    let dir = out_dir("formats");
    let written = output::write_all(&set, &dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written.len(), 4);

    // JSON: valid against the documented schema.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("read"))
            .expect("report.json is JSON");
    assert_follows_report_schema(&report);
    assert_eq!(report["passed"], false, "the mutant fails other hash cases");
    let mutant = &report["implementations"][1];
    assert_eq!(mutant["summary"]["expected_failures"], 1);
    assert!(mutant["summary"]["failed"].as_u64().expect("count") > 0);
    assert_eq!(mutant["by_rule"]["R38"]["state"], "fail");
    assert_eq!(
        report["implementations"][0]["by_rule"]["R38"]["state"],
        "pass"
    );

    // JUnit: one testcase per case and implementation; failures counted.
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit");
    let n = cases().len() * 2;
    assert_eq!(junit.matches("<testcase ").count(), n);
    assert!(junit.contains(&format!("tests=\"{n}\"")));
    let counted = set.runs[1]
        .cases
        .iter()
        .filter(|c| set.profile.fails(c))
        .count();
    assert!(counted > 0);
    assert_eq!(junit.matches("<failure ").count(), counted);
    assert_eq!(
        junit
            .matches("<property name=\"tier\" value=\"required\"/>")
            .count(),
        2 * set.runs[0]
            .cases
            .iter()
            .filter(|c| c.level == msc4268_corpus::rules::Level::Must)
            .count()
    );

    // Markdown: summary rows and the failing cases.
    let md = std::fs::read_to_string(dir.join("summary.md")).expect("md");
    assert!(md.contains("| reference |"));
    assert!(md.contains("| mutant:skips-hash-check |"));
    assert!(md.contains("file-decryption/hash-check/"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_expected_failures_file_loads_follows_its_schema_and_names_corpus_cases() {
    let corpus = load_dir(&root().join("fixtures")).unwrap_or_else(|e| panic!("fixtures: {e}"));
    let known: std::collections::BTreeSet<&str> =
        corpus.iter().map(|c| c.def.id.as_str()).collect();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/schema/expected-failures.schema.json"))
            .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let dir = root().join("expected-failures");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("expected-failures/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        files += 1;
        let list = ExpectedFailures::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("stem");
        assert_eq!(list.implementation, stem, "{}", path.display());
        let unknown = list.unknown_cases(&known);
        assert!(
            unknown.is_empty(),
            "{} lists cases not in the corpus: {unknown:?}",
            path.display()
        );
        let value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
    // The schema is not vacuous.
    assert!(!validator.is_valid(
        &serde_json::json!({"implementation": "x", "expected_failures": [
        {"case": "a/b/c", "reason": "r", "upstream": "somewhere"}]})
    ));
    let _ = files;
}
