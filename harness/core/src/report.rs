//! Summaries of a run: per category and per rule, passed / failed / skipped.

use std::collections::BTreeMap;

use crate::runner::{CaseReport, Status};

/// Counts of one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Passed.
    pub passed: usize,
    /// Failed or errored.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, s: &Status) {
        match s {
            Status::Passed => self.passed += 1,
            Status::Failed { .. } | Status::Errored { .. } => self.failed += 1,
            Status::Skipped { .. } => self.skipped += 1,
        }
    }
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
        "{title:<width$}  {:>6}  {:>6}  {:>7}\n",
        "passed", "failed", "skipped"
    );
    out.push_str(&format!("{}\n", "-".repeat(width + 25)));
    let mut total = Counts::default();
    for k in keys {
        let c = rows[k];
        total.passed += c.passed;
        total.failed += c.failed;
        total.skipped += c.skipped;
        out.push_str(&format!(
            "{k:<width$}  {:>6}  {:>6}  {:>7}\n",
            c.passed, c.failed, c.skipped
        ));
    }
    out.push_str(&format!("{}\n", "-".repeat(width + 25)));
    out.push_str(&format!(
        "{:<width$}  {:>6}  {:>6}  {:>7}\n",
        "total", total.passed, total.failed, total.skipped
    ));
    out
}
