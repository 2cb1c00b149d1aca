//! Replays the checked-in fuzz corpus (`fuzz/corpus/<target>/`), the minimised crash inputs
//! (`fuzz/regressions/<target>/`) and the seeds derived from the fixtures through the fuzz
//! targets' logic, on stable Rust, so every input that ever crashed a target stays fixed.

#![allow(clippy::unwrap_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use msc4268_fuzz_logic::{TARGETS, Target, corpus};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `data` through `target`; a finding or a panic is a failure message.
fn replay(target: &Target, name: &str, data: &[u8]) -> Option<String> {
    match catch_unwind(AssertUnwindSafe(|| (target.run)(data))) {
        Ok(Ok(())) => None,
        Ok(Err(f)) => Some(format!("{}/{name}: {f}", target.name)),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Some(format!("{}/{name}: panicked: {msg}", target.name))
        }
    }
}

/// Every file under `dir/<target>/` (sorted), as (name, bytes).
fn inputs(dir: &Path, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = dir.join(target);
    corpus::read_inputs(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .into_iter()
        .map(|(p, data)| (p.file_name().unwrap().to_string_lossy().into_owned(), data))
        .collect()
}

fn replay_dir(sub: &str, require: bool) {
    let dir = repo().join("fuzz").join(sub);
    let mut failures = Vec::new();
    let mut total = 0;
    for target in &TARGETS {
        let files = inputs(&dir, target.name);
        if require {
            assert!(
                !files.is_empty(),
                "fuzz/{sub}/{} is empty: every target keeps a small checked-in corpus",
                target.name
            );
        }
        total += files.len();
        failures.extend(files.iter().filter_map(|(n, d)| replay(target, n, d)));
    }
    assert!(
        failures.is_empty(),
        "{} of {total} inputs fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn checked_in_corpus_replays_clean() {
    replay_dir("corpus", true);
}

#[test]
fn regression_inputs_replay_clean() {
    replay_dir("regressions", false);
}

/// Inputs of findings not fixed yet (`fuzz/open-findings/<target>/`, listed in fuzz/README.md) must
/// still fail: the day a fix lands, this test says to move them to `fuzz/regressions/`.
#[test]
fn open_findings_still_fail() {
    let dir = repo().join("fuzz/open-findings");
    let mut fixed = Vec::new();
    for target in &TARGETS {
        for (name, data) in inputs(&dir, target.name) {
            if replay(target, &name, &data).is_none() {
                fixed.push(format!("fuzz/open-findings/{}/{name}", target.name));
            }
        }
    }
    assert!(
        fixed.is_empty(),
        "these findings no longer reproduce; move each to fuzz/regressions/<target>/ and drop its \
         line from fuzz/README.md:\n{}",
        fixed.join("\n")
    );
}

#[test]
fn fixture_seeds_replay_clean() {
    let seeds = corpus::seeds(&repo().join("fixtures")).expect("fixtures load");
    let mut failures = Vec::new();
    for target in &TARGETS {
        let files = seeds.get(target.name).expect("every target has seeds");
        assert!(!files.is_empty(), "no seeds for {}", target.name);
        failures.extend(files.iter().filter_map(|(n, d)| replay(target, n, d)));
    }
    assert!(
        failures.is_empty(),
        "{} seeds fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn targets_have_unique_names_matching_fuzz_binaries() {
    let manifest = std::fs::read_to_string(repo().join("fuzz/Cargo.toml")).unwrap();
    for t in &TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{}\"", t.name)),
            "{} not in fuzz/Cargo.toml",
            t.name
        );
        assert!(
            repo()
                .join(format!("fuzz/fuzz_targets/{}.rs", t.name))
                .is_file()
        );
        assert_eq!(TARGETS.iter().filter(|o| o.name == t.name).count(), 1);
    }
}
