//! Runs fixture cases against an implementation and judges the outcomes.

use serde::Serialize;
use serde_json::Value;

use crate::compare::outcome_matches;
use msc4268_corpus::expected_failures::{ExpectedFailure, ExpectedFailures};
use msc4268_corpus::fixture::{BugClass, Case, CaseInput, Outcome, Verdict};
use msc4268_corpus::rules::{Level, Tier};
use msc4268_model::reference;
use msc4268_protocol::cases::*;
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::{Implementation, OpError};

/// How one case went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// The outcome matched `expected` (or an `also_acceptable` outcome).
    Passed,
    /// The outcome did not match.
    Failed {
        /// The implementation's outcome.
        actual: Value,
    },
    /// Not run, with the reason (unsupported operation or identifier variant).
    Skipped {
        /// Why.
        reason: String,
    },
    /// The implementation failed to produce an outcome (counts as a failure).
    Errored {
        /// What went wrong.
        detail: String,
    },
    /// Failed or errored, and listed in the implementation's expected failures (does not fail
    /// the run).
    ExpectedFailure {
        /// The listed reason.
        reason: String,
        /// The listed upstream link.
        upstream: String,
        /// What happened: the failed outcome, or `{"errored": detail}`.
        actual: Value,
    },
    /// Listed as an expected failure, but passed (fails the run: the list is out of date).
    UnexpectedPass {
        /// The listed reason.
        reason: String,
        /// The listed upstream link.
        upstream: String,
    },
}

impl Status {
    /// Short label for tables.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed { .. } => "failed",
            Status::Skipped { .. } => "skipped",
            Status::Errored { .. } => "errored",
            Status::ExpectedFailure { .. } => "expected_failure",
            Status::UnexpectedPass { .. } => "unexpected_pass",
        }
    }

    /// Whether this status makes a run fail.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Status::Failed { .. } | Status::Errored { .. } | Status::UnexpectedPass { .. }
        )
    }

    /// Applies an expected-failure entry (if any) to a judged status: a failure or error becomes
    /// [`Status::ExpectedFailure`], a pass becomes [`Status::UnexpectedPass`]; a skip stays a skip.
    pub fn with_expectation(self, entry: Option<&ExpectedFailure>) -> Status {
        let Some(e) = entry else { return self };
        match self {
            Status::Passed => Status::UnexpectedPass {
                reason: e.reason.clone(),
                upstream: e.upstream.clone(),
            },
            Status::Failed { actual } => Status::ExpectedFailure {
                reason: e.reason.clone(),
                upstream: e.upstream.clone(),
                actual,
            },
            Status::Errored { detail } => Status::ExpectedFailure {
                reason: e.reason.clone(),
                upstream: e.upstream.clone(),
                actual: serde_json::json!({ "errored": detail }),
            },
            other => other,
        }
    }
}

/// What a case report is a case of: a fixture category, or the category a check the runner did
/// not run itself names (the Docker scenarios report `scenario`; see [`crate::external`]). Both
/// serialise as the category's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum ReportCategory {
    /// A fixture category.
    Fixture(Category),
    /// The named category of an external check.
    External(String),
}

impl ReportCategory {
    /// The category's name, as reports write it.
    pub fn as_str(&self) -> &str {
        match self {
            ReportCategory::Fixture(c) => c.as_str(),
            ReportCategory::External(name) => name,
        }
    }
}

impl std::fmt::Display for ReportCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The report of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    /// Case id.
    pub id: String,
    /// Fixture file, relative to the fixtures directory; for an external check, the file that
    /// defines it, relative to the repository (see [`CaseReport::repository_file`]).
    pub file: String,
    /// JSON pointer of the case in its file.
    pub pointer: String,
    /// Category: the fixture category, or the category an external check names.
    pub category: ReportCategory,
    /// Identifier variant of its group.
    pub identifiers: IdentifierVariant,
    /// Rule ids it exercises, the deciding rule first.
    pub rules: Vec<String>,
    /// The level of its deciding rule (a fixture case's `level`).
    pub level: Level,
    /// Flags.
    pub flags: Vec<BugClass>,
    /// valid / invalid / acceptable.
    pub result: Verdict,
    /// The expected outcome.
    pub expected: Value,
    /// What happened.
    #[serde(flatten)]
    pub status: Status,
}

impl CaseReport {
    /// The tier the case is counted in: required, recommended or suite.
    pub fn tier(&self) -> Tier {
        self.level.tier()
    }

    /// The file of the case relative to the repository: `fixtures/<file>` for a fixture case,
    /// `file` itself for an external check.
    pub fn repository_file(&self) -> String {
        match self.category {
            ReportCategory::Fixture(_) => format!("fixtures/{}", self.file),
            ReportCategory::External(_) => self.file.clone(),
        }
    }

    /// A multi-line explanation of a failure: case id, rules, file, expected vs actual.
    pub fn explain(&self) -> String {
        let mut s = format!(
            "case {} ({})\n  rules: {}\n  level: {} ({})\n  file: {}#{}\n  result: {:?}\n  expected: {}\n",
            self.id,
            self.category,
            self.rules.join(", "),
            self.level,
            self.tier(),
            self.file,
            self.pointer,
            self.result,
            self.expected
        );
        match &self.status {
            Status::Failed { actual } => s.push_str(&format!("  actual:   {actual}\n")),
            Status::Errored { detail } => s.push_str(&format!("  errored:  {detail}\n")),
            Status::Skipped { reason } => s.push_str(&format!("  skipped:  {reason}\n")),
            Status::Passed => s.push_str("  passed\n"),
            Status::ExpectedFailure {
                reason,
                upstream,
                actual,
            } => s.push_str(&format!(
                "  actual:   {actual}\n  expected failure: {reason} ({upstream})\n"
            )),
            Status::UnexpectedPass { reason, upstream } => s.push_str(&format!(
                "  passed, but listed as an expected failure: {reason} ({upstream})\n  remove it from the list if the bug is fixed\n"
            )),
        }
        s
    }
}

/// Runs every case of `cases` against `imp`, in order, applying the implementation's
/// expected-failures list; `on_start` is called before each case and `on_done` with each report
/// as soon as it is made (for progress output). This is the one loop over a corpus: the CLI and
/// the corpus tests run through it, the libtest helper runs each case as its own test through
/// [`run_case_expecting`].
pub fn run_corpus(
    imp: &dyn Implementation,
    cases: &[Case],
    expected_failures: Option<&ExpectedFailures>,
    mut on_start: impl FnMut(&Case),
    mut on_done: impl FnMut(&CaseReport),
) -> Vec<CaseReport> {
    cases
        .iter()
        .map(|case| {
            on_start(case);
            let report = run_case_expecting(imp, case, expected_failures);
            on_done(&report);
            report
        })
        .collect()
}

/// Runs one case against `imp`.
pub fn run_case(imp: &dyn Implementation, case: &Case) -> CaseReport {
    run_case_expecting(imp, case, None)
}

/// Runs one case against `imp`, applying the implementation's expected-failures list.
pub fn run_case_expecting(
    imp: &dyn Implementation,
    case: &Case,
    expected_failures: Option<&ExpectedFailures>,
) -> CaseReport {
    imp.begin_case(&case.def.id);
    let status =
        judge(imp, case).with_expectation(expected_failures.and_then(|l| l.get(&case.def.id)));
    CaseReport {
        id: case.def.id.clone(),
        file: case.file.clone(),
        pointer: case.pointer.clone(),
        category: ReportCategory::Fixture(case.category),
        identifiers: case.identifiers,
        rules: case.def.rules.clone(),
        level: case.def.level,
        flags: case.def.flags.clone(),
        result: case.def.result,
        expected: case.expected.to_json(),
        status,
    }
}

fn judge(imp: &dyn Implementation, case: &Case) -> Status {
    let info = imp.info();
    if !info.identifiers.contains(&case.identifiers) {
        return Status::Skipped {
            reason: format!(
                "{} does not implement the {:?} identifiers",
                info.name, case.identifiers
            ),
        };
    }
    let actual = match execute(imp, &case.input) {
        Ok(o) => o,
        Err(OpError::Unsupported(reason)) => return Status::Skipped { reason },
        Err(OpError::Errored(detail)) => return Status::Errored { detail },
    };
    let ok = std::iter::once(&case.expected)
        .chain(case.also_acceptable.iter())
        .any(|e| outcome_matches(e, &actual));
    if ok {
        Status::Passed
    } else {
        Status::Failed {
            actual: actual.to_json(),
        }
    }
}

/// Runs the operation a case input asks for.
pub fn execute(imp: &dyn Implementation, input: &CaseInput) -> Result<Outcome, OpError> {
    Ok(match input {
        CaseInput::BundleParsing(i) => Outcome::BundleParsing(imp.parse_bundle(i)?),
        CaseInput::FileDecryption(i) => Outcome::FileDecryption(imp.decrypt_file(i)?),
        CaseInput::FileEncryption(FileEncryptionInput::Encrypt { plaintext, times }) => {
            let plaintext = carrier_bytes(plaintext).map_err(OpError::Errored)?;
            let mut encryptions = Vec::new();
            for _ in 0..*times {
                encryptions.push(imp.encrypt_file(&plaintext)?);
            }
            Outcome::FileEncryption(reference::audit_encryptions(&plaintext, &encryptions))
        }
        CaseInput::FileEncryption(FileEncryptionInput::Audit {
            plaintext,
            encryptions,
        }) => {
            require_audits(imp)?;
            let plaintext = carrier_bytes(plaintext).map_err(OpError::Errored)?;
            Outcome::FileEncryption(reference::audit_encryptions(&plaintext, encryptions))
        }
        CaseInput::ToDeviceContent(i) => Outcome::ToDeviceContent(imp.check_to_device(i)?),
        CaseInput::OlmEnvelope(i) => Outcome::OlmEnvelope(imp.check_envelope(i)?),
        CaseInput::ImportDecision(i) => Outcome::ImportDecision(imp.decide_import(i)?),
        CaseInput::BundleBuilding(i) => Outcome::BundleBuilding(match i.operation {
            BuildOperation::Build => match imp.build_bundle(i)? {
                None => BuildOutcome::Nothing,
                Some(bundle) => reference::judge_built(i, &bundle),
            },
            BuildOperation::Audit => {
                require_audits(imp)?;
                let candidate = i.candidate.as_ref().ok_or_else(|| {
                    OpError::Errored("an audit case needs a `candidate` bundle".into())
                })?;
                reference::audit_build(i, candidate)
            }
        }),
        CaseInput::SharedHistoryFlag(i) => Outcome::SharedHistoryFlag(imp.shared_history_flag(i)?),
    })
}

fn require_audits(imp: &dyn Implementation) -> Result<(), OpError> {
    if imp.runs_audits() {
        Ok(())
    } else {
        Err(OpError::Unsupported(
            "audit cases check the suite's own auditor, not an implementation; they run under the reference model".into(),
        ))
    }
}
