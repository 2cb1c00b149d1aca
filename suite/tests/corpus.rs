//! Properties of the fixture corpus as a whole: it is what the generator makes, it follows its
//! schema, it is large enough, and every fixture-observable rule has valid and invalid cases (a MAY
//! rule: acceptable ones).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use msc4268_corpus::fixture::{Case, Verdict, load_dir};
use msc4268_corpus::rules::{Level, Observable, catalogue};
use msc4268_generator as generate;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn corpus() -> Vec<Case> {
    load_dir(&fixtures_dir()).unwrap_or_else(|e| panic!("cannot load fixtures: {e}"))
}

#[test]
fn checked_in_fixtures_match_the_generator() {
    let drift = generate::check(&fixtures_dir()).expect("read fixtures");
    let lines: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert!(
        lines.is_empty(),
        "run `cargo run -p msc4268-cli -- fixtures generate`:\n{}",
        lines.join("\n")
    );
}

#[test]
fn corpus_has_at_least_300_cases() {
    let n = corpus().len();
    assert!(n >= 300, "the corpus has {n} cases; the floor is 300");
}

#[test]
fn every_fixture_observable_rule_has_valid_and_invalid_cases() {
    let cat = catalogue().expect("rules.json parses");
    let mut seen: BTreeMap<&str, BTreeSet<Verdict>> = BTreeMap::new();
    let cases = corpus();
    for c in &cases {
        for r in &c.def.rules {
            seen.entry(r.as_str()).or_default().insert(c.def.result);
        }
    }
    let mut missing = Vec::new();
    for rule in cat.rules.iter().filter(|r| r.fixture_observable()) {
        let verdicts = seen.get(rule.id.as_str()).cloned().unwrap_or_default();
        // A MAY rule makes no input invalid: what it allows is `acceptable` either way.
        let needs: &[Verdict] = if rule.level == Level::May {
            &[Verdict::Acceptable]
        } else {
            &[Verdict::Valid, Verdict::Invalid]
        };
        for &need in needs {
            if !verdicts.contains(&need) {
                missing.push(format!("{} has no {need:?} case", rule.id));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Every case carries the level of its deciding rule (its first rule) as the catalogue gives it:
/// the level is generated, so a catalogue change that is not followed by `fixtures generate`
/// fails here, case by case.
#[test]
fn every_case_has_the_level_of_its_deciding_rule() {
    let cat = catalogue().expect("rules.json parses");
    let mut errors = Vec::new();
    for c in corpus() {
        match cat.deciding_level(&c.def.rules) {
            Ok(level) if level == c.def.level => {}
            Ok(level) => errors.push(format!(
                "{} ({}#{}): level {} but its deciding rule {} is {level}",
                c.def.id, c.file, c.pointer, c.def.level, c.def.rules[0]
            )),
            Err(e) => errors.push(format!("{}: {e}", c.def.id)),
        }
    }
    assert!(
        errors.is_empty(),
        "run `cargo run -p msc4268-cli -- fixtures generate`:\n{}",
        errors.join("\n")
    );
}

#[test]
fn every_rule_a_case_names_is_observable_in_its_category() {
    let cat = catalogue().expect("rules.json parses");
    let mut errors = Vec::new();
    for c in corpus() {
        for id in &c.def.rules {
            match cat.rules.iter().find(|r| &r.id == id) {
                None => errors.push(format!("{}: rule {id} is not in the catalogue", c.def.id)),
                Some(rule) => {
                    let ok = rule.observable.iter().any(|o| matches!(o, Observable::Fixture { category } if *category == c.category));
                    if !ok {
                        errors.push(format!(
                            "{}: rule {id} is not marked observable in {}",
                            c.def.id, c.category
                        ));
                    }
                }
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn every_category_a_rule_claims_has_a_case_for_it() {
    let cat = catalogue().expect("rules.json parses");
    let cases = corpus();
    let mut missing = Vec::new();
    for rule in &cat.rules {
        for o in &rule.observable {
            if let Observable::Fixture { category } = o
                && !cases
                    .iter()
                    .any(|c| c.category == *category && c.def.rules.contains(&rule.id))
            {
                missing.push(format!(
                    "{} claims {category} but no case there names it",
                    rule.id
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn fixture_files_follow_the_json_schema() {
    let dir = fixtures_dir();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("schema/fixture-file.schema.json")).expect("schema file"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut errors = Vec::new();
    for g in generate::all().expect("the generator makes the fixtures") {
        let text = std::fs::read_to_string(dir.join(&g.path)).expect("fixture file");
        let value: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
        for e in validator.iter_errors(&value) {
            errors.push(format!("{}: at {}: {e}", g.path, e.instance_path()));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn rules_catalogue_follows_its_json_schema() {
    let dir = fixtures_dir();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("schema/rules.schema.json")).expect("schema file"),
    )
    .expect("schema is JSON");
    let rules: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("rules.json")).expect("rules.json"))
            .expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&rules)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// `docs/rules.md` is the readable copy of the catalogue: its rule rows, decision blocks,
/// coverage table and "Quotes" section are exactly what `msc4268_corpus::rules` renders from
/// `fixtures/rules.json`. With `MSC4268_BLESS_DOCS=1` the test rewrites those parts of the page
/// instead (a decision missing from the page is appended at its end); the prose around them is
/// left alone.
#[test]
fn docs_rules_md_mirrors_the_catalogue() {
    const COVERAGE: (&str, &str) = ("<!-- coverage:begin", "<!-- coverage:end -->");
    const QUOTES: (&str, &str) = ("<!-- quotes:begin", "<!-- quotes:end -->");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let cat = catalogue().expect("rules.json parses");
    let original = std::fs::read_to_string(&path).expect("docs/rules.md");
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    let mut problems = Vec::new();

    for rule in &cat.rules {
        let prefix = format!("| **{}** |", rule.id);
        let want = rule.markdown_row();
        match lines.iter_mut().find(|l| l.starts_with(&prefix)) {
            None => problems.push(format!("{}: no table row", rule.id)),
            Some(line) if *line != want => {
                problems.push(format!("{}: table row differs", rule.id));
                *line = want;
            }
            Some(_) => {}
        }
    }

    let replace_between = |lines: &mut Vec<String>,
                           (begin, end): (&str, &str),
                           body: &str,
                           problems: &mut Vec<String>| {
        let b = lines.iter().position(|l| l.starts_with(begin));
        let e = lines.iter().position(|l| l == end);
        let (Some(b), Some(e)) = (b, e) else {
            problems.push(format!("no `{begin}` … `{end}` markers"));
            return;
        };
        let want: Vec<String> = std::iter::once(String::new())
            .chain(body.trim_end().lines().map(str::to_owned))
            .chain(std::iter::once(String::new()))
            .collect();
        if lines[b + 1..e] != want[..] {
            problems.push(format!("the part between `{begin}` and `{end}` differs"));
            lines.splice(b + 1..e, want);
        }
    };
    replace_between(
        &mut lines,
        COVERAGE,
        &cat.coverage_markdown(),
        &mut problems,
    );
    replace_between(&mut lines, QUOTES, &cat.quotes_markdown(), &mut problems);

    for d in &cat.decisions {
        let heading = format!("### {}", d.id);
        let want: Vec<String> = d.markdown_block().lines().map(str::to_owned).collect();
        match lines.iter().position(|l| *l == heading) {
            None => {
                problems.push(format!("decision {}: no block", d.id));
                if lines.last().is_some_and(|l| !l.is_empty()) {
                    lines.push(String::new());
                }
                lines.extend(want);
            }
            Some(start) => {
                let end = lines[start + 1..]
                    .iter()
                    .position(|l| {
                        l.starts_with("### ") || l.starts_with("## ") || l.starts_with("<!--")
                    })
                    .map_or(lines.len(), |n| start + 1 + n);
                let mut have = &lines[start..end];
                while have.last().is_some_and(String::is_empty) {
                    have = &have[..have.len() - 1];
                }
                let (len, differs) = (have.len(), have != &want[..]);
                if differs {
                    problems.push(format!("decision {}: block differs", d.id));
                    lines.splice(start..start + len, want);
                }
            }
        }
    }

    if problems.is_empty() {
        return;
    }
    if std::env::var_os("MSC4268_BLESS_DOCS").is_some() {
        std::fs::write(&path, lines.join("\n") + "\n").expect("write docs/rules.md");
        eprintln!("rewrote docs/rules.md:\n{}", problems.join("\n"));
        return;
    }
    panic!(
        "docs/rules.md differs from fixtures/rules.json; run `MSC4268_BLESS_DOCS=1 cargo test -p msc4268-suite --test corpus docs_rules_md` and review the diff:\n{}",
        problems.join("\n")
    );
}
