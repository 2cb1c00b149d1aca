//! Rebuilds the crate when a fixture file changes: the corpus is embedded with `include_dir!`,
//! which cannot tell cargo which files it read.

fn main() {
    println!("cargo:rerun-if-changed=fixtures");
}
