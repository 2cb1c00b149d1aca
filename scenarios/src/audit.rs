//! Audits a bundle a real client uploaded with the suite's reference auditors
//! (`msc4268_model::policy::build::audit` for its content, `msc4268_model::attachment::audit`
//! for its encryption), tying the scenarios to the rule catalogue.

use std::collections::BTreeMap;

use matrix_sdk::ruma::RoomId;
use msc4268_model::attachment::{self, EncryptedAttachment};
use msc4268_model::{error::Violation, policy::build};
use msc4268_protocol::cases::{BuildInput, BuildOperation, InviterSession, SessionOrigin};
use msc4268_protocol::client::HistoryVisibility;
use serde_json::{Map, Value, json};

use crate::actor::Actor;
use crate::error::Result;
use msc4268_protocol::client::ReceivedBundle;

/// The verdicts of the two auditors on one uploaded bundle.
#[derive(Debug)]
pub struct BundleAudit {
    /// The decrypted bundle JSON.
    pub plaintext: Value,
    /// `policy::build::audit` (R12–R16, B1, B2) against the inviter's store.
    pub content: Result<(), Violation>,
    /// `attachment::audit` (R17, A1–A12) of the uploaded ciphertext and `EncryptedFile`.
    pub encryption: Result<(), Violation>,
    /// The inviter's store as given to the content auditor.
    pub input: BuildInput,
}

/// The `bundle-building` input that describes `inviter`'s real store when inviting someone to
/// `room_id`: every Megolm session it holds (from a key export), with its origin.
///
/// `visibility_of` maps the inviter's own session ids to the history visibility in force when
/// the scenario sent on them (its ground truth); other sessions are described by the flag the
/// inviter's key export carries.
pub async fn inviter_build_input(
    inviter: &Actor,
    room_id: &RoomId,
    current_visibility: &HistoryVisibility,
    visibility_of: &BTreeMap<String, HistoryVisibility>,
) -> Result<BuildInput> {
    let keys = inviter.stored_room_keys(None).await?;
    let mut store = Vec::new();
    for v in keys {
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        let session_id = text("session_id");
        let origin = match visibility_of.get(&session_id) {
            Some(vis) => SessionOrigin::Own {
                visibility_at_creation: Some(json!(vis.as_str())),
            },
            None => {
                let mut data = Map::new();
                for flag in [
                    "m.shared_history",
                    "shared_history",
                    "org.matrix.msc3061.shared_history",
                ] {
                    if let Some(f) = v.get(flag) {
                        data.insert(flag.to_owned(), f.clone());
                    }
                }
                SessionOrigin::KeyExport { session_data: data }
            }
        };
        store.push(InviterSession {
            room_id: text("room_id"),
            session_id,
            session_key: text("session_key"),
            sender_key: text("sender_key"),
            sender_claimed_ed25519: v["sender_claimed_keys"]["ed25519"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            origin,
        });
    }
    Ok(BuildInput {
        operation: BuildOperation::Build,
        room_id: room_id.to_string(),
        inviter_user_id: inviter.user_id().to_string(),
        inviter_device_id: inviter.device_id().to_string(),
        history_visibility: Some(json!(current_visibility.as_str())),
        store,
        received_withheld: Vec::new(),
        candidate: None,
    })
}

/// Downloads `bundle` with `recipient`'s client, reconstructs `inviter`'s store from a key
/// export, and runs both auditors.
///
/// `visibility_of` maps the inviter's own session ids to the history visibility in force when
/// the scenario sent on them (its ground truth); other sessions are described by the flag the
/// inviter's key export carries.
pub async fn audit_received_bundle(
    inviter: &Actor,
    recipient: &Actor,
    room_id: &RoomId,
    current_visibility: &HistoryVisibility,
    visibility_of: &BTreeMap<String, HistoryVisibility>,
    bundle: &ReceivedBundle,
) -> Result<BundleAudit> {
    let (plaintext, ciphertext) = recipient.downloads_bundle(bundle).await?;
    let encryption = attachment::audit(
        &plaintext,
        &[EncryptedAttachment {
            file: bundle.file.clone(),
            ciphertext,
        }],
    );
    let candidate: Value = serde_json::from_slice(&plaintext)?;
    let mut input =
        inviter_build_input(inviter, room_id, current_visibility, visibility_of).await?;
    input.operation = BuildOperation::Audit;
    input.candidate = Some(candidate.clone());
    let content = build::audit(&build::BuildRequest::from(&input), &candidate);
    Ok(BundleAudit {
        plaintext: candidate,
        content,
        encryption,
        input,
    })
}
