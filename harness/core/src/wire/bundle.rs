//! PLACEHOLDER (owned by the lead).
use crate::cases::BundleParseOutcome;
/// Parse.
pub fn parse_outcome(_bytes: &[u8]) -> BundleParseOutcome {
    todo!()
}
