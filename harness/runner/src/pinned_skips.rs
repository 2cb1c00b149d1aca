//! Pinned skips: the exact set of cases an implementation skips, each with its reason, in a
//! committed file, so that a new skip cannot go unnoticed.
//!
//! A skipped case is never a pass, but a run that skips one more case than yesterday still looks
//! green. A corpus test that pins its skips compares the skips of its run with the file and
//! fails on any difference: a case skipped that the file does not list, a listed case that now
//! runs, or a reason that changed. The file is written (after a change that is meant, to be
//! reviewed and committed) by running the same test with `MSC4268_BLESS_SKIPS=1`.
//!
//! ```json
//! {
//!   "implementation": "matrix-sdk-crypto",
//!   "skipped": [
//!     {"case": "file-encryption/fresh/round-trip", "reason": "this implementation does not offer file encryption"}
//!   ]
//! }
//! ```
//!
//! Entries are sorted by case id; a case appears once.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use msc4268_corpus::json_path::{JsonFileError, deserialize_file, pointer, read_text};
use serde::{Deserialize, Serialize};

use crate::runner::{CaseReport, Status};

/// The environment variable that makes [`check_or_bless`] write the file instead of comparing.
pub const BLESS_ENV: &str = "MSC4268_BLESS_SKIPS";

/// One skipped case and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedSkip {
    /// The case id.
    pub case: String,
    /// The skip reason, as the run reports it.
    pub reason: String,
}

/// A pinned-skips file as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedSkipsFile {
    /// The implementation whose skips these are.
    pub implementation: String,
    /// The skipped cases, sorted by case id.
    pub skipped: Vec<PinnedSkip>,
}

/// The skips of one implementation, by case id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinnedSkips {
    /// The implementation whose skips these are.
    pub implementation: String,
    by_case: BTreeMap<String, String>,
}

/// One way the skips of a run differ from the pinned ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipDifference {
    /// The run skipped a case the file does not list.
    NewSkip {
        /// The case id.
        case: String,
        /// Why the run skipped it.
        reason: String,
    },
    /// The file lists a case the run did not skip.
    NoLongerSkipped {
        /// The case id.
        case: String,
        /// The reason the file gives.
        pinned: String,
        /// What the run reported instead (its status label).
        now: String,
    },
    /// The run skipped a listed case for another reason.
    ReasonChanged {
        /// The case id.
        case: String,
        /// The reason the file gives.
        pinned: String,
        /// The reason the run gave.
        now: String,
    },
}

impl fmt::Display for SkipDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipDifference::NewSkip { case, reason } => {
                write!(f, "{case}: skipped, but not pinned (reason: {reason})")
            }
            SkipDifference::NoLongerSkipped { case, pinned, now } => write!(
                f,
                "{case}: pinned as skipped ({pinned}), but the run reports it {now}"
            ),
            SkipDifference::ReasonChanged { case, pinned, now } => write!(
                f,
                "{case}: skipped for another reason: pinned `{pinned}`, now `{now}`"
            ),
        }
    }
}

/// Why the skips of a run do not match the pinned ones.
#[derive(Debug, thiserror::Error)]
pub enum PinnedSkipsError {
    /// The file cannot be read or is not a valid pinned-skips file.
    #[error("{0}\n(write it from a run with MSC4268_BLESS_SKIPS=1, then review and commit it)")]
    File(#[from] JsonFileError),
    /// The file is for another implementation.
    #[error("{file}: at /implementation: the pinned skips are for `{pinned}`, not for `{actual}`", file = .file.display())]
    OtherImplementation {
        /// The file.
        file: PathBuf,
        /// The implementation the file names.
        pinned: String,
        /// The implementation that ran.
        actual: String,
    },
    /// The skips differ.
    #[error(
        "{count} difference(s) between the skips of this run and {file}:\n{list}\n\
         A new skip hides a case that is no longer checked. If every difference is intended, \
         rewrite the file with MSC4268_BLESS_SKIPS=1, review it and commit it.",
        count = .differences.len(),
        file = .file.display(),
        list = .differences.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n")
    )]
    Differ {
        /// The file.
        file: PathBuf,
        /// Every difference, by case id.
        differences: Vec<SkipDifference>,
    },
    /// The file could not be written.
    #[error("cannot write {file}: {source}", file = .file.display())]
    Write {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What [`check_or_bless`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    /// The skips of the run are exactly the pinned ones.
    Matched {
        /// How many cases are skipped.
        skipped: usize,
    },
    /// The file was (re)written from the run.
    Blessed {
        /// How many cases are skipped.
        skipped: usize,
    },
}

impl PinnedSkips {
    /// The skips of a run of `implementation`.
    pub fn from_reports(implementation: impl Into<String>, reports: &[CaseReport]) -> Self {
        let by_case = reports
            .iter()
            .filter_map(|r| match &r.status {
                Status::Skipped { reason } => Some((r.id.clone(), reason.clone())),
                _ => None,
            })
            .collect();
        PinnedSkips {
            implementation: implementation.into(),
            by_case,
        }
    }

    /// Reads and checks a file; errors name the file and the JSON path.
    pub fn load(file: &Path) -> Result<Self, JsonFileError> {
        Self::parse(&read_text(file)?, file)
    }

    /// Parses the text of a file; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Self, JsonFileError> {
        let parsed: PinnedSkipsFile = deserialize_file(text, file)?;
        let mut by_case = BTreeMap::new();
        let mut previous: Option<&str> = None;
        for (i, entry) in parsed.skipped.iter().enumerate() {
            let at = |member: &str| pointer(&pointer("/skipped", i), member);
            if entry.reason.trim().is_empty() {
                return Err(JsonFileError::new(
                    file,
                    at("reason"),
                    "the reason must not be empty",
                ));
            }
            if previous.is_some_and(|p| p >= entry.case.as_str()) {
                return Err(JsonFileError::new(
                    file,
                    at("case"),
                    format!(
                        "`{}` is out of order or listed twice: entries are sorted by case id, \
                         each case once",
                        entry.case
                    ),
                ));
            }
            previous = Some(&entry.case);
            by_case.insert(entry.case.clone(), entry.reason.clone());
        }
        Ok(PinnedSkips {
            implementation: parsed.implementation,
            by_case,
        })
    }

    /// How many cases are skipped.
    pub fn len(&self) -> usize {
        self.by_case.len()
    }

    /// Whether no case is skipped.
    pub fn is_empty(&self) -> bool {
        self.by_case.is_empty()
    }

    /// The reason `case` is skipped, if it is.
    pub fn reason(&self, case: &str) -> Option<&str> {
        self.by_case.get(case).map(String::as_str)
    }

    /// The file's JSON text: sorted by case id, one entry per line, a final newline.
    pub fn to_json(&self) -> String {
        let file = PinnedSkipsFile {
            implementation: self.implementation.clone(),
            skipped: self
                .by_case
                .iter()
                .map(|(case, reason)| PinnedSkip {
                    case: case.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        };
        // Serialising strings and a Vec of plain structs cannot fail.
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// How the skips of a run (`reports`) differ from these, by case id.
    pub fn differences(&self, reports: &[CaseReport]) -> Vec<SkipDifference> {
        let mut out = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for r in reports {
            seen.insert(r.id.as_str());
            match (&r.status, self.by_case.get(&r.id)) {
                (Status::Skipped { reason }, None) => out.push(SkipDifference::NewSkip {
                    case: r.id.clone(),
                    reason: reason.clone(),
                }),
                (Status::Skipped { reason }, Some(pinned)) if reason != pinned => {
                    out.push(SkipDifference::ReasonChanged {
                        case: r.id.clone(),
                        pinned: pinned.clone(),
                        now: reason.clone(),
                    })
                }
                (Status::Skipped { .. }, Some(_)) => {}
                (status, Some(pinned)) => out.push(SkipDifference::NoLongerSkipped {
                    case: r.id.clone(),
                    pinned: pinned.clone(),
                    now: status.label().to_owned(),
                }),
                (_, None) => {}
            }
        }
        for (case, pinned) in &self.by_case {
            if !seen.contains(case.as_str()) {
                out.push(SkipDifference::NoLongerSkipped {
                    case: case.clone(),
                    pinned: pinned.clone(),
                    now: "not at all (no such case in this run)".into(),
                });
            }
        }
        out.sort_by(|a, b| case_of(a).cmp(case_of(b)));
        out
    }
}

fn case_of(d: &SkipDifference) -> &str {
    match d {
        SkipDifference::NewSkip { case, .. }
        | SkipDifference::NoLongerSkipped { case, .. }
        | SkipDifference::ReasonChanged { case, .. } => case,
    }
}

/// Compares the skips of a run of `implementation` with the pinned ones in `file`; fails on any
/// difference, on a missing or invalid file and on a file for another implementation.
pub fn check(
    file: &Path,
    implementation: &str,
    reports: &[CaseReport],
) -> Result<PinOutcome, PinnedSkipsError> {
    let pinned = PinnedSkips::load(file)?;
    if pinned.implementation != implementation {
        return Err(PinnedSkipsError::OtherImplementation {
            file: file.to_owned(),
            pinned: pinned.implementation,
            actual: implementation.to_owned(),
        });
    }
    let differences = pinned.differences(reports);
    if differences.is_empty() {
        Ok(PinOutcome::Matched {
            skipped: pinned.len(),
        })
    } else {
        Err(PinnedSkipsError::Differ {
            file: file.to_owned(),
            differences,
        })
    }
}

/// Writes the skips of a run of `implementation` to `file`.
pub fn bless(
    file: &Path,
    implementation: &str,
    reports: &[CaseReport],
) -> Result<PinOutcome, PinnedSkipsError> {
    let skips = PinnedSkips::from_reports(implementation, reports);
    std::fs::write(file, skips.to_json()).map_err(|source| PinnedSkipsError::Write {
        file: file.to_owned(),
        source,
    })?;
    Ok(PinOutcome::Blessed {
        skipped: skips.len(),
    })
}

/// [`bless`] when `MSC4268_BLESS_SKIPS=1` is set, [`check`] otherwise: what a corpus test that
/// pins its skips calls.
pub fn check_or_bless(
    file: &Path,
    implementation: &str,
    reports: &[CaseReport],
) -> Result<PinOutcome, PinnedSkipsError> {
    if std::env::var_os(BLESS_ENV).is_some_and(|v| v == "1") {
        bless(file, implementation, reports)
    } else {
        check(file, implementation, reports)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

    use super::*;
    use crate::runner::run_corpus;
    use msc4268_model::reference::Reference;
    use msc4268_protocol::cases::{DecryptOutcome, FileDecryptionInput};
    use msc4268_protocol::implementation::{Implementation, ImplementationInfo, OpResult};

    /// An implementation that only decrypts files (by the reference), so every other case is
    /// skipped; `parses` also lets it parse bundles.
    struct Partial {
        parses: bool,
    }

    impl Implementation for Partial {
        fn info(&self) -> ImplementationInfo {
            ImplementationInfo {
                name: "partial".into(),
                ..Reference.info()
            }
        }
        fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
            Reference.decrypt_file(input)
        }
        fn parse_bundle(
            &self,
            input: &msc4268_protocol::cases::BundleParsingInput,
        ) -> OpResult<msc4268_protocol::cases::BundleParseOutcome> {
            if self.parses {
                Reference.parse_bundle(input)
            } else {
                Err(msc4268_protocol::implementation::OpError::Unsupported(
                    "no bundle parsing here".into(),
                ))
            }
        }
    }

    fn reports(parses: bool) -> Vec<CaseReport> {
        let cases = msc4268_corpus::embedded::cases().unwrap();
        run_corpus(&Partial { parses }, &cases, None, |_| {}, |_| {})
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("msc4268-pinned-skips-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn a_blessed_file_matches_the_same_run_and_reads_back() {
        let run = reports(false);
        let file = temp("same.json");
        let PinOutcome::Blessed { skipped } = bless(&file, "partial", &run).unwrap() else {
            panic!("not blessed")
        };
        let expected = run
            .iter()
            .filter(|r| matches!(r.status, Status::Skipped { .. }))
            .count();
        assert_eq!(skipped, expected);
        assert!(skipped > 100, "the partial implementation skips most cases");
        assert_eq!(
            check(&file, "partial", &run).unwrap(),
            PinOutcome::Matched { skipped }
        );
        let text = std::fs::read_to_string(&file).unwrap();
        let back = PinnedSkips::parse(&text, &file).unwrap();
        assert_eq!(back, PinnedSkips::from_reports("partial", &run));
        assert_eq!(back.to_json(), text, "writing is stable");
    }

    #[test]
    fn a_new_skip_fails_until_it_is_pinned() {
        // Pinned while bundle parsing ran; now it is skipped.
        let file = temp("new-skip.json");
        bless(&file, "partial", &reports(true)).unwrap();
        let now = reports(false);
        let err = check(&file, "partial", &now).unwrap_err();
        let PinnedSkipsError::Differ { differences, .. } = &err else {
            panic!("{err}")
        };
        assert!(
            differences
                .iter()
                .all(|d| matches!(d, SkipDifference::NewSkip { case, reason }
                    if case.starts_with("bundle-parsing/") && reason.contains("no bundle parsing here"))),
            "{err}"
        );
        assert!(!differences.is_empty());
        let msg = err.to_string();
        assert!(msg.contains("skipped, but not pinned"), "{msg}");
        assert!(msg.contains(BLESS_ENV), "{msg}");
        // Pinned again, it matches.
        bless(&file, "partial", &now).unwrap();
        assert!(check(&file, "partial", &now).is_ok());
    }

    #[test]
    fn a_pinned_case_that_now_runs_or_skips_for_another_reason_fails() {
        let file = temp("runs.json");
        bless(&file, "partial", &reports(false)).unwrap();
        let err = check(&file, "partial", &reports(true)).unwrap_err();
        assert!(
            err.to_string()
                .contains("pinned as skipped (no bundle parsing here), but the run reports it"),
            "{err}"
        );

        let mut changed = reports(false);
        let first = changed
            .iter_mut()
            .find(|r| matches!(r.status, Status::Skipped { .. }))
            .unwrap();
        first.status = Status::Skipped {
            reason: "another reason".into(),
        };
        let id = first.id.clone();
        let err = check(&file, "partial", &changed).unwrap_err();
        let PinnedSkipsError::Differ { differences, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(differences.len(), 1, "{err}");
        assert!(
            matches!(&differences[0], SkipDifference::ReasonChanged { case, now, .. } if *case == id && now == "another reason"),
            "{err}"
        );

        // A pinned case missing from the run altogether is a difference too.
        let mut fewer = reports(false);
        fewer.retain(|r| r.id != id);
        let err = check(&file, "partial", &fewer).unwrap_err();
        assert!(
            err.to_string().contains("no such case in this run"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_or_broken_file_names_the_file_the_path_and_the_bless_variable() {
        let run = reports(false);
        let missing = temp("missing.json");
        let _ = std::fs::remove_file(&missing);
        let msg = check(&missing, "partial", &run).unwrap_err().to_string();
        assert!(msg.contains("missing.json"), "{msg}");
        assert!(msg.contains("MSC4268_BLESS_SKIPS=1"), "{msg}");

        let broken = temp("broken.json");
        let bad = [
            (
                r#"{"implementation":"partial","skipped":[{"case":"a/b/c","reason":" "}]}"#,
                "/skipped/0/reason",
            ),
            (
                r#"{"implementation":"partial","skipped":[{"case":"a/b/d","reason":"r"},{"case":"a/b/c","reason":"r"}]}"#,
                "/skipped/1/case",
            ),
            (
                r#"{"implementation":"partial","skipped":[{"case":"a/b/c","reason":"r"},{"case":"a/b/c","reason":"r"}]}"#,
                "/skipped/1/case",
            ),
            (
                r#"{"implementation":"partial","skipped":[{"case":"a/b/c","why":"r"}]}"#,
                "/skipped/0",
            ),
        ];
        for (text, path) in bad {
            std::fs::write(&broken, text).unwrap();
            let msg = check(&broken, "partial", &run).unwrap_err().to_string();
            assert!(msg.contains("broken.json"), "{msg}");
            assert!(msg.contains(&format!("at {path}")), "{path}: {msg}");
        }

        let other = temp("other.json");
        bless(&other, "someone-else", &run).unwrap();
        let msg = check(&other, "partial", &run).unwrap_err().to_string();
        assert!(
            msg.contains("at /implementation") && msg.contains("someone-else"),
            "{msg}"
        );
    }
}
