//! # msc4268-adapter-matrix-sdk-crypto
//!
//! Runs the MSC4268 conformance corpus against the real `matrix-sdk-crypto`, the Rust
//! implementation Element ships: 0.18.0 in this crate, 0.19.1 when the same source is built from
//! `adapters/matrix-sdk-crypto-0.19` (feature `crypto-0-19`; the differences are in `src/compat.rs`). The binary
//! (`src/main.rs`) speaks the suite's adapter protocol over stdio, so `msc4268 check --impl
//! matrix-sdk-crypto@0.18.0` runs it as a process like any other adapter; the library is the same
//! implementation in-process (benches, differential fuzzing). It depends on no suite crate but
//! `msc4268-protocol` (the case types): whatever it needs to replay a case through the crate's
//! Olm layer (the fixture devices' secret keys, the identity pinned before) comes from the case's
//! replay data (`docs/adapter-protocol.md`). Every operation drives the crate itself; nothing
//! here re-implements its behaviour:
//!
//! | category | what is driven |
//! |---|---|
//! | `file-decryption` / `file-encryption` | ruma's `EncryptedFile` deserializer, `AttachmentDecryptor`, `AttachmentEncryptor` |
//! | `bundle-parsing` | `types::room_history::RoomKeyBundle` deserializer, then each key through `HistoricRoomKey::try_into_inbound_group_session` and each withheld entry through the accessors `receive_room_key_bundle` uses |
//! | `to-device-content` | the crate's event-type constants and `RoomKeyBundleContent` deserializer |
//! | `olm-envelope` | a real receiving `OlmMachine`: the fixture's plaintext is Olm-encrypted by an account holding the fixture sender's keys and delivered through `receive_sync_changes` |
//! | `import-decision` | the same, then `Store::receive_room_key_bundle` with the downloaded, decrypted bundle; the store is inspected afterwards |
//! | `bundle-building` | a real `OlmMachine` whose store is filled the way each session arrived, then `Store::build_room_key_bundle` |
//! | `shared-history-flag` | the crate's `m.room_key`, `m.forwarded_room_key`, `ExportedRoomKey` and `BackedUpRoomKey` deserializers |
//!
//! What the crate does not do itself (the inviter check, the acceptance window, membership, the
//! current-visibility gate: matrix-sdk's `shared_room_history`) is reported as *skipped, with
//! that reason*, never as passed. See `README.md` in this crate for the route per case.

mod attachment;
mod build;
mod bundle;
mod compat;
mod error;
mod flag;
mod import;
mod keys;
mod olm;
mod to_device;

use msc4268_protocol::adapter::Declaration;
use msc4268_protocol::cases::*;
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::{
    Capability, Implementation, ImplementationInfo, OpError, OpResult,
};
use serde_json::Value;

pub use error::AdapterError;

/// The version of matrix-sdk-crypto this adapter is built against (pinned `=0.18.0`, or `=0.19.1`
/// in `adapters/matrix-sdk-crypto-0.19`).
pub const CRATE_VERSION: &str = matrix_sdk_crypto::VERSION;

/// The categories the adapter runs: all eight.
pub const CATEGORIES: [Category; 8] = Category::ALL;

/// The matrix-sdk-crypto implementation under test.
#[derive(Debug)]
pub struct MatrixSdkCrypto {
    runtime: tokio::runtime::Runtime,
}

impl MatrixSdkCrypto {
    /// Creates the adapter (with its own single-threaded tokio runtime for the crate's async API).
    pub fn new() -> Result<Self, AdapterError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(AdapterError::Runtime)?;
        Ok(Self { runtime })
    }

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}

/// Runs `f`, turning a panic inside matrix-sdk-crypto into an `errored` case that says so (a
/// crash is a finding about the crate, never an outcome that could pass).
fn guarded<T>(f: impl FnOnce() -> OpResult<T>) -> OpResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".into());
            Err(OpError::Errored(format!("{PANIC_PREFIX}{msg}")))
        }
    }
}

/// How an `errored` detail starts when matrix-sdk-crypto itself panicked.
pub const PANIC_PREFIX: &str = "matrix-sdk-crypto panicked: ";

/// Turns an adapter failure into an `errored` case.
fn errored(e: impl std::fmt::Display) -> OpError {
    OpError::Errored(e.to_string())
}

impl MatrixSdkCrypto {
    /// What the adapter declares in its `start` reply.
    pub fn declaration(&self) -> Declaration {
        let mut d = Declaration::of(self, &CATEGORIES);
        d.homepage = Some("https://github.com/matrix-org/matrix-rust-sdk".into());
        d
    }
}

impl Implementation for MatrixSdkCrypto {
    fn info(&self) -> ImplementationInfo {
        ImplementationInfo {
            name: "matrix-sdk-crypto".into(),
            version: CRATE_VERSION.into(),
            language: "rust".into(),
            issues: Some("https://github.com/matrix-org/matrix-rust-sdk/issues".into()),
            // It reads and writes `m.room_key_bundle` and `io.element.msc4268.*` (stable and
            // unstable), and `m.shared_history` / `org.matrix.msc3061.shared_history` (interop and
            // unstable). The stable `shared_history` member is not read; the stable groups run so
            // that this shows up as failures.
            identifiers: vec![
                IdentifierVariant::Stable,
                IdentifierVariant::Unstable,
                IdentifierVariant::Interop,
            ],
        }
    }

    fn capabilities(&self) -> Vec<Capability> {
        // The Olm plaintext's exact bytes are Olm-encrypted and the flag structures read with
        // the crate's own deserializers, so literal JSON text reaches the crate as written.
        vec![Capability::JsonText]
    }

    fn parse_bundle(&self, input: &BundleParsingInput) -> OpResult<BundleParseOutcome> {
        guarded(|| {
            let bytes = input.bytes().map_err(OpError::Errored)?;
            bundle::parse(&bytes).map_err(errored)
        })
    }

    fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        guarded(|| {
            let ciphertext = carrier_bytes(&input.ciphertext).map_err(OpError::Errored)?;
            Ok(attachment::decrypt(&input.file, &ciphertext))
        })
    }

    fn encrypt_file(&self, plaintext: &[u8]) -> OpResult<Encryption> {
        guarded(|| attachment::encrypt(plaintext).map_err(errored))
    }

    fn check_to_device(&self, input: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
        guarded(|| Ok(to_device::check(&input.event_type, &input.content)))
    }

    fn check_envelope(&self, input: &OlmEnvelopeInput) -> OpResult<EnvelopeOutcome> {
        guarded(|| self.block_on(olm::check_envelope(input)))
    }

    fn decide_import(&self, input: &ImportInput) -> OpResult<ImportOutcome> {
        guarded(|| self.block_on(import::decide(input)))
    }

    fn build_bundle(&self, input: &BuildInput) -> OpResult<Option<Value>> {
        guarded(|| self.block_on(build::build(input)))
    }

    fn shared_history_flag(&self, input: &FlagInput) -> OpResult<FlagOutcome> {
        guarded(|| flag::read(input).map_err(OpError::Errored))
    }
}
