//! The framing both stdio protocols share (the adapter protocol and the client-actor protocol):
//! one JSON object per line in each direction, blank lines ignored, a request that is not JSON
//! noted on standard error and skipped.

use std::io::{BufRead, Write};

use serde::Serialize;
use serde_json::Value;

/// Why serving stopped before a `stop` or the end of input.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Reading a request or writing a reply failed.
    #[error("protocol I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A reply could not be serialised (a bug in the implementation's outcome types).
    #[error("cannot serialise a reply: {0}")]
    Json(#[from] serde_json::Error),
}

/// The requests on `input` as JSON values; `who` ("adapter", "actor") prefixes the note about a
/// line that is not JSON.
pub(crate) fn requests(
    input: impl BufRead,
    who: &'static str,
) -> impl Iterator<Item = std::io::Result<Value>> {
    input.lines().filter_map(move |line| match line {
        Err(e) => Some(Err(e)),
        Ok(line) if line.trim().is_empty() => None,
        Ok(line) => match serde_json::from_str(&line) {
            Ok(v) => Some(Ok(v)),
            Err(e) => {
                eprintln!("{who}: ignoring a request that is not JSON ({e})");
                None
            }
        },
    })
}

/// Writes `reply` as one line and flushes it.
pub(crate) fn write_reply(
    output: &mut impl Write,
    reply: &impl Serialize,
) -> Result<(), ServeError> {
    let mut text = serde_json::to_string(reply)?;
    text.push('\n');
    output.write_all(text.as_bytes())?;
    output.flush()?;
    Ok(())
}
