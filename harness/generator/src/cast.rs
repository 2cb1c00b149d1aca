//! The cast: the users, devices and rooms of every fixture category, defined once.
//!
//! Alice (`@alice:hs1.test`, device `ALICEDEV`) shares the history of `!history:hs1.test` with Bob
//! (`@bob:hs2.test`, device `BOBDEV`). Carol and Dave are third parties (other senders, session
//! creators, forwarders); Mallory is the attacker. Key material is derived from the user and device
//! IDs ([`msc4268_model::material`]), so a name here always means the same keys.

use msc4268_model::material::{CrossSigning, Device};

/// The room whose history is shared.
pub const ROOM: &str = "!history:hs1.test";
/// Another room, whose keys must never travel in a bundle for [`ROOM`].
pub const OTHER_ROOM: &str = "!elsewhere:hs1.test";
/// The room of the `shared-history-flag` cases.
pub const FLAGS_ROOM: &str = "!flags:hs1.test";

/// The inviter, who builds and sends the bundle.
pub const ALICE: &str = "@alice:hs1.test";
/// Alice's device that sends the bundle.
pub const ALICE_DEVICE: &str = "ALICEDEV";
/// Another device of Alice's.
pub const ALICE_PHONE: &str = "ALICEPHONE";

/// The invitee, who receives the bundle.
pub const BOB: &str = "@bob:hs2.test";
/// Bob's receiving device.
pub const BOB_DEVICE: &str = "BOBDEV";
/// Another device of Bob's.
pub const BOB_PHONE: &str = "BOBPHONE";
/// A Bob on Alice's server: the user who forwarded a key to Alice in `bundle-building`.
pub const BOB_ON_HS1: &str = "@bob:hs1.test";

/// A third party on Alice's server.
pub const CAROL: &str = "@carol:hs1.test";
/// A third party on Bob's server.
pub const CAROL_ON_HS2: &str = "@carol:hs2.test";
/// Carol's device.
pub const CAROL_DEVICE: &str = "CAROLDEV";

/// Another third party on Alice's server: the creator of a session in `import-decision`.
pub const DAVE: &str = "@dave:hs1.test";
/// Another third party on Bob's server: a forwarder in `shared-history-flag`.
pub const DAVE_ON_HS2: &str = "@dave:hs2.test";
/// Dave's device.
pub const DAVE_DEVICE: &str = "DAVEDEV";

/// The attacker, on a server of his own.
pub const MALLORY: &str = "@mallory:evil.test";
/// Mallory's device.
pub const MALLORY_DEVICE: &str = "MALLORYDEV";
/// The attacker as a user of Alice's server.
pub const MALLORY_ON_HS1: &str = "@mallory:hs1.test";
/// The device of [`MALLORY_ON_HS1`].
pub const MALLORY_ON_HS1_DEVICE: &str = "MALDEV";

/// Alice's device that sends the bundle.
pub fn alice() -> Device {
    Device::new(ALICE, ALICE_DEVICE)
}

/// Alice's cross-signing identity.
pub fn alice_cs() -> CrossSigning {
    CrossSigning::new(ALICE, "v1")
}

/// Bob's receiving device.
pub fn bob() -> Device {
    Device::new(BOB, BOB_DEVICE)
}
