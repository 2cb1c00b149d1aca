//! `bundle_parser`: raw bytes → [`bundle::parse`], the strict bundle model.
//!
//! Invariants:
//! * no panic, whatever the bytes;
//! * a rejection of the whole bundle names rule B1 (only structure rejects the whole bundle; a bad
//!   entry is skipped on its own, S1);
//! * every entry is accounted for exactly once: each index of `room_keys` / `withheld` is either
//!   accepted or skipped, with its JSON pointer as `source`;
//! * parse ∘ serialize ∘ parse is stable: writing the parsed model ([`crate::bundle_write`]) and
//!   reading it again gives the same entries, nothing skipped, no array missing, and writing that
//!   gives the same bytes.

use msc4268_model::wire::bundle::{self, RoomKeyBundle};
use serde_json::Value;

use crate::{Finding, bundle_write, ensure};

/// Target name.
pub const NAME: &str = "bundle_parser";

/// Checks the bundle parser on `data`.
pub fn run(data: &[u8]) -> Result<(), Finding> {
    let first = match bundle::parse(data) {
        Ok(b) => b,
        Err(v) => {
            return ensure(v.rule == "B1", NAME, "whole-bundle rejection is B1", || {
                format!("rejected with {v}")
            });
        }
    };
    check_accounting(data, &first)?;
    let written = bundle_write::to_bytes(&first);
    let second = bundle::parse(&written).map_err(|v| {
        Finding::new(
            NAME,
            "a written bundle parses",
            format!("{v}; written: {}", String::from_utf8_lossy(&written)),
        )
    })?;
    ensure(
        second.skipped.is_empty() && second.missing_arrays.is_empty(),
        NAME,
        "a written bundle has nothing to skip",
        || {
            format!(
                "skipped {:?}, missing {:?}",
                second.skipped, second.missing_arrays
            )
        },
    )?;
    ensure(
        bundle_write::same_entries(&first, &second),
        NAME,
        "parse . serialize . parse keeps every entry",
        || format!("first {first:?}\nsecond {second:?}"),
    )?;
    let rewritten = bundle_write::to_bytes(&second);
    ensure(
        rewritten == written,
        NAME,
        "serialize . parse . serialize is byte-stable",
        || {
            format!(
                "{}\n!=\n{}",
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(&rewritten)
            )
        },
    )
}

/// Every array item is accepted or skipped exactly once, under its own pointer.
fn check_accounting(data: &[u8], parsed: &RoomKeyBundle) -> Result<(), Finding> {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return Err(Finding::new(
            NAME,
            "an accepted bundle is JSON",
            "bundle::parse accepted bytes serde_json rejects",
        ));
    };
    let mut expected = Vec::new();
    for name in ["room_keys", "withheld"] {
        let n = value
            .get(name)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        expected.extend((0..n).map(|i| format!("/{name}/{i}")));
    }
    let mut seen: Vec<String> = parsed
        .room_keys
        .iter()
        .map(|e| e.source.clone())
        .chain(parsed.withheld.iter().map(|e| e.source.clone()))
        .chain(parsed.skipped.iter().map(|(s, _)| s.clone()))
        .collect();
    seen.sort();
    expected.sort();
    ensure(
        seen == expected,
        NAME,
        "every array item is accepted or skipped exactly once",
        || format!("expected {expected:?}, seen {seen:?}"),
    )
}
