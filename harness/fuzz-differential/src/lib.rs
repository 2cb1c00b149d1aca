//! # msc4268-fuzz-differential
//!
//! Differential fuzzing: the same input goes to the suite's reference model
//! ([`msc4268_model::reference::Reference`]) and to the real matrix-sdk-crypto 0.18.0 (through
//! the adapter `msc4268-adapter-matrix-sdk-crypto`, which drives the crate itself), both outcomes
//! are normalised to what matters (accept / reject, the entries used, the sessions imported) and
//! compared. A disagreement is either
//!
//! * **known**: it matches an entry of the documented list [`known::KNOWN`], each of which cites
//!   a finding (`F…` in `docs/findings.md`) or a decision (`D…` / `S…` in `fixtures/rules.json`)
//!   and states, as a predicate on the input, which inputs it explains; or
//! * **new**: a finding. The cargo-fuzz targets (`fuzz/differential/`) panic with the
//!   disagreement, which libFuzzer reports as a crash; the replay test (`tests/replay.rs`) fails.
//!
//! | target | input | compared |
//! |---|---|---|
//! | `diff_decryptor` ([`decrypt`]) | the `decryptor` layout: flags byte, `EncryptedFile` JSON, `0x00`, ciphertext | decrypted (same plaintext) or refused |
//! | `diff_bundle_parser` ([`bundle`]) | raw bundle plaintext bytes | refused, or the `room_keys` / `withheld` entries used (session, index, code) |
//! | `diff_import` ([`import`]) | the `import_policy` structured scenario ([`msc4268_fuzz_logic::targets::import::ImportStory`]) | decision, sessions imported (index, forwarder), copies kept, withheld recorded |
//!
//! The inputs are the ones of the matching single-implementation targets, so their corpora seed
//! these targets.

pub mod bundle;
pub mod decrypt;
pub mod import;
pub mod known;
mod sides;

use std::fmt;

pub use known::{KNOWN, KnownDifference};

/// What comparing the two implementations on one input gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Both gave the same normalised outcome.
    Agree,
    /// The input is outside what the comparison covers (not decodable as the target's input, or
    /// the adapter skips the case because the crate does not decide it); the reason says which.
    NotCompared(String),
    /// They disagree, and every difference is explained by the documented list.
    Known(Vec<&'static KnownDifference>),
    /// They disagree in a way the documented list does not explain: a finding.
    New(Disagreement),
}

impl Verdict {
    /// Panics on a [`Verdict::New`] (so that libFuzzer reports it as a crash).
    pub fn assert_not_new(&self) {
        if let Verdict::New(d) = self {
            panic!("{d}");
        }
    }
}

/// A disagreement between the reference model and matrix-sdk-crypto.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The differential target.
    pub target: &'static str,
    /// Where they differ (e.g. `whole bundle`, `/room_keys/2`, `decision`).
    pub at: String,
    /// The reference model's normalised outcome there.
    pub reference: String,
    /// matrix-sdk-crypto's normalised outcome there.
    pub matrix_sdk_crypto: String,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "NEW differential finding ({}) at {}: reference = {}; matrix-sdk-crypto = {}. \
             Not in the known differences (harness/fuzz-differential/src/known.rs): minimise the \
             input, add a fixture case and a line in docs/findings.md (see fuzz/README.md)",
            self.target, self.at, self.reference, self.matrix_sdk_crypto
        )
    }
}

/// A differential target: its name (cargo-fuzz target and corpus directory) and its logic.
#[derive(Clone, Copy)]
pub struct Target {
    /// Name of the cargo-fuzz target in `fuzz/differential/`, and of its corpus directory.
    pub name: &'static str,
    /// The single-implementation target (`fuzz/corpus/<seed_target>`) whose input layout it reads.
    pub seed_target: &'static str,
    /// The comparison.
    pub compare: fn(&[u8]) -> Verdict,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target").field("name", &self.name).finish()
    }
}

/// Every differential target.
pub static TARGETS: [Target; 3] = [
    Target {
        name: decrypt::NAME,
        seed_target: msc4268_fuzz_logic::targets::decrypt::NAME,
        compare: decrypt::compare,
    },
    Target {
        name: bundle::NAME,
        seed_target: msc4268_fuzz_logic::targets::bundle::NAME,
        compare: bundle::compare,
    },
    Target {
        name: import::NAME,
        seed_target: msc4268_fuzz_logic::targets::import::NAME,
        compare: import::compare,
    },
];
