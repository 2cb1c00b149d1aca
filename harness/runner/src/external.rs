//! Results of checks the runner does not run itself, in a file that `msc4268 check` reads, so
//! that they appear in the same reports as the fixture cases.
//!
//! Today the only such checks are the Docker scenarios (`scenarios/`: real matrix-sdk clients
//! against real Synapse homeservers): their test binary writes the file named by
//! [`RESULTS_ENV`], and `msc4268 check --scenarios` / `--scenario-results FILE` reads it. The
//! file says everything a report needs (who was under test, each check's category, id, source
//! file, rules and outcome), so the runner knows nothing of the checks themselves. Each result
//! becomes one [`CaseReport`] of an [`ReportCategory::External`] category, in a run of its own.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::runner::{CaseReport, ReportCategory, Status};
use msc4268_corpus::fixture::Verdict;
use msc4268_corpus::json_path::{JsonFileError, deserialize_file};
use msc4268_corpus::rules::{Catalogue, Level};
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::ImplementationInfo;

/// Environment variable naming the file a run of external checks writes its results to (the
/// scenario test binary reads it; `msc4268 check --scenarios` sets it).
pub const RESULTS_ENV: &str = "MSC4268_SCENARIO_RESULTS";

/// The environment variable naming the client pairs the scenarios run
/// (`alice=CLIENT,bob=CLIENT`, pairs separated by `;`); a result of a scenario played by a pair
/// has the id `<scenario>[<pair>]`.
pub const PAIRS_ENV: &str = "MSC4268_CLIENT_PAIRS";
/// Name of the results format, in its `format` member.
pub const FORMAT: &str = "msc4268-external-results";
/// Version of the results format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// A whole run of external checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalResults {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Who was under test, as the report's implementation entry (for the scenarios: `scenarios`,
    /// version `matrix-sdk 0.18.0 against Synapse 1.163.2`).
    pub implementation: ImplementationInfo,
    /// Wall time of the whole run, in seconds.
    pub wall_time_s: f64,
    /// One entry per check selected for the run, in definition order.
    pub results: Vec<ExternalResult>,
}

/// How one external check went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalResult {
    /// The check's id within its category (`trust/bundle-from-non-inviter-ignored`); its case
    /// id in reports is `<category>/<id>`.
    pub id: String,
    /// The category it is reported under (`scenario`); never a fixture category.
    pub category: String,
    /// The file that defines the check, relative to the repository.
    pub file: String,
    /// The rules it observes.
    pub rules: Vec<String>,
    /// What it checks, in one sentence.
    pub summary: String,
    /// Its outcome.
    pub outcome: ExternalOutcome,
    /// The failure message (with whatever logs help) or the reason it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Wall time in seconds (0 when skipped).
    pub duration_s: f64,
}

/// An external check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalOutcome {
    /// Every step held.
    Passed,
    /// A step did not hold, or the environment could not be set up.
    Failed,
    /// Not run (for the scenarios: Docker opted out with `MSC4268_SKIP_DOCKER`).
    Skipped,
}

impl ExternalResult {
    /// The case id in reports: `<category>/<id>`.
    pub fn case_id(&self) -> String {
        format!("{}/{}", self.category, self.id)
    }

    /// The check as a case report: passed, failed (the failure message as the actual outcome)
    /// or skipped (with the reason). Its expected outcome is `{<category>: summary, "outcome":
    /// "every step holds"}`. Its level is the catalogue's level of its first rule, as for a
    /// fixture case; a check whose first rule the catalogue does not know (the scenario registry
    /// test keeps that from happening) is counted as `MUST`, so that its failure is never hidden
    /// by a profile.
    pub fn case_report(&self, catalogue: &Catalogue) -> CaseReport {
        let mut expected = Map::new();
        expected.insert(self.category.clone(), Value::String(self.summary.clone()));
        expected.insert("outcome".into(), json!("every step holds"));
        CaseReport {
            id: self.case_id(),
            file: self.file.clone(),
            pointer: String::new(),
            category: ReportCategory::External(self.category.clone()),
            identifiers: IdentifierVariant::Stable,
            rules: self.rules.clone(),
            level: catalogue.deciding_level(&self.rules).unwrap_or(Level::Must),
            graded: None,
            flags: Vec::new(),
            result: Verdict::Valid,
            expected: Value::Object(expected),
            status: match self.outcome {
                ExternalOutcome::Passed => Status::Passed,
                ExternalOutcome::Failed => Status::Failed {
                    actual: json!({
                        "failure": self.detail.clone().unwrap_or_else(|| "failed".into())
                    }),
                },
                ExternalOutcome::Skipped => Status::Skipped {
                    reason: self.detail.clone().unwrap_or_else(|| "skipped".into()),
                },
            },
        }
    }
}

/// A results file that cannot be used: which file, where in it, what is wrong.
pub type ExternalResultsError = JsonFileError;

impl ExternalResults {
    /// An empty run of `implementation`.
    pub fn new(implementation: ImplementationInfo) -> Self {
        Self {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            implementation,
            wall_time_s: 0.0,
            results: Vec::new(),
        }
    }

    /// Reads and checks a results file.
    pub fn load(file: &Path) -> Result<Self, ExternalResultsError> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| JsonFileError::new(file, "", format!("cannot read file: {e}")))?;
        Self::parse(&text, file)
    }

    /// Parses the text of a results file; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Self, ExternalResultsError> {
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
        let mut seen = BTreeSet::new();
        for (i, r) in parsed.results.iter().enumerate() {
            let at = |member: &str| format!("/results/{i}/{member}");
            for (member, value) in [("id", &r.id), ("category", &r.category), ("file", &r.file)] {
                if value.trim().is_empty() {
                    return Err(err(at(member), format!("the {member} must not be empty")));
                }
            }
            if Category::ALL.iter().any(|c| c.as_str() == r.category) {
                return Err(err(
                    at("category"),
                    format!(
                        "`{}` is a fixture category; an external check names its own",
                        r.category
                    ),
                ));
            }
            if !seen.insert(r.case_id()) {
                return Err(err(at("id"), format!("`{}` is listed twice", r.case_id())));
            }
            if !(r.duration_s.is_finite() && r.duration_s >= 0.0) {
                return Err(err(
                    at("duration_s"),
                    format!("{} is not a duration", r.duration_s),
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

    /// One case report per result, in order, with levels from `catalogue`.
    pub fn case_reports(&self, catalogue: &Catalogue) -> Vec<CaseReport> {
        self.results
            .iter()
            .map(|r| r.case_report(catalogue))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn sample() -> ExternalResults {
        let mut r = ExternalResults::new(ImplementationInfo {
            name: "scenarios".into(),
            version: "matrix-sdk 0.18.0 against Synapse 1.163.2".into(),
            language: "Rust".into(),
            issues: None,
            identifiers: vec![IdentifierVariant::Stable],
        });
        r.results.push(ExternalResult {
            id: "trust/bundle-from-non-inviter-ignored".into(),
            category: "scenario".into(),
            file: "scenarios/tests/scenarios/trust.rs".into(),
            rules: vec!["R33".into()],
            summary: "A bundle from a user who did not invite Bob is ignored.".into(),
            outcome: ExternalOutcome::Passed,
            detail: None,
            duration_s: 4.2,
        });
        r.results.push(ExternalResult {
            id: "media/wrong-sha256-nothing-imported".into(),
            category: "scenario".into(),
            file: "scenarios/tests/scenarios/media.rs".into(),
            rules: vec!["R38".into(), "R39".into()],
            summary: "Media whose hash does not match imports nothing.".into(),
            outcome: ExternalOutcome::Failed,
            detail: Some("Bob reads the secret".into()),
            duration_s: 5.0,
        });
        r
    }

    #[test]
    fn round_trips_and_becomes_case_reports() {
        let r = sample();
        let text = serde_json::to_string(&r).unwrap();
        let back = ExternalResults::parse(&text, Path::new("s.json")).unwrap();
        assert_eq!(back, r);
        let catalogue = msc4268_corpus::rules::catalogue().unwrap();
        let reports = back.case_reports(&catalogue);
        assert_eq!(reports.len(), 2);
        assert_eq!(
            reports[0].id,
            "scenario/trust/bundle-from-non-inviter-ignored"
        );
        assert_eq!(reports[0].file, "scenarios/tests/scenarios/trust.rs");
        assert_eq!(reports[0].status, Status::Passed);
        assert_eq!(
            reports[0].category,
            ReportCategory::External("scenario".into())
        );
        assert_eq!(
            serde_json::to_value(&reports[0]).unwrap()["category"],
            "scenario"
        );
        assert_eq!(
            reports[0].expected["scenario"],
            "A bundle from a user who did not invite Bob is ignored."
        );
        assert_eq!(reports[0].level, catalogue.rule("R33").unwrap().level);
        let mut unknown = back.results[0].clone();
        unknown.rules = vec!["R999".into()];
        assert_eq!(unknown.case_report(&catalogue).level, Level::Must);
        assert!(reports[1].status.is_failure());
        assert!(reports[1].explain().contains("Bob reads the secret"));
    }

    #[test]
    fn bad_files_name_the_file_and_json_path() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["results"][1]["outcome"] = json!("maybe");
        let e = ExternalResults::parse(&v.to_string(), Path::new("s.json")).unwrap_err();
        assert_eq!(e.path, "/results/1/outcome", "{e}");
        assert!(e.to_string().starts_with("s.json: at /results/1/outcome"));

        let mut v = serde_json::to_value(sample()).unwrap();
        v["results"][1]["id"] = v["results"][0]["id"].clone();
        let e = ExternalResults::parse(&v.to_string(), Path::new("s.json")).unwrap_err();
        assert_eq!(e.path, "/results/1/id", "{e}");

        let mut v = serde_json::to_value(sample()).unwrap();
        v["results"][0]["category"] = json!("bundle-parsing");
        let e = ExternalResults::parse(&v.to_string(), Path::new("s.json")).unwrap_err();
        assert_eq!(e.path, "/results/0/category", "{e}");

        let mut v = serde_json::to_value(sample()).unwrap();
        v["results"][0]["file"] = json!(" ");
        let e = ExternalResults::parse(&v.to_string(), Path::new("s.json")).unwrap_err();
        assert_eq!(e.path, "/results/0/file", "{e}");

        let mut v = serde_json::to_value(sample()).unwrap();
        v["format_version"] = json!(2);
        let e = ExternalResults::parse(&v.to_string(), Path::new("s.json")).unwrap_err();
        assert_eq!(e.path, "/format_version", "{e}");

        let e = ExternalResults::parse("{\"format\": ", Path::new("s.json")).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{e}");
    }
}
