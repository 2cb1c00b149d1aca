//! A malformed fixture file gives an error that names the file and the JSON path, never a panic.

use std::path::Path;

use msc4268_corpus::fixture::{load_dir, parse_file};

const GOOD: &str = r#"{
  "$schema": "../schema/fixture-file.schema.json",
  "category": "bundle-parsing",
  "description": "d",
  "generated_by": "handwritten",
  "groups": [{
    "id": "g", "description": "d", "identifiers": "stable",
    "context": {},
    "cases": [{
      "id": "bundle-parsing/g/empty", "rules": ["B1"], "level": "MUST", "comment": "c", "flags": [], "result": "valid",
      "input": {"plaintext": {"room_keys": [], "withheld": []}},
      "expected": {"outcome": "parsed", "room_keys": [], "withheld": [], "skipped": []}
    }]
  }]
}"#;

fn error_of(text: &str) -> String {
    parse_file(text, Path::new("bundle-parsing/broken.json"))
        .expect_err("must be refused")
        .to_string()
}

#[test]
fn the_good_file_loads() {
    assert_eq!(
        parse_file(GOOD, Path::new("x.json")).expect("loads").len(),
        1
    );
}

#[test]
fn invalid_json_names_file_line_and_column() {
    let e = error_of(&GOOD.replace("\"result\": \"valid\",", "\"result\": \"valid\""));
    assert!(
        e.starts_with("bundle-parsing/broken.json: at /: not valid JSON (line 11"),
        "{e}"
    );
}

#[test]
fn unknown_verdict_names_its_path() {
    let e = error_of(&GOOD.replace("\"valid\"", "\"maybe\""));
    assert!(
        e.contains("at /groups/0/cases/0/result: unknown variant `maybe`"),
        "{e}"
    );
}

#[test]
fn unknown_or_missing_level_names_its_path() {
    let e = error_of(&GOOD.replace("\"level\": \"MUST\"", "\"level\": \"must\""));
    assert!(
        e.contains("at /groups/0/cases/0/level: unknown variant `must`"),
        "{e}"
    );
    let e = error_of(&GOOD.replace("\"level\": \"MUST\", ", ""));
    assert!(
        e.contains("at /groups/0/cases/0: missing field `level`"),
        "{e}"
    );
}

#[test]
fn mistyped_input_names_the_case_input_path() {
    let e = error_of(&GOOD.replace("{\"plaintext\": {", "{\"plaintext_text\": 5, \"x\": {"));
    assert!(
        e.contains("bundle-parsing/broken.json: at /groups/0/cases/0/input/"),
        "{e}"
    );
}

#[test]
fn mistyped_context_names_the_group_context_path() {
    let text = GOOD.replace("\"context\": {}", "\"context\": {\"plaintext_base64\": 7}");
    let e = error_of(&text);
    assert!(
        e.contains("at /groups/0/context/plaintext_base64: invalid type"),
        "{e}"
    );
}

#[test]
fn malformed_expected_outcome_names_its_path() {
    let e = error_of(&GOOD.replace("\"outcome\": \"parsed\"", "\"outcome\": \"fine\""));
    assert!(e.contains("at /groups/0/cases/0/expected"), "{e}");
}

#[test]
fn case_id_outside_its_category_is_refused() {
    let e = error_of(&GOOD.replace("bundle-parsing/g/empty", "file-decryption/g/empty"));
    assert!(e.contains("at /groups/0/cases/0/id: case id `file-decryption/g/empty` must start with `bundle-parsing/`"), "{e}");
}

#[test]
fn case_without_rules_or_comment_is_refused() {
    assert!(error_of(&GOOD.replace("[\"B1\"]", "[]")).contains("at /groups/0/cases/0/rules"));
    assert!(
        error_of(&GOOD.replace("\"comment\": \"c\"", "\"comment\": \" \""))
            .contains("at /groups/0/cases/0/comment")
    );
}

#[test]
fn acceptable_case_without_flags_is_refused() {
    let e = error_of(&GOOD.replace("\"valid\"", "\"acceptable\""));
    assert!(
        e.contains("at /groups/0/cases/0/flags: an `acceptable` case must carry a flag"),
        "{e}"
    );
}

#[test]
fn duplicate_case_ids_across_files_name_both_places() {
    let dir = std::env::temp_dir().join(format!("msc4268-dup-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("bundle-parsing")).expect("temp dir");
    std::fs::write(dir.join("bundle-parsing/a.json"), GOOD).expect("write");
    std::fs::write(dir.join("bundle-parsing/b.json"), GOOD).expect("write");
    let e = load_dir(&dir).expect_err("duplicate ids").to_string();
    std::fs::remove_dir_all(&dir).ok();
    assert!(e.contains("bundle-parsing/b.json: at /groups/0/cases/0/id: case id `bundle-parsing/g/empty` is also used at bundle-parsing/a.json#/groups/0/cases/0"), "{e}");
}
