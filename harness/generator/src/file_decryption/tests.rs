//! Tests of the `file-decryption` generator, and the shared [`run_all`] the other attachment categories' tests use.

use super::*;
use crate::{GeneratedFile, render};
use msc4268_corpus::fixture::parse_file;
use msc4268_harness::runner::{Status, run_case};
use msc4268_model::reference::Reference;
use msc4268_protocol::cases::{DecryptOutcome, FileDecryptionInput, carrier_bytes};
use msc4268_protocol::identifiers::IdentifierVariant;
use msc4268_protocol::implementation::{Implementation, ImplementationInfo, OpResult};
use std::path::Path;

/// Renders, reloads and runs every case of `files` under `imp`; returns the ids of passed
/// cases, the explanations of failed or errored ones, and the ids of skipped ones.
pub(crate) fn run_all(
    files: &[GeneratedFile],
    imp: &dyn Implementation,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for g in files {
        let text = render(&g.file);
        let cases =
            parse_file(&text, Path::new(&g.path)).unwrap_or_else(|e| panic!("{}: {e}", g.path));
        for c in &cases {
            let r = run_case(imp, c);
            match r.status {
                Status::Passed => passed.push(r.id.clone()),
                Status::Skipped { .. } => skipped.push(r.id.clone()),
                Status::Failed { .. }
                | Status::Errored { .. }
                | Status::ExpectedFailure { .. }
                | Status::UnexpectedPass { .. }
                | Status::ExpectedFailureMismatch { .. } => failed.push(r.explain()),
            }
        }
    }
    (passed, failed, skipped)
}

#[test]
fn reference_passes_every_case() {
    let files = files();
    let (passed, failed, skipped) = run_all(&files, &Reference);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(skipped.is_empty(), "skipped: {skipped:?}");
    assert!(passed.len() >= 90, "only {} cases", passed.len());
}

#[test]
fn generation_is_deterministic() {
    let a: Vec<String> = files().iter().map(|g| render(&g.file)).collect();
    let b: Vec<String> = files().iter().map(|g| render(&g.file)).collect();
    assert_eq!(a, b);
}

/// A receiver with one deliberate bug.
struct Mutant(fn(&FileDecryptionInput) -> DecryptOutcome);

impl Implementation for Mutant {
    fn info(&self) -> ImplementationInfo {
        ImplementationInfo {
            name: "mutant".into(),
            version: "0".into(),
            language: "rust".into(),
            issues: None,
            identifiers: vec![IdentifierVariant::Stable],
        }
    }
    fn decrypt_file(&self, input: &FileDecryptionInput) -> OpResult<DecryptOutcome> {
        Ok((self.0)(input))
    }
}

fn reject() -> DecryptOutcome {
    DecryptOutcome::Rejected(Default::default())
}

fn parsed(
    input: &FileDecryptionInput,
) -> Option<(msc4268_model::wire::encrypted_file::EncryptedFile, Vec<u8>)> {
    let f = msc4268_model::wire::encrypted_file::parse(&input.file, "").ok()?;
    let ct = carrier_bytes(&input.ciphertext).ok()?;
    Some((f, ct))
}

fn out(pt: Vec<u8>) -> DecryptOutcome {
    DecryptOutcome::Decrypted {
        plaintext: b64::encode_padded(pt),
    }
}

fn mutant_fails(m: Mutant, what: &str, expect_in: &str) {
    let (_, failed, _) = run_all(&files(), &m);
    assert!(
        failed.iter().any(|f| f.contains(expect_in)),
        "the {what} mutant passed every case of {expect_in}"
    );
}

#[test]
fn mutants_are_caught() {
    mutant_fails(
        Mutant(|i| match parsed(i) {
            Some((f, ct)) => out(vectors::ctr(
                &f.key,
                &f.iv,
                &ct,
                vectors::Counter::Be64Wrapping,
            )),
            None => reject(),
        }),
        "64-bit wrapping counter",
        "counter-low-half-nonzero",
    );
    mutant_fails(
        Mutant(|i| match parsed(i) {
            Some((f, ct)) => out(vectors::ctr(&f.key, &f.iv, &ct, vectors::Counter::Le128)),
            None => reject(),
        }),
        "little-endian counter",
        "counter-low-half-zero",
    );
    mutant_fails(
        Mutant(|i| match parsed(i) {
            Some((f, ct)) => out(vectors::ctr(&f.key, &f.iv, &ct, vectors::Counter::Be128)),
            None => reject(),
        }),
        "no hash check",
        "hash-check",
    );
    mutant_fails(
        Mutant(|i| match parsed(i) {
            Some((f, ct)) => {
                let pt = vectors::ctr(&f.key, &f.iv, &ct, vectors::Counter::Be128);
                if vectors::sha256(&pt) == f.sha256 {
                    out(pt)
                } else {
                    reject()
                }
            }
            None => reject(),
        }),
        "hash over plaintext",
        "hash-of-plaintext",
    );
    mutant_fails(
        Mutant(|i| {
            let mut file = i.file.clone();
            for (ptr, value) in [("/v", "v2"), ("/key/alg", "A256CTR")] {
                if let Some(x) = file.pointer_mut(ptr) {
                    *x = json!(value);
                }
            }
            match msc4268_model::attachment::decrypt_json(
                &file,
                &carrier_bytes(&i.ciphertext).unwrap_or_default(),
                1 << 20,
            ) {
                Ok(pt) => out(pt),
                Err(_) => reject(),
            }
        }),
        "unchecked v and alg",
        "alg-a128ctr",
    );
}
