//! A person in a scenario (Alice, Bob, Charlie, …), driven through the client-actor protocol,
//! with helpers that read as sentences.
//!
//! Alice's and Bob's clients are the clients under test: actor processes of any SDK (see
//! [`crate::cast`]). Everyone else is the suite's own matrix-sdk 0.18.0 client, run in-process
//! through the same commands, so that the in-process adversary can also use its
//! `matrix_sdk::Client` directly ([`Actor::client`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use matrix_sdk::ruma::{
    DeviceId, EventId, OwnedDeviceId, OwnedEventId, OwnedRoomId, OwnedUserId, RoomId, UserId,
};
use msc4268_adapter::process::{Process, ReadError, stderr_suffix};
use msc4268_client_matrix_sdk::Handler;
use msc4268_client_matrix_sdk::actor::until;
use msc4268_protocol::client::{
    Account, Bundles, CLIENT_PROTOCOL_VERSION, ClientInfo, Command, CrossSigned, Done, Downloaded,
    EncryptedEvent, EventSent, HistoryVisibility, LoggedIn, Markers, Membership, Pending,
    PendingBundle, ReadVia, Reading, ReceivedBundle, Reply, ReplyBody, Request, RoomCreated,
    RoomKeys, Sent, Started,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::cast::{self, ActorLog, CASTING, ClientSpec};
use crate::error::{Result, ScenarioError};
use crate::homeserver::Homeserver;

/// How long a scenario waits for something that the server or another client must do (the
/// same bound as inside the matrix-sdk actor).
pub use msc4268_client_matrix_sdk::actor::WAIT;

/// How long one command may take before the actor is killed as hung, unless the casting says
/// otherwise ([`crate::cast::Casting::command_timeout`]). Commands that wait (such as
/// `create_room`) wait at most about [`WAIT`] inside the actor.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a request may take to be written (an actor that does not read its stdin).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stopping actor has to exit before its process group is killed.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// The process groups of the actor processes alive now, for [`kill_all_actors`].
static ACTOR_GROUPS: StdMutex<Vec<u32>> = StdMutex::new(Vec::new());

fn forget_group(pid: u32) {
    if let Ok(mut groups) = ACTOR_GROUPS.lock() {
        groups.retain(|g| *g != pid);
    }
}

/// Kills the process group of every actor process still alive: what the Ctrl-C watchdog does
/// before the harness exits, so that no actor (or anything it started) outlives the run.
pub fn kill_all_actors() {
    use rustix::process::{Pid, Signal, kill_process_group};
    let groups = ACTOR_GROUPS.lock().map(|g| g.clone()).unwrap_or_default();
    for pid in groups {
        if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
            // ESRCH (the group is gone already) is the only expected error.
            let _ = kill_process_group(pid, Signal::KILL);
        }
    }
}

/// Stops `process` (grace period, then its group is killed) and forgets its group.
fn stop_process(process: Process) {
    let pid = process.id();
    let _ = process.stop(STOP_GRACE);
    forget_group(pid);
}

/// How the harness reaches an actor.
enum Connection {
    /// The suite's own client, in this process.
    InProcess(Box<tokio::sync::Mutex<Handler>>),
    /// An actor program (`None` once it was given up: hung, crashed, garbage) and how long it
    /// has for each command.
    Process(Arc<StdMutex<Option<Process>>>, Duration),
}

/// One person's client.
pub struct Actor {
    /// "Alice", "Bob", …
    pub name: String,
    /// The client, as the actor declared it ("matrix-sdk 0.18.0").
    pub client_info: ClientInfo,
    user_id: OwnedUserId,
    device_id: OwnedDeviceId,
    homeserver_url: String,
    localpart: String,
    spec: Option<ClientSpec>,
    link: Link,
}

/// A connection and the number of its next request (counting from 0, `start`).
struct Link {
    connection: Connection,
    next_seq: AtomicU64,
}

impl Link {
    /// Sends `command` with the next number and returns its typed result.
    async fn call<T: DeserializeOwned>(&self, name: &str, command: Command) -> Result<T> {
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        call(&self.connection, name, seq, command).await
    }
}

impl Drop for Actor {
    fn drop(&mut self) {
        if let Connection::Process(p, _) = &self.link.connection
            && let Ok(mut guard) = p.lock()
            && let Some(process) = guard.take()
        {
            stop_process(process);
        }
    }
}

fn password(localpart: &str) -> String {
    format!("{localpart}-password")
}

impl Actor {
    /// Registers `name` (lower-cased as localpart) on `hs`, cross-signing bootstrapped and
    /// history sharing on; Alice and Bob with the client under test, everyone else with the
    /// suite's own.
    pub async fn register(hs: &Homeserver, name: &str) -> Result<Self> {
        Self::register_at(&hs.url, name).await
    }

    /// Registers another user, `name`, on this actor's homeserver (see [`Actor::register`]).
    pub async fn registers_another(&self, name: &str) -> Result<Self> {
        Self::register_at(&self.homeserver_url, name).await
    }

    /// Registers `name` on the homeserver at `homeserver` (a client-server API base URL).
    pub async fn register_at(homeserver: &str, name: &str) -> Result<Self> {
        let localpart = name.to_lowercase();
        let account = Account {
            homeserver: homeserver.to_owned(),
            password: password(&localpart),
            localpart,
            device_name: format!("{name}'s scenario device"),
        };
        Self::signs_in(name, cast::client_for(name), account, None).await
    }

    /// Logs in as this actor's user on a new device named `name`, with the same client, not
    /// touching cross-signing: the device is not signed by the user's self-signing key.
    pub async fn logs_in_unsigned_device(&self, name: &str) -> Result<Self> {
        let account = Account {
            homeserver: self.homeserver_url.clone(),
            localpart: self.localpart.clone(),
            password: password(&self.localpart),
            device_name: name.to_owned(),
        };
        Self::signs_in(name, self.spec.clone(), account, Some(false)).await
    }

    /// Starts the actor of `spec` (in-process for `None`), says `start`, then `register`
    /// (`cross_signing` `None`) or `login` with `account`.
    async fn signs_in(
        name: &str,
        spec: Option<ClientSpec>,
        account: Account,
        cross_signing: Option<bool>,
    ) -> Result<Self> {
        let careless = cast::is_careless(name);
        let link = Link {
            connection: Self::connects(name, spec.as_ref())?,
            next_seq: AtomicU64::new(0),
        };
        let started: Started = link
            .call(
                name,
                Command::Start {
                    version: CLIENT_PROTOCOL_VERSION,
                    name: name.to_owned(),
                    careless,
                },
            )
            .await?;
        if started.version != CLIENT_PROTOCOL_VERSION {
            return Err(ScenarioError::Actor(format!(
                "{name}'s actor speaks client protocol version {}, the harness {CLIENT_PROTOCOL_VERSION}",
                started.version
            )));
        }
        if careless && !started.client.careless {
            return Err(ScenarioError::Unsupported(format!(
                "{name}'s client ({} {}) cannot be made careless for the self-test",
                started.client.name, started.client.version
            )));
        }
        let (homeserver_url, localpart) = (account.homeserver.clone(), account.localpart.clone());
        let command = match cross_signing {
            None => Command::Register { account },
            Some(cross_signing) => Command::Login {
                account,
                cross_signing,
            },
        };
        let logged: LoggedIn = link.call(name, command).await?;
        Ok(Self {
            name: name.to_owned(),
            client_info: started.client,
            user_id: UserId::parse(&logged.user_id).map_err(|e| {
                ScenarioError::Actor(format!(
                    "{name}'s actor logged in as `{}`: {e}",
                    logged.user_id
                ))
            })?,
            device_id: logged.device_id.as_str().into(),
            homeserver_url,
            localpart,
            spec,
            link,
        })
    }

    /// Starts the actor process of `spec`, or the suite's own client in-process for `None`.
    fn connects(name: &str, spec: Option<&ClientSpec>) -> Result<Connection> {
        let Some(spec) = spec else {
            return Ok(Connection::InProcess(Box::default()));
        };
        let (built_dir, repo_root, timeout) = CASTING
            .try_with(|c| (c.built_dir.clone(), c.repo_root.clone(), c.command_timeout))
            .map_err(|_| ScenarioError::Unexpected("no casting for this scenario".into()))?;
        let argv = spec.argv(&built_dir).map_err(ScenarioError::Unexpected)?;
        let process = Process::spawn_in(&argv, Some(&repo_root)).map_err(|e| {
            ScenarioError::Unexpected(format!(
                "{name}'s actor `{}` did not start: {e}",
                argv.join(" ")
            ))
        })?;
        if let Ok(mut groups) = ACTOR_GROUPS.lock() {
            groups.push(process.id());
        }
        let _ = CASTING.try_with(|c| {
            if let Ok(mut logs) = c.logs.lock() {
                logs.push(ActorLog {
                    actor: format!("{name} ({spec})"),
                    stderr: process.stderr_tail(),
                });
            }
        });
        Ok(Connection::Process(
            Arc::new(StdMutex::new(Some(process))),
            timeout,
        ))
    }

    /// Sends `command` and returns its typed result.
    async fn call<T: DeserializeOwned>(&self, command: Command) -> Result<T> {
        self.link.call(&self.name, command).await
    }

    /// The suite's own client's `matrix_sdk::Client` (for the in-process adversary); an error
    /// for a client under test, which the harness only reaches through the protocol.
    pub async fn client(&self) -> Result<matrix_sdk::Client> {
        match &self.link.connection {
            Connection::InProcess(h) => h
                .lock()
                .await
                .actor()
                .map(|a| a.client().clone())
                .ok_or_else(|| {
                    ScenarioError::Unexpected(format!("{} is not logged in", self.name))
                }),
            Connection::Process(..) => Err(ScenarioError::Unexpected(format!(
                "{} is a client under test, reached only through the client-actor protocol; \
                 the adversary needs one of the suite's own clients",
                self.name
            ))),
        }
    }

    /// The user id.
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// The device id.
    pub fn device_id(&self) -> &DeviceId {
        &self.device_id
    }

    /// Sends a command whose result is [`Done`].
    async fn does(&self, command: Command) -> Result<()> {
        self.call::<Done>(command).await.map(|Done {}| ())
    }

    /// One `/sync` without long-polling.
    pub async fn syncs(&self) -> Result<()> {
        self.does(Command::Sync).await
    }

    /// Sends `to`'s device a scenario marker (a plain to-device message) and returns its nonce.
    /// To-device messages reach a device in the order they were sent, so once the receiver has
    /// the marker it has processed everything the sender sent it before: an absence checked
    /// then is one that had every chance to fail.
    pub async fn sends_marker_to(&self, to: &Actor) -> Result<String> {
        let sent: Sent = self
            .call(Command::SendMarker {
                user_id: to.user_id().to_string(),
                device_id: to.device_id().to_string(),
            })
            .await?;
        Ok(sent.nonce)
    }

    /// Syncs until the marker `nonce` from `sender` has arrived.
    pub async fn receives_marker_from(&self, sender: &Actor, nonce: &str) -> Result<()> {
        let sender_id = sender.user_id().to_string();
        self.syncs_until(
            &format!("receives {}'s marker {nonce}", sender.name),
            async |a: &Self| {
                let m: Markers = a.call(Command::Markers).await?;
                Ok(m.markers
                    .iter()
                    .any(|m| m.sender == sender_id && m.nonce == nonce))
            },
        )
        .await
    }

    /// `sender` sends this client a marker and this client syncs until it has it.
    pub async fn has_processed_everything_from(&self, sender: &Actor) -> Result<()> {
        let nonce = sender.sends_marker_to(self).await?;
        self.receives_marker_from(sender, &nonce).await
    }

    /// Syncs until `done(self)` holds, at most [`WAIT`].
    pub async fn syncs_until<F>(&self, what: &str, mut done: F) -> Result<()>
    where
        F: AsyncFnMut(&Self) -> Result<bool>,
    {
        until(
            WAIT,
            async || {
                self.syncs().await?;
                done(self).await
            },
            || ScenarioError::Timeout {
                what: format!("{} {what}", self.name),
                seconds: WAIT.as_secs(),
            },
        )
        .await
    }

    /// Bundles this client received so far.
    pub async fn received_bundles(&self) -> Result<Vec<ReceivedBundle>> {
        Ok(self
            .call::<Bundles>(Command::ReceivedBundles)
            .await?
            .bundles)
    }

    /// Creates an encrypted private room with the given history visibility.
    pub async fn creates_encrypted_room(&self, v: HistoryVisibility) -> Result<OwnedRoomId> {
        let created: RoomCreated = self
            .call(Command::CreateRoom {
                history_visibility: v,
            })
            .await?;
        self.parsed(&created.room_id, |t| RoomId::parse(t))
    }

    fn parsed<T, E: std::fmt::Display>(
        &self,
        text: &str,
        parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Result<T> {
        parse(text).map_err(|e| {
            ScenarioError::Actor(format!(
                "{}'s actor returned the identifier `{text}`: {e}",
                self.name
            ))
        })
    }

    /// Sets the room's history visibility and waits until the client knows it.
    pub async fn sets_history_visibility(
        &self,
        room_id: &RoomId,
        v: HistoryVisibility,
    ) -> Result<()> {
        self.does(Command::SetHistoryVisibility {
            room_id: room_id.to_string(),
            history_visibility: v,
        })
        .await
    }

    /// Sends an encrypted text message; returns its event id.
    pub async fn says(&self, room_id: &RoomId, text: &str) -> Result<OwnedEventId> {
        let sent: EventSent = self
            .call(Command::SendText {
                room_id: room_id.to_string(),
                body: text.to_owned(),
            })
            .await?;
        self.parsed(&sent.event_id, |t| EventId::parse(t))
    }

    /// Invites `other` (an MSC4268 client shares the room's history with them first).
    pub async fn invites(&self, room_id: &RoomId, other: &Actor) -> Result<()> {
        self.does(Command::Invite {
            room_id: room_id.to_string(),
            user_id: other.user_id().to_string(),
        })
        .await
    }

    /// `user`'s membership in the room as this client sees it (`invite`, `join`, …).
    pub async fn membership(&self, room_id: &RoomId, user: &UserId) -> Result<Option<String>> {
        let m: Membership = self
            .call(Command::Membership {
                room_id: room_id.to_string(),
                user_id: user.to_string(),
            })
            .await?;
        Ok(m.membership)
    }

    /// Syncs until the invite to `room_id` has arrived.
    pub async fn sees_invite_to(&self, room_id: &RoomId) -> Result<()> {
        self.syncs_until(
            &format!("sees the invite to {room_id}"),
            async |a: &Self| {
                Ok(a.membership(room_id, a.user_id()).await?.as_deref() == Some("invite"))
            },
        )
        .await
    }

    /// Syncs until a bundle for `room_id` from `sender` has arrived; returns it.
    pub async fn receives_bundle_from(
        &self,
        sender: &Actor,
        room_id: &RoomId,
    ) -> Result<ReceivedBundle> {
        let sender_id = sender.user_id().to_string();
        let mut found = None;
        self.syncs_until(
            &format!("receives {}'s bundle for {room_id}", sender.name),
            async |a: &Self| {
                found = a
                    .received_bundles()
                    .await?
                    .into_iter()
                    .find(|b| b.sender == sender_id && b.room_id == room_id.as_str());
                Ok(found.is_some())
            },
        )
        .await?;
        found.ok_or_else(|| ScenarioError::Unexpected("bundle vanished".into()))
    }

    /// Accepts the invite (an MSC4268 client imports the inviter's bundle).
    pub async fn joins(&self, room_id: &RoomId) -> Result<()> {
        self.does(Command::Join {
            room_id: room_id.to_string(),
        })
        .await
    }

    /// Syncs until `other` is a joined member of the room in this client's view.
    pub async fn sees_joined(&self, room_id: &RoomId, other: &Actor) -> Result<()> {
        self.sees_membership(room_id, other, "join").await
    }

    /// Syncs until `other` has left the room in this client's view.
    pub async fn sees_left(&self, room_id: &RoomId, other: &Actor) -> Result<()> {
        self.sees_membership(room_id, other, "leave").await
    }

    async fn sees_membership(&self, room_id: &RoomId, other: &Actor, state: &str) -> Result<()> {
        self.syncs_until(
            &format!("sees {}'s membership {state}", other.name),
            async |a: &Self| {
                Ok(a.membership(room_id, other.user_id()).await?.as_deref() == Some(state))
            },
        )
        .await
    }

    /// Leaves the room.
    pub async fn leaves(&self, room_id: &RoomId) -> Result<()> {
        self.does(Command::Leave {
            room_id: room_id.to_string(),
        })
        .await
    }

    async fn read(&self, room_id: &RoomId, event_id: &EventId, via: ReadVia) -> Result<Reading> {
        self.call(Command::ReadEvent {
            room_id: room_id.to_string(),
            event_id: event_id.to_string(),
            via,
        })
        .await
    }

    /// Fetches the event from the server and tries to decrypt it.
    pub async fn reads(&self, room_id: &RoomId, event_id: &EventId) -> Result<Reading> {
        self.read(room_id, event_id, ReadVia::Event).await
    }

    /// Finds the event by paginating backwards (which makes the server backfill over federation)
    /// and tries to decrypt it; `Hidden` if it is not there.
    pub async fn reads_in_history(&self, room_id: &RoomId, event_id: &EventId) -> Result<Reading> {
        self.read(room_id, event_id, ReadVia::History).await
    }

    /// Like [`Actor::reads_in_history`], syncing and retrying until the event decrypts, at most
    /// [`WAIT`].
    pub async fn eventually_reads_in_history(
        &self,
        room_id: &RoomId,
        event_id: &EventId,
    ) -> Result<Reading> {
        self.syncs_until_decrypted(async || self.reads_in_history(room_id, event_id).await)
            .await
    }

    /// Reads until the event decrypts, at most [`WAIT`] (for keys that arrive asynchronously).
    pub async fn eventually_reads(&self, room_id: &RoomId, event_id: &EventId) -> Result<Reading> {
        self.syncs_until_decrypted(async || self.reads(room_id, event_id).await)
            .await
    }

    async fn syncs_until_decrypted(
        &self,
        read: impl AsyncFn() -> Result<Reading>,
    ) -> Result<Reading> {
        let start = Instant::now();
        loop {
            self.syncs().await?;
            let r = read().await?;
            if matches!(r, Reading::Decrypted { .. }) || start.elapsed() > WAIT {
                return Ok(r);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The event exactly as the server gives it to this user (still encrypted).
    pub async fn encrypted_copy(&self, room_id: &RoomId, event_id: &EventId) -> Result<Value> {
        let e: EncryptedEvent = self
            .call(Command::EncryptedEvent {
                room_id: room_id.to_string(),
                event_id: event_id.to_string(),
            })
            .await?;
        Ok(e.event)
    }

    /// Tries to decrypt an encrypted event this user got from elsewhere.
    pub async fn decrypts(&self, room_id: &RoomId, event: &Value) -> Result<Reading> {
        self.call(Command::DecryptEvent {
            room_id: room_id.to_string(),
            event: event.clone(),
        })
        .await
    }

    /// Downloads and decrypts a received bundle's file with this client's media API; returns
    /// the plaintext and the raw ciphertext.
    pub async fn downloads_bundle(&self, bundle: &ReceivedBundle) -> Result<(Vec<u8>, Vec<u8>)> {
        let d: Downloaded = self
            .call(Command::DownloadBundle {
                file: bundle.file.clone(),
            })
            .await?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let decode = |what: &str, text: &str| {
            b64.decode(text).map_err(|e| {
                ScenarioError::Actor(format!(
                    "{}'s actor: download_bundle's {what} is not base64: {e}",
                    self.name
                ))
            })
        };
        Ok((
            decode("plaintext", &d.plaintext)?,
            decode("ciphertext", &d.ciphertext)?,
        ))
    }

    /// The client's record of an accepted invite to `room_id` whose bundle it still waits for.
    pub async fn pending_bundle_details(&self, room_id: &RoomId) -> Result<Option<PendingBundle>> {
        let p: Pending = self
            .call(Command::PendingBundle {
                room_id: room_id.to_string(),
            })
            .await?;
        Ok(p.pending)
    }

    /// Whether the client still waits for a bundle for the room.
    pub async fn has_pending_bundle_for(&self, room_id: &RoomId) -> Result<bool> {
        Ok(self.pending_bundle_details(room_id).await?.is_some())
    }

    /// Has the client move its record of accepting the invite to `room_id` to `ago` before now,
    /// standing in for waiting that long.
    pub async fn backdates_invite_acceptance(&self, room_id: &RoomId, ago: Duration) -> Result<()> {
        let ago_ms = u64::try_from(ago.as_millis())
            .map_err(|_| ScenarioError::Unexpected(format!("{ago:?} is too long")))?;
        self.does(Command::BackdateInviteAcceptance {
            room_id: room_id.to_string(),
            ago_ms,
        })
        .await
    }

    /// The Megolm sessions the client holds (for `room_id`, or all), as `ExportedRoomKey` JSON.
    pub async fn stored_room_keys(&self, room_id: Option<&RoomId>) -> Result<Vec<Value>> {
        let keys: RoomKeys = self
            .call(Command::RoomKeys {
                room_id: room_id.map(ToString::to_string),
            })
            .await?;
        Ok(keys.room_keys)
    }

    /// Whether `device` of `user`, as this client sees it after a fresh `/keys/query`, is signed
    /// by its owner's self-signing key.
    pub async fn sees_cross_signed(&self, user: &UserId, device: &DeviceId) -> Result<bool> {
        let c: CrossSigned = self
            .call(Command::DeviceCrossSigned {
                user_id: user.to_string(),
                device_id: device.to_string(),
            })
            .await?;
        Ok(c.cross_signed)
    }

    /// Stops the client as a killed app would and starts it again on the same store and
    /// session.
    pub async fn restarts(self) -> Result<Self> {
        self.restarts_with_history_sharing(true).await
    }

    /// Like [`Actor::restarts`], choosing whether the restarted client shares and imports
    /// history. A client with it off still records "joined after an invite from X" at join but
    /// stops before the import: the state a client killed between join and import leaves.
    pub async fn restarts_with_history_sharing(self, history_sharing: bool) -> Result<Self> {
        self.does(Command::Restart { history_sharing }).await?;
        Ok(self)
    }
}

/// Sends `command` numbered `seq` over `connection` and returns its typed result.
async fn call<T: DeserializeOwned>(
    connection: &Connection,
    name: &str,
    seq: u64,
    command: Command,
) -> Result<T> {
    let what = command.name();
    let body = match connection {
        Connection::InProcess(handler) => handler.lock().await.handle(command).await.into(),
        Connection::Process(process, timeout) => {
            let (process, timeout) = (process.clone(), *timeout);
            let name = name.to_owned();
            tokio::task::spawn_blocking(move || exchange(&process, &name, seq, command, timeout))
                .await
                .map_err(|e| ScenarioError::Unexpected(format!("actor call: {e}")))??
        }
    };
    match body {
        ReplyBody::Result(v) => serde_path_to_error::deserialize(v).map_err(|e| {
            ScenarioError::Actor(format!(
                "{name}'s actor: the result of `{what}` does not have the protocol's shape at {}: {}",
                e.path(),
                e.inner()
            ))
        }),
        ReplyBody::Unsupported { reason } => Err(ScenarioError::Unsupported(format!(
            "{name}'s client does not support `{what}`: {reason}"
        ))),
        ReplyBody::Failed { message } => Err(ScenarioError::ClientFailed(format!(
            "{name}'s client failed `{what}`: {message}"
        ))),
    }
}

/// One request and its reply, blocking; the actor is given up (its process group killed) on a
/// timeout, an end of output, a line too long, or a reply that is not the protocol's.
fn exchange(
    process: &StdMutex<Option<Process>>,
    name: &str,
    seq: u64,
    command: Command,
    timeout: Duration,
) -> Result<ReplyBody> {
    let what = command.name();
    let mut guard = process
        .lock()
        .map_err(|_| ScenarioError::Unexpected(format!("{name}'s actor lock")))?;
    let Some(p) = guard.as_mut() else {
        return Err(ScenarioError::Actor(format!(
            "{name}'s actor was given up earlier in this scenario"
        )));
    };
    let request = serde_json::to_value(Request {
        seq: Some(seq),
        command,
    })?;
    let problem = match p.send(&request, WRITE_TIMEOUT) {
        Err(e) => format!("could not be sent `{what}`: {e}"),
        Ok(()) => match p.read_line(timeout) {
            Ok(line) => match one_body(&line)
                .and_then(|()| serde_json::from_str::<Reply>(&line).map_err(|e| e.to_string()))
            {
                Ok(reply) if reply.seq == seq => return Ok(reply.body),
                Ok(reply) => format!("answered `{what}` (seq {seq}) with seq {}", reply.seq),
                Err(e) => format!(
                    "answered `{what}` with a line that is not a reply ({e}): {}",
                    cut(&line)
                ),
            },
            Err(ReadError::Timeout) => format!(
                "did not answer `{what}` within {:.1} s",
                timeout.as_secs_f64()
            ),
            Err(e) => format!("stopped answering at `{what}`: {e}"),
        },
    };
    let (status, stderr) = guard
        .take()
        .map(|p| {
            let pid = p.id();
            let ended = p.kill(Duration::from_millis(500));
            forget_group(pid);
            ended
        })
        .unwrap_or_default();
    Err(ScenarioError::Actor(format!(
        "{name}'s actor {problem}; it was killed ({status}){}",
        stderr_suffix(&stderr)
    )))
}

/// Checks that a reply line carries exactly one of `result`, `unsupported` and `failed` (serde
/// alone would keep one of several).
fn one_body(line: &str) -> std::result::Result<(), String> {
    let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let bodies: Vec<&str> = ["result", "unsupported", "failed"]
        .into_iter()
        .filter(|k| v.get(k).is_some())
        .collect();
    if bodies.len() == 1 {
        Ok(())
    } else {
        Err(format!(
            "a reply has exactly one of `result`, `unsupported`, `failed`, not {bodies:?}"
        ))
    }
}

fn cut(line: &str) -> String {
    let end = line.char_indices().nth(200).map_or(line.len(), |(i, _)| i);
    format!(
        "{}{}",
        &line[..end],
        if end < line.len() { "…" } else { "" }
    )
}
