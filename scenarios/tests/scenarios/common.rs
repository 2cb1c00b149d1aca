//! What the scenarios share: how a scenario is declared, the casts they start from, and the
//! checks several of them make.

use matrix_sdk::ruma::{EventId, OwnedEventId, OwnedRoomId, RoomId};
use msc4268_scenarios::HistoryVisibility;
use msc4268_scenarios::homeserver::Homeserver;
use msc4268_scenarios::{
    Actor, Env, Reading, ReceivedBundle, Result, ScenarioError, adversary, expect,
};

/// A scenario body: runs in the scenario's environment, fails with the first step that does not
/// hold.
pub type Body =
    fn(&mut Env) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + '_>>;

/// A scenario body as its file defines it: its test name, the file (as `file!()` names it), and
/// the body. The registry (`scenarios/scenarios.json`) says what it checks and which rules.
pub struct Defined {
    /// The test name, as in the registry.
    pub id: &'static str,
    /// The file that defines it, relative to the repository.
    pub file: &'static str,
    /// The body.
    pub body: Body,
}

/// `defined!("theme/name", body_fn)`: the [`Defined`] entry of an `async fn(&mut Env)` in the
/// file that invokes it.
macro_rules! defined {
    ($id:literal, $f:ident) => {
        $crate::common::Defined {
            id: $id,
            file: file!(),
            body: |env: &mut msc4268_scenarios::Env| Box::pin($f(env)),
        }
    };
}
pub(crate) use defined;

/// Alice, Bob, Charlie, the room and the event "secret".
pub type Cast = (Actor, Actor, Actor, OwnedRoomId, OwnedEventId);

/// Common start: Alice and Bob register on one Synapse, and Alice creates an encrypted room
/// with history visibility `shared`.
pub async fn alice_and_bob_with_a_shared_room(
    env: &mut Env,
) -> Result<(Actor, Actor, OwnedRoomId)> {
    let hs = env.single_synapse().await?;
    alice_and_bob_with_a_shared_room_on(&hs).await
}

/// As [`alice_and_bob_with_a_shared_room`], on a homeserver the scenario already started (when
/// it needs the server itself later).
pub async fn alice_and_bob_with_a_shared_room_on(
    hs: &Homeserver,
) -> Result<(Actor, Actor, OwnedRoomId)> {
    let alice = Actor::register(hs, "Alice").await?;
    let bob = Actor::register(hs, "Bob").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    Ok((alice, bob, room))
}

/// As [`alice_and_bob_with_a_shared_room`], and Charlie registers on the same Synapse.
pub async fn alice_bob_and_charlie_with_a_shared_room(
    env: &mut Env,
) -> Result<(Actor, Actor, Actor, OwnedRoomId)> {
    let (alice, bob, room) = alice_and_bob_with_a_shared_room(env).await?;
    let charlie = alice.registers_another("Charlie").await?;
    Ok((alice, bob, charlie, room))
}

/// Alice creates a `shared` room, Charlie joins, Alice says "secret" and Charlie reads it.
pub async fn charlie_reads_the_secret(env: &mut Env) -> Result<Cast> {
    let (alice, bob, charlie, room) = alice_bob_and_charlie_with_a_shared_room(env).await?;
    alice.invites(&room, &charlie).await?;
    charlie.sees_invite_to(&room).await?;
    charlie.joins(&room).await?;
    alice.sees_joined(&room, &charlie).await?;
    let secret = alice.says(&room, "secret").await?;
    let r = charlie.eventually_reads(&room, &secret).await?;
    expect(r.is_text("secret"), || format!("Charlie reads {r:?}"))?;
    Ok((alice, bob, charlie, room, secret))
}

/// Common start of the adversarial scenarios: Charlie is a member who holds the key of
/// "secret"; Alice's room is `joined` by the time Bob is invited, so Alice shares nothing.
pub async fn charlie_holds_the_secret(env: &mut Env) -> Result<Cast> {
    let cast = charlie_reads_the_secret(env).await?;
    cast.0
        .sets_history_visibility(&cast.3, HistoryVisibility::Joined)
        .await?;
    Ok(cast)
}

/// As [`charlie_holds_the_secret`], then Charlie (up to date) invites Bob, who sees the invite.
/// Visibility is `joined`, so Charlie's client shares nothing by itself.
pub async fn charlie_invites_bob(env: &mut Env) -> Result<Cast> {
    let cast = charlie_holds_the_secret(env).await?;
    let (_, bob, charlie, room, _) = &cast;
    charlie.syncs().await?;
    charlie.invites(room, bob).await?;
    bob.sees_invite_to(room).await?;
    Ok(cast)
}

/// `inviter` invites `invitee` to `room`; the invitee sees the invite and receives the inviter's
/// bundle for the room.
pub async fn invites_with_bundle(
    inviter: &Actor,
    invitee: &Actor,
    room: &RoomId,
) -> Result<ReceivedBundle> {
    inviter.invites(room, invitee).await?;
    invitee.sees_invite_to(room).await?;
    invitee.receives_bundle_from(inviter, room).await
}

/// `sender` sends `recipient` a crafted `m.room_key_bundle` whose content names `named_room`,
/// pointing at a bundle of the real keys of `keys_of` from `sender`'s store, Olm-encrypted from
/// `sender`'s device; `recipient` receives it.
pub async fn sends_crafted_bundle(
    sender: &Actor,
    recipient: &Actor,
    keys_of: &RoomId,
    named_room: &RoomId,
) -> Result<ReceivedBundle> {
    let bundle = adversary::bundle_from_store(sender, keys_of).await?;
    expect(
        bundle["room_keys"]
            .as_array()
            .is_some_and(|k| !k.is_empty()),
        || format!("{} holds no keys of {keys_of}: {bundle}", sender.name),
    )?;
    adversary::send_crafted_bundle(sender, recipient, named_room, &bundle).await?;
    recipient.receives_bundle_from(sender, named_room).await
}

/// Alice says three messages: the first under visibility `shared`, the second after she sets
/// `joined`, the third after she sets `shared` again.
pub async fn says_across_eras(
    alice: &Actor,
    room: &RoomId,
    texts: [&str; 3],
) -> Result<[OwnedEventId; 3]> {
    let first = alice.says(room, texts[0]).await?;
    alice
        .sets_history_visibility(room, HistoryVisibility::Joined)
        .await?;
    let second = alice.says(room, texts[1]).await?;
    alice
        .sets_history_visibility(room, HistoryVisibility::Shared)
        .await?;
    let third = alice.says(room, texts[2]).await?;
    Ok([first, second, third])
}

/// `reader`, joined, reads the first and third of Alice's [`says_across_eras`] messages,
/// forwarded by `forwarder`; given Alice's copy of the second (the server hides it), its client
/// reports it withheld with `m.history_not_shared`.
pub async fn reads_the_shared_eras(
    reader: &Actor,
    forwarder: &Actor,
    alice: &Actor,
    room: &RoomId,
    eras: &[OwnedEventId; 3],
    texts: [&str; 3],
) -> Result<()> {
    for (event, text) in [(&eras[0], texts[0]), (&eras[2], texts[2])] {
        let r = reader.eventually_reads(room, event).await?;
        expect(r.is_forwarded_text(text, forwarder.user_id()), || {
            format!("{} reads {text:?} as {r:?}", reader.name)
        })?;
    }
    let r = reader
        .decrypts(room, &alice.encrypted_copy(room, &eras[1]).await?)
        .await?;
    expect(undecryptable(&r, Some("m.history_not_shared")), || {
        format!("{} reads {:?} as {r:?}", reader.name, texts[1])
    })
}

/// `reader` joins `room` after `sender` sent it a bundle that must not be used, and cannot
/// decrypt `secret`. The absence is checked only after two markers (see
/// [`msc4268_scenarios::Actor::sends_marker_to`]): a to-device marker from `sender`, sent
/// after the bundle, has been processed, and `reader` has read a message `sender` says in the
/// room after the join, so the client has handled everything that came before.
pub async fn joins_and_cannot_read(
    reader: &Actor,
    sender: &Actor,
    room: &RoomId,
    secret: &EventId,
) -> Result<()> {
    reader.joins(room).await?;
    reader.has_processed_everything_from(sender).await?;
    let marker = sender.says(room, "marker after the join").await?;
    let r = reader.eventually_reads(room, &marker).await?;
    expect(r.is_text("marker after the join"), || {
        format!("{} reads the marker message as {r:?}", reader.name)
    })?;
    let r = reader.reads(room, secret).await?;
    expect(undecryptable(&r, None), || {
        format!("{} reads the secret as {r:?}", reader.name)
    })
}

/// The Megolm session of one of `actor`'s own messages.
pub async fn session_of(actor: &Actor, room: &RoomId, event: &EventId) -> Result<String> {
    match actor.reads(room, event).await? {
        Reading::Decrypted {
            session_id: Some(s),
            ..
        } => Ok(s),
        other => Err(ScenarioError::Unexpected(format!(
            "{} cannot read their own message: {other:?}",
            actor.name
        ))),
    }
}

/// Checks that no bundle for `room` came from `sender`, once `actor` has processed a marker
/// `sender` sends it now: to-device messages arrive in order, so any bundle `sender`'s client
/// sent before (for example while inviting) has been seen by then.
pub async fn no_bundle_from(actor: &Actor, sender: &Actor, room: &RoomId) -> Result<()> {
    actor.has_processed_everything_from(sender).await?;
    let found: Vec<ReceivedBundle> = actor
        .received_bundles()
        .await?
        .into_iter()
        .filter(|b| b.sender == sender.user_id().as_str() && b.room_id == room.as_str())
        .collect();
    expect(found.is_empty(), || {
        format!(
            "{} got a bundle from {}: {found:?}",
            actor.name, sender.name
        )
    })
}

/// Whether `r` is undecryptable, withheld with code `withheld` (`None`: not withheld).
pub fn undecryptable(r: &Reading, withheld: Option<&str>) -> bool {
    matches!(r, Reading::Undecryptable { withheld: w, .. } if w.as_deref() == withheld)
}

/// Checks that `actor`'s crypto store holds no Megolm session for `room`.
pub async fn holds_no_session_for(actor: &Actor, room: &RoomId) -> Result<()> {
    let keys = actor.stored_room_keys(Some(room)).await?;
    expect(keys.is_empty(), || {
        format!(
            "{} holds {} session(s) for {room}: {keys:?}",
            actor.name,
            keys.len()
        )
    })
}

/// Checks that `actor`'s crypto store holds no copy of the Megolm session `session_id` of
/// `room` (other sessions of the room, such as live ones, may be there).
pub async fn holds_no_copy_of(actor: &Actor, room: &RoomId, session_id: &str) -> Result<()> {
    let keys = actor.stored_room_keys(Some(room)).await?;
    expect(!keys.iter().any(|k| k["session_id"] == session_id), || {
        format!(
            "{} holds a copy of session {session_id} of {room}",
            actor.name
        )
    })
}

/// After a refused import or a failed download: Bob still sends and reads in the room (his
/// client is healthy).
pub async fn still_talking(speaker: &Actor, bob: &Actor, room: &RoomId) -> Result<()> {
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
