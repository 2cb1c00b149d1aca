//! The matrix-sdk-crypto adapter as a program: speaks the suite's adapter protocol
//! (`docs/adapter-protocol.md`) on standard input and output, one JSON object per line, and
//! runs every case through the real matrix-sdk-crypto this binary is built against.
//!
//! ```sh
//! cargo build -p msc4268-adapter-matrix-sdk-crypto                # 0.18.0
//! msc4268 check --impl matrix-sdk-crypto@0.18.0                      # finds and runs the binary
//! msc4268 check --impl "cmd:target/debug/msc4268-adapter-matrix-sdk-crypto-0-18"   # the same
//! ```

use std::io::{BufReader, Write};
use std::process::ExitCode;

use msc4268_adapter_matrix_sdk_crypto::MatrixSdkCrypto;
use msc4268_protocol::adapter::serve;

fn main() -> ExitCode {
    // matrix-sdk-crypto panics are caught per case and reported `errored`; the default hook
    // would print each one to stderr too, which is where the harness looks for context.
    let imp = match MatrixSdkCrypto::new() {
        Ok(imp) => imp,
        Err(e) => {
            eprintln!("matrix-sdk-crypto adapter: {e}");
            return ExitCode::FAILURE;
        }
    };
    let declaration = imp.declaration();
    let stdin = BufReader::new(std::io::stdin().lock());
    let stdout = std::io::stdout().lock();
    match serve(&imp, &declaration, stdin, stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("matrix-sdk-crypto adapter: {e}");
            let _ = std::io::stderr().flush();
            ExitCode::FAILURE
        }
    }
}
