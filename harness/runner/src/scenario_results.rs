//! Results of the Docker scenarios (`scenarios/`: real matrix-sdk clients against real Synapse
//! homeservers), in a file the scenario runner writes and `msc4268 check --scenarios` reads, so
//! that scenarios appear in the same reports as the fixture cases.
//!
//! The scenario test binary writes the file named by [`RESULTS_ENV`] after its run; each
//! scenario becomes one [`CaseReport`] of category [`Category::Scenario`] in a run of its own
//! (the clients under test are matrix-sdk's, not the `--impl` under test).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::runner::{CaseReport, Status};
use msc4268_corpus::fixture::Verdict;
use msc4268_corpus::json_path::{JsonFileError, deserialize_file, read_text};
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::ImplementationInfo;

/// Environment variable naming the file the scenario runner writes its results to.
pub const RESULTS_ENV: &str = "MSC4268_SCENARIO_RESULTS";
/// Name of the results format, in its `format` member.
pub const FORMAT: &str = "msc4268-scenario-results";
/// Version of the results format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;
/// Where the scenarios are defined, named as each report's `file`.
pub const SOURCE_FILE: &str = "scenarios/tests/scenarios.rs";

/// A whole scenario run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioResults {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The clients under test (`matrix-sdk 0.18.0`).
    pub client: String,
    /// The homeserver the scenarios ran against (`Synapse 1.163.2`).
    pub homeserver: String,
    /// Wall time of the whole run, in seconds.
    pub wall_time_s: f64,
    /// One entry per scenario selected for the run, in definition order.
    pub scenarios: Vec<ScenarioResult>,
}

/// How one scenario went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioResult {
    /// The scenario's test name (`trust/bundle-from-non-inviter-ignored`).
    pub id: String,
    /// The rules it observes end to end.
    pub rules: Vec<String>,
    /// What it checks, in one sentence.
    pub summary: String,
    /// Its outcome.
    pub outcome: ScenarioOutcome,
    /// The failure message (with the containers' log tails) or the reason it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Wall time in seconds (0 when skipped).
    pub duration_s: f64,
}

/// A scenario's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioOutcome {
    /// Every step held.
    Passed,
    /// A step did not hold, or the environment could not be set up.
    Failed,
    /// Not run (Docker opted out with `MSC4268_SKIP_DOCKER`).
    Skipped,
}

/// A results file that cannot be used: which file, where in it, what is wrong.
pub type ScenarioResultsError = JsonFileError;

impl ScenarioResults {
    /// An empty run of `client` against `homeserver`.
    pub fn new(client: impl Into<String>, homeserver: impl Into<String>) -> Self {
        Self {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            client: client.into(),
            homeserver: homeserver.into(),
            wall_time_s: 0.0,
            scenarios: Vec::new(),
        }
    }

    /// Reads and checks a results file.
    pub fn load(file: &Path) -> Result<Self, ScenarioResultsError> {
        Self::parse(&read_text(file)?, file)
    }

    /// Parses the text of a results file; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Self, ScenarioResultsError> {
        let err = |path: String, message: String| JsonFileError::new(file, path, message);
        let parsed: Self = deserialize_file(text, file)?;
        if parsed.format != FORMAT {
            return Err(err(
                "/format".into(),
                format!("`{}` is not `{FORMAT}`", parsed.format),
            ));
        }
        if parsed.format_version != FORMAT_VERSION {
            return Err(err(
                "/format_version".into(),
                format!(
                    "version {} is not the supported version {FORMAT_VERSION}",
                    parsed.format_version
                ),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in parsed.scenarios.iter().enumerate() {
            if s.id.trim().is_empty() {
                return Err(err(
                    format!("/scenarios/{i}/id"),
                    "the id must not be empty".into(),
                ));
            }
            if !seen.insert(s.id.as_str()) {
                return Err(err(
                    format!("/scenarios/{i}/id"),
                    format!("scenario `{}` is listed twice", s.id),
                ));
            }
            if !(s.duration_s.is_finite() && s.duration_s >= 0.0) {
                return Err(err(
                    format!("/scenarios/{i}/duration_s"),
                    format!("{} is not a duration", s.duration_s),
                ));
            }
        }
        Ok(parsed)
    }

    /// Writes the file (pretty JSON).
    pub fn write(&self, file: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(file, text + "\n")
    }

    /// Who was under test, as a report's implementation entry.
    pub fn info(&self) -> ImplementationInfo {
        ImplementationInfo {
            name: "scenarios".into(),
            version: format!("{} against {}", self.client, self.homeserver),
            language: "Rust".into(),
            issues: None,
            identifiers: vec![IdentifierVariant::Stable],
        }
    }

    /// One case report per scenario: passed, failed (the failure message as the actual
    /// outcome) or skipped (with the reason).
    pub fn case_reports(&self) -> Vec<CaseReport> {
        self.scenarios
            .iter()
            .map(|s| CaseReport {
                id: format!("scenario/{}", s.id),
                file: SOURCE_FILE.into(),
                pointer: String::new(),
                category: Category::Scenario,
                identifiers: IdentifierVariant::Stable,
                rules: s.rules.clone(),
                flags: Vec::new(),
                result: Verdict::Valid,
                expected: json!({"scenario": s.summary, "outcome": "every step holds"}),
                status: match s.outcome {
                    ScenarioOutcome::Passed => Status::Passed,
                    ScenarioOutcome::Failed => Status::Failed {
                        actual: json!({
                            "failure": s.detail.clone().unwrap_or_else(|| "failed".into())
                        }),
                    },
                    ScenarioOutcome::Skipped => Status::Skipped {
                        reason: s.detail.clone().unwrap_or_else(|| "skipped".into()),
                    },
                },
            })
            .collect()
    }
}

/// Expands a rule list as README writes it (`"R12–R17, R21, A1–A12"`, en dash or hyphen for
/// ranges) into single rule ids, in order. An item that is not a range of one prefix is kept as
/// written.
pub fn expand_rules(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let range = item
            .split_once('–')
            .or_else(|| item.split_once('-'))
            .and_then(|(a, b)| {
                let split = |s: &str| {
                    let digits = s.find(|c: char| c.is_ascii_digit())?;
                    let (prefix, n) = s.split_at(digits);
                    Some((prefix.to_owned(), n.parse::<u32>().ok()?))
                };
                let ((pa, a), (pb, b)) = (split(a.trim())?, split(b.trim())?);
                (pa == pb && a <= b).then_some((pa, a, b))
            });
        match range {
            Some((prefix, a, b)) => out.extend((a..=b).map(|n| format!("{prefix}{n}"))),
            None => out.push(item.to_owned()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn sample() -> ScenarioResults {
        let mut r = ScenarioResults::new("matrix-sdk 0.18.0", "Synapse 1.163.2");
        r.scenarios.push(ScenarioResult {
            id: "trust/bundle-from-non-inviter-ignored".into(),
            rules: vec!["R33".into()],
            summary: "A bundle from a user who did not invite Bob is ignored.".into(),
            outcome: ScenarioOutcome::Passed,
            detail: None,
            duration_s: 4.2,
        });
        r.scenarios.push(ScenarioResult {
            id: "media/wrong-sha256-nothing-imported".into(),
            rules: vec!["R38".into(), "R39".into()],
            summary: "Media whose hash does not match imports nothing.".into(),
            outcome: ScenarioOutcome::Failed,
            detail: Some("Bob reads the secret".into()),
            duration_s: 5.0,
        });
        r
    }

    #[test]
    fn rule_ranges_expand() {
        assert_eq!(
            expand_rules("R12–R14, R21, A1-A3, B2"),
            ["R12", "R13", "R14", "R21", "A1", "A2", "A3", "B2"]
        );
        assert_eq!(expand_rules("R8"), ["R8"]);
        assert_eq!(expand_rules("R9–R8"), ["R9–R8"]);
    }

    #[test]
    fn round_trips_and_becomes_case_reports() {
        let r = sample();
        let text = serde_json::to_string(&r).unwrap();
        let back = ScenarioResults::parse(&text, Path::new("s.json")).unwrap();
        assert_eq!(back, r);
        let reports = back.case_reports();
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].status, Status::Passed);
        assert_eq!(reports[0].category, Category::Scenario);
        assert!(reports[1].status.is_failure());
        assert!(reports[1].explain().contains("Bob reads the secret"));
    }

    #[test]
    fn bad_files_name_the_file_and_json_path() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["scenarios"][1]["outcome"] = json!("maybe");
        let e = ScenarioResults::parse(&v.to_string(), Path::new("s.json")).unwrap_err();
        assert_eq!(e.path, "/scenarios/1/outcome", "{e}");
        assert!(e.to_string().starts_with("s.json: at /scenarios/1/outcome"));

        let mut v = serde_json::to_value(sample()).unwrap();
        v["scenarios"][1]["id"] = v["scenarios"][0]["id"].clone();
        let e = ScenarioResults::parse(&v.to_string(), Path::new("s.json")).unwrap_err();
        assert_eq!(e.path, "/scenarios/1/id", "{e}");

        let mut v = serde_json::to_value(sample()).unwrap();
        v["format_version"] = json!(2);
        let e = ScenarioResults::parse(&v.to_string(), Path::new("s.json")).unwrap_err();
        assert_eq!(e.path, "/format_version", "{e}");

        let e = ScenarioResults::parse("{\"format\": ", Path::new("s.json")).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{e}");
    }
}
