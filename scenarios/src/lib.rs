//! MSC4268 multi-client share scenarios: real matrix-sdk 0.18 clients (Alice, Bob, Charlie)
//! against real Synapse homeservers started in Docker with testcontainers.
//!
//! The Synapse image is built locally by `homeserver/build-image.sh` (no registry); see
//! [`docker::prepare`]. Each scenario gets its own network and homeserver(s) ([`scenario::Env`]),
//! and its container logs are kept and printed when it fails ([`scenario::Runner`]). Which
//! scenarios exist, where they are defined and which rules they observe is data:
//! `scenarios/scenarios.json`, read by [`registry::registry`].

pub mod adversary;
pub mod audit;
pub mod client;
pub mod docker;
pub mod error;
pub mod homeserver;
pub mod registry;
pub mod scenario;
pub mod tls;

pub use client::{Actor, Reading, ReceivedBundle};
pub use error::{Result, ScenarioError};
pub use scenario::{Env, Runner, expect};
