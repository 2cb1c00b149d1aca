//! The Markdown summary: short enough for a CI step summary (GitHub caps them at 1 MiB).

use std::collections::BTreeSet;

use super::{CellState, RunSet, status_detail};
use crate::profile::Profile;
use crate::report;
use msc4268_corpus::rules::Tier;
use msc4268_protocol::cases::Category;

/// At most this many failures are listed per implementation.
const MAX_LISTED: usize = 50;

/// The Markdown summary of a run.
pub fn markdown(set: &RunSet) -> String {
    let mut s = String::from("# MSC4268 conformance\n\n");
    s.push_str(&format!(
        "Fixtures: `{}`. Profile: `{}` ({}). Overall: **{}**.\n\n",
        set.fixtures,
        set.profile,
        profile_meaning(set.profile),
        if set.failed() { "failed" } else { "passed" }
    ));
    s.push_str("| implementation | version | language | passed | failed | expected failures | skipped | result |\n");
    s.push_str("|---|---|---|---:|---:|---:|---:|---|\n");
    for run in &set.runs {
        let c = run.summary();
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&run.info.name),
            cell(&run.info.version),
            cell(&run.info.language),
            c.passed,
            c.failed,
            c.expected_failures,
            c.skipped,
            if run.failed(set.profile) {
                "❌ failed"
            } else {
                "✅ passed"
            }
        ));
    }
    s.push_str(
        "\n## Per level (passed / failed / expected failures / skipped)\n\n| implementation |",
    );
    for tier in Tier::ALL {
        s.push_str(&format!(" {} |", tier.heading()));
    }
    s.push_str("\n|---|---|---|---|\n");
    for run in &set.runs {
        s.push_str(&format!("| {} |", cell(&run.info.name)));
        for (tier, c) in run.by_tier().into_iter().rev() {
            s.push_str(&format!(
                " {} {} / {} / {} / {}{} |",
                icon(CellState::of(c)),
                c.passed,
                c.failed,
                c.expected_failures,
                c.skipped,
                if c.failed > 0 && !set.profile.counts(tier) {
                    " (not counted)"
                } else {
                    ""
                }
            ));
        }
        s.push('\n');
    }
    s.push_str("\n## Per category (passed / failed / expected failures / skipped)\n\n| category |");
    for run in &set.runs {
        s.push_str(&format!(" {} |", cell(&run.info.name)));
    }
    s.push_str("\n|---|");
    for _ in &set.runs {
        s.push_str("---|");
    }
    s.push('\n');
    let per_run: Vec<_> = set
        .runs
        .iter()
        .map(|r| report::by_category(&r.cases))
        .collect();
    // Every fixture category, then the categories of external checks that any run has.
    let fixture: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let external: BTreeSet<&str> = per_run
        .iter()
        .flat_map(|rows| rows.keys().map(String::as_str))
        .filter(|name| !fixture.contains(name))
        .collect();
    for cat in fixture.iter().copied().chain(external) {
        s.push_str(&format!("| {cat} |"));
        for rows in &per_run {
            let c = rows.get(cat).copied().unwrap_or_default();
            s.push_str(&format!(
                " {} {} / {} / {} / {} |",
                icon(CellState::of(c)),
                c.passed,
                c.failed,
                c.expected_failures,
                c.skipped
            ));
        }
        s.push('\n');
    }
    for run in &set.runs {
        let failing: Vec<_> = run.cases.iter().filter(|c| c.status.is_failure()).collect();
        let rules: Vec<String> = {
            let mut v: Vec<String> = report::by_rule(&run.cases)
                .into_iter()
                .filter(|(_, c)| c.failed > 0)
                .map(|(k, _)| k)
                .collect();
            v.sort_by_key(|k| report::rule_sort_key(k));
            v
        };
        s.push_str(&format!("\n## {}\n\n", cell(&run.info.name)));
        for n in &run.notes {
            s.push_str(&format!("* {}\n", n.replace('\n', " ")));
        }
        if failing.is_empty() {
            s.push_str("No failures.\n");
            continue;
        }
        s.push_str(&format!(
            "{} failing cases; rules with failures: {}.\n\n",
            failing.len(),
            rules.join(", ")
        ));
        s.push_str("| case | rules | level | status | detail |\n|---|---|---|---|---|\n");
        for c in failing.iter().take(MAX_LISTED) {
            s.push_str(&format!(
                "| `{}` | {} | {} ({}) | {} | {} |\n",
                c.id,
                c.rules.join(", "),
                c.level,
                c.tier(),
                if set.profile.counts(c.tier()) {
                    c.status.label().to_owned()
                } else {
                    format!("{} (not counted)", c.status.label())
                },
                cell(&truncate(&status_detail(&c.status), 300))
            ));
        }
        if failing.len() > MAX_LISTED {
            s.push_str(&format!(
                "\n… and {} more (see `report.json` or `index.html`).\n",
                failing.len() - MAX_LISTED
            ));
        }
    }
    s
}

/// What a profile counts, in words.
pub(crate) fn profile_meaning(profile: Profile) -> &'static str {
    match profile {
        Profile::Required => "only MUST failures fail the run",
        Profile::Recommended => "MUST, SHOULD and MAY failures fail the run",
        Profile::Strict => "every failure fails the run, suite hardening included",
    }
}

fn icon(state: CellState) -> &'static str {
    match state {
        CellState::Fail => "❌",
        CellState::ExpectedFailure => "🟠",
        CellState::Pass => "✅",
        CellState::Partial => "☑️",
        CellState::Skip => "⚪",
        CellState::None => "·",
    }
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_lists_failures_and_counts() {
        let m = markdown(&super::super::tests::sample());
        assert!(
            m.contains("| a | 1 | rust | 2 | 1 | 0 | 0 | ❌ failed |"),
            "{m}"
        );
        assert!(
            m.contains("| b | 1 | rust | 0 | 1 | 1 | 1 | ✅ passed |"),
            "{m}"
        );
        assert!(m.contains("Profile: `required`"), "{m}");
        assert!(
            m.contains(
                "| b | 🟠 0 / 0 / 1 / 1 | ❌ 0 / 1 / 0 / 0 (not counted) | · 0 / 0 / 0 / 0 |"
            ),
            "{m}"
        );
        assert!(
            m.contains(
                "| `bundle-parsing/g/advice` | R13 | SHOULD (recommended) | failed (not counted) |"
            ),
            "{m}"
        );
        assert!(m.contains("`bundle-parsing/g/bad<&>`"));
        assert!(m.contains("rules with failures: B1, R15"), "{m}");
        assert!(m.contains("* a note"));
    }
}
