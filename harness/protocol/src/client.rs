//! The client-actor protocol (`docs/client-protocol.md`): how a scenario drives one Matrix client
//! (an *actor*) through a real homeserver, whatever its SDK and language.
//!
//! An actor is a process speaking line-delimited JSON on stdio, one request at a time:
//!
//! ```text
//! harness → {"seq": 0, "cmd": "start", "version": 1, "name": "Alice"}
//! actor   ← {"seq": 0, "result": {"version": 1, "client": {"name": "matrix-sdk", "version": "0.18.0", ...}}}
//! harness → {"seq": 1, "cmd": "register", "homeserver": "http://127.0.0.1:8008", "localpart": "alice", ...}
//! actor   ← {"seq": 1, "result": {"user_id": "@alice:hs1", "device_id": "ABCDEFGHIJ"}}
//! harness → {"seq": 2, "cmd": "create_room", "history_visibility": "shared"}
//! actor   ← {"seq": 2, "result": {"room_id": "!x:hs1"}}
//! harness → {"seq": 3, "cmd": "backdate_invite_acceptance", "room_id": "!x:hs1", "ago_ms": 90000000}
//! actor   ← {"seq": 3, "unsupported": {"reason": "this SDK keeps no such record"}}
//! harness → {"cmd": "stop"}
//! ```
//!
//! This module holds the messages ([`Request`], [`Command`], [`Reply`] and one result type per
//! command) and [`serve`], the loop an actor written in Rust runs. The host side (starting an
//! actor process, timeouts, killing its process group) is in the scenario harness.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The protocol version this module speaks.
pub const CLIENT_PROTOCOL_VERSION: u64 = 1;

/// A request from the harness: its sequence number and the command. `stop` carries no `seq`
/// and gets no reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Request {
    /// Counts up from 0 for each actor process; the reply carries the same number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// What to do.
    #[serde(flatten)]
    pub command: Command,
}

/// The account and device of `register` and `login` (members of the request itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Account {
    /// The client-server API base URL.
    pub homeserver: String,
    /// The user's localpart.
    pub localpart: String,
    /// The password.
    pub password: String,
    /// The new device's display name.
    pub device_name: String,
}

/// A room's history visibility (`m.room.history_visibility`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HistoryVisibility {
    /// `world_readable`.
    WorldReadable,
    /// `shared`: members see history from before they joined; MSC4268 shares it.
    Shared,
    /// `invited`: from their invite on.
    Invited,
    /// `joined`: from their join on.
    Joined,
}

impl HistoryVisibility {
    /// The value as the spec spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WorldReadable => "world_readable",
            Self::Shared => "shared",
            Self::Invited => "invited",
            Self::Joined => "joined",
        }
    }
}

/// Where [`Command::ReadEvent`] gets the event from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReadVia {
    /// `GET /rooms/{roomId}/event/{eventId}`.
    #[default]
    Event,
    /// Backward pagination (`/messages`, last 100 events), which makes a server backfill over
    /// federation.
    History,
}

/// A command and its arguments (`cmd` names it). The result of each is the type named in its
/// documentation; a command an actor cannot do is answered [`ReplyBody::Unsupported`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Command {
    /// The first request. Result: [`Started`].
    Start {
        /// The protocol version the harness speaks.
        version: u64,
        /// The person this actor plays ("Alice"), for its logs.
        name: String,
        /// Self-test only: the actor imports every bundle it receives without any check, so
        /// that the harness can show its absence checks fail then. An actor that cannot do this
        /// ignores it and says so in [`ClientInfo::careless`]; the harness then refuses to
        /// run the self-test with it (it runs the self-tests with its own matrix-sdk actor).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        careless: bool,
    },
    /// Registers a new user (open registration with the `m.login.dummy` stage), with
    /// cross-signing bootstrapped and history sharing on invite enabled; done when the device
    /// keys and the cross-signing identity are uploaded and one sync has run. Result:
    /// [`LoggedIn`].
    Register {
        /// Where and as whom.
        #[serde(flatten)]
        account: Account,
    },
    /// Logs in to an existing user on a new device. With `cross_signing: false` the client must
    /// not touch cross-signing, so the device stays unsigned by the user's self-signing key.
    /// Result: [`LoggedIn`].
    Login {
        /// Where and as whom.
        #[serde(flatten)]
        account: Account,
        /// Whether the client bootstraps or uses cross-signing for this device.
        cross_signing: bool,
    },
    /// One `/sync` without long-polling, processing everything it returns (to-device events,
    /// room keys, pending bundle imports). Result: [`Done`].
    Sync,
    /// Sends the device a plain (unencrypted) to-device event of type
    /// `org.msc4268.scenario.marker` with content `{"nonce": <new nonce>}`. Result: [`Sent`].
    SendMarker {
        /// The recipient.
        user_id: String,
        /// The recipient's device.
        device_id: String,
    },
    /// Markers received so far, in order. Result: [`Markers`].
    Markers,
    /// `m.room_key_bundle` (or `io.element.msc4268.room_key_bundle`) to-device events received
    /// and decrypted so far, in order. Result: [`Bundles`].
    ReceivedBundles,
    /// Creates a private encrypted room (`m.megolm.v1.aes-sha2`) with this history visibility;
    /// done once the client knows the room is encrypted. Result: [`RoomCreated`].
    CreateRoom {
        /// The initial history visibility.
        history_visibility: HistoryVisibility,
    },
    /// Sends `m.room.history_visibility`; done once the client's view of the room has it.
    /// Result: [`Done`].
    SetHistoryVisibility {
        /// The room.
        room_id: String,
        /// The new visibility.
        history_visibility: HistoryVisibility,
    },
    /// Sends an encrypted `m.text` message. Result: [`EventSent`].
    SendText {
        /// The room.
        room_id: String,
        /// `content.body`.
        body: String,
    },
    /// Invites a user (an MSC4268 client shares the room's history with them). Result:
    /// [`Done`].
    Invite {
        /// The room.
        room_id: String,
        /// The invitee.
        user_id: String,
    },
    /// Accepts an invite (an MSC4268 client imports the inviter's bundle). Result: [`Done`].
    Join {
        /// The room.
        room_id: String,
    },
    /// Leaves the room. Result: [`Done`].
    Leave {
        /// The room.
        room_id: String,
    },
    /// A user's membership in the room as this client currently sees it (no request to the
    /// server). Result: [`Membership`].
    Membership {
        /// The room.
        room_id: String,
        /// The member (may be this client's own user).
        user_id: String,
    },
    /// Fetches an event and tries to decrypt it. Result: [`Reading`].
    ReadEvent {
        /// The room.
        room_id: String,
        /// The event.
        event_id: String,
        /// Where to fetch it from.
        #[serde(default)]
        via: ReadVia,
    },
    /// The event exactly as the server serves it to this user, still encrypted. Result:
    /// [`EncryptedEvent`].
    EncryptedEvent {
        /// The room.
        room_id: String,
        /// The event.
        event_id: String,
    },
    /// Tries to decrypt an encrypted event obtained elsewhere. Result: [`Reading`].
    DecryptEvent {
        /// The room.
        room_id: String,
        /// The event, as the server serves it.
        event: Value,
    },
    /// Downloads an `EncryptedFile` with this client's media API (authenticated media) and
    /// decrypts it, checking its hash. Result: [`Downloaded`]; `failed` if the download or the
    /// decryption fails.
    DownloadBundle {
        /// The `EncryptedFile` of a received bundle.
        file: Value,
    },
    /// The client's record of an accepted invite whose bundle it has not imported yet. Result:
    /// [`Pending`].
    PendingBundle {
        /// The room.
        room_id: String,
    },
    /// Rewrites the time at which the client recorded accepting the invite to `room_id` to
    /// `ago_ms` before now, standing in for waiting that long. Result: [`Done`].
    BackdateInviteAcceptance {
        /// The room.
        room_id: String,
        /// How long ago, in milliseconds.
        ago_ms: u64,
    },
    /// The Megolm sessions the client holds, exported at their first known index
    /// (`ExportedRoomKey` JSON, with `shared_history` where the client records it). Result:
    /// [`RoomKeys`].
    RoomKeys {
        /// Only this room's sessions; all if absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_id: Option<String>,
    },
    /// Whether the device, after a fresh `/keys/query`, is signed by its owner's self-signing
    /// key (and that key by the owner's master key). Result: [`CrossSigned`].
    DeviceCrossSigned {
        /// The owner.
        user_id: String,
        /// The device.
        device_id: String,
    },
    /// Stops the client as a killed app would and starts it again on the same store and session
    /// (no new login), with history sharing on invite on or off. Result: [`Done`].
    Restart {
        /// Whether the restarted client shares and imports history.
        history_sharing: bool,
    },
    /// Ends the actor; no reply. The harness kills the process group after a grace period.
    Stop,
}

impl Command {
    /// The `cmd` value.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Start { .. } => "start",
            Self::Register { .. } => "register",
            Self::Login { .. } => "login",
            Self::Sync => "sync",
            Self::SendMarker { .. } => "send_marker",
            Self::Markers => "markers",
            Self::ReceivedBundles => "received_bundles",
            Self::CreateRoom { .. } => "create_room",
            Self::SetHistoryVisibility { .. } => "set_history_visibility",
            Self::SendText { .. } => "send_text",
            Self::Invite { .. } => "invite",
            Self::Join { .. } => "join",
            Self::Leave { .. } => "leave",
            Self::Membership { .. } => "membership",
            Self::ReadEvent { .. } => "read_event",
            Self::EncryptedEvent { .. } => "encrypted_event",
            Self::DecryptEvent { .. } => "decrypt_event",
            Self::DownloadBundle { .. } => "download_bundle",
            Self::PendingBundle { .. } => "pending_bundle",
            Self::BackdateInviteAcceptance { .. } => "backdate_invite_acceptance",
            Self::RoomKeys { .. } => "room_keys",
            Self::DeviceCrossSigned { .. } => "device_cross_signed",
            Self::Restart { .. } => "restart",
            Self::Stop => "stop",
        }
    }
}

/// A reply: the request's `seq` and exactly one of `result`, `unsupported`, `failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reply {
    /// The request's `seq`.
    pub seq: u64,
    /// What happened.
    #[serde(flatten)]
    pub body: ReplyBody,
}

/// What happened to a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReplyBody {
    /// Done; the command's result type.
    Result(Value),
    /// The actor cannot do this command (its SDK has no such API); the harness skips the
    /// scenario that needs it, with the reason.
    Unsupported {
        /// Why.
        reason: String,
    },
    /// The actor tried and failed (a server error, a timeout of its own, a decryption error).
    Failed {
        /// What went wrong.
        message: String,
    },
}

impl From<CommandResult> for ReplyBody {
    /// A handler's answer as a reply body.
    fn from(r: CommandResult) -> Self {
        match r {
            Ok(v) => ReplyBody::Result(v),
            Err(CommandError::Unsupported(reason)) => ReplyBody::Unsupported { reason },
            Err(CommandError::Failed(message)) => ReplyBody::Failed { message },
        }
    }
}

/// The result of `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Started {
    /// The protocol version the actor speaks; must equal the harness's.
    pub version: u64,
    /// What the client is.
    pub client: ClientInfo,
}

/// What an actor declares about its client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ClientInfo {
    /// Short name of the SDK (`matrix-sdk`), `^[a-z0-9][a-z0-9._-]*$`.
    pub name: String,
    /// The SDK version under test.
    pub version: String,
    /// Programming language.
    pub language: String,
    /// Whether it honours `start`'s `careless` (the harness's self-test).
    #[serde(default)]
    pub careless: bool,
}

/// The result of `register` and `login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LoggedIn {
    /// The full user id.
    pub user_id: String,
    /// The new device's id.
    pub device_id: String,
}

/// The result of commands that return nothing: `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Done {}

/// The result of `send_marker`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Sent {
    /// The marker's nonce.
    pub nonce: String,
}

/// One received marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// The to-device event's `sender`.
    pub sender: String,
    /// `content.nonce`.
    pub nonce: String,
}

/// The result of `markers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Markers {
    /// In the order received.
    pub markers: Vec<Marker>,
}

/// An `m.room_key_bundle` to-device event as the client decrypted it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceivedBundle {
    /// The Olm-authenticated sender.
    pub sender: String,
    /// The sending device, if the client knows it.
    #[serde(default)]
    pub sender_device: Option<String>,
    /// The event type as sent (`m.room_key_bundle` or `io.element.msc4268.room_key_bundle`).
    pub event_type: String,
    /// `content.room_id`.
    pub room_id: String,
    /// `content.file`, the `EncryptedFile`.
    pub file: Value,
}

/// The result of `received_bundles`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Bundles {
    /// In the order received.
    pub bundles: Vec<ReceivedBundle>,
}

/// The result of `create_room`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RoomCreated {
    /// The new room.
    pub room_id: String,
}

/// The result of `send_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EventSent {
    /// The event's id.
    pub event_id: String,
}

/// The result of `membership`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Membership {
    /// `invite`, `join`, `leave`, `ban`, `knock`, or null if the client knows no membership.
    pub membership: Option<String>,
}

/// Who forwarded the key of a decrypted event (the sender of the bundle it came from).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Forwarder {
    /// The forwarding user.
    pub user_id: String,
    /// The forwarding device.
    pub device_id: String,
}

/// The result of `read_event` and `decrypt_event`: what the client shows for the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Reading {
    /// Decrypted.
    Decrypted {
        /// `content.body`.
        body: String,
        /// The Megolm session id.
        #[serde(default)]
        session_id: Option<String>,
        /// Set when the key came from a history-sharing bundle.
        #[serde(default)]
        forwarder: Option<Forwarder>,
    },
    /// Not decryptable.
    Undecryptable {
        /// The Megolm session id.
        #[serde(default)]
        session_id: Option<String>,
        /// The withheld code the client has for the session (`m.history_not_shared`, ...).
        #[serde(default)]
        withheld: Option<String>,
        /// The client's reason, for messages.
        reason: String,
    },
    /// Not encrypted.
    Plain,
    /// The server does not let this user see the event (404).
    Hidden,
}

impl Reading {
    /// True if decrypted to `text`.
    pub fn is_text(&self, text: &str) -> bool {
        matches!(self, Reading::Decrypted { body, .. } if body == text)
    }

    /// True if decrypted to `text` with `user` as the reported forwarder.
    pub fn is_forwarded_text(&self, text: &str, user: impl AsRef<str>) -> bool {
        matches!(self, Reading::Decrypted { body, forwarder: Some(f), .. }
            if body == text && f.user_id == user.as_ref())
    }
}

/// The result of `encrypted_event`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EncryptedEvent {
    /// The event JSON as served.
    pub event: Value,
}

/// The result of `download_bundle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Downloaded {
    /// The decrypted bytes, standard base64 with padding.
    pub plaintext: String,
    /// The bytes as downloaded, standard base64 with padding.
    pub ciphertext: String,
}

/// A client's record of an accepted invite whose bundle it still waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PendingBundle {
    /// The inviter whose bundle it will accept.
    pub inviter: String,
    /// When it accepted the invite, milliseconds since the Unix epoch.
    pub invite_accepted_at_ms: u64,
}

/// The result of `pending_bundle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Pending {
    /// The record, or null if there is none.
    pub pending: Option<PendingBundle>,
}

/// The result of `room_keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RoomKeys {
    /// `ExportedRoomKey` objects.
    pub room_keys: Vec<Value>,
}

/// The result of `device_cross_signed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CrossSigned {
    /// Whether it is.
    pub cross_signed: bool,
}

/// Why an actor did not do a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Answered `unsupported`.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Answered `failed`.
    #[error("{0}")]
    Failed(String),
}

/// What a command handler returns: the result as JSON, or why not.
pub type CommandResult = Result<Value, CommandError>;

/// The JSON of a result type.
pub fn result<T: Serialize>(value: &T) -> CommandResult {
    serde_json::to_value(value)
        .map_err(|e| CommandError::Failed(format!("cannot serialise the result: {e}")))
}

pub use crate::lines::ServeError;

/// Every `cmd` of this protocol version.
pub const COMMANDS: &[&str] = &[
    "start",
    "register",
    "login",
    "sync",
    "send_marker",
    "markers",
    "received_bundles",
    "create_room",
    "set_history_visibility",
    "send_text",
    "invite",
    "join",
    "leave",
    "membership",
    "read_event",
    "encrypted_event",
    "decrypt_event",
    "download_bundle",
    "pending_bundle",
    "backdate_invite_acceptance",
    "room_keys",
    "device_cross_signed",
    "restart",
    "stop",
];

/// Serves the protocol until `stop` or the end of `input`, calling `handle` for each command
/// but `stop`. A request with an unknown `cmd` is answered `unsupported`; one that is not a
/// well-formed command is answered `failed`. A request without `seq` (other than `stop`) is not
/// done, since it can get no reply; it is noted on standard error, as is a line that is not
/// JSON.
pub fn serve(
    mut handle: impl FnMut(Command) -> CommandResult,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<(), ServeError> {
    for value in crate::lines::requests(input, "actor") {
        let value = value?;
        let Some(seq) = value.get("seq").and_then(Value::as_u64) else {
            match serde_json::from_value::<Request>(value) {
                Ok(Request {
                    command: Command::Stop,
                    ..
                }) => return Ok(()),
                Ok(r) => eprintln!(
                    "actor: not doing `{}`: a request without seq can get no reply",
                    r.command.name()
                ),
                Err(e) => eprintln!("actor: ignoring a malformed request without seq ({e})"),
            }
            continue;
        };
        let cmd = value.get("cmd").and_then(Value::as_str).map(str::to_owned);
        let body = match serde_json::from_value::<Request>(value) {
            Ok(Request {
                command: Command::Stop,
                ..
            }) => return Ok(()),
            Ok(request) => handle(request.command).into(),
            Err(_) if cmd.as_deref().is_some_and(|c| !COMMANDS.contains(&c)) => {
                ReplyBody::Unsupported {
                    reason: format!(
                        "unknown command `{}` (this actor speaks client protocol version {CLIENT_PROTOCOL_VERSION})",
                        cmd.unwrap_or_default()
                    ),
                }
            }
            Err(e) => ReplyBody::Failed {
                message: format!("malformed request: {e}"),
            },
        };
        crate::lines::write_reply(&mut output, &Reply { seq, body })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(requests: &str, handle: impl FnMut(Command) -> CommandResult) -> Vec<Value> {
        let mut out = Vec::new();
        serve(handle, requests.as_bytes(), &mut out).expect("serve");
        String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("reply is JSON"))
            .collect()
    }

    #[test]
    fn commands_round_trip_with_their_seq() {
        let replies = exchange(
            concat!(
                r#"{"seq": 0, "cmd": "start", "version": 1, "name": "Alice"}"#,
                "\n",
                r#"{"seq": 1, "cmd": "create_room", "history_visibility": "shared"}"#,
                "\n",
                r#"{"seq": 2, "cmd": "backdate_invite_acceptance", "room_id": "!r:h", "ago_ms": 5}"#,
                "\n",
                r#"{"cmd": "stop"}"#,
                "\n",
                r#"{"seq": 3, "cmd": "sync"}"#,
                "\n"
            ),
            |c| match c {
                Command::Start { name, careless, .. } => {
                    assert_eq!((name.as_str(), careless), ("Alice", false));
                    result(&Started {
                        version: CLIENT_PROTOCOL_VERSION,
                        client: ClientInfo {
                            name: "t".into(),
                            version: "1".into(),
                            language: "Rust".into(),
                            careless: false,
                        },
                    })
                }
                Command::CreateRoom { history_visibility } => {
                    assert_eq!(history_visibility, HistoryVisibility::Shared);
                    result(&RoomCreated {
                        room_id: "!r:h".into(),
                    })
                }
                other => Err(CommandError::Unsupported(format!("no {}", other.name()))),
            },
        );
        assert_eq!(replies.len(), 3, "stop ends the loop: {replies:?}");
        assert_eq!(replies[0]["seq"], 0);
        assert_eq!(replies[0]["result"]["version"], 1);
        assert_eq!(replies[1]["result"]["room_id"], "!r:h");
        assert_eq!(
            replies[2]["unsupported"]["reason"],
            "no backdate_invite_acceptance"
        );
    }

    #[test]
    fn unknown_commands_are_unsupported_and_malformed_ones_failed() {
        let replies = exchange(
            concat!(
                "{\"seq\": 4, \"cmd\": \"fly\"}\nnot json\n{\"cmd\": \"sync\"}\n",
                "{\"seq\": 5, \"cmd\": \"join\"}\n"
            ),
            |c| panic!("nothing here is a command to do: {c:?}"),
        );
        assert_eq!(replies.len(), 2, "{replies:?}");
        assert_eq!(replies[0]["seq"], 4);
        assert!(
            replies[0]["unsupported"]["reason"]
                .as_str()
                .is_some_and(|m| m.contains("unknown command `fly`")),
            "{replies:?}"
        );
        assert_eq!(replies[1]["seq"], 5);
        assert!(
            replies[1]["failed"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("malformed") && m.contains("room_id")),
            "{replies:?}"
        );
    }

    #[test]
    fn every_command_is_listed() {
        // serde names every variant in its "unknown variant" error: that list is the enum's.
        let e = serde_json::from_value::<Request>(serde_json::json!({"seq": 1, "cmd": "?"}))
            .expect_err("no such command");
        let text = e.to_string();
        let variants: Vec<&str> = text
            .split("expected one of ")
            .nth(1)
            .expect("serde lists the variants")
            .split(", ")
            .map(|v| v.trim_matches('`'))
            .collect();
        assert_eq!(variants, COMMANDS);
        assert_eq!(Command::Sync.name(), "sync");
        assert_eq!(Command::ReceivedBundles.name(), "received_bundles");
    }

    #[test]
    fn readings_have_the_documented_shape() {
        let r = Reading::Decrypted {
            body: "hi".into(),
            session_id: Some("s".into()),
            forwarder: Some(Forwarder {
                user_id: "@a:h".into(),
                device_id: "D".into(),
            }),
        };
        let v = serde_json::to_value(&r).expect("json");
        assert_eq!(v["decrypted"]["forwarder"]["user_id"], "@a:h");
        assert_eq!(
            serde_json::to_value(Reading::Hidden).expect("json"),
            "hidden"
        );
        assert!(r.is_forwarded_text("hi", "@a:h"));
        assert!(!r.is_forwarded_text("hi", "@b:h"));
    }
}
