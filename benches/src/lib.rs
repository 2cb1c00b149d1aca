//! # msc4268-benches
//!
//! Benchmarks of the MSC4268 reference model side by side with matrix-sdk-crypto 0.18.0 on
//! large, real room key bundles (1k to 100k sessions), against the machine's floor (raw
//! AES-256-CTR + SHA-256, a bare `serde_json` parse). `cargo bench -p msc4268-benches` runs them
//! (`benches/bundles.rs`) and writes the tables and the scale plot; see `docs/performance.md`.

pub mod alloc;
pub mod corpus;
pub mod error;
pub mod ops;
pub mod report;

pub use error::BenchError;
