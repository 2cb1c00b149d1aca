//! When a bundle arrives or is imported: after the join, after the acceptance window, and
//! across a client restart between the join and the import.

use msc4268_scenarios::HistoryVisibility;
use msc4268_scenarios::{Actor, Env, Result, expect};

use crate::common::{
    Defined, alice_and_bob_with_a_shared_room, charlie_invites_bob, defined, holds_no_copy_of,
    invites_with_bundle, no_bundle_from, sends_crafted_bundle, session_of, undecryptable,
};

/// The scenarios of this file.
pub fn scenarios() -> Vec<Defined> {
    vec![
        defined!(
            "timing/bundle-after-join-imported",
            bundle_after_join_imported
        ),
        defined!(
            "timing/bundle-after-24h-window-ignored",
            bundle_after_window_ignored
        ),
        defined!(
            "restart/killed-between-join-and-import",
            killed_between_join_and_import
        ),
    ]
}

/// The inviter's bundle arrives after Bob has joined: matrix-sdk's late-bundle task imports it
/// (R34). (Bundles that arrive before the join are the other scenarios' normal case.)
///
/// 1. Charlie holds the key of "secret"; visibility is `joined`; Charlie invites Bob; no bundle
///    reaches Bob.
/// 2. Bob joins: his client records that it accepted Charlie's invite and waits for a bundle;
///    "secret" does not decrypt.
/// 3. Charlie now sends Bob a crafted bundle with the room's real keys.
/// 4. Bob syncs and receives it; his client imports it in the background.
/// 5. Bob reads "secret", forwarded by Charlie, and nothing is pending any more.
async fn bundle_after_join_imported(env: &mut Env) -> Result<()> {
    let (_alice, bob, charlie, room, secret) = charlie_invites_bob(env).await?;
    no_bundle_from(&bob, &charlie, &room).await?;
    bob.joins(&room).await?;
    let pending = bob.pending_bundle_details(&room).await?;
    expect(
        pending
            .as_ref()
            .is_some_and(|d| d.inviter == charlie.user_id().as_str()),
        || format!("after the join the pending record is {pending:?}"),
    )?;
    let r = bob.reads(&room, &secret).await?;
    expect(undecryptable(&r, None), || {
        format!("before the bundle Bob reads {r:?}")
    })?;

    sends_crafted_bundle(&charlie, &bob, &room, &room).await?;
    let r = bob.eventually_reads(&room, &secret).await?;
    expect(r.is_forwarded_text("secret", charlie.user_id()), || {
        format!("after the late bundle Bob reads {r:?}")
    })?;
    bob.syncs_until("no longer waits for a bundle", async |b: &Actor| {
        Ok(!b.has_pending_bundle_for(&room).await?)
    })
    .await
}

/// A bundle that arrives more than 24 h after Bob accepted the invite is ignored; the same
/// bundle inside the window is imported (R36: acceptance window; matrix-sdk uses 24 h).
///
/// 1. Charlie holds the key of "secret"; visibility is `joined`; Charlie invites Bob; Bob joins
///    with no bundle yet, so his client records the acceptance time and waits.
/// 2. For the marker, Charlie also has a room B where he said "marker" before setting it to
///    `joined`; he invites Bob, who joins: Bob's client waits for a bundle for B too.
/// 3. The scenario rewrites room A's recorded acceptance time to 25 h ago in Bob's sqlite
///    crypto store (a second connection; the client reads the record from the store when a
///    bundle arrives), in place of waiting a day.
/// 4. Charlie sends Bob a crafted bundle for room A with its real keys; Bob receives it.
/// 5. Marker: Charlie then sends a crafted bundle for room B, inside B's window. Bob's
///    late-bundle task handles bundles one at a time in the order they arrive, so once Bob
///    reads "marker" (forwarded by Charlie: checked after step 6), room A's bundle has been
///    handled too.
/// 6. Bob's late-bundle task refused room A's bundle: "secret" stays undecryptable and his
///    store holds no copy of its session.
/// 7. Control: the record is rewritten to 23 h ago and Bob's client restarts on the same store;
///    its startup task retries the stored bundle, which is now inside the window: Bob reads
///    "secret", forwarded by Charlie.
async fn bundle_after_window_ignored(env: &mut Env) -> Result<()> {
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);
    let (_alice, bob, charlie, room, secret) = charlie_invites_bob(env).await?;
    let secret_session = session_of(&charlie, &room, &secret).await?;
    no_bundle_from(&bob, &charlie, &room).await?;
    bob.joins(&room).await?;

    let marker_room = charlie
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let marker = charlie.says(&marker_room, "marker").await?;
    charlie
        .sets_history_visibility(&marker_room, HistoryVisibility::Joined)
        .await?;
    charlie.invites(&marker_room, &bob).await?;
    bob.sees_invite_to(&marker_room).await?;
    no_bundle_from(&bob, &charlie, &marker_room).await?;
    bob.joins(&marker_room).await?;

    bob.backdates_invite_acceptance(&room, 25 * HOUR).await?;
    sends_crafted_bundle(&charlie, &bob, &room, &room).await?;
    sends_crafted_bundle(&charlie, &bob, &marker_room, &marker_room).await?;
    let m = bob.eventually_reads(&marker_room, &marker).await?;
    expect(m.is_text("marker"), || {
        format!("Bob reads the marker room's history as {m:?}")
    })?;
    let r = bob.reads(&room, &secret).await?;
    expect(undecryptable(&r, None), || {
        format!("after the window Bob reads {r:?}")
    })?;
    holds_no_copy_of(&bob, &room, &secret_session).await?;
    // The marker reading, taken before the absence checks, came through the bundle path (its
    // forwarder is Charlie). Checked after them, so that a careless client, whose unchecked
    // import leaves no forwarder, fails at the absence check rather than here.
    expect(m.is_forwarded_text("marker", charlie.user_id()), || {
        format!("Bob reads the marker room's history as {m:?}")
    })?;

    bob.backdates_invite_acceptance(&room, 23 * HOUR).await?;
    let bob = bob.restarts().await?;
    let r = bob.eventually_reads(&room, &secret).await?;
    expect(r.is_forwarded_text("secret", charlie.user_id()), || {
        format!("inside the window Bob reads {r:?}")
    })
}

/// Bob's client is killed between the join and the import, restarts on the same store, and
/// completes the import.
///
/// 1. Alice creates a `shared` room, says "before", invites Bob; Bob receives the bundle.
/// 2. Bob's client restarts as one that stops before importing (history sharing off) and joins:
///    the join is recorded as pending a bundle from Alice, nothing is imported, "before" does
///    not decrypt.
/// 3. Bob's client restarts on the same sqlite store with history sharing on.
/// 4. Its startup task imports the stored bundle: "before" decrypts with Alice as forwarder and
///    nothing is pending any more.
async fn killed_between_join_and_import(env: &mut Env) -> Result<()> {
    let (alice, bob, room) = alice_and_bob_with_a_shared_room(env).await?;
    let before = alice.says(&room, "before").await?;
    invites_with_bundle(&alice, &bob, &room).await?;

    let bob = bob.restarts_with_history_sharing(false).await?;
    bob.joins(&room).await?;
    expect(bob.has_pending_bundle_for(&room).await?, || {
        "the join was not recorded as pending a bundle".into()
    })?;
    let r = bob.reads(&room, &before).await?;
    expect(undecryptable(&r, None), || {
        format!("before the restart Bob reads {r:?}")
    })?;

    let bob = bob.restarts().await?;
    let r = bob.eventually_reads(&room, &before).await?;
    expect(r.is_forwarded_text("before", alice.user_id()), || {
        format!("after the restart Bob reads {r:?}")
    })?;
    expect(!bob.has_pending_bundle_for(&room).await?, || {
        "still pending after the import".into()
    })
}
