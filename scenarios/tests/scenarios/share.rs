//! Sharing itself: what a `shared` room's invitee reads, what `joined` visibility withholds,
//! chains of invites, and key rotation when a member leaves.

use std::collections::BTreeMap;

use msc4268_scenarios::HistoryVisibility;
use msc4268_scenarios::audit::audit_received_bundle;
use msc4268_scenarios::{Actor, Env, Reading, Result, expect};

use crate::common::{
    Defined, alice_and_bob_with_a_shared_room, alice_bob_and_charlie_with_a_shared_room, defined,
    invites_with_bundle, no_bundle_from, reads_the_shared_eras, says_across_eras, session_of,
    undecryptable,
};

/// The scenarios of this file.
pub fn scenarios() -> Vec<Defined> {
    vec![
        defined!(
            "share/shared-visibility-history-decrypts",
            shared_visibility_history_decrypts
        ),
        defined!(
            "visibility/joined-shares-nothing",
            joined_visibility_shares_nothing
        ),
        defined!(
            "visibility/toggled-mid-history-withheld",
            toggled_visibility_withholds_joined_era
        ),
        defined!("chain/alice-bob-charlie", chain_alice_bob_charlie),
        defined!(
            "rotation/member-leaves-key-rotates",
            member_leaves_key_rotates
        ),
    ]
}

/// Alice invites Bob to a `shared` room; Bob joins and reads the history Alice forwarded.
///
/// 1. Alice and Bob register on one Synapse (cross-signing bootstrapped, history sharing on).
/// 2. Alice creates an encrypted room with history visibility `shared` and says "before Bob".
/// 3. Alice invites Bob: her client uploads an encrypted bundle and sends Bob `m.room_key_bundle`.
/// 4. Bob syncs: he sees the invite and a bundle for the room from Alice's device, sent with the
///    stable event type.
/// 5. The uploaded bundle, downloaded from Synapse's authenticated media, passes the suite's
///    auditors: content against Alice's store (R12–R16, B1, B2) and encryption (R17, A1–A8, A11, A12);
///    it holds exactly the one shared session.
/// 6. Bob joins; his client downloads and imports Alice's bundle.
/// 7. Bob reads "before Bob"; the client reports Alice's device as the forwarder.
/// 8. Alice says "after Bob" and Bob reads it with no forwarder (a direct room key).
async fn shared_visibility_history_decrypts(env: &mut Env) -> Result<()> {
    let (alice, bob, room) = alice_and_bob_with_a_shared_room(env).await?;
    let before = alice.says(&room, "before Bob").await?;

    let bundle = invites_with_bundle(&alice, &bob, &room).await?;
    let audit = audit_received_bundle(
        &alice,
        &bob,
        &room,
        &HistoryVisibility::Shared,
        &BTreeMap::from([(
            session_of(&alice, &room, &before).await?,
            HistoryVisibility::Shared,
        )]),
        &bundle,
    )
    .await?;
    expect(audit.content.is_ok(), || {
        format!("Alice's bundle content: {:?}", audit.content)
    })?;
    expect(audit.encryption.is_ok(), || {
        format!("Alice's bundle encryption: {:?}", audit.encryption)
    })?;
    expect(
        audit.plaintext["room_keys"]
            .as_array()
            .is_some_and(|k| k.len() == 1),
        || format!("expected one shared key: {}", audit.plaintext),
    )?;
    expect(bundle.event_type == "m.room_key_bundle", || {
        format!("bundle sent as {}", bundle.event_type)
    })?;
    expect(
        bundle.sender_device.as_deref() == Some(alice.device_id().as_str()),
        || format!("bundle from device {:?}, not Alice's", bundle.sender_device),
    )?;

    bob.joins(&room).await?;
    let reading = bob.eventually_reads(&room, &before).await?;
    expect(reading.is_text("before Bob"), || {
        format!("Bob reads {reading:?}")
    })?;
    let Reading::Decrypted { forwarder, .. } = &reading else {
        unreachable!()
    };
    expect(
        forwarder.as_ref().is_some_and(|f| {
            f.user_id == alice.user_id().as_str() && f.device_id == alice.device_id().as_str()
        }),
        || format!("forwarder is {forwarder:?}, expected Alice's device"),
    )?;

    alice.sees_joined(&room, &bob).await?;
    let after = alice.says(&room, "after Bob").await?;
    let reading = bob.eventually_reads(&room, &after).await?;
    expect(
        matches!(&reading, Reading::Decrypted { body, forwarder: None, .. } if body == "after Bob"),
        || format!("Bob reads the live message as {reading:?}"),
    )?;
    Ok(())
}

/// History visibility `joined`: Alice's client shares nothing, and Bob cannot read the past.
///
/// 1. Alice creates an encrypted room with history visibility `joined` and says "members only".
/// 2. Alice invites Bob; Bob sees the invite.
/// 3. No bundle from Alice reaches Bob (matrix-sdk shares nothing while visibility is `joined`).
/// 4. Bob joins and cannot read "members only": the server hides it from him, and should it
///    show it, his client has no key for it.
async fn joined_visibility_shares_nothing(env: &mut Env) -> Result<()> {
    let hs = env.single_synapse().await?;
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Joined)
        .await?;
    let before = alice.says(&room, "members only").await?;
    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    no_bundle_from(&bob, &alice, &room).await?;
    bob.joins(&room).await?;
    let reading = bob.reads(&room, &before).await?;
    expect(
        reading == Reading::Hidden || undecryptable(&reading, None),
        || format!("Bob reads {reading:?}"),
    )
}

/// Visibility toggled `shared` → `joined` → `shared`: only the shared eras decrypt; the joined-era
/// session is listed as withheld with `m.history_not_shared`.
///
/// 1. Alice creates a `shared` room and says "shared era 1".
/// 2. Alice sets visibility `joined` and says "joined era" (her client rotates the session).
/// 3. Alice sets visibility back to `shared` and says "shared era 2".
/// 4. Alice invites Bob; Bob receives her bundle.
/// 5. The bundle passes both auditors against Alice's store, with the scenario's own record of
///    which visibility each session was created under (R12, R13: the joined-era session is in
///    `withheld`, not in `room_keys`).
/// 6. Bob joins; "shared era 1" and "shared era 2" decrypt with Alice as forwarder.
/// 7. Synapse hides "joined era" from Bob; given Alice's copy of the event, Bob's client cannot
///    decrypt it and reports withheld code `m.history_not_shared`.
async fn toggled_visibility_withholds_joined_era(env: &mut Env) -> Result<()> {
    let (alice, bob, room) = alice_and_bob_with_a_shared_room(env).await?;
    let texts = ["shared era 1", "joined era", "shared era 2"];
    let [m1, m2, m3] = says_across_eras(&alice, &room, texts).await?;
    let eras = BTreeMap::from([
        (
            session_of(&alice, &room, &m1).await?,
            HistoryVisibility::Shared,
        ),
        (
            session_of(&alice, &room, &m2).await?,
            HistoryVisibility::Joined,
        ),
        (
            session_of(&alice, &room, &m3).await?,
            HistoryVisibility::Shared,
        ),
    ]);
    expect(eras.len() == 3, || {
        format!("expected three sessions (rotation on visibility change): {eras:?}")
    })?;

    let bundle = invites_with_bundle(&alice, &bob, &room).await?;
    let audit = audit_received_bundle(
        &alice,
        &bob,
        &room,
        &HistoryVisibility::Shared,
        &eras,
        &bundle,
    )
    .await?;
    expect(audit.content.is_ok(), || {
        format!("content audit: {:?}", audit.content)
    })?;
    expect(audit.encryption.is_ok(), || {
        format!("encryption audit: {:?}", audit.encryption)
    })?;
    let withheld = audit.plaintext["withheld"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let joined_session = session_of(&alice, &room, &m2).await?;
    expect(
        withheld.iter().any(|w| {
            w["session_id"] == joined_session.as_str() && w["code"] == "m.history_not_shared"
        }),
        || {
            format!(
                "joined-era session not withheld as m.history_not_shared: {}",
                audit.plaintext
            )
        },
    )?;

    bob.joins(&room).await?;
    // The server hides joined-era events from Bob; Bob's client decrypts Alice's copy.
    expect(bob.reads(&room, &m2).await? == Reading::Hidden, || {
        "Synapse showed Bob a joined-era event".into()
    })?;
    reads_the_shared_eras(&bob, &alice, &alice, &room, &[m1, m2, m3], texts).await
}

/// Chain A → B → C: Charlie reads Alice's history through Bob's bundle, and the withheld code
/// of the joined era travels along (R13, transitive withheld entries).
///
/// 1. Alice creates a `shared` room: "era 1"; visibility `joined`: "era 2"; `shared`: "era 3".
/// 2. Alice invites Bob; Bob joins and imports Alice's bundle.
/// 3. Bob invites Charlie: Bob's client builds a bundle from the keys it imported.
/// 4. Charlie receives Bob's bundle and joins.
/// 5. Charlie reads "era 1" and "era 3", forwarded by Bob; for "era 2" (Alice's copy: the
///    server hides it from Charlie) his client reports withheld code `m.history_not_shared`.
async fn chain_alice_bob_charlie(env: &mut Env) -> Result<()> {
    let (alice, bob, charlie, room) = alice_bob_and_charlie_with_a_shared_room(env).await?;
    let texts = ["era 1", "era 2", "era 3"];
    let eras = says_across_eras(&alice, &room, texts).await?;

    invites_with_bundle(&alice, &bob, &room).await?;
    bob.joins(&room).await?;
    let r = bob.eventually_reads(&room, &eras[2]).await?;
    expect(r.is_text("era 3"), || format!("Bob reads era 3 as {r:?}"))?;

    bob.syncs().await?;
    invites_with_bundle(&bob, &charlie, &room).await?;
    charlie.joins(&room).await?;
    reads_the_shared_eras(&charlie, &bob, &alice, &room, &eras, texts).await
}

/// The room key rotates when a member leaves, so a departed invitee cannot read later messages
/// (R8).
///
/// 1. Alice creates a `shared` room and says "before"; she invites Bob, who joins and reads
///    "before" through her bundle.
/// 2. Alice says "while Bob is here"; Bob reads it.
/// 3. Bob leaves; Alice's client sees him leave.
/// 4. Alice says "after Bob left": it is sent on a new Megolm session.
/// 5. Given Alice's copy of that event (the server no longer shows it to Bob), Bob's client
///    cannot decrypt it.
async fn member_leaves_key_rotates(env: &mut Env) -> Result<()> {
    let (alice, bob, room) = alice_and_bob_with_a_shared_room(env).await?;
    let before = alice.says(&room, "before").await?;
    invites_with_bundle(&alice, &bob, &room).await?;
    bob.joins(&room).await?;
    let r = bob.eventually_reads(&room, &before).await?;
    expect(r.is_forwarded_text("before", alice.user_id()), || {
        format!("Bob reads {r:?}")
    })?;

    alice.sees_joined(&room, &bob).await?;
    let during = alice.says(&room, "while Bob is here").await?;
    let r = bob.eventually_reads(&room, &during).await?;
    expect(r.is_text("while Bob is here"), || {
        format!("Bob reads {r:?}")
    })?;

    bob.leaves(&room).await?;
    alice.sees_left(&room, &bob).await?;
    let after = alice.says(&room, "after Bob left").await?;
    let during_session = session_of(&alice, &room, &during).await?;
    let after_session = session_of(&alice, &room, &after).await?;
    expect(during_session != after_session, || {
        format!("Alice kept session {after_session} after Bob left")
    })?;
    let r = bob
        .decrypts(&room, &alice.encrypted_copy(&room, &after).await?)
        .await?;
    expect(undecryptable(&r, None), || {
        format!("after leaving Bob reads {r:?}")
    })
}
