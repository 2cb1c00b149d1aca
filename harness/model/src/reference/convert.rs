//! Conversions between the case contract (`msc4268_protocol::cases`) and the model's own types:
//! contract inputs to model inputs, model results to contract outcomes. Together with
//! [`super`], the only code of the model that knows the contract.

use msc4268_protocol::cases;
use msc4268_protocol::identifiers as contract_identifiers;
use serde_json::Value;

use crate::attachment::EncryptedAttachment;
use crate::b64;
use crate::error::Violation;
use crate::identifiers::IdentifierVariant;
use crate::megolm::ExportedSessionKey;
use crate::policy::build::{BuildRequest, BuiltBundle, BuiltKey, BuiltWithheld, InviterSession};
use crate::policy::flag::{FlagStructure, SessionOrigin, Shareability};
use crate::policy::import::{
    ClientState, Download, ImportDecision, ImportRequest, ImportResult, ImportedSession,
    InviteRecord, Membership, RecordedWithheld, StoredSession,
};
use crate::wire::bundle::RoomKeyBundle;
use crate::wire::olm::{IdentityState, KnownDevice, ReceivedToDevice, Recipient, SenderIdentity};

// ---------------------------------------------------------------------------------------------
// Shared pieces

impl From<Violation> for cases::Rejection {
    fn from(v: Violation) -> Self {
        cases::Rejection {
            rule: Some(v.rule.to_owned()),
            path: Some(v.path),
            reason: v.message,
        }
    }
}

impl From<IdentifierVariant> for contract_identifiers::IdentifierVariant {
    fn from(v: IdentifierVariant) -> Self {
        match v {
            IdentifierVariant::Stable => contract_identifiers::IdentifierVariant::Stable,
            IdentifierVariant::Unstable => contract_identifiers::IdentifierVariant::Unstable,
            IdentifierVariant::Interop => contract_identifiers::IdentifierVariant::Interop,
        }
    }
}

/// An entry dropped on its own (its JSON pointer and the rule it breaks), as an outcome entry.
pub fn skipped_entry((source, v): &(String, Violation)) -> cases::SkippedEntry {
    cases::SkippedEntry {
        source: source.clone(),
        rule: Some(v.rule.to_owned()),
        reason: v.message.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// bundle-parsing

impl From<&RoomKeyBundle> for cases::BundleParseOutcome {
    fn from(bundle: &RoomKeyBundle) -> Self {
        cases::BundleParseOutcome::Parsed {
            room_keys: bundle
                .room_keys
                .iter()
                .map(|e| cases::KeySummary {
                    source: e.source.clone(),
                    room_id: e.value.room_id.clone(),
                    session_id: e.value.session_id.clone(),
                    first_known_index: e.value.session_key.index,
                })
                .collect(),
            withheld: bundle
                .withheld
                .iter()
                .map(|e| cases::WithheldSummary {
                    source: e.source.clone(),
                    room_id: e.value.room_id.clone(),
                    session_id: e.value.session_id.clone(),
                    code: e.value.code.as_stable().to_owned(),
                    code_variant: e.value.code.variant().map(Into::into),
                })
                .collect(),
            skipped: bundle.skipped.iter().map(skipped_entry).collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// file-encryption

impl From<EncryptedAttachment> for cases::Encryption {
    fn from(e: EncryptedAttachment) -> Self {
        cases::Encryption {
            file: e.file,
            ciphertext: b64::encode_padded(e.ciphertext),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// olm-envelope

impl From<&cases::Recipient> for Recipient {
    fn from(r: &cases::Recipient) -> Self {
        Recipient {
            user_id: r.user_id.clone(),
            ed25519: r.ed25519.clone(),
        }
    }
}

impl From<&cases::KnownDevice> for KnownDevice {
    fn from(d: &cases::KnownDevice) -> Self {
        KnownDevice {
            user_id: d.user_id.clone(),
            device_id: d.device_id.clone(),
            ed25519: d.ed25519.clone(),
        }
    }
}

impl From<&cases::ReceivedToDevice> for ReceivedToDevice {
    fn from(e: &cases::ReceivedToDevice) -> Self {
        // `olm_sender_device` is replay data for implementations that run a real Olm layer; the
        // model decides on the plaintext as delivered, read by serde_json when it comes as text
        // (a member named twice keeps its last value). An input without exactly one carrier is
        // refused by the fixture loader; here it reads as unreadable.
        let (plaintext, unreadable) = match e.plaintext_value() {
            Ok(v) => (v, None),
            Err(why) => (Value::Null, Some(why.to_string())),
        };
        ReceivedToDevice {
            encrypted: e.encrypted,
            sender: e.sender.clone(),
            sender_key: e.sender_key.clone(),
            plaintext,
            unreadable,
        }
    }
}

/// The devices a case says the recipient already knows.
pub fn known_devices(devices: &[cases::KnownDevice]) -> Vec<KnownDevice> {
    devices.iter().map(Into::into).collect()
}

// ---------------------------------------------------------------------------------------------
// import-decision

impl From<cases::IdentityState> for IdentityState {
    fn from(s: cases::IdentityState) -> Self {
        match s {
            cases::IdentityState::Tofu => IdentityState::Tofu,
            cases::IdentityState::Verified => IdentityState::Verified,
            cases::IdentityState::PinViolation => IdentityState::PinViolation,
        }
    }
}

impl From<&cases::SenderIdentity> for SenderIdentity {
    fn from(i: &cases::SenderIdentity) -> Self {
        SenderIdentity {
            master_key: i.master_key.clone(),
            self_signing_key: i.self_signing_key.clone(),
            state: i.state.into(),
        }
    }
}

impl From<cases::Membership> for Membership {
    fn from(m: cases::Membership) -> Self {
        match m {
            cases::Membership::Join => Membership::Join,
            cases::Membership::Invite => Membership::Invite,
            cases::Membership::Leave => Membership::Leave,
            cases::Membership::Ban => Membership::Ban,
            cases::Membership::Knock => Membership::Knock,
            cases::Membership::None => Membership::None,
        }
    }
}

impl From<&cases::InviteRecord> for InviteRecord {
    fn from(r: &cases::InviteRecord) -> Self {
        InviteRecord {
            inviter: r.inviter.clone(),
            accepted_at_ms: r.accepted_at_ms,
            accepted_on_this_device: r.accepted_on_this_device,
        }
    }
}

impl From<&cases::StoredSession> for StoredSession {
    fn from(s: &cases::StoredSession) -> Self {
        StoredSession {
            room_id: s.room_id.clone(),
            session_id: s.session_id.clone(),
            session_key: ExportedSessionKey::from_base64(&s.session_key).ok(),
            authenticated: s.provenance == cases::Provenance::RoomKey,
        }
    }
}

impl From<&cases::Media> for Download {
    fn from(m: &cases::Media) -> Self {
        match m {
            cases::Media::NotFound => Download::NotFound,
            cases::Media::Available { ciphertext } => match cases::carrier_bytes(ciphertext) {
                Ok(bytes) => Download::Served(bytes),
                Err(e) => Download::Failed(e),
            },
        }
    }
}

/// The reference reads only `invite`, the record of the current membership: `earlier_invites`
/// (a rejected, superseded or left invite) never lets a bundle be downloaded. The texts allow a
/// receiver that honours a recent earlier acceptance too (decision S21); the corpus marks those
/// cases `acceptable`.
impl From<&cases::ImportInput> for ImportRequest {
    fn from(i: &cases::ImportInput) -> Self {
        ImportRequest {
            recipient: (&i.recipient).into(),
            event: (&i.event).into(),
            state: ClientState {
                room_id: i.room_id.clone(),
                membership: i.membership.into(),
                invite: i.invite.as_ref().map(Into::into),
                acceptance_window_ms: i.acceptance_window_ms,
                known_devices: known_devices(&i.known_devices),
                sender_identity: i.sender_identity.as_ref().map(Into::into),
                store: i.store.iter().map(Into::into).collect(),
            },
            now_ms: i.now_ms,
            download: (&i.media).into(),
        }
    }
}

impl From<ImportDecision> for cases::ImportDecision {
    fn from(d: ImportDecision) -> Self {
        match d {
            ImportDecision::Imported => cases::ImportDecision::Imported,
            ImportDecision::Deferred => cases::ImportDecision::Deferred,
            ImportDecision::Discarded => cases::ImportDecision::Discarded,
            ImportDecision::Rejected => cases::ImportDecision::Rejected,
            ImportDecision::Failed => cases::ImportDecision::Failed,
        }
    }
}

impl From<ImportedSession> for cases::ImportedSession {
    fn from(s: ImportedSession) -> Self {
        cases::ImportedSession {
            room_id: s.room_id,
            session_id: s.session_id,
            first_known_index: s.first_known_index,
            forwarder: s.forwarder,
        }
    }
}

impl From<RecordedWithheld> for cases::RecordedWithheld {
    fn from(w: RecordedWithheld) -> Self {
        cases::RecordedWithheld {
            room_id: w.room_id,
            session_id: w.session_id,
            code: w.code,
        }
    }
}

impl From<ImportResult> for cases::ImportOutcome {
    fn from(r: ImportResult) -> Self {
        cases::ImportOutcome {
            decision: r.decision.into(),
            rule: r.violation.map(|v| v.rule.to_owned()),
            imported: r.imported.into_iter().map(Into::into).collect(),
            kept_existing: r.kept_existing,
            withheld: r.withheld.into_iter().map(Into::into).collect(),
            skipped: r.skipped.iter().map(skipped_entry).collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// bundle-building

impl From<&cases::SessionOrigin> for SessionOrigin {
    fn from(o: &cases::SessionOrigin) -> Self {
        match o {
            cases::SessionOrigin::Own {
                visibility_at_creation,
            } => SessionOrigin::Own {
                visibility_at_creation: visibility_at_creation.clone(),
            },
            cases::SessionOrigin::RoomKey { content } => SessionOrigin::RoomKey {
                content: content.clone(),
            },
            cases::SessionOrigin::KeyBackup { session_data } => SessionOrigin::KeyBackup {
                session_data: session_data.clone(),
            },
            cases::SessionOrigin::KeyExport { session_data } => SessionOrigin::KeyExport {
                session_data: session_data.clone(),
            },
            cases::SessionOrigin::RoomKeyBundle { forwarder } => SessionOrigin::RoomKeyBundle {
                forwarder: forwarder.clone(),
            },
            cases::SessionOrigin::ForwardedRoomKey { content } => SessionOrigin::ForwardedRoomKey {
                content: content.clone(),
            },
        }
    }
}

impl From<&cases::InviterSession> for InviterSession {
    fn from(s: &cases::InviterSession) -> Self {
        InviterSession {
            room_id: s.room_id.clone(),
            session_id: s.session_id.clone(),
            session_key: s.session_key.clone(),
            sender_key: s.sender_key.clone(),
            sender_claimed_ed25519: s.sender_claimed_ed25519.clone(),
            origin: (&s.origin).into(),
        }
    }
}

impl From<&cases::BuildInput> for BuildRequest {
    fn from(i: &cases::BuildInput) -> Self {
        // `operation` and `candidate` say what the runner does with the case; `inviter_user_id`
        // is not read by the builder or the auditor.
        BuildRequest {
            room_id: i.room_id.clone(),
            inviter_device_id: i.inviter_device_id.clone(),
            history_visibility: i.history_visibility.clone(),
            store: i.store.iter().map(Into::into).collect(),
            received_withheld: i.received_withheld.clone(),
        }
    }
}

impl From<BuiltKey> for cases::BuiltKey {
    fn from(k: BuiltKey) -> Self {
        cases::BuiltKey {
            room_id: k.room_id,
            session_id: k.session_id,
            first_known_index: k.first_known_index,
        }
    }
}

impl From<BuiltWithheld> for cases::BuiltWithheld {
    fn from(w: BuiltWithheld) -> Self {
        cases::BuiltWithheld {
            room_id: w.room_id,
            session_id: w.session_id,
            code: w.code,
        }
    }
}

impl From<BuiltBundle> for cases::BuildOutcome {
    fn from(b: BuiltBundle) -> Self {
        cases::BuildOutcome::Bundle {
            room_keys: b.room_keys.into_iter().map(Into::into).collect(),
            withheld: b.withheld.into_iter().map(Into::into).collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// shared-history-flag

impl From<cases::FlagStructure> for FlagStructure {
    fn from(s: cases::FlagStructure) -> Self {
        match s {
            cases::FlagStructure::RoomKey => FlagStructure::RoomKey,
            cases::FlagStructure::ForwardedRoomKey => FlagStructure::ForwardedRoomKey,
            cases::FlagStructure::BackedUpSessionData => FlagStructure::BackedUpSessionData,
            cases::FlagStructure::ExportedSessionData => FlagStructure::ExportedSessionData,
        }
    }
}

impl From<Shareability> for cases::FlagOutcome {
    fn from(s: Shareability) -> Self {
        cases::FlagOutcome {
            shareable: s.shareable,
            variant: s.variant.map(Into::into),
        }
    }
}
