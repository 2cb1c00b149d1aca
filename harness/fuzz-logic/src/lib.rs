//! # msc4268-fuzz-logic
//!
//! The logic of the MSC4268 fuzz targets: each target is a plain function from bytes to
//! `Result<(), Finding>` that feeds the input to the reference model and checks invariants on what
//! comes back. The same functions are called from three places:
//!
//! * the cargo-fuzz targets in `fuzz/fuzz_targets/` (a [`Finding`] or a panic is a crash);
//! * the stable `cargo test` replay of the checked-in corpus and regression inputs
//!   (`tests/replay.rs`), so every crash ever found stays fixed in every CI run;
//! * `msc4268 fuzz-corpus`, which writes seed corpora from the fixtures ([`corpus`]).
//!
//! Targets ([`TARGETS`]):
//!
//! | target | input | invariants |
//! |---|---|---|
//! | `bundle_parser` | raw bundle plaintext | no panic; rejection is B1; parse ∘ serialize ∘ parse is stable ([`targets::bundle`]) |
//! | `decryptor` | flags byte, `EncryptedFile` JSON, `0x00`, ciphertext | no panic; plaintext only if the hash matched; bounded reads ([`targets::decrypt`]) |
//! | `to_device_content` | `{type, content}` JSON | accepted content is a room ID and a canonical file ([`targets::to_device`]) |
//! | `olm_envelope` | `olm-envelope` input JSON, or an Olm plaintext | accepted envelopes satisfy every O-rule ([`targets::olm`]) |
//! | `import_policy` | structured scenario ([`arbitrary`]) | never imports for another room, from a non-inviter, after a failed hash or envelope check, or over a better copy ([`targets::import`]) |
//! | `round_trip` | structured inviter store | build → encrypt → decrypt → parse = identity; the bundle passes the auditor ([`targets::round_trip`]) |

pub mod bundle_write;
pub mod corpus;
pub mod targets;

use std::fmt;

/// An invariant a target checks did not hold: a bug in the reference model (or in the target).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{target}: {invariant}: {detail}")]
pub struct Finding {
    /// The target that found it.
    pub target: &'static str,
    /// The invariant, in a few words.
    pub invariant: &'static str,
    /// What was seen.
    pub detail: String,
}

impl Finding {
    /// A finding of `target` that `invariant` broke, with `detail`.
    pub fn new(target: &'static str, invariant: &'static str, detail: impl fmt::Display) -> Self {
        Self {
            target,
            invariant,
            detail: detail.to_string(),
        }
    }
}

/// Checks `condition`; if it is false, returns a [`Finding`] with the detail `detail()` builds.
pub(crate) fn ensure(
    condition: bool,
    target: &'static str,
    invariant: &'static str,
    detail: impl FnOnce() -> String,
) -> Result<(), Finding> {
    if condition {
        Ok(())
    } else {
        Err(Finding::new(target, invariant, detail()))
    }
}

/// A fuzz target: its name (the cargo-fuzz target and corpus directory) and its logic.
#[derive(Clone, Copy)]
pub struct Target {
    /// Name of the cargo-fuzz target, and of its `fuzz/corpus/<name>` directory.
    pub name: &'static str,
    /// One line on what it fuzzes.
    pub about: &'static str,
    /// The logic: feeds `data` to the reference model and checks the invariants.
    pub run: fn(&[u8]) -> Result<(), Finding>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target").field("name", &self.name).finish()
    }
}

/// Every fuzz target, in the order `fuzz/nightly.sh` runs them.
pub static TARGETS: [Target; 6] = [
    Target {
        name: targets::bundle::NAME,
        about: "bundle plaintext bytes -> strict model; parse . serialize . parse is stable",
        run: targets::bundle::run,
    },
    Target {
        name: targets::decrypt::NAME,
        about: "EncryptedFile JSON + ciphertext -> plaintext; hash always checked, reads bounded",
        run: targets::decrypt::run,
    },
    Target {
        name: targets::to_device::NAME,
        about: "decrypted m.room_key_bundle type and content",
        run: targets::to_device::run,
    },
    Target {
        name: targets::olm::NAME,
        about: "Olm plaintext envelope checks, then the content it carries",
        run: targets::olm::run,
    },
    Target {
        name: targets::import::NAME,
        about: "structured import scenarios -> import decision; safety invariants",
        run: targets::import::run,
    },
    Target {
        name: targets::round_trip::NAME,
        about: "inviter store -> build -> encrypt -> decrypt -> parse = identity",
        run: targets::round_trip::run,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
