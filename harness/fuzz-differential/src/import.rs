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

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::{Arbitrary, Unstructured};
use msc4268_adapter_matrix_sdk_crypto::PANIC_PREFIX;
use msc4268_fuzz_logic::targets::import::{ImportStory, KnownChoice, Materialized};
use msc4268_model::megolm::{ExportedSessionKey, RatchetOrdering};
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
    // comparison explains the bundle, or when every differing session is explained on its own
    // (a bundle may carry one session twice (S15), another in unconnected copies (R42) and a
    // third withheld twice (S22) at once).
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
    let offered = Offered::read(plaintext);
    let mut found: Vec<&'static KnownDifference> = Vec::new();
    let mut add = |id: &str| -> Option<()> {
        let k = known(id)?;
        if !found.contains(&k) {
            found.push(k);
        }
        Some(())
    };
    // S22: a session withheld more than once with different codes; the reference records every
    // code, the crate the first or the last listed.
    let (by_ref, by_crate) = (codes_by_session(rw), codes_by_session(cw));
    for session in by_ref.keys().chain(by_crate.keys()) {
        let (from_ref, from_crate) = (by_ref.get(session), by_crate.get(session));
        if from_ref == from_crate {
            continue;
        }
        let listed = offered.withheld_codes(session);
        let every: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
        let one_end = |code: Option<&String>| {
            from_crate.is_some_and(|c| c.len() == 1 && c.iter().next() == code)
        };
        let known_case = every.len() > 1
            && from_ref.is_some_and(|r| r.iter().map(String::as_str).eq(every.iter().copied()))
            && (one_end(listed.first()) || one_end(listed.last()));
        if !known_case {
            return None;
        }
        add("S22-withheld-twice")?;
    }
    let room = &input.room_id;
    let imported_by = |side: &BTreeSet<(String, String, u32, String)>, sid: &str| -> Vec<u32> {
        side.iter()
            .filter(|i| &i.0 == room && i.1 == sid)
            .map(|i| i.2)
            .collect()
    };
    // R42 with a stored copy: the bundle's copies of the session do not connect to each other,
    // or the best of them does not connect to the stored copy; the reference refuses them all
    // (reported skipped), the crate leaves its stored copy (reported kept). Neither imports it:
    // the store is the same.
    for sid in rk.symmetric_difference(ck) {
        let stored_kept = (offered.unconnected(room, sid) || offered.conflicts(input, room, sid))
            && !rk.contains(sid)
            && ck.contains(sid)
            && imported_by(ri, sid).is_empty()
            && imported_by(ci, sid).is_empty();
        if !stored_kept {
            return None;
        }
        add("R42-copies")?;
    }
    let sessions: BTreeSet<(&String, &String)> =
        ri.symmetric_difference(ci).map(|i| (&i.0, &i.1)).collect();
    for (in_room, sid) in sessions {
        if in_room != room {
            return None;
        }
        let indices = offered.indices(room, sid);
        // F20 (S15): the session is listed more than once; the reference took the best copy,
        // the crate the one listed last.
        let last_wins = indices.len() > 1 && {
            let best = indices.iter().min().copied();
            let last = indices.last().copied();
            imported_by(ri, sid).into_iter().map(Some).eq([best])
                && imported_by(ci, sid).into_iter().map(Some).eq([last])
        };
        // R42: the bundle carries the session in copies that do not connect; the reference
        // imports none of them, the crate one of them, under the sender.
        let unconnected = offered.unconnected(room, sid) && {
            let from_crate: Vec<_> = ci.iter().filter(|i| &i.0 == room && &i.1 == sid).collect();
            imported_by(ri, sid).is_empty()
                && from_crate.len() == 1
                && from_crate
                    .iter()
                    .all(|i| indices.contains(&i.2) && i.3 == input.event.sender)
        };
        if last_wins {
            add("S15-same-session-twice")?;
        } else if unconnected {
            add("R42-copies")?;
        } else {
            return None;
        }
    }
    (!found.is_empty()).then_some(found)
}

/// The codes recorded for each (room, session).
fn codes_by_session(
    side: &BTreeSet<(String, String, String)>,
) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (room, sid, code) in side {
        out.entry((room.clone(), sid.clone()))
            .or_default()
            .insert(code.clone());
    }
    out
}

/// What the bundle offers, as the reference's parser reads it: the copies of each session (by
/// room and session, in bundle order) and the codes each session is withheld with (in bundle
/// order).
struct Offered {
    copies: BTreeMap<(String, String), Vec<ExportedSessionKey>>,
    withheld: BTreeMap<(String, String), Vec<String>>,
}

impl Offered {
    fn read(plaintext: &[u8]) -> Self {
        let mut out = Offered {
            copies: Default::default(),
            withheld: Default::default(),
        };
        if let Ok(parsed) = bundle::parse(plaintext) {
            for e in parsed.room_keys {
                let k = e.value;
                out.copies
                    .entry((k.room_id, k.session_id))
                    .or_default()
                    .push(k.session_key);
            }
            for e in parsed.withheld {
                let w = e.value;
                if let (Some(r), Some(s)) = (w.room_id, w.session_id) {
                    out.withheld
                        .entry((r, s))
                        .or_default()
                        .push(w.code.as_stable().to_owned());
                }
            }
        }
        out
    }

    fn of(&self, room: &str, sid: &str) -> &[ExportedSessionKey] {
        self.copies
            .get(&(room.to_owned(), sid.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// The first known index of every copy of the session, in bundle order.
    fn indices(&self, room: &str, sid: &str) -> Vec<u32> {
        self.of(room, sid).iter().map(|k| k.index).collect()
    }

    /// Whether two of the session's copies have ratchets that do not connect.
    fn unconnected(&self, room: &str, sid: &str) -> bool {
        let copies = self.of(room, sid);
        copies.iter().any(|a| {
            copies
                .iter()
                .any(|b| a.compare(b) == RatchetOrdering::Unconnected)
        })
    }

    /// Whether the best (earliest) copy of the session does not connect to the copy the
    /// recipient already holds.
    fn conflicts(&self, input: &ImportInput, room: &str, sid: &str) -> bool {
        let Some(best) = self.of(room, sid).iter().min_by_key(|k| k.index) else {
            return false;
        };
        input
            .store
            .iter()
            .filter(|s| s.room_id == room && s.session_id == sid)
            .filter_map(|s| known::lenient_b64(&s.session_key))
            .filter_map(|b| ExportedSessionKey::from_bytes(&b).ok())
            .any(|held| held.compare(best) == RatchetOrdering::Unconnected)
    }

    /// The codes the session is withheld with (stable spelling), in bundle order.
    fn withheld_codes(&self, session: &(String, String)) -> &[String] {
        self.withheld.get(session).map_or(&[], Vec::as_slice)
    }
}

/// The bundle parsers' comparison on the bundle's plaintext, when it finds known differences.
fn bundle_explains(plaintext: &[u8]) -> Option<Vec<&'static KnownDifference>> {
    match crate::bundle::compare(plaintext) {
        Verdict::Known(k) => Some(k),
        _ => None,
    }
}
