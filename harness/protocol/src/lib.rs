//! # msc4268-protocol
//!
//! The contract between the MSC4268 conformance corpus and an implementation under test: the
//! fixture categories, each category's typed case input and outcome (the JSON shapes adapters in
//! other languages speak too), the identifier variants, and the [`implementation::Implementation`]
//! trait a Rust implementation provides (one method per operation), and [`adapter::serve`],
//! which runs such an implementation as a process speaking the adapter protocol; and
//! [`client`], the messages of the client-actor protocol through which scenarios drive a Matrix
//! client of any SDK.
//!
//! Nothing here knows how cases are stored, run or judged, nor the suite's reference model.

pub mod adapter;
pub mod cases;
pub mod client;
pub mod identifiers;
pub mod implementation;
mod lines;
