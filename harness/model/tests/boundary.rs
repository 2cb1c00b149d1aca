//! The model's boundary: only `src/reference.rs` and `src/reference/` may name the case contract
//! (`msc4268_protocol`); every other module of the model speaks its own types.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_reference_module_names_the_case_contract() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let boundary_file = src.join("reference.rs");
    let boundary_dir = src.join("reference");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 10,
        "only {} files under {}",
        files.len(),
        src.display()
    );
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| **f != boundary_file && !f.starts_with(&boundary_dir))
        // Known exception, to move out: the replay data the fixtures publish (device seeds) is
        // built next to the key material it derives from.
        .filter(|f| !f.ends_with("material.rs"))
        .filter(|f| {
            let text =
                std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            text.contains("msc4268_protocol")
        })
        .map(|f| f.strip_prefix(&src).unwrap_or(f).display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "these model files name the case contract; convert in src/reference/convert.rs instead: {offenders:?}"
    );
    assert!(
        std::fs::read_to_string(&boundary_file)
            .expect("src/reference.rs")
            .contains("msc4268_protocol"),
        "the boundary moved: update this test"
    );
}

/// The model's placeholder URL is the one the case contract publishes.
#[test]
fn the_placeholder_url_is_the_contracts() {
    assert_eq!(
        msc4268_model::attachment::PLACEHOLDER_URL,
        msc4268_protocol::cases::PLACEHOLDER_URL
    );
}
