//! MSC4268 multi-client share scenarios: real clients (Alice, Bob, Charlie) against real Synapse
//! homeservers started in Docker with testcontainers. Alice's and Bob's clients are the clients
//! under test, actor processes of any SDK driven through the client-actor protocol
//! ([`actor`], [`cast`]); everyone else is the suite's own matrix-sdk client.
//!
//! The Synapse image is built locally by `homeserver/build-image.sh` (no registry); see
//! [`docker::prepare`]. Each scenario gets its own network and homeserver(s) ([`scenario::Env`]),
//! and its container logs are kept and printed when it fails ([`scenario::Runner`]). Which
//! scenarios exist, where they are defined and which rules they observe is data:
//! `scenarios/scenarios.json`, read by [`registry::registry`].

pub mod actor;
pub mod adversary;
pub mod audit;
pub mod cast;
pub mod docker;
pub mod error;
pub mod homeserver;
pub mod registry;
pub mod scenario;
pub mod tls;

pub use actor::Actor;
pub use error::{Result, ScenarioError};
pub use msc4268_protocol::client::{HistoryVisibility, Reading, ReceivedBundle};
pub use scenario::{Env, RunOutcome, Runner, expect};
