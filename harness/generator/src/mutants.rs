//! Deliberately broken implementations derived from the reference, for the suite's self-test.
//!
//! Each [`Mutant`] behaves like [`Reference`] except for one bug that a real SDK could plausibly
//! have (accepting a bundle from a non-inviter, skipping the hash check, reusing a key and IV, ...).
//! The self-test (`suite/tests/mutants.rs`) runs the whole corpus against every mutant and asserts
//! that the suite fails it, naming the rules that caught it. A mutant that survives means a
//! missing fixture.
//!
//! Most mutants change the input the reference sees or the outcome it gives (the bug is then
//! exactly "this check is not made"); the sender-trust mutant runs the model's
//! [`msc4268_model::policy::import::decide_with`], through the reference's conversions, to leave
//! the check out.

use std::sync::Mutex;

use serde_json::{Value, json};

use msc4268_model::identifiers::HISTORY_NOT_SHARED;
use msc4268_model::policy::import::{self, Download, ImportRequest};
use msc4268_model::reference::Reference;
use msc4268_model::wire::{bundle, olm, to_device};
use msc4268_protocol::cases::*;
use msc4268_protocol::implementation::{
    Capability, Implementation, ImplementationInfo, Limits, OpError, OpResult,
};

/// The bugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bug {
    /// Downloads a bundle from any sender, not only from the user who invited us (R33).
    AcceptsNonInviter,
    /// Imports `room_keys` entries for a room other than the bundle's (R40).
    ImportsOtherRoomKeys,
    /// Decrypts a file without checking its SHA-256 (R38).
    SkipsHashCheck,
    /// Accepts an Olm plaintext without `sender_device_keys` (R30).
    AcceptsMissingSenderDeviceKeys,
    /// Reads `"true"` and `1` as a set `shared_history` flag.
    LenientSharedFlag,
    /// Replaces a stored copy of a session with the bundle's, whatever its first known index or
    /// the stored copy's provenance (R42, R44).
    DowngradesSessions,
    /// Reuses the first key and IV for every file it encrypts (A10).
    ReusesKeyAndIv,
    /// Draws all 128 bits of the IV at random, leaving the low 64 bits non-zero (A11).
    IvLowBitsNonZero,
    /// Puts every session of the room into `room_keys`, shareable or not (R12).
    SharesUnsharedSessions,
    /// Lists a shared session in `withheld` as well as in `room_keys` (R14: a session MUST NOT
    /// appear in both).
    ListsSessionTwice,
    /// Ignores the acceptance window: downloads however long ago the invite was accepted (R36).
    IgnoresAcceptanceWindow,
    /// Uses bundles from devices that are not cross-signed by their owner (X1).
    TrustsUnsignedDevice,
    /// Acts on a bundle event that arrived unencrypted (R32).
    AcceptsUnencrypted,
    /// Builds bundles with an empty `withheld` list (R13, a SHOULD): its `room_keys` are right,
    /// so the MUST cases that also expect `withheld` entries count the failure as R13's.
    OmitsWithheld,
    /// Declares the reference's download limit but decrypts files of any size (A13, `suite`).
    IgnoresDeclaredLimit,
    /// Keeps a set of everyone who ever invited it to the room and one acceptance time, the
    /// latest: downloads a bundle from an earlier inviter it rejected, or accepted long ago (R33).
    CountsEveryEarlierInviter,
}

/// A broken implementation.
#[derive(Debug)]
pub struct Mutant {
    /// Which bug.
    pub bug: Bug,
    /// Short name (`mutant:<name>` in reports).
    pub name: &'static str,
    /// What it does wrong.
    pub description: &'static str,
    /// The rule its bug breaks (an id of `fixtures/rules.json`). The self-test asserts that a
    /// case of this rule catches the mutant, under the profile that rule's level calls for
    /// (`required` for MUST, `recommended` for SHOULD and MAY, `strict` for `suite`), and that
    /// a weaker profile does not flag it.
    pub breaks: &'static str,
    /// The first encryption, for [`Bug::ReusesKeyAndIv`].
    first_key: Mutex<Option<([u8; 32], [u8; 16])>>,
}

impl Mutant {
    /// The mutant with `bug`.
    pub fn new(bug: Bug) -> Self {
        let (name, description, breaks) = describe(bug);
        Self {
            bug,
            name,
            description,
            breaks,
            first_key: Mutex::new(None),
        }
    }
}

impl Mutant {
    /// The categories whose outcomes the bug can change; in every other category the mutant
    /// answers exactly as the reference does.
    pub fn categories(&self) -> &'static [Category] {
        use Bug::*;
        match self.bug {
            AcceptsNonInviter
            | ImportsOtherRoomKeys
            | DowngradesSessions
            | IgnoresAcceptanceWindow
            | CountsEveryEarlierInviter
            | TrustsUnsignedDevice => &[Category::ImportDecision],
            SkipsHashCheck | IgnoresDeclaredLimit => &[Category::FileDecryption],
            AcceptsMissingSenderDeviceKeys => &[Category::OlmEnvelope],
            AcceptsUnencrypted => &[Category::OlmEnvelope, Category::ImportDecision],
            LenientSharedFlag => &[Category::SharedHistoryFlag],
            ReusesKeyAndIv | IvLowBitsNonZero => &[Category::FileEncryption],
            SharesUnsharedSessions | ListsSessionTwice | OmitsWithheld => {
                &[Category::BundleBuilding]
            }
        }
    }
}

/// Every mutant.
pub fn all() -> Vec<Mutant> {
    use Bug::*;
    [
        AcceptsNonInviter,
        ImportsOtherRoomKeys,
        SkipsHashCheck,
        AcceptsMissingSenderDeviceKeys,
        LenientSharedFlag,
        DowngradesSessions,
        ReusesKeyAndIv,
        IvLowBitsNonZero,
        SharesUnsharedSessions,
        ListsSessionTwice,
        IgnoresAcceptanceWindow,
        TrustsUnsignedDevice,
        AcceptsUnencrypted,
        OmitsWithheld,
        IgnoresDeclaredLimit,
        CountsEveryEarlierInviter,
    ]
    .into_iter()
    .map(Mutant::new)
    .collect()
}

/// A bug's name, what it does wrong, and the rule it breaks.
fn describe(bug: Bug) -> (&'static str, &'static str, &'static str) {
    use Bug::*;
    match bug {
        AcceptsNonInviter => (
            "accepts-non-inviter",
            "downloads a bundle from any sender, not only from the inviter",
            "R33",
        ),
        ImportsOtherRoomKeys => (
            "imports-other-room-keys",
            "imports room_keys entries for another room than the bundle's",
            "R40",
        ),
        SkipsHashCheck => (
            "skips-hash-check",
            "decrypts a file without checking hashes.sha256",
            "R38",
        ),
        AcceptsMissingSenderDeviceKeys => (
            "accepts-missing-sender-device-keys",
            "accepts an Olm plaintext without sender_device_keys",
            "R30",
        ),
        LenientSharedFlag => (
            "lenient-shared-flag",
            "reads \"true\" and 1 as a set shared_history flag",
            "R3",
        ),
        DowngradesSessions => (
            "downgrades-sessions",
            "replaces stored sessions with the bundle's copy, even at a higher first known index or over an authenticated copy",
            "R42",
        ),
        ReusesKeyAndIv => (
            "reuses-key-and-iv",
            "encrypts every file with the same key and IV",
            "A10",
        ),
        IvLowBitsNonZero => (
            "iv-low-bits-non-zero",
            "draws all 128 bits of the IV at random",
            "A11",
        ),
        SharesUnsharedSessions => (
            "shares-unshared-sessions",
            "puts every session of the room into room_keys, shared_history or not",
            "R12",
        ),
        OmitsWithheld => (
            "omits-withheld",
            "sends the shareable sessions but lists no other session in withheld",
            "R13",
        ),
        ListsSessionTwice => (
            "lists-session-twice",
            "lists a shared session in withheld as well as in room_keys",
            "R14",
        ),
        IgnoresAcceptanceWindow => (
            "ignores-acceptance-window",
            "downloads however long ago the invite was accepted",
            "R36",
        ),
        TrustsUnsignedDevice => (
            "trusts-unsigned-device",
            "uses bundles from devices not cross-signed by their owner",
            "X1",
        ),
        AcceptsUnencrypted => (
            "accepts-unencrypted",
            "acts on a bundle event sent in the clear",
            "R32",
        ),
        IgnoresDeclaredLimit => (
            "ignores-declared-limit",
            "declares a download limit but decrypts files of any size",
            "A13",
        ),
        CountsEveryEarlierInviter => (
            "counts-every-earlier-inviter",
            "downloads a bundle from anyone who ever invited it to the room, within the window of the latest acceptance",
            "R33",
        ),
    }
}

impl Implementation for Mutant {
    fn info(&self) -> ImplementationInfo {
        let mut info = Reference.info();
        info.name = format!("mutant:{}", self.name);
        info
    }

    fn runs_audits(&self) -> bool {
        true
    }

    fn capabilities(&self) -> Vec<Capability> {
        Reference.capabilities()
    }

    fn limits(&self) -> Limits {
        Reference.limits()
    }

    fn parse_bundle(&self, input: &BundleParsingInput) -> OpResult<BundleParseOutcome> {
        Reference.parse_bundle(input)
    }

    fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        if self.bug == Bug::IgnoresDeclaredLimit {
            let ciphertext = carrier_bytes(&input.ciphertext).map_err(OpError::Errored)?;
            return Ok(
                match msc4268_model::attachment::decrypt_json(&input.file, &ciphertext, u64::MAX) {
                    Ok(plaintext) => DecryptOutcome::Decrypted {
                        plaintext: msc4268_model::b64::encode_padded(plaintext),
                    },
                    Err(v) => DecryptOutcome::Rejected(v.into()),
                },
            );
        }
        if self.bug != Bug::SkipsHashCheck {
            return Reference.decrypt_file(input);
        }
        // Overwrite the announced hash with the real one: the check can no longer fail.
        let ciphertext = carrier_bytes(&input.ciphertext).map_err(OpError::Errored)?;
        let mut input = input.clone();
        if let Some(hashes) = input.file.get_mut("hashes").and_then(Value::as_object_mut) {
            use sha2::Digest;
            let real = sha2::Sha256::digest(&ciphertext);
            hashes.insert("sha256".into(), json!(msc4268_model::b64::encode(real)));
        }
        Reference.decrypt_file(&input)
    }

    fn encrypt_file(&self, plaintext: &[u8]) -> OpResult<Encryption> {
        let fresh = || -> OpResult<([u8; 32], [u8; 16])> {
            let mut key = [0u8; 32];
            let mut iv = [0u8; 16];
            getrandom::fill(&mut key).map_err(|e| OpError::Errored(e.to_string()))?;
            getrandom::fill(&mut iv).map_err(|e| OpError::Errored(e.to_string()))?;
            Ok((key, iv))
        };
        let (key, iv) = match self.bug {
            Bug::ReusesKeyAndIv => {
                let mut first = self.first_key.lock().unwrap_or_else(|e| e.into_inner());
                match *first {
                    Some(k) => k,
                    None => {
                        let (key, mut iv) = fresh()?;
                        iv[8..].fill(0);
                        *first = Some((key, iv));
                        (key, iv)
                    }
                }
            }
            Bug::IvLowBitsNonZero => {
                let (key, mut iv) = fresh()?;
                iv[15] |= 1; // never all zero, even by chance
                (key, iv)
            }
            _ => return Reference.encrypt_file(plaintext),
        };
        let (file, ciphertext) = msc4268_model::attachment::encrypt_with(
            key,
            iv,
            plaintext,
            msc4268_model::attachment::PLACEHOLDER_URL,
        );
        Ok(msc4268_model::attachment::EncryptedAttachment {
            file: file.to_json(),
            ciphertext,
        }
        .into())
    }

    fn check_to_device(&self, input: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
        Reference.check_to_device(input)
    }

    fn check_envelope(&self, input: &OlmEnvelopeInput) -> OpResult<EnvelopeOutcome> {
        match self.bug {
            Bug::AcceptsUnencrypted => {
                let mut input = input.clone();
                input.event.encrypted = true;
                Reference.check_envelope(&input)
            }
            Bug::AcceptsMissingSenderDeviceKeys => {
                let outcome = Reference.check_envelope(input)?;
                match &outcome {
                    EnvelopeOutcome::Rejected(r) if r.rule.as_deref() == Some("R30") => {
                        Ok(accept_without_device_keys(input))
                    }
                    _ => Ok(outcome),
                }
            }
            _ => Reference.check_envelope(input),
        }
    }

    fn decide_import(&self, input: &ImportInput) -> OpResult<ImportOutcome> {
        let mut changed = input.clone();
        match self.bug {
            Bug::AcceptsNonInviter => {
                if let Some(invite) = changed.invite.as_mut() {
                    invite.inviter = input.event.sender.clone();
                }
            }
            Bug::IgnoresAcceptanceWindow => changed.acceptance_window_ms = u64::MAX,
            Bug::CountsEveryEarlierInviter => {
                let sender = &input.event.sender;
                if input.earlier_invites.iter().any(|e| &e.inviter == sender)
                    && let Some(invite) = changed.invite.as_mut()
                {
                    invite.inviter = sender.clone();
                }
            }
            Bug::AcceptsUnencrypted => changed.event.encrypted = true,
            Bug::TrustsUnsignedDevice => {
                return Ok(import::decide_with(
                    &ImportRequest::from(input),
                    import::Omit { sender_trust: true },
                )
                .into());
            }
            Bug::ImportsOtherRoomKeys => {
                let mut outcome = Reference.decide_import(input)?;
                import_skipped(input, &mut outcome, "R40");
                return Ok(outcome);
            }
            Bug::DowngradesSessions => {
                let mut outcome = Reference.decide_import(input)?;
                replace_kept(input, &mut outcome);
                return Ok(outcome);
            }
            _ => {}
        }
        Reference.decide_import(&changed)
    }

    fn build_bundle(&self, input: &BuildInput) -> OpResult<Option<Value>> {
        match self.bug {
            Bug::SharesUnsharedSessions => {
                let mut changed = input.clone();
                for s in &mut changed.store {
                    s.origin = SessionOrigin::Own {
                        visibility_at_creation: Some(json!("shared")),
                    };
                }
                Reference.build_bundle(&changed)
            }
            Bug::OmitsWithheld => {
                let mut built = Reference.build_bundle(input)?;
                if let Some(b) = built.as_mut() {
                    b["withheld"] = json!([]);
                }
                Ok(built)
            }
            Bug::ListsSessionTwice => {
                let mut built = Reference.build_bundle(input)?;
                if let Some(b) = built.as_mut() {
                    let first = b["room_keys"].get(0).cloned();
                    if let (Some(k), Some(w)) = (first, b["withheld"].as_array_mut()) {
                        w.push(json!({
                            "algorithm": k["algorithm"],
                            "room_id": k["room_id"],
                            "session_id": k["session_id"],
                            "sender_key": k["sender_key"],
                            "code": HISTORY_NOT_SHARED,
                            "reason": "listed twice by the mutant",
                        }));
                    }
                }
                Ok(built)
            }
            _ => Reference.build_bundle(input),
        }
    }

    fn shared_history_flag(&self, input: &FlagInput) -> OpResult<FlagOutcome> {
        if self.bug != Bug::LenientSharedFlag {
            return Reference.shared_history_flag(input);
        }
        let mut changed = input.clone();
        if let Some(obj) = changed.content.as_mut().and_then(Value::as_object_mut) {
            for (name, _) in msc4268_model::policy::flag::SPELLINGS {
                if let Some(v) = obj.get_mut(name)
                    && (v == &json!("true") || v == &json!(1))
                {
                    *v = Value::Bool(true);
                }
            }
        }
        Reference.shared_history_flag(&changed)
    }
}

/// The envelope outcome of a receiver that does not look for `sender_device_keys`: it takes the
/// sender from the plaintext and the device from what it already knows.
fn accept_without_device_keys(input: &OlmEnvelopeInput) -> EnvelopeOutcome {
    let pt = &input.event.plaintext_value().unwrap_or_default();
    let ed25519 = pt
        .pointer("/keys/ed25519")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let device_id = input
        .known_devices
        .iter()
        .find(|d| d.user_id == input.event.sender && d.ed25519 == ed25519)
        .map(|d| d.device_id.clone())
        .unwrap_or_default();
    EnvelopeOutcome::Accepted {
        sender: input.event.sender.clone(),
        sender_device_id: device_id,
        sender_ed25519: ed25519,
        event_type: pt
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    }
}

/// The bundle a received event points to, decrypted and parsed, if it gets that far.
fn received_bundle(input: &ImportInput) -> Option<(String, bundle::RoomKeyBundle)> {
    let request = ImportRequest::from(input);
    let envelope = olm::validate(
        &request.recipient,
        &request.event,
        &request.state.known_devices,
    )
    .ok()?;
    let content = to_device::parse_content(&envelope.event_type, &envelope.content).ok()?;
    let Download::Served(ciphertext) = &request.download else {
        return None;
    };
    let plaintext = msc4268_model::attachment::decrypt(
        &content.file,
        ciphertext.as_slice(),
        msc4268_model::attachment::DEFAULT_MAX_SIZE,
    )
    .ok()?;
    Some((envelope.sender, bundle::parse(&plaintext).ok()?))
}

/// Imports the entries the reference skipped under `rule`.
fn import_skipped(input: &ImportInput, outcome: &mut ImportOutcome, rule: &str) {
    let Some((sender, parsed)) = received_bundle(input) else {
        return;
    };
    let sources: Vec<String> = outcome
        .skipped
        .iter()
        .filter(|s| s.rule.as_deref() == Some(rule))
        .map(|s| s.source.clone())
        .collect();
    for e in parsed
        .room_keys
        .iter()
        .filter(|e| sources.contains(&e.source))
    {
        outcome.imported.push(ImportedSession {
            room_id: e.value.room_id.clone(),
            session_id: e.value.session_id.clone(),
            first_known_index: e.value.session_key.index,
            forwarder: sender.clone(),
        });
    }
    outcome.skipped.retain(|s| !sources.contains(&s.source));
}

/// Replaces every kept stored copy with the bundle's copy.
fn replace_kept(input: &ImportInput, outcome: &mut ImportOutcome) {
    let Some((sender, parsed)) = received_bundle(input) else {
        return;
    };
    for sid in std::mem::take(&mut outcome.kept_existing) {
        let offered = parsed
            .room_keys
            .iter()
            .filter(|e| e.value.session_id == sid)
            .max_by_key(|e| e.value.session_key.index);
        if let Some(e) = offered {
            outcome.imported.push(ImportedSession {
                room_id: e.value.room_id.clone(),
                session_id: sid,
                first_known_index: e.value.session_key.index,
                forwarder: sender.clone(),
            });
        }
    }
}
