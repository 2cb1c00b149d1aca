//! Errors of the adapter itself (as opposed to refusals by the crate, which are outcomes).

/// Something went wrong in the adapter or in driving the crate, not a decision of the crate.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// The tokio runtime could not be built.
    #[error("cannot build the tokio runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// JSON (de)serialisation of something the adapter built itself failed.
    #[error("{context}: {source}")]
    Json {
        /// What was being (de)serialised.
        context: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// The crate returned an error where the adapter needed a result to go on.
    #[error("{context}: {detail}")]
    Crate {
        /// What the adapter was doing.
        context: String,
        /// The crate's error.
        detail: String,
    },
    /// The fixture input cannot be replayed through the crate (a bug in the input or adapter).
    #[error("{0}")]
    Input(String),
}

impl AdapterError {
    /// A JSON error with context.
    pub(crate) fn json(context: impl Into<String>, source: serde_json::Error) -> Self {
        AdapterError::Json {
            context: context.into(),
            source,
        }
    }

    /// A crate error with context.
    pub(crate) fn krate(context: impl Into<String>, e: impl std::fmt::Display) -> Self {
        AdapterError::Crate {
            context: context.into(),
            detail: e.to_string(),
        }
    }
}
