//! The typed error every check of the reference model returns: which rule was violated, and where.

use std::fmt;

/// A rule violation found in some input, named by rule id and JSON pointer.
///
/// Every rejection in the reference model is one of these, so reports can always say *which* rule
/// (`R15`, `A3`, `O5`, ...) an input broke and *where* (`/room_keys/2/session_key`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Violation {
    /// The rule id from `fixtures/rules.json`, e.g. `R31`.
    pub rule: &'static str,
    /// RFC 6901 JSON pointer into the input that was checked (`""` for the whole input).
    pub path: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Violation {
    /// A violation of `rule` at JSON pointer `path`.
    pub fn new(rule: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            rule,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{} at {}: {}", self.rule, path, self.message)
    }
}
