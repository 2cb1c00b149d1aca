//! The deterministic fixture generator.
//!
//! Every fixture file is produced here from labelled, deterministic key material
//! ([`msc4268_model::material`]); `msc4268 fixtures generate` writes them and `msc4268 fixtures check`
//! fails when the checked-in files differ. Expected outcomes are written *by construction* (the
//! generator knows what it built and what the rules require), never by asking the reference model,
//! so the suite's run of the reference model is a real test.

mod bundle_building;
mod bundle_parsing;
mod case;
mod cast;
mod file_decryption;
mod file_encryption;
mod import_decision;
mod json_text;
mod olm_envelope;
mod shared_history_flag;
mod to_device;
mod vectors;

pub mod mutants;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};

use msc4268_corpus::fixture::{BugClass, CaseDef, FixtureFile, GroupDef, SCHEMA_FILE, Verdict};
use msc4268_corpus::rules::{Catalogue, Level, LevelError};
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::IdentifierVariant;

/// One generated file: where it goes under `fixtures/`, and its content.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// Path relative to the fixtures directory, e.g. `bundle-parsing/room-keys-fields.json`.
    pub path: String,
    /// The content.
    pub file: FixtureFile,
}

/// Why the generator cannot produce the fixtures.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The embedded rule catalogue does not parse.
    #[error("fixtures/rules.json: {0}")]
    Catalogue(#[from] serde_json::Error),
    /// A case's level cannot be derived from the catalogue.
    #[error("{path}: case {case}: {source}")]
    Level {
        /// The fixture file.
        path: String,
        /// The case id.
        case: String,
        /// What is wrong.
        source: LevelError,
    },
    /// Reading or writing a fixture file failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Every fixture file the generator makes, in a stable order, each case with the level the
/// catalogue gives its deciding rule.
pub fn all() -> Result<Vec<GeneratedFile>, GenerateError> {
    let mut files = unchecked_files();
    let catalogue = msc4268_corpus::rules::catalogue()?;
    for g in &mut files {
        for c in g.file.groups.iter_mut().flat_map(|gr| &mut gr.cases) {
            c.level =
                catalogue
                    .deciding_level(&c.rules)
                    .map_err(|source| GenerateError::Level {
                        path: g.path.clone(),
                        case: c.id.clone(),
                        source,
                    })?;
        }
    }
    Ok(files)
}

/// Every fixture file, before [`all`] sets the levels from the catalogue.
fn unchecked_files() -> Vec<GeneratedFile> {
    let mut out = Vec::new();
    out.extend(bundle_parsing::files());
    out.extend(file_decryption::files());
    out.extend(file_encryption::files());
    out.extend(to_device::files());
    out.extend(olm_envelope::files());
    out.extend(import_decision::files());
    out.extend(bundle_building::files());
    out.extend(shared_history_flag::files());
    for g in &mut out {
        if matches!(
            g.file.category,
            Category::OlmEnvelope | Category::ImportDecision
        ) {
            for group in &mut g.file.groups {
                add_replay(group);
            }
        }
    }
    out
}

/// Publishes the replay data of each case of `group` (`input.replay`: the fixture devices' secret
/// keys, the identity pinned before; [`msc4268_model::material::replay_for`]), in the group's
/// context when it is the same for every case.
fn add_replay(group: &mut GroupDef) {
    let replays: Vec<Option<Value>> = group
        .cases
        .iter()
        .map(|c| {
            let mut merged = group.context.clone();
            merged.extend(c.input.clone());
            msc4268_model::material::replay_for(&Value::Object(merged))
                .and_then(|r| serde_json::to_value(r).ok())
        })
        .collect();
    let shared = replays.windows(2).all(|w| w[0] == w[1]);
    match replays.first() {
        Some(Some(r)) if shared => {
            group.context.insert("replay".into(), r.clone());
        }
        _ => {
            for (case, replay) in group.cases.iter_mut().zip(replays) {
                if let Some(r) = replay {
                    case.input.insert("replay".into(), r);
                }
            }
        }
    }
}

/// Starts a fixture file of `category` at `category/<name>.json`, written by the generator module
/// `module` (pass `module_path!()`; see [`generated_by`]).
pub fn file(category: Category, name: &str, description: &str, module: &str) -> GeneratedFile {
    let depth = 1 + name.matches('/').count();
    GeneratedFile {
        path: format!("{}/{name}.json", category.as_str()),
        file: FixtureFile {
            schema: format!("{}schema/{SCHEMA_FILE}", "../".repeat(depth)),
            category,
            description: description.into(),
            generated_by: generated_by(module),
            groups: Vec::new(),
        },
    }
}

/// The `generated_by` of a file written by the generator module `module` (a `module_path!()`):
/// `msc4268-generator: <category>::<group>`, the module path inside this crate.
pub fn generated_by(module: &str) -> String {
    let inside = module
        .strip_prefix(concat!(module_path!(), "::"))
        .unwrap_or(module);
    format!("msc4268-generator: {inside}")
}

/// A group with no context yet.
pub fn group(id: &str, description: &str, identifiers: IdentifierVariant) -> GroupDef {
    GroupDef {
        id: id.into(),
        description: description.into(),
        identifiers,
        context: Map::new(),
        cases: Vec::new(),
    }
}

/// The embedded rule catalogue, parsed once; `None` if it does not parse (then [`all`] reports
/// the parse error).
fn catalogue() -> Option<&'static Catalogue> {
    static CATALOGUE: OnceLock<Option<Catalogue>> = OnceLock::new();
    CATALOGUE
        .get_or_init(|| msc4268_corpus::rules::catalogue().ok())
        .as_ref()
}

/// The level of a case naming `rules`: the catalogue's level of its deciding rule (the first,
/// [`Catalogue::deciding_level`]). Where the catalogue has no such rule the case is marked
/// `MUST` here, and [`all`], which sets every case's level from the catalogue again, refuses to
/// return it ([`GenerateError::Level`]): no fixture is written with a level the catalogue does
/// not give.
fn deciding_level(rules: &[String]) -> Level {
    catalogue()
        .and_then(|c| c.deciding_level(rules).ok())
        .unwrap_or(Level::Must)
}

/// A case. `input` must be a JSON object. Its `level` is the catalogue's level of its first rule.
pub fn case(
    id: String,
    rules: &[&str],
    comment: &str,
    flags: &[BugClass],
    result: Verdict,
    input: Value,
    expected: Value,
) -> CaseDef {
    let rules: Vec<String> = rules
        .iter()
        .enumerate()
        .filter(|(i, r)| !rules[..*i].contains(r))
        .map(|(_, r)| (*r).to_owned())
        .collect();
    CaseDef {
        id,
        level: deciding_level(&rules),
        rules,
        comment: comment.into(),
        flags: flags.to_vec(),
        result,
        handwritten: false,
        input: match input {
            Value::Object(m) => m,
            other => {
                let mut m = Map::new();
                m.insert("value".into(), other);
                m
            }
        },
        expected,
        also_acceptable: Vec::new(),
    }
}

/// Renders a fixture file as it is stored: pretty JSON with object members of free-form values
/// sorted by key (so the output does not depend on serde_json's map features), and a final newline.
pub fn render(file: &FixtureFile) -> String {
    let value = serde_json::to_value(file).unwrap_or(Value::Null);
    let mut out = String::new();
    write_pretty(&value, 0, &mut out, true);
    out.push('\n');
    out
}

const FIELD_ORDER: &[&str] = &[
    "$schema",
    "category",
    "description",
    "generated_by",
    "groups",
    "id",
    "rules",
    "level",
    "comment",
    "flags",
    "result",
    "handwritten",
    "identifiers",
    "context",
    "input",
    "expected",
    "also_acceptable",
    "cases",
];

fn write_pretty(v: &Value, indent: usize, out: &mut String, structural: bool) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_pretty(item, indent + 1, out, structural);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| {
                let rank = if structural {
                    FIELD_ORDER.iter().position(|f| f == k)
                } else {
                    None
                };
                (rank.unwrap_or(usize::MAX), (*k).clone())
            });
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push_str(": ");
                let free = matches!(
                    key.as_str(),
                    "context" | "input" | "expected" | "also_acceptable"
                );
                write_pretty(&map[*key], indent + 1, out, structural && !free);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

/// Writes every generated file under `dir`, returning the paths written.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, GenerateError> {
    let mut written = Vec::new();
    for g in all()? {
        let path = dir.join(&g.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let text = render(&g.file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text)?;
        }
        written.push(path);
    }
    Ok(written)
}

/// A difference between the checked-in fixtures and the generator's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The generator makes this file but it is not checked in.
    Missing(String),
    /// The checked-in file differs; the first differing line is given.
    Changed {
        /// File.
        path: String,
        /// 1-based line number of the first difference.
        line: usize,
    },
    /// A checked-in generated file the generator no longer makes.
    Stale(String),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing(p) => write!(f, "{p}: generated but not checked in"),
            Drift::Changed { path, line } => write!(
                f,
                "{path}: differs from the generator's output from line {line}"
            ),
            Drift::Stale(p) => write!(f, "{p}: checked in but no longer generated (delete it)"),
        }
    }
}

/// Compares the checked-in files under `dir` with what the generator makes. Hand-written files
/// (under `dir/handwritten/`) are not the generator's and are ignored.
pub fn check(dir: &Path) -> Result<Vec<Drift>, GenerateError> {
    let mut drift = Vec::new();
    let mut expected = std::collections::BTreeSet::new();
    for g in all()? {
        expected.insert(g.path.clone());
        let text = render(&g.file);
        match std::fs::read_to_string(dir.join(&g.path)) {
            Err(_) => drift.push(Drift::Missing(g.path)),
            Ok(current) if current != text => {
                let line = current
                    .lines()
                    .zip(text.lines())
                    .take_while(|(a, b)| a == b)
                    .count()
                    + 1;
                drift.push(Drift::Changed { path: g.path, line });
            }
            Ok(_) => {}
        }
    }
    for cat in Category::ALL {
        let sub = dir.join(cat.as_str());
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        for e in entries.flatten() {
            let rel = format!("{}/{}", cat.as_str(), e.file_name().to_string_lossy());
            if rel.ends_with(".json") && !expected.contains(&rel) {
                drift.push(Drift::Stale(rel));
            }
        }
    }
    Ok(drift)
}

/// Serialises any value to JSON for fixture inputs.
pub fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Test helper: renders each file, loads it back as the suite would, and asserts that the
/// reference model passes every case (skips included as failures).
#[cfg(test)]
pub(crate) fn assert_reference_passes(files: Vec<GeneratedFile>) {
    use msc4268_harness::runner::{Status, run_case};
    use msc4268_model::reference::Reference;
    for g in files {
        let text = render(&g.file);
        let cases = msc4268_corpus::fixture::parse_file(&text, Path::new(&g.path))
            .expect("generated fixtures load");
        for c in cases {
            let r = run_case(&Reference, &c);
            assert_eq!(r.status, Status::Passed, "{}", r.explain());
        }
    }
}
