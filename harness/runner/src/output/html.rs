//! The static HTML page: the conformance matrix (rules × implementations) with coloured cells,
//! three columns side by side per implementation (required: MUST cases, recommended: SHOULD and
//! MAY cases, suite hardening), so a reader sees at a glance which recommendations an
//! implementation follows; each cell links to a section listing the rule's cases for that
//! implementation, with level, status and reason. No script, no external resource: the page works
//! from a CI artifact or a file URL.

use super::markdown::profile_meaning;
use super::{CellState, RunSet, escape, status_detail};
use crate::report::{self, Counts};
use crate::runner::CaseReport;
use msc4268_corpus::rules::Tier;

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1f2328; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
table.matrix td.cell { text-align: center; min-width: 5em; }
table.matrix th.tier { font-weight: normal; font-size: 12px; }
table.matrix .first { border-left: 3px solid #57606a; }
td.uncounted { outline: 2px dashed #57606a; outline-offset: -4px; }
table.matrix td.cell a { color: inherit; text-decoration: none; display: block; }
.fail { background: #cf222e; color: #fff; }
.xfail { background: #fb8c00; color: #fff; }
.pass { background: #2da44e; color: #fff; }
.partial { background: #a6d96a; }
.skip { background: #d0d7de; }
.none { background: #fff; color: #8c959f; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 3px; }
section.detail { margin-top: 1.5em; }
section.detail:target { outline: 3px solid #0969da; outline-offset: 4px; }
td.statement { max-width: 42em; }
code { font-size: 12px; }
"#;

/// The HTML page of a run.
pub fn html(set: &RunSet) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<title>MSC4268 conformance matrix</title>\n<style>");
    h.push_str(STYLE);
    h.push_str("</style>\n</head>\n<body>\n<h1>MSC4268 conformance matrix</h1>\n");
    h.push_str(&format!(
        "<p>Fixtures: <code>{}</code>. Profile: <code>{}</code> ({}). Overall: <strong class=\"{}\">&nbsp;{}&nbsp;</strong></p>\n",
        escape(&set.fixtures),
        set.profile,
        profile_meaning(set.profile),
        if set.failed() { "fail" } else { "pass" },
        if set.failed() { "failed" } else { "passed" }
    ));
    h.push_str("<p class=\"legend\"><span class=\"pass\">pass</span><span class=\"partial\">pass, some skipped</span><span class=\"xfail\">expected failure</span><span class=\"fail\">fail</span><span class=\"skip\">skipped</span><span class=\"none\">no case</span> Each implementation has three columns: <strong>required</strong> (cases of MUST rules), <strong>recommended</strong> (SHOULD and MAY) and <strong>suite</strong> (the suite's own hardening). A dashed cell fails in a tier the profile does not count. Click a cell for its cases and reasons.</p>\n");

    // Summary per implementation.
    h.push_str("<table class=\"summary\"><tr><th>implementation</th><th>version</th><th>language</th><th>passed</th><th>failed</th><th>expected failures</th><th>skipped</th>");
    for tier in Tier::ALL {
        h.push_str(&format!("<th>{}</th>", tier.heading()));
    }
    h.push_str("<th>wall time</th></tr>\n");
    for run in &set.runs {
        let c = run.summary();
        h.push_str(&format!(
            "<tr><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            if run.failed(set.profile) { "fail" } else { "pass" },
            escape(&run.info.name),
            escape(&run.info.version),
            escape(&run.info.language),
            c.passed,
            c.failed,
            c.expected_failures,
            c.skipped,
        ));
        let tiers = run.by_tier();
        for tier in Tier::ALL {
            let c = tiers.get(&tier).copied().unwrap_or_default();
            h.push_str(&tier_cell(c, tier, set, None));
        }
        h.push_str(&format!("<td>{:.2} s</td></tr>\n", run.wall_time_s));
    }
    h.push_str("</table>\n");
    for run in &set.runs {
        for n in &run.notes {
            h.push_str(&format!(
                "<p><strong>{}</strong>: {}</p>\n",
                escape(&run.info.name),
                escape(n)
            ));
        }
    }

    // The matrix: three columns per implementation.
    let per_run: Vec<_> = set
        .runs
        .iter()
        .map(|r| report::by_rule_and_tier(&r.cases))
        .collect();
    h.push_str("<h2>Rules × implementations</h2>\n<table class=\"matrix\">\n<tr><th rowspan=\"2\">rule</th><th rowspan=\"2\">level</th><th rowspan=\"2\">statement</th>");
    for run in &set.runs {
        h.push_str(&format!(
            "<th colspan=\"3\" class=\"first\">{}</th>",
            escape(&run.info.name)
        ));
    }
    h.push_str("</tr>\n<tr>");
    for _ in &set.runs {
        for tier in Tier::ALL {
            h.push_str(&format!(
                "<th class=\"tier{}\" title=\"{}\">{tier}</th>",
                if tier == Tier::Required { " first" } else { "" },
                tier.levels()
            ));
        }
    }
    h.push_str("</tr>\n");
    for rule in set.rule_ids() {
        let meta = set.catalogue.rules.iter().find(|r| r.id == rule);
        h.push_str(&format!(
            "<tr id=\"rule-{r}\"><th>{r}</th><td>{}</td><td class=\"statement\">{}</td>",
            meta.map(|m| m.level.as_str()).unwrap_or_default(),
            escape(meta.map(|m| m.statement.as_str()).unwrap_or("")),
            r = escape(&rule),
        ));
        for (i, rows) in per_run.iter().enumerate() {
            let tiers = rows.get(&rule);
            for tier in Tier::ALL {
                let c = tiers
                    .and_then(|m| m.get(&tier))
                    .copied()
                    .unwrap_or_default();
                h.push_str(&tier_cell(c, tier, set, Some(anchor(i, &rule))));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");

    // One section per implementation and rule.
    for (i, run) in set.runs.iter().enumerate() {
        for rule in set.rule_ids() {
            let cases: Vec<&CaseReport> = run
                .cases
                .iter()
                .filter(|c| c.rules.contains(&rule))
                .collect();
            if cases.is_empty() {
                continue;
            }
            h.push_str(&format!(
                "<section class=\"detail\" id=\"{}\"><h3>{} — {}</h3>\n<table><tr><th>case</th><th>category</th><th>level</th><th>result</th><th>status</th><th>reason / detail</th><th>fixture</th></tr>\n",
                anchor(i, &rule),
                escape(&run.info.name),
                escape(&rule)
            ));
            for c in cases {
                h.push_str(&format!(
                    "<tr><td><code>{}</code></td><td>{}</td><td>{} ({})</td><td>{:?}</td><td class=\"{}\">{}</td><td><code>{}</code></td><td><code>{}#{}</code></td></tr>\n",
                    escape(&c.id),
                    c.category.as_str(),
                    c.level,
                    c.tier(),
                    c.result,
                    status_class(c),
                    c.status.label(),
                    escape(&if set.profile.tolerates(c) {
                        format!("{}; {}", set.profile.tolerated_note(c), status_detail(&c.status))
                    } else {
                        status_detail(&c.status)
                    }),
                    escape(&c.file),
                    escape(&c.pointer)
                ));
            }
            h.push_str("</table></section>\n");
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// One coloured cell of `tier`'s counts (`–` when no case is in it), linking to `link` if given;
/// dashed when it fails in a tier the run's profile does not count.
fn tier_cell(c: Counts, tier: Tier, set: &RunSet, link: Option<String>) -> String {
    let state = CellState::of(c);
    let first = if tier == Tier::Required { " first" } else { "" };
    if state == CellState::None {
        return format!("<td class=\"cell none{first}\">–</td>");
    }
    let uncounted = if state == CellState::Fail && !set.profile.counts(tier) {
        " uncounted"
    } else {
        ""
    };
    let text = counts_text(c);
    let title = escape(&format!("{}: {}", tier.heading(), counts_title(c)));
    match link {
        Some(href) => format!(
            "<td class=\"cell {}{first}{uncounted}\"><a href=\"#{href}\" title=\"{title}\">{text}</a></td>",
            state.label()
        ),
        None => format!(
            "<td class=\"cell {}{first}{uncounted}\" title=\"{title}\">{text}</td>",
            state.label()
        ),
    }
}

fn anchor(run: usize, rule: &str) -> String {
    let safe: String = rule
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("impl{run}-{safe}")
}

fn counts_text(c: Counts) -> String {
    let mut s = format!("{}/{}", c.passed, c.total());
    if c.failed > 0 {
        s.push_str(&format!(" ✗{}", c.failed));
    }
    if c.expected_failures > 0 {
        s.push_str(&format!(" x{}", c.expected_failures));
    }
    s
}

fn counts_title(c: Counts) -> String {
    format!(
        "{} passed, {} failed, {} expected failures, {} skipped",
        c.passed, c.failed, c.expected_failures, c.skipped
    )
}

fn status_class(c: &CaseReport) -> &'static str {
    use crate::runner::Status::*;
    match c.status {
        Passed => "pass",
        Failed { .. } | Errored { .. } | UnexpectedPass { .. } | ExpectedFailureMismatch { .. } => {
            "fail"
        }
        Skipped { .. } => "skip",
        ExpectedFailure { .. } => "xfail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_has_matrix_cells_and_linked_sections() {
        let p = html(&super::super::tests::sample());
        assert!(
            p.contains("<td class=\"cell fail first\"><a href=\"#impl0-R15\""),
            "R15 cell"
        );
        assert!(p.contains("<td class=\"cell xfail first\"><a href=\"#impl1-R15\""));
        // Three columns per implementation; b's SHOULD failure sits in its recommended column,
        // dashed because the profile `required` does not count it.
        assert_eq!(p.matches("<th colspan=\"3\" class=\"first\">").count(), 2);
        assert!(
            p.contains("<td class=\"cell fail uncounted\"><a href=\"#impl1-R13\""),
            "{p}"
        );
        assert!(p.contains("<td class=\"cell pass\"><a href=\"#impl0-R13\""));
        assert!(p.contains("not counted under profile required"));
        assert!(p.contains("<section class=\"detail\" id=\"impl0-R15\">"));
        assert!(p.contains("bundle-parsing/g/bad&lt;&amp;&gt;"));
        assert!(!p.contains("bad<&>"));
        // A catalogue rule no case names gets an empty cell, not a link.
        assert!(p.contains("<td class=\"cell none\">–</td>"));
    }
}
