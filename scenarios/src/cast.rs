//! Who plays whom: the clients under test (Alice, the inviter; Bob, the invitee), the pairs a
//! run is given, and where each client's actor program is.
//!
//! A client is named `SDK@VERSION` (`matrix-sdk@0.18.0`, `matrix-sdk@0.19.1`; on demand
//! `matrix-sdk@0.16.1`, a release from before the stable identifiers) or given as a command line, `cmd:PROGRAM ARGS...` (any SDK's actor). A pair is written
//! `alice=CLIENT,bob=CLIENT`; `MSC4268_CLIENT_PAIRS` holds one or more pairs separated by `;`.
//! Every other person of a scenario (Charlie, Dave: members, adversaries) is the suite's own
//! in-process matrix-sdk 0.18.0 client.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use msc4268_adapter::process::StderrTail;

/// The environment variable listing the pairs to run (see the module documentation).
pub use msc4268_harness::external::PAIRS_ENV;

/// The matrix-sdk versions whose actor this repository builds (0.16.1 on demand only).
pub const MATRIX_SDK_VERSIONS: &[&str] = &["0.18.0", "0.19.1", "0.16.1"];

/// One client under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientSpec {
    /// A matrix-sdk actor built by this repository.
    MatrixSdk {
        /// `0.18.0` or `0.19.1`.
        version: String,
    },
    /// Any actor program, by its command line.
    Command {
        /// The command line, split like a POSIX shell does (no shell runs it).
        argv: Vec<String>,
    },
}

impl std::fmt::Display for ClientSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MatrixSdk { version } => write!(f, "matrix-sdk@{version}"),
            Self::Command { argv } => write!(f, "cmd:{}", argv.join(" ")),
        }
    }
}

impl ClientSpec {
    /// Parses `matrix-sdk@VERSION` or `cmd:...`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Some(cmd) = text.strip_prefix("cmd:") {
            let argv = shlex::split(cmd)
                .filter(|a| !a.is_empty())
                .ok_or_else(|| format!("`{text}`: not a command line"))?;
            return Ok(Self::Command { argv });
        }
        match text.split_once('@') {
            Some(("matrix-sdk", v)) if MATRIX_SDK_VERSIONS.contains(&v) => Ok(Self::MatrixSdk {
                version: v.to_owned(),
            }),
            _ => Err(format!(
                "`{text}`: a client is `matrix-sdk@VERSION` (VERSION one of {}) or `cmd:COMMAND LINE`",
                MATRIX_SDK_VERSIONS.join(", ")
            )),
        }
    }

    /// The actor program's command line. `built_dir` is where cargo put this build's binaries
    /// (the 0.18.0 actor is a binary of the scenarios package; the 0.19.1 one, built from
    /// `clients/matrix-sdk-0.19`, lands there when it shares the target directory).
    pub fn argv(&self, built_dir: &Path) -> Result<Vec<String>, String> {
        match self {
            Self::Command { argv } => Ok(argv.clone()),
            Self::MatrixSdk { version } => {
                let (program, build) = match version.as_str() {
                    "0.18.0" => (
                        "msc4268-client-matrix-sdk",
                        "cargo build -p msc4268-scenarios --bin msc4268-client-matrix-sdk",
                    ),
                    "0.16.1" => (
                        "msc4268-client-matrix-sdk-0-16",
                        "scripts/build-clients.sh --old (cargo build --ignore-rust-version --manifest-path clients/matrix-sdk-0.16/Cargo.toml, sharing this target directory)",
                    ),
                    _ => (
                        "msc4268-client-matrix-sdk-0-19",
                        "scripts/build-clients.sh (cargo build --ignore-rust-version --manifest-path clients/matrix-sdk-0.19/Cargo.toml, sharing this target directory)",
                    ),
                };
                let path = built_dir.join(program);
                if path.is_file() {
                    Ok(vec![path.display().to_string()])
                } else {
                    Err(format!(
                        "the {self} actor is not built ({} is missing): {build}",
                        path.display()
                    ))
                }
            }
        }
    }
}

/// The clients under test in one run of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// Alice's client: the inviter, whose client builds and sends the bundle.
    pub alice: ClientSpec,
    /// Bob's client: the invitee, whose client receives and imports it.
    pub bob: ClientSpec,
}

impl std::fmt::Display for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "alice={},bob={}", self.alice, self.bob)
    }
}

impl Pair {
    /// Both roles played by `client`.
    pub fn same(client: ClientSpec) -> Self {
        Self {
            alice: client.clone(),
            bob: client,
        }
    }

    /// Parses `alice=CLIENT,bob=CLIENT` (either order; a `cmd:` client may not contain `,`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (mut alice, mut bob) = (None, None);
        for part in text.split(',') {
            match part.trim().split_once('=') {
                Some(("alice", c)) => alice = Some(ClientSpec::parse(c)?),
                Some(("bob", c)) => bob = Some(ClientSpec::parse(c)?),
                _ => {
                    return Err(format!(
                        "`{text}`: a pair is `alice=CLIENT,bob=CLIENT`, not `{part}`"
                    ));
                }
            }
        }
        match (alice, bob) {
            (Some(alice), Some(bob)) => Ok(Self { alice, bob }),
            _ => Err(format!("`{text}`: a pair names both alice= and bob=")),
        }
    }

    /// The pairs of [`PAIRS_ENV`] (`;`-separated), or `None` if it is unset or empty.
    pub fn from_env() -> Option<Result<Vec<Self>, String>> {
        let text = std::env::var(PAIRS_ENV).ok()?;
        let pairs: Vec<&str> = text.split(';').filter(|p| !p.trim().is_empty()).collect();
        if pairs.is_empty() {
            return None;
        }
        Some(
            pairs
                .into_iter()
                .map(|p| Self::parse(p).map_err(|e| format!("{PAIRS_ENV}: {e}")))
                .collect(),
        )
    }

    /// The pairs CI runs: matrix-sdk 0.18.0 with itself and both ways with 0.19.1.
    pub fn ci() -> Vec<Self> {
        let v18 = ClientSpec::MatrixSdk {
            version: "0.18.0".into(),
        };
        let v19 = ClientSpec::MatrixSdk {
            version: "0.19.1".into(),
        };
        vec![
            Self::same(v18.clone()),
            Self {
                alice: v18.clone(),
                bob: v19.clone(),
            },
            Self {
                alice: v19,
                bob: v18,
            },
        ]
    }
}

/// A started actor's stderr, kept for the failure report.
#[derive(Clone)]
pub struct ActorLog {
    /// "Alice (matrix-sdk@0.19.1)".
    pub actor: String,
    /// Its stderr's last lines.
    pub stderr: StderrTail,
}

/// What one run of a scenario casts: the pair, whose client is made careless (self-tests), and
/// the logs of the actors started.
#[derive(Clone)]
pub struct Casting {
    /// The clients under test.
    pub pair: Pair,
    /// Where this build's binaries are (see [`ClientSpec::argv`]).
    pub built_dir: PathBuf,
    /// The repository root: the working directory of actor processes, so that a `cmd:` client
    /// line can name files relative to it.
    pub repo_root: PathBuf,
    /// How long an actor process has for one command ([`crate::actor::COMMAND_TIMEOUT`]).
    pub command_timeout: std::time::Duration,
    /// The person whose client imports every bundle unchecked (the careless self-tests).
    pub careless: Option<String>,
    /// The actors started so far.
    pub logs: Arc<Mutex<Vec<ActorLog>>>,
}

tokio::task_local! {
    /// The casting of the scenario running on this task (set by [`crate::Runner::run`]).
    pub static CASTING: Casting;
}

/// The client under test that plays `name`, or `None` for a person played by the suite's own
/// in-process client. Alice and Bob (and Bob's other devices) are under test.
pub fn client_for(name: &str) -> Option<ClientSpec> {
    CASTING
        .try_with(|c| {
            if name == "Alice" {
                Some(c.pair.alice.clone())
            } else if name == "Bob" || name.starts_with("Bob's ") {
                Some(c.pair.bob.clone())
            } else {
                None
            }
        })
        .ok()
        .flatten()
}

/// Whether `name`'s client is to be careless in this run.
pub fn is_careless(name: &str) -> bool {
    CASTING
        .try_with(|c| c.careless.as_deref() == Some(name))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_parse_and_print_back() {
        let p = Pair::parse("alice=matrix-sdk@0.18.0, bob=matrix-sdk@0.19.1").expect("pair");
        assert_eq!(
            p.to_string(),
            "alice=matrix-sdk@0.18.0,bob=matrix-sdk@0.19.1"
        );
        let p = Pair::parse("bob=cmd:python3 actor.py --x,alice=matrix-sdk@0.18.0").expect("pair");
        assert_eq!(
            p.bob,
            ClientSpec::Command {
                argv: vec!["python3".into(), "actor.py".into(), "--x".into()]
            }
        );
    }

    #[test]
    fn bad_pairs_say_why() {
        for (text, says) in [
            ("alice=matrix-sdk@0.18.0", "both"),
            ("alice=matrix-sdk@9,bob=matrix-sdk@0.18.0", "VERSION one of"),
            (
                "carol=matrix-sdk@0.18.0,bob=matrix-sdk@0.18.0",
                "not `carol=",
            ),
            ("alice=cmd:,bob=matrix-sdk@0.18.0", "not a command line"),
        ] {
            let e = Pair::parse(text).expect_err(text);
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn a_missing_actor_build_says_how_to_build_it() {
        let dir = tempfile::tempdir().expect("dir");
        let e = ClientSpec::parse("matrix-sdk@0.19.1")
            .expect("spec")
            .argv(dir.path())
            .expect_err("not built");
        assert!(e.contains("clients/matrix-sdk-0.19"), "{e}");
    }
}
