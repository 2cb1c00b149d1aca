//! The benchmark inputs: large room key bundles made from real, deterministic key material.
//!
//! The inviter's store holds `n` Megolm sessions of one room, each a real ratchet from
//! [`material::megolm_session`], created by the inviter's own device and imported from a key
//! export with the `m.shared_history` flag; one session in a hundred is not shareable, so the
//! bundle also carries `m.history_not_shared` withheld entries. The bundle is what the reference
//! builds from that store ([`policy::build::build`]), encrypted as an attachment with a
//! deterministic key. The import input is the `import-decision/import/one-key` fixture case
//! (a trusted, cross-signed inviter, an accepted invite) with that bundle in place of its own.

use std::path::{Path, PathBuf};

use msc4268_corpus::fixture::{self, CaseInput};
use msc4268_model::attachment;
use msc4268_model::b64;
use msc4268_model::material::{self, Device};
use msc4268_model::policy;
use msc4268_model::wire::encrypted_file::EncryptedFile;
use msc4268_protocol::cases::{
    BuildInput, BuildOperation, ImportInput, InviterSession, Media, SessionOrigin,
};
use msc4268_protocol::identifiers::SHARED_HISTORY_INTEROP;
use serde_json::{Map, Value, json};

use crate::error::BenchError;

/// The room the bundles are for (the one of the import template).
pub const ROOM_ID: &str = "!history:hs1.test";
/// The inviter, who builds and sends the bundle.
pub const INVITER: &str = "@alice:hs1.test";
/// The inviter's device, which created every session.
pub const INVITER_DEVICE: &str = "ALICEDEV";
/// The fixture case whose import input the benchmarks reuse.
pub const TEMPLATE_CASE: &str = "import-decision/import/one-key";
/// One session in this many is not shareable and goes into `withheld`.
pub const WITHHELD_EVERY: usize = 100;

/// The fixture file holding [`TEMPLATE_CASE`].
pub fn template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/import-decision/happy-path.json")
}

/// The import input of [`TEMPLATE_CASE`], read with the suite's fixture loader (which merges
/// the group's context into the case).
pub fn import_template() -> Result<ImportInput, BenchError> {
    let path = template_path();
    let cases = fixture::load_file(&path, "import-decision/happy-path.json")
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let input = cases
        .into_iter()
        .find(|c| c.def.id == TEMPLATE_CASE)
        .map(|c| c.input)
        .ok_or_else(|| BenchError::Setup(format!("{}: no case {TEMPLATE_CASE}", path.display())))?;
    let CaseInput::ImportDecision(input) = input else {
        return Err(BenchError::Setup(format!(
            "{TEMPLATE_CASE} is not an import-decision case"
        )));
    };
    if input.room_id != ROOM_ID || input.event.sender != INVITER {
        return Err(BenchError::Setup(format!(
            "{TEMPLATE_CASE} is no longer an invite to {ROOM_ID} from {INVITER}"
        )));
    }
    Ok(*input)
}

/// The inviter's sessions, generated once for the largest size; smaller bundles use a prefix.
#[derive(Debug, Clone)]
pub struct Corpus {
    sessions: Vec<InviterSession>,
}

impl Corpus {
    /// Generates `max` sessions (real Megolm ratchets; about 30 µs each).
    pub fn generate(max: usize) -> Self {
        let creator = Device::new(INVITER, INVITER_DEVICE);
        let (sender_key, ed25519) = (creator.curve25519(), creator.ed25519());
        let sessions = (0..max)
            .map(|i| {
                let key = material::megolm_session(&format!("bench/session-{i}"), 0);
                let mut flag = Map::new();
                flag.insert(
                    SHARED_HISTORY_INTEROP.into(),
                    json!(i % WITHHELD_EVERY != WITHHELD_EVERY - 1),
                );
                InviterSession {
                    room_id: ROOM_ID.into(),
                    session_id: key.session_id(),
                    session_key: key.to_base64(),
                    sender_key: sender_key.clone(),
                    sender_claimed_ed25519: ed25519.clone(),
                    origin: SessionOrigin::KeyExport { session_data: flag },
                }
            })
            .collect();
        Self { sessions }
    }

    /// How many sessions were generated.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether no session was generated.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The `build` input for the first `n` sessions.
    pub fn build_input(&self, n: usize) -> BuildInput {
        BuildInput {
            operation: BuildOperation::Build,
            room_id: ROOM_ID.into(),
            inviter_user_id: INVITER.into(),
            inviter_device_id: INVITER_DEVICE.into(),
            history_visibility: Some(json!("shared")),
            store: self.sessions[..n.min(self.sessions.len())].to_vec(),
            received_withheld: Vec::new(),
            candidate: None,
        }
    }
}

/// Everything one bundle size is measured on.
#[derive(Debug)]
pub struct Case {
    /// Sessions in the inviter's store.
    pub sessions: usize,
    /// `room_keys` entries of the bundle.
    pub room_keys: usize,
    /// `withheld` entries of the bundle.
    pub withheld: usize,
    /// The inviter's store, as the `build` input.
    pub build: BuildInput,
    /// The bundle JSON (compact), as uploaded before encryption.
    pub plaintext: Vec<u8>,
    /// The attachment's key, IV and hash.
    pub file: EncryptedFile,
    /// The same as `EncryptedFile` JSON.
    pub file_json: Value,
    /// The uploaded bytes.
    pub ciphertext: Vec<u8>,
    /// The recipient's side: the template case with this bundle as the downloaded media.
    pub import: ImportInput,
}

impl Case {
    /// Builds the bundle of the first `n` sessions of `corpus` and everything measured on it.
    pub fn new(corpus: &Corpus, n: usize, template: &ImportInput) -> Result<Self, BenchError> {
        let build = corpus.build_input(n);
        let bundle = policy::build::build(&policy::build::BuildRequest::from(&build))
            .map_err(|v| BenchError::Setup(format!("the reference refused to build: {v}")))?
            .ok_or_else(|| BenchError::Setup("the reference built no bundle".into()))?;
        let count = |name: &str| {
            bundle
                .get(name)
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        };
        let (room_keys, withheld) = (count("room_keys"), count("withheld"));
        let plaintext = serde_json::to_vec(&bundle)
            .map_err(|e| BenchError::json("serialising the bundle", e))?;
        drop(bundle);
        let url = template
            .event
            .plaintext
            .as_ref()
            .and_then(|p| p.pointer("/content/file/url"))
            .and_then(Value::as_str)
            .ok_or_else(|| BenchError::Setup(format!("{TEMPLATE_CASE} has no file URL")))?
            .to_owned();
        let key = material::seed(&format!("bench/file-key/{n}"));
        let mut iv = [0u8; 16];
        iv[..8].copy_from_slice(&material::seed(&format!("bench/file-iv/{n}"))[..8]);
        let (file, ciphertext) = attachment::encrypt_with(key, iv, &plaintext, &url);
        let file_json = file.to_json();
        let mut import = template.clone();
        match import
            .event
            .plaintext
            .as_mut()
            .and_then(|p| p.pointer_mut("/content/file"))
        {
            Some(slot) => *slot = file_json.clone(),
            None => {
                return Err(BenchError::Setup(format!(
                    "{TEMPLATE_CASE} has no /content/file"
                )));
            }
        }
        import.media = Media::Available {
            ciphertext: b64::encode_padded(&ciphertext),
        };
        Ok(Self {
            sessions: n,
            room_keys,
            withheld,
            build,
            plaintext,
            file,
            file_json,
            ciphertext,
            import,
        })
    }

    /// Size of the bundle (plaintext bytes).
    pub fn bytes(&self) -> usize {
        self.plaintext.len()
    }
}
