//! The matrix-sdk actor program (see the library's documentation).

fn main() -> std::process::ExitCode {
    msc4268_client_matrix_sdk::run()
}
