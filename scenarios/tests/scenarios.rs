//! MSC4268 share scenarios against real Synapse homeservers (one test per scenario).
//!
//! Needs Docker. Set `MSC4268_SKIP_DOCKER=1` to report every scenario as ignored instead.
//! Each scenario's doc comment lists its steps; the rules it observes are in its name's table in
//! README ("Scenarios").

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use libtest_mimic::{Arguments, Failed, Trial};
use matrix_sdk::ruma::events::room::history_visibility::HistoryVisibility;
use std::collections::BTreeMap;

use matrix_sdk::ruma::{EventId, RoomId};
use msc4268_harness::external::{self, ExternalOutcome, ExternalResult, ExternalResults};
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::ImplementationInfo;
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

/// One scenario: its test name, the rules it observes (as written in README's table; ranges
/// like `R12–R17` are expanded in reports), what it checks, and its body.
struct Scenario {
    name: &'static str,
    rules: &'static str,
    summary: &'static str,
    body: Body,
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "share/shared-visibility-history-decrypts",
            rules: "R12–R17, R21, R23, R34, R41, B1, B2, A1–A12",
            summary: "Alice invites Bob to a `shared` room; the bundle passes both auditors; Bob reads the history, forwarded by Alice.",
            body: scenario!(shared_visibility_history_decrypts),
        },
        Scenario {
            name: "visibility/joined-shares-nothing",
            rules: "R11",
            summary: "With visibility `joined` no bundle is sent and Bob cannot read the past.",
            body: scenario!(joined_visibility_shares_nothing),
        },
        Scenario {
            name: "visibility/toggled-mid-history-withheld",
            rules: "R2, R12, R13, R45",
            summary: "Visibility toggled `shared` → `joined` → `shared`: shared eras decrypt, the joined era is withheld `m.history_not_shared`.",
            body: scenario!(toggled_visibility_withholds_joined_era),
        },
        Scenario {
            name: "trust/bundle-from-non-inviter-ignored",
            rules: "R33",
            summary: "A real bundle with the right keys from a member who did not invite Bob is not used.",
            body: scenario!(bundle_from_non_inviter_ignored),
        },
        Scenario {
            name: "trust/crafted-bundle-from-inviter-imported",
            rules: "R33, R41",
            summary: "Control: the same crafted bundle from the inviter is imported, forwarded by the inviter.",
            body: scenario!(crafted_bundle_from_inviter_imported),
        },
        Scenario {
            name: "media/deleted-before-download",
            rules: "R39",
            summary: "Bundle media deleted before Bob joins: nothing imported, no pending import left, Bob stays healthy.",
            body: scenario!(media_deleted_before_download),
        },
        Scenario {
            name: "restart/killed-between-join-and-import",
            rules: "R37",
            summary: "Bob's client stops between the join and the import; restarted on the same store, it completes the import.",
            body: scenario!(killed_between_join_and_import),
        },
        Scenario {
            name: "chain/alice-bob-charlie",
            rules: "R6, R13, R45",
            summary: "Charlie reads Alice's shared history through Bob's bundle; the joined era stays withheld.",
            body: scenario!(chain_alice_bob_charlie),
        },
        Scenario {
            name: "federation/share-across-servers",
            rules: "R18, R23, R34, R41",
            summary: "Alice on hs1, Bob on hs2 (TLS federation): invite, bundle and remote media work across servers.",
            body: scenario!(share_across_federation),
        },
        Scenario {
            name: "trust/other-room-keys-in-bundle-skipped",
            rules: "R12, R40",
            summary: "Keys of another room inside the inviter's bundle are not imported; the room's own keys are.",
            body: scenario!(other_room_keys_in_bundle_skipped),
        },
        Scenario {
            name: "media/tampered-ciphertext-nothing-imported",
            rules: "R38, R39",
            summary: "A bundle whose ciphertext was changed after encryption imports nothing; Bob stays healthy.",
            body: scenario!(tampered_ciphertext_nothing_imported),
        },
        Scenario {
            name: "media/wrong-sha256-nothing-imported",
            rules: "R38, R39",
            summary: "A bundle whose `hashes.sha256` is wrong imports nothing; Bob stays healthy.",
            body: scenario!(wrong_sha256_nothing_imported),
        },
        Scenario {
            name: "trust/bundle-naming-other-room-ignored",
            rules: "R23, R33",
            summary: "A bundle event naming another room than the invite is not used for the invited room.",
            body: scenario!(bundle_naming_other_room_ignored),
        },
        Scenario {
            name: "timing/bundle-after-join-imported",
            rules: "R34, R35",
            summary: "The inviter's bundle arrives after Bob joined: it is imported then.",
            body: scenario!(bundle_after_join_imported),
        },
        Scenario {
            name: "timing/bundle-after-24h-window-ignored",
            rules: "R36, R37",
            summary: "A bundle 25 h after the invite was accepted is ignored; the same bundle at 23 h is imported.",
            body: scenario!(bundle_after_window_ignored),
        },
        Scenario {
            name: "trust/unsigned-device-gets-no-bundle",
            rules: "R19, R20",
            summary: "Bob's cross-signed device gets the bundle; his unsigned device does not.",
            body: scenario!(unsigned_device_gets_no_bundle),
        },
        Scenario {
            name: "rotation/member-leaves-key-rotates",
            rules: "R8",
            summary: "The room key rotates when Bob leaves, so he cannot read later messages.",
            body: scenario!(member_leaves_key_rotates),
        },
        Scenario {
            name: "interop/in-process-bundles-through-synapse",
            rules: "R12–R17, R34, R41",
            summary: "Bundles built by the reference and by matrix-sdk-crypto go through Synapse's media repository and are imported by real clients.",
            body: scenario!(in_process_bundles_through_synapse),
        },
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
    let (alice, bob, room) = alice_and_bob_with_a_shared_room(env).await?;
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
        expect(r.is_forwarded_text(text, alice.user_id()), || {
            format!("Bob reads {text:?} as {r:?}")
        })?;
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

/// Alice, Bob, Charlie, the room and the event "secret".
type Cast = (
    Actor,
    Actor,
    Actor,
    matrix_sdk::ruma::OwnedRoomId,
    matrix_sdk::ruma::OwnedEventId,
);

/// Common start of the adversarial scenarios: Charlie is a member who holds the key of
/// "secret"; Alice's room is `joined` by the time Bob is invited, so Alice shares nothing.
async fn charlie_holds_the_secret(env: &mut Env) -> Result<Cast> {
    let cast = charlie_reads_the_secret(env).await?;
    cast.0
        .sets_history_visibility(&cast.3, HistoryVisibility::Joined)
        .await?;
    Ok(cast)
}

/// Alice creates a `shared` room, Charlie joins, Alice says "secret" and Charlie reads it.
async fn charlie_reads_the_secret(env: &mut Env) -> Result<Cast> {
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
    expect(r.is_forwarded_text("secret", charlie.user_id()), || {
        format!("Bob reads the secret as {r:?}")
    })
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

    still_talking(&alice, &bob, &room).await
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
    expect(r.is_forwarded_text("before", alice.user_id()), || {
        format!("after the restart Bob reads {r:?}")
    })?;
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
        expect(r.is_forwarded_text(text, bob.user_id()), || {
            format!("Charlie reads {text:?} as {r:?}")
        })?;
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

/// Common start: Alice and Bob register on one Synapse, and Alice creates an encrypted room
/// with history visibility `shared`.
async fn alice_and_bob_with_a_shared_room(
    env: &mut Env,
) -> Result<(Actor, Actor, matrix_sdk::ruma::OwnedRoomId)> {
    let hs = env.single_synapse().await?;
    let alice = Actor::register(&hs, "Alice").await?;
    let bob = Actor::register(&hs, "Bob").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    Ok((alice, bob, room))
}

/// Checks that `actor`'s crypto store holds no Megolm session for `room`.
async fn holds_no_session_for(actor: &Actor, room: &RoomId) -> Result<()> {
    let keys = actor.stored_room_keys(Some(room)).await?;
    expect(keys.is_empty(), || {
        format!(
            "{} holds {} session(s) for {room}: {keys:?}",
            actor.name,
            keys.len()
        )
    })
}

/// After a refused import or a failed download: Bob still sends and reads in the room (his
/// client is healthy).
async fn still_talking(speaker: &Actor, bob: &Actor, room: &RoomId) -> Result<()> {
    speaker.sees_joined(room, bob).await?;
    let after = speaker.says(room, "after").await?;
    let r = bob.eventually_reads(room, &after).await?;
    expect(r.is_text("after"), || {
        format!("Bob reads the live message as {r:?}")
    })?;
    let hello = bob.says(room, "still here").await?;
    let r = speaker.eventually_reads(room, &hello).await?;
    expect(r.is_text("still here"), || {
        format!("{} reads Bob's message as {r:?}", speaker.name)
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
/// 5. Bob reads "secret", forwarded by Charlie.
/// 6. Bob's crypto store holds no session of room B.
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

    let r = bob.eventually_reads(&room, &secret).await?;
    expect(r.is_forwarded_text("secret", charlie.user_id()), || {
        format!("Bob reads the secret as {r:?}")
    })?;
    holds_no_session_for(&bob, &other).await
}

/// Shared body of the tampered-media scenarios.
async fn tampered_media_nothing_imported(env: &mut Env, tamper: adversary::Tamper) -> Result<()> {
    let (_alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    charlie.syncs().await?;
    charlie.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    let bundle = adversary::bundle_from_store(&charlie, &room).await?;
    let file = adversary::upload_tampered(&charlie, &serde_json::to_vec(&bundle)?, tamper).await?;
    adversary::send_bundle_event(&charlie, &bob, &room, &file).await?;
    let received = bob.receives_bundle_from(&charlie, &room).await?;
    expect(bob.downloads_bundle(&received).await.is_err(), || {
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

/// A bundle whose to-device content names a different room than the invite is not used for the
/// invited room (R33: a bundle for another room than the accepted invite is not used; R23).
///
/// 1. Charlie holds the key of "secret" in room A (visibility now `joined`) and creates room B,
///    alone.
/// 2. Charlie invites Bob to room A.
/// 3. Charlie sends Bob an `m.room_key_bundle` whose content names room B, pointing at a bundle
///    with room A's real keys (the only thing wrong is the room the event names).
/// 4. Bob receives it, for room B.
/// 5. Bob joins room A: "secret" stays undecryptable, his store holds no session of room A,
///    and the client still waits for a bundle for room A from Charlie.
async fn bundle_naming_other_room_ignored(env: &mut Env) -> Result<()> {
    let (_alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    let other = charlie
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    charlie.syncs().await?;
    charlie.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    let bundle = adversary::bundle_from_store(&charlie, &room).await?;
    adversary::send_crafted_bundle(&charlie, &bob, &other, &bundle).await?;
    bob.receives_bundle_from(&charlie, &other).await?;
    bob.joins(&room).await?;
    // Give a late-bundle task every chance to (wrongly) import it.
    bob.syncs().await?;
    let r = bob.reads(&room, &secret).await?;
    expect(undecryptable(&r, None), || {
        format!("Bob reads the secret as {r:?}")
    })?;
    holds_no_session_for(&bob, &room).await?;
    let pending = bob.pending_bundle_details(&room).await?;
    expect(
        pending
            .as_ref()
            .is_some_and(|d| d.inviter == charlie.user_id()),
        || format!("room A's pending bundle record is {pending:?}"),
    )
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
    let (_alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    charlie.syncs().await?;
    charlie.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    no_bundle_from(&bob, &charlie, &room).await?;
    bob.joins(&room).await?;
    let pending = bob.pending_bundle_details(&room).await?;
    expect(
        pending
            .as_ref()
            .is_some_and(|d| d.inviter == charlie.user_id()),
        || format!("after the join the pending record is {pending:?}"),
    )?;
    let r = bob.reads(&room, &secret).await?;
    expect(undecryptable(&r, None), || {
        format!("before the bundle Bob reads {r:?}")
    })?;

    let bundle = adversary::bundle_from_store(&charlie, &room).await?;
    adversary::send_crafted_bundle(&charlie, &bob, &room, &bundle).await?;
    bob.receives_bundle_from(&charlie, &room).await?;
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
/// 2. The scenario rewrites that recorded time to 25 h ago in Bob's sqlite crypto store (a
///    second connection; the client reads the record from the store when a bundle arrives), in
///    place of waiting a day.
/// 3. Charlie sends Bob a crafted bundle with the room's real keys; Bob receives it.
/// 4. Bob's late-bundle task refuses it: "secret" stays undecryptable and his store holds no
///    session of the room.
/// 5. Control: the record is rewritten to 23 h ago and Bob's client restarts on the same store;
///    its startup task retries the stored bundle, which is now inside the window: Bob reads
///    "secret", forwarded by Charlie.
async fn bundle_after_window_ignored(env: &mut Env) -> Result<()> {
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);
    let (_alice, bob, charlie, room, secret) = charlie_holds_the_secret(env).await?;
    charlie.syncs().await?;
    charlie.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    no_bundle_from(&bob, &charlie, &room).await?;
    bob.joins(&room).await?;
    bob.backdates_invite_acceptance(&room, 25 * HOUR).await?;

    let bundle = adversary::bundle_from_store(&charlie, &room).await?;
    adversary::send_crafted_bundle(&charlie, &bob, &room, &bundle).await?;
    bob.receives_bundle_from(&charlie, &room).await?;
    // Give the late-bundle task every chance to (wrongly) import it.
    bob.syncs().await?;
    bob.syncs().await?;
    let r = bob.reads(&room, &secret).await?;
    expect(undecryptable(&r, None), || {
        format!("after the window Bob reads {r:?}")
    })?;
    holds_no_session_for(&bob, &room).await?;

    bob.backdates_invite_acceptance(&room, 23 * HOUR).await?;
    let bob = bob.restarts().await?;
    let r = bob.eventually_reads(&room, &secret).await?;
    expect(r.is_forwarded_text("secret", charlie.user_id()), || {
        format!("inside the window Bob reads {r:?}")
    })
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
    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    bob.receives_bundle_from(&alice, &room).await?;
    bob2.sees_invite_to(&room).await?;
    no_bundle_from(&bob2, &alice, &room).await?;

    bob.joins(&room).await?;
    let r = bob.eventually_reads(&room, &before).await?;
    expect(r.is_forwarded_text("before", alice.user_id()), || {
        format!("Bob's first device reads {r:?}")
    })?;
    bob2.syncs_until("sees the room joined", async |b: &Actor| {
        Ok(b.client()
            .get_room(&room)
            .is_some_and(|r| r.state() == matrix_sdk::RoomState::Joined))
    })
    .await?;
    let r = bob2.reads(&room, &before).await?;
    expect(undecryptable(&r, None), || {
        format!("Bob's second device reads {r:?}")
    })
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
    alice.invites(&room, &bob).await?;
    bob.sees_invite_to(&room).await?;
    bob.receives_bundle_from(&alice, &room).await?;
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
    .map_err(|e| msc4268_scenarios::ScenarioError::Unexpected(format!("{which}: {e}")))?;
    made.map_err(|e| msc4268_scenarios::ScenarioError::Unexpected(format!("{which}: {e}")))
}

/// Every bundle an in-process implementation builds (the suite's reference builder and
/// attachment encryption; the matrix-sdk-crypto adapter's `build_room_key_bundle` and
/// `AttachmentEncryptor`) goes through a real Synapse media repository and is imported by a real
/// client (R12–R17, R34, R41).
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
        let input = msc4268_scenarios::audit::inviter_build_input(
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

/// Whether the command line selects the test `name` (libtest's substring or exact filter and
/// `--skip`).
fn is_selected(args: &Arguments, name: &str) -> bool {
    args.filter.as_deref().is_none_or(|f| {
        if args.exact {
            name == f
        } else {
            name.contains(f)
        }
    }) && !args.skip.iter().any(|s| name.contains(s.as_str()))
}

/// The clients under test and the homeserver, as the results file names them.
fn implementation() -> ImplementationInfo {
    ImplementationInfo {
        name: "scenarios".into(),
        version: "matrix-sdk 0.18.0 against Synapse 1.163.2".into(),
        language: "Rust".into(),
        issues: None,
        identifiers: vec![IdentifierVariant::Stable],
    }
}

/// The file that defines the scenarios, as the results name it.
const SOURCE_FILE: &str = "scenarios/tests/scenarios.rs";

/// One scenario's result for the results file.
fn result(
    s: &Scenario,
    outcome: ExternalOutcome,
    detail: Option<String>,
    duration_s: f64,
) -> ExternalResult {
    ExternalResult {
        id: s.name.into(),
        category: "scenario".into(),
        file: SOURCE_FILE.into(),
        rules: expand_rules(s.rules),
        summary: s.summary.into(),
        outcome,
        detail,
        duration_s,
    }
}

/// Expands a rule list as README writes it (`"R12–R17, R21, A1–A12"`, en dash or hyphen for
/// ranges) into single rule ids, in order. An item that is not a range of one prefix is kept as
/// written.
fn expand_rules(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let range = item
            .split_once('–')
            .or_else(|| item.split_once('-'))
            .and_then(|(a, b)| {
                let split = |s: &str| {
                    let digits = s.find(|c: char| c.is_ascii_digit())?;
                    let (prefix, n) = s.split_at(digits);
                    Some((prefix.to_owned(), n.parse::<u32>().ok()?))
                };
                let ((pa, a), (pb, b)) = (split(a.trim())?, split(b.trim())?);
                (pa == pb && a <= b).then_some((pa, a, b))
            });
        match range {
            Some((prefix, a, b)) => out.extend((a..=b).map(|n| format!("{prefix}{n}"))),
            None => out.push(item.to_owned()),
        }
    }
    out
}

/// Checks, without Docker, that README's scenario table has a row for every scenario whose
/// last cell is exactly the scenario's rules, so the table and the reports never disagree.
fn readme_table_matches() -> Result<(), Failed> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path)
        .map_err(|e| Failed::from(format!("{}: {e}", path.display())))?;
    let mut problems = Vec::new();
    for s in scenarios() {
        let prefix = format!("| `{}` |", s.name);
        match readme.lines().find(|l| l.starts_with(&prefix)) {
            None => problems.push(format!("no row for `{}`", s.name)),
            Some(row) => {
                let last = row.trim_end_matches('|').rsplit('|').next().unwrap_or("");
                if last.trim() != s.rules {
                    problems.push(format!(
                        "`{}`: README lists rules `{}`, the scenario `{}`",
                        s.name,
                        last.trim(),
                        s.rules
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}: {}", path.display(), problems.join("; ")).into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let runner = Runner {
        log_root: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario-logs"),
    };
    let skip = docker::skip_requested();
    let selected = scenarios().iter().any(|s| is_selected(&args, s.name));
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
    let results: Arc<Mutex<Vec<ExternalResult>>> = Arc::default();
    let started = Instant::now();
    let mut trials: Vec<Trial> = scenarios()
        .into_iter()
        .map(|s| {
            let runner = runner.clone();
            let prepared = prepared.clone();
            let results = results.clone();
            Trial::test(s.name, move || {
                let t = Instant::now();
                let outcome = prepared
                    .and_then(|()| runner.run(s.name, async |env: &mut Env| (s.body)(env).await));
                let status = if outcome.is_ok() {
                    ExternalOutcome::Passed
                } else {
                    ExternalOutcome::Failed
                };
                let detail = outcome.as_ref().err().cloned();
                if let Ok(mut r) = results.lock() {
                    r.push(result(&s, status, detail, t.elapsed().as_secs_f64()));
                }
                outcome.map_err(Failed::from)
            })
            .with_ignored_flag(skip)
        })
        .collect();
    trials.push(Trial::test(
        "readme-table-lists-every-scenario",
        readme_table_matches,
    ));
    let conclusion = libtest_mimic::run(&args, trials);
    if let Some(file) = std::env::var_os(external::RESULTS_ENV) {
        let file = PathBuf::from(file);
        let ran = results.lock().map(|r| r.clone()).unwrap_or_default();
        let mut report = ExternalResults::new(implementation());
        report.wall_time_s = started.elapsed().as_secs_f64();
        if !args.list {
            for s in scenarios().iter().filter(|s| is_selected(&args, s.name)) {
                let done = ran.iter().find(|r| r.id == s.name).cloned();
                report.results.push(done.unwrap_or_else(|| {
                    let reason = if skip {
                        format!("{} is set: Docker scenarios are skipped", docker::SKIP_ENV)
                    } else {
                        "not run (ignored)".into()
                    };
                    result(s, ExternalOutcome::Skipped, Some(reason), 0.0)
                }));
            }
        }
        match report.write(&file) {
            Ok(()) => eprintln!("scenario results written to {}", file.display()),
            Err(e) => {
                eprintln!(
                    "cannot write the scenario results to {}: {e}",
                    file.display()
                );
                std::process::exit(101);
            }
        }
    }
    conclusion.exit();
}
