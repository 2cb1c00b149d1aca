//! Runs fixture cases against an implementation and judges the outcomes.

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Value, json};

use crate::compare::{WITHHELD_OMISSION_RULE, only_omits_withheld, outcome_matches};
use msc4268_corpus::expected_failures::{ExpectedFailure, ExpectedFailures, FailsAs};
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
    /// Failed the way its entry in the implementation's expected failures says (`fails_as`):
    /// does not fail the run.
    ExpectedFailure {
        /// The listed reason.
        reason: String,
        /// The listed upstream link.
        upstream: String,
        /// What happened: the failed outcome, `{"errored": detail}` or `{"timeout": detail}`.
        actual: Value,
    },
    /// Listed as an expected failure, but passed (fails the run: the list is out of date).
    UnexpectedPass {
        /// The listed reason.
        reason: String,
        /// The listed upstream link.
        upstream: String,
    },
    /// Listed as an expected failure, but it failed another way than listed (a crash where a
    /// wrong outcome is listed, ...) or was skipped: fails the run, so a listed case never hides
    /// a new crash, and a case that no longer runs is noticed.
    ExpectedFailureMismatch {
        /// The listed reason.
        reason: String,
        /// The listed upstream link.
        upstream: String,
        /// How the list says it fails.
        fails_as: FailsAs,
        /// How it went instead.
        happened: Happened,
        /// What happened: the failed outcome, `{"errored": detail}`, `{"timeout": detail}` or
        /// `{"skipped": reason}`.
        actual: Value,
    },
}

/// How a case that did not pass went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Happened {
    /// An outcome that does not match.
    WrongOutcome,
    /// No outcome: an error, crash, panic or adapter protocol problem.
    Errored,
    /// No answer in time.
    Timeout,
    /// Not run.
    Skipped,
}

impl Happened {
    /// The name used in reports (the `fails_as` names, and `skipped`).
    pub fn as_str(self) -> &'static str {
        match self {
            Happened::WrongOutcome => "wrong-outcome",
            Happened::Errored => "errored",
            Happened::Timeout => "timeout",
            Happened::Skipped => "skipped",
        }
    }

    fn is(self, fails_as: FailsAs) -> bool {
        matches!(
            (self, fails_as),
            (Happened::WrongOutcome, FailsAs::WrongOutcome)
                | (Happened::Errored, FailsAs::Errored)
                | (Happened::Timeout, FailsAs::Timeout)
        )
    }
}

impl std::fmt::Display for Happened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a case went before its expected-failures entry (if any) is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Judged {
    /// The outcome matched.
    Passed,
    /// The outcome did not match (the actual outcome).
    Failed(Value),
    /// Not run (why).
    Skipped(String),
    /// No outcome (what went wrong).
    Errored(String),
    /// No answer in time (what happened).
    TimedOut(String),
}

impl Judged {
    /// The status of the case, applying its expected-failures entry if it has one: a failure
    /// the listed way becomes [`Status::ExpectedFailure`], a pass [`Status::UnexpectedPass`], any
    /// other failure or a skip [`Status::ExpectedFailureMismatch`]. Without an entry, a timeout
    /// is [`Status::Errored`].
    pub fn status(self, entry: Option<&ExpectedFailure>) -> Status {
        let Some(e) = entry else {
            return match self {
                Judged::Passed => Status::Passed,
                Judged::Failed(actual) => Status::Failed { actual },
                Judged::Skipped(reason) => Status::Skipped { reason },
                Judged::Errored(detail) | Judged::TimedOut(detail) => Status::Errored { detail },
            };
        };
        let (happened, actual) = match self {
            Judged::Passed => {
                return Status::UnexpectedPass {
                    reason: e.reason.clone(),
                    upstream: e.upstream.clone(),
                };
            }
            Judged::Failed(actual) => (Happened::WrongOutcome, actual),
            Judged::Skipped(reason) => (Happened::Skipped, json!({ "skipped": reason })),
            Judged::Errored(detail) => (Happened::Errored, json!({ "errored": detail })),
            Judged::TimedOut(detail) => (Happened::Timeout, json!({ "timeout": detail })),
        };
        if happened.is(e.fails_as) {
            Status::ExpectedFailure {
                reason: e.reason.clone(),
                upstream: e.upstream.clone(),
                actual,
            }
        } else {
            Status::ExpectedFailureMismatch {
                reason: e.reason.clone(),
                upstream: e.upstream.clone(),
                fails_as: e.fails_as,
                happened,
                actual,
            }
        }
    }
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
            Status::ExpectedFailureMismatch { .. } => "expected_failure_mismatch",
        }
    }

    /// Whether this status makes a run fail.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Status::Failed { .. }
                | Status::Errored { .. }
                | Status::UnexpectedPass { .. }
                | Status::ExpectedFailureMismatch { .. }
        )
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
    /// The level it is counted at: the level of its deciding rule (a fixture case's `level`),
    /// or the weaker level of the one rule a failure was narrowed to ([`CaseReport::graded`]).
    pub level: Level,
    /// Set when a failure breaks only a weaker rule than the case's deciding one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graded: Option<Grading>,
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

/// A failure narrowed to one part of a case and counted at the level of the rule for that part,
/// when that level is weaker than the case's own: a built bundle that is right but for some
/// `withheld` entries it leaves out breaks R13 (SHOULD), not the MUST that decides the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grading {
    /// The rule the failure breaks.
    pub rule: String,
    /// The case's own level (its deciding rule's), which the failure is not counted at.
    pub case_level: Level,
    /// Why the failure is narrowed.
    pub why: String,
}

/// The level of catalogue rule `id`, read once per process.
fn catalogue_level(id: &str) -> Option<Level> {
    static LEVELS: OnceLock<Vec<(String, Level)>> = OnceLock::new();
    LEVELS
        .get_or_init(|| {
            msc4268_corpus::rules::catalogue()
                .map(|c| c.rules.iter().map(|r| (r.id.clone(), r.level)).collect())
                .unwrap_or_default()
        })
        .iter()
        .find(|(r, _)| r == id)
        .map(|(_, l)| *l)
}

/// The narrower grading of a failed case, if its failure breaks only a weaker rule.
fn grade(case: &Case, actual: &Outcome) -> Option<(Level, Grading)> {
    let expected = std::iter::once(&case.expected).chain(case.also_acceptable.iter());
    if !only_omits_withheld(expected, actual) {
        return None;
    }
    let level = catalogue_level(WITHHELD_OMISSION_RULE)?;
    (level < case.def.level).then(|| {
        (
            level,
            Grading {
                rule: WITHHELD_OMISSION_RULE.to_owned(),
                case_level: case.def.level,
                why: "the bundle's room_keys are right; it only leaves out withheld entries (\"other sessions SHOULD be listed in the `withheld` section\")".to_owned(),
            },
        )
    })
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
        if let Some(g) = &self.graded {
            s.push_str(&format!(
                "  graded:   counted at {} ({}), not at the case's level {}: {}\n",
                g.rule, self.level, g.case_level, g.why
            ));
        }
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
            Status::ExpectedFailureMismatch {
                reason,
                upstream,
                fails_as,
                happened,
                actual,
            } => s.push_str(&format!(
                "  {happened}: {actual}\n  listed as an expected failure with fails_as {fails_as}, but it {}: {reason} ({upstream})\n  fix the implementation or the entry\n",
                match happened {
                    Happened::Skipped => "was skipped".to_owned(),
                    other => format!("went {other}"),
                }
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
    let (judged, graded) = judge_graded(imp, case);
    let (level, graded) = match graded {
        Some((level, g)) => (level, Some(g)),
        None => (case.def.level, None),
    };
    let status = judged.status(expected_failures.and_then(|l| l.get(&case.def.id)));
    CaseReport {
        id: case.def.id.clone(),
        file: case.file.clone(),
        pointer: case.pointer.clone(),
        category: ReportCategory::Fixture(case.category),
        identifiers: case.identifiers,
        rules: case.def.rules.clone(),
        level,
        graded,
        flags: case.def.flags.clone(),
        result: case.def.result,
        expected: case.expected.to_json(),
        status,
    }
}

/// Runs one case and says how it went, before any expected-failures entry is applied.
pub fn judge(imp: &dyn Implementation, case: &Case) -> Judged {
    judge_graded(imp, case).0
}

/// [`judge`], with the narrower grading of a failure that breaks only a weaker rule than the
/// case's deciding one (the level it counts at, and why).
pub fn judge_graded(imp: &dyn Implementation, case: &Case) -> (Judged, Option<(Level, Grading)>) {
    let info = imp.info();
    if !info.identifiers.contains(&case.identifiers) {
        let reason = format!(
            "{} does not implement the {:?} identifiers",
            info.name, case.identifiers
        );
        return (Judged::Skipped(reason), None);
    }
    if let Some(cap) = case.input.needs()
        && !imp.capabilities().contains(&cap)
    {
        let reason = format!(
            "{} does not declare the `{}` capability this case needs (its input is literal JSON text)",
            info.name,
            cap.name()
        );
        return (Judged::Skipped(reason), None);
    }
    let actual = match execute(imp, &case.input) {
        Ok(o) => o,
        Err(OpError::Unsupported(reason)) => return (Judged::Skipped(reason), None),
        Err(OpError::Errored(detail)) => return (Judged::Errored(detail), None),
        Err(OpError::TimedOut(detail)) => return (Judged::TimedOut(detail), None),
    };
    let ok = std::iter::once(&case.expected)
        .chain(case.also_acceptable.iter())
        .any(|e| outcome_matches(e, &actual));
    if ok {
        (Judged::Passed, None)
    } else {
        (Judged::Failed(actual.to_json()), grade(case, &actual))
    }
}

/// Runs the operation a case input asks for.
pub fn execute(imp: &dyn Implementation, input: &CaseInput) -> Result<Outcome, OpError> {
    Ok(match input {
        CaseInput::BundleParsing(i) => Outcome::BundleParsing(imp.parse_bundle(i)?),
        CaseInput::FileDecryption(i) => Outcome::FileDecryption(imp.decrypt_file(i)?),
        CaseInput::FileDecryptionOverLimit(i) => {
            let input = crate::over_limit::input_for(imp, i)?;
            Outcome::FileDecryption(imp.decrypt_file(&input)?)
        }
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
                Some(bundle) => judge_built(i, &bundle),
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

/// A built bundle, judged by the suite's auditor ([`reference::judge_built`]), except that a
/// bundle it flags for R13 alone (a session left out of `withheld`; the auditor checks R13 last,
/// after every MUST) is compared by its summary like a conformant one. The comparison with the
/// expected bundle then shows which `withheld` entries are missing and that the `room_keys` are
/// right, which is what lets a failure count at R13's level ([`grade`]).
fn judge_built(input: &BuildInput, bundle: &Value) -> BuildOutcome {
    match reference::judge_built(input, bundle) {
        BuildOutcome::Violation(v) if v.rule.as_deref() == Some(WITHHELD_OMISSION_RULE) => {
            reference::summarise_built(bundle)
        }
        judged => judged,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fails_as: FailsAs) -> ExpectedFailure {
        ExpectedFailure {
            case: "a/b/c".into(),
            reason: "known".into(),
            upstream: "not yet reported".into(),
            fails_as,
        }
    }

    fn all() -> [Judged; 5] {
        [
            Judged::Passed,
            Judged::Failed(json!({"outcome": "parsed"})),
            Judged::Skipped("not offered".into()),
            Judged::Errored("panicked".into()),
            Judged::TimedOut("no reply".into()),
        ]
    }

    #[test]
    fn without_an_entry_a_timeout_is_an_error() {
        let labels: Vec<&str> = all().into_iter().map(|j| j.status(None).label()).collect();
        assert_eq!(
            labels,
            ["passed", "failed", "skipped", "errored", "errored"]
        );
    }

    #[test]
    fn an_entry_matches_only_the_listed_way_of_failing() {
        let cases = [
            (
                FailsAs::WrongOutcome,
                [
                    "unexpected_pass",
                    "expected_failure",
                    "expected_failure_mismatch",
                    "expected_failure_mismatch",
                    "expected_failure_mismatch",
                ],
            ),
            (
                FailsAs::Errored,
                [
                    "unexpected_pass",
                    "expected_failure_mismatch",
                    "expected_failure_mismatch",
                    "expected_failure",
                    "expected_failure_mismatch",
                ],
            ),
            (
                FailsAs::Timeout,
                [
                    "unexpected_pass",
                    "expected_failure_mismatch",
                    "expected_failure_mismatch",
                    "expected_failure_mismatch",
                    "expected_failure",
                ],
            ),
        ];
        for (fails_as, want) in cases {
            let e = entry(fails_as);
            let got: Vec<&str> = all()
                .into_iter()
                .map(|j| j.status(Some(&e)).label())
                .collect();
            assert_eq!(got, want, "fails_as {fails_as}");
            for j in all() {
                let s = j.status(Some(&e));
                // Only the listed way of failing keeps the run green.
                assert_eq!(
                    s.is_failure(),
                    !matches!(s, Status::ExpectedFailure { .. }),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn a_mismatch_says_what_was_listed_and_what_happened() {
        let s = Judged::Skipped("not offered".into()).status(Some(&entry(FailsAs::WrongOutcome)));
        assert_eq!(
            s,
            Status::ExpectedFailureMismatch {
                reason: "known".into(),
                upstream: "not yet reported".into(),
                fails_as: FailsAs::WrongOutcome,
                happened: Happened::Skipped,
                actual: json!({"skipped": "not offered"}),
            }
        );
        let s = Judged::TimedOut("no reply".into()).status(Some(&entry(FailsAs::Timeout)));
        assert_eq!(
            s,
            Status::ExpectedFailure {
                reason: "known".into(),
                upstream: "not yet reported".into(),
                actual: json!({"timeout": "no reply"}),
            }
        );
        let v = serde_json::to_value(
            Judged::Errored("boom".into()).status(Some(&entry(FailsAs::WrongOutcome))),
        )
        .unwrap_or_default();
        assert_eq!(v["status"], "expected_failure_mismatch");
        assert_eq!(v["fails_as"], "wrong-outcome");
        assert_eq!(v["happened"], "errored");
    }
}
