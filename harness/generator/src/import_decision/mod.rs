//! Generator for `import-decision`: the invitee's whole handling of a received bundle, end to end
//! (envelope → trust → invite record → download → hash and decryption → parse → merge).
//!
//! Every case is built from one [`ImportSetup`]: Alice (`@alice:hs1.test`, cross-signed device
//! `ALICEDEV`) invited Bob (`@bob:hs2.test`, device `BOBDEV`) to `!history:hs1.test`, Bob accepted
//! an hour ago on this device and is joined, and Alice's bundle is really encrypted with a key and
//! IV derived from the case id. Each case changes one thing. "Invalid" here means: this input must
//! not lead to an import (of everything, or of the entries named in `skipped`).

use serde_json::{Value, json};

use crate::case::{GroupBuilder, Spec, spec};
use crate::cast::{
    ALICE, ALICE_DEVICE, BOB, BOB_DEVICE, BOB_PHONE, CAROL, CAROL_DEVICE, DAVE, DAVE_DEVICE,
    OTHER_ROOM, ROOM, alice_cs, bob,
};
use crate::{GeneratedFile, file};
use msc4268_corpus::fixture::{BugClass, CaseDef, Verdict};
use msc4268_model::attachment::encrypt_with;
use msc4268_model::b64;
use msc4268_model::material::{self, CrossSigning, Device};
use msc4268_protocol::cases::{Category, DEFAULT_ACCEPTANCE_WINDOW_MS};
use msc4268_protocol::identifiers::{
    HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, IdentifierVariant, MEGOLM_V1, ROOM_KEY_BUNDLE,
    ROOM_KEY_BUNDLE_UNSTABLE,
};

const CAT: Category = Category::ImportDecision;
const NOW: u64 = 1_790_000_000_000;
const HOUR: u64 = 60 * 60 * 1000;

mod acceptance;
mod envelope;
mod happy_path;
mod invite_history;
mod inviter;
mod json_text;
mod media;
mod ratchet_distance;
mod room_filter;
mod second_bundle;
mod sender_trust;
mod store_merge;
mod unstable;

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
        let creator = Device::new(DAVE, DAVE_DEVICE);
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
        "sender_key": Device::new(DAVE, DAVE_DEVICE).curve25519(), "from_device": ALICE_DEVICE,
    })
}

fn withheld_recorded(label: &str) -> Value {
    json!({"room_id": ROOM, "session_id": key(label, 0).session_id(), "code": HISTORY_NOT_SHARED})
}

/// Everything an import case varies.
#[derive(Clone)]
struct ImportSetup {
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
    /// `earlier_invites`, oldest first (none in most cases).
    earlier_invites: Vec<Value>,
    now: u64,
    window: Option<u64>,
    bundle: Value,
    media: Media,
    store: Vec<Value>,
    plaintext_edit: Option<fn(&mut Value)>,
    /// Sends the plaintext as literal text (`plaintext_text`): its compact serialisation, after
    /// `plaintext_edit`, edited by this.
    plaintext_text_edit: Option<fn(&str) -> String>,
    /// The sender's device keys as sent, instead of the sender's own signed by `device_signed_by`.
    device_keys: Option<Value>,
    /// The sender's `(master_key, self_signing_key)` objects as the recipient has them, instead
    /// of `identity`'s.
    identity_keys: Option<(Value, Value)>,
}

#[derive(Clone)]
enum Media {
    Encrypted,
    NotFound,
    Tampered(fn(&mut Vec<u8>)),
    /// Serve the encryption of these bytes instead of the bundle's (hash matches).
    RawPlaintext(Vec<u8>),
}

fn baseline(bundle: Value) -> ImportSetup {
    let alice_cs = alice_cs();
    ImportSetup {
        sender: Device::new(ALICE, ALICE_DEVICE),
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
        earlier_invites: Vec::new(),
        now: NOW,
        window: None,
        bundle,
        media: Media::Encrypted,
        store: Vec::new(),
        plaintext_edit: None,
        plaintext_text_edit: None,
        device_keys: None,
        identity_keys: None,
    }
}

fn bundle(keys: &[&Key], withheld: &[Value]) -> Value {
    json!({"room_keys": keys.iter().map(|k| k.json()).collect::<Vec<_>>(), "withheld": withheld})
}

impl ImportSetup {
    fn input(&self, case_id: &str) -> Value {
        let bob = bob();
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
            "sender_device_keys": self.device_keys.clone().unwrap_or_else(|| self.sender.device_keys(self.device_signed_by.as_ref())),
        });
        if let Some(edit) = self.plaintext_edit {
            edit(&mut pt);
        }
        let mut input = json!({
            "room_id": self.room,
            "membership": self.membership,
            "now_ms": self.now,
            "event": {"encrypted": self.encrypted, "sender": self.sender.user_id, "sender_key": self.sender.curve25519()},
            "media": media,
        });
        match self.plaintext_text_edit {
            Some(edit) => input["event"]["plaintext_text"] = json!(edit(&pt.to_string())),
            None => input["event"]["plaintext"] = pt,
        }
        let olm_account = Device::new(&self.sender.user_id, &self.sender.device_id);
        if self.encrypted && olm_account.curve25519() == self.sender.curve25519() {
            input["event"]["olm_sender_device"] =
                json!({"user_id": olm_account.user_id, "device_id": olm_account.device_id});
        }
        if let Some(inv) = &self.invite {
            input["invite"] = inv.clone();
        }
        if !self.earlier_invites.is_empty() {
            input["earlier_invites"] = json!(self.earlier_invites);
        }
        if let Some(w) = self.window {
            input["acceptance_window_ms"] = json!(w);
        }
        if let Some((master_key, self_signing_key)) = &self.identity_keys {
            input["sender_identity"] = json!({"master_key": master_key, "self_signing_key": self_signing_key, "state": self.identity_state});
        } else if let Some(cs) = &self.identity {
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

/// Adds cases whose input is a [`ImportSetup`] (a scenario's input depends on the case id).
struct Add<'a> {
    g: &'a mut GroupBuilder,
}

impl Add<'_> {
    /// Adds the case `spec` of scenario `s`.
    fn case(
        &mut self,
        spec: Spec<'_>,
        result: Verdict,
        s: &ImportSetup,
        expected: Value,
    ) -> &mut CaseDef {
        let input = s.input(&self.g.case_id(spec.name));
        self.g.push(spec, result, input, expected)
    }

    /// An `acceptable` case: `expected` is the reference's outcome, `also` the other outcomes the
    /// texts allow.
    fn acceptable(
        &mut self,
        spec: Spec<'_>,
        s: &ImportSetup,
        expected: Value,
        also: Vec<Value>,
    ) -> &mut CaseDef {
        let input = s.input(&self.g.case_id(spec.name));
        self.g.acceptable(spec, input, expected, also)
    }
}

fn recipient_context() -> serde_json::Map<String, Value> {
    let bob = bob();
    let mut m = serde_json::Map::new();
    m.insert("recipient".into(), json!({"user_id": BOB, "device_id": BOB_DEVICE, "ed25519": bob.ed25519(), "curve25519": bob.curve25519()}));
    m
}

fn new_group(id: &str, description: &str, identifiers: IdentifierVariant) -> GroupBuilder {
    GroupBuilder::new(CAT, id, description, identifiers).with_context(recipient_context())
}

/// Generates the files of this category.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        happy_path::happy_path(),
        inviter::inviter(),
        invite_history::invite_history(),
        json_text::json_text(),
        second_bundle::second_bundle(),
        acceptance::acceptance(),
        sender_trust::sender_trust(),
        envelope::envelope(),
        media::media(),
        room_filter::room_filter(),
        store_merge::store_merge(),
        ratchet_distance::ratchet_distance(),
        unstable::unstable(),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_case_passes_against_the_reference() {
        crate::assert_reference_passes(super::files());
    }
}
