//! Reading the `shared_history` flag, and deciding whether a stored session is shareable
//! (spec v1.19 §Shareable encryption sessions; digest §1.2, §2.6, §2.7, D1, D7).
//!
//! Decisions of the reference model:
//! * A session is shareable only if the deciding flag member is the JSON boolean `true`. A missing
//!   member, `false`, and every non-boolean value (`"true"`, `1`, `null`, `{}`) mean "not
//!   shareable" (rule R3, "in all cases").
//! * Three spellings of the member are read: the stable `shared_history`, MSC3061's unstable
//!   `org.matrix.msc3061.shared_history`, and `m.shared_history`, the name matrix-rust-sdk and ruma
//!   write (digest D1), so that rust-sdk-built keys interoperate. Fixtures mark the interop
//!   spelling's cases `acceptable`, since no spec text defines it.
//! * When several spellings are present, the first present one in the order stable, unstable,
//!   interop decides: *presence* wins, not validity (a stable `"true"` is not rescued by an
//!   unstable `true`).
//! * `m.forwarded_room_key` is never a route to shareability, whatever it carries (digest §1.2
//!   "Not a route"); no flag member decides anything there, so no variant is reported.

use serde_json::{Map, Value};

use msc4268_protocol::cases::{FlagOutcome, FlagStructure, SessionOrigin};
use msc4268_protocol::identifiers::{
    IdentifierVariant, SHARED_HISTORY, SHARED_HISTORY_INTEROP, SHARED_HISTORY_UNSTABLE,
};

/// The spellings of the flag member, in the order in which they take precedence.
pub const SPELLINGS: [(&str, IdentifierVariant); 3] = [
    (SHARED_HISTORY, IdentifierVariant::Stable),
    (SHARED_HISTORY_UNSTABLE, IdentifierVariant::Unstable),
    (SHARED_HISTORY_INTEROP, IdentifierVariant::Interop),
];

/// The flag member that decides for `obj`: its spelling and its value, if any spelling is present.
pub fn deciding_member(obj: &Map<String, Value>) -> Option<(IdentifierVariant, &Value)> {
    SPELLINGS
        .iter()
        .find_map(|(name, variant)| obj.get(*name).map(|v| (*variant, v)))
}

/// Reads the flag from `content`, a structure of kind `structure`: whether a session received
/// that way is shareable, and which spelling of the member decided it.
pub fn read(structure: FlagStructure, content: &Value) -> FlagOutcome {
    if structure == FlagStructure::ForwardedRoomKey {
        return FlagOutcome {
            shareable: false,
            variant: None,
        };
    }
    read_members(content.as_object())
}

fn read_members(obj: Option<&Map<String, Value>>) -> FlagOutcome {
    match obj.and_then(deciding_member) {
        None => FlagOutcome {
            shareable: false,
            variant: None,
        },
        Some((variant, value)) => FlagOutcome {
            shareable: value == &Value::Bool(true),
            variant: Some(variant),
        },
    }
}

/// Whether a session the inviter got through `origin` may go into a bundle's `room_keys`.
///
/// * `Own`: shareable iff the visibility at creation was `shared` or `world_readable`. An absent
///   visibility and an unknown string count as `shared`, the server default for an absent or
///   not-understood value (digest §2.6, D7), which is also what both SDKs assume. A non-string
///   value is treated as not shareable, to fail safe.
/// * `RoomKey`, `KeyBackup`, `KeyExport`: the flag, read as [`read`] does (R3, R4, R5).
/// * `RoomKeyBundle`: always shareable (R6).
/// * `ForwardedRoomKey`: never shareable (digest §1.2 "Not a route").
pub fn origin_shareable(origin: &SessionOrigin) -> bool {
    match origin {
        SessionOrigin::Own {
            visibility_at_creation,
        } => match visibility_at_creation {
            None => true,
            Some(Value::String(s)) => !matches!(s.as_str(), "joined" | "invited"),
            Some(_) => false,
        },
        SessionOrigin::RoomKey { content } => read_members(Some(content)).shareable,
        SessionOrigin::KeyBackup { session_data } | SessionOrigin::KeyExport { session_data } => {
            read_members(Some(session_data)).shareable
        }
        SessionOrigin::RoomKeyBundle { .. } => true,
        SessionOrigin::ForwardedRoomKey { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn only_boolean_true_is_shareable() {
        for (v, want) in [
            (json!(true), true),
            (json!(false), false),
            (json!("true"), false),
            (json!(1), false),
            (json!(null), false),
            (json!({}), false),
        ] {
            let out = read(FlagStructure::RoomKey, &json!({ "shared_history": v }));
            assert_eq!(out.shareable, want, "{v}");
            assert_eq!(out.variant, Some(IdentifierVariant::Stable));
        }
        let out = read(FlagStructure::ExportedSessionData, &json!({}));
        assert_eq!(
            out,
            FlagOutcome {
                shareable: false,
                variant: None
            }
        );
    }

    #[test]
    fn precedence_is_stable_unstable_interop() {
        let out = read(
            FlagStructure::BackedUpSessionData,
            &json!({"m.shared_history": true, "org.matrix.msc3061.shared_history": false}),
        );
        assert_eq!(out.variant, Some(IdentifierVariant::Unstable));
        assert!(!out.shareable);
        let out = read(
            FlagStructure::RoomKey,
            &json!({"m.shared_history": true, "shared_history": "true"}),
        );
        assert_eq!(out.variant, Some(IdentifierVariant::Stable));
        assert!(!out.shareable);
        let out = read(FlagStructure::RoomKey, &json!({"m.shared_history": true}));
        assert_eq!(out.variant, Some(IdentifierVariant::Interop));
        assert!(out.shareable);
    }

    #[test]
    fn forwarded_keys_are_never_shareable() {
        let out = read(
            FlagStructure::ForwardedRoomKey,
            &json!({"shared_history": true}),
        );
        assert_eq!(
            out,
            FlagOutcome {
                shareable: false,
                variant: None
            }
        );
        assert!(!origin_shareable(&SessionOrigin::ForwardedRoomKey {
            content: obj(json!({"shared_history": true}))
        }));
    }

    #[test]
    fn own_sessions_follow_visibility_at_creation() {
        let own = |v: Option<Value>| SessionOrigin::Own {
            visibility_at_creation: v,
        };
        assert!(origin_shareable(&own(None)));
        assert!(origin_shareable(&own(Some(json!("shared")))));
        assert!(origin_shareable(&own(Some(json!("world_readable")))));
        assert!(origin_shareable(&own(Some(json!("org.example.custom")))));
        assert!(!origin_shareable(&own(Some(json!("joined")))));
        assert!(!origin_shareable(&own(Some(json!("invited")))));
        assert!(!origin_shareable(&own(Some(json!(5)))));
        assert!(origin_shareable(&SessionOrigin::RoomKeyBundle {
            forwarder: "@a:hs".into()
        }));
        assert!(origin_shareable(&SessionOrigin::KeyExport {
            session_data: obj(json!({"org.matrix.msc3061.shared_history": true}))
        }));
    }
}
