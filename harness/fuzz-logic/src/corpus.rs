//! Seed corpora from the fixture corpus (`msc4268 fuzz-corpus --out DIR`).
//!
//! Every fixture case becomes an input of the targets that read its kind of data, named after the
//! case id (`/` → `__`), under `DIR/<target>/`:
//!
//! | target | seeds from |
//! |---|---|
//! | `bundle_parser` | `bundle-parsing` plaintexts; the decrypted bundle of every `import-decision` case; `bundle-building` candidates and reference bundles |
//! | `decryptor` | `file-decryption` files and ciphertexts; `file-encryption` audit encryptions; the file and download of every `import-decision` case |
//! | `to_device_content` | `to-device-content` inputs; the content of every `olm-envelope` and `import-decision` case |
//! | `olm_envelope` | `olm-envelope` inputs; the envelope of every `import-decision` case |
//! | `import_policy`, `round_trip` | structured targets: a few fixed byte strings (all zeros decodes to the valid baseline scenario) |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use msc4268_corpus::fixture::{self, CaseInput, FixtureError};
use msc4268_model::material;
use msc4268_model::policy::build;
use msc4268_model::wire::encrypted_file;
use msc4268_protocol::cases::{BuildOperation, FileEncryptionInput, Media, carrier_bytes};
use serde_json::Value;

use crate::targets;

/// Why the corpus could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The fixtures did not load.
    #[error("{0}")]
    Fixture(#[from] FixtureError),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The seed inputs for every target, keyed by target name, then by file name.
pub type Seeds = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

fn add(seeds: &mut Seeds, target: &'static str, name: &str, data: Vec<u8>) {
    seeds
        .entry(target)
        .or_default()
        .insert(name.replace('/', "__"), data);
}

/// Computes the seeds from the fixtures in `fixtures`.
pub fn seeds(fixtures: &Path) -> Result<Seeds, CorpusError> {
    let mut seeds = Seeds::new();
    for case in fixture::load_dir(fixtures)? {
        let id = case.def.id.as_str();
        match &case.input {
            CaseInput::BundleParsing(i) => {
                if let Ok(bytes) = i.bytes() {
                    add(&mut seeds, targets::bundle::NAME, id, bytes);
                }
            }
            CaseInput::FileDecryption(i) => {
                if let Ok(ct) = carrier_bytes(&i.ciphertext) {
                    add(
                        &mut seeds,
                        targets::decrypt::NAME,
                        id,
                        decrypt_seed(&i.file, &ct),
                    );
                }
            }
            CaseInput::FileEncryption(FileEncryptionInput::Audit { encryptions, .. }) => {
                for (n, e) in encryptions.iter().enumerate() {
                    if let Ok(ct) = carrier_bytes(&e.ciphertext) {
                        let name = format!("{id}#{n}");
                        add(
                            &mut seeds,
                            targets::decrypt::NAME,
                            &name,
                            decrypt_seed(&e.file, &ct),
                        );
                    }
                }
            }
            // Made at run time from a declared limit (64 MiB for the reference): no seed.
            CaseInput::FileEncryption(FileEncryptionInput::Encrypt { .. })
            | CaseInput::FileDecryptionOverLimit(_) => {}
            CaseInput::ToDeviceContent(i) => {
                add(&mut seeds, targets::to_device::NAME, id, json_bytes(i));
            }
            CaseInput::OlmEnvelope(i) => {
                add(&mut seeds, targets::olm::NAME, id, json_bytes(i));
                let pt = i.event.plaintext_value().unwrap_or_default();
                if let Some(content) = pt.get("content") {
                    let td = serde_json::json!({"type": pt.get("type"), "content": content});
                    add(&mut seeds, targets::to_device::NAME, id, json_bytes(&td));
                }
            }
            CaseInput::ImportDecision(i) => {
                let envelope = serde_json::json!({
                    "recipient": i.recipient, "event": i.event, "known_devices": i.known_devices,
                });
                add(&mut seeds, targets::olm::NAME, id, json_bytes(&envelope));
                let pt = &i.event.plaintext_value().unwrap_or_default();
                if let Some(content) = pt.get("content") {
                    let td = serde_json::json!({"type": pt.get("type"), "content": content});
                    add(&mut seeds, targets::to_device::NAME, id, json_bytes(&td));
                }
                let file = pt.pointer("/content/file");
                if let (Some(file), Media::Available { ciphertext }) = (file, &i.media)
                    && let Ok(ct) = carrier_bytes(ciphertext)
                {
                    add(
                        &mut seeds,
                        targets::decrypt::NAME,
                        id,
                        decrypt_seed(file, &ct),
                    );
                    if let Ok(f) = encrypted_file::parse(file, "")
                        && let Ok(plain) = msc4268_model::attachment::decrypt(
                            &f,
                            ct.as_slice(),
                            msc4268_model::attachment::DEFAULT_MAX_SIZE,
                        )
                    {
                        add(&mut seeds, targets::bundle::NAME, id, plain);
                    }
                }
            }
            CaseInput::BundleBuilding(i) => {
                if let Some(c) = &i.candidate {
                    add(&mut seeds, targets::bundle::NAME, id, json_bytes(c));
                }
                if i.operation == BuildOperation::Build
                    && let Ok(Some(b)) = build::build(&build::BuildRequest::from(i))
                {
                    add(
                        &mut seeds,
                        targets::bundle::NAME,
                        &format!("{id}#built"),
                        json_bytes(&b),
                    );
                }
            }
            CaseInput::SharedHistoryFlag(_) => {}
        }
    }
    for target in [targets::import::NAME, targets::round_trip::NAME] {
        for (name, data) in structured_seeds(target) {
            add(&mut seeds, target, &name, data);
        }
    }
    Ok(seeds)
}

/// Fixed seeds for a structured target: all zeros (the baseline scenario) at a few lengths, and
/// deterministic pseudo-random bytes.
fn structured_seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("zeros-64".to_owned(), vec![0u8; 64]),
        ("zeros-256".to_owned(), vec![0u8; 256]),
    ];
    for n in 0..8 {
        let len = 64 << (n % 4);
        out.push((
            format!("pseudo-random-{n}"),
            material::bytes(&format!("fuzz-seed/{target}/{n}"), len),
        ));
    }
    out
}

/// A `decryptor` input with the file's own hash and the default size limit.
fn decrypt_seed(file: &Value, ciphertext: &[u8]) -> Vec<u8> {
    targets::decrypt::input(3 << 1, file, ciphertext)
}

fn json_bytes(v: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// Writes the seeds from `fixtures` under `out/<target>/`; returns how many files per target.
pub fn write(fixtures: &Path, out: &Path) -> Result<BTreeMap<&'static str, usize>, CorpusError> {
    let seeds = seeds(fixtures)?;
    let mut counts = BTreeMap::new();
    for (target, files) in &seeds {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).map_err(|source| CorpusError::Io {
            path: dir.clone(),
            source,
        })?;
        for (name, data) in files {
            let path = dir.join(name);
            std::fs::write(&path, data).map_err(|source| CorpusError::Io { path, source })?;
        }
        counts.insert(*target, files.len());
    }
    Ok(counts)
}

/// Every file directly under `dir` whose name does not start with `.`, sorted by path, with its
/// bytes: a corpus or regression directory as libFuzzer reads it. A missing `dir` is empty.
pub fn read_inputs(dir: &Path) -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if path.is_file() && !hidden {
            files.push(path);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(&p).map(|data| (p, data)))
        .collect()
}
