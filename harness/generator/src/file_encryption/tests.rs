//! Tests of the `file-encryption` generator.

use super::*;
use crate::file_decryption::tests::run_all;
use msc4268_model::reference::Reference;
use msc4268_protocol::cases::Encryption;
use msc4268_protocol::implementation::{Implementation, ImplementationInfo, OpResult};

#[test]
fn reference_passes_every_case() {
    let (passed, failed, skipped) = run_all(&files(), &Reference);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(skipped.is_empty(), "skipped: {skipped:?}");
    assert!(passed.len() >= 30, "only {} cases", passed.len());
}

/// A sender with one deliberate bug.
struct Mutant(fn(&[u8]) -> Encryption);

impl Implementation for Mutant {
    fn info(&self) -> ImplementationInfo {
        Reference.info()
    }
    fn encrypt_file(&self, plaintext: &[u8]) -> OpResult<Encryption> {
        Ok((self.0)(plaintext))
    }
}

fn enc(v: &Vector, file: Value) -> Encryption {
    Encryption {
        file,
        ciphertext: v.ciphertext_carrier(),
    }
}

/// A correct encryption under a random label (so keys and IVs differ between calls).
fn fresh(pt: &[u8]) -> Vector {
    let mut label = [0u8; 16];
    let _ = getrandom::fill(&mut label);
    Vector::new(&b64::encode(label), pt)
}

#[test]
fn mutants_are_caught() {
    let mutants: [(&str, Mutant); 4] = [
        (
            "fixed key and IV",
            Mutant(|pt| {
                let v = Vector::new("fixed", pt);
                enc(&v, v.file())
            }),
        ),
        (
            "fully random IV",
            Mutant(|pt| {
                let mut iv = [0u8; 16];
                let _ = getrandom::fill(&mut iv);
                let v = Vector::with_iv(&b64::encode(iv), iv, pt);
                enc(&v, v.file())
            }),
        ),
        (
            "hash over plaintext",
            Mutant(|pt| {
                let v = fresh(pt);
                let f = with(
                    &v.file(),
                    "/hashes/sha256",
                    json!(b64::encode(vectors::sha256(pt))),
                );
                enc(&v, f)
            }),
        ),
        (
            "padded k",
            Mutant(|pt| {
                let v = fresh(pt);
                let f = with(&v.file(), "/key/k", json!(vectors::padded(&v.k())));
                enc(&v, f)
            }),
        ),
    ];
    for (what, m) in mutants {
        let (_, failed, _) = run_all(&files(), &m);
        assert!(
            failed
                .iter()
                .any(|f| f.contains("file-encryption/encrypt/")),
            "the {what} mutant passed every encrypt case"
        );
    }
}
