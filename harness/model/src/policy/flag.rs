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

use crate::identifiers::{
    IdentifierVariant, SHARED_HISTORY, SHARED_HISTORY_INTEROP, SHARED_HISTORY_UNSTABLE,
};

/// The structures that carry a `shared_history` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagStructure {
    /// `m.room_key` to-device content.
    RoomKey,
    /// `m.forwarded_room_key` content (not a route to shareability).
    ForwardedRoomKey,
    /// Key backup `BackedUpSessionData`.
    BackedUpSessionData,
    /// Key export `ExportedSessionData`.
    ExportedSessionData,
}

/// What reading the flag decided: whether a session received that way is shareable, and which
/// spelling of the flag member decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shareability {
    /// Whether a session received this way is shareable.
    pub shareable: bool,
    /// Which spelling of the flag's member decided it, if any was present.
    pub variant: Option<IdentifierVariant>,
}

/// How the inviter got a session, which decides whether it is shareable (spec §Shareable
/// sessions).
#[derive(Debug, Clone, PartialEq)]
pub enum SessionOrigin {
    /// Created by this client while the room's `history_visibility` was `visibility_at_creation`
    /// (absent: no visibility event, which servers treat as `shared`; digest D7).
    Own {
        /// The `history_visibility` value at creation time, as the state event held it.
        visibility_at_creation: Option<Value>,
    },
    /// Received in `m.room_key`; `content` holds the flag members as they arrived.
    RoomKey {
        /// Members of the `m.room_key` content besides the key itself.
        content: Map<String, Value>,
    },
    /// Restored from key backup; `session_data` holds the flag members of `BackedUpSessionData`.
    KeyBackup {
        /// Flag members of `BackedUpSessionData`.
        session_data: Map<String, Value>,
    },
    /// Imported from a key export; `session_data` holds the flag members of `ExportedSessionData`.
    KeyExport {
        /// Flag members of `ExportedSessionData`.
        session_data: Map<String, Value>,
    },
    /// Received in an earlier bundle from `forwarder`.
    RoomKeyBundle {
        /// Who sent that bundle.
        forwarder: String,
    },
    /// Received in `m.forwarded_room_key` (never a route to shareability).
    ForwardedRoomKey {
        /// Members of the `m.forwarded_room_key` content besides the key.
        content: Map<String, Value>,
    },
}

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
pub fn read(structure: FlagStructure, content: &Value) -> Shareability {
    if structure == FlagStructure::ForwardedRoomKey {
        return Shareability {
            shareable: false,
            variant: None,
        };
    }
    read_members(content.as_object())
}

fn read_members(obj: Option<&Map<String, Value>>) -> Shareability {
    match obj.and_then(deciding_member) {
        None => Shareability {
            shareable: false,
            variant: None,
        },
        Some((variant, value)) => Shareability {
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
            Shareability {
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
            Shareability {
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
