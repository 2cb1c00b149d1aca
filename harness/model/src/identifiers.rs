//! The identifiers MSC4268 and spec v1.19 put on the wire, in their stable (spec) and unstable
//! (MSC) spellings, and which spelling an input used.

/// Which spelling of an identifier an input used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdentifierVariant {
    /// The name in Matrix spec v1.19.
    Stable,
    /// The MSC's unstable prefix (`io.element.msc4268.*`, `org.matrix.msc3061.*`).
    Unstable,
    /// A name that neither the spec nor the MSC defines but an implementation uses
    /// (matrix-rust-sdk's `m.shared_history`; digest D1).
    Interop,
}

/// The to-device event type of a bundle notification, stable.
pub const ROOM_KEY_BUNDLE: &str = "m.room_key_bundle";
/// The to-device event type of a bundle notification, unstable (MSC4268).
pub const ROOM_KEY_BUNDLE_UNSTABLE: &str = "io.element.msc4268.room_key_bundle";
/// The withheld code for sessions not flagged `shared_history`, stable.
pub const HISTORY_NOT_SHARED: &str = "m.history_not_shared";
/// The withheld code for sessions not flagged `shared_history`, unstable (MSC4268).
pub const HISTORY_NOT_SHARED_UNSTABLE: &str = "io.element.msc4268.history_not_shared";
/// The session flag, stable (spec v1.19).
pub const SHARED_HISTORY: &str = "shared_history";
/// The session flag, unstable (MSC3061).
pub const SHARED_HISTORY_UNSTABLE: &str = "org.matrix.msc3061.shared_history";
/// The session flag as matrix-rust-sdk and ruma write it (digest D1); not in any spec text.
pub const SHARED_HISTORY_INTEROP: &str = "m.shared_history";
/// The only Megolm algorithm a bundle may carry.
pub const MEGOLM_V1: &str = "m.megolm.v1.aes-sha2";
/// The Olm algorithm of the outer to-device event.
pub const OLM_V1: &str = "m.olm.v1.curve25519-aes-sha2";
/// The alias matrix-rust-sdk reads for `sender_device_keys` (MSC4147).
pub const SENDER_DEVICE_KEYS_UNSTABLE: &str = "org.matrix.msc4147.device_keys";

/// Classifies a to-device event type: which spelling of the bundle event it is, if any.
pub fn bundle_event_variant(event_type: &str) -> Option<IdentifierVariant> {
    match event_type {
        ROOM_KEY_BUNDLE => Some(IdentifierVariant::Stable),
        ROOM_KEY_BUNDLE_UNSTABLE => Some(IdentifierVariant::Unstable),
        _ => None,
    }
}
