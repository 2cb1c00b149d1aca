//! The adapter side of the suite's adapter protocol (`docs/adapter-protocol.md`): [`serve`] runs a
//! Rust [`Implementation`] as an adapter process, reading requests from standard input and
//! writing replies to standard output, one JSON object per line.
//!
//! ```text
//! harness → {"cmd": "start", "version": 1}
//! adapter ← {"version": 1, "implementation": {"name": ..., "categories": [...], ...}}
//! harness → {"cmd": "run", "seq": 1, "case": "...", "category": "file-decryption", "input": {...}}
//! adapter ← {"seq": 1, "outcome": {...}}   or {"seq": 1, "skipped": {"reason": ...}}
//!                                          or {"seq": 1, "errored": {"message": ...}}
//! harness → {"cmd": "stop"}
//! ```
//!
//! A Rust SDK that wants to be checked as a process (rather than from its own `cargo test`)
//! implements [`Implementation`] and calls [`serve`] from `main`; nothing else of the suite is
//! needed. The host side (the harness starting such a process) is the `msc4268-adapter` crate.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cases::*;
use crate::identifiers::IdentifierVariant;
use crate::implementation::{
    Capability, Implementation, ImplementationInfo, Limits, OpError, OpResult,
};

/// The protocol version this module speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// What an adapter declares in its `start` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// Short name (`^[a-z0-9][a-z0-9._-]*$`): reports, `expected-failures/<name>.json`.
    pub name: String,
    /// Version of the implementation under test (not of the adapter).
    pub version: String,
    /// Programming language.
    pub language: String,
    /// Where to report bugs in the implementation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<String>,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// The categories it runs; the harness sends no case of another category.
    pub categories: Vec<Category>,
    /// The identifier variants it understands.
    pub identifiers: Vec<IdentifierVariant>,
    /// The optional parts of the protocol it reads (absent: none); unknown names are kept as
    /// [`Capability::Unknown`] and ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<Capability>,
    /// The limits it declares (absent: none).
    #[serde(default, skip_serializing_if = "Limits::is_empty")]
    pub limits: Limits,
}

impl Declaration {
    /// The declaration of an implementation that runs `categories`.
    pub fn new(info: ImplementationInfo, categories: &[Category]) -> Self {
        Self {
            name: info.name,
            version: info.version,
            language: info.language,
            issues: info.issues,
            homepage: None,
            categories: categories.to_vec(),
            identifiers: info.identifiers,
            capabilities: Vec::new(),
            limits: Limits::default(),
        }
    }

    /// The declaration of `imp` running `categories`, with the capabilities it declares.
    pub fn of(imp: &dyn Implementation, categories: &[Category]) -> Self {
        Self {
            capabilities: imp.capabilities(),
            limits: imp.limits(),
            ..Self::new(imp.info(), categories)
        }
    }
}

/// A request from the harness.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
enum Request {
    Start {
        version: u64,
    },
    Run {
        seq: u64,
        #[serde(default)]
        case: String,
        category: Category,
        input: Value,
    },
    Stop,
}

pub use crate::lines::ServeError;

/// Serves `imp` over the adapter protocol until `stop` or the end of `input`.
///
/// Requests that cannot be read (not JSON, unknown `cmd`, a `run` without the members it needs)
/// are answered with `errored` when they carry a `seq`, and otherwise noted on standard error;
/// a `run` of a category not in `declaration.categories` is answered `skipped`.
pub fn serve(
    imp: &dyn Implementation,
    declaration: &Declaration,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<(), ServeError> {
    for value in crate::lines::requests(input, "adapter") {
        let value = value?;
        let seq = value.get("seq").and_then(Value::as_u64);
        let reply = match serde_json::from_value::<Request>(value) {
            Ok(Request::Start { version }) => {
                if version != PROTOCOL_VERSION {
                    eprintln!(
                        "adapter: the harness speaks protocol version {version}, this adapter {PROTOCOL_VERSION}"
                    );
                }
                json!({"version": PROTOCOL_VERSION, "implementation": declaration})
            }
            Ok(Request::Stop) => return Ok(()),
            Ok(Request::Run {
                seq,
                case,
                category,
                input,
            }) => {
                let result = if declaration.categories.contains(&category) {
                    imp.begin_case(&case);
                    run(imp, category, input)
                } else {
                    Err(OpError::Unsupported(format!(
                        "this adapter does not declare the {category} category"
                    )))
                };
                run_reply(seq, result)
            }
            Err(e) => match seq {
                Some(seq) => run_reply(
                    seq,
                    Err(OpError::Errored(format!("malformed request: {e}"))),
                ),
                None => {
                    eprintln!("adapter: ignoring a malformed request without seq ({e})");
                    continue;
                }
            },
        };
        crate::lines::write_reply(&mut output, &reply)?;
    }
    Ok(())
}

/// The reply to `run` number `seq`.
fn run_reply(seq: u64, result: OpResult<Value>) -> Value {
    match result {
        Ok(outcome) => json!({"seq": seq, "outcome": outcome}),
        Err(OpError::Unsupported(reason)) => json!({"seq": seq, "skipped": {"reason": reason}}),
        Err(OpError::Errored(message)) => json!({"seq": seq, "errored": {"message": message}}),
        // The protocol has no timeout reply (the host times a case out itself): an operation
        // that gave up on time inside the implementation is an error of that case.
        Err(OpError::TimedOut(detail)) => {
            json!({"seq": seq, "errored": {"message": format!("timed out: {detail}")}})
        }
    }
}

/// The input of a `category` case, typed.
fn typed<T: serde::de::DeserializeOwned>(category: Category, input: Value) -> OpResult<T> {
    serde_json::from_value(input).map_err(|e| {
        OpError::Errored(format!(
            "the {category} input does not have the protocol's shape: {e}"
        ))
    })
}

/// An outcome as JSON.
fn outcome<T: Serialize>(r: OpResult<T>) -> OpResult<Value> {
    r.and_then(|o| {
        serde_json::to_value(o)
            .map_err(|e| OpError::Errored(format!("cannot serialise the outcome: {e}")))
    })
}

/// Runs one operation: the input and outcome of each category as `docs/adapter-protocol.md`
/// gives them.
fn run(imp: &dyn Implementation, category: Category, input: Value) -> OpResult<Value> {
    match category {
        Category::BundleParsing => outcome(imp.parse_bundle(&typed(category, input)?)),
        Category::FileDecryption => outcome(imp.decrypt_file(&typed(category, input)?)),
        Category::FileEncryption => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Plaintext {
                plaintext: String,
            }
            let p: Plaintext = typed(category, input)?;
            let bytes = carrier_bytes(&p.plaintext).map_err(OpError::Errored)?;
            outcome(imp.encrypt_file(&bytes))
        }
        Category::ToDeviceContent => outcome(imp.check_to_device(&typed(category, input)?)),
        Category::OlmEnvelope => outcome(imp.check_envelope(&typed(category, input)?)),
        Category::ImportDecision => outcome(imp.decide_import(&typed(category, input)?)),
        Category::BundleBuilding => imp
            .build_bundle(&typed(category, input)?)
            .map(|bundle| json!({"bundle": bundle})),
        Category::SharedHistoryFlag => outcome(imp.shared_history_flag(&typed(category, input)?)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

    use super::*;

    /// Decrypts nothing, rejects every bundle; declares two categories.
    struct Toy;

    impl Implementation for Toy {
        fn info(&self) -> ImplementationInfo {
            ImplementationInfo {
                name: "toy".into(),
                version: "1".into(),
                language: "rust".into(),
                issues: None,
                identifiers: vec![IdentifierVariant::Stable],
            }
        }

        fn parse_bundle(&self, input: &BundleParsingInput) -> OpResult<BundleParseOutcome> {
            input.bytes().map_err(OpError::Errored)?;
            Ok(BundleParseOutcome::Rejected(Rejection {
                rule: None,
                path: None,
                reason: "toy".into(),
            }))
        }
    }

    fn exchange(requests: &[Value]) -> Vec<Value> {
        let toy = Toy;
        let declaration = Declaration::new(
            toy.info(),
            &[Category::BundleParsing, Category::FileDecryption],
        );
        let input: String = requests.iter().map(|r| format!("{r}\n")).collect();
        let mut out = Vec::new();
        serve(&toy, &declaration, input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn start_run_stop() {
        let replies = exchange(&[
            json!({"cmd": "start", "version": 1}),
            json!({"cmd": "run", "seq": 1, "case": "a/b/c", "category": "bundle-parsing", "input": {"plaintext": {}}}),
            json!({"cmd": "run", "seq": 2, "case": "a/b/d", "category": "file-decryption", "input": {"file": {}, "ciphertext": ""}}),
            json!({"cmd": "run", "seq": 3, "case": "a/b/e", "category": "olm-envelope", "input": {}}),
            json!({"cmd": "run", "seq": 4, "case": "a/b/f", "category": "bundle-parsing", "input": {"nonsense": 1}}),
            json!({"cmd": "stop"}),
            json!({"cmd": "run", "seq": 5, "case": "after stop", "category": "bundle-parsing", "input": {}}),
        ]);
        assert_eq!(replies.len(), 5, "{replies:?}");
        assert_eq!(replies[0]["version"], 1);
        assert_eq!(replies[0]["implementation"]["name"], "toy");
        assert_eq!(
            replies[0]["implementation"]["categories"],
            json!(["bundle-parsing", "file-decryption"])
        );
        assert_eq!(replies[1]["seq"], 1);
        assert_eq!(replies[1]["outcome"]["outcome"], "rejected");
        // Declared, but the implementation does not offer it: skipped with the trait's reason.
        assert_eq!(replies[2]["seq"], 2);
        assert!(replies[2]["skipped"]["reason"].is_string());
        // Not declared: skipped.
        assert!(
            replies[3]["skipped"]["reason"]
                .as_str()
                .unwrap()
                .contains("does not declare")
        );
        // An input of the wrong shape is an error of the run, with the reason.
        assert!(
            replies[4]["errored"]["message"]
                .as_str()
                .unwrap()
                .contains("bundle-parsing input")
        );
    }

    #[test]
    fn malformed_requests_with_seq_are_errored() {
        let replies = exchange(&[
            json!({"cmd": "run", "seq": 9, "category": "no-such-category", "input": {}}),
            json!({"cmd": "dance"}),
        ]);
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert_eq!(replies[0]["seq"], 9);
        assert!(replies[0]["errored"]["message"].is_string());
    }
}
