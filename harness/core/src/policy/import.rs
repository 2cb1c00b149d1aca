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

use crate::cases::*;
use crate::error::Violation;
use crate::megolm::{ExportedSessionKey, RatchetOrdering};
use crate::wire::olm::{self, SenderTrust};
use crate::wire::{bundle, to_device};

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

/// Checks [`decide_with`] can leave out. Only the mutant self-test ([`crate::mutants`]) leaves
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
    let plaintext = match crate::attachment::decrypt(
        &content.file,
        ciphertext.as_slice(),
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
                input.now_ms - accepted_at,
                input.acceptance_window_ms
            ),
        ));
    }
    Ok(())
}

/// The store copy of a session while the import runs.
struct Copy {
    key: ExportedSessionKey,
    from_this_bundle: bool,
    authenticated: bool,
}

fn import_entries(
    input: &ImportInput,
    sender: &str,
    room_id: &str,
    parsed: &bundle::RoomKeyBundle,
) -> ImportOutcome {
    let mut skipped = parsed.skipped_entries();
    let mut store: BTreeMap<(String, String), Copy> = BTreeMap::new();
    for s in &input.store {
        // A stored key that does not decode cannot be compared; the bundle must then not replace it.
        if let Ok(key) = ExportedSessionKey::from_base64(&s.session_key) {
            store.insert(
                (s.room_id.clone(), s.session_id.clone()),
                Copy {
                    key,
                    from_this_bundle: false,
                    authenticated: s.provenance == Provenance::RoomKey,
                },
            );
        }
    }
    let mut kept = std::collections::BTreeSet::new();
    for entry in &parsed.room_keys {
        let k = &entry.value;
        if k.room_id != room_id {
            skipped.push(SkippedEntry {
                source: entry.source.clone(),
                rule: Some("R40".into()),
                reason: format!("key for {} in a bundle for {room_id}", k.room_id),
            });
            continue;
        }
        let slot = (k.room_id.clone(), k.session_id.clone());
        match store.get(&slot) {
            None => {
                store.insert(
                    slot,
                    Copy {
                        key: k.session_key.clone(),
                        from_this_bundle: true,
                        authenticated: false,
                    },
                );
            }
            Some(held) => match held.key.compare(&k.session_key) {
                RatchetOrdering::Unconnected => skipped.push(SkippedEntry {
                    source: entry.source.clone(),
                    rule: Some("R42".into()),
                    reason: "the ratchet does not connect to the stored copy of this session"
                        .into(),
                }),
                RatchetOrdering::Equal | RatchetOrdering::Worse => {
                    if !held.from_this_bundle {
                        kept.insert(k.session_id.clone());
                    }
                }
                RatchetOrdering::Better if held.authenticated => {
                    // Never trade an authenticated copy for one only the forwarder vouches for (R44).
                    kept.insert(k.session_id.clone());
                }
                RatchetOrdering::Better => {
                    kept.remove(&k.session_id);
                    store.insert(
                        slot,
                        Copy {
                            key: k.session_key.clone(),
                            from_this_bundle: true,
                            authenticated: false,
                        },
                    );
                }
            },
        }
    }
    let imported = store
        .iter()
        .filter(|(_, c)| c.from_this_bundle)
        .map(|((room, sid), c)| ImportedSession {
            room_id: room.clone(),
            session_id: sid.clone(),
            first_known_index: c.key.index,
            forwarder: sender.to_owned(),
        })
        .collect::<Vec<_>>();
    let kept_existing = kept
        .into_iter()
        .filter(|sid| !imported.iter().any(|i| &i.session_id == sid))
        .collect();
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
