//! The adapter program speaks the adapter protocol: `start`, a `run` of two categories, `stop`,
//! and exits 0. (The whole corpus through the program is `suite/tests/matrix_sdk_crypto.rs`,
//! which finds the binary this test makes cargo build.)

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

#[test]
fn start_run_stop() {
    let exe = env!("CARGO_BIN_EXE_msc4268-adapter-matrix-sdk-crypto-0-18");
    let mut child = Command::new(exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ask = |request: Value| -> Value {
        writeln!(stdin, "{request}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    };
    let start = ask(json!({"cmd": "start", "version": 1}));
    assert_eq!(start["version"], 1);
    assert_eq!(start["implementation"]["name"], "matrix-sdk-crypto");
    assert_eq!(
        start["implementation"]["version"],
        msc4268_adapter_matrix_sdk_crypto::CRATE_VERSION
    );
    assert_eq!(
        start["implementation"]["categories"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    // "hello" in padded base64; the crate's AttachmentEncryptor answers.
    let enc = ask(json!({"cmd": "run", "seq": 1, "case": "smoke/encrypt",
        "category": "file-encryption", "input": {"plaintext": "aGVsbG8="}}));
    assert_eq!(enc["seq"], 1);
    assert_eq!(enc["outcome"]["file"]["v"], "v2", "{enc}");
    assert_eq!(
        enc["outcome"]["file"]["url"],
        "mxc://conformance.invalid/bundle"
    );
    let parsed = ask(json!({"cmd": "run", "seq": 2, "case": "smoke/parse",
        "category": "bundle-parsing", "input": {"plaintext": {"room_keys": [], "withheld": []}}}));
    assert_eq!(parsed["seq"], 2);
    assert_eq!(parsed["outcome"]["outcome"], "parsed", "{parsed}");
    writeln!(stdin, "{}", json!({"cmd": "stop"})).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
