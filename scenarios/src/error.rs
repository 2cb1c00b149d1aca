//! Errors of the scenario harness.

/// Everything that can go wrong while setting up or running a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The Docker engine could not be reached.
    #[error(
        "Docker is not reachable ({0}). The MSC4268 scenario tests start Synapse in containers and need \
         a running Docker engine. To report them as ignored instead, set MSC4268_SKIP_DOCKER=1"
    )]
    DockerUnavailable(String),
    /// A Docker API call failed.
    #[error("docker API: {0}")]
    Docker(Box<testcontainers::bollard::errors::Error>),
    /// testcontainers failed to start or inspect a container.
    #[error("testcontainers: {0}")]
    Testcontainers(Box<testcontainers::TestcontainersError>),
    /// `homeserver/build-image.sh` failed or could not be run.
    #[error("Synapse image: {0}")]
    Image(String),
    /// A local I/O error (temp dirs, sockets, log files).
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A JSON value did not have the expected shape.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Generating test certificates failed.
    #[error("certificate generation: {0}")]
    Certificate(Box<rcgen::Error>),
    /// A condition a scenario waits for did not happen in time.
    #[error("timed out after {seconds} s waiting until {what}")]
    Timeout {
        /// What was awaited, as a sentence.
        what: String,
        /// How long.
        seconds: u64,
    },
    /// A scenario step found something other than what it expected.
    #[error("{0}")]
    Unexpected(String),
    /// An actor misbehaved: it hung, crashed, wrote something that is not a reply, or answered
    /// with a result of the wrong shape.
    #[error("actor: {0}")]
    Actor(String),
    /// A client answered `failed`: it tried the command and could not do it (a server error, a
    /// download or decryption that failed).
    #[error("{0}")]
    ClientFailed(String),
    /// A client under test answered `unsupported` to a command the scenario needs: the scenario
    /// is skipped, not failed.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The suite's own in-process client failed (also a matrix-sdk call of the adversary, which
    /// uses that client directly).
    #[error("{0}")]
    OwnClient(#[from] msc4268_client_matrix_sdk::ActorError),
}

/// Result alias of the scenario harness.
pub type Result<T, E = ScenarioError> = std::result::Result<T, E>;

macro_rules! boxed_from {
    ($($variant:ident: $ty:ty),* $(,)?) => {
        $(impl From<$ty> for ScenarioError {
            fn from(e: $ty) -> Self {
                ScenarioError::$variant(Box::new(e))
            }
        })*
    };
}

boxed_from!(
    Docker: testcontainers::bollard::errors::Error,
    Testcontainers: testcontainers::TestcontainersError,
    Certificate: rcgen::Error,
);

/// A matrix-sdk call of the in-process adversary failed: an error of the suite's own client.
macro_rules! own_client_from {
    ($($ty:ty),* $(,)?) => {
        $(impl From<$ty> for ScenarioError {
            fn from(e: $ty) -> Self {
                ScenarioError::OwnClient(msc4268_client_matrix_sdk::ActorError::from(e))
            }
        })*
    };
}

own_client_from!(matrix_sdk::Error, matrix_sdk::HttpError);
