//! PLACEHOLDER (owned by the build helper).
use crate::cases::{FlagOutcome, FlagStructure, SessionOrigin};
use serde_json::Value;
/// Read.
pub fn read(_s: FlagStructure, _content: &Value) -> FlagOutcome {
    todo!()
}
/// Origin.
pub fn origin_shareable(_o: &SessionOrigin) -> bool {
    todo!()
}
