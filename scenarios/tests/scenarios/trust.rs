//! Whom a receiver trusts: the bundle's sender must be the inviter, its event must name the
//! invited room, its entries must belong to that room, and only cross-signed devices get one.

use msc4268_scenarios::HistoryVisibility;
use msc4268_scenarios::{Actor, Env, Result, adversary, expect};

use crate::common::{
    Defined, charlie_holds_the_secret, charlie_invites_bob, defined, holds_no_copy_of,
    holds_no_session_for, invites_with_bundle, joins_and_cannot_read, no_bundle_from,
    sends_crafted_bundle, session_of, undecryptable,
};

/// The scenarios of this file.
pub fn scenarios() -> Vec<Defined> {
    vec![
        defined!(
            "trust/bundle-from-non-inviter-ignored",
            bundle_from_non_inviter_ignored
        ),
        defined!(
            "trust/crafted-bundle-from-inviter-imported",
            crafted_bundle_from_inviter_imported
        ),
        defined!(
            "trust/other-room-keys-in-bundle-skipped",
            other_room_keys_in_bundle_skipped
        ),
        defined!(
            "trust/bundle-naming-other-room-ignored",
            bundle_naming_other_room_ignored
        ),
        defined!(
            "trust/unsigned-device-gets-no-bundle",
            unsigned_device_gets_no_bundle
        ),
    ]
}

/// A bundle from a room member who did not invite Bob is ignored, even though it is a real,
/// properly Olm-encrypted bundle with the right keys (R33: the sender must be the inviter).
///
/// 1. Alice creates a `shared` room; Charlie joins; Alice says "secret"; Charlie can read it.
/// 2. Alice sets visibility `joined`, then invites Bob: her client sends no bundle.
/// 3. Charlie (adversarial client) uploads a bundle with the room's real keys and sends Bob an
///    `m.room_key_bundle`, Olm-encrypted from his cross-signed device.
/// 4. Bob syncs and receives Charlie's bundle.
/// 5. Bob joins (invited by Alice); once he has processed a later marker from Charlie and read
///    a message Charlie says after the join, he still cannot decrypt "secret".
async fn bundle_from_non_inviter_ignored(env: &mut Env) -> Result<()> {
    let (alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    no_bundle_from(&bob, &alice, &room).await?;
    sends_crafted_bundle(&charlie, &bob, &room, &room).await?;
    joins_and_cannot_read(&bob, &charlie, &room, &secret).await
}

/// Control for the adversarial client: the same crafted bundle, sent by the member who did invite
/// Bob, is imported, so the refusal above is about the inviter and nothing else.
///
/// 1. As above, Charlie holds the key of "secret" and visibility is `joined`.
/// 2. Charlie invites Bob: his client shares nothing itself (visibility `joined`).
/// 3. Charlie sends Bob a crafted bundle with the room's real keys.
/// 4. Bob joins and reads "secret", forwarded by Charlie.
async fn crafted_bundle_from_inviter_imported(env: &mut Env) -> Result<()> {
    let (_alice, bob, charlie, room, secret) = charlie_invites_bob(env).await?;
    no_bundle_from(&bob, &charlie, &room).await?;
    sends_crafted_bundle(&charlie, &bob, &room, &room).await?;
    bob.joins(&room).await?;
    let r = bob.eventually_reads(&room, &secret).await?;
    expect(r.is_forwarded_text("secret", charlie.user_id()), || {
        format!("Bob reads the secret as {r:?}")
    })
}

/// Keys for another room inside a bundle from the inviter are not imported, while the keys for
/// the bundle's own room are (R40: only entries whose `room_id` is the bundle's room are imported).
///
/// 1. As in the trust scenarios, Charlie holds the key of "secret" in room A, whose visibility
///    is now `joined` (so no client shares anything by itself).
/// 2. Charlie creates room B, alone, and says "other room" there: his store now holds a
///    session of room B that Bob has never been sent.
/// 3. Charlie invites Bob to room A and sends him a crafted bundle for room A holding the keys
///    of room A and, after them, the keys of room B (every entry well-formed, only the room of
///    B's entries is wrong for this bundle).
/// 4. Bob receives the bundle and joins room A.
/// 5. Bob reads "secret" (so the bundle has been imported).
/// 6. Bob's crypto store holds no session of room B.
/// 7. The key of "secret" came from Charlie's bundle: Bob's client reports Charlie as its
///    forwarder.
async fn other_room_keys_in_bundle_skipped(env: &mut Env) -> Result<()> {
    let (_alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    let other = charlie
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    charlie.says(&other, "other room").await?;
    let other_keys = charlie.stored_room_keys(Some(&other)).await?;
    expect(!other_keys.is_empty(), || {
        "Charlie holds no session of room B".into()
    })?;

    charlie.syncs().await?;
    charlie.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    let bundle = adversary::bundle_from_store_rooms(&charlie, &[&room, &other]).await?;
    let rooms_in_bundle: Vec<&str> = bundle["room_keys"]
        .as_array()
        .map(|k| k.iter().filter_map(|e| e["room_id"].as_str()).collect())
        .unwrap_or_default();
    expect(
        rooms_in_bundle.contains(&room.as_str()) && rooms_in_bundle.contains(&other.as_str()),
        || format!("the crafted bundle does not mix both rooms: {rooms_in_bundle:?}"),
    )?;
    adversary::send_crafted_bundle(&charlie, &bob, &room, &bundle).await?;
    bob.receives_bundle_from(&charlie, &room).await?;
    bob.joins(&room).await?;

    // Once "secret" decrypts, the bundle has been imported: only then is the absence of room
    // B's keys meaningful. The forwarder is checked last, so that a careless client (which
    // imports every key unchecked, without a forwarder) fails at the absence check.
    let r = bob.eventually_reads(&room, &secret).await?;
    expect(r.is_text("secret"), || {
        format!("Bob reads the secret as {r:?}")
    })?;
    holds_no_session_for(&bob, &other).await?;
    expect(r.is_forwarded_text("secret", charlie.user_id()), || {
        format!("Bob reads the secret as {r:?}")
    })
}

/// A bundle whose to-device content names a different room than the invite is not used for the
/// invited room (R33: a bundle for another room than the accepted invite is not used; R23).
///
/// 1. Charlie holds the key of "secret" in room A (visibility now `joined`) and creates room B,
///    alone.
/// 2. Charlie invites Bob to room A.
/// 3. Charlie sends Bob an `m.room_key_bundle` whose content names room B, pointing at a bundle
///    with room A's real keys (the only thing wrong is the room the event names).
/// 4. Bob receives it, for room B.
/// 5. Bob joins room A: once he has processed a later marker from Charlie and read a message
///    Charlie says after the join, "secret" stays undecryptable, his store holds no copy of the
///    secret's session, and the client still waits for a bundle for room A from Charlie.
async fn bundle_naming_other_room_ignored(env: &mut Env) -> Result<()> {
    let (_alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    let secret_session = session_of(&charlie, &room, &secret).await?;
    let other = charlie
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    charlie.syncs().await?;
    charlie.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    sends_crafted_bundle(&charlie, &bob, &room, &other).await?;
    joins_and_cannot_read(&bob, &charlie, &room, &secret).await?;
    holds_no_copy_of(&bob, &room, &secret_session).await?;
    let pending = bob.pending_bundle_details(&room).await?;
    expect(
        pending
            .as_ref()
            .is_some_and(|d| d.inviter == charlie.user_id().as_str()),
        || format!("room A's pending bundle record is {pending:?}"),
    )
}

/// Bob's cross-signed device gets the bundle; his second device, which is not signed by his
/// self-signing key, does not (R19, R20: bundles go only to the invitee's cross-signed devices).
///
/// 1. Alice and Bob register (cross-signing bootstrapped); Bob logs in a second device whose
///    client does not touch cross-signing.
/// 2. Alice, after a fresh key query, sees Bob's first device cross-signed and the second not.
/// 3. Alice creates a `shared` room, says "before", and invites Bob.
/// 4. Bob's first device receives Alice's bundle; the second sees the invite but no bundle.
/// 5. Bob joins from his first device and reads "before", forwarded by Alice.
/// 6. The second device, now in the room too, cannot decrypt "before".
async fn unsigned_device_gets_no_bundle(env: &mut Env) -> Result<()> {
    let hs = env.single_synapse().await?;
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;
    let bob2 = bob.logs_in_unsigned_device("Bob's second device").await?;
    expect(
        alice
            .sees_cross_signed(bob.user_id(), bob.device_id())
            .await?,
        || "Bob's first device is not cross-signed".into(),
    )?;
    expect(
        !alice
            .sees_cross_signed(bob2.user_id(), bob2.device_id())
            .await?,
        || "Bob's second device is cross-signed".into(),
    )?;

    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let before = alice.says(&room, "before").await?;
    invites_with_bundle(&alice, &bob, &room).await?;
    bob2.sees_invite_to(&room).await?;
    no_bundle_from(&bob2, &alice, &room).await?;

    bob.joins(&room).await?;
    let r = bob.eventually_reads(&room, &before).await?;
    expect(r.is_forwarded_text("before", alice.user_id()), || {
        format!("Bob's first device reads {r:?}")
    })?;
    bob2.syncs_until("sees the room joined", async |b: &Actor| {
        Ok(b.membership(&room, b.user_id()).await?.as_deref() == Some("join"))
    })
    .await?;
    let r = bob2.reads(&room, &before).await?;
    expect(undecryptable(&r, None), || {
        format!("Bob's second device reads {r:?}")
    })
}
