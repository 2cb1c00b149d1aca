//! The per-scenario environment: a network, its homeservers, their logs, and the runner that
//! prints a failing scenario's container logs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt;

use crate::cast::{CASTING, Casting};
use crate::docker::TestNetwork;
use crate::error::{Result, ScenarioError};
use crate::homeserver::{Homeserver, SynapseOptions, unique_name};

/// One scenario's Docker resources. Dropping it removes the containers, then the network.
pub struct Env {
    /// The scenario's name (its test name).
    pub name: String,
    // Field order matters: containers are removed before the network.
    homeservers: Vec<Arc<Homeserver>>,
    network: TestNetwork,
}

impl Env {
    /// Creates the scenario's network.
    pub async fn new(name: &str) -> Result<Self> {
        let network = TestNetwork::create(&unique_name(name, "net")).await?;
        Ok(Self {
            name: name.to_owned(),
            homeservers: Vec::new(),
            network,
        })
    }

    /// The scenario network.
    pub fn network(&self) -> &TestNetwork {
        &self.network
    }

    /// Starts a Synapse on the scenario network.
    pub async fn synapse(&mut self, opts: SynapseOptions) -> Result<Arc<Homeserver>> {
        let hs = Arc::new(Homeserver::start(&self.name, self.network.name(), &opts).await?);
        self.homeservers.push(hs.clone());
        Ok(hs)
    }

    /// Starts the single `localhost` Synapse most scenarios use.
    pub async fn single_synapse(&mut self) -> Result<Arc<Homeserver>> {
        self.synapse(SynapseOptions::single("hs")).await
    }

    /// Starts two Synapses that federate over TLS on the scenario network, with certificates
    /// from a CA generated now; server names are `<container name>:8448`.
    pub async fn federated_pair(&mut self) -> Result<(Arc<Homeserver>, Arc<Homeserver>)> {
        let ca = crate::tls::TestCa::new()?;
        let ranges: Vec<String> = self.network.subnet.iter().cloned().collect();
        if ranges.is_empty() {
            return Err(ScenarioError::Unexpected(
                "the scenario network has no IPv4 subnet".into(),
            ));
        }
        let mut pair = Vec::new();
        for short in ["hs1", "hs2"] {
            let name = unique_name(&self.name, short);
            let opts = SynapseOptions {
                short_name: short.into(),
                server_name: Some(format!("{name}:8448")),
                federation: Some(ca.server(&name, ranges.clone())?),
                container_name: Some(name),
            };
            pair.push(self.synapse(opts).await?);
        }
        let hs2 = pair
            .pop()
            .ok_or_else(|| ScenarioError::Unexpected("no hs2".into()))?;
        let hs1 = pair
            .pop()
            .ok_or_else(|| ScenarioError::Unexpected("no hs1".into()))?;
        Ok((hs1, hs2))
    }

    async fn keep_logs(&self, dir: &Path) -> Vec<(String, PathBuf, String)> {
        let mut out = Vec::new();
        let _ = std::fs::create_dir_all(dir);
        for hs in &self.homeservers {
            let logs = hs.logs().await;
            let path = dir.join(format!("{}.log", hs.short_name));
            let _ = std::fs::write(&path, &logs);
            out.push((hs.short_name.clone(), path, logs));
        }
        out
    }
}

/// Runs scenario bodies: one tokio runtime per scenario, logs kept under `log_root`.
#[derive(Debug, Clone)]
pub struct Runner {
    /// Directory under which each scenario's container logs are written (`<name>/<hs>.log`).
    pub log_root: PathBuf,
}

impl Runner {
    /// Runs `body` in a fresh environment, cut off after [`crate::docker::scenario_timeout`]. On
    /// failure (error, panic or timeout) the containers' logs are printed (last 150 lines each; the full logs stay in the log directory) and an error
    /// describing the failure is returned. Logs are kept on success too.
    ///
    /// `casting` says which clients play Alice and Bob; the scenario runs in its scope
    /// ([`crate::cast::CASTING`]), and a failure report ends with the stderr of each actor
    /// process started. A scenario that needs a command a client under test does not support
    /// ends in [`RunOutcome::Unsupported`].
    pub fn run<F>(&self, name: &str, casting: Casting, body: F) -> RunOutcome
    where
        F: AsyncFnOnce(&mut Env) -> Result<()>,
    {
        self.run_cast(name, casting, body)
            .err()
            .unwrap_or(RunOutcome::Passed)
    }

    /// [`Runner::run`], with every outcome but a pass as the error.
    fn run_cast<F>(&self, name: &str, casting: Casting, body: F) -> Result<(), RunOutcome>
    where
        F: AsyncFnOnce(&mut Env) -> Result<()>,
    {
        let actor_logs = casting.logs.clone();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| RunOutcome::Failed(format!("tokio runtime: {e}")))?;
        let dir = self.log_root.join(name.replace('/', "__"));
        rt.block_on(async {
            let started = Instant::now();
            let mut env = Env::new(name)
                .await
                .map_err(|e| RunOutcome::Failed(e.to_string()))?;
            let limit = crate::docker::scenario_timeout();
            let outcome = tokio::time::timeout(
                limit,
                CASTING.scope(casting, std::panic::AssertUnwindSafe(body(&mut env)).catch_unwind()),
            )
            .await
            .unwrap_or_else(|_| {
                Ok(Err(ScenarioError::Timeout {
                    what: format!("the scenario finished ({} sets the limit)", crate::docker::TIMEOUT_ENV),
                    seconds: limit.as_secs(),
                }))
            });
            let logs = env.keep_logs(&dir).await;
            let ready: Vec<String> = env
                .homeservers
                .iter()
                .map(|h| format!("{} ready in {:.1} s", h.short_name, h.ready_in.as_secs_f64()))
                .collect();
            let failure = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(ScenarioError::Unsupported(reason))) => {
                    eprintln!("scenario {name}: skipped: {reason}");
                    drop(env);
                    return Err(RunOutcome::Unsupported(reason));
                }
                Ok(Err(e)) => Some(e.to_string()),
                Err(panic) => Some(
                    panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "panic".into()),
                ),
            };
            eprintln!(
                "scenario {name}: {} in {:.1} s ({})",
                if failure.is_some() { "FAILED" } else { "passed" },
                started.elapsed().as_secs_f64(),
                ready.join(", ")
            );
            drop(env);
            match failure {
                None => Ok(()),
                Some(msg) => {
                    let mut text = format!("{msg}\n");
                    for log in actor_logs.lock().map(|l| l.clone()).unwrap_or_default() {
                        let stderr = log.stderr.text();
                        text.push_str(&format!(
                            "\n----- stderr of the actor of {} (last {} bytes) -----\n{}\n",
                            log.actor,
                            stderr.len(),
                            stderr
                        ));
                    }
                    for (hs, path, logs) in logs {
                        let lines: Vec<&str> = logs.lines().collect();
                        let tail = &lines[lines.len().saturating_sub(150)..];
                        text.push_str(&format!(
                            "\n----- container logs of {hs} (last {} of {} lines; full log: {}) -----\n{}\n",
                            tail.len(),
                            lines.len(),
                            path.display(),
                            tail.join("\n")
                        ));
                    }
                    Err(RunOutcome::Failed(text))
                }
            }
        })
    }
}

/// How one run of a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every step held.
    Passed,
    /// A client under test does not support a command the scenario needs (skipped).
    Unsupported(String),
    /// A step did not hold, or the run broke; the message ends with the logs.
    Failed(String),
}

/// Fails the scenario with `message` unless `condition` holds.
pub fn expect(condition: bool, message: impl FnOnce() -> String) -> Result<()> {
    if condition {
        Ok(())
    } else {
        Err(ScenarioError::Unexpected(message()))
    }
}
