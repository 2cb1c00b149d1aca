//! Indexes where the reference model (`harness/model/src`) names each rule id, for
//! `msc4268 rules <ID>`: writes `$OUT_DIR/code_refs.rs`, a slice of `CodeRef`s (rule, file relative
//! to the repository root, line, enclosing function) that `src/rule_info.rs` includes. Built at
//! compile time so an installed binary still knows the locations. Test code is left out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "build/rule_scan.rs"]
mod rule_scan;

/// The reference model's sources, relative to the repository root.
const MODEL_SRC: &str = "harness/model/src";

fn main() -> std::io::Result<()> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let model = root.join(MODEL_SRC);
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/rule_scan.rs");
    println!("cargo:rerun-if-changed={}", model.display());
    println!("cargo:rustc-env=MSC4268_REPO_ROOT={}", root.display());
    let table = if model.is_dir() {
        table(&root, &model)?
    } else {
        println!(
            "cargo:warning={} not found: `msc4268 rules <ID>` will list no code locations",
            model.display()
        );
        "&[]".to_owned()
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    std::fs::write(out.join("code_refs.rs"), table)
}

/// The Rust expression of the table: `&[CodeRef { .. }, ..]`.
fn table(root: &Path, model: &Path) -> std::io::Result<String> {
    let mut text = String::from("&[\n");
    for found in rule_scan::scan_tree(root, model)? {
        let l = &found.literal;
        if l.in_test {
            continue;
        }
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "    CodeRef {{ rule: {:?}, file: {:?}, line: {}, function: {:?} }},",
            l.rule,
            found.file,
            l.line,
            l.function.as_deref()
        );
    }
    text.push(']');
    Ok(text)
}
