//! Generator for `shared-history-flag`: reading the `shared_history` flag from each structure that
//! carries it (R3, R4, R5; digest §1.2, §2.6, §2.7, D1).
//!
//! Every structure × every spelling of the flag member × every value. Each (structure, spelling)
//! pair is its own group, so an implementation that does not read a spelling skips exactly those
//! cases. The contents are realistic: real Megolm keys (sharing format in `m.room_key`, export
//! format elsewhere) and real creator keys, so an implementation that parses the whole structure
//! before reading the flag can do so.
//!
//! Expectations, by construction:
//! * `m.room_key`, `BackedUpSessionData`, `ExportedSessionData`: shareable iff the member is the
//!   boolean `true`; a missing member, `false`, `"true"`, `1`, `null`, `{}` all mean not
//!   shareable (R3 "in all cases"). The outcome names the spelling of the member that was read.
//! * The interop spelling `m.shared_history` (matrix-rust-sdk, ruma) is defined by no spec text:
//!   the reference reads it, but not reading it is also acceptable (`interop`).
//! * `m.forwarded_room_key` is never a route to shareability (digest §1.2 "Not a route"), whatever
//!   flag it carries; no flag member decides, so no variant is reported. R5 covers only backup and
//!   export, so these cases use R3 (a flag that is not a valid `shared_history` counts as false).

use serde_json::{Map, Value, json};

use crate::bundle_building::sharing_format_key;
use crate::case::{GroupBuilder, spec};
use crate::cast::{CAROL, CAROL_DEVICE, DAVE_DEVICE, DAVE_ON_HS2, FLAGS_ROOM};
use crate::{GeneratedFile, file};
use msc4268_corpus::fixture::{BugClass, Verdict};
use msc4268_model::material;
use msc4268_protocol::cases::{Category, FlagStructure};
use msc4268_protocol::identifiers::{
    IdentifierVariant, MEGOLM_V1, SHARED_HISTORY, SHARED_HISTORY_INTEROP, SHARED_HISTORY_UNSTABLE,
};

mod json_text;
mod precedence;
mod structure;

const CAT: Category = Category::SharedHistoryFlag;
const ROOM: &str = FLAGS_ROOM;
/// The user whose device created the session.
const CREATOR_USER: &str = CAROL;
/// The device that created the session.
const CREATOR_DEVICE: &str = CAROL_DEVICE;
/// The user who forwarded the session.
const FORWARDER_USER: &str = DAVE_ON_HS2;
/// The device that forwarded the session.
const FORWARDER_DEVICE: &str = DAVE_DEVICE;

/// Every fixture file of this category.
pub fn files() -> Vec<GeneratedFile> {
    let mut out: Vec<GeneratedFile> = STRUCTURES.iter().map(structure::structure_file).collect();
    out.push(precedence::precedence_file());
    out.push(json_text::json_text_file());
    out
}

/// One structure that carries the flag.
struct Structure {
    kind: FlagStructure,
    /// Group id prefix and file name.
    slug: &'static str,
    /// The wire name, for comments.
    name: &'static str,
    /// The rule that says how this structure's flag is used.
    rule: &'static str,
}

const STRUCTURES: [Structure; 4] = [
    Structure {
        kind: FlagStructure::RoomKey,
        slug: "room-key",
        name: "m.room_key",
        rule: "R4",
    },
    Structure {
        kind: FlagStructure::BackedUpSessionData,
        slug: "backed-up-session-data",
        name: "BackedUpSessionData",
        rule: "R5",
    },
    Structure {
        kind: FlagStructure::ExportedSessionData,
        slug: "exported-session-data",
        name: "ExportedSessionData",
        rule: "R5",
    },
    Structure {
        kind: FlagStructure::ForwardedRoomKey,
        slug: "forwarded-room-key",
        name: "m.forwarded_room_key",
        rule: "R3",
    },
];

/// A value of the flag member.
struct FlagValue {
    /// Case name part.
    slug: &'static str,
    /// The JSON value.
    value: Value,
    /// How it reads in a comment.
    describe: &'static str,
}

fn values(stable: bool) -> Vec<FlagValue> {
    let mut v = vec![
        FlagValue {
            slug: "true",
            value: json!(true),
            describe: "the boolean true",
        },
        FlagValue {
            slug: "false",
            value: json!(false),
            describe: "the boolean false",
        },
        FlagValue {
            slug: "string-true",
            value: json!("true"),
            describe: "the string \"true\" (not a boolean)",
        },
        FlagValue {
            slug: "number-1",
            value: json!(1),
            describe: "the number 1 (not a boolean)",
        },
        FlagValue {
            slug: "null",
            value: Value::Null,
            describe: "null (not a boolean)",
        },
    ];
    if stable {
        v.push(FlagValue {
            slug: "empty-object",
            value: json!({}),
            describe: "an empty object (not a boolean)",
        });
    }
    v
}

fn spelling(variant: IdentifierVariant) -> (&'static str, &'static str) {
    match variant {
        IdentifierVariant::Stable => (SHARED_HISTORY, "stable"),
        IdentifierVariant::Unstable => (SHARED_HISTORY_UNSTABLE, "unstable"),
        IdentifierVariant::Interop => (SHARED_HISTORY_INTEROP, "interop"),
    }
}

/// The structure's JSON without any flag member, with real key material for `label`.
fn content(kind: FlagStructure, label: &str) -> Map<String, Value> {
    let session = material::megolm_session(&format!("shared-history-flag/{label}"), 0);
    let creator = material::Device::new(CREATOR_USER, CREATOR_DEVICE);
    let forwarder = material::Device::new(FORWARDER_USER, FORWARDER_DEVICE);
    let v = match kind {
        FlagStructure::RoomKey => json!({
            "algorithm": MEGOLM_V1,
            "room_id": ROOM,
            "session_id": session.session_id(),
            "session_key": sharing_format_key(&format!("shared-history-flag/{label}"), 0),
        }),
        FlagStructure::BackedUpSessionData => json!({
            "algorithm": MEGOLM_V1,
            "forwarding_curve25519_key_chain": [],
            "sender_claimed_keys": {"ed25519": creator.ed25519()},
            "sender_key": creator.curve25519(),
            "session_key": session.to_base64(),
        }),
        FlagStructure::ExportedSessionData => json!({
            "algorithm": MEGOLM_V1,
            "forwarding_curve25519_key_chain": [],
            "room_id": ROOM,
            "sender_claimed_keys": {"ed25519": creator.ed25519()},
            "sender_key": creator.curve25519(),
            "session_id": session.session_id(),
            "session_key": session.to_base64(),
        }),
        FlagStructure::ForwardedRoomKey => json!({
            "algorithm": MEGOLM_V1,
            "forwarding_curve25519_key_chain": [forwarder.curve25519()],
            "room_id": ROOM,
            "sender_claimed_ed25519_key": creator.ed25519(),
            "sender_key": creator.curve25519(),
            "session_id": session.session_id(),
            "session_key": session.to_base64(),
        }),
    };
    v.as_object().cloned().unwrap_or_default()
}

fn outcome(shareable: bool, variant: Option<IdentifierVariant>) -> Value {
    match variant {
        Some(v) => json!({"shareable": shareable, "variant": v}),
        None => json!({"shareable": shareable}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msc4268_corpus::fixture::parse_file;
    use msc4268_harness::runner::{Status, run_case};
    use msc4268_model::reference::Reference;
    use std::path::Path;

    #[test]
    fn every_case_passes_under_the_reference() {
        let mut total = 0;
        for g in files() {
            let text = super::super::render(&g.file);
            let cases =
                parse_file(&text, Path::new(&g.path)).unwrap_or_else(|e| panic!("{}: {e}", g.path));
            for c in &cases {
                let report = run_case(&Reference, c);
                assert_eq!(report.status, Status::Passed, "{}", report.explain());
            }
            total += cases.len();
        }
        assert!(total >= 70, "only {total} cases");
    }
}
