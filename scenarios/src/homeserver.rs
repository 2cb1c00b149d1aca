//! Synapse homeservers in containers, started with testcontainers.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use testcontainers::{
    ContainerAsync, CopyDataSource, GenericImage, ImageExt,
    core::{CmdWaitFor, ExecCommand, IntoContainerPort, WaitFor},
    runners::AsyncRunner,
};

use crate::docker;
use crate::error::{Result, ScenarioError};

/// TLS material for a homeserver's federation listener.
#[derive(Debug, Clone)]
pub struct FederationTls {
    /// PEM certificate chain of the server (leaf first).
    pub cert_pem: String,
    /// PEM private key of the leaf.
    pub key_pem: String,
    /// PEM certificate of the CA that signs every test server.
    pub ca_pem: String,
    /// CIDR ranges federation may reach (the test network's subnet).
    pub allowed_ranges: Vec<String>,
}

/// How to start one Synapse.
#[derive(Debug, Clone)]
pub struct SynapseOptions {
    /// Short name used in the container name and the logs (e.g. `hs1`).
    pub short_name: String,
    /// The Matrix server name; `None` means `localhost` (single-server scenarios).
    pub server_name: Option<String>,
    /// A federation listener on 8448 with this TLS material.
    pub federation: Option<FederationTls>,
    /// The container name (its DNS name on the network); `None` picks a unique one.
    pub container_name: Option<String>,
}

impl SynapseOptions {
    /// A single, non-federating server named `localhost`.
    pub fn single(short_name: &str) -> Self {
        Self {
            short_name: short_name.into(),
            server_name: None,
            federation: None,
            container_name: None,
        }
    }
}

/// A running Synapse container.
pub struct Homeserver {
    container: ContainerAsync<GenericImage>,
    /// The container name (also its DNS name on the scenario network).
    pub container_name: String,
    /// Short name (`hs1`).
    pub short_name: String,
    /// The Matrix server name.
    pub server_name: String,
    /// Client-server API base URL on the loopback interface.
    pub url: String,
    /// Time from the create call until Synapse listened.
    pub ready_in: Duration,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A container name unique in this process and across concurrent processes.
pub fn unique_name(scenario: &str, short: &str) -> String {
    let slug: String = scenario
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    let slug = &slug[slug.len().saturating_sub(30)..];
    format!(
        "msc4268-{}-{short}-{}-{}",
        slug.trim_matches('-'),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Homeserver {
    /// Starts Synapse on `network` and waits until it listens (stderr says so).
    pub async fn start(scenario: &str, network: &str, opts: &SynapseOptions) -> Result<Self> {
        let image = docker::prepared()?.image.clone();
        let (repo, tag) = image
            .rsplit_once(':')
            .ok_or_else(|| ScenarioError::Image(format!("tag without version: {image}")))?;
        let container_name = opts
            .container_name
            .clone()
            .unwrap_or_else(|| unique_name(scenario, &opts.short_name));
        let server_name = match (&opts.server_name, &opts.federation) {
            (Some(n), _) => n.clone(),
            (None, Some(_)) => format!("{container_name}:8448"),
            (None, None) => "localhost".to_owned(),
        };
        let mut image = GenericImage::new(repo, tag)
            .with_exposed_port(8008.tcp())
            .with_wait_for(WaitFor::message_on_stderr(
                "Synapse now listening on TCP port 8008",
            ));
        if opts.federation.is_some() {
            image = image.with_wait_for(WaitFor::message_on_stderr(
                "Synapse now listening on TCP port 8448",
            ));
        }
        let mut request = image
            .with_container_name(&container_name)
            .with_network(network)
            .with_env_var("SYNAPSE_SERVER_NAME", &server_name)
            .with_startup_timeout(Duration::from_secs(90));
        for (key, value) in docker::labels() {
            request = request.with_label(key, value);
        }
        if let Some(tls) = &opts.federation {
            request = request
                .with_copy_to(
                    "/tls/server.crt",
                    CopyDataSource::Data(tls.cert_pem.clone().into_bytes()),
                )
                .with_copy_to(
                    "/tls/server.key",
                    CopyDataSource::Data(tls.key_pem.clone().into_bytes()),
                )
                .with_copy_to(
                    "/tls/ca.crt",
                    CopyDataSource::Data(tls.ca_pem.clone().into_bytes()),
                )
                .with_env_var("SYNAPSE_TLS_CERT", "/tls/server.crt")
                .with_env_var("SYNAPSE_TLS_KEY", "/tls/server.key")
                .with_env_var("SYNAPSE_FEDERATION_CA", "/tls/ca.crt")
                .with_env_var("SYNAPSE_IP_RANGE_WHITELIST", tls.allowed_ranges.join(","));
        }
        docker::ensure_not_shutting_down()?;
        let started = Instant::now();
        let container = request.start().await?;
        let ready_in = started.elapsed();
        let port = container.get_host_port_ipv4(8008.tcp()).await?;
        Ok(Self {
            container,
            container_name,
            short_name: opts.short_name.clone(),
            server_name,
            url: format!("http://127.0.0.1:{port}"),
            ready_in,
        })
    }

    /// Everything the container printed so far (stdout, then stderr).
    pub async fn logs(&self) -> String {
        let out = self.container.stdout_to_vec().await.unwrap_or_default();
        let err = self.container.stderr_to_vec().await.unwrap_or_default();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&err)
        )
    }

    /// Runs a command in the container; returns its exit code and output.
    pub async fn exec(&self, cmd: &[&str]) -> Result<(i64, String)> {
        let mut result = self
            .container
            .exec(
                ExecCommand::new(cmd.iter().copied()).with_cmd_ready_condition(CmdWaitFor::exit()),
            )
            .await?;
        let out = result.stdout_to_vec().await?;
        let err = result.stderr_to_vec().await?;
        let code = result.exit_code().await?.unwrap_or(-1);
        Ok((
            code,
            format!(
                "{}{}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&err)
            ),
        ))
    }

    /// Registers a server admin through Synapse's shared-secret registration script; returns the
    /// localpart (the password is the same).
    pub async fn register_admin(&self, localpart: &str) -> Result<()> {
        let (code, out) = self
            .exec(&[
                "/opt/synapse/bin/register_new_matrix_user",
                "-c",
                "/data/instance.yaml",
                "-u",
                localpart,
                "-p",
                localpart,
                "--admin",
                "http://127.0.0.1:8008",
            ])
            .await?;
        if code != 0 {
            return Err(ScenarioError::Unexpected(format!(
                "register_new_matrix_user exited {code}: {out}"
            )));
        }
        Ok(())
    }

    /// Deletes `mxc` from the media repository through Synapse's admin API, as a server admin
    /// (registered on first use with the shared-secret script).
    pub async fn delete_media_as_admin(&self, mxc: &str) -> Result<()> {
        let (server, media_id) = mxc
            .strip_prefix("mxc://")
            .and_then(|r| r.split_once('/'))
            .ok_or_else(|| ScenarioError::Unexpected(format!("not an mxc URI: {mxc:?}")))?;
        self.register_admin("admin").await?;
        let http = matrix_sdk::reqwest::Client::new();
        let login = serde_json::json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": "admin"},
            "password": "admin",
        });
        let resp = http
            .post(format!("{}/_matrix/client/v3/login", self.url))
            .header("content-type", "application/json")
            .body(login.to_string())
            .send()
            .await
            .map_err(|e| ScenarioError::Unexpected(format!("admin login: {e}")))?;
        let body: serde_json::Value = serde_json::from_str(
            &resp
                .text()
                .await
                .map_err(|e| ScenarioError::Unexpected(format!("admin login: {e}")))?,
        )?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| ScenarioError::Unexpected(format!("admin login answered {body}")))?;
        let resp = http
            .delete(format!(
                "{}/_synapse/admin/v1/media/{server}/{media_id}",
                self.url
            ))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| ScenarioError::Unexpected(format!("media delete: {e}")))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() || !text.contains(media_id) {
            return Err(ScenarioError::Unexpected(format!(
                "media delete answered {status}: {text}"
            )));
        }
        Ok(())
    }
}
