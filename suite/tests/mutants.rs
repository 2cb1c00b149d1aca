//! The mutant self-test: every deliberately broken implementation in
//! `msc4268_generator::mutants` must fail the corpus, and the rules that catch it must include the
//! rule its bug breaks. A mutant that survives means a missing fixture.
//!
//! Each mutant runs on the categories its bug can touch, one thread per mutant.

use std::collections::BTreeSet;
use std::path::Path;

use msc4268_corpus::fixture::{Case, load_dir};
use msc4268_generator::mutants::{self, Bug};
use msc4268_harness::runner::run_case;

fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    load_dir(&dir).unwrap_or_else(|e| panic!("cannot load fixtures: {e}"))
}

/// The rule each bug breaks: at least this one must catch it.
fn must_be_caught_by(bug: Bug) -> &'static str {
    use Bug::*;
    match bug {
        AcceptsNonInviter => "R33",
        ImportsOtherRoomKeys => "R40",
        SkipsHashCheck => "R38",
        AcceptsMissingSenderDeviceKeys => "R30",
        LenientSharedFlag => "R3",
        DowngradesSessions => "R42",
        ReusesKeyAndIv => "A10",
        IvLowBitsNonZero => "A11",
        SharesUnsharedSessions => "R12",
        ListsSessionTwice => "R13",
        IgnoresAcceptanceWindow => "R36",
        TrustsUnsignedDevice => "X1",
        AcceptsUnencrypted => "R32",
    }
}

#[test]
fn every_mutant_is_caught_by_the_rule_it_breaks() {
    let cases = corpus();
    let all = mutants::all();
    assert!(all.len() >= 12, "the self-test needs at least 12 mutants");
    let mut report = String::new();
    let mut survivors = Vec::new();
    #[allow(clippy::type_complexity)]
    let results: Vec<(BTreeSet<String>, Vec<String>, std::time::Duration)> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = all
                .iter()
                .map(|m| {
                    let cases = &cases;
                    scope.spawn(move || {
                        let started = std::time::Instant::now();
                        let mut rules = BTreeSet::new();
                        let mut caught_by = Vec::new();
                        for case in cases
                            .iter()
                            .filter(|c| m.categories().contains(&c.category))
                        {
                            let r = run_case(m, case);
                            if r.status.is_failure() {
                                rules.extend(r.rules.iter().cloned());
                                caught_by.push(r.id);
                            }
                        }
                        (rules, caught_by, started.elapsed())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("mutant thread panicked"))
                .collect()
        });
    for (m, (rules, caught_by, took)) in all.iter().zip(results) {
        let needed = must_be_caught_by(m.bug);
        report.push_str(&format!(
            "{:<36} caught by {:>3} cases in {:>6.2} s; rules: {}\n",
            m.name,
            caught_by.len(),
            took.as_secs_f64(),
            rules.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
        if caught_by.is_empty() || !rules.contains(needed) {
            survivors.push(format!(
                "{} ({}): not caught by a {needed} case (caught by {} cases, rules {:?})",
                m.name,
                m.description,
                caught_by.len(),
                rules
            ));
        }
    }
    println!("{report}");
    assert!(
        survivors.is_empty(),
        "mutants the suite does not catch (add fixtures):\n{}\n\nall:\n{report}",
        survivors.join("\n")
    );
}
