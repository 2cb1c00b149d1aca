//! Replays the differential corpus (`fuzz/differential/corpus/<target>/`), the regression inputs
//! (`fuzz/differential/regressions/<target>/`) and the corpus of the single-implementation target
//! whose layout each differential target reads (`fuzz/corpus/<seed target>/`) through both
//! implementations, on stable Rust: every input must agree or differ only in documented ways.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use msc4268_fuzz_differential::{TARGETS, Target, Verdict};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir` (sorted), as (name, bytes).
fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    msc4268_fuzz_logic::corpus::read_inputs(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .into_iter()
        .map(|(p, data)| (p.display().to_string(), data))
        .collect()
}

fn replay(target: &Target, require_corpus: bool) {
    let root = repo().join("fuzz");
    let own = inputs(&root.join("differential/corpus").join(target.name));
    if require_corpus {
        assert!(
            !own.is_empty(),
            "fuzz/differential/corpus/{} is empty: every differential target keeps a checked-in corpus",
            target.name
        );
    }
    let mut all = own;
    all.extend(inputs(
        &root.join("differential/regressions").join(target.name),
    ));
    all.extend(inputs(&root.join("corpus").join(target.seed_target)));
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut new = Vec::new();
    for (name, data) in &all {
        match (target.compare)(data) {
            Verdict::Agree => *tally.entry("agree".into()).or_default() += 1,
            Verdict::NotCompared(_) => *tally.entry("not compared".into()).or_default() += 1,
            Verdict::Known(ks) => {
                for k in ks {
                    *tally.entry(format!("known {}", k.id)).or_default() += 1;
                }
            }
            Verdict::New(d) => new.push(format!("{name}: {d}")),
        }
    }
    eprintln!("{}: {} inputs: {tally:?}", target.name, all.len());
    assert!(
        new.is_empty(),
        "{} of {} inputs show a new disagreement:\n{}",
        new.len(),
        all.len(),
        new.join("\n")
    );
    assert!(
        tally.get("agree").copied().unwrap_or(0) > 0,
        "{}: no input at all where both implementations agree: the comparison is broken",
        target.name
    );
}

#[test]
fn diff_decryptor_corpus_agrees_or_differs_only_as_documented() {
    replay(&TARGETS[0], true);
}

#[test]
fn diff_bundle_parser_corpus_agrees_or_differs_only_as_documented() {
    replay(&TARGETS[1], true);
}

#[test]
fn diff_import_corpus_agrees_or_differs_only_as_documented() {
    replay(&TARGETS[2], true);
}
