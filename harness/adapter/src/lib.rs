//! # msc4268-adapter
//!
//! Runs an implementation written in any language as a child process that speaks the suite's
//! adapter protocol (after [Bowtie](https://github.com/bowtie-json-schema/bowtie)): one JSON object
//! per line on its standard input and output, versioned (`"version": 1`), specified by the JSON
//! Schemas in `protocol/` and documented in `docs/adapter-protocol.md`.
//!
//! ```text
//! harness → {"cmd": "start", "version": 1}
//! adapter ← {"version": 1, "implementation": {"name": ..., "categories": [...], ...}}
//! harness → {"cmd": "run", "seq": 1, "case": "...", "category": "file-decryption", "input": {...}}
//! adapter ← {"seq": 1, "outcome": {...}}   or {"seq": 1, "skipped": {"reason": ...}}
//!                                          or {"seq": 1, "errored": {"message": ..., "context": ...}}
//! harness → {"cmd": "stop"}
//! ```
//!
//! [`CommandImplementation`] implements the harness's [`Implementation`] trait by talking to such a
//! process, so everything the runner and reports do works unchanged. It survives a misbehaving
//! adapter: a crash, a hang (a per-case timeout, which also bounds how long the adapter may take
//! to read a request), or output that is not the protocol (a line that is not JSON or not UTF-8,
//! or longer than [`MAX_LINE`]) each make the case *errored* with the detail (exit status, the
//! last lines of standard error, the offending line), and the process is killed and started
//! afresh for the next case. The adapter runs in its own process group and the whole group is
//! killed, so an adapter started through `sh -c`, `npm start`, `uv run` or `cargo run` leaves
//! nothing behind. After [`AdapterOptions::max_consecutive_failures`] consecutive timeouts or
//! failed restarts the adapter is given up and the remaining cases are errored at once. Restarts,
//! protocol problems and how the adapter stopped come back as notes from
//! [`Implementation::finish`]. In strict mode every message in both directions is validated
//! against the schemas.

pub mod crypto_adapters;
pub mod process;
mod schema;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use msc4268_protocol::cases::*;
use msc4268_protocol::implementation::{
    Capability, Implementation, ImplementationInfo, Limits, OpError, OpResult,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use process::{MAX_LINE, STDERR_KEEP, StderrTail};
pub use schema::{REQUEST_SCHEMA, RESPONSE_SCHEMA, SchemaSet};

use process::{Process, ReadError, stderr_suffix};

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// How long a process that closed its output gets to exit on its own before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// How long the adapter gets to exit after `stop`.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// How many protocol problems and restarts the notes of [`Implementation::finish`] name one by
/// one (the rest are counted).
const NOTES_LISTED: usize = 20;

/// How to run an adapter.
#[derive(Debug, Clone)]
pub struct AdapterOptions {
    /// How long one case may take before the adapter is killed and the case reported errored.
    pub case_timeout: Duration,
    /// How long the adapter may take to answer `start`.
    pub start_timeout: Duration,
    /// Validate every message, in both directions, against the protocol's JSON Schemas.
    pub strict: bool,
    /// After this many consecutive timeouts or failed restarts (with no answered case in
    /// between) the adapter is given up: the remaining cases are errored without running. At
    /// least 1.
    pub max_consecutive_failures: u32,
}

impl Default for AdapterOptions {
    fn default() -> Self {
        Self {
            case_timeout: Duration::from_secs(10),
            start_timeout: Duration::from_secs(30),
            strict: false,
            max_consecutive_failures: 3,
        }
    }
}

/// Why an adapter could not be started.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// The command line is empty or cannot be split into words (unbalanced quotes).
    #[error("cannot split the adapter command line `{0}` into words (empty, or unbalanced quotes)")]
    CommandLine(String),
    /// The program could not be started.
    #[error("cannot start adapter `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The `start` exchange failed.
    #[error("adapter `{command}` did not start: {message}{}", stderr_suffix(.stderr))]
    Handshake {
        /// The command line.
        command: String,
        /// What went wrong.
        message: String,
        /// The last lines the adapter wrote to standard error.
        stderr: String,
    },
    /// The protocol schemas do not compile (a bug in this crate).
    #[error("protocol schemas: {0}")]
    Schema(String),
}

/// What an adapter says about itself in its `start` reply: the protocol crate's type, shared
/// with the Rust adapters that answer it.
pub use msc4268_protocol::adapter::Declaration;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartReply {
    version: u64,
    implementation: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunReply {
    seq: u64,
    #[serde(default)]
    outcome: Option<Value>,
    #[serde(default)]
    skipped: Option<Skipped>,
    #[serde(default)]
    errored: Option<Errored>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Skipped {
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Errored {
    message: String,
    #[serde(default)]
    context: Option<Value>,
}

struct Inner {
    process: Option<Process>,
    seq: u64,
    case_id: String,
    restarts: u32,
    /// The case ids each restart was made for.
    restarted_for: Vec<String>,
    problems: Vec<String>,
    /// Timeouts and failed restarts since the last answered case.
    consecutive_failures: u32,
    /// Why the adapter was given up, once it was.
    given_up: Option<String>,
    /// Cases errored without running because the adapter was given up.
    not_run: usize,
    /// `finish` ran (its notes are made once).
    finished: bool,
}

/// An implementation behind the adapter protocol: a child process started from a command line.
pub struct CommandImplementation {
    command: String,
    argv: Vec<String>,
    options: AdapterOptions,
    /// Compiled always: strict mode validates every message with them; otherwise they only
    /// explain a reply that does not deserialise.
    schemas: SchemaSet,
    declared: Declaration,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for CommandImplementation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandImplementation")
            .field("command", &self.command)
            .field("declared", &self.declared)
            .finish_non_exhaustive()
    }
}

impl CommandImplementation {
    /// Starts the adapter `command` (split into words like a POSIX shell does, but run without a
    /// shell) and performs the `start` exchange.
    pub fn start(command: &str, options: AdapterOptions) -> Result<Self, AdapterError> {
        let argv = shlex::split(command)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| AdapterError::CommandLine(command.to_owned()))?;
        let schemas = SchemaSet::compile().map_err(AdapterError::Schema)?;
        let (process, declared) = handshake(command, &argv, &options, &schemas)?;
        Ok(Self {
            command: command.to_owned(),
            argv,
            options,
            schemas,
            declared,
            inner: Mutex::new(Inner {
                process: Some(process),
                seq: 0,
                case_id: String::new(),
                restarts: 0,
                restarted_for: Vec::new(),
                problems: Vec::new(),
                consecutive_failures: 0,
                given_up: None,
                not_run: 0,
                finished: false,
            }),
        })
    }

    /// What the adapter declared in its `start` reply.
    pub fn declared(&self) -> &Declaration {
        &self.declared
    }

    /// The command line.
    pub fn command(&self) -> &str {
        &self.command
    }

    /// How often the adapter had to be restarted (after a crash, hang or garbage output).
    pub fn restarts(&self) -> u32 {
        self.lock().restarts
    }

    /// Every protocol problem seen so far (one line each), for the report.
    pub fn problems(&self) -> Vec<String> {
        self.lock().problems.clone()
    }

    /// Sends `stop` and waits for the process to exit (killing it after a grace period), then
    /// kills anything left in its process group. Returns a description of the problem if it did
    /// not exit cleanly.
    pub fn stop(&self) -> Option<String> {
        let process = self.lock().process.take();
        process.and_then(|p| p.stop(STOP_GRACE))
    }

    /// Why the adapter was given up (after too many consecutive timeouts or failed restarts), if
    /// it was.
    pub fn given_up(&self) -> Option<String> {
        self.lock().given_up.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (every field is written whole).
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends one `run` and returns the outcome JSON, after the checks of the protocol.
    fn call(&self, category: Category, input: Value) -> OpResult<Value> {
        if !self.declared.categories.contains(&category) {
            return Err(OpError::Unsupported(format!(
                "adapter `{}` does not declare the {category} category",
                self.declared.name
            )));
        }
        let mut inner = self.lock();
        if let Some(why) = &inner.given_up {
            let why = format!("not run: {why}");
            inner.not_run += 1;
            return Err(OpError::Errored(why));
        }
        if inner.process.is_none() {
            match handshake(&self.command, &self.argv, &self.options, &self.schemas) {
                Ok((p, declared)) if declared == self.declared => {
                    inner.process = Some(p);
                    inner.restarts += 1;
                    let case = inner.case_id.clone();
                    inner.restarted_for.push(case);
                }
                Ok((p, _)) => {
                    let _ = p.stop(Duration::from_secs(1));
                    let detail =
                        "the restarted adapter declared something else than at first start";
                    return Err(OpError::Errored(self.strike(&mut inner, detail.into())));
                }
                Err(e) => {
                    let detail = format!("cannot restart: {e}");
                    return Err(OpError::Errored(self.strike(&mut inner, detail)));
                }
            }
        }
        inner.seq += 1;
        let seq = inner.seq;
        let request = json!({
            "cmd": "run",
            "seq": seq,
            "case": inner.case_id,
            "category": category.as_str(),
            "input": input,
        });
        if self.options.strict
            && let Err(e) = self.schemas.check_request(&request)
        {
            return Err(OpError::Errored(format!(
                "strict mode: the harness's own request breaks the protocol schema (a harness bug): {e}"
            )));
        }
        let timeout = self.options.case_timeout;
        let deadline = Instant::now() + timeout;
        let Some(process) = inner.process.as_mut() else {
            return Err(OpError::Errored("adapter process missing".into()));
        };
        if let Err(e) = process.send(&request, timeout) {
            if e.is_timeout() {
                let detail = self.kill(
                    &mut inner,
                    &format!("{e}; the adapter was killed and will be restarted"),
                    Duration::ZERO,
                );
                return Err(OpError::TimedOut(self.strike(&mut inner, detail)));
            }
            let detail = self.kill(&mut inner, &e.to_string(), EXIT_GRACE);
            return Err(OpError::Errored(self.problem(&mut inner, detail)));
        }
        let line = match process.read_line(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => line,
            Err(ReadError::Timeout) => {
                let detail = self.kill(
                    &mut inner,
                    &format!(
                        "no reply within {:.1} s; the adapter was killed and will be restarted",
                        timeout.as_secs_f64()
                    ),
                    Duration::ZERO,
                );
                return Err(OpError::TimedOut(self.strike(&mut inner, detail)));
            }
            Err(e) => {
                let grace = if matches!(e, ReadError::Eof) {
                    EXIT_GRACE
                } else {
                    Duration::ZERO
                };
                let detail = self.kill(&mut inner, &e.to_string(), grace);
                return Err(OpError::Errored(self.problem(&mut inner, detail)));
            }
        };
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                let detail = self.kill(
                    &mut inner,
                    &format!(
                        "the adapter printed a line that is not JSON ({e}): {}; it was killed and will be restarted",
                        preview(&line)
                    ),
                    Duration::ZERO,
                );
                return Err(OpError::Errored(self.problem(&mut inner, detail)));
            }
        };
        // The adapter answered: the run of timeouts and failed restarts is over.
        inner.consecutive_failures = 0;
        if self.options.strict {
            let s = &self.schemas;
            if let Err(e) = s.check_run_reply(&value) {
                let detail = format!("strict mode: the reply breaks the protocol schema: {e}");
                return Err(OpError::Errored(self.problem(&mut inner, detail)));
            }
            if let Some(outcome) = value.get("outcome")
                && let Err(e) = s.check_outcome(category, outcome)
            {
                let detail =
                    format!("strict mode: the outcome breaks the {category} outcome schema: {e}");
                return Err(OpError::Errored(self.problem(&mut inner, detail)));
            }
        }
        let reply: RunReply = match typed(value) {
            Ok(r) => r,
            Err(e) => {
                let detail = format!("the reply is not a run reply: {e}");
                return Err(OpError::Errored(self.problem(&mut inner, detail)));
            }
        };
        if reply.seq != seq {
            let detail = self.kill(
                &mut inner,
                &format!(
                    "the reply carries seq {} but {seq} was asked; the adapter is out of step and was killed",
                    reply.seq
                ),
                Duration::ZERO,
            );
            return Err(OpError::Errored(self.problem(&mut inner, detail)));
        }
        match (reply.outcome, reply.skipped, reply.errored) {
            (Some(outcome), None, None) => Ok(outcome),
            (None, Some(s), None) => Err(OpError::Unsupported(format!(
                "adapter skipped it: {}",
                s.reason
            ))),
            (None, None, Some(e)) => Err(OpError::Errored(match e.context {
                Some(c) => format!("adapter errored: {}\n  context: {c}", e.message),
                None => format!("adapter errored: {}", e.message),
            })),
            _ => {
                let detail = "a run reply must carry exactly one of outcome, skipped, errored";
                Err(OpError::Errored(self.problem(&mut inner, detail.into())))
            }
        }
    }

    /// Records a problem and returns the message of the errored case.
    fn problem(&self, inner: &mut Inner, detail: String) -> String {
        inner
            .problems
            .push(format!("{}: {}", inner.case_id, first_line(&detail)));
        format!("adapter `{}`: {detail}", self.declared.name)
    }

    /// Records a timeout or failed restart (a problem that counts towards giving the adapter up),
    /// gives the adapter up if it was the last one allowed, and returns the message of the
    /// errored case.
    fn strike(&self, inner: &mut Inner, detail: String) -> String {
        inner.consecutive_failures += 1;
        let n = inner.consecutive_failures;
        let mut message = self.problem(inner, detail);
        if n >= self.options.max_consecutive_failures.max(1) {
            let why = format!(
                "adapter `{}` was given up after {n} consecutive timeouts or failed (re)starts \
                 (the last in case {}: {}); the remaining cases of this implementation are \
                 errored without running",
                self.declared.name,
                inner.case_id,
                first_line(&message)
            );
            message.push_str(&format!("\n  {why}"));
            inner.given_up = Some(why);
            // Nothing may run any more: end whatever is left of the process.
            if let Some(p) = inner.process.take() {
                let _ = p.kill(Duration::ZERO);
            }
        }
        message
    }

    /// Kills the process (if any) and describes how it ended, with its last stderr lines.
    fn kill(&self, inner: &mut Inner, what: &str, grace: Duration) -> String {
        match inner.process.take() {
            Some(p) => {
                let (status, stderr) = p.kill(grace);
                let mut s = format!("{what} ({status})");
                s.push_str(&stderr_suffix(&stderr));
                s
            }
            None => what.to_owned(),
        }
    }

    fn op<T: DeserializeOwned>(&self, category: Category, input: Value) -> OpResult<T> {
        let outcome = self.call(category, input)?;
        // Read from a borrow: the outcome (up to MAX_LINE bytes) is not copied.
        typed(&outcome).map_err(|e| {
            // serde loses the path inside tagged outcomes; the schema names it.
            let why = match self.schemas.check_outcome(category, &outcome) {
                Err(schema) => format!("{e}; schema: {schema}"),
                Ok(()) => e,
            };
            let mut inner = self.lock();
            OpError::Errored(self.problem(
                &mut inner,
                format!("the {category} outcome does not have the expected shape: {why}"),
            ))
        })
    }

    /// Stops the adapter and describes the run for the report: every restart, every protocol
    /// problem (the first [`NOTES_LISTED`] named, the rest counted), whether the adapter was
    /// given up, and how it stopped. Empty after the first call.
    pub fn notes(&self) -> Vec<String> {
        let mut inner = self.lock();
        if inner.finished {
            return Vec::new();
        }
        inner.finished = true;
        // `None`: no process was running to be stopped.
        let stopped = inner.process.take().map(|p| p.stop(STOP_GRACE));
        let name = &self.declared.name;
        let mut notes = Vec::new();
        if inner.restarts > 0 {
            notes.push(format!(
                "adapter `{name}` was restarted {} time(s), for the cases: {}",
                inner.restarts,
                listed(&inner.restarted_for)
            ));
        }
        let problems = &inner.problems;
        for p in problems.iter().take(NOTES_LISTED) {
            notes.push(format!("adapter `{name}` protocol problem in {p}"));
        }
        if problems.len() > NOTES_LISTED {
            notes.push(format!(
                "adapter `{name}`: {} more protocol problems (each in its case's detail)",
                problems.len() - NOTES_LISTED
            ));
        }
        if let Some(why) = &inner.given_up {
            notes.push(format!(
                "{why}: {} case(s) errored without running",
                inner.not_run
            ));
        }
        notes.push(match stopped {
            None if inner.given_up.is_some() => {
                format!("adapter `{name}`: no `stop` sent (it had been given up and killed)")
            }
            None => format!(
                "adapter `{name}`: no `stop` sent (it had been killed after the last case it ran)"
            ),
            Some(None) => format!("adapter `{name}`: `stop` answered by a clean exit"),
            Some(Some(problem)) => format!("adapter `{name}`: {}", problem.replace('\n', " ")),
        });
        notes
    }
}

/// Case ids, the first [`NOTES_LISTED`] named and the rest counted.
fn listed(ids: &[String]) -> String {
    let mut s = ids
        .iter()
        .take(NOTES_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > NOTES_LISTED {
        s.push_str(&format!(" and {} more", ids.len() - NOTES_LISTED));
    }
    s
}

impl Drop for CommandImplementation {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn preview(line: &str) -> String {
    const MAX: usize = 200;
    if line.len() <= MAX {
        format!("{line:?}")
    } else {
        let mut end = MAX;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        format!("{:?}… ({} bytes)", &line[..end], line.len())
    }
}

/// Deserialises with the JSON pointer of the first mismatch in the message.
fn typed<'de, T: Deserialize<'de>>(
    value: impl serde::Deserializer<'de, Error = serde_json::Error>,
) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        format!("at `{path}`: {}", e.inner())
    })
}

fn to_value<T: Serialize>(v: &T) -> OpResult<Value> {
    serde_json::to_value(v).map_err(|e| OpError::Errored(format!("cannot serialise input: {e}")))
}

/// Starts the process and performs the `start` exchange.
fn handshake(
    command: &str,
    argv: &[String],
    options: &AdapterOptions,
    schemas: &SchemaSet,
) -> Result<(Process, Declaration), AdapterError> {
    let mut process = Process::spawn(argv).map_err(|source| AdapterError::Spawn {
        command: command.to_owned(),
        source,
    })?;
    // A process that closed its output gets time to exit with its own status; one that is still
    // running (it hangs, or answered wrongly) is killed at once.
    let fail_after = |process: Process, message: String, grace: Duration| {
        let (status, stderr) = process.kill(grace);
        AdapterError::Handshake {
            command: command.to_owned(),
            message: format!("{message} ({status})"),
            stderr,
        }
    };
    let fail = |process: Process, message: String| fail_after(process, message, Duration::ZERO);
    let request = json!({"cmd": "start", "version": PROTOCOL_VERSION});
    let deadline = Instant::now() + options.start_timeout;
    if let Err(e) = process.send(&request, options.start_timeout) {
        let grace = if e.is_timeout() {
            Duration::ZERO
        } else {
            EXIT_GRACE
        };
        return Err(fail_after(process, format!("`start`: {e}"), grace));
    }
    let line = match process.read_line(deadline.saturating_duration_since(Instant::now())) {
        Ok(l) => l,
        Err(ReadError::Timeout) => {
            return Err(fail(
                process,
                format!(
                    "no start reply within {:.1} s",
                    options.start_timeout.as_secs_f64()
                ),
            ));
        }
        Err(e @ ReadError::Eof) => {
            return Err(fail_after(
                process,
                format!("no start reply: {e}"),
                EXIT_GRACE,
            ));
        }
        Err(e) => return Err(fail(process, format!("no start reply: {e}"))),
    };
    let value: Value = match serde_json::from_str(&line) {
        Ok(v) => v,
        Err(e) => {
            return Err(fail(
                process,
                format!("the start reply is not JSON ({e}): {}", preview(&line)),
            ));
        }
    };
    if options.strict
        && let Err(e) = schemas.check_start_reply(&value)
    {
        return Err(fail(
            process,
            format!("strict mode: the start reply breaks the protocol schema: {e}"),
        ));
    }
    let reply: StartReply = match typed(value) {
        Ok(r) => r,
        Err(e) => return Err(fail(process, format!("the start reply is malformed: {e}"))),
    };
    if reply.version != PROTOCOL_VERSION {
        return Err(fail(
            process,
            format!(
                "the adapter speaks protocol version {}, this harness speaks {PROTOCOL_VERSION}",
                reply.version
            ),
        ));
    }
    let declared: Declaration = match typed(reply.implementation) {
        Ok(d) => d,
        Err(e) => {
            return Err(fail(
                process,
                format!("the start reply's `implementation` is malformed: {e}"),
            ));
        }
    };
    Ok((process, declared))
}

impl Implementation for CommandImplementation {
    fn info(&self) -> ImplementationInfo {
        ImplementationInfo {
            name: self.declared.name.clone(),
            version: self.declared.version.clone(),
            language: self.declared.language.clone(),
            issues: self.declared.issues.clone(),
            identifiers: self.declared.identifiers.clone(),
        }
    }

    fn capabilities(&self) -> Vec<Capability> {
        self.declared.capabilities.clone()
    }

    fn limits(&self) -> Limits {
        self.declared.limits
    }

    fn begin_case(&self, case_id: &str) {
        self.lock().case_id = case_id.to_owned();
    }

    fn finish(&self) -> Vec<String> {
        self.notes()
    }

    fn parse_bundle(&self, input: &BundleParsingInput) -> OpResult<BundleParseOutcome> {
        self.op(Category::BundleParsing, to_value(input)?)
    }

    fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        self.op(Category::FileDecryption, to_value(input)?)
    }

    fn encrypt_file(&self, plaintext: &[u8]) -> OpResult<Encryption> {
        let input = json!({"plaintext": msc4268_model::b64::encode_padded(plaintext)});
        self.op(Category::FileEncryption, input)
    }

    fn check_to_device(&self, input: &ToDeviceInput) -> OpResult<ToDeviceOutcome> {
        self.op(Category::ToDeviceContent, to_value(input)?)
    }

    fn check_envelope(&self, input: &OlmEnvelopeInput) -> OpResult<EnvelopeOutcome> {
        self.op(Category::OlmEnvelope, to_value(input)?)
    }

    fn decide_import(&self, input: &ImportInput) -> OpResult<ImportOutcome> {
        self.op(Category::ImportDecision, to_value(input)?)
    }

    fn build_bundle(&self, input: &BuildInput) -> OpResult<Option<Value>> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Built {
            bundle: Option<Value>,
        }
        let built: Built = self.op(Category::BundleBuilding, to_value(input)?)?;
        Ok(built.bundle)
    }

    fn shared_history_flag(&self, input: &FlagInput) -> OpResult<FlagOutcome> {
        self.op(Category::SharedHistoryFlag, to_value(input)?)
    }
}
