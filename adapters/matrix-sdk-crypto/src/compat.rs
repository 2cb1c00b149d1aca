//! The few places where matrix-sdk-crypto 0.18 and 0.19 differ in API, behind the
//! `crypto-0-19` feature (on in `adapters/matrix-sdk-crypto-0.19`, off here).

use matrix_sdk_crypto::OlmMachine;
use matrix_sdk_crypto::store::MemoryStore;
use matrix_sdk_crypto::vodozemac::olm::Account;
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
