//! Interoperability: bundles the suite's in-process implementations build go through a real
//! Synapse to real clients.

use std::collections::BTreeMap;

use msc4268_scenarios::HistoryVisibility;
use msc4268_scenarios::audit::inviter_build_input;
use msc4268_scenarios::{Env, Result, ScenarioError, adversary, expect};

use crate::common::{Defined, charlie_reads_the_secret, defined, no_bundle_from};

/// The scenarios of this file.
pub fn scenarios() -> Vec<Defined> {
    vec![defined!(
        "interop/in-process-bundles-through-synapse",
        in_process_bundles_through_synapse
    )]
}

/// What an in-process implementation made for one invite: its bundle and its encryption of it.
type Made = (serde_json::Value, msc4268_protocol::cases::Encryption);

/// Builds the bundle for `input` and encrypts it with `implementation`, on a blocking thread
/// (the matrix-sdk-crypto adapter runs its own runtime).
async fn build_and_encrypt(
    which: &'static str,
    input: msc4268_protocol::cases::BuildInput,
) -> Result<Made> {
    use msc4268_protocol::implementation::Implementation;
    let made = tokio::task::spawn_blocking(move || -> std::result::Result<Made, String> {
        let implementation: Box<dyn Implementation> = match which {
            "reference" => Box::new(msc4268_model::reference::Reference),
            _ => Box::new(
                msc4268_adapter_matrix_sdk_crypto::MatrixSdkCrypto::new()
                    .map_err(|e| e.to_string())?,
            ),
        };
        let bundle = implementation
            .build_bundle(&input)
            .map_err(|e| format!("build: {e}"))?
            .ok_or("build: the implementation shares nothing")?;
        let bytes = serde_json::to_vec(&bundle).map_err(|e| e.to_string())?;
        let encryption = implementation
            .encrypt_file(&bytes)
            .map_err(|e| format!("encrypt: {e}"))?;
        Ok((bundle, encryption))
    })
    .await
    .map_err(|e| ScenarioError::Unexpected(format!("{which}: {e}")))?;
    made.map_err(|e| ScenarioError::Unexpected(format!("{which}: {e}")))
}

/// Every bundle an in-process implementation builds (the suite's reference builder and
/// attachment encryption; the matrix-sdk-crypto adapter's `build_room_key_bundle` and
/// `AttachmentEncryptor`) goes through a real Synapse media repository and is imported by a real
/// client (R34, R41). What the implementations build is not audited here: the `bundle-building`
/// and `file-encryption` fixtures check that (R12–R17) in-process.
///
/// 1. Alice creates a `shared` room; Charlie joins and reads Alice's "secret".
/// 2. Charlie's client restarts with history sharing off, so his invites share nothing by
///    themselves: the inviter's device (Charlie's) will send what the implementation built.
/// 3. For each implementation, with its own invitee (Bob for the reference, Dave for
///    matrix-sdk-crypto):
///    a. the implementation builds a bundle from Charlie's real store (every session, with the
///    flag his key export carries; current visibility `shared`) and encrypts it;
///    b. Charlie uploads the ciphertext to Synapse, invites the invitee and sends an
///    `m.room_key_bundle` pointing at it, Olm-encrypted from his device;
///    c. the invitee receives it, and downloads (authenticated media) and decrypts exactly the
///    bundle that was built;
///    d. the invitee joins and reads "secret", forwarded by Charlie.
async fn in_process_bundles_through_synapse(env: &mut Env) -> Result<()> {
    let (alice, bob, charlie, room, secret) = charlie_reads_the_secret(env).await?;
    let dave = alice.registers_another("Dave").await?;
    let charlie = charlie.restarts_with_history_sharing(false).await?;
    charlie.syncs().await?;
    for (which, invitee) in [("reference", &bob), ("matrix-sdk-crypto", &dave)] {
        let input = inviter_build_input(
            &charlie,
            &room,
            &HistoryVisibility::Shared,
            &BTreeMap::new(),
        )
        .await?;
        let (bundle, encryption) = build_and_encrypt(which, input).await?;
        let file = adversary::upload_encryption(&charlie, &encryption).await?;
        charlie.invites(&room, invitee).await?;
        invitee.sees_invite_to(&room).await?;
        no_bundle_from(invitee, &charlie, &room).await?;
        adversary::send_bundle_event(&charlie, invitee, &room, &file).await?;
        let received = invitee.receives_bundle_from(&charlie, &room).await?;
        let (plaintext, _) = invitee.downloads_bundle(&received).await?;
        let downloaded: serde_json::Value = serde_json::from_slice(&plaintext)?;
        expect(downloaded == bundle, || {
            format!(
                "{which}: {} downloaded {downloaded}, not {bundle}",
                invitee.name
            )
        })?;
        invitee.joins(&room).await?;
        let r = invitee.eventually_reads(&room, &secret).await?;
        expect(r.is_forwarded_text("secret", charlie.user_id()), || {
            format!("{which}: {} reads the secret as {r:?}", invitee.name)
        })?;
    }
    Ok(())
}
