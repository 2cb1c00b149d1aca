//! `msc4268 rules <ID>`: everything the suite knows about one rule, in one place.
//!
//! The rule from the catalogue (level, source, statement, where observable, the decisions that
//! bear on it, and its quotes when the catalogue has them), the corpus cases that exercise it
//! grouped by category, the places in the reference model that name it (indexed at compile time by
//! `build.rs`, so an installed binary has them too), and the scenarios that check it (from the
//! scenario registry, `scenarios/scenarios.json`).

use std::path::Path;

use msc4268_corpus::fixture::{self, Case, FixtureError, Verdict};
use msc4268_corpus::json_path::read_text;
use msc4268_corpus::rules::{self, Catalogue, Decision, Observable, Rule};
use msc4268_corpus::scenario_registry::{RegisteredScenario, Registry, RegistryError};
use msc4268_protocol::cases::Category;

/// The scenario registry of this checkout, used when `--scenarios` is not given.
pub const DEFAULT_SCENARIOS: &str = concat!(env!("MSC4268_REPO_ROOT"), "/scenarios/scenarios.json");

/// A place in the reference model's sources that names a rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRef {
    /// The rule id.
    pub rule: &'static str,
    /// The file, relative to the repository root.
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
    /// The function around it, if any.
    pub function: Option<&'static str>,
}

/// Every place in `harness/model/src` (outside test code) that names a rule id, in file and line
/// order, as `build.rs` found them when this binary was built.
pub const CODE_REFS: &[CodeRef] = include!(concat!(env!("OUT_DIR"), "/code_refs.rs"));

/// Why `rules <ID>` cannot answer.
#[derive(Debug, thiserror::Error)]
pub enum RuleInfoError {
    /// The shipped catalogue does not parse.
    #[error("fixtures/rules.json: {0}")]
    Catalogue(#[from] serde_json::Error),
    /// No rule has this id.
    #[error(
        "no rule `{id}` in the catalogue (fixtures/rules.json); {}; `msc4268 rules` lists them all",
        nearest(.near)
    )]
    UnknownRule {
        /// The id asked for.
        id: String,
        /// Catalogue ids spelled closest to it.
        near: Vec<String>,
    },
    /// The corpus does not load.
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
}

fn nearest(near: &[String]) -> String {
    if near.is_empty() {
        "no id is close".to_owned()
    } else {
        format!("nearest: {}", near.join(", "))
    }
}

/// Reads the scenario registry at `path`; `None` if there is no such file.
pub fn load_registry(path: &Path) -> Result<Option<Registry>, RegistryError> {
    if !path.exists() {
        return Ok(None);
    }
    Registry::parse(&read_text(path)?, path).map(Some)
}

/// Where `rules <ID>` reads cases and scenarios from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// A fixtures directory, or `None` for the corpus embedded in this binary.
    pub fixtures: Option<&'a Path>,
    /// The scenario registry file.
    pub scenarios: &'a Path,
}

/// Everything about rule `id` (any case), as lines of text.
pub fn describe(id: &str, sources: Sources<'_>) -> Result<Vec<String>, RuleInfoError> {
    let catalogue = rules::catalogue()?;
    let rule = find_rule(&catalogue, id)?;
    let cases = match sources.fixtures {
        Some(dir) => fixture::load_dir(dir)?,
        None => msc4268_corpus::embedded::cases()?,
    };
    let mut lines = rule_lines(rule);
    lines.extend(decision_lines(rule, &catalogue.decisions));
    lines.extend(quote_lines(rule));
    lines.push(String::new());
    lines.extend(case_lines(&rule.id, &cases, sources.fixtures));
    lines.push(String::new());
    lines.extend(code_lines(&rule.id, CODE_REFS));
    lines.push(String::new());
    lines.extend(scenario_lines(&rule.id, sources.scenarios));
    Ok(lines)
}

/// The rule with this id (ASCII case ignored), or an error naming the nearest ids.
pub fn find_rule<'c>(catalogue: &'c Catalogue, id: &str) -> Result<&'c Rule, RuleInfoError> {
    if let Some(rule) = catalogue
        .rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(id))
    {
        return Ok(rule);
    }
    Err(RuleInfoError::UnknownRule {
        id: id.to_owned(),
        near: near_ids(catalogue, id),
    })
}

/// Up to five catalogue ids at edit distance at most 2 from `id`, closest first (ties: the
/// same family and the nearest number first).
fn near_ids(catalogue: &Catalogue, id: &str) -> Vec<String> {
    let wanted = id.to_ascii_uppercase();
    let mut scored: Vec<((usize, u64), &str)> = catalogue
        .rules
        .iter()
        .map(|r| {
            let distance = edit_distance(&wanted, &r.id);
            ((distance, number_gap(&wanted, &r.id)), r.id.as_str())
        })
        .filter(|((distance, _), _)| *distance <= 2)
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(5)
        .map(|(_, id)| id.to_owned())
        .collect()
}

/// How far apart the numbers of two ids of one family are (`u64::MAX` across families).
fn number_gap(a: &str, b: &str) -> u64 {
    let split = |s: &str| {
        let digits = s.find(|c: char| c.is_ascii_digit())?;
        let (family, n) = s.split_at(digits);
        Some((family.to_owned(), n.parse::<u64>().ok()?))
    };
    match (split(a), split(b)) {
        (Some((fa, na)), Some((fb, nb))) if fa == fb => na.abs_diff(nb),
        _ => u64::MAX,
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

fn level_name(rule: &Rule) -> String {
    format!("{:?}", rule.level).to_uppercase()
}

fn rule_lines(rule: &Rule) -> Vec<String> {
    let mut lines = vec![
        format!("{} ({})", rule.id, level_name(rule)),
        format!("source:      {}", rule.source),
        format!("statement:   {}", rule.statement),
    ];
    for (i, o) in rule.observable.iter().enumerate() {
        let label = if i == 0 { "observable:" } else { "" };
        let what = match o {
            Observable::Fixture { category } => format!("fixture cases, {}", category.as_str()),
            Observable::Scenario { note } => format!("scenario: {note}"),
            Observable::Ui { note } => format!("user interface: {note}"),
        };
        lines.push(format!("{label:<12} {what}"));
    }
    lines
}

/// Whether `text` names `id` as a whole word (`R3` is not in `R33`).
fn mentions(text: &str, id: &str) -> bool {
    text.match_indices(id).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + id.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The decisions the rule cites, and those whose text names the rule.
fn decision_lines(rule: &Rule, decisions: &[Decision]) -> Vec<String> {
    let relevant: Vec<&Decision> = decisions
        .iter()
        .filter(|d| {
            rule.discrepancies.contains(&d.id)
                || [&d.issue, &d.decision, &d.rationale]
                    .into_iter()
                    .any(|t| mentions(t, &rule.id))
        })
        .collect();
    if relevant.is_empty() {
        return vec!["decisions:   none".to_owned()];
    }
    let mut lines = vec!["decisions:".to_owned()];
    for d in relevant {
        lines.push(format!("  {}: {}", d.id, d.issue));
        lines.push(format!(
            "  {:w$}  the suite: {}",
            "",
            d.decision,
            w = d.id.len()
        ));
    }
    lines
}

/// The rule's quotes, or for a rule the suite chooses on its own (level `suite`), its rationale.
fn quote_lines(rule: &Rule) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(rationale) = &rule.rationale {
        lines.push(format!("rationale:   {rationale}"));
    }
    if rule.quotes.is_empty() {
        lines.push("quotes:      none (no normative sentence; see the rationale)".to_owned());
        return lines;
    }
    lines.push("quotes:".to_owned());
    for q in &rule.quotes {
        lines.push(format!("  fixtures/spec/{} › {}", q.source, q.anchor));
        lines.push(format!("    \"{}\"", q.text.trim()));
    }
    lines
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Valid => "valid",
        Verdict::Invalid => "invalid",
        Verdict::Acceptable => "acceptable",
    }
}

/// The cases that exercise the rule, grouped by category, with their result and file.
fn case_lines(id: &str, cases: &[Case], fixtures: Option<&Path>) -> Vec<String> {
    let from = fixtures.map_or_else(
        || "the corpus embedded in this binary".to_owned(),
        |d| d.display().to_string(),
    );
    let mine: Vec<&Case> = cases
        .iter()
        .filter(|c| c.def.rules.iter().any(|r| r == id))
        .collect();
    let mut lines = vec![format!("cases: {} (from {from})", mine.len())];
    for category in Category::ALL {
        let group: Vec<&Case> = mine
            .iter()
            .copied()
            .filter(|c| c.category == category)
            .collect();
        if !group.is_empty() {
            lines.extend(category_lines(id, category, &group, fixtures));
        }
    }
    lines
}

fn category_lines(
    id: &str,
    category: Category,
    cases: &[&Case],
    fixtures: Option<&Path>,
) -> Vec<String> {
    let count = |v: Verdict| cases.iter().filter(|c| c.def.result == v).count();
    let mut lines = vec![format!(
        "  {} ({} cases: {} valid, {} invalid, {} acceptable)",
        category.as_str(),
        cases.len(),
        count(Verdict::Valid),
        count(Verdict::Invalid),
        count(Verdict::Acceptable)
    )];
    for c in cases {
        let file = match fixtures {
            Some(dir) => dir.join(&c.file).display().to_string(),
            None => format!("fixtures/{}", c.file),
        };
        lines.push(format!(
            "    {:<10} {:<6} {}  {file}{}",
            verdict_name(c.def.result),
            c.def.level.as_str(),
            c.def.id,
            decided_by(c, id)
        ));
    }
    lines
}

/// A case's level is the level of the rule that decides its verdict, the first of its `rules`;
/// when that is another rule than the one asked about, the line says which.
fn decided_by(case: &Case, id: &str) -> String {
    match case.def.rules.first() {
        Some(first) if first != id => format!("  (level of {first}, its deciding rule)"),
        _ => String::new(),
    }
}

/// The places in the reference model that name the rule.
fn code_lines(id: &str, refs: &[CodeRef]) -> Vec<String> {
    let mine: Vec<&CodeRef> = refs.iter().filter(|r| r.rule == id).collect();
    if mine.is_empty() {
        return vec!["reference code: none in harness/model/src names this rule".to_owned()];
    }
    let mut lines = vec![format!("reference code: {} places", mine.len())];
    for r in mine {
        let place = format!("{}:{}", r.file, r.line);
        match r.function {
            Some(f) => lines.push(format!("  {place:<48} in {f}")),
            None => lines.push(format!("  {place}")),
        }
    }
    lines
}

/// The scenarios of the registry that claim to check the rule.
fn scenario_lines(id: &str, path: &Path) -> Vec<String> {
    let registry = match load_registry(path) {
        Ok(Some(registry)) => registry,
        Ok(None) => {
            return vec![format!(
                "scenarios: no scenario registry found (looked for {})",
                path.display()
            )];
        }
        Err(e) => return vec![format!("scenarios: cannot read the registry: {e}")],
    };
    let mine: Vec<&RegisteredScenario> = registry
        .scenarios
        .iter()
        .filter(|s| s.rules.iter().any(|r| r == id))
        .collect();
    let mut lines = vec![format!(
        "scenarios: {} (from {})",
        mine.len(),
        path.display()
    )];
    for s in mine {
        lines.push(format!("  {}  {}", s.id, s.file));
        if !s.summary.trim().is_empty() {
            lines.push(format!("    {}", s.summary.trim()));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        rules::catalogue().expect("rules.json parses")
    }

    #[test]
    fn ids_are_found_whatever_their_case() {
        let cat = catalogue();
        assert_eq!(find_rule(&cat, "r33").expect("found").id, "R33");
    }

    #[test]
    fn an_unknown_id_names_near_ones() {
        let cat = catalogue();
        let err = find_rule(&cat, "R51").expect_err("no R51");
        let RuleInfoError::UnknownRule { near, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(near.first().map(String::as_str), Some("R50"));
        assert!(err.to_string().contains("nearest: R50"), "{err}");
    }

    #[test]
    fn mentions_whole_ids_only() {
        assert!(mentions("see R33.", "R33"));
        assert!(mentions("R33", "R33"));
        assert!(!mentions("see R330", "R33"));
        assert!(!mentions("see R3", "R33"));
        assert!(!mentions("XR33", "R33"));
    }

    #[test]
    fn quotes_and_rationales_are_printed() {
        let catalogue = rules::catalogue().unwrap();
        let quoted = catalogue
            .rules
            .iter()
            .find(|r| !r.quotes.is_empty())
            .unwrap();
        let lines = quote_lines(quoted);
        assert!(lines.contains(&"quotes:".to_owned()), "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains(quoted.quotes[0].text.trim()))
        );
        let chosen = catalogue
            .rules
            .iter()
            .find(|r| r.quotes.is_empty())
            .unwrap();
        let lines = quote_lines(chosen);
        assert!(lines[0].starts_with("rationale:"), "{lines:?}");
    }

    #[test]
    fn the_code_index_covers_the_model() {
        assert!(
            CODE_REFS
                .iter()
                .any(|r| r.rule == "R33" && r.file == "harness/model/src/policy/import.rs"),
            "{CODE_REFS:?}"
        );
        assert!(CODE_REFS.iter().all(|r| r.line > 0));
    }
}
