//! `import_policy`: structured import scenarios ([`ImportStory`], built by [`arbitrary`]) →
//! [`import::decide`].
//!
//! A scenario starts from the fixtures' story (Alice invited Bob to [`ROOM`], Bob accepted on this
//! device and is joined, Alice's cross-signed device sends a really encrypted bundle) and lets the
//! fuzzer change every part of it: who sends and who invited, membership, clock and window, the
//! sender's identity and cross-signing, a dozen envelope defects, the bundle's entries (well-formed,
//! forged or broken, for this room or another), what the media repository serves, and the store.
//!
//! The scenario knows, independently of the policy, whether each check must pass, and so what the
//! decision must be: the first failing stage decides (envelope or trust → `discarded`, invite →
//! `deferred`, download → `failed`, hash or structure → `rejected`). On top of the exact decision,
//! the safety invariants of the issue:
//! * never a key for another room (R40) — every imported session is for the invite's room;
//! * never from a non-inviter (R33), never after a failed hash (R38) or `sender_device_keys`
//!   check (R30, R31) — implied by the exact decision, asserted on its own too;
//! * never a worse copy (R42, R44): a session already stored is replaced only by a strictly
//!   earlier copy of the same ratchet, and never when the stored copy is authenticated;
//! * every imported session comes from a well-formed entry of the bundle, at that entry's index,
//!   with the bundle's sender as forwarder (R41); nothing is both imported and kept; withheld
//!   entries recorded are for the room (R45).

mod grammar;
mod story;

pub use grammar::*;
pub use story::*;

use arbitrary::{Arbitrary, Unstructured};
use msc4268_model::megolm::{ExportedSessionKey, RatchetOrdering};
use msc4268_model::policy::import;
use msc4268_model::wire::bundle;
use msc4268_protocol::cases::{ImportDecision, ImportOutcome, Provenance, StoredSession};

pub use super::scenario::{NOW, OTHER_ROOM, Person, ROOM, RoomChoice, SessionRef};
use crate::{Finding, ensure};

/// Target name.
pub const NAME: &str = "import_policy";

/// Checks the import policy on a scenario built from `data`.
pub fn run(data: &[u8]) -> Result<(), Finding> {
    let mut u = Unstructured::new(data);
    let Ok(scenario) = ImportStory::arbitrary(&mut u) else {
        return Ok(());
    };
    check(&scenario).map(|_| ())
}

/// Runs [`import::decide`] on `scenario` and checks every invariant; returns the outcome.
pub fn check(scenario: &ImportStory) -> Result<ImportOutcome, Finding> {
    let m = scenario.materialize();
    let input = &m.input;
    let out = ImportOutcome::from(import::decide(&import::ImportRequest::from(input)));
    let expected = scenario.expected_decision(&m);
    ensure(
        out.decision == expected,
        NAME,
        "the first failing stage decides",
        || format!("expected {expected:?}, got {out:?}"),
    )?;
    if out.decision != ImportDecision::Imported {
        return ensure(
            out.imported.is_empty()
                && out.kept_existing.is_empty()
                && out.withheld.is_empty()
                && out.skipped.is_empty(),
            NAME,
            "a bundle that is not imported has no effect",
            || format!("{out:?}"),
        )
        .map(|_| out);
    }
    // Safety, stated on its own: an import needs the envelope, trust, invite and hash checks.
    ensure(
        scenario.envelope.valid()
            && scenario.trusted()
            && scenario.invite_allows()
            && m.served.as_ref() == Some(&m.ciphertext),
        NAME,
        "imports only after every check passed",
        || format!("{out:?}"),
    )?;
    check_entries(scenario, &m, &out)?;
    Ok(out)
}

fn check_entries(
    scenario: &ImportStory,
    m: &Materialized,
    out: &ImportOutcome,
) -> Result<(), Finding> {
    let input = &m.input;
    let sender = scenario.sender.user_id();
    let parsed = bundle::parse(&m.plaintext)
        .map_err(|v| Finding::new(NAME, "an imported bundle parses", v))?;
    let well_formed: Option<Vec<&KeyEntry>> = match &scenario.bundle {
        BundleChoice::Entries { keys, .. } => {
            Some(keys.iter().filter(|k| k.defect.well_formed()).collect())
        }
        BundleChoice::Raw(_) => None,
    };
    for i in &out.imported {
        ensure(
            i.room_id == input.room_id,
            NAME,
            "R40: never a key for another room",
            || format!("{i:?} imported for {}", input.room_id),
        )?;
        ensure(
            i.forwarder == sender,
            NAME,
            "R41: the forwarder is the bundle's sender",
            || format!("{i:?}"),
        )?;
        let source = parsed.room_keys.iter().find(|e| {
            e.value.room_id == i.room_id
                && e.value.session_id == i.session_id
                && e.value.session_key.index == i.first_known_index
        });
        let Some(source) = source else {
            return Err(Finding::new(
                NAME,
                "every imported session is an entry of the bundle",
                format!("{i:?}"),
            ));
        };
        if let Some(wf) = &well_formed {
            ensure(
                wf.iter().any(|k| {
                    k.room.id() == i.room_id
                        && k.session.session_id() == i.session_id
                        && k.session.index() == i.first_known_index
                }),
                NAME,
                "only well-formed entries are imported",
                || format!("{i:?}"),
            )?;
        }
        for stored in input
            .store
            .iter()
            .filter(|s| s.room_id == i.room_id && s.session_id == i.session_id)
        {
            check_replacement(stored, &source.value.session_key, i.first_known_index)?;
        }
    }
    for sid in &out.kept_existing {
        ensure(
            !out.imported.iter().any(|i| &i.session_id == sid),
            NAME,
            "nothing is both imported and kept",
            || sid.clone(),
        )?;
    }
    for w in &out.withheld {
        ensure(
            w.room_id == input.room_id,
            NAME,
            "R45: withheld entries are for the room",
            || format!("{w:?}"),
        )?;
    }
    // Completeness: a well-formed entry for the room whose session is not in the store is imported.
    if let Some(wf) = &well_formed {
        for k in wf {
            let sid = k.session.session_id();
            let in_store = input
                .store
                .iter()
                .any(|s| s.room_id == input.room_id && s.session_id == sid);
            // Copies of one session that do not connect are all refused (R42): which is genuine
            // cannot be told.
            let copies: Vec<&ExportedSessionKey> = parsed
                .room_keys
                .iter()
                .filter(|e| e.value.room_id == input.room_id && e.value.session_id == sid)
                .map(|e| &e.value.session_key)
                .collect();
            let conflicting = copies.iter().min_by_key(|c| c.index).is_some_and(|best| {
                copies
                    .iter()
                    .any(|c| best.compare(c) == RatchetOrdering::Unconnected)
            });
            if k.room.id() != input.room_id {
                continue;
            }
            if conflicting {
                ensure(
                    !out.imported.iter().any(|i| i.session_id == sid),
                    NAME,
                    "R42: copies of a session that do not connect are never imported",
                    || format!("{k:?} imported in {out:?}"),
                )?;
            } else if !in_store {
                ensure(
                    out.imported.iter().any(|i| i.session_id == sid),
                    NAME,
                    "a new session of the room is imported",
                    || format!("{k:?} missing from {out:?}"),
                )?;
            }
        }
    }
    Ok(())
}

/// R42/R44: a stored copy is replaced only by a strictly earlier copy of the same ratchet, and an
/// authenticated one never.
fn check_replacement(
    stored: &StoredSession,
    imported: &ExportedSessionKey,
    index: u32,
) -> Result<(), Finding> {
    let held = ExportedSessionKey::from_base64(&stored.session_key).map_err(|e| {
        Finding::new(
            NAME,
            "R42: a stored copy is never replaced by one it cannot be compared with",
            format!(
                "session {} replaced at index {index} although the stored key does not decode ({e})",
                stored.session_id
            ),
        )
    })?;
    ensure(
        stored.provenance != Provenance::RoomKey,
        NAME,
        "R44: an authenticated copy is never replaced",
        || format!("session {} replaced at index {index}", stored.session_id),
    )?;
    ensure(
        held.compare(imported) == RatchetOrdering::Better,
        NAME,
        "R42: never a worse or unconnected copy",
        || {
            format!(
                "stored index {}, imported {index}: {:?}",
                held.index,
                held.compare(imported)
            )
        },
    )
}
