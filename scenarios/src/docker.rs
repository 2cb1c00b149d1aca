//! Docker plumbing: the engine check, the API-version shim testcontainers needs on older engines,
//! the Synapse image, networks, the janitor for leftovers of killed runs, and the Ctrl-C watchdog.
//!
//! Everything this crate creates carries the label [`LABEL`]` = `[`LABEL_RUN`], the token of the
//! run that created it ([`LABEL_TOKEN`]: a run removes its own resources by token on Ctrl-C) and a
//! lease ([`LABEL_EXPIRES`]): the time after which the resource is certainly stale, because every
//! scenario is cut off by [`scenario_timeout`] well before it. The janitor removes only resources
//! whose lease has run out, so it never touches a concurrent run's resources, whichever host or
//! pid namespace that run lives in.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use testcontainers::bollard::{
    API_DEFAULT_VERSION, Docker,
    models::NetworkCreateRequest,
    query_parameters::{ListContainersOptions, ListNetworksOptions, RemoveContainerOptions},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{Result, ScenarioError};

/// Label key on every container and network the scenarios create.
pub const LABEL: &str = "org.msc4268.scenarios";
/// Value of [`LABEL`] on containers and networks of a test run.
pub const LABEL_RUN: &str = "run";
/// Label key holding the token of the run (test process) that created the resource.
pub const LABEL_TOKEN: &str = "org.msc4268.run-token";
/// Label key holding the resource's lease: Unix seconds after which it is certainly stale.
pub const LABEL_EXPIRES: &str = "org.msc4268.expires";
/// Environment variable overriding [`scenario_timeout`], in seconds.
pub const TIMEOUT_ENV: &str = "MSC4268_SCENARIO_TIMEOUT";
/// Default for [`scenario_timeout`]: the slowest scenario takes about 30 s on 2 busy cores.
const DEFAULT_SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);
/// How long after a scenario's cut-off its resources may still legitimately exist (removal of
/// containers and the network after the body ends).
const LEASE_MARGIN: Duration = Duration::from_secs(120);
/// Environment variable that turns the scenario tests into ignored tests.
pub const SKIP_ENV: &str = "MSC4268_SKIP_DOCKER";

/// True when the user asked to skip the Docker scenarios (`MSC4268_SKIP_DOCKER` set, not `0`).
pub fn skip_requested() -> bool {
    std::env::var(SKIP_ENV).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// What [`prepare`] found: the image to run.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The Synapse image tag (content-hashed, see `homeserver/build-image.sh`).
    pub image: String,
}

static SOCKET: OnceLock<PathBuf> = OnceLock::new();
static PREPARED: OnceLock<Prepared> = OnceLock::new();

/// The image prepared by [`prepare`].
pub fn prepared() -> Result<&'static Prepared> {
    PREPARED.get().ok_or_else(|| {
        ScenarioError::Unexpected("msc4268_scenarios::docker::prepare() was not called".into())
    })
}

/// Checks the engine, installs the API shim if needed, removes leftovers of killed runs, installs
/// the Ctrl-C watchdog and makes sure the Synapse image exists (building it if missing).
///
/// Call it once from the test binary's `main`, before any other thread is started: it may set
/// `DOCKER_HOST` for testcontainers.
pub fn prepare() -> Result<&'static Prepared> {
    if let Some(p) = PREPARED.get() {
        return Ok(p);
    }
    let (socket, shim_needed) = engine_socket()?;
    let _ = SOCKET.set(socket.clone());
    if let Some(max) = shim_needed {
        // The shim's socket path is fixed before its thread starts, so `DOCKER_HOST` is set
        // while this is still the only thread.
        let shim = shim_socket_path();
        set_docker_host(&format!("unix://{}", shim.display()));
        start_api_shim(&shim, &socket, &max)?;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let docker = client().await?;
        janitor(&docker).await
    })?;
    install_watchdog();
    let image = ensure_image(&rt)?;
    Ok(PREPARED.get_or_init(|| Prepared { image }))
}

#[allow(unsafe_code)]
fn set_docker_host(value: &str) {
    // SAFETY: called from `prepare`, which the test binary's `main` runs before it starts any
    // other thread, so nothing reads the environment concurrently.
    unsafe { std::env::set_var("DOCKER_HOST", value) };
}

/// Finds the engine's unix socket and asks the engine for its highest API version. Returns the
/// socket and, when the engine is older than the API testcontainers speaks, that highest version.
fn engine_socket() -> Result<(PathBuf, Option<String>)> {
    let socket = match std::env::var("DOCKER_HOST") {
        Ok(h) if h.starts_with("unix://") => PathBuf::from(&h["unix://".len()..]),
        Ok(h) if !h.is_empty() => {
            return Err(ScenarioError::DockerUnavailable(format!(
                "DOCKER_HOST={h}: only unix sockets are supported by the scenario harness"
            )));
        }
        _ => PathBuf::from("/var/run/docker.sock"),
    };
    let version = raw_get(&socket, "/version")
        .map_err(|e| ScenarioError::DockerUnavailable(format!("{}: {e}", socket.display())))?;
    let value: serde_json::Value = serde_json::from_str(&version).map_err(|e| {
        ScenarioError::DockerUnavailable(format!("unexpected /version answer ({e}): {version}"))
    })?;
    let api = value["ApiVersion"].as_str().unwrap_or_default().to_owned();
    let parse = |s: &str| -> Option<(u32, u32)> {
        let (a, b) = s.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let ours = (
        API_DEFAULT_VERSION.major_version as u32,
        API_DEFAULT_VERSION.minor_version as u32,
    );
    match parse(&api) {
        Some(theirs) if theirs >= ours => Ok((socket, None)),
        Some(_) if api.len() == 4 => Ok((socket, Some(api))),
        _ => Err(ScenarioError::DockerUnavailable(format!(
            "unsupported engine API version {api:?}"
        ))),
    }
}

fn raw_get(socket: &Path, path: &str) -> std::io::Result<String> {
    let mut s = StdUnixStream::connect(socket)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n")?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return Err(std::io::Error::other(format!(
            "GET {path}: {}",
            head.lines().next().unwrap_or("")
        )));
    }
    Ok(body.to_owned())
}

/// testcontainers 0.28 always speaks Docker API 1.53; older engines (Debian's 20.10 speaks 1.41)
/// refuse that. The shim is a unix-socket proxy that rewrites the version in request lines
/// (same length, so no body or header changes) and passes everything else through.
fn start_api_shim(path: &Path, upstream: &Path, engine_version: &str) -> Result<()> {
    let _ = std::fs::remove_file(path);
    let from = format!(
        " /v{}.{}/",
        API_DEFAULT_VERSION.major_version, API_DEFAULT_VERSION.minor_version
    )
    .into_bytes();
    let to = format!(" /v{engine_version}/").into_bytes();
    if from.len() != to.len() {
        return Err(ScenarioError::DockerUnavailable(format!(
            "engine API {engine_version} cannot be shimmed"
        )));
    }
    let std_listener = std::os::unix::net::UnixListener::bind(path)?;
    std_listener.set_nonblocking(true)?;
    let upstream = upstream.to_owned();
    std::thread::Builder::new()
        .name("docker-api-shim".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::UnixListener::from_std(std_listener) else {
                    return;
                };
                while let Ok((conn, _)) = listener.accept().await {
                    let (upstream, from, to) = (upstream.clone(), from.clone(), to.clone());
                    tokio::spawn(async move {
                        if let Ok(up) = tokio::net::UnixStream::connect(&upstream).await {
                            let (mut cr, mut cw) = conn.into_split();
                            let (mut ur, mut uw) = up.into_split();
                            let down = tokio::spawn(async move {
                                let _ = tokio::io::copy(&mut ur, &mut cw).await;
                                let _ = cw.shutdown().await;
                            });
                            let _ = rewrite_copy(&mut cr, &mut uw, &from, &to).await;
                            let _ = uw.shutdown().await;
                            let _ = down.await;
                        }
                    });
                }
            });
        })?;
    Ok(())
}

/// Where this process's API shim listens.
fn shim_socket_path() -> PathBuf {
    std::env::temp_dir().join(format!("msc4268-docker-{}.sock", std::process::id()))
}

/// Copies `r` to `w`, replacing every `from` with `to` (same length), also across reads. Bytes
/// that could start a match are held back only until the next read or 20 ms.
async fn rewrite_copy<R, W>(r: &mut R, w: &mut W, from: &[u8], to: &[u8]) -> std::io::Result<()>
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = if pending.is_empty() {
            r.read(&mut buf).await?
        } else {
            match tokio::time::timeout(Duration::from_millis(20), r.read(&mut buf)).await {
                Ok(n) => n?,
                Err(_) => {
                    w.write_all(&pending).await?;
                    w.flush().await?;
                    pending.clear();
                    continue;
                }
            }
        };
        if n == 0 {
            w.write_all(&pending).await?;
            w.flush().await?;
            return Ok(());
        }
        pending.extend_from_slice(&buf[..n]);
        let mut i = 0;
        while i + from.len() <= pending.len() {
            if &pending[i..i + from.len()] == from {
                pending[i..i + from.len()].copy_from_slice(to);
                i += from.len();
            } else {
                i += 1;
            }
        }
        // Hold back the longest suffix that is a proper prefix of `from`.
        let keep = (1..from.len())
            .rev()
            .find(|&k| k <= pending.len() && pending[pending.len() - k..] == from[..k])
            .unwrap_or(0);
        let send = pending.len() - keep;
        w.write_all(&pending[..send]).await?;
        w.flush().await?;
        pending.drain(..send);
    }
}

/// A bollard client on the engine's own socket, speaking the engine's API version.
pub async fn client() -> Result<Docker> {
    let socket = SOCKET
        .get()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("/var/run/docker.sock"));
    let docker = Docker::connect_with_unix(&socket.to_string_lossy(), 120, API_DEFAULT_VERSION)?;
    Ok(docker.negotiate_version().await?)
}

fn label_filter() -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_owned(), vec![format!("{LABEL}={LABEL_RUN}")])])
}

/// How long one scenario may run before it is failed ([`TIMEOUT_ENV`], default 300 s).
pub fn scenario_timeout() -> Duration {
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_SCENARIO_TIMEOUT, Duration::from_secs)
}

/// This run's token: the process id and its start time, unique across runs on a shared engine.
pub fn run_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{}-{nanos:x}", std::process::id())
    })
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether a resource's lease has run out. A resource without a readable lease (made by an
/// older version of this crate) counts as expired.
fn lease_expired(labels: Option<&HashMap<String, String>>, now: u64) -> bool {
    labels
        .and_then(|l| l.get(LABEL_EXPIRES))
        .and_then(|v| v.parse::<u64>().ok())
        .is_none_or(|expires| expires < now)
}

/// Removes containers and networks labelled by us whose lease has run out (left by a killed
/// run). Resources of a concurrent run are inside their lease and left alone.
pub async fn janitor(docker: &Docker) -> Result<usize> {
    let mut removed = 0;
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(label_filter()),
            ..Default::default()
        }))
        .await?;
    let now = unix_now();
    for c in containers {
        if !lease_expired(c.labels.as_ref(), now) {
            continue;
        }
        if let Some(id) = c.id {
            let opts = RemoveContainerOptions {
                force: true,
                v: true,
                ..Default::default()
            };
            if docker.remove_container(&id, Some(opts)).await.is_ok() {
                removed += 1;
            }
        }
    }
    let networks = docker
        .list_networks(Some(ListNetworksOptions {
            filters: Some(label_filter()),
        }))
        .await?;
    for n in networks {
        if !lease_expired(n.labels.as_ref(), now) {
            continue;
        }
        if let Some(id) = n.id
            && docker.remove_network(&id).await.is_ok()
        {
            removed += 1;
        }
    }
    if removed > 0 {
        eprintln!(
            "msc4268 janitor: removed {removed} container(s)/network(s) left by a killed run"
        );
    }
    Ok(removed)
}

static SHUTTING_DOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Fails once the watchdog has started removing everything (Ctrl-C): nothing new is created.
pub fn ensure_not_shutting_down() -> Result<()> {
    if SHUTTING_DOWN.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ScenarioError::Unexpected(
            "interrupted: not creating new containers".into(),
        ));
    }
    Ok(())
}

/// Removes every container, then every network, labelled with this run's token; returns how
/// many it found.
async fn remove_own(docker: &Docker) -> usize {
    let mine = HashMap::from([(
        "label".to_owned(),
        vec![
            format!("{LABEL}={LABEL_RUN}"),
            format!("{LABEL_TOKEN}={}", run_token()),
        ],
    )]);
    let mut found = 0;
    let opts = ListContainersOptions {
        all: true,
        filters: Some(mine.clone()),
        ..Default::default()
    };
    for c in docker.list_containers(Some(opts)).await.unwrap_or_default() {
        if let Some(id) = c.id {
            found += 1;
            let opts = RemoveContainerOptions {
                force: true,
                v: true,
                ..Default::default()
            };
            let _ = docker.remove_container(&id, Some(opts)).await;
        }
    }
    for n in docker
        .list_networks(Some(ListNetworksOptions {
            filters: Some(mine),
        }))
        .await
        .unwrap_or_default()
    {
        if let Some(id) = n.id {
            found += 1;
            let _ = docker.remove_network(&id).await;
        }
    }
    found
}

/// Labels for a container or network created now by this run: the run label, the run's token
/// and the lease (now + [`scenario_timeout`] + a margin for removal).
pub fn labels() -> HashMap<String, String> {
    let expires = unix_now() + (scenario_timeout() + LEASE_MARGIN).as_secs();
    HashMap::from([
        (LABEL.to_owned(), LABEL_RUN.to_owned()),
        (LABEL_TOKEN.to_owned(), run_token().to_owned()),
        (LABEL_EXPIRES.to_owned(), expires.to_string()),
    ])
}

fn install_watchdog() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let spawned = std::thread::Builder::new().name("msc4268-watchdog".into()).spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut int), Ok(mut term)) =
                    (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
                else {
                    return;
                };
                tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
                eprintln!("\nmsc4268 watchdog: interrupted, killing the client actors and removing the scenario containers and networks");
                SHUTTING_DOWN.store(true, std::sync::atomic::Ordering::SeqCst);
                // The client actors first: their process groups, so nothing they started stays.
                crate::actor::kill_all_actors();
                if let Ok(docker) = client().await {
                    // Resources being created right now show up a moment later: sweep until
                    // three passes in a row find nothing of this process (at most ~10 s).
                    let mut quiet = 0;
                    for _ in 0..30 {
                        let found = remove_own(&docker).await;
                        quiet = if found == 0 { quiet + 1 } else { 0 };
                        if quiet == 3 {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(300)).await;
                    }
                }
                std::process::exit(130);
            });
        });
        if let Err(e) = spawned {
            eprintln!("msc4268: could not start the Ctrl-C watchdog: {e}");
        }
    });
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Returns the tag of the Synapse image, building it with `homeserver/build-image.sh` when it is
/// missing (set `MSC4268_NO_IMAGE_BUILD=1` to fail instead).
fn ensure_image(rt: &tokio::runtime::Runtime) -> Result<String> {
    let script = repo_root().join("homeserver/build-image.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg("--print-tag")
        .output()
        .map_err(|e| ScenarioError::Image(format!("{}: {e}", script.display())))?;
    if !out.status.success() {
        return Err(ScenarioError::Image(format!(
            "{} --print-tag failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let tag = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let present = rt.block_on(async {
        client()
            .await?
            .inspect_image(&tag)
            .await
            .map_err(ScenarioError::from)
    });
    if present.is_ok() {
        return Ok(tag);
    }
    if std::env::var("MSC4268_NO_IMAGE_BUILD").is_ok_and(|v| v == "1") {
        return Err(ScenarioError::Image(format!(
            "image {tag} is missing; build it with `sudo {}`",
            script.display()
        )));
    }
    eprintln!(
        "msc4268: image {tag} is missing, building it with {} (a few minutes, once)",
        script.display()
    );
    let status = Command::new("bash")
        .arg(&script)
        .status()
        .map_err(|e| ScenarioError::Image(format!("{}: {e}", script.display())))?;
    if !status.success() {
        return Err(ScenarioError::Image(format!(
            "{} failed ({status})",
            script.display()
        )));
    }
    Ok(tag)
}

/// A Docker network for one scenario, labelled by us, removed on drop (after its containers).
pub struct TestNetwork {
    name: String,
    /// The network's IPv4 subnet, for Synapse's federation IP allowlist.
    pub subnet: Option<String>,
}

impl TestNetwork {
    /// Creates a bridge network named `name`.
    pub async fn create(name: &str) -> Result<Self> {
        ensure_not_shutting_down()?;
        let docker = client().await?;
        docker
            .create_network(NetworkCreateRequest {
                name: name.to_owned(),
                driver: Some("bridge".into()),
                labels: Some(labels()),
                ..Default::default()
            })
            .await?;
        let info = docker.inspect_network(name, None).await?;
        let subnet = info
            .ipam
            .and_then(|i| i.config)
            .and_then(|c| c.into_iter().find_map(|c| c.subnet));
        Ok(Self {
            name: name.to_owned(),
            subnet,
        })
    }

    /// The network name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestNetwork {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop may run inside or outside a runtime: use a thread with its own runtime.
        let removal = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let docker = client().await.ok()?;
                for _ in 0..50 {
                    if docker.remove_network(&name).await.is_ok() {
                        return Some(());
                    }
                    // Containers detach asynchronously after removal.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                None
            })
        });
        if removal.join().ok().flatten().is_none() {
            eprintln!(
                "msc4268: could not remove network {}; the next run's janitor will",
                self.name
            );
        }
    }
}
