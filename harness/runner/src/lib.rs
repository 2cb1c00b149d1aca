//! # msc4268-harness
//!
//! What an SDK depends on to check itself against the MSC4268 conformance corpus: the one corpus
//! loop ([`runner::run_corpus`]) that runs every case against an
//! [`Implementation`](implementation::Implementation) and judges it, the report writers (JSON,
//! JUnit, Markdown, HTML), the libtest helper that makes every case its own `cargo test`, and the
//! results file through which checks that are not fixture cases (the Docker scenarios) join the
//! same reports ([`external`]). Reports count every case as required, recommended or suite
//! hardening by its level; a [`profile`] picks which of these fail a run. A corpus test can pin
//! the exact set of cases its implementation skips, with the reasons, in a committed file
//! ([`pinned_skips`]), so that a new skip fails it.
//!
//! The case contract (`msc4268-protocol`) and the corpus (`msc4268-corpus`) are re-exported, so
//! one dev-dependency is enough.

pub use msc4268_corpus as corpus;
pub use msc4268_protocol::{cases, identifiers, implementation};

pub mod compare;
pub mod external;
pub mod libtest;
pub mod output;
pub mod over_limit;
pub mod pinned_skips;
pub mod profile;
pub mod report;
pub mod runner;
