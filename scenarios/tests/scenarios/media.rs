//! Bundle media that cannot be used: deleted before the download, ciphertext changed after
//! encryption, or a wrong hash. Nothing is imported and the invitee's client stays healthy.

use msc4268_scenarios::{Actor, Env, ReceivedBundle, Result, ScenarioError, adversary, expect};

use crate::common::{
    Defined, alice_and_bob_with_a_shared_room_on, charlie_invites_bob, defined,
    holds_no_session_for, invites_with_bundle, still_talking, undecryptable,
};

/// The scenarios of this file.
pub fn scenarios() -> Vec<Defined> {
    vec![
        defined!(
            "media/deleted-before-download",
            media_deleted_before_download
        ),
        defined!(
            "media/tampered-ciphertext-nothing-imported",
            tampered_ciphertext_nothing_imported
        ),
        defined!(
            "media/wrong-sha256-nothing-imported",
            wrong_sha256_nothing_imported
        ),
    ]
}

/// The bundle's media is deleted by a server admin before Bob downloads it: nothing is imported
/// and Bob's client stays healthy.
///
/// 1. Alice creates a `shared` room, says "before", invites Bob; Bob receives the bundle.
/// 2. A server admin deletes the bundle's media (Synapse admin API); downloading it now fails.
/// 3. Bob joins: the join succeeds, "before" stays undecryptable, and the client no longer
///    waits for that bundle.
/// 4. Alice says "after"; Bob reads it. Bob says "still here"; Alice reads it.
async fn media_deleted_before_download(env: &mut Env) -> Result<()> {
    let hs = env.single_synapse().await?;
    let (alice, bob, room) = alice_and_bob_with_a_shared_room_on(&hs).await?;
    let before = alice.says(&room, "before").await?;
    let bundle = invites_with_bundle(&alice, &bob, &room).await?;
    let mxc = bundle.file["url"].as_str().unwrap_or_default().to_owned();
    hs.delete_media_as_admin(&mxc).await?;
    expect(download_refused(&bob, &bundle).await?, || {
        "the deleted media still downloads".into()
    })?;

    bob.joins(&room).await?;
    let r = bob.reads(&room, &before).await?;
    expect(undecryptable(&r, None), || format!("Bob reads {r:?}"))?;
    expect(!bob.has_pending_bundle_for(&room).await?, || {
        "Bob still waits for the deleted bundle".into()
    })?;

    still_talking(&alice, &bob, &room).await
}

/// Whether `actor`'s client answers `failed` when asked to download and decrypt `bundle`'s file.
/// Only that answer counts: a client that does not support the command (the scenario is then
/// skipped) or an actor that broke is not a refused download.
async fn download_refused(actor: &Actor, bundle: &ReceivedBundle) -> Result<bool> {
    match actor.downloads_bundle(bundle).await {
        Ok(_) => Ok(false),
        Err(ScenarioError::ClientFailed(_)) => Ok(true),
        Err(e) => Err(e),
    }
}

/// Shared body of the tampered-media scenarios.
async fn tampered_media_nothing_imported(env: &mut Env, tamper: adversary::Tamper) -> Result<()> {
    let (_alice, bob, charlie, room, secret) = charlie_invites_bob(env).await?;
    let bundle = adversary::bundle_from_store(&charlie, &room).await?;
    let file = adversary::upload_tampered(&charlie, &serde_json::to_vec(&bundle)?, tamper).await?;
    adversary::send_bundle_event(&charlie, &bob, &room, &file).await?;
    let received = bob.receives_bundle_from(&charlie, &room).await?;
    expect(download_refused(&bob, &received).await?, || {
        format!("Bob's client decrypted the {tamper:?}-tampered media")
    })?;

    bob.joins(&room).await?;
    let r = bob.reads(&room, &secret).await?;
    expect(undecryptable(&r, None), || {
        format!("Bob reads the secret as {r:?}")
    })?;
    holds_no_session_for(&bob, &room).await?;
    // matrix-sdk treats a failed decryption like a network error: it keeps the record of the
    // join so that its startup task retries the download (until the 24 h window ends).
    expect(bob.has_pending_bundle_for(&room).await?, || {
        "the join is no longer pending a bundle".into()
    })?;
    still_talking(&charlie, &bob, &room).await
}

/// The bundle's ciphertext was changed after encryption (its `sha256` is the hash of the
/// original): nothing is imported and Bob's client stays healthy (R38, R39).
///
/// 1. Charlie holds the key of "secret"; visibility is `joined`; Charlie invites Bob.
/// 2. Charlie encrypts a bundle with the room's real keys (reference encryption: fresh key and
///    IV), flips the last ciphertext byte, uploads it and sends Bob an `m.room_key_bundle`
///    pointing at it, Olm-encrypted from his device.
/// 3. Bob receives it; downloading and decrypting it with his client's media API fails.
/// 4. Bob joins: "secret" stays undecryptable and his store holds no session of the room; the
///    join stays recorded as pending a bundle (matrix-sdk retries such downloads at startup).
/// 5. Charlie says "after" and Bob reads it; Bob says "still here" and Charlie reads it.
async fn tampered_ciphertext_nothing_imported(env: &mut Env) -> Result<()> {
    tampered_media_nothing_imported(env, adversary::Tamper::Ciphertext).await
}

/// The bundle's ciphertext is intact but `hashes.sha256` is wrong: nothing is imported and
/// Bob's client stays healthy (R38, R39).
///
/// 1. Charlie holds the key of "secret"; visibility is `joined`; Charlie invites Bob.
/// 2. Charlie encrypts a bundle with the room's real keys, uploads the ciphertext unchanged,
///    and sends Bob an `m.room_key_bundle` whose `file.hashes.sha256` has its first byte
///    flipped.
/// 3. Bob receives it; downloading and decrypting it with his client's media API fails.
/// 4. Bob joins: "secret" stays undecryptable and his store holds no session of the room; the
///    join stays recorded as pending a bundle.
/// 5. Charlie says "after" and Bob reads it; Bob says "still here" and Charlie reads it.
async fn wrong_sha256_nothing_imported(env: &mut Env) -> Result<()> {
    tampered_media_nothing_imported(env, adversary::Tamper::Hash).await
}
