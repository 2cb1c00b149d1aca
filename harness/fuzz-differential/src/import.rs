//! `diff_import`: the reference import decision ([`msc4268_model::policy::import`]) against the
//! matrix-sdk-crypto adapter's `import-decision` route (a real receiving `OlmMachine`: Olm
//! delivery, the crate's trust rule, `AttachmentDecryptor`, `RoomKeyBundle`,
//! `Store::receive_room_key_bundle`, the store read back).
//!
//! Input: the structured `import_policy` scenario
//! ([`msc4268_fuzz_logic::targets::import::ImportStory`], decoded with `arbitrary`), turned into the
//! same `import-decision` input for both sides.
//!
//! Compared: the decision; for an import, the sessions imported (room, session, first known
//! index, forwarder), the copies kept and the withheld entries recorded. Scenarios the adapter
//! skips (the invite record, membership and acceptance window are matrix-sdk's
//! `shared_room_history`, not the crate; a verified sender; a stored copy from a direct
//! `m.room_key`) are not compared. A difference in what is imported from a bundle is known when
//! the bundle parsers' own comparison ([`crate::bundle`]) explains the bundle.

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use msc4268_adapter_matrix_sdk_crypto::PANIC_PREFIX;
use msc4268_fuzz_logic::targets::import::{ImportStory, KnownChoice, Materialized};
use msc4268_model::megolm::RatchetOrdering;
use msc4268_model::wire::bundle;
use msc4268_protocol::cases::{IdentityState, ImportDecision, ImportInput, ImportOutcome};
use msc4268_protocol::implementation::{Implementation, OpError, OpResult};

use crate::known::{self, KnownDifference, known};
use crate::sides::{REFERENCE, matrix_sdk_crypto};
use crate::{Disagreement, Verdict};

/// Target name.
pub const NAME: &str = "diff_import";

/// Runs the comparison on `data`; panics on a new disagreement.
pub fn run(data: &[u8]) {
    compare(data).assert_not_new();
}

/// A side's normalised outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Normal {
    Decided {
        decision: ImportDecision,
        imported: BTreeSet<(String, String, u32, String)>,
        kept: BTreeSet<String>,
        withheld: BTreeSet<(String, String, String)>,
    },
    Errored(String),
}

fn normalise(r: OpResult<ImportOutcome>) -> Result<Normal, String> {
    match r {
        Ok(o) => Ok(Normal::Decided {
            decision: o.decision,
            imported: o
                .imported
                .into_iter()
                .map(|i| (i.room_id, i.session_id, i.first_known_index, i.forwarder))
                .collect(),
            kept: o.kept_existing.into_iter().collect(),
            withheld: o
                .withheld
                .into_iter()
                .map(|w| (w.room_id, w.session_id, w.code))
                .collect(),
        }),
        Err(OpError::Unsupported(why)) => Err(why),
        // A panic inside matrix-sdk-crypto is an outcome (a crash of the crate) ...
        Err(OpError::Errored(e)) if e.starts_with(PANIC_PREFIX) => Ok(Normal::Errored(e)),
        // ... any other error means the adapter could not replay the scenario through the crate
        // (e.g. a stored copy the crate cannot import, or a download the fixture format writes
        // as a carrier that is not base64): nothing was decided.
        Err(OpError::Errored(e) | OpError::TimedOut(e)) => {
            Err(format!("the adapter cannot replay it: {e}"))
        }
    }
}

/// A triage report for `data`: the scenario it decodes to, the `import-decision` input both
/// sides get (fixture JSON, ready to paste into a case), each side's normalised outcome (as the
/// comparison saw it; "not run" where the comparison stopped before that side) and the verdict.
/// Used by `examples/triage.rs` to minimise a saved input by hand.
pub fn describe(data: &[u8]) -> String {
    let mut u = Unstructured::new(data);
    let Ok(scenario) = ImportStory::arbitrary(&mut u) else {
        return "not a scenario".into();
    };
    let m = scenario.materialize();
    let c = compare_materialized(&scenario, &m);
    let input = serde_json::to_string_pretty(&m.input)
        .unwrap_or_else(|e| format!("(input not serialisable: {e})"));
    let plaintext = String::from_utf8_lossy(&m.plaintext);
    let side = |o: &Option<Result<Normal, String>>| match o {
        Some(Ok(n)) => format!("{n:?}"),
        Some(Err(why)) => format!("not compared: {why}"),
        None => "not run".to_owned(),
    };
    format!(
        "scenario: {scenario:#?}\nbundle plaintext: {plaintext}\nimport-decision input: {input}\n\
         reference: {}\nmatrix-sdk-crypto: {}\nverdict: {:?}",
        side(&c.reference),
        side(&c.krate),
        c.verdict
    )
}

/// Compares the two import decisions on the scenario `data` decodes to.
pub fn compare(data: &[u8]) -> Verdict {
    let mut u = Unstructured::new(data);
    let Ok(scenario) = ImportStory::arbitrary(&mut u) else {
        return Verdict::NotCompared("not a scenario".into());
    };
    compare_scenario(&scenario)
}

/// Compares the two import decisions on `scenario`.
pub fn compare_scenario(scenario: &ImportStory) -> Verdict {
    compare_materialized(scenario, &scenario.materialize()).verdict
}

/// What one comparison saw: each side's normalised outcome, if that side ran, and the verdict.
struct Comparison {
    reference: Option<Result<Normal, String>>,
    krate: Option<Result<Normal, String>>,
    verdict: Verdict,
}

/// Compares the two import decisions on `scenario`, materialised as `m`.
fn compare_materialized(scenario: &ImportStory, m: &Materialized) -> Comparison {
    let stop = |verdict| Comparison {
        reference: None,
        krate: None,
        verdict,
    };
    let input = &m.input;
    if known::ed25519_panic_hazard_bytes(&m.plaintext)
        || known::ed25519_panic_hazard(&input.event.plaintext_value().unwrap_or_default())
    {
        return stop(known("F5").map_or_else(
            || Verdict::NotCompared("F5 hazard".into()),
            |k| Verdict::Known(vec![k]),
        ));
    }
    if scenario.envelope.known == KnownChoice::Conflicting {
        // The adapter's import route learns the sender's device only from the plaintext's
        // `sender_device_keys`; it does not replay the recipient's earlier knowledge of devices,
        // so O8 (a known device keeps its key) cannot be compared here (olm-envelope cases do).
        return stop(Verdict::NotCompared(
            "a known device with another key (O8) is not replayed by the adapter's import route"
                .into(),
        ));
    }
    let k = match normalise(matrix_sdk_crypto().decide_import(input)) {
        Ok(k) => k,
        Err(why) => {
            return Comparison {
                reference: None,
                verdict: Verdict::NotCompared(format!("matrix-sdk-crypto side: {why}")),
                krate: Some(Err(why)),
            };
        }
    };
    let reference = normalise(REFERENCE.decide_import(input));
    let verdict = match &reference {
        Err(why) => Verdict::NotCompared(format!("the reference skips it: {why}")),
        Ok(r) if *r == k => Verdict::Agree,
        Ok(r) => match explain(input, &m.plaintext, r, &k) {
            Some(known) => Verdict::Known(known),
            None => Verdict::New(Disagreement {
                target: NAME,
                at: format!("scenario {scenario:?}"),
                reference: format!("{r:?}"),
                matrix_sdk_crypto: format!("{k:?}"),
            }),
        },
    };
    Comparison {
        reference: Some(reference),
        krate: Some(Ok(k)),
        verdict,
    }
}

/// The known differences explaining the two outcomes, if they do.
fn explain(
    input: &ImportInput,
    plaintext: &[u8],
    reference: &Normal,
    krate: &Normal,
) -> Option<Vec<&'static KnownDifference>> {
    let (Normal::Decided { decision: rd, .. }, Normal::Decided { decision: cd, .. }) =
        (reference, krate)
    else {
        return None;
    };
    let pin_violation = input
        .sender_identity
        .as_ref()
        .is_some_and(|i| i.state == IdentityState::PinViolation);
    if rd != cd {
        return match (rd, cd) {
            // F11: the crate still trusts a sender whose TOFU identity changed.
            (ImportDecision::Discarded, _) if pin_violation => known("F11").map(|k| vec![k]),
            // The crate refuses the bundle (S1, D3, or an entry's known difference).
            (ImportDecision::Imported, ImportDecision::Rejected) => bundle_explains(plaintext),
            _ => None,
        };
    }
    // Same decision (an import): the entries used differ. Known when the bundle parsers' own
    // comparison explains the bundle, or when every differing session is one the bundle carries
    // in unconnected copies, of which the crate imported one.
    if let Some(k) = bundle_explains(plaintext) {
        return Some(k);
    }
    let (
        Normal::Decided {
            imported: ri,
            kept: rk,
            withheld: rw,
            ..
        },
        Normal::Decided {
            imported: ci,
            kept: ck,
            withheld: cw,
            ..
        },
    ) = (reference, krate)
    else {
        return None;
    };
    if rw != cw {
        return None;
    }
    let copies = unconnected_copies(plaintext);
    let imported_by = |side: &BTreeSet<(String, String, u32, String)>, sid: &str| -> Vec<u32> {
        side.iter().filter(|i| i.1 == sid).map(|i| i.2).collect()
    };
    let mut found: Vec<&'static KnownDifference> = Vec::new();
    // R42 with a stored copy: the bundle carries the session in copies that do not connect; the
    // reference refuses them all (reported skipped), the crate leaves its stored copy (reported
    // kept). Neither imports it: the store is the same.
    for sid in rk.symmetric_difference(ck) {
        let stored_kept = copies.contains_key(sid)
            && !rk.contains(sid)
            && ck.contains(sid)
            && imported_by(ri, sid).is_empty()
            && imported_by(ci, sid).is_empty();
        if !stored_kept {
            return None;
        }
        let k = known("R42-copies")?;
        if !found.contains(&k) {
            found.push(k);
        }
    }
    let sessions: BTreeSet<&String> = ri.symmetric_difference(ci).map(|i| &i.1).collect();
    if sessions.is_empty() {
        return (!found.is_empty()).then_some(found);
    }
    let listed = listed_copies(plaintext);
    // Each differing session on its own: a bundle may carry one session twice (F20) and another
    // in unconnected copies (R42) at once.
    for sid in sessions {
        // F20 (S15): the session is listed more than once; the reference took the best copy,
        // the crate the one listed last.
        let last_wins = listed
            .get(sid)
            .filter(|v| v.len() > 1)
            .is_some_and(|indices| {
                let best = indices.iter().min().copied();
                let last = indices.last().copied();
                imported_by(ri, sid).into_iter().map(Some).eq([best])
                    && imported_by(ci, sid).into_iter().map(Some).eq([last])
            });
        // R42: the bundle carries the session in copies that do not connect; the reference
        // imports none of them, the crate one of them, under the sender.
        let unconnected = copies.get(sid).is_some_and(|indices| {
            let from_crate: Vec<_> = ci.iter().filter(|i| &i.1 == sid).collect();
            imported_by(ri, sid).is_empty()
                && from_crate.len() == 1
                && from_crate
                    .iter()
                    .all(|i| indices.contains(&i.2) && i.3 == input.event.sender)
        });
        let id = if last_wins {
            "S15-same-session-twice"
        } else if unconnected {
            "R42-copies"
        } else {
            return None;
        };
        let k = known(id)?;
        if !found.contains(&k) {
            found.push(k);
        }
    }
    Some(found)
}

/// The first known index of every copy of each session in the bundle, in bundle order.
fn listed_copies(plaintext: &[u8]) -> std::collections::BTreeMap<String, Vec<u32>> {
    let mut out: std::collections::BTreeMap<String, Vec<u32>> = std::collections::BTreeMap::new();
    if let Ok(parsed) = bundle::parse(plaintext) {
        for e in &parsed.room_keys {
            out.entry(e.value.session_id.clone())
                .or_default()
                .push(e.value.session_key.index);
        }
    }
    out
}

/// The sessions the bundle carries in copies whose ratchets do not connect, with the copies'
/// first known indices.
fn unconnected_copies(plaintext: &[u8]) -> std::collections::BTreeMap<String, BTreeSet<u32>> {
    let mut out = std::collections::BTreeMap::new();
    let Ok(parsed) = bundle::parse(plaintext) else {
        return out;
    };
    let keys: Vec<_> = parsed.room_keys.iter().map(|e| &e.value).collect();
    for a in &keys {
        let unconnected = keys.iter().any(|b| {
            a.session_id == b.session_id
                && a.session_key.compare(&b.session_key) == RatchetOrdering::Unconnected
        });
        if unconnected {
            let indices: &mut BTreeSet<u32> = out.entry(a.session_id.clone()).or_default();
            indices.extend(
                keys.iter()
                    .filter(|b| b.session_id == a.session_id)
                    .map(|b| b.session_key.index),
            );
        }
    }
    out
}

/// The bundle parsers' comparison on the bundle's plaintext, when it finds known differences.
fn bundle_explains(plaintext: &[u8]) -> Option<Vec<&'static KnownDifference>> {
    match crate::bundle::compare(plaintext) {
        Verdict::Known(k) => Some(k),
        _ => None,
    }
}
