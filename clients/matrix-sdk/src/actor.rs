//! One person's matrix-sdk client: a `Client` with a sqlite store in its own temp dir,
//! cross-signing bootstrapped and history sharing on invite enabled, and one method per
//! client-actor command.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use matrix_sdk::{
    Client, Room, RoomState,
    authentication::matrix::MatrixSession,
    config::{RequestConfig, SyncSettings},
    deserialized_responses::{
        ProcessedToDeviceEvent, TimelineEvent, TimelineEventKind, UnableToDecryptReason,
    },
    encryption::EncryptionSettings,
    media::{MediaFormat, MediaRequestParameters},
    ruma::serde::Raw,
    ruma::{
        DeviceId, EventId, RoomId, TransactionId, UserId,
        api::client::{
            account::register,
            room::create_room::v3::{Request as CreateRoomRequest, RoomPreset},
            room::get_room_event,
            to_device::send_event_to_device,
            uiaa,
        },
        events::{
            AnyTimelineEvent, AnyToDeviceEventContent, EmptyStateKey, InitialStateEvent,
            room::{
                EncryptedFile, MediaSource,
                encryption::RoomEncryptionEventContent,
                history_visibility::{self, RoomHistoryVisibilityEventContent},
                message::RoomMessageEventContent,
            },
        },
        to_device::DeviceIdOrAllDevices,
    },
    store::RoomLoadSettings,
};
use matrix_sdk_crypto::olm::ExportedRoomKey;
use msc4268_protocol::client::{
    Account, Downloaded, Forwarder, HistoryVisibility, Marker, PendingBundle, ReadVia, Reading,
    ReceivedBundle,
};
use serde_json::Value;
use tempfile::TempDir;

use crate::error::{ActorError, Result};

/// How long the actor waits for something the server or another client must do.
pub const WAIT: Duration = Duration::from_secs(20);

/// The to-device event type of a scenario marker (see the `send_marker` command).
pub const MARKER_EVENT_TYPE: &str = "org.msc4268.scenario.marker";

/// The unstable name of `m.room_key_bundle` (MSC4268's prefix).
const UNSTABLE_BUNDLE_TYPE: &str = "io.element.msc4268.room_key_bundle";

/// A logged-in matrix-sdk client and what it recorded from its syncs.
pub struct MatrixSdkActor {
    /// "Alice", "Bob", …, for messages.
    pub name: String,
    client: Client,
    dir: TempDir,
    homeserver_url: String,
    session: MatrixSession,
    received: Vec<ReceivedBundle>,
    markers: Vec<Marker>,
    careless: bool,
}

fn builder(homeserver_url: &str, dir: &TempDir, cross_signing: bool) -> matrix_sdk::ClientBuilder {
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

fn visibility(v: HistoryVisibility) -> history_visibility::HistoryVisibility {
    use history_visibility::HistoryVisibility as Ruma;
    match v {
        HistoryVisibility::WorldReadable => Ruma::WorldReadable,
        HistoryVisibility::Shared => Ruma::Shared,
        HistoryVisibility::Invited => Ruma::Invited,
        HistoryVisibility::Joined => Ruma::Joined,
    }
}

impl MatrixSdkActor {
    /// Registers a new user and waits until its device keys and cross-signing identity are
    /// uploaded; then syncs once.
    pub async fn register(name: &str, careless: bool, login: &Account) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let client = builder(&login.homeserver, &dir, true).build().await?;
        let mut request = register::v3::Request::new();
        request.username = Some(login.localpart.to_owned());
        request.password = Some(login.password.to_owned());
        request.auth = Some(uiaa::AuthData::Dummy(uiaa::Dummy::new()));
        request.initial_device_display_name = Some(login.device_name.to_owned());
        client.matrix_auth().register(request).await?;
        client
            .encryption()
            .wait_for_e2ee_initialization_tasks()
            .await;
        let status = client.encryption().cross_signing_status().await;
        if !status.as_ref().is_some_and(|s| s.is_complete()) {
            return Err(ActorError::Unexpected(format!(
                "{name}'s cross-signing was not bootstrapped: {status:?}"
            )));
        }
        Self::logged_in(name, careless, client, dir, &login.homeserver).await
    }

    /// Logs in to an existing user on a new device; with `cross_signing` false the client does
    /// not touch cross-signing, so the device stays unsigned.
    pub async fn login(
        name: &str,
        careless: bool,
        login: &Account,
        cross_signing: bool,
    ) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let client = builder(&login.homeserver, &dir, cross_signing)
            .build()
            .await?;
        client
            .matrix_auth()
            .login_username(&login.localpart, &login.password)
            .initial_device_display_name(&login.device_name)
            .await?;
        client
            .encryption()
            .wait_for_e2ee_initialization_tasks()
            .await;
        Self::logged_in(name, careless, client, dir, &login.homeserver).await
    }

    async fn logged_in(
        name: &str,
        careless: bool,
        client: Client,
        dir: TempDir,
        homeserver: &str,
    ) -> Result<Self> {
        let session = client.matrix_auth().session().ok_or_else(|| {
            ActorError::Unexpected(format!("{name} has no session after logging in"))
        })?;
        let mut actor = Self {
            name: name.to_owned(),
            client,
            dir,
            homeserver_url: homeserver.to_owned(),
            session,
            received: Vec::new(),
            markers: Vec::new(),
            careless,
        };
        actor.syncs().await?;
        Ok(actor)
    }

    /// The underlying client (for the scenario harness's in-process adversary).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The user id.
    pub fn user_id(&self) -> &UserId {
        &self.session.meta.user_id
    }

    /// The device id.
    pub fn device_id(&self) -> &DeviceId {
        &self.session.meta.device_id
    }

    /// One `/sync` without long-polling; records markers and decrypted bundles. A careless
    /// actor then imports every new bundle unchecked.
    pub async fn syncs(&mut self) -> Result<()> {
        let response = self
            .client
            .sync_once(SyncSettings::default().timeout(Duration::ZERO))
            .await?;
        let mut got = Vec::new();
        for ev in &response.to_device {
            match ev {
                ProcessedToDeviceEvent::PlainText(raw) | ProcessedToDeviceEvent::Invalid(raw) => {
                    let v: Value = raw.deserialize_as()?;
                    if v["type"] == MARKER_EVENT_TYPE
                        && let (Some(sender), Some(nonce)) =
                            (v["sender"].as_str(), v["content"]["nonce"].as_str())
                    {
                        self.markers.push(Marker {
                            sender: sender.to_owned(),
                            nonce: nonce.to_owned(),
                        });
                    }
                }
                ProcessedToDeviceEvent::Decrypted {
                    raw,
                    encryption_info,
                } => {
                    let v: Value = raw.deserialize_as()?;
                    let ty = v["type"].as_str().unwrap_or_default();
                    if ty == "m.room_key_bundle" || ty == UNSTABLE_BUNDLE_TYPE {
                        got.push(ReceivedBundle {
                            sender: encryption_info.sender.to_string(),
                            sender_device: encryption_info
                                .sender_device
                                .as_ref()
                                .map(ToString::to_string),
                            event_type: ty.to_owned(),
                            room_id: v["content"]["room_id"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                            file: v["content"]["file"].clone(),
                        });
                    }
                }
                _ => {}
            }
        }
        if self.careless {
            for bundle in &got {
                self.imports_carelessly(bundle).await?;
            }
        }
        self.received.extend(got);
        Ok(())
    }

    /// The careless import: downloads `bundle`'s file and imports every key in it through the
    /// client's key-export import, checking nothing (sender, room, window, trust).
    async fn imports_carelessly(&self, bundle: &ReceivedBundle) -> Result<()> {
        let (plaintext, _) = self.downloads(&bundle.file).await?;
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
        let export = matrix_sdk_crypto::encrypt_room_key_export(&keys, PASSPHRASE, 1)
            .map_err(|e| ActorError::Unexpected(format!("exporting keys: {e}")))?;
        let path = self.dir.path().join("careless-import.txt");
        std::fs::write(&path, export)?;
        self.client
            .encryption()
            .import_room_keys(path, PASSPHRASE)
            .await
            .map_err(|e| self.store_error("importing a bundle carelessly", e))?;
        Ok(())
    }

    /// Sends the device a plain to-device marker; returns its nonce.
    pub async fn sends_marker_to(&self, user: &UserId, device: &DeviceId) -> Result<String> {
        let nonce = TransactionId::new().to_string();
        let content: Raw<AnyToDeviceEventContent> =
            Raw::new(&serde_json::json!({ "nonce": nonce }))?.cast_unchecked();
        let messages = BTreeMap::from([(
            user.to_owned(),
            BTreeMap::from([(DeviceIdOrAllDevices::DeviceId(device.to_owned()), content)]),
        )]);
        let request = send_event_to_device::v3::Request::new_raw(
            MARKER_EVENT_TYPE.into(),
            TransactionId::new(),
            messages,
        );
        self.client.send(request).await?;
        Ok(nonce)
    }

    /// Markers received so far.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// Bundles received so far.
    pub fn received_bundles(&self) -> &[ReceivedBundle] {
        &self.received
    }

    /// Syncs until `done(self)` holds, at most [`WAIT`].
    async fn syncs_until<F>(&mut self, what: &str, mut done: F) -> Result<()>
    where
        F: AsyncFnMut(&Self) -> Result<bool>,
    {
        let what = format!("{} {what}", self.name);
        until(
            WAIT,
            async || {
                self.syncs().await?;
                done(self).await
            },
            || ActorError::Timeout {
                what,
                seconds: WAIT.as_secs(),
            },
        )
        .await
    }

    fn room(&self, room_id: &RoomId) -> Result<Room> {
        self.client.get_room(room_id).ok_or_else(|| {
            ActorError::Unexpected(format!("{} does not know room {room_id}", self.name))
        })
    }

    /// Creates a private encrypted room with the given history visibility; returns once the
    /// client knows it is encrypted.
    pub async fn creates_encrypted_room(&mut self, v: HistoryVisibility) -> Result<String> {
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
                RoomHistoryVisibilityEventContent::new(visibility(v)),
            )
            .to_raw_any(),
        ];
        let room = self.client.create_room(request).await?;
        let id = room.room_id().to_owned();
        self.syncs_until("sees the room's encryption", async |a: &Self| {
            Ok(a.room(&id)?.latest_encryption_state().await?.is_encrypted())
        })
        .await?;
        Ok(id.to_string())
    }

    /// Sets the room's history visibility and waits until the client knows it.
    pub async fn sets_history_visibility(
        &mut self,
        room_id: &RoomId,
        v: HistoryVisibility,
    ) -> Result<()> {
        let wanted = visibility(v);
        self.room(room_id)?
            .send_state_event(RoomHistoryVisibilityEventContent::new(wanted.clone()))
            .await?;
        self.syncs_until(&format!("sees visibility {wanted}"), async |a: &Self| {
            Ok(a.room(room_id)?.history_visibility_or_default() == wanted)
        })
        .await
    }

    /// Sends an encrypted text message; returns its event id.
    pub async fn says(&self, room_id: &RoomId, text: &str) -> Result<String> {
        let room = self.room(room_id)?;
        let sent = room.send(RoomMessageEventContent::text_plain(text)).await?;
        #[cfg(not(feature = "sdk-0-16"))]
        let sent = sent.response;
        Ok(sent.event_id.to_string())
    }

    /// Invites `user` (matrix-sdk shares the room's history first).
    pub async fn invites(&self, room_id: &RoomId, user: &UserId) -> Result<()> {
        self.room(room_id)?.invite_user_by_id(user).await?;
        Ok(())
    }

    /// Accepts the invite (matrix-sdk imports the inviter's bundle if it has one).
    pub async fn joins(&self, room_id: &RoomId) -> Result<()> {
        self.client.join_room_by_id(room_id).await?;
        Ok(())
    }

    /// Leaves the room.
    pub async fn leaves(&self, room_id: &RoomId) -> Result<()> {
        self.room(room_id)?.leave().await?;
        Ok(())
    }

    /// `user`'s membership as this client sees it; for its own user in a room it was invited
    /// to, `invite`.
    pub async fn membership(&self, room_id: &RoomId, user: &UserId) -> Result<Option<String>> {
        let Some(room) = self.client.get_room(room_id) else {
            return Ok(None);
        };
        if user == self.user_id() {
            return Ok(match room.state() {
                RoomState::Invited => Some("invite".to_owned()),
                RoomState::Joined => Some("join".to_owned()),
                RoomState::Left => Some("leave".to_owned()),
                RoomState::Banned => Some("ban".to_owned()),
                RoomState::Knocked => Some("knock".to_owned()),
            });
        }
        let member = room.get_member_no_sync(user).await?;
        Ok(member.map(|m| m.membership().to_string()))
    }

    /// Fetches the event and tries to decrypt it.
    pub async fn reads(
        &self,
        room_id: &RoomId,
        event_id: &EventId,
        via: ReadVia,
    ) -> Result<Reading> {
        let room = self.room(room_id)?;
        match via {
            ReadVia::Event => match room.event(event_id, None).await {
                Ok(e) => to_reading(e),
                Err(e)
                    if e.as_client_api_error()
                        .is_some_and(|c| c.status_code.as_u16() == 404) =>
                {
                    Ok(Reading::Hidden)
                }
                Err(e) => Err(e.into()),
            },
            ReadVia::History => {
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
        }
    }

    /// The event exactly as the server gives it to this user (still encrypted).
    pub async fn encrypted_copy(&self, room_id: &RoomId, event_id: &EventId) -> Result<Value> {
        let request = get_room_event::v3::Request::new(room_id.to_owned(), event_id.to_owned());
        Ok(self.client.send(request).await?.event.deserialize_as()?)
    }

    /// Tries to decrypt an encrypted event this user got from elsewhere.
    pub async fn decrypts(&self, room_id: &RoomId, event: &Value) -> Result<Reading> {
        let room = self.room(room_id)?;
        let raw: Raw<AnyTimelineEvent> = Raw::new(event)?.cast_unchecked();
        let event = room.decrypt_event(raw.cast_ref_unchecked(), None).await?;
        to_reading(event)
    }

    /// Downloads and decrypts an `EncryptedFile` with this client's media API.
    pub async fn downloads_bundle(&self, file: &Value) -> Result<Downloaded> {
        let (plaintext, ciphertext) = self.downloads(file).await?;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(Downloaded {
            plaintext: b64.encode(plaintext),
            ciphertext: b64.encode(ciphertext),
        })
    }

    async fn downloads(&self, file: &Value) -> Result<(Vec<u8>, Vec<u8>)> {
        let file: EncryptedFile = serde_json::from_value(file.clone())?;
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

    /// The client's record of an accepted invite whose bundle it still waits for (matrix-sdk
    /// 0.16 keeps none).
    #[cfg(feature = "sdk-0-16")]
    pub async fn pending_bundle(&self, _room_id: &RoomId) -> Result<Option<PendingBundle>> {
        Err(ActorError::Unsupported(NO_PENDING_RECORD.into()))
    }

    /// Has the client believe it accepted the invite `ago` earlier (matrix-sdk 0.16 keeps no
    /// record of it).
    #[cfg(feature = "sdk-0-16")]
    pub async fn backdates_invite_acceptance(
        &self,
        _room_id: &RoomId,
        _ago: Duration,
    ) -> Result<()> {
        Err(ActorError::Unsupported(NO_PENDING_RECORD.into()))
    }

    /// The client's record of an accepted invite whose bundle it still waits for.
    #[cfg(not(feature = "sdk-0-16"))]
    pub async fn pending_bundle(&self, room_id: &RoomId) -> Result<Option<PendingBundle>> {
        Ok(self
            .client
            .get_pending_key_bundle_details_for_room(room_id)
            .await?
            .map(|d| PendingBundle {
                inviter: d.inviter.to_string(),
                invite_accepted_at_ms: d.invite_accepted_at.0.into(),
            }))
    }

    /// Rewrites, through a second connection to this client's sqlite crypto store, the time at
    /// which it recorded accepting the invite to `room_id` to `ago` before now. The client reads
    /// that record from the store each time a bundle arrives (no cache), so this stands in for
    /// waiting `ago` in real time.
    #[cfg(not(feature = "sdk-0-16"))]
    pub async fn backdates_invite_acceptance(&self, room_id: &RoomId, ago: Duration) -> Result<()> {
        use matrix_sdk::ruma::MilliSecondsSinceUnixEpoch;
        use matrix_sdk_crypto::store::{CryptoStore as _, types::Changes};
        use std::collections::HashMap;
        let store = self.open_crypto_store().await?;
        let mut details = store
            .get_pending_key_bundle_details_for_room(room_id)
            .await
            .map_err(|e| self.store_error("reading the pending bundle record", e))?
            .ok_or_else(|| {
                ActorError::Unexpected(format!(
                    "{} has no record of accepting the invite to {room_id}",
                    self.name
                ))
            })?;
        let when = std::time::SystemTime::now()
            .checked_sub(ago)
            .and_then(MilliSecondsSinceUnixEpoch::from_system_time)
            .ok_or_else(|| ActorError::Unexpected(format!("now - {ago:?} is not a timestamp")))?;
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

    fn store_error(&self, what: &str, e: impl std::fmt::Display) -> ActorError {
        ActorError::Unexpected(format!("{}: {what}: {e}", self.name))
    }

    /// The Megolm sessions this client's crypto store holds (for `room_id`, or all), exported at
    /// their first known index as `ExportedRoomKey` JSON (with the `m.shared_history` flag).
    ///
    /// Reads the sqlite store directly: the client's own key export runs 500 000 PBKDF2 rounds,
    /// which takes many seconds in a debug build.
    pub async fn stored_room_keys(&self, room_id: Option<&RoomId>) -> Result<Vec<Value>> {
        use matrix_sdk_crypto::store::CryptoStore as _;
        let store = self.open_crypto_store().await?;
        let sessions = store
            .get_inbound_group_sessions()
            .await
            .map_err(|e| self.store_error("reading the sessions", e))?;
        let mut keys = Vec::new();
        for session in sessions {
            if room_id.is_none_or(|r| session.room_id() == r) {
                keys.push(serde_json::to_value(session.export().await)?);
            }
        }
        Ok(keys)
    }

    /// Whether `device` of `user`, after a fresh `/keys/query`, is signed by its owner's
    /// self-signing key (and that key by the owner's master key).
    pub async fn sees_cross_signed(&self, user: &UserId, device: &DeviceId) -> Result<bool> {
        let encryption = self.client.encryption();
        encryption.request_user_identity(user).await?;
        let found = encryption
            .get_device(user, device)
            .await
            .map_err(|e| self.store_error("reading a device", e))?
            .ok_or_else(|| {
                ActorError::Unexpected(format!(
                    "{} does not know device {device} of {user}",
                    self.name
                ))
            })?;
        Ok(found.is_cross_signed_by_owner())
    }

    /// Stops this client (drops it, as a killed app would) and starts a new one on the same
    /// sqlite store and session, without logging in again. With `history_sharing` false the new
    /// client still records "joined after an invite from X" at join, but stops before the
    /// import: the state a client killed between join and import leaves behind.
    pub async fn restarts(&mut self, history_sharing: bool) -> Result<()> {
        // No pause: the new client opens the same sqlite files, and rusqlite's busy timeout
        // (5 s by default) makes it wait while a background task of the dropped client still
        // holds a write lock.
        let client = builder(&self.homeserver_url, &self.dir, true)
            .with_enable_share_history_on_invite(history_sharing)
            .build()
            .await?;
        let old = std::mem::replace(&mut self.client, client);
        drop(old);
        self.client
            .matrix_auth()
            .restore_session(self.session.clone(), RoomLoadSettings::default())
            .await?;
        self.client
            .encryption()
            .wait_for_e2ee_initialization_tasks()
            .await;
        Ok(())
    }
}

/// Runs `step` every 100 ms until it returns true; after `wait` without, the error `timed_out`
/// makes. The one polling loop of the actor and of the scenario harness.
pub async fn until<E>(
    wait: Duration,
    mut step: impl AsyncFnMut() -> std::result::Result<bool, E>,
    timed_out: impl FnOnce() -> E,
) -> std::result::Result<(), E> {
    let start = Instant::now();
    loop {
        if step().await? {
            return Ok(());
        }
        if start.elapsed() > wait {
            return Err(timed_out());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Why matrix-sdk 0.16 cannot answer `pending_bundle` or `backdate_invite_acceptance`.
#[cfg(feature = "sdk-0-16")]
const NO_PENDING_RECORD: &str = "matrix-sdk 0.16 keeps no record of accepted invites waiting \
     for a bundle (get_pending_key_bundle_details_for_room arrived later)";

/// Who forwarded the key, as the client reports it.
#[cfg(not(feature = "sdk-0-16"))]
fn forwarder(info: &matrix_sdk::deserialized_responses::EncryptionInfo) -> Option<Forwarder> {
    info.forwarder.as_ref().map(|f| Forwarder {
        user_id: f.user_id.to_string(),
        device_id: f.device_id.to_string(),
    })
}

/// matrix-sdk 0.16's `EncryptionInfo` has no forwarder: it cannot say that a key came from a
/// bundle, so every decrypted event reads as not forwarded (docs/versions.md says what that
/// means for the pairs in which 0.16 reads).
#[cfg(feature = "sdk-0-16")]
fn forwarder(_info: &matrix_sdk::deserialized_responses::EncryptionInfo) -> Option<Forwarder> {
    None
}

/// What an event the client tried to decrypt reads as.
fn to_reading(event: TimelineEvent) -> Result<Reading> {
    Ok(match event.kind {
        TimelineEventKind::Decrypted(d) => {
            let v: Value = d.event.deserialize_as()?;
            Reading::Decrypted {
                body: v["content"]["body"].as_str().unwrap_or_default().to_owned(),
                session_id: d.encryption_info.session_id().map(str::to_owned),
                forwarder: forwarder(&d.encryption_info),
            }
        }
        TimelineEventKind::UnableToDecrypt { utd_info, .. } => Reading::Undecryptable {
            session_id: utd_info.session_id.clone(),
            withheld: match &utd_info.reason {
                UnableToDecryptReason::MissingMegolmSession { withheld_code } => {
                    withheld_code.as_ref().map(|c| c.as_str().to_owned())
                }
                _ => None,
            },
            reason: format!("{:?}", utd_info.reason),
        },
        TimelineEventKind::PlainText { .. } => Reading::Plain,
    })
}
