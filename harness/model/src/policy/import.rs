//! The invitee's import decision (R30–R45, X1, X2): a pure function from what the recipient knows
//! and what it received to what it does.
//!
//! Checks run in this order, and the first failure decides the outcome:
//! 1. the Olm envelope (R32, R30, R31/O1–O8) and the event content (R21, R23) → `discarded`;
//! 2. trust in the sending device (X1, X2) → `discarded`;
//! 3. the invite record: right room and inviter (R33), accepted on this device (R35, D10), still
//!    joined (R34), inside the acceptance window (R36) → `deferred` (stored, not downloaded);
//! 4. the download (R39) → `failed`;
//! 5. hash, decryption (R38, A-rules) and bundle structure (B1) → `rejected`;
//! 6. per entry: room filter (R40, R45), entry format (R15, R16, B2, B3), store merge (R42) →
//!    sessions `imported` with the sender as forwarder (R41), `kept_existing`, `withheld`, or
//!    `skipped`.

use std::collections::BTreeMap;

use crate::error::Violation;
use crate::megolm::{ExportedSessionKey, RatchetOrdering};
use crate::wire::olm::{self, SenderTrust};
use crate::wire::{bundle, to_device};
use msc4268_protocol::cases::*;

fn not_imported(decision: ImportDecision, v: Violation) -> ImportOutcome {
    ImportOutcome {
        decision,
        rule: Some(v.rule.to_owned()),
        imported: Vec::new(),
        kept_existing: Vec::new(),
        withheld: Vec::new(),
        skipped: Vec::new(),
    }
}

/// Checks [`decide_with`] can leave out. Only the mutant self-test (`msc4268_generator::mutants`) leaves
/// any out; [`decide`] runs them all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Omit {
    /// Skip the sender trust check (X1, X2): use bundles from any device.
    pub sender_trust: bool,
}

/// Decides what the recipient does with a received `m.room_key_bundle`.
pub fn decide(input: &ImportInput) -> ImportOutcome {
    decide_with(input, Omit::default())
}

/// [`decide`], leaving out the checks `omit` names.
pub fn decide_with(input: &ImportInput, omit: Omit) -> ImportOutcome {
    use ImportDecision::*;
    let envelope = match olm::validate(&input.recipient, &input.event, &input.known_devices) {
        Ok(e) => e,
        Err(v) => return not_imported(Discarded, v),
    };
    let content = match to_device::parse_content(&envelope.event_type, &envelope.content) {
        Ok(c) => c,
        Err(v) => return not_imported(Discarded, v),
    };
    match olm::sender_trust(&envelope, input.sender_identity.as_ref()) {
        _ if omit.sender_trust => {}
        SenderTrust::CrossSignedTofu | SenderTrust::Verified => {}
        SenderTrust::NotCrossSigned => {
            return not_imported(
                Discarded,
                Violation::new(
                    "X1",
                    "/sender_device_keys",
                    "the sending device is not cross-signed by its owner",
                ),
            );
        }
        SenderTrust::IdentityViolation => {
            return not_imported(
                Discarded,
                Violation::new(
                    "X2",
                    "/sender",
                    "the sender's cross-signing identity is in a pin violation",
                ),
            );
        }
    }
    if let Err(v) = check_invite(input, &envelope.sender, &content.room_id) {
        return not_imported(Deferred, v);
    }
    let ciphertext = match &input.media {
        Media::NotFound => {
            return not_imported(
                Failed,
                Violation::new(
                    "R39",
                    "/file/url",
                    "the media repository answered 404 M_NOT_FOUND",
                ),
            );
        }
        Media::Available { ciphertext } => match carrier_bytes(ciphertext) {
            Ok(b) => b,
            Err(e) => return not_imported(Failed, Violation::new("R39", "/file/url", e)),
        },
    };
    let plaintext = match crate::attachment::decrypt_vec(
        &content.file,
        ciphertext,
        crate::attachment::DEFAULT_MAX_SIZE,
    ) {
        Ok(p) => p,
        Err(e @ crate::attachment::DecryptError::HashMismatch) => {
            return not_imported(Rejected, e.to_violation("/content/file"));
        }
        Err(e) => return not_imported(Failed, e.to_violation("/content/file")),
    };
    let parsed = match bundle::parse(&plaintext) {
        Ok(b) => b,
        Err(v) => return not_imported(Rejected, v),
    };
    import_entries(input, &envelope.sender, &content.room_id, &parsed)
}

fn check_invite(input: &ImportInput, sender: &str, bundle_room: &str) -> Result<(), Violation> {
    let invite = input.invite.as_ref().ok_or_else(|| {
        Violation::new(
            "R33",
            "/invite",
            "no invite to this room is on record: the bundle is stored, not downloaded",
        )
    })?;
    if bundle_room != input.room_id {
        return Err(Violation::new(
            "R33",
            "/content/room_id",
            format!(
                "the bundle is for {bundle_room}, not for {} where the invite was accepted",
                input.room_id
            ),
        ));
    }
    if invite.inviter != sender {
        return Err(Violation::new(
            "R33",
            "/sender",
            format!(
                "{sender} did not invite us; {} did: the bundle is stored, not downloaded",
                invite.inviter
            ),
        ));
    }
    let Some(accepted_at) = invite.accepted_at_ms else {
        return Err(Violation::new(
            "R35",
            "/invite",
            "the invite is not accepted yet: store now, download on accept",
        ));
    };
    if !invite.accepted_on_this_device {
        return Err(Violation::new(
            "R35",
            "/invite",
            "the invite was accepted on another device (D10)",
        ));
    }
    if input.membership != Membership::Join {
        return Err(Violation::new(
            "R34",
            "/membership",
            "the recipient is no longer joined to the room",
        ));
    }
    if input.now_ms.saturating_sub(accepted_at) >= input.acceptance_window_ms {
        return Err(Violation::new(
            "R36",
            "/invite/accepted_at_ms",
            format!(
                "the invite was accepted {} ms ago, outside the {} ms window",
                input.now_ms.saturating_sub(accepted_at),
                input.acceptance_window_ms
            ),
        ));
    }
    Ok(())
}

/// A session already in the store, as the merge sees it.
enum Held {
    /// A copy whose key decodes; `authenticated` if it came from the creator's own `m.room_key`.
    Key {
        key: ExportedSessionKey,
        authenticated: bool,
    },
    /// A copy whose stored key does not decode: it cannot be compared, so it is never replaced.
    Opaque,
}

fn skip(skipped: &mut Vec<SkippedEntry>, source: &str, rule: &str, reason: &str) {
    skipped.push(SkippedEntry {
        source: source.to_owned(),
        rule: Some(rule.to_owned()),
        reason: reason.to_owned(),
    });
}

fn import_entries(
    input: &ImportInput,
    sender: &str,
    room_id: &str,
    parsed: &bundle::RoomKeyBundle,
) -> ImportOutcome {
    let mut skipped = parsed.skipped_entries();
    let mut store: BTreeMap<(String, String), Held> = BTreeMap::new();
    for s in &input.store {
        let held = match ExportedSessionKey::from_base64(&s.session_key) {
            Ok(key) => Held::Key {
                key,
                authenticated: s.provenance == Provenance::RoomKey,
            },
            Err(_) => Held::Opaque,
        };
        store.insert((s.room_id.clone(), s.session_id.clone()), held);
    }
    // This room's entries, grouped by session: the outcome must not depend on their order.
    let mut offered: BTreeMap<(String, String), Vec<&bundle::Entry<bundle::HistoricRoomKey>>> =
        BTreeMap::new();
    for entry in &parsed.room_keys {
        let k = &entry.value;
        if k.room_id == room_id {
            offered
                .entry((k.room_id.clone(), k.session_id.clone()))
                .or_default()
                .push(entry);
        } else {
            skip(
                &mut skipped,
                &entry.source,
                "R40",
                &format!("key for {} in a bundle for {room_id}", k.room_id),
            );
        }
    }
    let mut imported = Vec::new();
    let mut kept_existing = Vec::new();
    for ((room, session_id), entries) in offered {
        // The best copy on offer is the earliest; every other copy must follow from it.
        let Some(best) = entries.iter().min_by_key(|e| e.value.session_key.index) else {
            continue;
        };
        let candidate = &best.value.session_key;
        if entries
            .iter()
            .any(|e| candidate.compare(&e.value.session_key) == RatchetOrdering::Unconnected)
        {
            for e in &entries {
                skip(
                    &mut skipped,
                    &e.source,
                    "R42",
                    "the bundle's copies of this session do not connect to each other",
                );
            }
            continue;
        }
        let take = match store.get(&(room.clone(), session_id.clone())) {
            None => true,
            Some(Held::Opaque) => false,
            Some(Held::Key { key, authenticated }) => match key.compare(candidate) {
                RatchetOrdering::Unconnected => {
                    for e in &entries {
                        skip(
                            &mut skipped,
                            &e.source,
                            "R42",
                            "the ratchet does not connect to the stored copy of this session",
                        );
                    }
                    continue;
                }
                RatchetOrdering::Equal | RatchetOrdering::Worse => false,
                // Never trade an authenticated copy for one only the forwarder vouches for (R44).
                RatchetOrdering::Better => !authenticated,
            },
        };
        if take {
            imported.push(ImportedSession {
                room_id: room,
                session_id,
                first_known_index: candidate.index,
                forwarder: sender.to_owned(),
            });
        } else {
            kept_existing.push(session_id);
        }
    }
    let mut withheld = Vec::new();
    for entry in &parsed.withheld {
        let w = &entry.value;
        match (&w.room_id, &w.session_id) {
            (Some(r), Some(s)) if r == room_id => withheld.push(RecordedWithheld {
                room_id: r.clone(),
                session_id: s.clone(),
                code: w.code.as_stable().to_owned(),
            }),
            _ => skipped.push(SkippedEntry {
                source: entry.source.clone(),
                rule: Some("R45".into()),
                reason: format!("withheld entry is not for {room_id}"),
            }),
        }
    }
    withheld.sort();
    withheld.dedup();
    ImportOutcome {
        decision: ImportDecision::Imported,
        rule: None,
        imported,
        kept_existing,
        withheld,
        skipped,
    }
}
