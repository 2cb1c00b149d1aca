//! Generator for `import-decision`: the invitee's whole handling of a received bundle, end to end
//! (envelope → trust → invite record → download → hash and decryption → parse → merge).
//!
//! Every case is built from one [`Scenario`]: Alice (`@alice:hs1.test`, cross-signed device
//! `ALICEDEV`) invited Bob (`@bob:hs2.test`, device `BOBDEV`) to `!history:hs1.test`, Bob accepted
//! an hour ago on this device and is joined, and Alice's bundle is really encrypted with a key and
//! IV derived from the case id. Each case changes one thing. "Invalid" here means: this input must
//! not lead to an import (of everything, or of the entries named in `skipped`).

use serde_json::{Value, json};

use super::{GeneratedFile, case, file, group};
use msc4268_corpus::fixture::{CaseDef, Flag, GroupDef, Verdict};
use msc4268_model::attachment::encrypt_with;
use msc4268_model::b64;
use msc4268_model::material::{self, CrossSigning, Device};
use msc4268_protocol::cases::{Category, DEFAULT_ACCEPTANCE_WINDOW_MS};
use msc4268_protocol::identifiers::{
    HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, IdentifierVariant, MEGOLM_V1, ROOM_KEY_BUNDLE,
    ROOM_KEY_BUNDLE_UNSTABLE,
};

const CAT: Category = Category::ImportDecision;
const ROOM: &str = "!history:hs1.test";
const OTHER_ROOM: &str = "!elsewhere:hs1.test";
const ALICE: &str = "@alice:hs1.test";
const CAROL: &str = "@carol:hs1.test";
const BOB: &str = "@bob:hs2.test";
const NOW: u64 = 1_790_000_000_000;
const HOUR: u64 = 60 * 60 * 1000;

/// A session in a bundle: label, index, room.
#[derive(Clone)]
struct Key {
    label: String,
    index: u32,
    room: String,
}

fn key(label: &str, index: u32) -> Key {
    Key {
        label: label.into(),
        index,
        room: ROOM.into(),
    }
}

impl Key {
    fn material(&self) -> msc4268_model::megolm::ExportedSessionKey {
        material::megolm_session(&format!("import/{}", self.label), self.index)
    }
    fn session_id(&self) -> String {
        self.material().session_id()
    }
    fn json(&self) -> Value {
        let k = self.material();
        let creator = Device::new("@dave:hs1.test", "DAVEDEV");
        json!({
            "algorithm": MEGOLM_V1,
            "room_id": self.room,
            "sender_key": creator.curve25519(),
            "sender_claimed_keys": {"ed25519": creator.ed25519()},
            "session_id": k.session_id(),
            "session_key": k.to_base64(),
        })
    }
    fn imported(&self, forwarder: &str) -> Value {
        json!({"room_id": self.room, "session_id": self.session_id(), "first_known_index": self.index, "forwarder": forwarder})
    }
    fn stored(&self, provenance: &str) -> Value {
        let k = self.material();
        json!({"room_id": self.room, "session_id": k.session_id(), "session_key": k.to_base64(), "provenance": provenance})
    }
}

fn withheld_entry(label: &str, room: &str, code: &str) -> Value {
    json!({
        "algorithm": MEGOLM_V1, "code": code, "reason": "The sender disabled sharing encrypted history.",
        "room_id": room, "session_id": key(label, 0).session_id(),
        "sender_key": Device::new("@dave:hs1.test", "DAVEDEV").curve25519(), "from_device": "ALICEDEV",
    })
}

fn withheld_recorded(label: &str) -> Value {
    json!({"room_id": ROOM, "session_id": key(label, 0).session_id(), "code": HISTORY_NOT_SHARED})
}

/// Everything an import case varies.
#[derive(Clone)]
struct Scenario {
    sender: Device,
    /// Identity the recipient has for the sender (None: none known).
    identity: Option<CrossSigning>,
    /// Identity whose SSK signs the sender's device (None: unsigned).
    device_signed_by: Option<CrossSigning>,
    identity_state: &'static str,
    event_type: &'static str,
    encrypted: bool,
    content_room: String,
    room: String,
    membership: &'static str,
    invite: Option<Value>,
    now: u64,
    window: Option<u64>,
    bundle: Value,
    media: Media,
    store: Vec<Value>,
    plaintext_edit: Option<fn(&mut Value)>,
}

#[derive(Clone)]
enum Media {
    Encrypted,
    NotFound,
    Tampered(fn(&mut Vec<u8>)),
    /// Serve the encryption of these bytes instead of the bundle's (hash matches).
    RawPlaintext(Vec<u8>),
}

fn baseline(bundle: Value) -> Scenario {
    let alice_cs = CrossSigning::new(ALICE, "v1");
    Scenario {
        sender: Device::new(ALICE, "ALICEDEV"),
        identity: Some(alice_cs.clone()),
        device_signed_by: Some(alice_cs),
        identity_state: "tofu",
        event_type: ROOM_KEY_BUNDLE,
        encrypted: true,
        content_room: ROOM.into(),
        room: ROOM.into(),
        membership: "join",
        invite: Some(
            json!({"inviter": ALICE, "accepted_at_ms": NOW - HOUR, "accepted_on_this_device": true}),
        ),
        now: NOW,
        window: None,
        bundle,
        media: Media::Encrypted,
        store: Vec::new(),
        plaintext_edit: None,
    }
}

fn bundle(keys: &[&Key], withheld: &[Value]) -> Value {
    json!({"room_keys": keys.iter().map(|k| k.json()).collect::<Vec<_>>(), "withheld": withheld})
}

impl Scenario {
    fn input(&self, case_id: &str) -> Value {
        let bob = Device::new(BOB, "BOBDEV");
        let plaintext = match &self.media {
            Media::RawPlaintext(b) => b.clone(),
            _ => serde_json::to_vec(&self.bundle).unwrap_or_default(),
        };
        let key: [u8; 32] = material::seed(&format!("import-key/{case_id}"));
        let mut iv = [0u8; 16];
        iv[..8].copy_from_slice(&material::seed(&format!("import-iv/{case_id}"))[..8]);
        let url = format!(
            "mxc://hs1.test/{}",
            &b64::encode_url_safe(material::seed(case_id))[..24]
        );
        let (file, mut ciphertext) = encrypt_with(key, iv, &plaintext, &url);
        let media = match &self.media {
            Media::NotFound => json!({"status": "not_found"}),
            Media::Tampered(f) => {
                f(&mut ciphertext);
                json!({"status": "available", "ciphertext": b64::encode_padded(&ciphertext)})
            }
            _ => json!({"status": "available", "ciphertext": b64::encode_padded(&ciphertext)}),
        };
        let mut pt = json!({
            "type": self.event_type,
            "content": {"room_id": self.content_room, "file": file.to_json()},
            "sender": self.sender.user_id,
            "recipient": BOB,
            "recipient_keys": {"ed25519": bob.ed25519()},
            "keys": {"ed25519": self.sender.ed25519()},
            "sender_device_keys": self.sender.device_keys(self.device_signed_by.as_ref()),
        });
        if let Some(edit) = self.plaintext_edit {
            edit(&mut pt);
        }
        let mut input = json!({
            "room_id": self.room,
            "membership": self.membership,
            "now_ms": self.now,
            "event": {"encrypted": self.encrypted, "sender": self.sender.user_id, "sender_key": self.sender.curve25519(), "plaintext": pt},
            "media": media,
        });
        let olm_account = Device::new(&self.sender.user_id, &self.sender.device_id);
        if self.encrypted && olm_account.curve25519() == self.sender.curve25519() {
            input["event"]["olm_sender_device"] =
                json!({"user_id": olm_account.user_id, "device_id": olm_account.device_id});
        }
        if let Some(inv) = &self.invite {
            input["invite"] = inv.clone();
        }
        if let Some(w) = self.window {
            input["acceptance_window_ms"] = json!(w);
        }
        if let Some(cs) = &self.identity {
            input["sender_identity"] = json!({"master_key": cs.master_key_json(), "self_signing_key": cs.self_signing_key_json(), "state": self.identity_state});
        }
        if !self.store.is_empty() {
            input["store"] = json!(self.store);
        }
        input
    }
}

fn imported(
    keys: Vec<Value>,
    withheld: Vec<Value>,
    kept: Vec<String>,
    skipped: Vec<(&str, &str)>,
) -> Value {
    let skipped: Vec<Value> = skipped
        .into_iter()
        .map(|(s, r)| json!({"source": s, "rule": r}))
        .collect();
    json!({"decision": "imported", "imported": keys, "kept_existing": kept, "withheld": withheld, "skipped": skipped})
}

fn not_imported(decision: &str, rule: &str) -> Value {
    json!({"decision": decision, "rule": rule, "imported": [], "kept_existing": [], "withheld": [], "skipped": []})
}

struct Add<'a> {
    g: &'a mut GroupDef,
}

impl Add<'_> {
    #[allow(clippy::too_many_arguments)]
    fn case(
        &mut self,
        name: &str,
        rules: &[&str],
        comment: &str,
        flags: &[Flag],
        result: Verdict,
        s: &Scenario,
        expected: Value,
    ) -> &mut CaseDef {
        let id = format!("{}/{}/{name}", CAT.as_str(), self.g.id);
        let input = s.input(&id);
        self.g
            .cases
            .push(case(id, rules, comment, flags, result, input, expected));
        let last = self.g.cases.len() - 1;
        &mut self.g.cases[last]
    }
}

fn recipient_context() -> serde_json::Map<String, Value> {
    let bob = Device::new(BOB, "BOBDEV");
    let mut m = serde_json::Map::new();
    m.insert("recipient".into(), json!({"user_id": BOB, "device_id": "BOBDEV", "ed25519": bob.ed25519(), "curve25519": bob.curve25519()}));
    m
}

fn new_group(id: &str, description: &str, identifiers: IdentifierVariant) -> GroupDef {
    let mut g = group(id, description, identifiers);
    g.context = recipient_context();
    g
}

/// Generates the files of this category.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        happy_path(),
        inviter(),
        acceptance(),
        sender_trust(),
        envelope(),
        media(),
        room_filter(),
        store_merge(),
        unstable(),
    ]
}

fn happy_path() -> GeneratedFile {
    let mut f = file(
        CAT,
        "happy-path",
        "Bundles that the invitee must import: right sender, right room, accepted invite, good file.",
        "import_decision::happy_path",
    );
    let mut g = new_group(
        "import",
        "Alice's bundle arrives an hour after Bob accepted her invite on this device.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("happy-one", 0);
    a.case(
        "one-key",
        &["R34", "R35", "R41", "R33", "R39", "R38"],
        "One key: downloaded, hash checked, imported with Alice recorded as forwarder.",
        &[],
        Verdict::Valid,
        &baseline(bundle(&[&k], &[])),
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
    );
    let ks: Vec<Key> = [0u32, 3, 300]
        .iter()
        .enumerate()
        .map(|(i, ix)| key(&format!("happy-many-{i}"), *ix))
        .collect();
    let refs: Vec<&Key> = ks.iter().collect();
    a.case(
        "three-keys-at-their-indexes",
        &["R34", "R41", "R42"],
        "Each key is imported at the first known index of its export.",
        &[],
        Verdict::Valid,
        &baseline(bundle(&refs, &[])),
        imported(
            ks.iter().map(|k| k.imported(ALICE)).collect(),
            vec![],
            vec![],
            vec![],
        ),
    );
    let k = key("happy-with-withheld", 2);
    a.case("key-and-withheld", &["R45", "R34"], "The withheld entry for this room is recorded, so the UI can say why that session cannot be decrypted.", &[], Verdict::Valid,
        &baseline(bundle(&[&k], &[withheld_entry("happy-withheld", ROOM, HISTORY_NOT_SHARED)])),
        imported(vec![k.imported(ALICE)], vec![withheld_recorded("happy-withheld")], vec![], vec![]));
    a.case(
        "empty-bundle",
        &["R34"],
        "An empty bundle is used and imports nothing.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        &baseline(bundle(&[], &[])),
        imported(vec![], vec![], vec![], vec![]),
    );
    let mut s = baseline(bundle(&[&key("happy-verified", 0)], &[]));
    s.identity_state = "verified";
    a.case(
        "verified-sender",
        &["X1", "R34"],
        "A sender whose identity Bob verified is trusted like a TOFU one.",
        &[],
        Verdict::Valid,
        &s,
        imported(
            vec![key("happy-verified", 0).imported(ALICE)],
            vec![],
            vec![],
            vec![],
        ),
    );
    let mut s = baseline(bundle(&[&key("happy-edge-window", 0)], &[]));
    s.now = NOW - HOUR + DEFAULT_ACCEPTANCE_WINDOW_MS - 1;
    a.case(
        "last-millisecond-of-window",
        &["R36", "R34"],
        "Accepted 24 h minus 1 ms ago: still recent.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        &s,
        imported(
            vec![key("happy-edge-window", 0).imported(ALICE)],
            vec![],
            vec![],
            vec![],
        ),
    );
    let mut s = baseline(bundle(&[&key("happy-clock", 0)], &[]));
    s.now = NOW - 2 * HOUR;
    a.case("clock-behind-acceptance", &["R36"], "A clock that reads earlier than the recorded acceptance (skew) counts as within the window.", &[Flag::EdgeCase], Verdict::Valid, &s,
        imported(vec![key("happy-clock", 0).imported(ALICE)], vec![], vec![], vec![]));
    let mut s = baseline(bundle(&[&key("happy-window", 0)], &[]));
    s.window = Some(2 * HOUR);
    s.now = NOW + HOUR / 2;
    a.case(
        "configured-window",
        &["R36"],
        "With a configured 2 h window, 1.5 h after acceptance is recent.",
        &[],
        Verdict::Valid,
        &s,
        imported(
            vec![key("happy-window", 0).imported(ALICE)],
            vec![],
            vec![],
            vec![],
        ),
    );
    f.file.groups.push(g);
    f
}

fn inviter() -> GeneratedFile {
    let mut f = file(
        CAT,
        "inviter",
        "Only the user whose invite Bob accepted, for that room, gets a bundle imported (R33).",
        "import_decision::inviter",
    );
    let mut g = new_group(
        "not-the-inviter",
        "Bundles Bob must store but not download.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("inviter", 0);
    let carol_cs = CrossSigning::new(CAROL, "v1");
    let mut s = baseline(bundle(&[&k], &[]));
    s.sender = Device::new(CAROL, "CAROLDEV");
    s.identity = Some(carol_cs.clone());
    s.device_signed_by = Some(carol_cs);
    a.case("bundle-from-other-member", &["R33"], "Carol, a trusted member who did not invite Bob, sends a bundle for the room Alice invited him to: not downloaded.", &[Flag::AuthBypass, Flag::KeyPlanting], Verdict::Invalid, &s, not_imported("deferred", "R33"));
    let mut s = baseline(bundle(&[&k], &[]));
    let bob_cs = CrossSigning::new(BOB, "v1");
    s.sender = Device::new(BOB, "BOBPHONE");
    s.identity = Some(bob_cs.clone());
    s.device_signed_by = Some(bob_cs);
    a.case("bundle-from-bobs-own-device", &["R33"], "Bob's own cross-signed phone sends his laptop a bundle for the room Alice invited him to: Bob is not the inviter, so it is not downloaded.", &[Flag::AuthBypass, Flag::KeyPlanting], Verdict::Invalid, &s, not_imported("deferred", "R33"));
    let mut s = baseline(bundle(&[&k], &[]));
    let lookalike = "@Alice:hs1.test";
    let lookalike_cs = CrossSigning::new(lookalike, "v1");
    s.sender = Device::new(lookalike, "ALICEDEV");
    s.identity = Some(lookalike_cs.clone());
    s.device_signed_by = Some(lookalike_cs);
    a.case("sender-differs-from-inviter-in-case", &["R33"], "`@Alice:hs1.test` is not `@alice:hs1.test`: user IDs compare byte for byte, so a look-alike's bundle is not downloaded.", &[Flag::AuthBypass, Flag::EdgeCase], Verdict::Invalid, &s, not_imported("deferred", "R33"));
    let mut s = baseline(bundle(&[&k], &[]));
    s.invite = None;
    a.case(
        "no-invite-on-record",
        &["R33"],
        "Bob joined without an invite (public room): a bundle is not downloaded.",
        &[Flag::AuthBypass],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R33"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.content_room = OTHER_ROOM.into();
    a.case(
        "bundle-for-another-room",
        &["R33"],
        "Alice's bundle names a room other than the one whose invite Bob accepted.",
        &[Flag::AuthBypass, Flag::DenialOfService],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R33"),
    );
    f.file.groups.push(g);
    f
}

fn acceptance() -> GeneratedFile {
    let mut f = file(
        CAT,
        "acceptance",
        "The bundle is used only while the acceptance on this device is recent and Bob is joined (R34, R35, R36, D10).",
        "import_decision::acceptance",
    );
    let mut g = new_group("when", "Timing and membership.", IdentifierVariant::Stable);
    let mut a = Add { g: &mut g };
    let k = key("acceptance", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.invite = Some(json!({"inviter": ALICE, "accepted_on_this_device": false}));
    s.membership = "invite";
    a.case(
        "invite-not-yet-accepted",
        &["R35"],
        "The bundle arrives while Bob is only invited: store, do not download until he accepts.",
        &[Flag::DenialOfService],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R35"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.membership = "leave";
    a.case(
        "left-after-accepting",
        &["R34"],
        "Bob accepted, then left again: nothing is imported.",
        &[Flag::EdgeCase],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R34"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.membership = "ban";
    a.case(
        "banned-after-accepting",
        &["R34"],
        "Bob accepted, then was banned: he is not joined, nothing is imported.",
        &[Flag::EdgeCase],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R34"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.membership = "knock";
    a.case(
        "knocking-after-accepting",
        &["R34"],
        "Bob's membership is `knock` (he left and knocked again): not joined, nothing is imported.",
        &[Flag::EdgeCase],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R34"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.now = NOW - HOUR + DEFAULT_ACCEPTANCE_WINDOW_MS + 1;
    a.case(
        "window-passed-by-1ms",
        &["R36"],
        "Accepted 24 h plus 1 ms ago: too late, nothing is downloaded.",
        &[Flag::DenialOfService, Flag::EdgeCase],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R36"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.now = NOW - HOUR + DEFAULT_ACCEPTANCE_WINDOW_MS;
    a.case(
        "exactly-24h",
        &["R36"],
        "Exactly 24 h after acceptance is no longer less than 24 h.",
        &[Flag::EdgeCase],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R36"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.now = NOW + 30 * 24 * HOUR;
    a.case(
        "a-month-later",
        &["R36"],
        "A bundle arriving a month after the join is ignored.",
        &[Flag::DenialOfService],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R36"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.window = Some(0);
    s.now = NOW - 2 * HOUR;
    a.case("zero-window", &["R36"], "A window of 0 ms admits nothing, even when the clock reads earlier than the acceptance (found by fuzzing: the reference once overflowed here).", &[Flag::EdgeCase], Verdict::Invalid, &s, not_imported("deferred", "R36"));
    let mut s = baseline(bundle(&[&k], &[]));
    s.window = Some(HOUR / 2);
    a.case(
        "configured-window-passed",
        &["R36"],
        "With a configured 30 min window, 1 h after acceptance is too late.",
        &[Flag::DenialOfService],
        Verdict::Invalid,
        &s,
        not_imported("deferred", "R36"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.invite = Some(
        json!({"inviter": ALICE, "accepted_at_ms": NOW - HOUR, "accepted_on_this_device": false}),
    );
    let c = a.case("accepted-on-another-device", &["R35"], "Bob accepted on his phone; this laptop did not record an acceptance (D10). SDKs import only on the accepting device; importing here too leaks nothing.", &[Flag::SpecAmbiguity], Verdict::Acceptable, &s, not_imported("deferred", "R35"));
    c.also_acceptable
        .push(imported(vec![k.imported(ALICE)], vec![], vec![], vec![]));
    f.file.groups.push(g);
    f
}

fn sender_trust() -> GeneratedFile {
    let mut f = file(
        CAT,
        "sender-trust",
        "The sending device must be cross-signed by the sender's identity, which must not be in a pin violation (X1, X2, D9).",
        "import_decision::sender_trust",
    );
    let mut g = new_group(
        "trust",
        "Trust in Alice's device.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("trust", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = None;
    a.case("device-not-cross-signed", &["X1"], "Alice's device is not signed by her self-signing key (an injected device): the bundle is dropped.", &[Flag::AuthBypass, Flag::KeyPlanting], Verdict::Invalid, &s, not_imported("discarded", "X1"));
    let mut s = baseline(bundle(&[&k], &[]));
    s.identity = None;
    a.case("identity-unknown", &["X1"], "Bob has no cross-signing identity for Alice: the device's cross-signature cannot be checked.", &[Flag::AuthBypass], Verdict::Invalid, &s, not_imported("discarded", "X1"));
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = Some(CrossSigning::new(ALICE, "stale"));
    a.case(
        "signed-by-stale-identity",
        &["X1"],
        "The device is signed by a self-signing key that is not Alice's current one.",
        &[Flag::AuthBypass, Flag::Spoofing],
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.device_signed_by = Some(CrossSigning::new(CAROL, "v1"));
    a.case(
        "signed-by-another-users-key",
        &["X1"],
        "The device carries a signature by Carol's self-signing key, not Alice's.",
        &[Flag::AuthBypass, Flag::Spoofing],
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.identity_state = "pin_violation";
    a.case(
        "identity-pin-violation",
        &["X2"],
        "Alice's identity changed since Bob pinned it: the bundle is dropped.",
        &[Flag::AuthBypass],
        Verdict::Invalid,
        &s,
        not_imported("discarded", "X2"),
    );
    let s = baseline(bundle(&[&k], &[]));
    a.case(
        "tofu-identity",
        &["X1", "X2"],
        "A device cross-signed by a TOFU-pinned identity is trusted.",
        &[],
        Verdict::Valid,
        &s,
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
    );
    f.file.groups.push(g);
    f
}

fn envelope() -> GeneratedFile {
    let mut f = file(
        CAT,
        "envelope",
        "Olm envelope failures stop the import before any download (R30, R31, R32).",
        "import_decision::envelope",
    );
    let mut g = new_group(
        "envelope",
        "A valid bundle behind a broken envelope.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("envelope", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_edit = Some(|pt| {
        pt.as_object_mut().map(|m| m.remove("sender_device_keys"));
    });
    a.case(
        "no-sender-device-keys",
        &["R30"],
        "Without sender_device_keys the event is ignored and nothing is downloaded.",
        &[Flag::AuthBypass],
        Verdict::Invalid,
        &s,
        not_imported("discarded", "R30"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.encrypted = false;
    a.case(
        "sent-in-the-clear",
        &["R32"],
        "An unencrypted m.room_key_bundle is never acted on.",
        &[Flag::AuthBypass, Flag::Confidentiality],
        Verdict::Invalid,
        &s,
        not_imported("discarded", "R32"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_edit = Some(|pt| pt["sender"] = json!(CAROL));
    a.case(
        "plaintext-sender-mismatch",
        &["R31"],
        "The Olm plaintext claims another sender than the to-device event (O1).",
        &[Flag::Spoofing],
        Verdict::Invalid,
        &s,
        not_imported("discarded", "O1"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_edit = Some(|pt| pt["recipient"] = json!("@eve:hs2.test"));
    a.case(
        "addressed-to-someone-else",
        &["R31"],
        "A plaintext addressed to Eve, replayed to Bob (O2).",
        &[Flag::Spoofing],
        Verdict::Invalid,
        &s,
        not_imported("discarded", "O2"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.plaintext_edit = Some(|pt| {
        if let Some(dk) = pt.get_mut("sender_device_keys") {
            dk["algorithms"] = json!([]);
        }
    });
    a.case(
        "device-keys-changed-after-signing",
        &["R31"],
        "sender_device_keys had `algorithms` emptied after it was signed, so its self-signature no longer verifies (O7): discard, even though the recipient can learn the sender's device from /keys/query (found by differential fuzzing, F18).",
        &[Flag::Spoofing],
        Verdict::Invalid,
        &s,
        not_imported("discarded", "O7"),
    );
    let s = baseline(bundle(&[&k], &[]));
    a.case(
        "valid-envelope",
        &["R30", "R31", "R32"],
        "A complete, correctly signed envelope lets the import go ahead.",
        &[],
        Verdict::Valid,
        &s,
        imported(vec![k.imported(ALICE)], vec![], vec![], vec![]),
    );
    f.file.groups.push(g);
    f
}

fn media() -> GeneratedFile {
    let mut f = file(
        CAT,
        "media",
        "The download: missing media is given up on, and tampered bytes are refused before use (R38, R39).",
        "import_decision::media",
    );
    let mut g = new_group(
        "download",
        "What the media repository serves.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("media", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::NotFound;
    a.case("media-deleted", &["R39"], "The media was deleted or expired (404 M_NOT_FOUND): give up, import nothing, stay healthy.", &[Flag::EdgeCase], Verdict::Invalid, &s, not_imported("failed", "R39"));
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::Tampered(|c| {
        if let Some(b) = c.first_mut() {
            *b ^= 0x01;
        }
    });
    a.case("one-bit-flipped", &["R38"], "One flipped ciphertext bit (which AES-CTR would turn into one flipped plaintext bit): the hash check refuses it.", &[Flag::Malleability, Flag::KeyPlanting], Verdict::Invalid, &s, not_imported("rejected", "R38"));
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::Tampered(|c| {
        c.truncate(c.len() / 2);
    });
    a.case(
        "truncated-download",
        &["R38"],
        "Half the file: refused on the hash, not parsed.",
        &[Flag::Malleability],
        Verdict::Invalid,
        &s,
        not_imported("rejected", "R38"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::Tampered(|c| c.extend_from_slice(b"]}"));
    a.case(
        "extended-download",
        &["R38"],
        "Bytes appended to the file: refused on the hash.",
        &[Flag::Malleability],
        Verdict::Invalid,
        &s,
        not_imported("rejected", "R38"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::RawPlaintext(b"<html>quota exceeded</html>".to_vec());
    a.case("file-is-not-a-bundle", &["B1"], "The file decrypts and its hash matches, but the plaintext is not a bundle: refused whole, nothing imported.", &[Flag::SchemaViolation], Verdict::Invalid, &s, not_imported("rejected", "B1"));
    f.file.groups.push(g);
    f
}

fn room_filter() -> GeneratedFile {
    let mut f = file(
        CAT,
        "room-filter",
        "Only keys and withheld entries for the bundle's room are used (R40, R45).",
        "import_decision::room_filter",
    );
    let mut g = new_group(
        "rooms",
        "Entries for other rooms inside Alice's bundle.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let here = key("filter-here", 0);
    let mut there = key("filter-there", 0);
    there.room = OTHER_ROOM.into();
    a.case("key-for-another-room", &["R40"], "A key for another room rides along in the bundle: it is skipped, the room's own key is imported.", &[Flag::KeyPlanting], Verdict::Invalid,
        &baseline(bundle(&[&here, &there], &[])), imported(vec![here.imported(ALICE)], vec![], vec![], vec![("/room_keys/1", "R40")]));
    a.case(
        "only-other-rooms",
        &["R40"],
        "Every key is for another room: nothing is imported.",
        &[Flag::KeyPlanting],
        Verdict::Invalid,
        &baseline(bundle(&[&there], &[])),
        imported(vec![], vec![], vec![], vec![("/room_keys/0", "R40")]),
    );
    a.case(
        "all-keys-for-this-room",
        &["R40"],
        "All keys are for the bundle's room and all are imported.",
        &[],
        Verdict::Valid,
        &baseline(bundle(&[&here], &[])),
        imported(vec![here.imported(ALICE)], vec![], vec![], vec![]),
    );
    a.case(
        "withheld-for-another-room",
        &["R45"],
        "A withheld entry for another room is not recorded.",
        &[Flag::Spoofing],
        Verdict::Invalid,
        &baseline(bundle(
            &[],
            &[
                withheld_entry("filter-w-there", OTHER_ROOM, HISTORY_NOT_SHARED),
                withheld_entry("filter-w-here", ROOM, HISTORY_NOT_SHARED),
            ],
        )),
        imported(
            vec![],
            vec![withheld_recorded("filter-w-here")],
            vec![],
            vec![("/withheld/0", "R45")],
        ),
    );
    f.file.groups.push(g);
    f
}

fn store_merge() -> GeneratedFile {
    let mut f = file(
        CAT,
        "store-merge",
        "Imported sessions meet the store: never a worse copy, never an unconnected one, never an authenticated copy traded for a forwarded one (R42, R44, R41).",
        "import_decision::store_merge",
    );
    let mut g = new_group(
        "merge",
        "Bob already holds some of the bundle's sessions.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let early = key("merge-a", 0);
    let late = key("merge-a", 5);
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![late.stored("backup")];
    a.case("better-than-backup-copy", &["R42"], "Bob has the session from backup at index 5; the bundle's index 0 copy is better and replaces it.", &[], Verdict::Valid, &s,
        imported(vec![early.imported(ALICE)], vec![], vec![], vec![]));
    let mut s = baseline(bundle(&[&late], &[]));
    s.store = vec![early.stored("room_key")];
    a.case("worse-than-room-key-copy", &["R42"], "Bob has the session at index 0 from Alice's own m.room_key; the bundle's index 5 copy would lose messages 0-4 and authenticity.", &[Flag::Downgrade], Verdict::Invalid, &s,
        imported(vec![], vec![], vec![late.session_id()], vec![]));
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![early.stored("room_key")];
    a.case(
        "same-as-stored",
        &["R42"],
        "The bundle repeats a copy Bob already has: the store keeps its copy.",
        &[Flag::EdgeCase],
        Verdict::Valid,
        &s,
        imported(vec![], vec![], vec![early.session_id()], vec![]),
    );
    let mut s = baseline(bundle(&[&early], &[]));
    s.store = vec![late.stored("room_key")];
    let c = a.case("earlier-than-authenticated-copy", &["R44", "R42"], "Bob holds an authenticated copy at index 5; the bundle offers index 0. The reference keeps the authenticated copy (messages 0-4 stay undecryptable); taking the connected earlier ratchet is also safe.", &[Flag::SpecAmbiguity], Verdict::Acceptable, &s,
        imported(vec![], vec![], vec![early.session_id()], vec![]));
    c.also_acceptable.push(imported(
        vec![early.imported(ALICE)],
        vec![],
        vec![],
        vec![],
    ));
    let mut forged = key("merge-forged", 3).json();
    let mut fk = key("merge-forged", 3).material();
    fk.ratchet[0][0] ^= 0xff;
    forged["session_key"] = json!(fk.to_base64());
    let mut s = baseline(json!({"room_keys": [forged], "withheld": []}));
    s.store = vec![key("merge-forged", 0).stored("room_key")];
    a.case("unconnected-ratchet", &["R42"], "Same session ID and signing key, but a ratchet that does not follow from the stored one: a forgery, skipped.", &[Flag::KeyPlanting], Verdict::Invalid, &s,
        imported(vec![], vec![], vec![], vec![("/room_keys/0", "R42")]));
    let prior = key("merge-prior", 5);
    let better = key("merge-prior", 0);
    let mut stored = prior.stored("bundle");
    stored["forwarder"] = json!(CAROL);
    let mut s = baseline(bundle(&[&better], &[]));
    s.store = vec![stored];
    a.case("better-than-earlier-bundle", &["R42", "R41"], "A copy Carol forwarded earlier at index 5 is replaced by Alice's index 0 copy; Alice is now the forwarder.", &[], Verdict::Valid, &s,
        imported(vec![better.imported(ALICE)], vec![], vec![], vec![]));
    let opaque = key("merge-opaque", 0);
    let mut stored = opaque.stored("room_key");
    stored["session_key"] = json!("c3RvcmVkIGluIGFuIG9sZGVyIGZvcm1hdA");
    let mut s = baseline(bundle(&[&opaque], &[]));
    s.store = vec![stored];
    a.case("stored-copy-not-comparable", &["R42"], "Bob's stored copy of the session has a key the merge cannot read (an older store format): it cannot be compared, so the bundle's copy must not replace it.", &[Flag::EdgeCase, Flag::Downgrade], Verdict::Valid, &s,
        imported(vec![], vec![], vec![opaque.session_id()], vec![]));
    let genuine = key("merge-pair", 0);
    let mut forged = key("merge-pair", 3).json();
    let mut fk = key("merge-pair", 3).material();
    fk.ratchet[2][7] ^= 0x40;
    forged["session_key"] = json!(fk.to_base64());
    let forged_copy = json!({"room_id": ROOM, "session_id": genuine.session_id(), "first_known_index": 3, "forwarder": ALICE});
    let c = a.case("unconnected-copies-in-one-bundle", &["R42"], "The bundle carries a session at index 0 and a forged copy at index 3 whose ratchet does not follow from it. Which one is genuine cannot be told: the reference imports neither, whatever their order; importing one of them is no worse than what the forwarder could do by sending only that one, so it is acceptable too.", &[Flag::KeyPlanting, Flag::SpecAmbiguity], Verdict::Acceptable,
        &baseline(json!({"room_keys": [forged, genuine.json()], "withheld": []})),
        imported(vec![], vec![], vec![], vec![("/room_keys/0", "R42"), ("/room_keys/1", "R42")]));
    for (kept, dropped) in [
        (genuine.imported(ALICE), "/room_keys/0"),
        (forged_copy, "/room_keys/1"),
    ] {
        c.also_acceptable
            .push(imported(vec![kept.clone()], vec![], vec![], vec![]));
        c.also_acceptable
            .push(imported(vec![kept], vec![], vec![], vec![(dropped, "R42")]));
    }
    let twice_late = key("merge-twice", 4);
    let twice_early = key("merge-twice", 1);
    a.case("same-session-twice-in-bundle", &["R42"], "The bundle lists one session at index 4 and at index 1: the better copy wins whatever the order.", &[Flag::EdgeCase], Verdict::Valid,
        &baseline(bundle(&[&twice_late, &twice_early], &[])), imported(vec![twice_early.imported(ALICE)], vec![], vec![], vec![]));
    a.case("same-session-twice-better-first", &["R42"], "The bundle lists one session at index 1 and then at index 4 (the first case's entries swapped): the better copy, listed first, still wins; an importer that stores each entry in turn without comparing it to the ones before it keeps the worse copy (F20).", &[Flag::EdgeCase, Flag::Downgrade], Verdict::Valid,
        &baseline(bundle(&[&twice_early, &twice_late], &[])), imported(vec![twice_early.imported(ALICE)], vec![], vec![], vec![]));
    let mut spoof = key("merge-spoof", 0).json();
    spoof["forwarder"] = json!(CAROL);
    spoof["sender"] = json!(CAROL);
    spoof["shared_by"] = json!(CAROL);
    a.case("entry-claims-another-forwarder", &["R41", "R44"], "Entry members claiming a forwarder are ignored: the forwarder is the bundle's sender, Alice.", &[Flag::Spoofing], Verdict::Invalid,
        &baseline(json!({"room_keys": [spoof], "withheld": []})), imported(vec![key("merge-spoof", 0).imported(ALICE)], vec![], vec![], vec![]));
    let k = key("merge-claims", 0);
    a.case("forwarder-is-the-sender", &["R41", "R44"], "The session's claimed creator is Dave, but the forwarder recorded is Alice, who sent the bundle.", &[], Verdict::Valid,
        &baseline(bundle(&[&k], &[])), imported(vec![k.imported(ALICE)], vec![], vec![], vec![]));
    f.file.groups.push(g);
    f
}

fn unstable() -> GeneratedFile {
    let mut f = file(
        CAT,
        "unstable",
        "Pre-stable identifiers still import (rust-sdk and js-sdk accept both).",
        "import_decision::unstable",
    );
    let mut g = new_group(
        "unstable",
        "The MSC's unstable event type and withheld code.",
        IdentifierVariant::Unstable,
    );
    let mut a = Add { g: &mut g };
    let k = key("unstable", 0);
    let mut s = baseline(bundle(
        &[&k],
        &[withheld_entry(
            "unstable-w",
            ROOM,
            HISTORY_NOT_SHARED_UNSTABLE,
        )],
    ));
    s.event_type = ROOM_KEY_BUNDLE_UNSTABLE;
    a.case("unstable-event-type-and-code", &["R34", "R45"], "io.element.msc4268.room_key_bundle is handled like m.room_key_bundle; the unstable withheld code is recorded as m.history_not_shared.", &[Flag::Legacy], Verdict::Valid, &s,
        imported(vec![k.imported(ALICE)], vec![withheld_recorded("unstable-w")], vec![], vec![]));
    f.file.groups.push(g);
    f
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_case_passes_against_the_reference() {
        crate::assert_reference_passes(super::files());
    }
}
