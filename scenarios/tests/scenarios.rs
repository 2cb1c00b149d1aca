//! MSC4268 share scenarios against real Synapse homeservers (one test per scenario).
//!
//! Needs Docker. Set `MSC4268_SKIP_DOCKER=1` to report every scenario as ignored instead.
//! Each scenario's doc comment lists its steps; the rules it observes are in its name's table in
//! README ("Scenarios").

use std::path::PathBuf;

use libtest_mimic::{Arguments, Failed, Trial};
use matrix_sdk::ruma::events::room::history_visibility::HistoryVisibility;
use std::collections::BTreeMap;

use matrix_sdk::ruma::{EventId, RoomId};
use msc4268_scenarios::{
    Actor, Env, Reading, ReceivedBundle, Result, Runner, adversary, audit::audit_received_bundle,
    docker, expect,
};

type Body = fn(&mut Env) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + '_>>;

macro_rules! scenario {
    ($f:ident) => {
        (|env: &mut Env| Box::pin($f(env))) as Body
    };
}

fn scenarios() -> Vec<(&'static str, Body)> {
    vec![
        (
            "share/shared-visibility-history-decrypts",
            scenario!(shared_visibility_history_decrypts),
        ),
        (
            "visibility/joined-shares-nothing",
            scenario!(joined_visibility_shares_nothing),
        ),
        (
            "visibility/toggled-mid-history-withheld",
            scenario!(toggled_visibility_withholds_joined_era),
        ),
        (
            "trust/bundle-from-non-inviter-ignored",
            scenario!(bundle_from_non_inviter_ignored),
        ),
        (
            "trust/crafted-bundle-from-inviter-imported",
            scenario!(crafted_bundle_from_inviter_imported),
        ),
        (
            "media/deleted-before-download",
            scenario!(media_deleted_before_download),
        ),
        (
            "restart/killed-between-join-and-import",
            scenario!(killed_between_join_and_import),
        ),
        (
            "chain/alice-bob-charlie",
            scenario!(chain_alice_bob_charlie),
        ),
        (
            "federation/share-across-servers",
            scenario!(share_across_federation),
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
///    auditors: content against Alice's store (R12–R16, B1, B2) and encryption (R17, A1–A12);
///    it holds exactly the one shared session.
/// 6. Bob joins; his client downloads and imports Alice's bundle.
/// 7. Bob reads "before Bob"; the client reports Alice's device as the forwarder.
/// 8. Alice says "after Bob" and Bob reads it with no forwarder (a direct room key).
async fn shared_visibility_history_decrypts(env: &mut Env) -> Result<()> {
    let hs = env.single_synapse().await?;
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;

    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let before = alice.says(&room, "before Bob").await?;

    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    let bundle = bob.receives_bundle_from(&alice, &room).await?;
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
        bundle.sender_device.as_deref() == Some(alice.device_id()),
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
        forwarder
            .as_ref()
            .is_some_and(|(u, d)| u == alice.user_id() && d == alice.device_id()),
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

/// The Megolm session of one of `actor`'s own messages.
async fn session_of(actor: &Actor, room: &RoomId, event: &EventId) -> Result<String> {
    match actor.reads(room, event).await? {
        Reading::Decrypted {
            session_id: Some(s),
            ..
        } => Ok(s),
        other => Err(msc4268_scenarios::ScenarioError::Unexpected(format!(
            "{} cannot read their own message: {other:?}",
            actor.name
        ))),
    }
}

/// Syncs `actor` twice more and checks no bundle for `room` came from `sender`.
async fn no_bundle_from(actor: &Actor, sender: &Actor, room: &RoomId) -> Result<()> {
    actor.syncs().await?;
    actor.syncs().await?;
    let found: Vec<ReceivedBundle> = actor
        .received_bundles()
        .into_iter()
        .filter(|b| b.sender == sender.user_id() && b.room_id == room.as_str())
        .collect();
    expect(found.is_empty(), || {
        format!(
            "{} got a bundle from {}: {found:?}",
            actor.name, sender.name
        )
    })
}

fn undecryptable(r: &Reading, withheld: Option<&str>) -> bool {
    matches!(r, Reading::Undecryptable { withheld: w, .. } if w.as_deref() == withheld)
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
    let hs = env.single_synapse().await?;
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let m1 = alice.says(&room, "shared era 1").await?;
    alice
        .sets_history_visibility(&room, HistoryVisibility::Joined)
        .await?;
    let m2 = alice.says(&room, "joined era").await?;
    alice
        .sets_history_visibility(&room, HistoryVisibility::Shared)
        .await?;
    let m3 = alice.says(&room, "shared era 2").await?;
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

    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    let bundle = bob.receives_bundle_from(&alice, &room).await?;
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
    for (event, text) in [(&m1, "shared era 1"), (&m3, "shared era 2")] {
        let r = bob.eventually_reads(&room, event).await?;
        expect(
            matches!(&r, Reading::Decrypted { body, forwarder: Some((u, _)), .. } if body == text && u == alice.user_id()),
            || format!("Bob reads {text:?} as {r:?}"),
        )?;
    }
    // The server hides joined-era events from Bob; Bob's client decrypts Alice's copy.
    expect(bob.reads(&room, &m2).await? == Reading::Hidden, || {
        "Synapse showed Bob a joined-era event".into()
    })?;
    let r = bob
        .decrypts(&room, &alice.encrypted_copy(&room, &m2).await?)
        .await?;
    expect(undecryptable(&r, Some("m.history_not_shared")), || {
        format!("Bob reads the joined era as {r:?}")
    })
}

/// Common start of the adversarial scenarios: Charlie is a member who holds the key of
/// "secret"; Alice's room is `joined` by the time Bob is invited, so Alice shares nothing.
async fn charlie_holds_the_secret(
    env: &mut Env,
) -> Result<(
    Actor,
    Actor,
    Actor,
    matrix_sdk::ruma::OwnedRoomId,
    matrix_sdk::ruma::OwnedEventId,
)> {
    let hs = env.single_synapse().await?;
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;
    let charlie = Actor::register(&hs, "Charlie").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    alice.invites(&room, &charlie).await?;
    charlie.sees_invite_to(&room).await?;
    charlie.joins(&room).await?;
    alice.sees_joined(&room, &charlie).await?;
    let secret = alice.says(&room, "secret").await?;
    let r = charlie.eventually_reads(&room, &secret).await?;
    expect(r.is_text("secret"), || format!("Charlie reads {r:?}"))?;
    alice
        .sets_history_visibility(&room, HistoryVisibility::Joined)
        .await?;
    Ok((alice, bob, charlie, room, secret))
}

/// A bundle from a room member who did not invite Bob is ignored, even though it is a real,
/// properly Olm-encrypted bundle with the right keys (R31: the sender must be the inviter).
///
/// 1. Alice creates a `shared` room; Charlie joins; Alice says "secret"; Charlie can read it.
/// 2. Alice sets visibility `joined`, then invites Bob: her client sends no bundle.
/// 3. Charlie (adversarial client) uploads a bundle with the room's real keys and sends Bob an
///    `m.room_key_bundle`, Olm-encrypted from his cross-signed device.
/// 4. Bob syncs and receives Charlie's bundle.
/// 5. Bob joins (invited by Alice) and still cannot decrypt "secret".
async fn bundle_from_non_inviter_ignored(env: &mut Env) -> Result<()> {
    let (alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    no_bundle_from(&bob, &alice, &room).await?;
    let bundle = adversary::bundle_from_store(&charlie, &room).await?;
    expect(
        bundle["room_keys"]
            .as_array()
            .is_some_and(|k| !k.is_empty()),
        || format!("no keys: {bundle}"),
    )?;
    adversary::send_crafted_bundle(&charlie, &bob, &room, &bundle).await?;
    bob.receives_bundle_from(&charlie, &room).await?;
    bob.joins(&room).await?;
    // Give a late-bundle task every chance to (wrongly) import it.
    bob.syncs().await?;
    let r = bob.reads(&room, &secret).await?;
    expect(undecryptable(&r, None), || {
        format!("Bob reads the secret as {r:?}")
    })
}

/// Control for the adversarial client: the same crafted bundle, sent by the member who did invite
/// Bob, is imported, so the refusal above is about the inviter and nothing else.
///
/// 1. As above, Charlie holds the key of "secret" and visibility is `joined`.
/// 2. Charlie invites Bob: his client shares nothing itself (visibility `joined`).
/// 3. Charlie sends Bob a crafted bundle with the room's real keys.
/// 4. Bob joins and reads "secret", forwarded by Charlie.
async fn crafted_bundle_from_inviter_imported(env: &mut Env) -> Result<()> {
    let (_alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    charlie.syncs().await?;
    charlie.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    no_bundle_from(&bob, &charlie, &room).await?;
    let bundle = adversary::bundle_from_store(&charlie, &room).await?;
    adversary::send_crafted_bundle(&charlie, &bob, &room, &bundle).await?;
    bob.receives_bundle_from(&charlie, &room).await?;
    bob.joins(&room).await?;
    let r = bob.eventually_reads(&room, &secret).await?;
    expect(
        matches!(&r, Reading::Decrypted { body, forwarder: Some((u, _)), .. } if body == "secret" && u == charlie.user_id()),
        || format!("Bob reads the secret as {r:?}"),
    )
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
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let before = alice.says(&room, "before").await?;
    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    let bundle = bob.receives_bundle_from(&alice, &room).await?;
    let mxc = bundle.file["url"].as_str().unwrap_or_default().to_owned();
    hs.delete_media_as_admin(&mxc).await?;
    expect(bob.downloads_bundle(&bundle).await.is_err(), || {
        "the deleted media still downloads".into()
    })?;

    bob.joins(&room).await?;
    let r = bob.reads(&room, &before).await?;
    expect(undecryptable(&r, None), || format!("Bob reads {r:?}"))?;
    expect(!bob.has_pending_bundle_for(&room).await?, || {
        "Bob still waits for the deleted bundle".into()
    })?;

    alice.sees_joined(&room, &bob).await?;
    let after = alice.says(&room, "after").await?;
    let r = bob.eventually_reads(&room, &after).await?;
    expect(r.is_text("after"), || {
        format!("Bob reads the live message as {r:?}")
    })?;
    let hello = bob.says(&room, "still here").await?;
    let r = alice.eventually_reads(&room, &hello).await?;
    expect(r.is_text("still here"), || {
        format!("Alice reads Bob's message as {r:?}")
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
    let hs = env.single_synapse().await?;
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let before = alice.says(&room, "before").await?;
    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    bob.receives_bundle_from(&alice, &room).await?;

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
    expect(
        matches!(&r, Reading::Decrypted { body, forwarder: Some((u, _)), .. } if body == "before" && u == alice.user_id()),
        || format!("after the restart Bob reads {r:?}"),
    )?;
    expect(!bob.has_pending_bundle_for(&room).await?, || {
        "still pending after the import".into()
    })
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
    let hs = env.single_synapse().await?;
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;
    let charlie = Actor::register(&hs, "Charlie").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let m1 = alice.says(&room, "era 1").await?;
    alice
        .sets_history_visibility(&room, HistoryVisibility::Joined)
        .await?;
    let m2 = alice.says(&room, "era 2").await?;
    alice
        .sets_history_visibility(&room, HistoryVisibility::Shared)
        .await?;
    let m3 = alice.says(&room, "era 3").await?;

    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    bob.receives_bundle_from(&alice, &room).await?;
    bob.joins(&room).await?;
    let r = bob.eventually_reads(&room, &m3).await?;
    expect(r.is_text("era 3"), || format!("Bob reads era 3 as {r:?}"))?;

    bob.syncs().await?;
    bob.invites(&room, &charlie).await?;
    charlie.sees_invite_to(&room).await?;
    charlie.receives_bundle_from(&bob, &room).await?;
    charlie.joins(&room).await?;
    for (event, text) in [(&m1, "era 1"), (&m3, "era 3")] {
        let r = charlie.eventually_reads(&room, event).await?;
        expect(
            matches!(&r, Reading::Decrypted { body, forwarder: Some((u, _)), .. } if body == text && u == bob.user_id()),
            || format!("Charlie reads {text:?} as {r:?}"),
        )?;
    }
    let r = charlie
        .decrypts(&room, &alice.encrypted_copy(&room, &m2).await?)
        .await?;
    expect(undecryptable(&r, Some("m.history_not_shared")), || {
        format!("Charlie reads era 2 as {r:?}")
    })
}

/// Federation: Alice on hs1 invites Bob on hs2; the share works across servers.
///
/// 1. Two Synapses federate over TLS on the scenario network; a CA generated at test time signs
///    both federation certificates, and each server trusts only that CA.
/// 2. Alice registers on hs1, Bob on hs2.
/// 3. Alice creates a `shared` room and says "from hs1".
/// 4. Alice invites Bob: the invite, her device list query for Bob and the `m.room_key_bundle`
///    cross to hs2 over federation; the bundle stays in hs1's media repository.
/// 5. Bob receives the bundle and joins through hs1; his client downloads the bundle as remote
///    media through hs2 (authenticated federation media).
/// 6. Bob reads "from hs1" in the room history (hs2 backfills it from hs1), forwarded by
///    Alice's device.
async fn share_across_federation(env: &mut Env) -> Result<()> {
    let (hs1, hs2) = env.federated_pair().await?;
    let alice = Actor::register(&hs1, "Alice").await?;
    let bob = Actor::register(&hs2, "Bob").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let before = alice.says(&room, "from hs1").await?;
    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    let bundle = bob.receives_bundle_from(&alice, &room).await?;
    expect(
        bundle.file["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("mxc://{}/", hs1.server_name))),
        || format!("the bundle is not on hs1: {}", bundle.file),
    )?;
    bob.joins(&room).await?;
    let r = bob.eventually_reads_in_history(&room, &before).await?;
    expect(
        matches!(&r, Reading::Decrypted { body, forwarder: Some((u, d)), .. }
            if body == "from hs1" && u == alice.user_id() && d == alice.device_id()),
        || format!("Bob reads {r:?}"),
    )
}

fn main() {
    let args = Arguments::from_args();
    let runner = Runner {
        log_root: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario-logs"),
    };
    let skip = docker::skip_requested();
    let selected = scenarios().iter().any(|(name, _)| {
        args.filter.as_deref().is_none_or(|f| {
            if args.exact {
                *name == f
            } else {
                name.contains(f)
            }
        }) && !args.skip.iter().any(|s| name.contains(s.as_str()))
    });
    // Prepare Docker (and build the image if missing) only if a scenario will run.
    let prepared = if skip {
        Err(format!(
            "{} is set: Docker scenarios are skipped",
            docker::SKIP_ENV
        ))
    } else if args.list || !selected {
        Ok(())
    } else {
        docker::prepare().map(|_| ()).map_err(|e| e.to_string())
    };
    if skip {
        eprintln!(
            "{} is set: the Docker scenarios are reported as ignored",
            docker::SKIP_ENV
        );
    }
    let trials = scenarios()
        .into_iter()
        .map(|(name, body)| {
            let runner = runner.clone();
            let prepared = prepared.clone();
            Trial::test(name, move || {
                prepared.map_err(Failed::from)?;
                runner
                    .run(name, async |env: &mut Env| body(env).await)
                    .map_err(Failed::from)
            })
            .with_ignored_flag(skip)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
