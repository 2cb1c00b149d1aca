//! Expected failures: the cases an implementation is known to fail, each with the reason and an
//! upstream link.
//!
//! One JSON file per implementation (`expected-failures/<name>.json`, schema
//! `fixtures/schema/expected-failures.schema.json`):
//!
//! ```json
//! {
//!   "$schema": "../fixtures/schema/expected-failures.schema.json",
//!   "implementation": "matrix-sdk-crypto",
//!   "expected_failures": [
//!     {"case": "shared-history-flag/stable/room-key-true",
//!      "reason": "writes and reads `m.shared_history`, spec v1.19 says `shared_history`",
//!      "upstream": "https://github.com/matrix-org/matrix-rust-sdk/issues/..."}
//!   ]
//! }
//! ```
//!
//! `upstream` is a link, or `"not yet reported"` while the deviation has no upstream report.
//! `fails_as` says how the case fails: `"wrong-outcome"` (the default: an outcome that does not
//! match), `"errored"` (a crash, a panic, an error or a protocol problem instead of an outcome) or
//! `"timeout"` (no answer in time).
//!
//! A listed case that fails the listed way is reported as `expected_failure` and does not fail
//! the run; a listed case that passes is reported as `unexpected_pass`, and one that fails
//! another way or is skipped as `expected_failure_mismatch`, and both fail the run, so a list
//! never silently outlives the bug it records nor hides a crash behind a wrong outcome. Listing
//! a case never changes what it checks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::json_path::{JsonFileError, deserialize_file, read_text};

/// The one `upstream` value that is not a link: the deviation is not reported upstream yet.
pub const NOT_YET_REPORTED: &str = "not yet reported";

/// File name of the expected-failures JSON Schema, under `fixtures/schema/`.
pub const SCHEMA_FILE: &str = "expected-failures.schema.json";

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// The case id.
    pub case: String,
    /// Why the implementation fails it (one or two sentences).
    pub reason: String,
    /// Link to the upstream issue, pull request or source line that shows the deviation, or
    /// [`NOT_YET_REPORTED`] while there is none (reports show it as such).
    pub upstream: String,
    /// How the case fails (a wrong outcome unless the entry says otherwise).
    #[serde(default, skip_serializing_if = "FailsAs::is_wrong_outcome")]
    pub fails_as: FailsAs,
}

/// How a listed case is expected to fail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailsAs {
    /// The implementation gives an outcome, and it does not match the expected one.
    #[default]
    WrongOutcome,
    /// The implementation gives no outcome: it crashes, panics, reports an error, or breaks the
    /// adapter protocol.
    Errored,
    /// The implementation gives no answer within the per-case timeout.
    Timeout,
}

impl FailsAs {
    /// The name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FailsAs::WrongOutcome => "wrong-outcome",
            FailsAs::Errored => "errored",
            FailsAs::Timeout => "timeout",
        }
    }

    /// Whether this is the default, [`FailsAs::WrongOutcome`].
    pub fn is_wrong_outcome(&self) -> bool {
        *self == FailsAs::WrongOutcome
    }
}

impl std::fmt::Display for FailsAs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An expected-failures file as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailuresFile {
    /// Relative path of the JSON Schema.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The implementation name the list is for (as in its `info().name`).
    pub implementation: String,
    /// The known failures.
    pub expected_failures: Vec<ExpectedFailure>,
}

/// The loaded list, indexed by case id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedFailures {
    /// The implementation name the list is for.
    pub implementation: String,
    /// The file it came from, if any.
    pub file: Option<PathBuf>,
    by_case: BTreeMap<String, ExpectedFailure>,
}

/// An expected-failures file that cannot be used: which file, where in it, what is wrong.
pub type ExpectedFailuresError = JsonFileError;

impl ExpectedFailures {
    /// An empty list for `implementation`.
    pub fn none(implementation: impl Into<String>) -> Self {
        Self {
            implementation: implementation.into(),
            file: None,
            by_case: BTreeMap::new(),
        }
    }

    /// Reads and checks a file; `file` names it in errors.
    pub fn load(file: &Path) -> Result<Self, ExpectedFailuresError> {
        Self::parse(&read_text(file)?, file)
    }

    /// Parses the text of a file; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Self, ExpectedFailuresError> {
        let err = |path: String, message: String| JsonFileError::new(file, path, message);
        let parsed: ExpectedFailuresFile = deserialize_file(text, file)?;
        let mut by_case = BTreeMap::new();
        for (i, f) in parsed.expected_failures.into_iter().enumerate() {
            let at = |member: &str| format!("/expected_failures/{i}/{member}");
            if f.case.split('/').count() != 3 || f.case.split('/').any(str::is_empty) {
                return Err(err(
                    at("case"),
                    format!("`{}` is not a case id `<category>/<group>/<name>`", f.case),
                ));
            }
            if f.reason.trim().is_empty() {
                return Err(err(at("reason"), "the reason must not be empty".into()));
            }
            let link = (f.upstream.starts_with("https://") || f.upstream.starts_with("http://"))
                && f.upstream.len() > "https://".len();
            if !link && f.upstream != NOT_YET_REPORTED {
                return Err(err(
                    at("upstream"),
                    format!(
                        "`{}` is neither an http(s) link nor `{NOT_YET_REPORTED}`",
                        f.upstream
                    ),
                ));
            }
            if by_case.contains_key(&f.case) {
                return Err(err(
                    at("case"),
                    format!("case `{}` is listed twice", f.case),
                ));
            }
            by_case.insert(f.case.clone(), f);
        }
        Ok(Self {
            implementation: parsed.implementation,
            file: Some(file.to_owned()),
            by_case,
        })
    }

    /// The entry for a case id, if listed.
    pub fn get(&self, case: &str) -> Option<&ExpectedFailure> {
        self.by_case.get(case)
    }

    /// Every entry, sorted by case id.
    pub fn iter(&self) -> impl Iterator<Item = &ExpectedFailure> {
        self.by_case.values()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_case.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.by_case.is_empty()
    }

    /// Listed case ids that are not in `known` (stale entries: the case was renamed or removed).
    pub fn unknown_cases<'a>(&'a self, known: &std::collections::BTreeSet<&str>) -> Vec<&'a str> {
        self.by_case
            .keys()
            .map(String::as_str)
            .filter(|c| !known.contains(c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ExpectedFailures, ExpectedFailuresError> {
        ExpectedFailures::parse(text, Path::new("expected-failures/x.json"))
    }

    #[test]
    fn a_good_file_loads() {
        let l = parse(
            r#"{"implementation": "x", "expected_failures": [
                {"case": "a/b/c", "reason": "because", "upstream": "https://example.org/1"}]}"#,
        )
        .unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l.get("a/b/c").unwrap().reason, "because");
        assert_eq!(l.get("a/b/c").unwrap().fails_as, FailsAs::WrongOutcome);
        assert!(l.get("a/b/d").is_none());
    }

    #[test]
    fn fails_as_is_read_and_checked() {
        let l = parse(
            r#"{"implementation": "x", "expected_failures": [
                {"case": "a/b/c", "reason": "r", "upstream": "not yet reported", "fails_as": "errored"},
                {"case": "a/b/d", "reason": "r", "upstream": "not yet reported", "fails_as": "timeout"},
                {"case": "a/b/e", "reason": "r", "upstream": "not yet reported", "fails_as": "wrong-outcome"}]}"#,
        )
        .unwrap();
        assert_eq!(l.get("a/b/c").unwrap().fails_as, FailsAs::Errored);
        assert_eq!(l.get("a/b/d").unwrap().fails_as, FailsAs::Timeout);
        assert_eq!(l.get("a/b/e").unwrap().fails_as, FailsAs::WrongOutcome);
        let e = parse(
            r#"{"implementation": "x", "expected_failures": [
                {"case": "a/b/c", "reason": "r", "upstream": "not yet reported", "fails_as": "crash"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "/expected_failures/0/fails_as");
    }

    #[test]
    fn errors_name_file_and_path() {
        let e = parse(
            r#"{"implementation": "x", "expected_failures": [{"case": "a/b/c", "reason": "r"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "/expected_failures/0");
        assert!(e.message.contains("upstream"), "{e}");
        assert!(
            e.to_string()
                .starts_with("expected-failures/x.json: at /expected_failures/0")
        );

        let e = parse(
            r#"{"implementation": "x", "expected_failures": [
                {"case": "a/b/c", "reason": "r", "upstream": "https://e/1"},
                {"case": "a/b/c", "reason": "r", "upstream": "https://e/2"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "/expected_failures/1/case");

        let e = parse(r#"{"implementation": "x", "expected_failures": [{"case": "abc", "reason": "r", "upstream": "https://e"}]}"#)
            .unwrap_err();
        assert_eq!(e.path, "/expected_failures/0/case");

        let e = parse(r#"{"implementation": "x", "expected_failures": [{"case": "a/b/c", "reason": " ", "upstream": "https://e"}]}"#)
            .unwrap_err();
        assert_eq!(e.path, "/expected_failures/0/reason");

        let e = parse(r#"{"implementation": "x", "expected_failures": [{"case": "a/b/c", "reason": "r", "upstream": "e"}]}"#)
            .unwrap_err();
        assert_eq!(e.path, "/expected_failures/0/upstream");

        let e = parse(r#"{"implementation": 3, "expected_failures": []}"#).unwrap_err();
        assert_eq!(e.path, "/implementation");

        let e = parse("{").unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{e}");
    }
}
