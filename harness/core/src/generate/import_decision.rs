//! PLACEHOLDER: generator for this category.
use super::GeneratedFile;
/// Files.
pub fn files() -> Vec<GeneratedFile> {
    Vec::new()
}
