//! The mutant self-test: every deliberately broken implementation in
//! `msc4268_generator::mutants` must fail the corpus, the rules that catch it must include the
//! rule its bug breaks, and it must be caught under the profile that rule's level calls for and
//! not under a weaker one: a mutant that breaks a SHOULD fails a run under `recommended` and
//! passes one under `required`; one that breaks a `suite` rule is caught only by `strict`. A
//! mutant that survives means a missing fixture; one caught by too weak a profile means a case
//! whose level does not match the rule that decides it (or a mutant that breaks more than it
//! says).
//!
//! The table of mutants in `docs/reports.md` (mutant, rule, level, the profile that catches it)
//! is what this test finds; `MSC4268_BLESS_DOCS=1` rewrites it.
//!
//! Each mutant runs on the categories its bug can touch, one thread per mutant.

use std::collections::BTreeSet;
use std::path::Path;

use msc4268_corpus::fixture::{Case, load_dir};
use msc4268_corpus::rules::{Catalogue, catalogue};
use msc4268_generator::mutants::{self, Mutant};
use msc4268_harness::profile::Profile;
use msc4268_harness::runner::{CaseReport, run_case};

fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    load_dir(&dir).unwrap_or_else(|e| panic!("cannot load fixtures: {e}"))
}

/// What the corpus makes of one mutant.
struct Verdict {
    /// The reports of the cases that fail (any tier).
    failing: Vec<CaseReport>,
    /// How long its run took.
    took: std::time::Duration,
}

impl Verdict {
    /// The rules of the failing cases.
    fn rules(&self) -> BTreeSet<String> {
        self.failing
            .iter()
            .flat_map(|r| r.rules.iter().cloned())
            .collect()
    }

    /// The weakest profile under which the mutant fails a run, if any.
    fn caught_under(&self) -> Option<Profile> {
        Profile::ALL
            .into_iter()
            .find(|p| self.failing.iter().any(|r| p.fails(r)))
    }
}

fn run_all(mutants: &[Mutant], cases: &[Case]) -> Vec<Verdict> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = mutants
            .iter()
            .map(|m| {
                scope.spawn(move || {
                    let started = std::time::Instant::now();
                    let failing = cases
                        .iter()
                        .filter(|c| m.categories().contains(&c.category))
                        .map(|case| run_case(m, case))
                        .filter(|r| r.status.is_failure())
                        .collect();
                    Verdict {
                        failing,
                        took: started.elapsed(),
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("mutant thread panicked"))
            .collect()
    })
}

/// The profile that must catch a mutant breaking `rule`: the weakest that counts its tier.
fn profile_for(cat: &Catalogue, rule: &str) -> Profile {
    let level = cat
        .rule(rule)
        .unwrap_or_else(|| panic!("mutant breaks {rule}, which is not in fixtures/rules.json"))
        .level;
    Profile::weakest_counting(level.tier())
}

/// The Markdown table of `docs/reports.md`: one row per mutant.
fn table(cat: &Catalogue, mutants: &[Mutant]) -> String {
    let mut t = String::from(
        "| mutant | what it does wrong | rule it breaks | level | caught under | not flagged under |\n|---|---|---|---|---|---|\n",
    );
    for m in mutants {
        let level = cat.rule(m.breaks).map(|r| r.level);
        let profile = profile_for(cat, m.breaks);
        let weaker: Vec<String> = Profile::ALL
            .into_iter()
            .filter(|p| *p < profile)
            .map(|p| format!("`{p}`"))
            .collect();
        t.push_str(&format!(
            "| `{}` | {} | {} | {} | `{profile}` | {} |\n",
            m.name,
            m.description.replace('|', "\\|"),
            m.breaks,
            level.map_or("?", |l| l.as_str()),
            if weaker.is_empty() {
                "–".to_owned()
            } else {
                weaker.join(", ")
            }
        ));
    }
    t
}

#[test]
fn every_mutant_is_caught_by_the_rule_it_breaks_under_its_profile() {
    let cat = catalogue().expect("rules.json parses");
    let cases = corpus();
    let all = mutants::all();
    assert!(all.len() >= 12, "the self-test needs at least 12 mutants");
    let verdicts = run_all(&all, &cases);
    let mut report = String::new();
    let mut problems = Vec::new();
    for (m, v) in all.iter().zip(&verdicts) {
        let rules = v.rules();
        let want = profile_for(&cat, m.breaks);
        let caught_under = v.caught_under();
        let per_profile: Vec<String> = Profile::ALL
            .into_iter()
            .map(|p| format!("{p} {}", v.failing.iter().filter(|r| p.fails(r)).count()))
            .collect();
        report.push_str(&format!(
            "{:<36} breaks {:<4} caught under {:<12} failing cases: {} ({}) in {:>6.2} s; rules: {}\n",
            m.name,
            m.breaks,
            caught_under.map_or("nothing", Profile::as_str),
            v.failing.len(),
            per_profile.join(", "),
            v.took.as_secs_f64(),
            rules.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
        if v.failing.is_empty() || !rules.contains(m.breaks) {
            problems.push(format!(
                "{} ({}): not caught by a {} case (caught by {} cases, rules {:?})",
                m.name,
                m.description,
                m.breaks,
                v.failing.len(),
                rules
            ));
        }
        if caught_under != Some(want) {
            // Caught too early: the cases a weaker profile counts.
            let early: Vec<String> = match caught_under {
                Some(p) if p < want => v
                    .failing
                    .iter()
                    .filter(|r| p.fails(r))
                    .take(5)
                    .map(|r| format!("{} ({}, rules {})", r.id, r.level, r.rules.join(", ")))
                    .collect(),
                _ => Vec::new(),
            };
            problems.push(format!(
                "{}: breaks {} and must be caught under `{want}` and not under a weaker profile, \
                 but the weakest profile that catches it is {}{}",
                m.name,
                m.breaks,
                caught_under.map_or("none".to_owned(), |p| format!("`{p}`")),
                if early.is_empty() {
                    String::new()
                } else {
                    format!("; failing there: {}", early.join("; "))
                }
            ));
        }
    }
    println!("{report}");
    assert!(
        problems.is_empty(),
        "mutants the suite does not catch as their level says (add fixtures, or fix a case's \
         deciding rule):\n{}\n\nall:\n{report}",
        problems.join("\n")
    );
}

/// `docs/reports.md` lists every mutant with the rule it breaks, that rule's level and the
/// profile that catches it, from the catalogue (the test above checks the corpus agrees).
/// `MSC4268_BLESS_DOCS=1` rewrites the table.
#[test]
fn docs_list_every_mutant_with_its_level_and_profile() {
    const BEGIN: &str = "<!-- mutants:begin";
    const END: &str = "<!-- mutants:end -->";
    let cat = catalogue().expect("rules.json parses");
    let want = table(&cat, &mutants::all());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reports.md");
    let text = std::fs::read_to_string(&path).expect("docs/reports.md");
    let b = text
        .find(BEGIN)
        .expect("docs/reports.md has the mutants:begin marker");
    let body_start = b + text[b..].find('\n').expect("marker line ends") + 1;
    let e = text
        .find(END)
        .expect("docs/reports.md has the mutants:end marker");
    let have = &text[body_start..e];
    let want_body = format!("\n{want}\n");
    if have == want_body {
        return;
    }
    if std::env::var_os("MSC4268_BLESS_DOCS").is_some() {
        let new = format!("{}{want_body}{}", &text[..body_start], &text[e..]);
        std::fs::write(&path, new).expect("write docs/reports.md");
        eprintln!("rewrote the mutant table of docs/reports.md");
        return;
    }
    panic!(
        "the mutant table of docs/reports.md differs; run `MSC4268_BLESS_DOCS=1 cargo test -p \
         msc4268-suite --test mutants docs_list` and review the diff. Want:\n{want}"
    );
}
