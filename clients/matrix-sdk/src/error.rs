//! Errors of the matrix-sdk actor.

use msc4268_protocol::client::CommandError;

/// Everything that can go wrong while the actor drives its client.
#[derive(Debug, thiserror::Error)]
pub enum ActorError {
    /// A matrix-sdk client call failed.
    #[error("matrix-sdk: {0}")]
    Matrix(Box<matrix_sdk::Error>),
    /// A matrix-sdk HTTP call failed.
    #[error("matrix-sdk HTTP: {0}")]
    Http(Box<matrix_sdk::HttpError>),
    /// Building a matrix-sdk client failed.
    #[error("matrix-sdk client build: {0}")]
    ClientBuild(Box<matrix_sdk::ClientBuildError>),
    /// A JSON value did not have the expected shape.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A local I/O error (the store's temp dir).
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// An identifier in a command is not valid.
    #[error("invalid identifier: {0}")]
    Identifier(#[from] matrix_sdk::ruma::IdParseError),
    /// A condition the client waits for did not happen in time.
    #[error("timed out after {seconds} s waiting until {what}")]
    Timeout {
        /// What was awaited, as a sentence.
        what: String,
        /// How long.
        seconds: u64,
    },
    /// The command needs a logged-in client, and there is none yet.
    #[error("no user is registered or logged in yet")]
    NotLoggedIn,
    /// This build's matrix-sdk has no API for the command (the reason says which).
    #[error("{0}")]
    Unsupported(String),
    /// Anything else, as a sentence.
    #[error("{0}")]
    Unexpected(String),
}

/// Result alias of the actor.
pub type Result<T, E = ActorError> = std::result::Result<T, E>;

impl From<matrix_sdk::Error> for ActorError {
    fn from(e: matrix_sdk::Error) -> Self {
        Self::Matrix(Box::new(e))
    }
}

impl From<matrix_sdk::HttpError> for ActorError {
    fn from(e: matrix_sdk::HttpError) -> Self {
        Self::Http(Box::new(e))
    }
}

impl From<matrix_sdk::ClientBuildError> for ActorError {
    fn from(e: matrix_sdk::ClientBuildError) -> Self {
        Self::ClientBuild(Box::new(e))
    }
}

impl From<ActorError> for CommandError {
    fn from(e: ActorError) -> Self {
        match e {
            ActorError::Unsupported(reason) => CommandError::Unsupported(reason),
            e => CommandError::Failed(e.to_string()),
        }
    }
}
