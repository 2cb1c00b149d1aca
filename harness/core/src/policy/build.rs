//! PLACEHOLDER (owned by the build helper).
use crate::cases::{BuildInput, BuildOutcome};
use crate::error::Violation;
use serde_json::Value;
/// Build.
pub fn build(_input: &BuildInput) -> Result<Option<Value>, Violation> {
    todo!()
}
/// Audit.
pub fn audit(_input: &BuildInput, _candidate: &Value) -> Result<(), Violation> {
    todo!()
}
/// Summarise.
pub fn summarise(_bundle: &Value) -> Result<BuildOutcome, Violation> {
    todo!()
}
