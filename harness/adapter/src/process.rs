//! The adapter's child process: started in its own process group, written to by a writer thread
//! (so a write that blocks has a deadline), read line by line with a length limit and a deadline,
//! with a bounded tail of standard error; killing takes the whole group and reaps the child.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Longest reply line accepted, in bytes. The largest reply of the reference over the corpus is
/// 5,834 bytes (`file-encryption/encrypt/many-blocks`, a ciphertext as base64; measured by
/// `suite/tests/adapter.rs`); 4 MiB leaves room for outcomes hundreds of times larger and bounds
/// what one line costs.
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// How many bytes of the end of standard error are kept for error messages.
pub const STDERR_KEEP: usize = 8 * 1024;

/// Longest single standard error line kept (longer ones are cut, saying how much was cut).
const STDERR_LINE: usize = 2 * 1024;

/// The last bytes an adapter wrote to standard error, as whole lines (at most [`STDERR_KEEP`]
/// bytes; a longer line is cut), and how much it wrote in all.
#[derive(Debug, Clone, Default)]
pub struct StderrTail(Arc<Mutex<StderrState>>);

#[derive(Debug, Default)]
struct StderrState {
    lines: VecDeque<String>,
    kept: usize,
    total: u64,
    omitted: bool,
}

impl StderrTail {
    /// Keeps `line`, made of `read` bytes of standard error (`cut` if part of it was left out).
    fn push(&self, line: String, read: usize, cut: bool) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        s.total += read as u64;
        s.omitted |= cut;
        s.kept += line.len();
        s.lines.push_back(line);
        while s.kept > STDERR_KEEP {
            match s.lines.pop_front() {
                Some(old) => {
                    s.kept -= old.len();
                    s.omitted = true;
                }
                None => break,
            }
        }
    }

    /// Counts `read` bytes that are not kept.
    fn skip(&self, read: usize) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        s.total += read as u64;
        s.omitted = true;
    }

    /// The kept lines, joined, preceded by a line saying how much the adapter wrote in all if
    /// some of it was left out.
    pub fn text(&self) -> String {
        let s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let kept = s.lines.iter().cloned().collect::<Vec<_>>().join("\n");
        if s.omitted {
            format!(
                "[{} bytes of standard error in all; the last {} bytes:]\n{kept}",
                s.total, s.kept
            )
        } else {
            kept
        }
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
    /// Reading failed, the line was too long or not UTF-8.
    #[error("{0}")]
    Io(String),
}

/// Why a message could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The adapter did not read the whole message within the deadline.
    #[error("the adapter did not read the whole request ({bytes} bytes) within {seconds:.1} s")]
    Timeout {
        /// Size of the message.
        bytes: usize,
        /// The deadline.
        seconds: f64,
    },
    /// Writing failed (the adapter closed its standard input, or exited).
    #[error("cannot write the request: {0}")]
    Io(String),
}

impl WriteError {
    /// Whether the write ran out of time (rather than failing).
    pub fn is_timeout(&self) -> bool {
        matches!(self, WriteError::Timeout { .. })
    }
}

enum Event {
    Line(String),
    Eof,
    Error(String),
}

/// The writer thread: messages go in through `messages`, the result of each write comes back
/// through `written`. Dropping `messages` closes the adapter's standard input.
struct Writer {
    messages: Option<SyncSender<Vec<u8>>>,
    written: Receiver<std::io::Result<()>>,
}

impl Writer {
    fn spawn(mut stdin: ChildStdin) -> std::io::Result<Self> {
        let (tx, rx) = sync_channel::<Vec<u8>>(1);
        let (done_tx, done_rx) = sync_channel(1);
        std::thread::Builder::new()
            .name("adapter-stdin".into())
            .spawn(move || {
                for message in rx {
                    let r = stdin.write_all(&message).and_then(|()| stdin.flush());
                    let failed = r.is_err();
                    if done_tx.send(r).is_err() || failed {
                        return;
                    }
                }
                // The harness dropped its sender: `stdin` is dropped here, closing the pipe.
            })?;
        Ok(Self {
            messages: Some(tx),
            written: done_rx,
        })
    }

    fn write(&self, message: Vec<u8>, timeout: Duration) -> Result<(), WriteError> {
        let bytes = message.len();
        let tx = self
            .messages
            .as_ref()
            .ok_or_else(|| WriteError::Io("standard input already closed".into()))?;
        // The channel is empty: every earlier write was waited for (or the process was killed
        // and this writer dropped), so this does not block.
        tx.try_send(message)
            .map_err(|_| WriteError::Io("the adapter's standard input is closed".into()))?;
        match self.written.recv_timeout(timeout) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(WriteError::Io(e.to_string())),
            Err(RecvTimeoutError::Disconnected) => Err(WriteError::Io(
                "the adapter's standard input is closed".into(),
            )),
            Err(RecvTimeoutError::Timeout) => Err(WriteError::Timeout {
                bytes,
                seconds: timeout.as_secs_f64(),
            }),
        }
    }

    fn close(&mut self) {
        drop(self.messages.take());
    }
}

/// A running adapter. Dropping it without [`Process::kill`] or [`Process::stop`] kills its
/// process group too.
pub struct Process {
    child: Child,
    writer: Writer,
    lines: Receiver<Event>,
    stderr: StderrTail,
    stderr_done: Receiver<()>,
    /// The child was reaped (by `kill` or `stop`): nothing is left to end on drop.
    reaped: bool,
}

impl Drop for Process {
    fn drop(&mut self) {
        if !self.reaped {
            self.writer.close();
            kill_group(&mut self.child);
            let _ = self.child.wait();
        }
    }
}

impl Process {
    /// Starts `argv` with piped standard streams, as the leader of a new process group (so that
    /// everything it starts can be killed with it).
    pub fn spawn(argv: &[String]) -> std::io::Result<Self> {
        Self::spawn_in(argv, None)
    }

    /// Like [`Process::spawn`], in the working directory `dir` (this process's own if `None`).
    pub fn spawn_in(argv: &[String], dir: Option<&std::path::Path>) -> std::io::Result<Self> {
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| std::io::Error::other("empty command line"))?;
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn()?;
        let pipes = (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let (Some(stdin), Some(stdout), Some(stderr)) = pipes else {
            kill_group(&mut child);
            let _ = child.wait();
            return Err(std::io::Error::other("a standard stream was not piped"));
        };
        match Self::attach(child, stdin, stdout, stderr) {
            Ok(p) => Ok(p),
            Err((mut child, e)) => {
                kill_group(&mut child);
                let _ = child.wait();
                Err(e)
            }
        }
    }

    fn attach(
        child: Child,
        stdin: ChildStdin,
        stdout: std::process::ChildStdout,
        stderr: std::process::ChildStderr,
    ) -> Result<Self, (Child, std::io::Error)> {
        let writer = match Writer::spawn(stdin) {
            Ok(w) => w,
            Err(e) => return Err((child, e)),
        };
        // At most one reply waits in the channel (plus the line being read): a reply is at most
        // MAX_LINE bytes, so the reader holds at most two of them.
        let (tx, rx) = sync_channel(1);
        if let Err(e) = std::thread::Builder::new()
            .name("adapter-stdout".into())
            .spawn(move || read_lines(stdout, &tx))
        {
            return Err((child, e));
        }
        let tail = StderrTail::default();
        let t = tail.clone();
        let (done_tx, done_rx) = sync_channel(1);
        if let Err(e) = std::thread::Builder::new()
            .name("adapter-stderr".into())
            .spawn(move || {
                let _done = DoneOnDrop(done_tx);
                read_stderr(stderr, &t);
            })
        {
            return Err((child, e));
        }
        Ok(Self {
            child,
            writer,
            lines: rx,
            stderr: tail,
            stderr_done: done_rx,
            reaped: false,
        })
    }

    /// The process id, which is also its process group's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The process's standard error as kept so far (a shared handle: it keeps filling while the
    /// process runs, and can be read after the process is gone).
    pub fn stderr_tail(&self) -> StderrTail {
        self.stderr.clone()
    }

    /// Writes one message as a line, waiting at most `timeout` for the adapter to read it.
    pub fn send(&mut self, message: &Value, timeout: Duration) -> Result<(), WriteError> {
        let mut line = serde_json::to_vec(message).map_err(|e| WriteError::Io(e.to_string()))?;
        line.push(b'\n');
        self.writer.write(line, timeout)
    }

    /// Reads the next line, waiting at most `timeout`.
    pub fn read_line(&mut self, timeout: Duration) -> Result<String, ReadError> {
        match self.lines.recv_timeout(timeout) {
            Ok(Event::Line(l)) => Ok(l),
            Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => Err(ReadError::Eof),
            Ok(Event::Error(e)) => Err(ReadError::Io(e)),
            Err(RecvTimeoutError::Timeout) => Err(ReadError::Timeout),
        }
    }

    /// Ends the process group and returns how the adapter ended and its last stderr lines. A
    /// process that is exiting on its own (it closed stdout) gets `grace` to do so before it is
    /// killed, so that its exit status and last words are reported rather than the kill.
    /// Anything the adapter started is killed either way.
    pub fn kill(mut self, grace: Duration) -> (String, String) {
        self.writer.close();
        let status = match self.wait_for_exit(grace) {
            Some(()) => {
                kill_group(&mut self.child);
                self.reaped = true;
                match self.child.wait() {
                    Ok(s) => describe(s),
                    Err(e) => format!("could not be reaped: {e}"),
                }
            }
            None => {
                kill_group(&mut self.child);
                self.reaped = true;
                match self.child.wait() {
                    Ok(_) => "killed by the harness".to_owned(),
                    Err(e) => format!("could not be reaped: {e}"),
                }
            }
        };
        // The stderr reader finishes once the process group closed stderr.
        let _ = self.stderr_done.recv_timeout(Duration::from_millis(500));
        (status, self.stderr.text())
    }

    /// Sends `stop`, closes stdin and waits up to `grace` for a clean exit; kills it otherwise.
    /// Anything the adapter started and left running is killed with its process group. Returns
    /// a description of anything other than a clean exit.
    pub fn stop(mut self, grace: Duration) -> Option<String> {
        let sent = self.send(&serde_json::json!({"cmd": "stop"}), grace);
        self.writer.close();
        let exited = self.wait_for_exit(grace);
        kill_group(&mut self.child);
        self.reaped = true;
        let status = self.child.wait();
        let _ = self.stderr_done.recv_timeout(Duration::from_millis(200));
        let stderr = stderr_suffix(&self.stderr.text());
        match (exited, status, sent) {
            (Some(()), Ok(s), _) if s.success() => None,
            (Some(()), Ok(s), _) => {
                Some(format!("the adapter {} after `stop`{stderr}", describe(s)))
            }
            (None, _, Err(e)) => Some(format!(
                "`stop` could not be sent ({e}); the adapter was killed{stderr}"
            )),
            (None, _, Ok(())) => Some(format!(
                "the adapter did not exit within {:.1} s of `stop` and was killed{stderr}",
                grace.as_secs_f64()
            )),
            (Some(()), Err(e), _) => Some(format!("cannot reap the adapter: {e}")),
        }
    }

    /// Waits up to `grace` for the adapter to exit, without reaping it (so that its process
    /// group id cannot be reused before the group is killed). `Some` if it exited.
    fn wait_for_exit(&mut self, grace: Duration) -> Option<()> {
        let deadline = Instant::now() + grace;
        loop {
            match has_exited(&mut self.child) {
                Ok(true) => return Some(()),
                Ok(false) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Ok(false) | Err(_) => return None,
            }
        }
    }
}

/// Whether the child has exited, leaving it waitable.
#[cfg(unix)]
fn has_exited(child: &mut Child) -> std::io::Result<bool> {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let pid = Pid::from_child(child);
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    Ok(waitid(WaitId::Pid(pid), options)?.is_some())
}

/// Whether the child has exited (reaping it: without process groups there is no id to reuse).
#[cfg(not(unix))]
fn has_exited(child: &mut Child) -> std::io::Result<bool> {
    Ok(child.try_wait()?.is_some())
}

/// Kills the child's whole process group (the child is its leader and not reaped yet, so the id
/// still names this group).
#[cfg(unix)]
fn kill_group(child: &mut Child) {
    use rustix::process::{Pid, Signal, kill_process_group};
    // ESRCH (the group is gone) is the only expected error; nothing else can be done anyway.
    let _ = kill_process_group(Pid::from_child(child), Signal::KILL);
    let _ = child.kill();
}

/// Kills the child (no process groups on this platform).
#[cfg(not(unix))]
fn kill_group(child: &mut Child) {
    let _ = child.kill();
}

/// Signals the end of the stderr reader however it ends.
struct DoneOnDrop(SyncSender<()>);

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

/// `stderr` as a suffix of an error message (empty if there is none).
pub fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        let indented = stderr
            .lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        format!("\n  adapter stderr (last lines):\n{indented}")
    }
}

/// Drains standard error to its end, keeping the tail; a line longer than [`STDERR_LINE`] is
/// cut, and the rest of it skipped without being stored.
fn read_stderr(stderr: impl Read, tail: &StderrTail) {
    let mut r = BufReader::new(stderr);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match r
            .by_ref()
            .take(STDERR_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let complete = buf.last() == Some(&b'\n');
                let mut line = String::from_utf8_lossy(&buf).trim_end().to_owned();
                let cut = !complete && n > STDERR_LINE;
                if cut {
                    // Skip the rest of the line, counting it.
                    let mut skipped = 0usize;
                    loop {
                        let chunk = match r.fill_buf() {
                            Ok([]) | Err(_) => break,
                            Ok(c) => c,
                        };
                        let (used, end) = match chunk.iter().position(|b| *b == b'\n') {
                            Some(i) => (i + 1, true),
                            None => (chunk.len(), false),
                        };
                        r.consume(used);
                        skipped += used;
                        tail.skip(used);
                        if end {
                            break;
                        }
                    }
                    let mut end = STDERR_LINE.min(line.len());
                    while !line.is_char_boundary(end) {
                        end -= 1;
                    }
                    line.truncate(end);
                    line.push_str(&format!("… ({} more bytes)", skipped + n - end));
                }
                tail.push(line, n, cut);
            }
        }
    }
}

fn read_lines(stdout: impl Read, tx: &SyncSender<Event>) {
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
                    "the adapter printed a line longer than {MAX_LINE} bytes (the limit of one reply)"
                )));
                // Stop reading: the adapter blocks on a full pipe until it is killed.
                return;
            }
            Ok(_) => {
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                let event = match String::from_utf8(std::mem::take(&mut buf)) {
                    Ok(s) => Event::Line(s),
                    Err(e) => Event::Error(format!(
                        "the adapter printed a line that is not UTF-8 ({})",
                        e.utf8_error()
                    )),
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
