//! The corpus this crate version carries: every fixture file, the rule catalogue and the JSON
//! Schemas, embedded at build time from `fixtures/` (packaged with the crate), so an SDK that
//! depends on this crate runs the corpus with no path to a vendored copy.
//!
//! A vendored or newer copy can still be read from disk with [`crate::fixture::load_dir`].

use include_dir::{Dir, DirEntry, include_dir};

use crate::fixture::{Case, FixtureError, load_texts};

/// The `fixtures/` directory as it was when this crate was built.
pub static FIXTURES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures");

/// Every fixture file: (path relative to `fixtures/`, text), sorted by path; the schemas and the
/// rule catalogue are not fixture files and are left out, as [`crate::fixture::load_dir`] does.
pub fn fixture_files() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    collect(&FIXTURES, &mut out);
    out.sort();
    out
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(&'static str, &'static str)>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => {
                let name = d.path().file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name != "schema" && !name.starts_with('.') {
                    collect(d, out);
                }
            }
            DirEntry::File(f) => {
                let path = f.path().to_str();
                let text = f.contents_utf8();
                if let (Some(path), Some(text)) = (path, text)
                    && path.ends_with(".json")
                    && path != "rules.json"
                {
                    out.push((path, text));
                }
            }
        }
    }
}

/// Every case of the embedded corpus, loaded as [`crate::fixture::load_dir`] would load the
/// `fixtures/` directory.
pub fn cases() -> Result<Vec<Case>, FixtureError> {
    load_texts(fixture_files())
}

/// The text of an embedded file (e.g. `schema/fixture-file.schema.json`), if it exists.
pub fn file(path: &str) -> Option<&'static str> {
    FIXTURES.get_file(path).and_then(|f| f.contents_utf8())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_corpus_is_the_fixtures_directory() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let on_disk = crate::fixture::load_dir(&dir).expect("fixtures load");
        let embedded = super::cases().expect("embedded fixtures load");
        assert!(!embedded.is_empty());
        let ids =
            |c: &[crate::fixture::Case]| c.iter().map(|c| c.def.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&embedded), ids(&on_disk));
    }
}
