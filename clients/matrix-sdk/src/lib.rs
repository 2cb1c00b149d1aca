//! # msc4268-client-matrix-sdk
//!
//! A matrix-sdk client as an *actor* of the MSC4268 scenarios: it speaks the client-actor
//! protocol (`docs/client-protocol.md`) on stdio, so a scenario drives it like any other SDK's
//! actor. The same source builds against matrix-sdk 0.18.0 (here, in the main workspace) and
//! 0.19.1 (`clients/matrix-sdk-0.19`, feature `sdk-0-19`, its own `Cargo.lock`).
//!
//! [`actor::MatrixSdkActor`] is the client with one method per command; [`handler::Handler`]
//! maps commands onto it; [`run`] is the actor program's `main`. The scenario harness also runs a
//! [`handler::Handler`] in-process for the clients that are the suite's own (adversaries).

pub mod actor;
pub mod error;
pub mod handler;

pub use actor::MatrixSdkActor;
pub use error::{ActorError, Result};
pub use handler::Handler;

/// The actor program: serves the client-actor protocol on stdin/stdout until `stop` or the end
/// of input. Logs go to stderr (`RUST_LOG` filters them; default `warn`).
pub fn run() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("actor: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut handler = Handler::default();
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let served = msc4268_protocol::client::serve(
        |command| runtime.block_on(handler.handle(command)),
        stdin,
        stdout,
    );
    // Drop the client inside the runtime: its background tasks end with it.
    runtime.block_on(async move { drop(handler) });
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("actor: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
