//! `bundle-building/audit.json`: candidate bundles that check the suite's bundle auditor itself.

use super::*;

/// The audit store: two shareable and two non-shareable sessions of the room, and a shareable
/// session of another room.
struct AuditStore {
    own_shared: Sess,
    room_key_true: Sess,
    room_key_false: Sess,
    forwarded: Sess,
    other_room: Sess,
}

impl AuditStore {
    fn new() -> Self {
        AuditStore {
            own_shared: Sess::new("audit/own-shared", own(Some(json!("shared")))),
            room_key_true: Sess::new(
                "audit/room-key-true",
                room_key(flag(Some(SHARED_HISTORY), json!(true))),
            )
            .at(3),
            room_key_false: Sess::new(
                "audit/room-key-false",
                room_key(flag(Some(SHARED_HISTORY), json!(false))),
            ),
            forwarded: Sess::new("audit/forwarded", forwarded(Map::new())),
            other_room: Sess::new("audit/other-room", own(Some(json!("shared"))))
                .in_room(OTHER_ROOM),
        }
    }

    fn store(&self) -> Value {
        store(&[
            &self.own_shared,
            &self.room_key_true,
            &self.room_key_false,
            &self.forwarded,
            &self.other_room,
        ])
    }

    fn keys(&self) -> Vec<Value> {
        vec![self.own_shared.entry(), self.room_key_true.entry()]
    }

    fn withheld(&self) -> Vec<Value> {
        vec![
            self.room_key_false.withheld(HISTORY_NOT_SHARED),
            self.forwarded.withheld(HISTORY_NOT_SHARED),
        ]
    }

    /// The conformant bundle.
    fn good(&self) -> Value {
        json!({"room_keys": self.keys(), "withheld": self.withheld()})
    }
}

fn candidate(keys: Vec<Value>, withheld: Vec<Value>) -> Value {
    json!({"candidate": {"room_keys": keys, "withheld": withheld}})
}

pub(super) fn audit_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "audit",
        "The suite's bundle auditor: it must find the first broken rule (B1, R15, B2, R16, R14, R12, R13, in that order) in a bundle built for a known store, and pass a conformant one.",
        module_path!(),
    );
    let a = AuditStore::new();
    let mut ctx = build_context(Some("shared"));
    ctx.insert("operation".into(), json!("audit"));
    ctx.insert("store".into(), a.store());
    let mut g = new_group(
        "audit",
        "Candidate bundles for one store: own session (shared), m.room_key true at index 3, m.room_key false, a forwarded key, and a shareable session of another room.",
        IdentifierVariant::Stable,
        ctx.clone(),
    );
    audit_conformant(&mut g, &a);
    audit_violations(&mut g, &a);
    audit_item_format(&mut g, &a);
    f.file.groups.push(g.finish());

    let mut g = new_group(
        "audit-unstable",
        "Candidates that use the unstable withheld code.",
        IdentifierVariant::Unstable,
        ctx,
    );
    let mut withheld = a.withheld();
    withheld[0]["code"] = json!(HISTORY_NOT_SHARED_UNSTABLE);
    g.push(
        spec(
            "unstable-code",
            &["R16", "R13"],
            "The non-shareable session is withheld with the unstable code io.element.msc4268.history_not_shared: still valid withheld content (custom codes are allowed, and receivers understand both spellings, B4), so the bundle is conformant.",
            &[BugClass::Legacy],
        ),
        Verdict::Valid,
        candidate(a.keys(), withheld),
        conformant(),
    );
    f.file.groups.push(g.finish());
    f
}

fn audit_conformant(g: &mut GroupBuilder, a: &AuditStore) {
    g.push(
        spec(
            "conformant",
            &["R12", "R13", "R14", "R15", "R16", "B1", "B2", "B5"],
            "Exactly what the reference builds: both shareable sessions of the room with the six fields, both non-shareable ones withheld with m.history_not_shared, nothing from the other room.",
            &[],
        ),
        Verdict::Valid,
        json!({"candidate": a.good()}),
        conformant(),
    );
    let mut withheld: Vec<Value> = a
        .withheld()
        .into_iter()
        .map(|mut w| {
            if let Some(o) = w.as_object_mut() {
                o.remove("reason");
                o.remove("from_device");
            }
            w
        })
        .collect();
    withheld.reverse();
    let mut keys = a.keys();
    keys.reverse();
    g.push(
        spec(
            "minimal-withheld-reordered",
            &["R16", "R13"],
            "Withheld entries without the optional reason and from_device, and both arrays in another order: order carries no meaning and those members are optional.",
            &[],
        ),
        Verdict::Valid,
        candidate(keys, withheld),
        conformant(),
    );
    let later = Sess {
        index: 9,
        ..a.own_shared.clone()
    };
    g.push(
        spec(
            "later-index",
            &["R12", "R15"],
            "The own session is exported at index 9 although the store has it from index 0: the same session, only less of it, so still a shareable session of the store.",
            &[],
        ),
        Verdict::Valid,
        candidate(vec![later.entry(), a.room_key_true.entry()], a.withheld()),
        conformant(),
    );
    let remote = Sess::new("audit/remote-withheld", own(None));
    let mut withheld = a.withheld();
    withheld.push(remote.received(HISTORY_NOT_SHARED));
    g.push(
        spec(
            "passed-on-withheld",
            &["R13", "R16"],
            "An extra withheld entry for a session the store does not hold (passed on from an earlier bundle): allowed.",
            &[],
        ),
        Verdict::Valid,
        candidate(a.keys(), withheld),
        conformant(),
    );
    let mut withheld = a.withheld();
    withheld.push(a.room_key_true.withheld(HISTORY_NOT_SHARED));
    g.push(
        spec(
            "shareable-withheld",
            &["R12", "R13"],
            "The m.room_key-true session is withheld instead of shared. Nothing requires sharing every shareable session (R12 only limits room_keys), so the bundle is conformant; whether a builder shares enough is checked by the build cases, not the auditor.",
            &[],
        ),
        Verdict::Valid,
        candidate(vec![a.own_shared.entry()], withheld),
        conformant(),
    );
}

fn audit_violations(g: &mut GroupBuilder, a: &AuditStore) {
    let mut withheld = a.withheld();
    withheld.push(a.own_shared.withheld(HISTORY_NOT_SHARED));
    g.push(
        spec(
            "in-both-arrays",
            &["R14"],
            "The own session is in room_keys and also in withheld: a session must never be in both (R14); receivers would have to guess (R43).",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Invalid,
        candidate(a.keys(), withheld),
        violation("R14"),
    );
    /// name, room_keys, withheld, rule, flags, comment.
    type Bad<'a> = (
        &'a str,
        Vec<Value>,
        Vec<Value>,
        &'a str,
        &'a [BugClass],
        &'a str,
    );
    let violations: [Bad; 9] = [
        (
            "not-shareable-in-room-keys",
            vec![
                a.own_shared.entry(),
                a.room_key_true.entry(),
                a.room_key_false.entry(),
            ],
            vec![a.forwarded.withheld(HISTORY_NOT_SHARED)],
            "R12",
            &[BugClass::Confidentiality],
            "The session received with shared_history false is shared: room_keys may carry only shareable sessions (R12).",
        ),
        (
            "forwarded-in-room-keys",
            vec![
                a.own_shared.entry(),
                a.room_key_true.entry(),
                a.forwarded.entry(),
            ],
            vec![a.room_key_false.withheld(HISTORY_NOT_SHARED)],
            "R12",
            &[BugClass::Confidentiality, BugClass::KeyPlanting],
            "The session received by m.forwarded_room_key is shared: forwarded keys are never shareable (R12).",
        ),
        (
            "other-room-key",
            {
                let mut k = a.keys();
                k.push(a.other_room.entry());
                k
            },
            a.withheld(),
            "R12",
            &[BugClass::Confidentiality],
            "A shareable session of another room is in room_keys: only sessions of the invite's room may be (R12).",
        ),
        (
            "other-room-key-relabelled",
            {
                let mut k = a.keys();
                k.push(
                    Sess {
                        room: ROOM.into(),
                        ..a.other_room.clone()
                    }
                    .entry(),
                );
                k
            },
            a.withheld(),
            "R12",
            &[BugClass::Confidentiality, BugClass::Spoofing],
            "The other room's session is in room_keys with its room_id rewritten to the invite's room: the store has no such session for this room (R12).",
        ),
        (
            "unknown-session",
            {
                let mut k = a.keys();
                k.push(Sess::new("audit/unknown", own(Some(json!("shared")))).entry());
                k
            },
            a.withheld(),
            "R12",
            &[BugClass::KeyPlanting],
            "A session the inviter's store does not hold is in room_keys: a bundle carries the inviter's own shareable sessions only (R12).",
        ),
        (
            "spoofed-sender-key",
            vec![
                {
                    let mut e = a.own_shared.entry();
                    e["sender_key"] =
                        json!(Device::new(MALLORY_ON_HS1, MALLORY_ON_HS1_DEVICE).curve25519());
                    e
                },
                a.room_key_true.entry(),
            ],
            a.withheld(),
            "R12",
            &[BugClass::Spoofing],
            "The own session is attributed to another device's Curve25519 key than the store records: the entry is not the stored session as the inviter knows it (R12).",
        ),
        (
            "spoofed-claimed-ed25519",
            vec![a.own_shared.entry(), {
                let mut e = a.room_key_true.entry();
                e["sender_claimed_keys"]["ed25519"] =
                    json!(Device::new(MALLORY_ON_HS1, MALLORY_ON_HS1_DEVICE).ed25519());
                e
            }],
            a.withheld(),
            "R12",
            &[BugClass::Spoofing],
            "The m.room_key session claims another device's Ed25519 key than the store records (R12).",
        ),
        (
            "forged-ratchet",
            vec![
                {
                    let real = a.own_shared.key();
                    let mut ratchet = [[0u8; 32]; 4];
                    for (i, part) in ratchet.iter_mut().enumerate() {
                        *part = material::seed(&format!("audit/forged-ratchet/R{i}"));
                    }
                    let forged = ExportedSessionKey {
                        index: 0,
                        ratchet,
                        signing_key: real.signing_key,
                    };
                    let mut e = a.own_shared.entry();
                    e["session_key"] = json!(forged.to_base64());
                    e
                },
                a.room_key_true.entry(),
            ],
            a.withheld(),
            "R12",
            &[BugClass::KeyPlanting],
            "The own session's entry keeps its session_id and Ed25519 key but carries a ratchet that is not the stored one (it does not connect at any index): not the store's session (R12).",
        ),
        (
            "missing-withheld",
            a.keys(),
            vec![a.forwarded.withheld(HISTORY_NOT_SHARED)],
            "R13",
            &[BugClass::SchemaViolation],
            "The session received with shared_history false is neither shared nor withheld: every non-shareable session of the room should be listed in withheld (R13).",
        ),
    ];
    for (name, keys, withheld, rule, flags, comment) in violations {
        g.push(
            spec(name, &[rule], comment, flags),
            Verdict::Invalid,
            candidate(keys, withheld),
            violation(rule),
        );
    }
    g.push(
        spec(
            "missing-withheld-forwarded",
            &["R13"],
            "The forwarded session is neither shared nor withheld (R13).",
            &[BugClass::SchemaViolation],
        ),
        Verdict::Invalid,
        candidate(
            a.keys(),
            vec![a.room_key_false.withheld(HISTORY_NOT_SHARED)],
        ),
        violation("R13"),
    );
    let mut input = candidate(
        vec![
            a.own_shared.entry(),
            a.room_key_true.entry(),
            a.room_key_false.entry(),
        ],
        vec![a.forwarded.withheld(HISTORY_NOT_SHARED)],
    );
    input["history_visibility"] = json!("joined");
    g.push(
        spec(
            "joined-does-not-widen",
            &["R12", "R11"],
            "Current visibility is joined, where the inviter may send nothing (R11); sending anyway is allowed, but not sending non-shareable sessions: the m.room_key-false session in room_keys still breaks R12.",
            &[BugClass::Confidentiality],
        ),
        Verdict::Invalid,
        input,
        violation("R12"),
    );
}

fn audit_item_format(g: &mut GroupBuilder, a: &AuditStore) {
    // Each of the six members missing.
    for field in [
        "algorithm",
        "room_id",
        "sender_key",
        "sender_claimed_keys",
        "session_id",
        "session_key",
    ] {
        let mut e = a.own_shared.entry();
        if let Some(o) = e.as_object_mut() {
            o.remove(field);
        }
        g.push(spec(&format!("key-missing-{}", field.replace('_', "-")), &["R15"], &format!(
                "A room_keys item without `{field}`: each item must have all six HistoricRoomKey fields (R15)."
            ), &[BugClass::SchemaViolation]), Verdict::Invalid, candidate(vec![e, a.room_key_true.entry()], a.withheld()), violation("R15"));
    }
    let bad_entries: [(&str, &str, Value, &[BugClass], &str); 6] = [
        (
            "sharing-format-key",
            "session_key",
            json!(sharing_format_key(&a.own_shared.label, 0)),
            &[BugClass::SchemaViolation],
            "session_key is the same session in the sharing format (version 0x02, signed), as in m.room_key: a bundle must carry the export format, version 0x01, 165 bytes (R15).",
        ),
        (
            "truncated-key",
            "session_key",
            json!(b64::encode(&a.own_shared.key().to_bytes()[..164])),
            &[BugClass::SchemaViolation, BugClass::EdgeCase],
            "session_key decodes to 164 bytes, one short of the export format (R15).",
        ),
        (
            "wrong-algorithm",
            "algorithm",
            json!("m.megolm.v2.aes-sha2"),
            &[BugClass::SchemaViolation],
            "A room_keys item whose algorithm is not m.megolm.v1.aes-sha2: receivers would skip it (B3), and a builder must not write it (R15).",
        ),
        (
            "claimed-keys-not-object",
            "sender_claimed_keys",
            json!(carol().ed25519()),
            &[BugClass::SchemaViolation],
            "sender_claimed_keys is the bare Ed25519 key instead of an object {\"ed25519\": key} (R15).",
        ),
        (
            "room-id-not-room-id",
            "room_id",
            json!("#history:hs1.test"),
            &[BugClass::SchemaViolation],
            "room_id is a room alias, not a room ID (R15).",
        ),
        (
            "sender-key-wrong-length",
            "sender_key",
            json!(b64::encode([7u8; 31])),
            &[BugClass::SchemaViolation],
            "sender_key decodes to 31 bytes, not a Curve25519 key (R15).",
        ),
    ];
    for (name, field, value, flags, comment) in bad_entries {
        let mut e = a.own_shared.entry();
        e[field] = value;
        g.push(
            spec(name, &["R15"], comment, flags),
            Verdict::Invalid,
            candidate(vec![e, a.room_key_true.entry()], a.withheld()),
            violation("R15"),
        );
    }
    let mut e = a.own_shared.entry();
    e["forwarding_curve25519_key_chain"] = json!([]);
    g.push(
        spec(
            "extra-forwarding-chain",
            &["R15"],
            "A room_keys item with a seventh member, forwarding_curve25519_key_chain (copied from an ExportedSessionData). R15 asks for exactly the six fields and the reference auditor holds builders to that; but receivers must tolerate unknown members and the spec schema does not forbid extras, so a conformant verdict is also acceptable.",
            &[BugClass::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        candidate(vec![e, a.room_key_true.entry()], a.withheld()),
        violation("R15"),
    ).also_acceptable = vec![conformant()];
    let mut e = a.own_shared.entry();
    e["session_id"] = json!(a.room_key_true.session_id());
    g.push(
        spec(
            "session-id-mismatch",
            &["B2"],
            "The own session's entry names the m.room_key session's ID: session_id must be the Ed25519 key inside session_key (B2).",
            &[BugClass::Spoofing],
        ),
        Verdict::Invalid,
        candidate(vec![e, a.room_key_true.entry()], a.withheld()),
        violation("B2"),
    );

    // withheld items.
    for (name, field, flags) in [
        (
            "withheld-missing-code",
            "code",
            &[BugClass::SchemaViolation][..],
        ),
        (
            "withheld-missing-sender-key",
            "sender_key",
            &[BugClass::SchemaViolation][..],
        ),
        (
            "withheld-missing-session-id",
            "session_id",
            &[BugClass::SchemaViolation][..],
        ),
        (
            "withheld-missing-algorithm",
            "algorithm",
            &[BugClass::SchemaViolation][..],
        ),
    ] {
        let mut withheld = a.withheld();
        if let Some(o) = withheld[0].as_object_mut() {
            o.remove(field);
        }
        g.push(spec(name, &["R16"], &format!(
                "A withheld item without `{field}`: withheld content requires algorithm, sender_key and code, and room_id/session_id for every code but m.no_olm (R16)."
            ), flags), Verdict::Invalid, candidate(a.keys(), withheld), violation("R16"));
    }
    let mut withheld = a.withheld();
    withheld[1]["reason"] = json!(7);
    g.push(
        spec(
            "withheld-reason-not-string",
            &["R16"],
            "A withheld item whose optional reason is a number: when present it must be a string (R16).",
            &[BugClass::SchemaViolation],
        ),
        Verdict::Invalid,
        candidate(a.keys(), withheld),
        violation("R16"),
    );

    // Bundle structure (B1).
    let structures: [(&str, Value, &str); 4] = [
        (
            "withheld-array-missing",
            json!({"candidate": {"room_keys": a.keys()}}),
            "The bundle has no withheld array. The schema does not require it and receivers may read it as empty (D3), but matrix-rust-sdk rejects such a bundle, so the suite asks builders to write both arrays (B5, suite hardening).",
        ),
        (
            "room-keys-array-missing",
            json!({"candidate": {"withheld": a.withheld()}}),
            "The bundle has no room_keys array: the schema does not require it (D3), but the suite asks builders to write both arrays for interoperability (B5, suite hardening).",
        ),
        (
            "room-keys-not-array",
            json!({"candidate": {"room_keys": a.own_shared.entry(), "withheld": a.withheld()}}),
            "room_keys is a single object instead of an array (B1).",
        ),
        (
            "bundle-not-object",
            json!({"candidate": [a.good()]}),
            "The bundle is a JSON array holding the bundle object, not the object itself (B1).",
        ),
    ];
    for (name, input, comment) in structures {
        // A missing array breaks only the suite's interoperability rule B5; the rest break B1.
        let rule = if name.ends_with("-array-missing") {
            "B5"
        } else {
            "B1"
        };
        g.push(
            spec(
                name,
                &[rule],
                comment,
                &[BugClass::SchemaViolation, BugClass::Interop],
            ),
            Verdict::Invalid,
            input,
            violation(rule),
        );
    }
}
