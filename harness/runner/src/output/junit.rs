//! JUnit XML: one `<testsuite>` per implementation and category, one `<testcase>` per case.
//!
//! Failed cases and unexpected passes are `<failure>`, errored cases `<error>`; skipped cases and
//! expected failures are `<skipped>` with the reason (an expected failure does not fail CI). A
//! failure in a tier the run's profile does not count (a SHOULD case under `--profile required`)
//! is `<skipped>` too, with a message saying what failed and why it is not counted, so that a CI
//! test reporter agrees with the exit status. Every test case carries its level and tier as
//! `<properties>`.

use std::collections::BTreeMap;

use super::{RunSet, escape, status_detail};
use crate::profile::Profile;
use crate::runner::{CaseReport, Status};

/// The JUnit XML text of a run.
pub fn junit(set: &RunSet) -> String {
    let mut suites = String::new();
    let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    let mut total_time = 0.0;
    for run in &set.runs {
        let mut by_cat: BTreeMap<&str, Vec<&CaseReport>> = BTreeMap::new();
        for c in &run.cases {
            by_cat.entry(c.category.as_str()).or_default().push(c);
        }
        let per_case = if run.cases.is_empty() {
            0.0
        } else {
            run.wall_time_s / run.cases.len() as f64
        };
        total_time += run.wall_time_s;
        for (cat, cases) in by_cat {
            let counted = |c: &&&CaseReport| set.profile.counts(c.tier());
            let f = cases
                .iter()
                .filter(counted)
                .filter(|c| {
                    matches!(
                        c.status,
                        Status::Failed { .. }
                            | Status::UnexpectedPass { .. }
                            | Status::ExpectedFailureMismatch { .. }
                    )
                })
                .count();
            let e = cases
                .iter()
                .filter(counted)
                .filter(|c| matches!(c.status, Status::Errored { .. }))
                .count();
            let s = cases
                .iter()
                .filter(|c| {
                    matches!(
                        c.status,
                        Status::Skipped { .. } | Status::ExpectedFailure { .. }
                    ) || set.profile.tolerates(c)
                })
                .count();
            tests += cases.len();
            failures += f;
            errors += e;
            skipped += s;
            suites.push_str(&format!(
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"{e}\" skipped=\"{s}\" time=\"{:.3}\">\n",
                escape(&format!("{}/{cat}", run.info.name)),
                cases.len(),
                per_case * cases.len() as f64
            ));
            for c in cases {
                suites.push_str(&testcase(&run.info.name, c, per_case, set.profile));
            }
            suites.push_str("  </testsuite>\n");
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"msc4268-conformance\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{total_time:.3}\">\n{suites}</testsuites>\n"
    )
}

fn testcase(implementation: &str, c: &CaseReport, time: f64, profile: Profile) -> String {
    let open = format!(
        "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{time:.4}\">\n      <properties><property name=\"level\" value=\"{}\"/><property name=\"tier\" value=\"{}\"/></properties>\n",
        escape(&format!("{implementation}.{}", c.category.as_str())),
        escape(&c.id),
        escape(&c.repository_file()),
        c.level,
        c.tier(),
    );
    let close = "    </testcase>\n";
    let body = |tag: &str, kind: &str, message: String| {
        format!(
            "{open}      <{tag} type=\"{kind}\" message=\"{}\">{}</{tag}>\n{close}",
            escape(&first_line(&message)),
            escape(&c.explain())
        )
    };
    let skipped = |message: String| {
        format!(
            "{open}      <skipped message=\"{}\"/>\n{close}",
            escape(&first_line(&message))
        )
    };
    if profile.tolerates(c) {
        return format!(
            "{open}      <skipped message=\"{}\"/>\n      <system-out>{}</system-out>\n{close}",
            escape(&first_line(&profile.tolerated_note(c))),
            escape(&c.explain())
        );
    }
    match &c.status {
        Status::Passed => format!("{open}{close}"),
        Status::Failed { .. } => body(
            "failure",
            "failed",
            format!("expected {} (rules {})", c.expected, c.rules.join(", ")),
        ),
        Status::UnexpectedPass { .. } => {
            body("failure", "unexpected_pass", status_detail(&c.status))
        }
        Status::ExpectedFailureMismatch { .. } => body(
            "failure",
            "expected_failure_mismatch",
            status_detail(&c.status),
        ),
        Status::Errored { detail } => body("error", "errored", detail.clone()),
        Status::Skipped { reason } => skipped(reason.clone()),
        Status::ExpectedFailure { .. } => skipped(format!(
            "expected failure: {}",
            first_line(&status_detail(&c.status))
        )),
    }
}

fn first_line(s: &str) -> String {
    let l = s.lines().next().unwrap_or("");
    if l.chars().count() > 300 {
        format!("{}…", l.chars().take(300).collect::<String>())
    } else {
        l.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_counts_and_escapes() {
        let x = junit(&super::super::tests::sample());
        assert!(x.starts_with("<?xml"));
        assert!(
            x.contains("tests=\"6\" failures=\"1\" errors=\"0\" skipped=\"3\""),
            "{x}"
        );
        assert!(x.contains("name=\"bundle-parsing/g/bad&lt;&amp;&gt;\""));
        assert!(x.contains("expected failure: known"));
        assert!(!x.contains("bad<&>"));
        assert_eq!(x.matches("<testcase ").count(), 6);
        assert_eq!(x.matches("<failure ").count(), 1);
        assert_eq!(
            x.matches("<property name=\"level\" value=\"SHOULD\"/><property name=\"tier\" value=\"recommended\"/>")
                .count(),
            2
        );
        assert!(
            x.contains("<skipped message=\"failed (recommended case, level SHOULD); not counted under profile required\"/>"),
            "{x}"
        );
        // Under `recommended` the SHOULD failure is a failure.
        let mut set = super::super::tests::sample();
        set.profile = Profile::Recommended;
        let x = junit(&set);
        assert!(
            x.contains("tests=\"6\" failures=\"2\" errors=\"0\" skipped=\"2\""),
            "{x}"
        );
    }
}
