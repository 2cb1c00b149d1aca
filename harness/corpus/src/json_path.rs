//! Reading the suite's JSON files (fixtures, expected-failures lists, scenario results) with
//! errors that name the file and the JSON pointer of the offending value.

use std::path::{Path, PathBuf};

/// A JSON file that cannot be used: which file, where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: at {path}: {message}", file = file.display())]
pub struct JsonFileError {
    /// The file.
    pub file: PathBuf,
    /// JSON pointer of the offending value (`/` for the whole file).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl JsonFileError {
    /// An error at `path` (empty: the whole file) of `file`.
    pub fn new(file: &Path, path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        JsonFileError {
            file: file.to_owned(),
            path: if path.is_empty() { "/".into() } else { path },
            message: message.into(),
        }
    }
}

/// Appends `segment` to the JSON pointer `base`, escaping `~` and `/` as RFC 6901 requires.
pub fn pointer(base: &str, segment: impl std::fmt::Display) -> String {
    let seg = segment.to_string().replace('~', "~0").replace('/', "~1");
    format!("{base}/{seg}")
}

/// Converts serde_path_to_error's path (`groups[0].cases[3].input`) to a JSON pointer.
pub fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out = pointer(&out, index),
            Segment::Map { key } => out = pointer(&out, key),
            Segment::Enum { variant } => out = pointer(&out, variant),
            Segment::Unknown => out.push_str("/?"),
        }
    }
    out
}

/// Deserialises `text` as the content of `file`; on failure, the error names the JSON pointer of
/// the offending value (a syntax error names its line and column).
pub fn deserialize_file<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &Path,
) -> Result<T, JsonFileError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = pointer_of(e.path());
        let inner = e.into_inner();
        // A syntax error is located by line and column; the partial path serde_path_to_error
        // tracked up to it (`/?` for a key it never read) names no value of the file.
        let (path, message) = if inner.is_syntax() || inner.is_eof() {
            let message = format!(
                "not valid JSON (line {}, column {}): {inner}",
                inner.line(),
                inner.column()
            );
            (String::new(), message)
        } else {
            (path, inner.to_string())
        };
        JsonFileError::new(file, path, message)
    })
}

/// Deserialises a JSON value found at `base` in `file`; errors name `base` plus the inner path.
pub fn deserialize_value_at<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    file: &Path,
    base: &str,
) -> Result<T, JsonFileError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = pointer_of(e.path());
        JsonFileError::new(file, format!("{base}{inner}"), e.inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_and_errors_name_the_path() {
        assert_eq!(pointer("/a", "b/c~d"), "/a/b~1c~0d");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            xs: Vec<u8>,
        }
        let e = deserialize_file::<T>(r#"{"xs": [1, "two"]}"#, Path::new("f.json")).unwrap_err();
        assert_eq!(e.path, "/xs/1");
        assert!(e.to_string().starts_with("f.json: at /xs/1: "), "{e}");
        let e = deserialize_file::<T>("{", Path::new("f.json")).unwrap_err();
        assert_eq!(e.path, "/");
        assert!(e.message.contains("not valid JSON (line 1"), "{e}");
    }
}
