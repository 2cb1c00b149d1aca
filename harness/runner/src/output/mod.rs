//! Report files for one run over one or more implementations: JSON (stable, schema
//! `fixtures/schema/report.schema.json`), JUnit XML, a Markdown summary (for a CI step summary)
//! and a static HTML page with the conformance matrix (implementations × rules).
//!
//! [`write_all`] writes `report.json`, `junit.xml`, `summary.md` and `index.html` into a
//! directory; each format also has its own function returning the text.

mod html;
mod junit;
mod markdown;

pub use html::html;
pub use junit::junit;
pub use markdown::markdown;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::profile::Profile;
use crate::report::{self, Counts};
use crate::runner::{CaseReport, Status};
use msc4268_corpus::rules::{Catalogue, Tier};
use msc4268_protocol::implementation::ImplementationInfo;

/// Name of the JSON report format, in its `format` member.
pub const FORMAT: &str = "msc4268-conformance-report";
/// Version of the JSON report format; bumped on any incompatible change.
/// Version 2 added the profile, the per-tier counts and each case's level; `passed` became
/// "passed under the profile".
pub const FORMAT_VERSION: u32 = 2;
/// File name of the report JSON Schema, under `fixtures/schema/`.
pub const SCHEMA_FILE: &str = "report.schema.json";

/// The results of one implementation.
#[derive(Debug, Clone)]
pub struct ImplementationRun {
    /// Who it is.
    pub info: ImplementationInfo,
    /// The expected-failures file applied, if any.
    pub expected_failures_file: Option<String>,
    /// One report per case, in corpus order.
    pub cases: Vec<CaseReport>,
    /// Wall time of the run in seconds.
    pub wall_time_s: f64,
    /// Anything the run wants a reader to know (adapter restarts, stale expected failures, what
    /// the implementation leaves to other layers).
    pub notes: Vec<String>,
}

impl ImplementationRun {
    /// Counts over all cases.
    pub fn summary(&self) -> Counts {
        report::totals(&self.cases)
    }

    /// Counts per tier (required, recommended, suite).
    pub fn by_tier(&self) -> BTreeMap<Tier, Counts> {
        report::by_tier(&self.cases)
    }

    /// Whether any case fails the run under `profile` (failed, errored or unexpected pass, in a
    /// tier the profile counts).
    pub fn failed(&self, profile: Profile) -> bool {
        self.cases.iter().any(|c| profile.fails(c))
    }
}

/// A whole run: the implementations checked, against which fixtures.
#[derive(Debug, Clone)]
pub struct RunSet {
    /// The fixtures directory, as given.
    pub fixtures: String,
    /// The implementations, in command-line order.
    pub runs: Vec<ImplementationRun>,
    /// The rule catalogue (for levels and statements in the matrix).
    pub catalogue: Catalogue,
    /// Which tiers of failures fail the run.
    pub profile: Profile,
}

/// Why report files could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct OutputError {
    /// The file or directory.
    pub path: PathBuf,
    /// The I/O error.
    pub source: std::io::Error,
}

/// The conformance state of one implementation for one rule (one matrix cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellState {
    /// Something fails the run (failed, errored, unexpected pass).
    Fail,
    /// Only expected failures besides passes and skips.
    ExpectedFailure,
    /// Every case passed.
    Pass,
    /// Some passed, some skipped.
    Partial,
    /// Every case skipped.
    Skip,
    /// No case names this rule.
    None,
}

impl CellState {
    /// The state of a row of counts.
    pub fn of(c: Counts) -> Self {
        if c.failed > 0 {
            CellState::Fail
        } else if c.expected_failures > 0 {
            CellState::ExpectedFailure
        } else if c.passed > 0 && c.skipped == 0 {
            CellState::Pass
        } else if c.passed > 0 {
            CellState::Partial
        } else if c.skipped > 0 {
            CellState::Skip
        } else {
            CellState::None
        }
    }

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            CellState::Fail => "fail",
            CellState::ExpectedFailure => "xfail",
            CellState::Pass => "pass",
            CellState::Partial => "partial",
            CellState::Skip => "skip",
            CellState::None => "none",
        }
    }
}

impl RunSet {
    /// Rule ids to show: the catalogue's, then any other id a case names, in rule order.
    pub fn rule_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.catalogue.rules.iter().map(|r| r.id.clone()).collect();
        for run in &self.runs {
            for c in &run.cases {
                for r in &c.rules {
                    if !ids.contains(r) {
                        ids.push(r.clone());
                    }
                }
            }
        }
        ids.sort_by_key(|k| report::rule_sort_key(k));
        ids
    }

    /// Whether any implementation fails the run under the run's profile.
    pub fn failed(&self) -> bool {
        self.runs.iter().any(|r| r.failed(self.profile))
    }

    /// The JSON report (format [`FORMAT`] version [`FORMAT_VERSION`]).
    pub fn to_json(&self) -> Value {
        let rules: Vec<Value> = self
            .catalogue
            .rules
            .iter()
            .map(|r| json!({"id": r.id, "level": r.level, "statement": r.statement}))
            .collect();
        let runs: Vec<Value> = self
            .runs
            .iter()
            .map(|run| {
                let split = report::by_rule_and_tier(&run.cases);
                let by_rule: BTreeMap<String, Value> = report::by_rule(&run.cases)
                    .into_iter()
                    .map(|(k, c)| {
                        let tiers = split.get(&k);
                        let v = json!({
                            "counts": c,
                            "state": CellState::of(c),
                            "by_tier": tier_cells(|t| {
                                tiers.and_then(|m| m.get(&t)).copied().unwrap_or_default()
                            }),
                        });
                        (k, v)
                    })
                    .collect();
                let by_tier = run.by_tier();
                json!({
                    "implementation": run.info,
                    "expected_failures_file": run.expected_failures_file,
                    "wall_time_s": run.wall_time_s,
                    "passed": !run.failed(self.profile),
                    "passed_under": Value::Object(
                        Profile::ALL
                            .into_iter()
                            .map(|p| (p.as_str().to_owned(), json!(!run.failed(p))))
                            .collect(),
                    ),
                    "summary": run.summary(),
                    "by_tier": tier_cells(|t| by_tier.get(&t).copied().unwrap_or_default()),
                    "by_category": report::by_category(&run.cases),
                    "by_rule": by_rule,
                    "notes": run.notes,
                    "cases": run.cases,
                })
            })
            .collect();
        json!({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "suite_version": env!("CARGO_PKG_VERSION"),
            "fixtures": self.fixtures,
            "profile": self.profile,
            "passed": !self.failed(),
            "rules": rules,
            "implementations": runs,
        })
    }
}

/// `{"required": …, "recommended": …, "suite": …}`, each tier's counts and cell state.
fn tier_cells(counts: impl Fn(Tier) -> Counts) -> Value {
    let map: serde_json::Map<String, Value> = Tier::ALL
        .into_iter()
        .map(|t| {
            let c = counts(t);
            (
                t.as_str().to_owned(),
                json!({"counts": c, "state": CellState::of(c)}),
            )
        })
        .collect();
    Value::Object(map)
}

/// Writes `report.json`, `junit.xml`, `summary.md` and `index.html` into `dir` (created if
/// missing) and returns the paths written.
pub fn write_all(set: &RunSet, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError {
        path: dir.to_owned(),
        source,
    })?;
    let json_text = serde_json::to_string_pretty(&set.to_json()).map_err(|e| OutputError {
        path: dir.join("report.json"),
        source: std::io::Error::other(e),
    })?;
    let files = [
        ("report.json", json_text + "\n"),
        ("junit.xml", junit(set)),
        ("summary.md", markdown(set)),
        ("index.html", html(set)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| OutputError {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// A one-line description of a case's status detail (reason, error, or actual outcome).
pub fn status_detail(s: &Status) -> String {
    match s {
        Status::Passed => String::new(),
        Status::Failed { actual } => format!("actual: {actual}"),
        Status::Skipped { reason } => reason.clone(),
        Status::Errored { detail } => detail.clone(),
        Status::ExpectedFailure {
            reason, upstream, ..
        } => format!("{reason} ({upstream})"),
        Status::UnexpectedPass { reason, upstream } => {
            format!("passed, but listed as expected failure: {reason} ({upstream})")
        }
        Status::ExpectedFailureMismatch {
            reason,
            upstream,
            fails_as,
            happened,
            ..
        } => format!(
            "listed as an expected failure ({fails_as}) but it went {happened}: {reason} ({upstream})"
        ),
    }
}

/// Escapes text for XML and HTML.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::runner::ReportCategory;
    use msc4268_corpus::fixture::{BugClass, Verdict};
    use msc4268_corpus::rules::Level;
    use msc4268_protocol::cases::Category;
    use msc4268_protocol::identifiers::IdentifierVariant;

    pub(crate) fn case(id: &str, rules: &[&str], status: Status) -> CaseReport {
        case_at(id, rules, Level::Must, status)
    }

    pub(crate) fn case_at(id: &str, rules: &[&str], level: Level, status: Status) -> CaseReport {
        CaseReport {
            id: id.into(),
            file: "bundle-parsing/x.json".into(),
            pointer: "/groups/0/cases/0".into(),
            category: ReportCategory::Fixture(Category::BundleParsing),
            identifiers: IdentifierVariant::Stable,
            rules: rules.iter().map(|s| s.to_string()).collect(),
            level,
            graded: None,
            flags: vec![BugClass::EdgeCase],
            result: Verdict::Invalid,
            expected: json!({"outcome": "rejected", "rule": rules[0]}),
            status,
        }
    }

    pub(crate) fn sample() -> RunSet {
        let info = |name: &str| ImplementationInfo {
            name: name.into(),
            version: "1".into(),
            language: "rust".into(),
            issues: None,
            identifiers: vec![IdentifierVariant::Stable],
        };
        RunSet {
            fixtures: "fixtures".into(),
            catalogue: msc4268_corpus::rules::catalogue().unwrap(),
            runs: vec![
                ImplementationRun {
                    info: info("a"),
                    expected_failures_file: None,
                    cases: vec![
                        case("bundle-parsing/g/ok", &["B1"], Status::Passed),
                        case(
                            "bundle-parsing/g/bad<&>",
                            &["R15", "B1"],
                            Status::Failed {
                                actual: json!({"outcome": "parsed"}),
                            },
                        ),
                        case_at(
                            "bundle-parsing/g/advice",
                            &["R13"],
                            Level::Should,
                            Status::Passed,
                        ),
                    ],
                    wall_time_s: 0.5,
                    notes: vec![],
                },
                ImplementationRun {
                    info: info("b"),
                    expected_failures_file: Some("expected-failures/b.json".into()),
                    cases: vec![
                        case(
                            "bundle-parsing/g/ok",
                            &["B1"],
                            Status::Skipped {
                                reason: "no".into(),
                            },
                        ),
                        case(
                            "bundle-parsing/g/bad<&>",
                            &["R15", "B1"],
                            Status::ExpectedFailure {
                                reason: "known".into(),
                                upstream: "https://e/1".into(),
                                actual: json!({"outcome": "parsed"}),
                            },
                        ),
                        case_at(
                            "bundle-parsing/g/advice",
                            &["R13"],
                            Level::Should,
                            Status::Failed {
                                actual: json!({"outcome": "rejected"}),
                            },
                        ),
                    ],
                    wall_time_s: 0.5,
                    notes: vec!["a note".into()],
                },
            ],
            profile: Profile::Required,
        }
    }

    #[test]
    fn cell_states() {
        let c = |passed, failed, skipped, expected_failures| Counts {
            passed,
            failed,
            skipped,
            expected_failures,
        };
        assert_eq!(CellState::of(c(3, 1, 0, 0)), CellState::Fail);
        assert_eq!(CellState::of(c(3, 0, 0, 1)), CellState::ExpectedFailure);
        assert_eq!(CellState::of(c(3, 0, 0, 0)), CellState::Pass);
        assert_eq!(CellState::of(c(3, 0, 2, 0)), CellState::Partial);
        assert_eq!(CellState::of(c(0, 0, 2, 0)), CellState::Skip);
        assert_eq!(CellState::of(c(0, 0, 0, 0)), CellState::None);
    }

    #[test]
    fn json_report_has_counts_and_cells() {
        let v = sample().to_json();
        assert_eq!(v["format_version"], 2);
        assert_eq!(v["profile"], "required");
        assert_eq!(v["passed"], false);
        assert_eq!(v["implementations"][0]["passed"], false);
        // b fails only a SHOULD case: it passes under `required`, not under `recommended`.
        assert_eq!(v["implementations"][1]["passed"], true);
        assert_eq!(
            v["implementations"][1]["passed_under"],
            json!({"required": true, "recommended": false, "strict": false})
        );
        assert_eq!(
            v["implementations"][0]["passed_under"],
            json!({"required": false, "recommended": false, "strict": false})
        );
        let b = &v["implementations"][1]["by_tier"];
        assert_eq!(b["recommended"]["counts"]["failed"], 1);
        assert_eq!(b["recommended"]["state"], "fail");
        assert_eq!(b["required"]["counts"]["expected_failures"], 1);
        assert_eq!(b["suite"]["state"], "none");
        assert_eq!(
            v["implementations"][1]["by_rule"]["R13"]["by_tier"]["recommended"]["state"],
            "fail"
        );
        assert_eq!(
            v["implementations"][1]["by_rule"]["R15"]["by_tier"]["recommended"]["state"],
            "none"
        );
        assert_eq!(v["implementations"][1]["cases"][2]["level"], "SHOULD");
        let mut recommended = sample();
        recommended.profile = Profile::Recommended;
        let v2 = recommended.to_json();
        assert_eq!(v2["profile"], "recommended");
        assert_eq!(v2["implementations"][1]["passed"], false);
        assert_eq!(v["implementations"][0]["summary"]["failed"], 1);
        assert_eq!(v["implementations"][0]["by_rule"]["R15"]["state"], "fail");
        assert_eq!(
            v["implementations"][1]["by_rule"]["R15"]["state"],
            "expected_failure"
        );
        assert_eq!(
            v["implementations"][1]["by_rule"]["B1"]["state"],
            "expected_failure"
        );
        assert_eq!(
            v["implementations"][1]["cases"][1]["status"],
            "expected_failure"
        );
    }
}
