//! The scenario registry shipped with this crate (`scenarios/scenarios.json`); its format and
//! checks are `msc4268_corpus::scenario_registry`'s.

use std::path::Path;

pub use msc4268_harness::corpus::scenario_registry::{
    CATEGORY, REGISTRY_FILE, RegisteredScenario, Registry, RegistryError,
};

/// The registry as shipped with this crate.
pub const REGISTRY_JSON: &str = include_str!("../scenarios.json");

/// Parses and checks the shipped registry.
pub fn registry() -> Result<Registry, RegistryError> {
    Registry::parse(REGISTRY_JSON, Path::new(REGISTRY_FILE))
}
