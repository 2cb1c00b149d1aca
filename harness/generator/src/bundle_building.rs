//! Generator for `bundle-building`: the inviter's bundle (R6, R11–R16, B1, B2; digest §1.3,
//! §2.1–§2.3) and the suite's bundle auditor.
//!
//! `build` cases give an inviter's store and expect the summary of the bundle it sends (or that it
//! sends nothing). The runner audits whatever an implementation builds before summarising it, so a
//! bundle that breaks R12–R16 shows up as a violation, never as a match. `audit` cases give a store
//! and a candidate bundle and check that the suite's auditor finds exactly the broken rule.
//!
//! Expectations are written by construction: each case knows which sessions it made shareable
//! (spec §Shareable encryption sessions) and which room each belongs to.

use ed25519_dalek::Signer;
use serde_json::{Map, Value, json};

use crate::case::{GroupBuilder, Spec, spec};
use crate::cast::{
    ALICE, ALICE_DEVICE, BOB_DEVICE, BOB_ON_HS1, CAROL, CAROL_DEVICE, MALLORY_ON_HS1,
    MALLORY_ON_HS1_DEVICE, OTHER_ROOM, ROOM,
};
use crate::{GeneratedFile, file};
use msc4268_corpus::fixture::{Flag, Verdict};
use msc4268_model::b64;
use msc4268_model::material::{self, Device};
use msc4268_model::megolm::{ExportedSessionKey, SHARING_VERSION};
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::{
    HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, IdentifierVariant, MEGOLM_V1, SHARED_HISTORY,
    SHARED_HISTORY_INTEROP, SHARED_HISTORY_UNSTABLE,
};

const CAT: Category = Category::BundleBuilding;
/// The inviter, who builds the bundle.
const INVITER: &str = ALICE;
/// The inviter's device.
const INVITER_DEVICE: &str = ALICE_DEVICE;
/// The user who forwarded a key to the inviter.
const FORWARDER: &str = BOB_ON_HS1;
const NOT_SHARED_REASON: &str = "The sender disabled sharing encrypted history.";

/// Every fixture file of this category.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        shareability_file(),
        room_filter_file(),
        visibility_file(),
        transitive_file(),
        empty_file(),
        audit_file(),
    ]
}

/// A Megolm session `label` at `index` in the *sharing* format (`m.room_key`): version `0x02`,
/// index, ratchet, Ed25519 key, and the session key's signature over all of that.
pub(super) fn sharing_format_key(label: &str, index: u32) -> String {
    let k = material::megolm_session(label, index);
    let mut bytes = vec![SHARING_VERSION];
    bytes.extend_from_slice(&k.index.to_be_bytes());
    for part in &k.ratchet {
        bytes.extend_from_slice(part);
    }
    bytes.extend_from_slice(&k.signing_key);
    let signature = material::ed25519(&format!("megolm/{label}")).sign(&bytes);
    bytes.extend_from_slice(&signature.to_bytes());
    b64::encode(bytes)
}

// ---------------------------------------------------------------------------------------------
// Sessions and origins

fn carol() -> Device {
    Device::new(CAROL, CAROL_DEVICE)
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// Own session created while visibility was `v` (`None`: no visibility event).
fn own(v: Option<Value>) -> Value {
    match v {
        Some(v) => json!({"via": "own", "visibility_at_creation": v}),
        None => json!({"via": "own"}),
    }
}

/// Flag members: `member` = `value`, or none when `member` is `None`.
fn flag(member: Option<&str>, value: Value) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(member) = member {
        m.insert(member.into(), value);
    }
    m
}

fn room_key(flags: Map<String, Value>) -> Value {
    json!({"via": "room_key", "content": flags})
}

fn key_backup(flags: Map<String, Value>) -> Value {
    json!({"via": "key_backup", "session_data": flags})
}

fn key_export(flags: Map<String, Value>) -> Value {
    json!({"via": "key_export", "session_data": flags})
}

fn from_bundle() -> Value {
    json!({"via": "room_key_bundle", "forwarder": FORWARDER})
}

fn forwarded(flags: Map<String, Value>) -> Value {
    json!({"via": "forwarded_room_key", "content": flags})
}

/// A session in the inviter's store.
#[derive(Clone)]
struct Sess {
    label: String,
    room: String,
    index: u32,
    creator: Device,
    origin: Value,
}

impl Sess {
    fn new(label: &str, origin: Value) -> Self {
        Sess {
            label: format!("bundle-building/{label}"),
            room: ROOM.into(),
            index: 0,
            creator: carol(),
            origin,
        }
    }

    fn in_room(mut self, room: &str) -> Self {
        self.room = room.into();
        self
    }

    fn at(mut self, index: u32) -> Self {
        self.index = index;
        self
    }

    fn key(&self) -> ExportedSessionKey {
        material::megolm_session(&self.label, self.index)
    }

    fn session_id(&self) -> String {
        self.key().session_id()
    }

    fn store(&self) -> Value {
        json!({
            "room_id": self.room,
            "session_id": self.session_id(),
            "session_key": self.key().to_base64(),
            "sender_key": self.creator.curve25519(),
            "sender_claimed_ed25519": self.creator.ed25519(),
            "origin": self.origin,
        })
    }

    /// The `room_keys` entry a correct builder writes.
    fn entry(&self) -> Value {
        json!({
            "algorithm": MEGOLM_V1,
            "room_id": self.room,
            "sender_key": self.creator.curve25519(),
            "sender_claimed_keys": {"ed25519": self.creator.ed25519()},
            "session_id": self.session_id(),
            "session_key": self.key().to_base64(),
        })
    }

    /// The `withheld` entry a correct builder writes.
    fn withheld(&self, code: &str) -> Value {
        json!({
            "algorithm": MEGOLM_V1,
            "code": code,
            "reason": NOT_SHARED_REASON,
            "room_id": self.room,
            "session_id": self.session_id(),
            "sender_key": self.creator.curve25519(),
            "from_device": INVITER_DEVICE,
        })
    }

    /// The withheld entry as the inviter received it from an earlier bundle (another builder).
    fn received(&self, code: &str) -> Value {
        let mut w = self.withheld(code);
        w["from_device"] = json!("BOBDEV");
        w
    }

    fn built_key(&self) -> Value {
        json!({"room_id": self.room, "session_id": self.session_id(), "first_known_index": self.index})
    }

    fn built_withheld(&self) -> Value {
        json!({"room_id": self.room, "session_id": self.session_id(), "code": HISTORY_NOT_SHARED})
    }
}

fn store(sessions: &[&Sess]) -> Value {
    Value::Array(sessions.iter().map(|s| s.store()).collect())
}

fn bundle(keys: &[&Sess], withheld: &[&Sess]) -> Value {
    json!({
        "outcome": "bundle",
        "room_keys": keys.iter().map(|s| s.built_key()).collect::<Vec<_>>(),
        "withheld": withheld.iter().map(|s| s.built_withheld()).collect::<Vec<_>>(),
    })
}

fn nothing() -> Value {
    json!({"outcome": "nothing"})
}

fn conformant() -> Value {
    json!({"outcome": "conformant"})
}

fn violation(rule: &str) -> Value {
    json!({"outcome": "violation", "rule": rule})
}

fn build_context(visibility: Option<&str>) -> Map<String, Value> {
    let mut m = obj(json!({
        "operation": "build",
        "room_id": ROOM,
        "inviter_user_id": INVITER,
        "inviter_device_id": INVITER_DEVICE,
    }));
    if let Some(v) = visibility {
        m.insert("history_visibility".into(), json!(v));
    }
    m
}

fn new_group(
    id: &str,
    description: &str,
    identifiers: IdentifierVariant,
    context: Map<String, Value>,
) -> GroupBuilder {
    GroupBuilder::new(CAT, id, description, identifiers).with_context(context)
}

/// A one-session store whose session must land in `room_keys` (`shared`) or `withheld`.
fn single(
    g: &mut GroupBuilder,
    spec: Spec<'_>,
    result: Verdict,
    origin: Value,
    shared: bool,
    alternative: bool,
) {
    let s = Sess::new(&format!("{}/{}", g.id, spec.name), origin);
    let (expected, other) = if shared {
        (bundle(&[&s], &[]), bundle(&[], &[&s]))
    } else {
        (bundle(&[], &[&s]), bundle(&[&s], &[]))
    };
    let also = if alternative { vec![other] } else { vec![] };
    g.push(spec, result, json!({"store": store(&[&s])}), expected)
        .also_acceptable = also;
}

// ---------------------------------------------------------------------------------------------
// shareability.json

fn shareability_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "shareability",
        "Which sessions go into room_keys and which into withheld, by how the inviter got them (spec §Shareable encryption sessions). Current visibility is shared throughout.",
        module_path!(),
    );
    f.file.groups.push(own_group().finish());
    for variant in [
        IdentifierVariant::Stable,
        IdentifierVariant::Unstable,
        IdentifierVariant::Interop,
    ] {
        f.file.groups.push(flag_group(variant).finish());
    }
    f.file.groups.push(chained_group().finish());
    f.file.groups.push(mixed_group().finish());
    f
}

fn own_group() -> GroupBuilder {
    let mut g = new_group(
        "shareability-own",
        "Sessions the inviter created itself, by the room's visibility when it created them.",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    for (name, vis, shared) in [
        ("own-shared", "shared", true),
        ("own-world-readable", "world_readable", true),
    ] {
        single(
            &mut g,
            spec(
                name,
                &["R12"],
                &format!(
                    "The inviter created the session while visibility was {vis}: condition 1 of the shareability definition holds, so the session goes into room_keys with its stored export key."
                ),
                &[],
            ),
            Verdict::Valid,
            own(Some(json!(vis))),
            shared,
            false,
        );
    }
    for (name, vis) in [("own-joined", "joined"), ("own-invited", "invited")] {
        single(
            &mut g,
            spec(
                name,
                &["R13", "R12"],
                &format!(
                    "The inviter created the session while visibility was {vis}: it is not shareable, so it must not be in room_keys (R12) and should be listed in withheld with m.history_not_shared (R13)."
                ),
                &[],
            ),
            Verdict::Valid,
            own(Some(json!(vis))),
            false,
            false,
        );
    }
    single(
        &mut g,
        spec(
            "own-no-visibility-event",
            &["R12"],
            "The room had no history_visibility event when the inviter created the session. The spec does not say how to flag it (digest D7): servers assume shared, and both SDKs flag such sessions shareable, which the reference follows; MSC3061 advised treating it as joined to fail safe, so withholding it is also acceptable.",
            &[Flag::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        own(None),
        true,
        true,
    );
    single(
        &mut g,
        spec(
            "own-unknown-visibility",
            &["R12"],
            "The visibility at creation was a value the spec does not define. Servers treat a value they do not understand as shared (history_visibility module), and the reference does the same; matrix-rust-sdk flags sessions created under a custom value not shareable, so withholding it is also acceptable.",
            &[Flag::SpecAmbiguity],
        ),
        Verdict::Acceptable,
        own(Some(json!("org.example.members_only"))),
        true,
        true,
    );
    single(
        &mut g,
        spec(
            "own-non-string-visibility",
            &["R13", "R12"],
            "The visibility at creation was a number, not a visibility value at all. The reference fails safe and treats the session as not shareable (withheld); since servers treat a value they do not understand as shared, sharing it is also acceptable.",
            &[Flag::SpecAmbiguity, Flag::SchemaViolation],
        ),
        Verdict::Acceptable,
        own(Some(json!(42))),
        false,
        true,
    );
    g
}

fn flag_group(variant: IdentifierVariant) -> GroupBuilder {
    let (member, vslug) = match variant {
        IdentifierVariant::Stable => (SHARED_HISTORY, "stable"),
        IdentifierVariant::Unstable => (SHARED_HISTORY_UNSTABLE, "unstable"),
        IdentifierVariant::Interop => (SHARED_HISTORY_INTEROP, "interop"),
    };
    let mut g = new_group(
        &format!("shareability-flag-{vslug}"),
        &format!(
            "Sessions received with a `{member}` flag ({vslug} spelling): by m.room_key, key backup, key export, and m.forwarded_room_key."
        ),
        variant,
        build_context(Some("shared")),
    );
    type Origin = fn(Map<String, Value>) -> Value;
    let structures: [(&str, &str, Origin, &str); 3] = [
        ("room-key", "m.room_key", room_key, "R4"),
        (
            "backup",
            "key backup (BackedUpSessionData)",
            key_backup,
            "R5",
        ),
        (
            "export",
            "a key export (ExportedSessionData)",
            key_export,
            "R5",
        ),
    ];
    let stable = variant == IdentifierVariant::Stable;
    let interop = variant == IdentifierVariant::Interop;
    for (slug, what, origin, rule) in structures {
        // true
        if interop {
            single(
                &mut g,
                spec(
                    &format!("{slug}-true"),
                    &["R12", rule],
                    &format!(
                        "Received through {what} with `m.shared_history: true`. No spec text defines that name; matrix-rust-sdk and ruma write it (digest D1). The reference reads it, so the session is shared; an implementation that reads only spec names sees no flag and withholds it, which is also acceptable."
                    ),
                    &[Flag::Interop],
                ),
                Verdict::Acceptable,
                origin(flag(Some(member), json!(true))),
                true,
                true,
            );
        } else {
            single(
                &mut g,
                spec(
                    &format!("{slug}-true"),
                    &["R12", rule],
                    &format!(
                        "Received through {what} with `{member}: true`: shareable, so it goes into room_keys."
                    ),
                    &[],
                ),
                Verdict::Valid,
                origin(flag(Some(member), json!(true))),
                true,
                false,
            );
        }
        // false
        single(
            &mut g,
            spec(
                &format!("{slug}-false"),
                &["R13", rule],
                &format!(
                    "Received through {what} with `{member}: false`: not shareable, so it is withheld with m.history_not_shared."
                ),
                if interop { &[Flag::Interop] } else { &[] },
            ),
            Verdict::Valid,
            origin(flag(Some(member), json!(false))),
            false,
            false,
        );
        if stable {
            single(
                &mut g,
                spec(
                    &format!("{slug}-missing"),
                    &["R3", "R13", rule],
                    &format!(
                        "Received through {what} without any flag member: a missing shared_history means not shareable (R3), so it is withheld."
                    ),
                    &[],
                ),
                Verdict::Valid,
                origin(flag(None, Value::Null)),
                false,
                false,
            );
        }
        // Non-boolean values: stable gets all three, the others one each.
        let bad: Vec<(&str, Value)> = if stable {
            vec![
                ("string-true", json!("true")),
                ("number-1", json!(1)),
                ("null", Value::Null),
            ]
        } else {
            vec![("string-true", json!("true"))]
        };
        for (bslug, v) in bad {
            let rules: &[&str] = if stable {
                &["R3", "R12", rule]
            } else {
                &[rule, "R3", "R12"]
            };
            let mut flags = vec![Flag::SchemaViolation];
            if interop {
                flags.push(Flag::Interop);
            }
            single(
                &mut g,
                spec(
                    &format!("{slug}-{bslug}"),
                    rules,
                    &format!(
                        "Received through {what} with `{member}: {v}`, which is not a boolean: it counts as false (R3), so the session must not be in room_keys (R12) and is withheld."
                    ),
                    &flags,
                ),
                Verdict::Invalid,
                origin(flag(Some(member), v)),
                false,
                false,
            );
        }
    }
    // m.forwarded_room_key carrying a flag in this spelling.
    let mut flags = vec![Flag::KeyPlanting];
    if interop {
        flags.push(Flag::Interop);
    }
    single(
        &mut g,
        spec(
            "forwarded-flag-true",
            &["R3", "R12"],
            &format!(
                "Received through m.forwarded_room_key carrying `{member}: true`. A forwarded key is never shareable (digest §1.2 \"Not a route\"): the spec adds no flag to this event, so the member is ignored and the session is withheld. Honouring it would let any forwarder make keys re-shareable. R5 does not cover this event; R3 is the closest rule."
            ),
            &flags,
        ),
        Verdict::Invalid,
        forwarded(flag(Some(member), json!(true))),
        false,
        false,
    );
    if stable {
        single(
            &mut g,
            spec(
                "forwarded-no-flag",
                &["R12", "R13"],
                "Received through m.forwarded_room_key with no flag: not a route to shareability, so withheld.",
                &[],
            ),
            Verdict::Valid,
            forwarded(Map::new()),
            false,
            false,
        );
    }
    g
}

fn chained_group() -> GroupBuilder {
    let mut g = new_group(
        "shareability-chained",
        "Sessions the inviter itself received in an earlier bundle (condition 5, R6).",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    single(
        &mut g,
        spec(
            "from-bundle",
            &["R6", "R12"],
            "The session arrived in an earlier room key bundle from Bob: such keys are shareable and are passed on (R6), so it goes into room_keys.",
            &[],
        ),
        Verdict::Valid,
        from_bundle(),
        true,
        false,
    );
    let s = Sess::new(
        "shareability-chained/from-bundle-later-index",
        from_bundle(),
    )
    .at(7);
    g.push(spec("from-bundle-later-index", &["R6", "R15"], "The earlier bundle carried the session from index 7: it is passed on as stored, exported at index 7.", &[]), Verdict::Valid, json!({"store": store(&[&s])}), bundle(&[&s], &[]));
    single(
        &mut g,
        spec(
            "forwarded-by-the-same-user",
            &["R6", "R12"],
            "The session came from Bob, the same user who sent the inviter bundles, but by m.forwarded_room_key rather than inside a bundle. Only keys that arrived inside a bundle count as shareable (R6); a forwarded one does not, so it is withheld.",
            &[Flag::KeyPlanting],
        ),
        Verdict::Invalid,
        forwarded(Map::new()),
        false,
        false,
    );
    g
}

fn mixed_group() -> GroupBuilder {
    let mut g = new_group(
        "shareability-mixed",
        "A store with sessions of every origin at once.",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    let p = "shareability-mixed/every-origin";
    let own_shared = Sess::new(&format!("{p}/own-shared"), own(Some(json!("shared"))));
    let own_joined = Sess::new(&format!("{p}/own-joined"), own(Some(json!("joined"))));
    let rk_true = Sess::new(
        &format!("{p}/room-key-true"),
        room_key(flag(Some(SHARED_HISTORY), json!(true))),
    )
    .at(2);
    let rk_false = Sess::new(
        &format!("{p}/room-key-false"),
        room_key(flag(Some(SHARED_HISTORY), json!(false))),
    );
    let backup = Sess::new(
        &format!("{p}/backup-true"),
        key_backup(flag(Some(SHARED_HISTORY), json!(true))),
    );
    let export = Sess::new(&format!("{p}/export-missing"), key_export(Map::new()));
    let chained = Sess::new(&format!("{p}/bundle"), from_bundle()).at(30);
    let fwd = Sess::new(&format!("{p}/forwarded"), forwarded(Map::new()));
    g.push(spec("every-origin", &["R12", "R13", "R14"], "Eight sessions of the room: own (shared), own (joined), m.room_key true at index 2, m.room_key false, backup true, export without flag, from a bundle at index 30, forwarded. The four shareable ones go into room_keys at their stored indices; the other four are withheld; none is in both.", &[]), Verdict::Valid, json!({"store": store(&[&own_shared, &own_joined, &rk_true, &rk_false, &backup, &export, &chained, &fwd])}), bundle(
            &[&own_shared, &rk_true, &backup, &chained],
            &[&own_joined, &rk_false, &export, &fwd],
        ));
    g
}

// ---------------------------------------------------------------------------------------------
// room-filter.json

fn room_filter_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "room-filter",
        "Only sessions of the invite's room appear in the bundle, in either array (R12, R13).",
        module_path!(),
    );
    let mut g = new_group(
        "room-filter",
        "Stores that mix sessions of the invite's room with sessions of other rooms.",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    let here = Sess::new("room-filter/here", own(Some(json!("shared"))));
    let cases: [(&str, &str, &str, Value, bool, &str); 4] = [
        (
            "other-room-shareable",
            "R12",
            OTHER_ROOM,
            own(Some(json!("shared"))),
            false,
            "A shareable session of another room must not be shared: room_keys carries only sessions of the invite's room (R12).",
        ),
        (
            "other-room-not-shareable",
            "R13",
            OTHER_ROOM,
            room_key(flag(Some(SHARED_HISTORY), json!(false))),
            false,
            "A non-shareable session of another room is not this room's business: it is not listed in withheld either (R13 covers the room's own sessions).",
        ),
        (
            "same-localpart-other-server",
            "R12",
            "!history:hs2.test",
            own(Some(json!("shared"))),
            true,
            "A session of `!history:hs2.test`, a different room whose ID differs from the invite's only in the server part: room IDs are compared whole, so it is excluded.",
        ),
        (
            "room-id-differs-in-case",
            "R12",
            "!History:hs1.test",
            own(Some(json!("shared"))),
            true,
            "A session of `!History:hs1.test`: room IDs are case-sensitive, so this is another room and its session is excluded.",
        ),
    ];
    for (name, rule, room, origin, edge, comment) in cases {
        let there = Sess::new(&format!("room-filter/{name}"), origin).in_room(room);
        g.push(
            spec(
                name,
                &[rule, "R12"][..if rule == "R12" { 1 } else { 2 }],
                comment,
                if edge { &[Flag::EdgeCase] } else { &[] },
            ),
            Verdict::Valid,
            json!({"store": store(&[&here, &there])}),
            bundle(&[&here], &[]),
        );
    }
    let there =
        Sess::new("room-filter/received-withheld-other-room", own(None)).in_room(OTHER_ROOM);
    g.push(spec("received-withheld-other-room", &["R13"], "The inviter earlier received an m.history_not_shared entry for another room: it is not passed on in this room's bundle.", &[]), Verdict::Valid, json!({"store": store(&[&here]), "received_withheld": [there.received(HISTORY_NOT_SHARED)]}), bundle(&[&here], &[]));
    f.file.groups.push(g.finish());
    f
}

// ---------------------------------------------------------------------------------------------
// visibility.json

fn visibility_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "visibility",
        "The room's current history visibility: the inviter may send nothing when it is joined or invited (R11, a MAY).",
        module_path!(),
    );
    let mut g = new_group(
        "visibility",
        "The same store (one shareable and one non-shareable session) under each current visibility.",
        IdentifierVariant::Stable,
        build_context(None),
    );
    let p = "visibility/store";
    let shared = Sess::new(&format!("{p}/shared"), own(Some(json!("shared"))));
    let unshared = Sess::new(
        &format!("{p}/not-shared"),
        room_key(flag(Some(SHARED_HISTORY), json!(false))),
    );
    let st = store(&[&shared, &unshared]);
    let full = bundle(&[&shared], &[&unshared]);
    let input = |v: Option<Value>| {
        let mut m = obj(json!({"store": st}));
        if let Some(v) = v {
            m.insert("history_visibility".into(), v);
        }
        Value::Object(m)
    };
    for vis in ["shared", "world_readable"] {
        g.push(spec(&format!("current-{}", vis.replace('_', "-")), &["R11", "R12", "R13"], &format!(
                "Current visibility {vis}: the opt-out does not apply, so the inviter shares: the shareable session in room_keys, the other withheld."
            ), &[]), Verdict::Valid, input(Some(json!(vis))), full.clone());
    }
    for vis in ["joined", "invited"] {
        g.push(spec(&format!("current-{vis}"), &["R11"], &format!(
                "Current visibility {vis}: the spec lets the inviter share nothing (R11, MAY), even sessions flagged shareable earlier; both SDKs and the reference skip. Sharing the bundle the store would give is also acceptable."
            ), &[Flag::SpecAmbiguity]), Verdict::Acceptable, input(Some(json!(vis))), nothing()).also_acceptable = vec![full.clone()];
    }
    g.push(spec("current-absent", &["R11", "R12"], "The room has no history_visibility event. The spec is silent (digest D7); servers assume shared, and both SDKs and the reference share. Treating it as joined and sending nothing is also acceptable.", &[Flag::SpecAmbiguity]), Verdict::Acceptable, input(None), full.clone()).also_acceptable = vec![nothing()];
    g.push(spec("current-unknown", &["R11", "R12"], "Current visibility is a value the spec does not define: servers treat a value they do not understand as shared, so the opt-out for joined/invited does not apply and the inviter shares.", &[Flag::EdgeCase]), Verdict::Valid, input(Some(json!("org.example.members_only"))), full.clone());
    g.push(spec("current-capitalised-joined", &["R11", "R12"], "Current visibility `Joined`: visibility values are case-sensitive, so this is not `joined` but a value not understood, which counts as shared; the inviter shares.", &[Flag::EdgeCase]), Verdict::Valid, input(Some(json!("Joined"))), full.clone());
    g.push(spec("current-non-string", &["R11", "R12"], "Current visibility is a number: not understood, so it counts as shared and the reference shares. Sending nothing is also acceptable for so broken a room state.", &[Flag::SchemaViolation, Flag::SpecAmbiguity]), Verdict::Acceptable, input(Some(json!(3))), full.clone()).also_acceptable = vec![nothing()];
    let only = Sess::new("visibility/joined-flagged-earlier", from_bundle());
    g.push(spec("current-joined-sessions-flagged-earlier", &["R11", "R6"], "Current visibility joined, and the store holds only a session that is shareable (it came in an earlier bundle). The opt-out applies even to sessions flagged shareable earlier: sending nothing is the reference's choice, sharing is also acceptable.", &[Flag::SpecAmbiguity]), Verdict::Acceptable, json!({"history_visibility": "joined", "store": store(&[&only])}), nothing()).also_acceptable = vec![bundle(&[&only], &[])];
    f.file.groups.push(g.finish());
    f
}

// ---------------------------------------------------------------------------------------------
// transitive.json

fn transitive_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "transitive",
        "m.history_not_shared entries the inviter received in an earlier bundle are passed on (as matrix-rust-sdk does), never beside a key for the same session (R14).",
        module_path!(),
    );
    f.file
        .groups
        .push(transitive_group(IdentifierVariant::Stable).finish());
    f.file
        .groups
        .push(transitive_group(IdentifierVariant::Unstable).finish());
    f
}

fn transitive_group(variant: IdentifierVariant) -> GroupBuilder {
    let (code, vslug) = match variant {
        IdentifierVariant::Unstable => (HISTORY_NOT_SHARED_UNSTABLE, "unstable"),
        _ => (HISTORY_NOT_SHARED, "stable"),
    };
    let mut g = new_group(
        &format!("transitive-{vslug}"),
        &format!("Received withheld entries with code `{code}`."),
        variant,
        build_context(Some("shared")),
    );
    let p = format!("transitive-{vslug}");
    let mine = Sess::new(&format!("{p}/mine"), own(Some(json!("shared"))));
    let remote = Sess::new(&format!("{p}/remote"), own(None));
    let written = if variant == IdentifierVariant::Unstable {
        " The entry arrived with the unstable code; the inviter writes the stable code, which every receiver understands (B4)."
    } else {
        ""
    };
    let mut flags = vec![Flag::SpecAmbiguity];
    if variant == IdentifierVariant::Unstable {
        flags.push(Flag::Legacy);
    }
    g.push(spec("passed-on", &["R13", "R14"], &format!(
            "The inviter holds one shareable session and earlier received a not-shared entry for a session it never had. The reference passes the entry on, so the chain of invitees keeps the reason (matrix-rust-sdk, test_transitive_history_share_with_withhelds). The spec does not require it, so leaving it out is also acceptable.{written}"
        ), &flags), Verdict::Acceptable, json!({"store": store(&[&mine]), "received_withheld": [remote.received(code)]}), bundle(&[&mine], &[&remote])).also_acceptable = vec![bundle(&[&mine], &[])];
    let now_shared = Sess::new(&format!("{p}/now-shared"), from_bundle());
    g.push(spec("now-shareable", &["R14", "R12"], "The inviter earlier received a not-shared entry for a session it has since obtained as a shareable key (from a later bundle). The key is shared, and the old entry must not be passed on beside it: no session may be in both arrays (R14). (matrix-rust-sdk does not dedupe here.)", &[]), Verdict::Valid, json!({"store": store(&[&now_shared]), "received_withheld": [now_shared.received(code)]}), bundle(&[&now_shared], &[]));
    if variant == IdentifierVariant::Stable {
        let also_mine = Sess::new(
            &format!("{p}/also-mine"),
            room_key(flag(Some(SHARED_HISTORY), json!(false))),
        );
        g.push(spec("already-withheld", &["R13"], "The inviter holds a non-shareable session and also received a not-shared entry for it. The reference lists it once. matrix-rust-sdk lists it twice (once from its store, once passed on); a duplicate entry breaks no rule, so that is also acceptable.", &[Flag::EdgeCase]), Verdict::Acceptable, json!({"store": store(&[&also_mine]), "received_withheld": [also_mine.received(code)]}), bundle(&[], &[&also_mine])).also_acceptable = vec![bundle(&[], &[&also_mine, &also_mine])];
        g.push(spec("only-received", &["R13"], "The inviter holds no session of the room, only a received not-shared entry. The reference sends a bundle with just that entry; sending nothing is also acceptable (nothing requires passing entries on).", &[Flag::SpecAmbiguity, Flag::EdgeCase]), Verdict::Acceptable, json!({"store": [], "received_withheld": [remote.received(code)]}), bundle(&[], &[&remote])).also_acceptable = vec![nothing()];
    }
    g
}

// ---------------------------------------------------------------------------------------------
// empty.json

fn empty_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "empty",
        "Nothing to send: an inviter with no sessions of the room sends no bundle (as both SDKs do).",
        module_path!(),
    );
    let mut g = new_group(
        "empty",
        "Stores with nothing for the invite's room.",
        IdentifierVariant::Stable,
        build_context(Some("shared")),
    );
    let empty_bundle = json!({"outcome": "bundle", "room_keys": [], "withheld": []});
    let elsewhere = Sess::new("empty/elsewhere", own(Some(json!("shared")))).in_room(OTHER_ROOM);
    let cases: [(&str, Value, &str); 3] = [
        (
            "empty-store",
            json!({"store": []}),
            "The inviter has no sessions at all. Both arrays would be empty, so the reference (like both SDKs) sends nothing; an empty bundle breaks no rule, so it is also acceptable.",
        ),
        (
            "only-other-rooms",
            json!({"store": store(&[&elsewhere])}),
            "The inviter's only session belongs to another room, so this room's bundle would be empty: nothing is sent (an empty bundle is also acceptable).",
        ),
        (
            "only-other-room-withheld",
            json!({"store": [], "received_withheld": [elsewhere.received(HISTORY_NOT_SHARED)]}),
            "The inviter's only received not-shared entry is for another room, so this room's bundle would be empty: nothing is sent (an empty bundle is also acceptable).",
        ),
    ];
    for (name, input, comment) in cases {
        g.push(
            spec(name, &["R12", "R13"], comment, &[Flag::EdgeCase]),
            Verdict::Acceptable,
            input,
            nothing(),
        )
        .also_acceptable = vec![empty_bundle.clone()];
    }
    f.file.groups.push(g.finish());
    f
}

// ---------------------------------------------------------------------------------------------
// audit.json

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

fn audit_file() -> GeneratedFile {
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
    g.push(spec("unstable-code", &["R16", "R13"], "The non-shareable session is withheld with the unstable code io.element.msc4268.history_not_shared: still valid withheld content (custom codes are allowed, and receivers understand both spellings, B4), so the bundle is conformant.", &[Flag::Legacy]), Verdict::Valid, candidate(a.keys(), withheld), conformant());
    f.file.groups.push(g.finish());
    f
}

fn audit_conformant(g: &mut GroupBuilder, a: &AuditStore) {
    g.push(spec("conformant", &["R12", "R13", "R14", "R15", "R16", "B1", "B2"], "Exactly what the reference builds: both shareable sessions of the room with the six fields, both non-shareable ones withheld with m.history_not_shared, nothing from the other room.", &[]), Verdict::Valid, json!({"candidate": a.good()}), conformant());
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
    g.push(spec("minimal-withheld-reordered", &["R16", "R13"], "Withheld entries without the optional reason and from_device, and both arrays in another order: order carries no meaning and those members are optional.", &[]), Verdict::Valid, candidate(keys, withheld), conformant());
    let later = Sess {
        index: 9,
        ..a.own_shared.clone()
    };
    g.push(spec("later-index", &["R12", "R15"], "The own session is exported at index 9 although the store has it from index 0: the same session, only less of it, so still a shareable session of the store.", &[]), Verdict::Valid, candidate(vec![later.entry(), a.room_key_true.entry()], a.withheld()), conformant());
    let remote = Sess::new("audit/remote-withheld", own(None));
    let mut withheld = a.withheld();
    withheld.push(remote.received(HISTORY_NOT_SHARED));
    g.push(spec("passed-on-withheld", &["R13", "R16"], "An extra withheld entry for a session the store does not hold (passed on from an earlier bundle): allowed.", &[]), Verdict::Valid, candidate(a.keys(), withheld), conformant());
    let mut withheld = a.withheld();
    withheld.push(a.room_key_true.withheld(HISTORY_NOT_SHARED));
    g.push(spec("shareable-withheld", &["R12", "R13"], "The m.room_key-true session is withheld instead of shared. Nothing requires sharing every shareable session (R12 only limits room_keys), so the bundle is conformant; whether a builder shares enough is checked by the build cases, not the auditor.", &[]), Verdict::Valid, candidate(vec![a.own_shared.entry()], withheld), conformant());
}

fn audit_violations(g: &mut GroupBuilder, a: &AuditStore) {
    let mut withheld = a.withheld();
    withheld.push(a.own_shared.withheld(HISTORY_NOT_SHARED));
    g.push(spec("in-both-arrays", &["R14"], "The own session is in room_keys and also in withheld: a session must never be in both (R14); receivers would have to guess (R43).", &[Flag::SpecAmbiguity]), Verdict::Invalid, candidate(a.keys(), withheld), violation("R14"));
    /// name, room_keys, withheld, rule, flags, comment.
    type Bad<'a> = (
        &'a str,
        Vec<Value>,
        Vec<Value>,
        &'a str,
        &'a [Flag],
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
            &[Flag::Confidentiality],
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
            &[Flag::Confidentiality, Flag::KeyPlanting],
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
            &[Flag::Confidentiality],
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
            &[Flag::Confidentiality, Flag::Spoofing],
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
            &[Flag::KeyPlanting],
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
            &[Flag::Spoofing],
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
            &[Flag::Spoofing],
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
            &[Flag::KeyPlanting],
            "The own session's entry keeps its session_id and Ed25519 key but carries a ratchet that is not the stored one (it does not connect at any index): not the store's session (R12).",
        ),
        (
            "missing-withheld",
            a.keys(),
            vec![a.forwarded.withheld(HISTORY_NOT_SHARED)],
            "R13",
            &[Flag::SchemaViolation],
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
            &[Flag::SchemaViolation],
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
    g.push(spec("joined-does-not-widen", &["R12", "R11"], "Current visibility is joined, where the inviter may send nothing (R11); sending anyway is allowed, but not sending non-shareable sessions: the m.room_key-false session in room_keys still breaks R12.", &[Flag::Confidentiality]), Verdict::Invalid, input, violation("R12"));
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
            ), &[Flag::SchemaViolation]), Verdict::Invalid, candidate(vec![e, a.room_key_true.entry()], a.withheld()), violation("R15"));
    }
    let bad_entries: [(&str, &str, Value, &[Flag], &str); 6] = [
        (
            "sharing-format-key",
            "session_key",
            json!(sharing_format_key(&a.own_shared.label, 0)),
            &[Flag::SchemaViolation],
            "session_key is the same session in the sharing format (version 0x02, signed), as in m.room_key: a bundle must carry the export format, version 0x01, 165 bytes (R15).",
        ),
        (
            "truncated-key",
            "session_key",
            json!(b64::encode(&a.own_shared.key().to_bytes()[..164])),
            &[Flag::SchemaViolation, Flag::EdgeCase],
            "session_key decodes to 164 bytes, one short of the export format (R15).",
        ),
        (
            "wrong-algorithm",
            "algorithm",
            json!("m.megolm.v2.aes-sha2"),
            &[Flag::SchemaViolation],
            "A room_keys item whose algorithm is not m.megolm.v1.aes-sha2: receivers would skip it (B3), and a builder must not write it (R15).",
        ),
        (
            "claimed-keys-not-object",
            "sender_claimed_keys",
            json!(carol().ed25519()),
            &[Flag::SchemaViolation],
            "sender_claimed_keys is the bare Ed25519 key instead of an object {\"ed25519\": key} (R15).",
        ),
        (
            "room-id-not-room-id",
            "room_id",
            json!("#history:hs1.test"),
            &[Flag::SchemaViolation],
            "room_id is a room alias, not a room ID (R15).",
        ),
        (
            "sender-key-wrong-length",
            "sender_key",
            json!(b64::encode([7u8; 31])),
            &[Flag::SchemaViolation],
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
    g.push(spec("extra-forwarding-chain", &["R15"], "A room_keys item with a seventh member, forwarding_curve25519_key_chain (copied from an ExportedSessionData). R15 asks for exactly the six fields and the reference auditor holds builders to that; but receivers must tolerate unknown members and the spec schema does not forbid extras, so a conformant verdict is also acceptable.", &[Flag::SpecAmbiguity]), Verdict::Acceptable, candidate(vec![e, a.room_key_true.entry()], a.withheld()), violation("R15")).also_acceptable = vec![conformant()];
    let mut e = a.own_shared.entry();
    e["session_id"] = json!(a.room_key_true.session_id());
    g.push(spec("session-id-mismatch", &["B2"], "The own session's entry names the m.room_key session's ID: session_id must be the Ed25519 key inside session_key (B2).", &[Flag::Spoofing]), Verdict::Invalid, candidate(vec![e, a.room_key_true.entry()], a.withheld()), violation("B2"));

    // withheld items.
    for (name, field, flags) in [
        (
            "withheld-missing-code",
            "code",
            &[Flag::SchemaViolation][..],
        ),
        (
            "withheld-missing-sender-key",
            "sender_key",
            &[Flag::SchemaViolation][..],
        ),
        (
            "withheld-missing-session-id",
            "session_id",
            &[Flag::SchemaViolation][..],
        ),
        (
            "withheld-missing-algorithm",
            "algorithm",
            &[Flag::SchemaViolation][..],
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
    g.push(spec("withheld-reason-not-string", &["R16"], "A withheld item whose optional reason is a number: when present it must be a string (R16).", &[Flag::SchemaViolation]), Verdict::Invalid, candidate(a.keys(), withheld), violation("R16"));

    // Bundle structure (B1).
    let structures: [(&str, Value, &str); 4] = [
        (
            "withheld-array-missing",
            json!({"candidate": {"room_keys": a.keys()}}),
            "The bundle has no withheld array. Receivers may read it as empty (D3), but matrix-rust-sdk rejects such a bundle, so a builder must write both arrays (B1).",
        ),
        (
            "room-keys-array-missing",
            json!({"candidate": {"withheld": a.withheld()}}),
            "The bundle has no room_keys array: a builder must write both arrays (B1).",
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
        g.push(
            spec(name, &["B1"], comment, &[Flag::SchemaViolation]),
            Verdict::Invalid,
            input,
            violation("B1"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msc4268_corpus::fixture::parse_file;
    use msc4268_harness::runner::{Status, run_case};
    use msc4268_model::reference::Reference;
    use std::path::Path;

    #[test]
    fn every_case_passes_under_the_reference() {
        let mut total = 0;
        let mut failures = Vec::new();
        for g in files() {
            let text = super::super::render(&g.file);
            let cases =
                parse_file(&text, Path::new(&g.path)).unwrap_or_else(|e| panic!("{}: {e}", g.path));
            for c in &cases {
                let report = run_case(&Reference, c);
                if report.status != Status::Passed {
                    failures.push(report.explain());
                }
            }
            total += cases.len();
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(total >= 60, "only {total} cases");
    }

    #[test]
    fn sharing_format_key_is_rejected_by_the_export_parser() {
        let k = sharing_format_key("bundle-building/test", 0);
        assert!(matches!(
            ExportedSessionKey::from_base64(&k),
            Err(msc4268_model::megolm::SessionKeyError::SharingFormat)
        ));
        assert_eq!(
            b64::decode(&k, b64::Alphabet::Standard).map(|b| b.len()),
            Ok(msc4268_model::megolm::EXPORT_LEN + 64)
        );
    }
}
