//! The scenario registry, `scenarios/scenarios.json`: every scenario's id (its test name), the
//! file that defines it, what it checks and the rules it observes, as data.
//!
//! The scenario test binary (`msc4268-scenarios`, which embeds the file) runs the registered
//! scenarios and reports them with these fields; `msc4268 rules <ID>` reads the same file to name
//! the scenarios that check a rule. Rule ids are spelled out one by
//! one, never as ranges.

use std::collections::BTreeSet;
use std::path::Path;

use crate::json_path::{JsonFileError, deserialize_file};
use crate::rules::{Catalogue, Observable};
use serde::{Deserialize, Serialize};

/// Where the registry lives, relative to the repository.
pub const REGISTRY_FILE: &str = "scenarios/scenarios.json";
/// The category scenarios are reported under.
pub const CATEGORY: &str = "scenario";

/// The whole registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// Every scenario, in run and report order.
    pub scenarios: Vec<RegisteredScenario>,
}

/// One scenario as the registry describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisteredScenario {
    /// Its test name, `<theme>/<what happens>` (`trust/bundle-from-non-inviter-ignored`); its
    /// case id in reports is `scenario/<id>`.
    pub id: String,
    /// The file that defines it, relative to the repository
    /// (`scenarios/tests/scenarios/trust.rs`).
    pub file: String,
    /// What it checks, in one sentence.
    pub summary: String,
    /// The rules it observes end to end, one id each (`R33`).
    pub rules: Vec<String>,
}

/// A registry that cannot be used: where in `scenarios/scenarios.json`, what is wrong.
pub type RegistryError = JsonFileError;

impl Registry {
    /// Parses the text of a registry and checks its shape: ids unique and of the form
    /// `<theme>/<name>`, a file, a summary and at least one rule each, every rule a single id
    /// (letters, then digits). `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Self, RegistryError> {
        let parsed: Self = deserialize_file(text, file)?;
        let err = |path: String, message: String| JsonFileError::new(file, path, message);
        let mut seen = BTreeSet::new();
        for (i, s) in parsed.scenarios.iter().enumerate() {
            let at = |member: &str| format!("/scenarios/{i}/{member}");
            if s.id.split_once('/').is_none_or(|(theme, name)| {
                theme.is_empty() || name.is_empty() || s.id.contains(char::is_whitespace)
            }) {
                return Err(err(at("id"), format!("`{}` is not `<theme>/<name>`", s.id)));
            }
            if !seen.insert(s.id.as_str()) {
                return Err(err(at("id"), format!("`{}` is listed twice", s.id)));
            }
            for (member, value) in [("file", &s.file), ("summary", &s.summary)] {
                if value.trim().is_empty() {
                    return Err(err(at(member), format!("the {member} must not be empty")));
                }
            }
            if s.rules.is_empty() {
                return Err(err(
                    at("rules"),
                    "a scenario observes at least one rule".into(),
                ));
            }
            for (j, rule) in s.rules.iter().enumerate() {
                if !is_rule_id(rule) {
                    return Err(err(
                        format!("/scenarios/{i}/rules/{j}"),
                        format!("`{rule}` is not one rule id (no ranges, no lists)"),
                    ));
                }
            }
        }
        Ok(parsed)
    }

    /// The scenario with test name `id`.
    pub fn get(&self, id: &str) -> Option<&RegisteredScenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// Every claim the rule catalogue does not support: a rule id it does not have, or a rule it
    /// does not mark observable in a scenario (an `observable` entry of kind `scenario`). Empty
    /// when every claim holds.
    pub fn unsupported_claims(&self, catalogue: &Catalogue) -> Vec<String> {
        let mut problems = Vec::new();
        for s in &self.scenarios {
            for id in &s.rules {
                match catalogue.rules.iter().find(|r| &r.id == id) {
                    None => problems.push(format!("{}: {id} is not in the catalogue", s.id)),
                    Some(rule)
                        if !rule
                            .observable
                            .iter()
                            .any(|o| matches!(o, Observable::Scenario { .. })) =>
                    {
                        problems.push(format!(
                            "{}: the catalogue does not mark {id} observable in a scenario",
                            s.id
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        problems
    }
}

/// Whether `s` is one rule id: capital letters, then digits (`R12`, `A1`).
fn is_rule_id(s: &str) -> bool {
    let digits = s.trim_start_matches(|c: char| c.is_ascii_uppercase());
    digits.len() < s.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}
