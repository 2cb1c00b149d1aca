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
use crate::wire::olm::{
    self, KnownDevice, ReceivedToDevice, Recipient, SenderIdentity, SenderTrust,
};
use crate::wire::{bundle, to_device};

/// The recipient's membership in the bundle's room, now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// Joined.
    Join,
    /// Invited, not joined.
    Invite,
    /// Left or kicked.
    Leave,
    /// Banned.
    Ban,
    /// Knocking.
    Knock,
    /// No membership at all.
    None,
}

/// The recipient's record of an invite to the room (its "pending key bundle" record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRecord {
    /// The `sender` of the recipient's `m.room.member` invite event.
    pub inviter: String,
    /// When this device accepted the invite (ms since the epoch); `None` if not accepted.
    pub accepted_at_ms: Option<u64>,
    /// Whether the acceptance was recorded by *this* device (digest D10).
    pub accepted_on_this_device: bool,
}

/// A session already in the recipient's store, as the merge sees it (R42, R44).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// The stored export-format key; `None` if the stored key does not decode (such a copy
    /// cannot be compared, so it is never replaced).
    pub session_key: Option<ExportedSessionKey>,
    /// Whether the copy came from the session creator's own `m.room_key` (authenticated), rather
    /// than from a backup, a key export or an earlier bundle.
    pub authenticated: bool,
}

/// What downloading the bundle's `mxc://` URL yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Download {
    /// The media repository served these bytes.
    Served(Vec<u8>),
    /// 404 `M_NOT_FOUND`: deleted or expired.
    NotFound,
    /// The download failed for another reason, given in words.
    Failed(String),
}

/// What the recipient knows about the room and the sender before it handles a bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientState {
    /// The room the invite record and the membership are about.
    pub room_id: String,
    /// The recipient's membership in that room, now.
    pub membership: Membership,
    /// The invite record for that room, if any.
    pub invite: Option<InviteRecord>,
    /// How long after accepting the invite a bundle is still downloaded, in ms (the spec
    /// recommends 24 h).
    pub acceptance_window_ms: u64,
    /// Devices already known to the recipient.
    pub known_devices: Vec<KnownDevice>,
    /// The sender's cross-signing identity, if the recipient has it.
    pub sender_identity: Option<SenderIdentity>,
    /// Sessions already in the store.
    pub store: Vec<StoredSession>,
}

/// A received `m.room_key_bundle` and everything the decision depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRequest {
    /// The receiving device.
    pub recipient: Recipient,
    /// The received to-device event.
    pub event: ReceivedToDevice,
    /// What the recipient knows.
    pub state: ClientState,
    /// The clock (ms since the epoch).
    pub now_ms: u64,
    /// What downloading the bundle's URL yields.
    pub download: Download,
}

/// What the recipient did with the bundle as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImportDecision {
    /// Downloaded, decrypted, parsed and used (possibly importing nothing new).
    Imported,
    /// Recorded for later; not downloaded (R33, R35, R36).
    Deferred,
    /// Thrown away without download: bad envelope, bad content, untrusted sender.
    Discarded,
    /// Downloaded but refused: hash mismatch, undecryptable, unparsable.
    Rejected,
    /// The download failed (media gone); handled gracefully (R39).
    Failed,
}

/// A session written to the store by the import.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImportedSession {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// First known index of the stored copy after the import.
    pub first_known_index: u32,
    /// The forwarder recorded for it (the bundle's sender) (R41).
    pub forwarder: String,
}

/// A withheld entry recorded by the import.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RecordedWithheld {
    /// Room.
    pub room_id: String,
    /// Session ID.
    pub session_id: String,
    /// Code, normalised to the stable spelling.
    pub code: String,
}

/// What the import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportResult {
    /// What happened to the bundle.
    pub decision: ImportDecision,
    /// Why the bundle was not imported; `None` when it was.
    pub violation: Option<Violation>,
    /// Sessions written or improved.
    pub imported: Vec<ImportedSession>,
    /// Session IDs offered by the bundle where the stored copy was kept as it was.
    pub kept_existing: Vec<String>,
    /// Withheld entries recorded.
    pub withheld: Vec<RecordedWithheld>,
    /// Entries dropped on their own: their JSON pointer in the bundle, and the rule they break.
    pub skipped: Vec<(String, Violation)>,
}

fn not_imported(decision: ImportDecision, v: Violation) -> ImportResult {
    ImportResult {
        decision,
        violation: Some(v),
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
pub fn decide(input: &ImportRequest) -> ImportResult {
    decide_with(input, Omit::default())
}

/// [`decide`], leaving out the checks `omit` names.
pub fn decide_with(input: &ImportRequest, omit: Omit) -> ImportResult {
    use ImportDecision::*;
    let state = &input.state;
    let envelope = match olm::validate(&input.recipient, &input.event, &state.known_devices) {
        Ok(e) => e,
        Err(v) => return not_imported(Discarded, v),
    };
    let content = match to_device::parse_content(&envelope.event_type, &envelope.content) {
        Ok(c) => c,
        Err(v) => return not_imported(Discarded, v),
    };
    match olm::sender_trust(&envelope, state.sender_identity.as_ref()) {
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
    let ciphertext = match &input.download {
        Download::NotFound => {
            return not_imported(
                Failed,
                Violation::new(
                    "R39",
                    "/file/url",
                    "the media repository answered 404 M_NOT_FOUND",
                ),
            );
        }
        Download::Failed(reason) => {
            return not_imported(Failed, Violation::new("R39", "/file/url", reason.clone()));
        }
        Download::Served(ciphertext) => ciphertext,
    };
    let plaintext = match crate::attachment::decrypt_slice(
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

fn check_invite(input: &ImportRequest, sender: &str, bundle_room: &str) -> Result<(), Violation> {
    let state = &input.state;
    let invite = state.invite.as_ref().ok_or_else(|| {
        Violation::new(
            "R33",
            "/invite",
            "no invite to this room is on record: the bundle is stored, not downloaded",
        )
    })?;
    if bundle_room != state.room_id {
        return Err(Violation::new(
            "R33",
            "/content/room_id",
            format!(
                "the bundle is for {bundle_room}, not for {} where the invite was accepted",
                state.room_id
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
    if state.membership != Membership::Join {
        return Err(Violation::new(
            "R34",
            "/membership",
            "the recipient is no longer joined to the room",
        ));
    }
    if input.now_ms.saturating_sub(accepted_at) >= state.acceptance_window_ms {
        return Err(Violation::new(
            "R36",
            "/invite/accepted_at_ms",
            format!(
                "the invite was accepted {} ms ago, outside the {} ms window",
                input.now_ms.saturating_sub(accepted_at),
                state.acceptance_window_ms
            ),
        ));
    }
    Ok(())
}

/// A session already in the store, as the merge sees it.
enum Held<'a> {
    /// A copy whose key decodes; `authenticated` if it came from the creator's own `m.room_key`.
    Key {
        key: &'a ExportedSessionKey,
        authenticated: bool,
    },
    /// A copy whose stored key does not decode: it cannot be compared, so it is never replaced.
    Opaque,
}

fn skip(skipped: &mut Vec<(String, Violation)>, source: &str, rule: &'static str, reason: &str) {
    skipped.push((source.to_owned(), Violation::new(rule, source, reason)));
}

fn import_entries(
    input: &ImportRequest,
    sender: &str,
    room_id: &str,
    parsed: &bundle::RoomKeyBundle,
) -> ImportResult {
    let mut skipped = parsed.skipped.clone();
    let mut store: BTreeMap<(String, String), Held<'_>> = BTreeMap::new();
    for s in &input.state.store {
        let held = match &s.session_key {
            Some(key) => Held::Key {
                key,
                authenticated: s.authenticated,
            },
            None => Held::Opaque,
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
            _ => skip(
                &mut skipped,
                &entry.source,
                "R45",
                &format!("withheld entry is not for {room_id}"),
            ),
        }
    }
    withheld.sort();
    withheld.dedup();
    ImportResult {
        decision: ImportDecision::Imported,
        violation: None,
        imported,
        kept_existing,
        withheld,
        skipped,
    }
}
