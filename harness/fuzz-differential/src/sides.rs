//! The two implementations compared: the reference model and matrix-sdk-crypto (one adapter per
//! process; it owns a tokio runtime for the crate's async API).

use std::sync::OnceLock;

use msc4268_adapter_matrix_sdk_crypto::MatrixSdkCrypto;
use msc4268_model::reference::Reference;

/// The reference model.
pub(crate) const REFERENCE: Reference = Reference;

/// The matrix-sdk-crypto adapter, built once per process.
///
/// Building it only fails when no tokio runtime can be made, which is a broken machine, not an
/// input: the fuzz target cannot go on, so that is a panic with the reason.
pub(crate) fn matrix_sdk_crypto() -> &'static MatrixSdkCrypto {
    static ADAPTER: OnceLock<MatrixSdkCrypto> = OnceLock::new();
    ADAPTER.get_or_init(|| match MatrixSdkCrypto::new() {
        Ok(a) => a,
        Err(e) => panic!("cannot start the matrix-sdk-crypto adapter: {e}"),
    })
}
