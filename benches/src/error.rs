//! Why a benchmark could not be set up or gave a wrong answer.

/// A benchmark setup or check failure.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// JSON could not be read or written.
    #[error("{what}: {source}")]
    Json {
        /// What was being read or written.
        what: String,
        /// The error.
        source: serde_json::Error,
    },
    /// The inputs could not be made.
    #[error("setting up the benchmark inputs: {0}")]
    Setup(String),
    /// An operation failed or gave a result other than the one the bundle calls for.
    #[error("{stage} ({implementation}, {sessions} sessions): {detail}")]
    Check {
        /// Stage measured.
        stage: &'static str,
        /// Implementation measured.
        implementation: &'static str,
        /// Bundle size in sessions.
        sessions: usize,
        /// What went wrong.
        detail: String,
    },
}

impl BenchError {
    /// A JSON error while doing `what`.
    pub fn json(what: impl Into<String>, source: serde_json::Error) -> Self {
        BenchError::Json {
            what: what.into(),
            source,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        BenchError::Io {
            path: path.to_string(),
            source,
        }
    }
}
