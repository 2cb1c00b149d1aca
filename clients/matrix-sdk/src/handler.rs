//! The client-actor protocol's commands, done by a [`MatrixSdkActor`]: what the actor program
//! runs for each request, and what the scenario harness runs for its in-process clients.

use std::time::Duration;

use matrix_sdk::ruma::{DeviceId, EventId, RoomId, UserId};
use msc4268_protocol::client::{
    Bundles, CLIENT_PROTOCOL_VERSION, ClientInfo, Command, CommandError, CommandResult,
    CrossSigned, Done, EncryptedEvent, EventSent, LoggedIn, Markers, Membership, Pending,
    RoomCreated, RoomKeys, Sent, Started, result,
};

use crate::actor::MatrixSdkActor;
use crate::error::ActorError;

/// The matrix-sdk version this build links (set by the build's feature).
#[cfg(not(any(feature = "sdk-0-19", feature = "sdk-0-16")))]
pub const SDK_VERSION: &str = "0.18.0";
/// The matrix-sdk version this build links (set by the build's feature).
#[cfg(feature = "sdk-0-16")]
pub const SDK_VERSION: &str = "0.16.1";
/// The matrix-sdk version this build links (set by the build's feature).
#[cfg(feature = "sdk-0-19")]
pub const SDK_VERSION: &str = "0.19.1";

/// An actor between requests: who it plays, and its client once one is logged in.
#[derive(Default)]
pub struct Handler {
    name: String,
    careless: bool,
    actor: Option<MatrixSdkActor>,
}

fn room(id: &str) -> Result<&RoomId, ActorError> {
    Ok(<&RoomId>::try_from(id)?)
}

fn user(id: &str) -> Result<&UserId, ActorError> {
    Ok(<&UserId>::try_from(id)?)
}

fn event(id: &str) -> Result<&EventId, ActorError> {
    Ok(<&EventId>::try_from(id)?)
}

impl Handler {
    /// The logged-in client, if any (the scenario harness's in-process adversary uses it).
    pub fn actor(&self) -> Option<&MatrixSdkActor> {
        self.actor.as_ref()
    }

    fn logged_in(&mut self) -> Result<&mut MatrixSdkActor, ActorError> {
        self.actor.as_mut().ok_or(ActorError::NotLoggedIn)
    }

    /// Does one command (never `stop`, which the serving loop handles).
    pub async fn handle(&mut self, command: Command) -> CommandResult {
        match self.dispatch(command).await {
            Ok(r) => r,
            Err(e) => Err(e.into()),
        }
    }

    async fn dispatch(&mut self, command: Command) -> Result<CommandResult, ActorError> {
        Ok(match command {
            Command::Start {
                version,
                name,
                careless,
            } => {
                if version != CLIENT_PROTOCOL_VERSION {
                    return Ok(Err(CommandError::Failed(format!(
                        "the harness speaks client protocol version {version}, this actor \
                         {CLIENT_PROTOCOL_VERSION}"
                    ))));
                }
                self.name = name;
                self.careless = careless;
                result(&Started {
                    version: CLIENT_PROTOCOL_VERSION,
                    client: ClientInfo {
                        name: "matrix-sdk".into(),
                        version: SDK_VERSION.into(),
                        language: "Rust".into(),
                        careless: true,
                    },
                })
            }
            Command::Register { account } => {
                let actor = MatrixSdkActor::register(&self.name, self.careless, &account).await?;
                self.logs_in(actor)
            }
            Command::Login {
                account,
                cross_signing,
            } => {
                let actor =
                    MatrixSdkActor::login(&self.name, self.careless, &account, cross_signing)
                        .await?;
                self.logs_in(actor)
            }
            Command::Sync => {
                self.logged_in()?.syncs().await?;
                result(&Done {})
            }
            Command::SendMarker { user_id, device_id } => {
                let device: &DeviceId = device_id.as_str().into();
                let nonce = self
                    .logged_in()?
                    .sends_marker_to(user(&user_id)?, device)
                    .await?;
                result(&Sent { nonce })
            }
            Command::Markers => result(&Markers {
                markers: self.logged_in()?.markers().to_vec(),
            }),
            Command::ReceivedBundles => result(&Bundles {
                bundles: self.logged_in()?.received_bundles().to_vec(),
            }),
            Command::CreateRoom { history_visibility } => {
                let room_id = self
                    .logged_in()?
                    .creates_encrypted_room(history_visibility)
                    .await?;
                result(&RoomCreated { room_id })
            }
            Command::SetHistoryVisibility {
                room_id,
                history_visibility,
            } => {
                self.logged_in()?
                    .sets_history_visibility(room(&room_id)?, history_visibility)
                    .await?;
                result(&Done {})
            }
            Command::SendText { room_id, body } => {
                let event_id = self.logged_in()?.says(room(&room_id)?, &body).await?;
                result(&EventSent { event_id })
            }
            Command::Invite { room_id, user_id } => {
                self.logged_in()?
                    .invites(room(&room_id)?, user(&user_id)?)
                    .await?;
                result(&Done {})
            }
            Command::Join { room_id } => {
                self.logged_in()?.joins(room(&room_id)?).await?;
                result(&Done {})
            }
            Command::Leave { room_id } => {
                self.logged_in()?.leaves(room(&room_id)?).await?;
                result(&Done {})
            }
            Command::Membership { room_id, user_id } => {
                let membership = self
                    .logged_in()?
                    .membership(room(&room_id)?, user(&user_id)?)
                    .await?;
                result(&Membership { membership })
            }
            Command::ReadEvent {
                room_id,
                event_id,
                via,
            } => {
                let reading = self
                    .logged_in()?
                    .reads(room(&room_id)?, event(&event_id)?, via)
                    .await?;
                result(&reading)
            }
            Command::EncryptedEvent { room_id, event_id } => {
                let event = self
                    .logged_in()?
                    .encrypted_copy(room(&room_id)?, event(&event_id)?)
                    .await?;
                result(&EncryptedEvent { event })
            }
            Command::DecryptEvent { room_id, event } => {
                let reading = self.logged_in()?.decrypts(room(&room_id)?, &event).await?;
                result(&reading)
            }
            Command::DownloadBundle { file } => {
                result(&self.logged_in()?.downloads_bundle(&file).await?)
            }
            Command::PendingBundle { room_id } => {
                let pending = self.logged_in()?.pending_bundle(room(&room_id)?).await?;
                result(&Pending { pending })
            }
            Command::BackdateInviteAcceptance { room_id, ago_ms } => {
                self.logged_in()?
                    .backdates_invite_acceptance(room(&room_id)?, Duration::from_millis(ago_ms))
                    .await?;
                result(&Done {})
            }
            Command::RoomKeys { room_id } => {
                let room_id = room_id.as_deref().map(room).transpose()?;
                let room_keys = self.logged_in()?.stored_room_keys(room_id).await?;
                result(&RoomKeys { room_keys })
            }
            Command::DeviceCrossSigned { user_id, device_id } => {
                let device: &DeviceId = device_id.as_str().into();
                let cross_signed = self
                    .logged_in()?
                    .sees_cross_signed(user(&user_id)?, device)
                    .await?;
                result(&CrossSigned { cross_signed })
            }
            Command::Restart { history_sharing } => {
                self.logged_in()?.restarts(history_sharing).await?;
                result(&Done {})
            }
            Command::Stop => Err(CommandError::Failed(
                "stop is handled by the serving loop".into(),
            )),
        })
    }

    fn logs_in(&mut self, actor: MatrixSdkActor) -> CommandResult {
        if self.actor.is_some() {
            return Err(CommandError::Failed(
                "this actor already has a logged-in client; start another actor".into(),
            ));
        }
        let reply = LoggedIn {
            user_id: actor.user_id().to_string(),
            device_id: actor.device_id().to_string(),
        };
        self.actor = Some(actor);
        result(&reply)
    }
}
