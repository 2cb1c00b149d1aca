//! The few places where matrix-sdk-crypto releases differ in API: 0.19 behind the `crypto-0-19`
//! feature (on in `adapters/matrix-sdk-crypto-0.19`), 0.16 behind `crypto-0-16` (on in
//! `adapters/matrix-sdk-crypto-0.16`); 0.17 and 0.18 have the same API (neither feature).

use matrix_sdk_crypto::OlmMachine;
use matrix_sdk_crypto::olm::{InboundGroupSession, SenderData};
use matrix_sdk_crypto::store::MemoryStore;
use matrix_sdk_crypto::types::room_history::HistoricRoomKey;
use matrix_sdk_crypto::vodozemac::olm::Account;
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::OpResult;
use ruma::{DeviceId, UserId};

use crate::error::AdapterError;

/// An `OlmMachine` on a memory store whose own account is `account`.
pub(crate) async fn machine_with_account(
    user: &UserId,
    device: &DeviceId,
    account: Account,
) -> OpResult<OlmMachine> {
    #[cfg(not(feature = "crypto-0-19"))]
    let machine = OlmMachine::with_store(user, device, MemoryStore::new(), Some(account))
        .await
        .map_err(|e| crate::errored(AdapterError::krate("OlmMachine::with_store", e)));
    #[cfg(feature = "crypto-0-19")]
    let machine = matrix_sdk_crypto::OlmMachineBuilder::new(user, device)
        .with_crypto_store(MemoryStore::new())
        .with_custom_account(Some(account))
        .build()
        .await
        .map_err(|e| crate::errored(AdapterError::krate("OlmMachineBuilder::build", e)));
    machine
}

/// What `receive_room_key_bundle` labels a bundle's sessions with: their forwarder
/// (`ForwarderData`, 0.17 and later), or nothing (0.16, which imports them as from a key
/// export).
#[cfg(not(feature = "crypto-0-16"))]
pub(crate) type Forwarder = matrix_sdk_crypto::olm::ForwarderData;
/// What `receive_room_key_bundle` labels a bundle's sessions with: nothing in 0.16 (a marker
/// that the crate's trust rule let the sender in).
#[cfg(feature = "crypto-0-16")]
pub(crate) struct Forwarder;

/// The forwarder `receive_room_key_bundle` makes of the bundle sender's `SenderData`, or `None`
/// when its trust rule refuses the sender (unknown device, verification violation, a device not
/// cross-signed by its owner).
pub(crate) fn forwarder(sender: &SenderData) -> Option<Forwarder> {
    #[cfg(not(feature = "crypto-0-16"))]
    let forwarder = Forwarder::try_from(sender).ok();
    #[cfg(feature = "crypto-0-16")]
    let forwarder = (!matches!(
        sender,
        SenderData::UnknownDevice { .. }
            | SenderData::VerificationViolation(_)
            | SenderData::DeviceInfo { .. }
    ))
    .then_some(Forwarder);
    forwarder
}

/// The session `receive_room_key_bundle` makes of one bundle key, or why it makes none.
pub(crate) fn bundle_session(
    key: &HistoricRoomKey,
    forwarder: &Forwarder,
) -> Result<InboundGroupSession, String> {
    #[cfg(not(feature = "crypto-0-16"))]
    let session = key
        .try_into_inbound_group_session(forwarder)
        .map_err(|e| format!("try_into_inbound_group_session: {e}"));
    #[cfg(feature = "crypto-0-16")]
    let session = {
        let _ = forwarder;
        InboundGroupSession::try_from(key)
            .map_err(|e| format!("InboundGroupSession::try_from: {e}"))
    };
    session
}

/// The forwarder a stored session records (0.16 records none).
pub(crate) fn recorded_forwarder(session: &InboundGroupSession) -> Option<String> {
    #[cfg(not(feature = "crypto-0-16"))]
    let forwarder = session
        .forwarder_data
        .as_ref()
        .map(|f| f.user_id().to_string());
    #[cfg(feature = "crypto-0-16")]
    let forwarder = {
        let _ = session;
        None
    };
    forwarder
}

/// ruma's `EncryptedFile` for `url` and what `AttachmentEncryptor::finish` returned.
pub(crate) fn encrypted_file(
    url: ruma::OwnedMxcUri,
    info: matrix_sdk_crypto::MediaEncryptionInfo,
) -> ruma::events::room::EncryptedFile {
    #[cfg(not(feature = "crypto-0-16"))]
    let file = ruma::events::room::EncryptedFile::new(url, info.encryption_info, info.hashes);
    #[cfg(feature = "crypto-0-16")]
    let file = ruma::events::room::EncryptedFileInit {
        url,
        key: info.key,
        iv: info.iv,
        hashes: info.hashes,
        v: info.version,
    }
    .into();
    file
}

/// The to-device event types the crate's Olm layer reads as a room key bundle, and which
/// spelling each is: 0.17 and later read the stable `m.room_key_bundle` and the unstable
/// `io.element.msc4268.room_key_bundle`, 0.16 only the unstable one (its `EVENT_TYPE`).
pub(crate) fn bundle_event_types() -> Vec<(&'static str, IdentifierVariant)> {
    use matrix_sdk_crypto::types::events::EventType;
    use matrix_sdk_crypto::types::events::room_key_bundle::RoomKeyBundleContent;
    #[cfg(not(feature = "crypto-0-16"))]
    let types = vec![
        (RoomKeyBundleContent::EVENT_TYPE, IdentifierVariant::Stable),
        (
            RoomKeyBundleContent::UNSTABLE_EVENT_TYPE,
            IdentifierVariant::Unstable,
        ),
    ];
    #[cfg(feature = "crypto-0-16")]
    let types = vec![(
        RoomKeyBundleContent::EVENT_TYPE,
        IdentifierVariant::Unstable,
    )];
    types
}

/// `plaintext` encrypted by a new outbound Olm session of `account` to `identity_key`, as the
/// first (pre-key) message. vodozemac 0.9 (under matrix-sdk-crypto 0.16) cannot fail here; later
/// versions return a `Result` from both steps.
pub(crate) fn olm_encrypt(
    account: &Account,
    identity_key: matrix_sdk_crypto::vodozemac::Curve25519PublicKey,
    one_time_key: matrix_sdk_crypto::vodozemac::Curve25519PublicKey,
    plaintext: &[u8],
) -> Result<matrix_sdk_crypto::vodozemac::olm::OlmMessage, AdapterError> {
    let config = matrix_sdk_crypto::vodozemac::olm::SessionConfig::version_1();
    #[cfg(not(feature = "crypto-0-16"))]
    let message = account
        .create_outbound_session(config, identity_key, one_time_key)
        .map_err(|e| AdapterError::krate("create_outbound_session", e))?
        .encrypt(plaintext)
        .map_err(|e| AdapterError::krate("Olm encrypt", e));
    #[cfg(feature = "crypto-0-16")]
    let message = Ok(account
        .create_outbound_session(config, identity_key, one_time_key)
        .encrypt(plaintext));
    message
}

/// The `shared_history` member the crate's own serialisations (key exports, backups) write and
/// its deserializers read first: `m.shared_history` from 0.17 on (which also read the unstable
/// `org.matrix.msc3061.shared_history`), the unstable member in 0.16, which reads only that one.
/// The adapter hands the crate a session's flag in this member.
#[cfg(not(feature = "crypto-0-16"))]
pub(crate) const CRATE_FLAG_MEMBER: &str = msc4268_protocol::identifiers::SHARED_HISTORY_INTEROP;
/// The `shared_history` member matrix-sdk-crypto 0.16 reads and writes (the only one it knows).
#[cfg(feature = "crypto-0-16")]
pub(crate) const CRATE_FLAG_MEMBER: &str = msc4268_protocol::identifiers::SHARED_HISTORY_UNSTABLE;

/// The name of a withheld code the crate understood, as the crate serialises it (its `Display`
/// is the human reason text). matrix-sdk-crypto 0.16 serialises its history-not-shared code as
/// the unstable `io.element.msc4268.history_not_shared`, while it reads the stable code too;
/// what it understood is named by the stable code here, and what it writes shows in the bundles
/// it builds (`bundle-building` reports the crate's own JSON).
pub(crate) fn withheld_code_name(code: impl serde::Serialize) -> String {
    let name = serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    #[cfg(feature = "crypto-0-16")]
    if name == msc4268_protocol::identifiers::HISTORY_NOT_SHARED_UNSTABLE {
        return msc4268_protocol::identifiers::HISTORY_NOT_SHARED.to_owned();
    }
    name
}
