//! Summaries of a run: per category, per rule and per tier (required / recommended / suite),
//! passed / failed / skipped.

use std::collections::BTreeMap;

use crate::profile::Profile;
use crate::runner::{CaseReport, Status};
use msc4268_corpus::rules::Tier;

/// Counts of one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Passed.
    pub passed: usize,
    /// Failed or errored.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
    /// Failed as listed in the expected failures (not counted in `failed`).
    pub expected_failures: usize,
}

impl Counts {
    /// Cases that ran (passed, failed, errored or expected failures): all but the skipped.
    pub fn ran(&self) -> usize {
        self.passed + self.failed + self.expected_failures
    }

    /// Counts one status: `failed` counts everything that fails the run (failed, errored,
    /// unexpected pass, expected-failure mismatch).
    pub fn add(&mut self, s: &Status) {
        match s {
            Status::Passed => self.passed += 1,
            Status::Failed { .. }
            | Status::Errored { .. }
            | Status::UnexpectedPass { .. }
            | Status::ExpectedFailureMismatch { .. } => self.failed += 1,
            Status::Skipped { .. } => self.skipped += 1,
            Status::ExpectedFailure { .. } => self.expected_failures += 1,
        }
    }

    /// Adds another row.
    pub fn merge(&mut self, o: Counts) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
        self.expected_failures += o.expected_failures;
    }

    /// Number of cases counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped + self.expected_failures
    }
}

/// Counts over all reports.
pub fn totals(reports: &[CaseReport]) -> Counts {
    let mut c = Counts::default();
    for r in reports {
        c.add(&r.status);
    }
    c
}

/// Counts per category.
pub fn by_category(reports: &[CaseReport]) -> BTreeMap<String, Counts> {
    let mut m = BTreeMap::<String, Counts>::new();
    for r in reports {
        m.entry(r.category.as_str().to_owned())
            .or_default()
            .add(&r.status);
    }
    m
}

/// Counts per rule id (a case counts once for each rule it names).
pub fn by_rule(reports: &[CaseReport]) -> BTreeMap<String, Counts> {
    let mut m = BTreeMap::<String, Counts>::new();
    for r in reports {
        for rule in &r.rules {
            m.entry(rule.clone()).or_default().add(&r.status);
        }
    }
    m
}

/// Counts per tier, every tier present (required, recommended, suite; strongest first). `failed`
/// counts every failure of the tier, whether or not a profile counts it.
pub fn by_tier(reports: &[CaseReport]) -> BTreeMap<Tier, Counts> {
    let mut m: BTreeMap<Tier, Counts> = Tier::ALL.map(|t| (t, Counts::default())).into();
    for r in reports {
        m.entry(r.tier()).or_default().add(&r.status);
    }
    m
}

/// Counts per rule id and tier: the cases naming the rule, split by their tier (a rule's cases
/// are mostly of its own level, but a case whose deciding rule is another one counts in that
/// rule's tier).
pub fn by_rule_and_tier(reports: &[CaseReport]) -> BTreeMap<String, BTreeMap<Tier, Counts>> {
    let mut m = BTreeMap::<String, BTreeMap<Tier, Counts>>::new();
    for r in reports {
        for rule in &r.rules {
            m.entry(rule.clone())
                .or_default()
                .entry(r.tier())
                .or_default()
                .add(&r.status);
        }
    }
    m
}

/// The per-tier table of a run: one row per tier (required, recommended, suite) with its
/// counts, and whether `profile` fails the run on that tier's failures.
pub fn tier_table(reports: &[CaseReport], profile: Profile) -> String {
    let mut out = format!(
        "{:<26}  {:>6}  {:>6}  {:>7}  {:>5}  profile {profile}\n",
        "level", "passed", "failed", "skipped", "xfail"
    );
    out.push_str(&format!("{}\n", "-".repeat(26 + 32 + 20)));
    for (tier, c) in by_tier(reports).into_iter().rev() {
        let label = tier.heading();
        let verdict = match (c.failed > 0, profile.counts(tier)) {
            (false, _) => "ok",
            (true, true) => "FAILS the run",
            (true, false) => "failures not counted",
        };
        out.push_str(&format!(
            "{label:<26}  {:>6}  {:>6}  {:>7}  {:>5}  {verdict}\n",
            c.passed, c.failed, c.skipped, c.expected_failures
        ));
    }
    out
}

/// Sort key for rule ids: prefix, then number (`R2` before `R10`).
pub fn rule_sort_key(id: &str) -> (String, u32, String) {
    let prefix: String = id.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let digits: String = id[prefix.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (prefix.clone(), digits.parse().unwrap_or(0), id.to_owned())
}

/// A plain-text table with a header, one row per key, and a total row.
pub fn table(title: &str, rows: &BTreeMap<String, Counts>, sort_rules: bool) -> String {
    let mut keys: Vec<&String> = rows.keys().collect();
    if sort_rules {
        keys.sort_by_key(|k| rule_sort_key(k));
    }
    let width = keys
        .iter()
        .map(|k| k.len())
        .max()
        .unwrap_or(0)
        .max(title.len())
        .max(5);
    let mut out = format!(
        "{title:<width$}  {:>6}  {:>6}  {:>7}  {:>5}\n",
        "passed", "failed", "skipped", "xfail"
    );
    out.push_str(&format!("{}\n", "-".repeat(width + 32)));
    let mut total = Counts::default();
    for k in keys {
        let c = rows[k];
        total.merge(c);
        out.push_str(&format!(
            "{k:<width$}  {:>6}  {:>6}  {:>7}  {:>5}\n",
            c.passed, c.failed, c.skipped, c.expected_failures
        ));
    }
    out.push_str(&format!("{}\n", "-".repeat(width + 32)));
    out.push_str(&format!(
        "{:<width$}  {:>6}  {:>6}  {:>7}  {:>5}\n",
        "total", total.passed, total.failed, total.skipped, total.expected_failures
    ));
    out
}
