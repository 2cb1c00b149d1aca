//! The adapter's child process: line framing on stdout with a deadline, a bounded tail of stderr,
//! and killing and reaping.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Longest reply line accepted (an outcome may carry a whole plaintext as base64).
pub const MAX_LINE: usize = 64 * 1024 * 1024;
/// How many lines of standard error are kept for error messages.
const STDERR_LINES: usize = 20;

/// The last lines an adapter wrote to standard error.
#[derive(Debug, Clone, Default)]
pub struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    fn push(&self, line: String) {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() == STDERR_LINES {
            q.pop_front();
        }
        q.push_back(line);
    }

    /// The kept lines, joined.
    pub fn text(&self) -> String {
        let q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// Why no line was read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Nothing within the deadline.
    #[error("timed out")]
    Timeout,
    /// The adapter closed its standard output (it exited or crashed).
    #[error("the adapter closed its standard output (it exited or crashed)")]
    Eof,
    /// Reading failed, or a line was too long.
    #[error("{0}")]
    Io(String),
}

enum Event {
    Line(String),
    Eof,
    Error(String),
}

/// A running adapter.
pub struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Event>,
    stderr: StderrTail,
    stderr_done: Receiver<()>,
}

impl Process {
    /// Starts `argv` with piped standard streams.
    pub fn spawn(argv: &[String]) -> std::io::Result<Self> {
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| std::io::Error::other("empty command line"))?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout pipe"))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| std::io::Error::other("no stderr pipe"))?;
        // A small bound: the reader stays at most a few lines ahead of the harness.
        let (tx, rx) = sync_channel(4);
        std::thread::Builder::new()
            .name("adapter-stdout".into())
            .spawn(move || read_lines(stdout, &tx))?;
        let tail = StderrTail::default();
        let t = tail.clone();
        let (done_tx, done_rx) = sync_channel(1);
        std::thread::Builder::new()
            .name("adapter-stderr".into())
            .spawn(move || {
                let _done = DoneOnDrop(done_tx);
                let mut r = BufReader::new(stderr);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match r.by_ref().take(64 * 1024).read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => t.push(String::from_utf8_lossy(&buf).trim_end().to_owned()),
                    }
                }
            })?;
        Ok(Self {
            child,
            stdin,
            lines: rx,
            stderr: tail,
            stderr_done: done_rx,
        })
    }

    /// Writes one message as a line.
    pub fn send(&mut self, message: &Value) -> std::io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| std::io::Error::other("stdin already closed"))?;
        let mut line = serde_json::to_vec(message).map_err(std::io::Error::other)?;
        line.push(b'\n');
        stdin.write_all(&line)?;
        stdin.flush()
    }

    /// Reads the next line, waiting at most `timeout`.
    pub fn read_line(&mut self, timeout: Duration) -> Result<String, ReadError> {
        let deadline = Instant::now() + timeout;
        let remaining = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(remaining) {
            Ok(Event::Line(l)) => Ok(l),
            Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => Err(ReadError::Eof),
            Ok(Event::Error(e)) => Err(ReadError::Io(e)),
            Err(RecvTimeoutError::Timeout) => Err(ReadError::Timeout),
        }
    }

    /// Ends the process and returns how it ended and its last stderr lines. A process that is
    /// exiting on its own (it closed stdout) gets `grace` to do so before it is killed, so that
    /// its exit status and last words are reported rather than the kill.
    pub fn kill(mut self, grace: Duration) -> (String, String) {
        let deadline = Instant::now() + grace;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break describe(s),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    let _ = self.child.kill();
                    break match self.child.wait() {
                        Ok(_) => "killed by the harness".to_owned(),
                        Err(e) => format!("could not be reaped: {e}"),
                    };
                }
            }
        };
        // The stderr reader finishes once the process (and anything it started) closed stderr.
        let _ = self.stderr_done.recv_timeout(Duration::from_millis(500));
        (status, self.stderr.text())
    }

    /// Sends `stop`, closes stdin and waits up to `grace` for a clean exit; kills it otherwise.
    /// Returns a description of anything other than a clean exit.
    pub fn stop(mut self, grace: Duration) -> Option<String> {
        let _ = self.send(&serde_json::json!({"cmd": "stop"}));
        drop(self.stdin.take());
        let deadline = Instant::now() + grace;
        loop {
            match self.child.try_wait() {
                Ok(Some(s)) if s.success() => return None,
                Ok(Some(s)) => {
                    return Some(format!("the adapter {} after `stop`", describe(s)));
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return Some(format!(
                        "the adapter did not exit within {:.1} s of `stop` and was killed",
                        grace.as_secs_f64()
                    ));
                }
                Err(e) => return Some(format!("cannot wait for the adapter: {e}")),
            }
        }
    }
}

/// Signals the end of the stderr reader however it ends.
struct DoneOnDrop(std::sync::mpsc::SyncSender<()>);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        let _ = self.0.try_send(());
    }
}

fn describe(s: ExitStatus) -> String {
    match s.code() {
        Some(c) => format!("exited with status {c}"),
        None => format!("was terminated by a signal ({s})"),
    }
}

fn read_lines(stdout: impl Read, tx: &std::sync::mpsc::SyncSender<Event>) {
    let mut r = BufReader::new(stdout);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let limit = (MAX_LINE + 1) as u64;
        match r.by_ref().take(limit).read_until(b'\n', &mut buf) {
            Ok(0) => {
                let _ = tx.send(Event::Eof);
                return;
            }
            Ok(_) if buf.last() != Some(&b'\n') && buf.len() > MAX_LINE => {
                let _ = tx.send(Event::Error(format!(
                    "the adapter printed a line longer than {MAX_LINE} bytes"
                )));
                return;
            }
            Ok(_) => {
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                let event = match String::from_utf8(std::mem::take(&mut buf)) {
                    Ok(s) => Event::Line(s),
                    Err(e) => {
                        Event::Error(format!("the adapter printed a line that is not UTF-8: {e}"))
                    }
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(Event::Error(format!(
                    "cannot read the adapter's output: {e}"
                )));
                return;
            }
        }
    }
}
