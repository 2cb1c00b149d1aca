//! The static HTML page: the conformance matrix (rules × implementations) with coloured cells;
//! each cell links to a section listing the rule's cases for that implementation, with status and
//! reason. No script, no external resource: the page works from a CI artifact or a file URL.

use super::{CellState, RunSet, escape, status_detail};
use crate::report::{self, Counts};
use crate::runner::CaseReport;

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1f2328; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
table.matrix td.cell { text-align: center; min-width: 7em; }
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
        "<p>Fixtures: <code>{}</code>. Overall: <strong class=\"{}\">&nbsp;{}&nbsp;</strong></p>\n",
        escape(&set.fixtures),
        if set.failed() { "fail" } else { "pass" },
        if set.failed() { "failed" } else { "passed" }
    ));
    h.push_str("<p class=\"legend\"><span class=\"pass\">pass</span><span class=\"partial\">pass, some skipped</span><span class=\"xfail\">expected failure</span><span class=\"fail\">fail</span><span class=\"skip\">skipped</span><span class=\"none\">no case</span> Click a cell for its cases and reasons.</p>\n");

    // Summary per implementation.
    h.push_str("<table class=\"summary\"><tr><th>implementation</th><th>version</th><th>language</th><th>passed</th><th>failed</th><th>expected failures</th><th>skipped</th><th>wall time</th></tr>\n");
    for run in &set.runs {
        let c = run.summary();
        h.push_str(&format!(
            "<tr><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2} s</td></tr>\n",
            if run.failed() { "fail" } else { "pass" },
            escape(&run.info.name),
            escape(&run.info.version),
            escape(&run.info.language),
            c.passed,
            c.failed,
            c.expected_failures,
            c.skipped,
            run.wall_time_s
        ));
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

    // The matrix.
    let per_run: Vec<_> = set.runs.iter().map(|r| report::by_rule(&r.cases)).collect();
    h.push_str("<h2>Rules × implementations</h2>\n<table class=\"matrix\">\n<tr><th>rule</th><th>level</th><th>statement</th>");
    for run in &set.runs {
        h.push_str(&format!("<th>{}</th>", escape(&run.info.name)));
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
            let c = rows.get(&rule).copied().unwrap_or_default();
            let state = CellState::of(c);
            if state == CellState::None {
                h.push_str("<td class=\"cell none\">–</td>");
            } else {
                h.push_str(&format!(
                    "<td class=\"cell {}\"><a href=\"#{}\" title=\"{}\">{}</a></td>",
                    state.label(),
                    anchor(i, &rule),
                    escape(&counts_title(c)),
                    counts_text(c)
                ));
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
                "<section class=\"detail\" id=\"{}\"><h3>{} — {}</h3>\n<table><tr><th>case</th><th>category</th><th>result</th><th>status</th><th>reason / detail</th><th>fixture</th></tr>\n",
                anchor(i, &rule),
                escape(&run.info.name),
                escape(&rule)
            ));
            for c in cases {
                h.push_str(&format!(
                    "<tr><td><code>{}</code></td><td>{}</td><td>{:?}</td><td class=\"{}\">{}</td><td><code>{}</code></td><td><code>{}#{}</code></td></tr>\n",
                    escape(&c.id),
                    c.category.as_str(),
                    c.result,
                    status_class(c),
                    c.status.label(),
                    escape(&status_detail(&c.status)),
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
            p.contains("<td class=\"cell fail\"><a href=\"#impl0-R15\""),
            "R15 cell"
        );
        assert!(p.contains("<td class=\"cell xfail\"><a href=\"#impl1-R15\""));
        assert!(p.contains("<section class=\"detail\" id=\"impl0-R15\">"));
        assert!(p.contains("bundle-parsing/g/bad&lt;&amp;&gt;"));
        assert!(!p.contains("bad<&>"));
        // A catalogue rule no case names gets an empty cell, not a link.
        assert!(p.contains("<td class=\"cell none\">–</td>"));
    }
}
