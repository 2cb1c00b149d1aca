//! PLACEHOLDER (owned by the lead).
use crate::cases::{ImportInput, ImportOutcome};
/// Decide.
pub fn decide(_input: &ImportInput) -> ImportOutcome {
    todo!()
}
