//! Real matrix-sdk 0.18 clients acting as Alice, Bob, Charlie, with helpers that read as sentences.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use matrix_sdk::{
    Client, Room, RoomState,
    authentication::matrix::MatrixSession,
    config::{RequestConfig, SyncSettings},
    deserialized_responses::{
        ProcessedToDeviceEvent, TimelineEvent, TimelineEventKind, UnableToDecryptReason,
        WithheldCode,
    },
    encryption::EncryptionSettings,
    media::{MediaFormat, MediaRequestParameters},
    ruma::serde::Raw,
    ruma::{
        EventId, MilliSecondsSinceUnixEpoch, OwnedDeviceId, OwnedEventId, OwnedRoomId, OwnedUserId,
        RoomId, UserId,
        api::client::{
            account::register,
            room::create_room::v3::{Request as CreateRoomRequest, RoomPreset},
            room::get_room_event,
            uiaa,
        },
        events::{
            AnyTimelineEvent, EmptyStateKey, InitialStateEvent,
            room::{
                EncryptedFile, MediaSource,
                encryption::RoomEncryptionEventContent,
                history_visibility::{HistoryVisibility, RoomHistoryVisibilityEventContent},
                member::MembershipState,
                message::RoomMessageEventContent,
            },
        },
    },
    store::RoomLoadSettings,
};
use matrix_sdk_crypto::olm::ExportedRoomKey;
use matrix_sdk_crypto::store::types::RoomPendingKeyBundleDetails;
use serde_json::Value;
use tempfile::TempDir;

use crate::error::{Result, ScenarioError};
use crate::homeserver::Homeserver;

/// How long a scenario waits for something that the server or the other client must do.
pub const WAIT: Duration = Duration::from_secs(20);

/// An `m.room_key_bundle` to-device event as the receiving client decrypted it.
#[derive(Debug, Clone)]
pub struct ReceivedBundle {
    /// Who sent it (Olm-authenticated sender).
    pub sender: OwnedUserId,
    /// The sending device, as the client reports it.
    pub sender_device: Option<OwnedDeviceId>,
    /// The event type as sent (`m.room_key_bundle` or the unstable name).
    pub event_type: String,
    /// `content.room_id`.
    pub room_id: String,
    /// `content.file`, the `EncryptedFile` JSON.
    pub file: Value,
}

/// What a client shows for an event it tried to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Decrypted: the text body, the Megolm session, and who forwarded the key (set when the key
    /// came from a history-sharing bundle).
    Decrypted {
        /// `content.body`.
        body: String,
        /// The Megolm session id.
        session_id: Option<String>,
        /// The forwarder the client reports: (user, device).
        forwarder: Option<(OwnedUserId, OwnedDeviceId)>,
    },
    /// Not decryptable; the withheld code if the client has one for the session.
    Undecryptable {
        /// The Megolm session id.
        session_id: Option<String>,
        /// The withheld code attached to the missing session (e.g. `m.history_not_shared`).
        withheld: Option<String>,
        /// The client's reason, for messages.
        reason: String,
    },
    /// Not encrypted at all.
    Plain,
    /// The server does not let this user see the event (404), e.g. history before the join
    /// under visibility `joined`.
    Hidden,
}

impl Reading {
    /// True if decrypted to `text`.
    pub fn is_text(&self, text: &str) -> bool {
        matches!(self, Reading::Decrypted { body, .. } if body == text)
    }

    /// True if decrypted to `text` with `user` as the forwarder the client reports (the sender
    /// of the bundle the key came from).
    pub fn is_forwarded_text(&self, text: &str, user: &UserId) -> bool {
        matches!(self, Reading::Decrypted { body, forwarder: Some((u, _)), .. }
            if body == text && u == user)
    }
}

/// One person's client: a matrix-sdk `Client` with a sqlite store in its own temp dir,
/// cross-signing bootstrapped, history sharing on invite enabled.
pub struct Actor {
    /// "Alice", "Bob", …
    pub name: String,
    client: Client,
    dir: TempDir,
    homeserver_url: String,
    session: MatrixSession,
    received: Mutex<Vec<ReceivedBundle>>,
    markers: Mutex<Vec<Marker>>,
    careless: bool,
}

/// The to-device event type of a scenario marker: a plain to-device message one client sends
/// another after the event under test. To-device messages reach a device in the order they were
/// sent, so once the receiver has the marker it has processed everything the sender sent it
/// before; an absence checked then is one that had every chance to fail.
pub const MARKER_EVENT_TYPE: &str = "org.msc4268.scenario.marker";

/// A marker a client received: who sent it and its nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marker {
    sender: OwnedUserId,
    nonce: String,
}

tokio::task_local! {
    /// The name of the actor that a scenario run as a self-test makes careless (see
    /// [`careless`]).
    static CARELESS_ACTOR: String;
}

/// Runs `scenario` with the actor named `actor` made **careless**: on every sync it downloads
/// every bundle it has received, from anyone, for any room, at any time, and imports all of its
/// keys (as a key export) without any of the checks MSC4268 asks for. A scenario asserting that
/// a bundle was *not* used must fail when run this way; the self-tests in the scenario binary
/// (`careless/...`) show that it does.
pub async fn careless<F: std::future::Future>(actor: &str, scenario: F) -> F::Output {
    CARELESS_ACTOR.scope(actor.to_owned(), scenario).await
}

fn is_careless(name: &str) -> bool {
    CARELESS_ACTOR
        .try_with(|careless| careless == name)
        .unwrap_or(false)
}

fn builder(homeserver_url: &str, dir: &TempDir) -> matrix_sdk::ClientBuilder {
    builder_with_cross_signing(homeserver_url, dir, true)
}

fn builder_with_cross_signing(
    homeserver_url: &str,
    dir: &TempDir,
    cross_signing: bool,
) -> matrix_sdk::ClientBuilder {
    Client::builder()
        .homeserver_url(homeserver_url)
        .sqlite_store(dir.path(), None)
        .with_encryption_settings(EncryptionSettings {
            auto_enable_cross_signing: cross_signing,
            ..Default::default()
        })
        .with_enable_share_history_on_invite(true)
        .request_config(RequestConfig::short_retry())
}

impl Actor {
    /// Registers `name` (lower-cased as localpart) on `hs` and waits until its device keys and
    /// cross-signing identity are uploaded.
    pub async fn register(hs: &Homeserver, name: &str) -> Result<Self> {
        Self::register_at(&hs.url, name).await
    }

    /// Registers another user, `name`, on this actor's homeserver (see [`Actor::register`]).
    pub async fn registers_another(&self, name: &str) -> Result<Self> {
        Self::register_at(&self.homeserver_url, name).await
    }

    async fn register_at(homeserver_url: &str, name: &str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let client = builder(homeserver_url, &dir).build().await?;
        let localpart = name.to_lowercase();
        let mut request = register::v3::Request::new();
        request.username = Some(localpart.clone());
        request.password = Some(format!("{localpart}-password"));
        request.auth = Some(uiaa::AuthData::Dummy(uiaa::Dummy::new()));
        request.initial_device_display_name = Some(format!("{name}'s scenario device"));
        client.matrix_auth().register(request).await?;
        client
            .encryption()
            .wait_for_e2ee_initialization_tasks()
            .await;
        let status = client.encryption().cross_signing_status().await;
        if !status.as_ref().is_some_and(|s| s.is_complete()) {
            return Err(ScenarioError::Unexpected(format!(
                "{name}'s cross-signing was not bootstrapped: {status:?}"
            )));
        }
        let session = client.matrix_auth().session().ok_or_else(|| {
            ScenarioError::Unexpected(format!("{name} has no session after registering"))
        })?;
        let actor = Self {
            name: name.to_owned(),
            client,
            dir,
            homeserver_url: homeserver_url.to_owned(),
            session,
            received: Mutex::new(Vec::new()),
            markers: Mutex::new(Vec::new()),
            careless: is_careless(name),
        };
        actor.syncs().await?;
        Ok(actor)
    }

    /// Logs in as this actor's user on a new device, named `name`, whose client does not touch
    /// cross-signing: the new device is not signed by the user's self-signing key (what a second
    /// login looks like before the user verifies it).
    pub async fn logs_in_unsigned_device(&self, name: &str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let client = builder_with_cross_signing(&self.homeserver_url, &dir, false)
            .build()
            .await?;
        let localpart = self.user_id().localpart().to_owned();
        client
            .matrix_auth()
            .login_username(&localpart, &format!("{localpart}-password"))
            .initial_device_display_name(name)
            .await?;
        client
            .encryption()
            .wait_for_e2ee_initialization_tasks()
            .await;
        let session = client.matrix_auth().session().ok_or_else(|| {
            ScenarioError::Unexpected(format!("{name} has no session after logging in"))
        })?;
        let actor = Self {
            name: name.to_owned(),
            client,
            dir,
            homeserver_url: self.homeserver_url.clone(),
            session,
            received: Mutex::new(Vec::new()),
            markers: Mutex::new(Vec::new()),
            careless: is_careless(name),
        };
        actor.syncs().await?;
        Ok(actor)
    }

    /// Whether `device` of `user`, as this client sees it after a fresh `/keys/query`, is signed
    /// by its owner's self-signing key (and that key by the owner's master key).
    pub async fn sees_cross_signed(
        &self,
        user: &UserId,
        device: &matrix_sdk::ruma::DeviceId,
    ) -> Result<bool> {
        let encryption = self.client.encryption();
        encryption.request_user_identity(user).await?;
        let found = encryption
            .get_device(user, device)
            .await
            .map_err(|e| self.store_error("reading a device", e))?
            .ok_or_else(|| {
                ScenarioError::Unexpected(format!(
                    "{} does not know device {device} of {user}",
                    self.name
                ))
            })?;
        Ok(found.is_cross_signed_by_owner())
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The user id.
    pub fn user_id(&self) -> &UserId {
        &self.session.meta.user_id
    }

    /// The device id.
    pub fn device_id(&self) -> &matrix_sdk::ruma::DeviceId {
        &self.session.meta.device_id
    }

    /// One `/sync` (no long-poll); records decrypted `m.room_key_bundle` events.
    pub async fn syncs(&self) -> Result<()> {
        let response = self
            .client
            .sync_once(SyncSettings::default().timeout(Duration::ZERO))
            .await?;
        let mut got = Vec::new();
        let mut markers = Vec::new();
        for ev in &response.to_device {
            if let ProcessedToDeviceEvent::PlainText(raw) | ProcessedToDeviceEvent::Invalid(raw) =
                ev
            {
                let v: Value = raw.deserialize_as()?;
                if v["type"] == MARKER_EVENT_TYPE
                    && let (Some(sender), Some(nonce)) =
                        (v["sender"].as_str(), v["content"]["nonce"].as_str())
                    && let Ok(sender) = OwnedUserId::try_from(sender)
                {
                    markers.push(Marker {
                        sender,
                        nonce: nonce.to_owned(),
                    });
                }
            }
            if let ProcessedToDeviceEvent::Decrypted {
                raw,
                encryption_info,
            } = ev
            {
                let v: Value = raw.deserialize_as()?;
                let ty = v["type"].as_str().unwrap_or_default();
                if ty == "m.room_key_bundle" || ty == "io.element.msc4268.room_key_bundle" {
                    got.push(ReceivedBundle {
                        sender: encryption_info.sender.clone(),
                        sender_device: encryption_info.sender_device.clone(),
                        event_type: ty.to_owned(),
                        room_id: v["content"]["room_id"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        file: v["content"]["file"].clone(),
                    });
                }
            }
        }
        if let Ok(mut m) = self.markers.lock() {
            m.extend(markers);
        }
        if self.careless {
            for bundle in &got {
                self.imports_carelessly(bundle).await?;
            }
        }
        if let Ok(mut r) = self.received.lock() {
            r.extend(got);
        }
        Ok(())
    }

    /// The careless client's import (see [`careless`]): downloads `bundle`'s file and imports
    /// every key in it through the client's key-export import, checking nothing.
    async fn imports_carelessly(&self, bundle: &ReceivedBundle) -> Result<()> {
        let (plaintext, _) = self.downloads_bundle(bundle).await?;
        let content: Value = serde_json::from_slice(&plaintext)?;
        let mut keys = Vec::new();
        for entry in content["room_keys"].as_array().into_iter().flatten() {
            let mut entry = entry.clone();
            if let Some(e) = entry.as_object_mut() {
                e.entry("forwarding_curve25519_key_chain")
                    .or_insert_with(|| Value::Array(Vec::new()));
            }
            keys.push(serde_json::from_value::<ExportedRoomKey>(entry)?);
        }
        const PASSPHRASE: &str = "careless";
        let export = matrix_sdk_crypto::encrypt_room_key_export(&keys, PASSPHRASE, 1)?;
        let path = self.dir.path().join("careless-import.txt");
        std::fs::write(&path, export)?;
        self.client
            .encryption()
            .import_room_keys(path, PASSPHRASE)
            .await
            .map_err(|e| self.store_error("importing a bundle carelessly", e))?;
        Ok(())
    }

    /// Sends `to`'s device a scenario marker (a plain to-device message, [`MARKER_EVENT_TYPE`])
    /// and returns its nonce; see [`Actor::receives_marker_from`].
    pub async fn sends_marker_to(&self, to: &Actor) -> Result<String> {
        use matrix_sdk::ruma::{
            TransactionId, api::client::to_device::send_event_to_device,
            events::AnyToDeviceEventContent, to_device::DeviceIdOrAllDevices,
        };
        let nonce = TransactionId::new().to_string();
        let content: Raw<AnyToDeviceEventContent> =
            Raw::new(&serde_json::json!({ "nonce": nonce }))?.cast_unchecked();
        let messages = std::collections::BTreeMap::from([(
            to.user_id().to_owned(),
            std::collections::BTreeMap::from([(
                DeviceIdOrAllDevices::DeviceId(to.device_id().to_owned()),
                content,
            )]),
        )]);
        let request = send_event_to_device::v3::Request::new_raw(
            MARKER_EVENT_TYPE.into(),
            TransactionId::new(),
            messages,
        );
        self.client.send(request).await?;
        Ok(nonce)
    }

    /// Syncs until the marker `nonce` from `sender` has arrived: from then on, this client has
    /// processed every to-device message `sender` sent it before the marker.
    pub async fn receives_marker_from(&self, sender: &Actor, nonce: &str) -> Result<()> {
        let wanted = Marker {
            sender: sender.user_id().to_owned(),
            nonce: nonce.to_owned(),
        };
        self.syncs_until(
            &format!("receives {}'s marker {nonce}", sender.name),
            async |a: &Self| Ok(a.markers.lock().is_ok_and(|m| m.contains(&wanted))),
        )
        .await
    }

    /// `sender` sends this client a marker and this client syncs until it has it (see
    /// [`MARKER_EVENT_TYPE`]).
    pub async fn has_processed_everything_from(&self, sender: &Actor) -> Result<()> {
        let nonce = sender.sends_marker_to(self).await?;
        self.receives_marker_from(sender, &nonce).await
    }

    /// Syncs until `what(self)` holds, at most [`WAIT`].
    pub async fn syncs_until<F>(&self, what: &str, mut done: F) -> Result<()>
    where
        F: AsyncFnMut(&Self) -> Result<bool>,
    {
        let start = Instant::now();
        loop {
            self.syncs().await?;
            if done(self).await? {
                return Ok(());
            }
            if start.elapsed() > WAIT {
                return Err(ScenarioError::Timeout {
                    what: format!("{} {what}", self.name),
                    seconds: WAIT.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Bundles this client received so far.
    pub fn received_bundles(&self) -> Vec<ReceivedBundle> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn room(&self, room_id: &RoomId) -> Result<Room> {
        self.client.get_room(room_id).ok_or_else(|| {
            ScenarioError::Unexpected(format!("{} does not know room {room_id}", self.name))
        })
    }

    /// Creates an encrypted private room with the given history visibility.
    pub async fn creates_encrypted_room(
        &self,
        visibility: HistoryVisibility,
    ) -> Result<OwnedRoomId> {
        let mut request = CreateRoomRequest::new();
        request.preset = Some(RoomPreset::PrivateChat);
        request.initial_state = vec![
            InitialStateEvent::new(
                EmptyStateKey,
                RoomEncryptionEventContent::with_recommended_defaults(),
            )
            .to_raw_any(),
            InitialStateEvent::new(
                EmptyStateKey,
                RoomHistoryVisibilityEventContent::new(visibility),
            )
            .to_raw_any(),
        ];
        let room = self.client.create_room(request).await?;
        let id = room.room_id().to_owned();
        self.syncs_until("sees the room's encryption", async |a: &Self| {
            Ok(a.room(&id)?.latest_encryption_state().await?.is_encrypted())
        })
        .await?;
        Ok(id)
    }

    /// Sets the room's history visibility and waits until the client knows it.
    pub async fn sets_history_visibility(
        &self,
        room_id: &RoomId,
        visibility: HistoryVisibility,
    ) -> Result<()> {
        let room = self.room(room_id)?;
        room.send_state_event(RoomHistoryVisibilityEventContent::new(visibility.clone()))
            .await?;
        self.syncs_until(
            &format!("sees visibility {visibility}"),
            async |a: &Self| Ok(a.room(room_id)?.history_visibility_or_default() == visibility),
        )
        .await
    }

    /// Sends an encrypted text message; returns its event id.
    pub async fn says(&self, room_id: &RoomId, text: &str) -> Result<OwnedEventId> {
        let room = self.room(room_id)?;
        Ok(room
            .send(RoomMessageEventContent::text_plain(text))
            .await?
            .response
            .event_id)
    }

    /// Invites `other` (matrix-sdk shares the room's history with them first).
    pub async fn invites(&self, room_id: &RoomId, other: &Actor) -> Result<()> {
        self.room(room_id)?
            .invite_user_by_id(other.user_id())
            .await?;
        Ok(())
    }

    /// Syncs until the invite to `room_id` has arrived.
    pub async fn sees_invite_to(&self, room_id: &RoomId) -> Result<()> {
        self.syncs_until(
            &format!("sees the invite to {room_id}"),
            async |a: &Self| {
                Ok(a.client
                    .get_room(room_id)
                    .is_some_and(|r| r.state() == RoomState::Invited))
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
        let find = |a: &Self| {
            a.received_bundles()
                .into_iter()
                .find(|b| b.sender == sender.user_id() && b.room_id == room_id.as_str())
        };
        self.syncs_until(
            &format!("receives {}'s bundle for {room_id}", sender.name),
            async |a: &Self| Ok(find(a).is_some()),
        )
        .await?;
        find(self).ok_or_else(|| ScenarioError::Unexpected("bundle vanished".into()))
    }

    /// Accepts the invite (matrix-sdk imports the inviter's bundle if it has one).
    pub async fn joins(&self, room_id: &RoomId) -> Result<()> {
        self.client.join_room_by_id(room_id).await?;
        Ok(())
    }

    /// Syncs until `other` is a joined member of the room in this client's view.
    pub async fn sees_joined(&self, room_id: &RoomId, other: &Actor) -> Result<()> {
        self.sees_membership(room_id, other, MembershipState::Join)
            .await
    }

    /// Syncs until `other` has left the room in this client's view.
    pub async fn sees_left(&self, room_id: &RoomId, other: &Actor) -> Result<()> {
        self.sees_membership(room_id, other, MembershipState::Leave)
            .await
    }

    async fn sees_membership(
        &self,
        room_id: &RoomId,
        other: &Actor,
        state: MembershipState,
    ) -> Result<()> {
        let user = other.user_id().to_owned();
        self.syncs_until(
            &format!("sees {}'s membership {state}", other.name),
            async |a: &Self| {
                let member = a.room(room_id)?.get_member_no_sync(&user).await?;
                Ok(member.is_some_and(|m| *m.membership() == state))
            },
        )
        .await
    }

    /// Leaves the room.
    pub async fn leaves(&self, room_id: &RoomId) -> Result<()> {
        self.room(room_id)?.leave().await?;
        Ok(())
    }

    /// Fetches the event from the server and tries to decrypt it.
    pub async fn reads(&self, room_id: &RoomId, event_id: &EventId) -> Result<Reading> {
        let room = self.room(room_id)?;
        let event = match room.event(event_id, None).await {
            Ok(e) => e,
            Err(e)
                if e.as_client_api_error()
                    .is_some_and(|c| c.status_code.as_u16() == 404) =>
            {
                return Ok(Reading::Hidden);
            }
            Err(e) => return Err(e.into()),
        };
        to_reading(event)
    }

    /// Finds the event by paginating the room history backwards (`/messages`, which makes the
    /// server backfill over federation) and tries to decrypt it; `Hidden` if it is not there.
    pub async fn reads_in_history(&self, room_id: &RoomId, event_id: &EventId) -> Result<Reading> {
        let room = self.room(room_id)?;
        let mut options = matrix_sdk::room::MessagesOptions::backward();
        options.limit = 100u32.into();
        let messages = room.messages(options).await?;
        for event in messages.chunk {
            if event.event_id().as_deref() == Some(event_id) {
                return to_reading(event);
            }
        }
        Ok(Reading::Hidden)
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

    /// The event exactly as the server gives it to this user (still encrypted).
    pub async fn encrypted_copy(
        &self,
        room_id: &RoomId,
        event_id: &EventId,
    ) -> Result<Raw<AnyTimelineEvent>> {
        let request = get_room_event::v3::Request::new(room_id.to_owned(), event_id.to_owned());
        Ok(self.client.send(request).await?.event)
    }

    /// Tries to decrypt an encrypted event this user got from elsewhere (e.g. another member's
    /// copy of an event the server hides from this user).
    pub async fn decrypts(
        &self,
        room_id: &RoomId,
        event: &Raw<AnyTimelineEvent>,
    ) -> Result<Reading> {
        let room = self.room(room_id)?;
        let event = room.decrypt_event(event.cast_ref_unchecked(), None).await?;
        to_reading(event)
    }

    /// Reads until the event decrypts, at most [`WAIT`] (for keys that arrive asynchronously).
    pub async fn eventually_reads(&self, room_id: &RoomId, event_id: &EventId) -> Result<Reading> {
        self.syncs_until_decrypted(async || self.reads(room_id, event_id).await)
            .await
    }

    /// Syncs and reads with `read` until the reading decrypts, at most [`WAIT`]; the last
    /// reading.
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

    /// Downloads and decrypts the file of a received bundle with this client's media API
    /// (authenticated media); returns the plaintext and the raw ciphertext.
    pub async fn downloads_bundle(&self, bundle: &ReceivedBundle) -> Result<(Vec<u8>, Vec<u8>)> {
        let file: EncryptedFile = serde_json::from_value(bundle.file.clone())?;
        let url = file.url.clone();
        let media = self.client.media();
        let plaintext = media
            .get_media_content(
                &MediaRequestParameters {
                    source: MediaSource::Encrypted(Box::new(file)),
                    format: MediaFormat::File,
                },
                false,
            )
            .await?;
        let ciphertext = media
            .get_media_content(
                &MediaRequestParameters {
                    source: MediaSource::Plain(url),
                    format: MediaFormat::File,
                },
                false,
            )
            .await?;
        Ok((plaintext, ciphertext))
    }

    /// Whether the client still has a pending bundle import for the room (invite accepted here,
    /// bundle not imported yet).
    pub async fn has_pending_bundle_for(&self, room_id: &RoomId) -> Result<bool> {
        let details = self
            .client
            .get_pending_key_bundle_details_for_room(room_id)
            .await?;
        Ok(details.is_some())
    }

    /// The client's record of having accepted an invite to `room_id` and still waiting for the
    /// inviter's bundle (matrix-sdk's "pending key bundle" details), read from its crypto store.
    pub async fn pending_bundle_details(
        &self,
        room_id: &RoomId,
    ) -> Result<Option<RoomPendingKeyBundleDetails>> {
        Ok(self
            .client
            .get_pending_key_bundle_details_for_room(room_id)
            .await?)
    }

    /// Rewrites, through a second connection to this client's sqlite crypto store, the time at
    /// which it recorded accepting the invite to `room_id` to `ago` before now. The client reads
    /// that record from the store each time a bundle arrives (no cache), so this stands in for
    /// waiting `ago` in real time.
    pub async fn backdates_invite_acceptance(&self, room_id: &RoomId, ago: Duration) -> Result<()> {
        use matrix_sdk_crypto::store::{CryptoStore as _, types::Changes};
        let store = self.open_crypto_store().await?;
        let mut details = store
            .get_pending_key_bundle_details_for_room(room_id)
            .await
            .map_err(|e| self.store_error("reading the pending bundle record", e))?
            .ok_or_else(|| {
                ScenarioError::Unexpected(format!(
                    "{} has no record of accepting the invite to {room_id}",
                    self.name
                ))
            })?;
        let when = std::time::SystemTime::now()
            .checked_sub(ago)
            .and_then(MilliSecondsSinceUnixEpoch::from_system_time)
            .ok_or_else(|| {
                ScenarioError::Unexpected(format!("now - {ago:?} is not a timestamp"))
            })?;
        details.invite_accepted_at = when;
        let changes = Changes {
            rooms_pending_key_bundle: HashMap::from([(room_id.to_owned(), Some(details))]),
            ..Default::default()
        };
        store
            .save_changes(changes)
            .await
            .map_err(|e| self.store_error("rewriting the pending bundle record", e))
    }

    async fn open_crypto_store(&self) -> Result<matrix_sdk::SqliteCryptoStore> {
        matrix_sdk::SqliteCryptoStore::open(self.dir.path(), None)
            .await
            .map_err(|e| self.store_error("opening the crypto store", e))
    }

    fn store_error(&self, what: &str, e: impl std::fmt::Display) -> ScenarioError {
        ScenarioError::Unexpected(format!("{}: {what}: {e}", self.name))
    }

    /// The Megolm sessions this client's crypto store holds (for `room_id`, or all), exported at
    /// their first known index as `ExportedRoomKey` JSON (with the `m.shared_history` flag).
    ///
    /// Reads the sqlite store directly: the client's own key export runs 500 000 PBKDF2 rounds,
    /// which takes many seconds in a debug build.
    pub async fn stored_room_keys(&self, room_id: Option<&RoomId>) -> Result<Vec<Value>> {
        use matrix_sdk_crypto::store::CryptoStore as _;
        let store = self.open_crypto_store().await?;
        let sessions = store.get_inbound_group_sessions().await.map_err(|e| {
            ScenarioError::Unexpected(format!("reading {}'s sessions: {e}", self.name))
        })?;
        let mut keys = Vec::new();
        for session in sessions {
            if room_id.is_none_or(|r| session.room_id() == r) {
                keys.push(serde_json::to_value(session.export().await)?);
            }
        }
        Ok(keys)
    }

    /// Stops this client (drops it, as a killed app would) and starts a new one on the same
    /// sqlite store and session, without registering again.
    pub async fn restarts(self) -> Result<Self> {
        self.restarts_with_history_sharing(true).await
    }

    /// Like [`Actor::restarts`], choosing whether the new client imports bundles. A client with
    /// history sharing off still records "joined after an invite from X" at join, but stops
    /// before the import: the state a client killed between join and import leaves behind.
    pub async fn restarts_with_history_sharing(self, enabled: bool) -> Result<Self> {
        let Self {
            name,
            client,
            dir,
            homeserver_url,
            session,
            received,
            markers,
            careless,
        } = self;
        drop(client);
        // No pause: the new client opens the same sqlite files, and rusqlite's busy timeout
        // (5 s by default) makes it wait while a background task of the dropped client still
        // holds a write lock.
        let client = builder(&homeserver_url, &dir)
            .with_enable_share_history_on_invite(enabled)
            .build()
            .await?;
        client
            .matrix_auth()
            .restore_session(session.clone(), RoomLoadSettings::default())
            .await?;
        client
            .encryption()
            .wait_for_e2ee_initialization_tasks()
            .await;
        Ok(Self {
            name,
            client,
            dir,
            homeserver_url,
            session,
            received,
            markers,
            careless,
        })
    }
}

fn to_reading(event: TimelineEvent) -> Result<Reading> {
    Ok(match event.kind {
        TimelineEventKind::Decrypted(d) => {
            let v: Value = d.event.deserialize_as()?;
            Reading::Decrypted {
                body: v["content"]["body"].as_str().unwrap_or_default().to_owned(),
                session_id: d.encryption_info.session_id().map(str::to_owned),
                forwarder: d
                    .encryption_info
                    .forwarder
                    .as_ref()
                    .map(|f| (f.user_id.clone(), f.device_id.clone())),
            }
        }
        TimelineEventKind::UnableToDecrypt { utd_info, .. } => Reading::Undecryptable {
            session_id: utd_info.session_id.clone(),
            withheld: match &utd_info.reason {
                UnableToDecryptReason::MissingMegolmSession { withheld_code } => withheld_code
                    .as_ref()
                    .map(|c: &WithheldCode| c.as_str().to_owned()),
                _ => None,
            },
            reason: format!("{:?}", utd_info.reason),
        },
        TimelineEventKind::PlainText { .. } => Reading::Plain,
    })
}
