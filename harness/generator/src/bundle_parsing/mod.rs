//! Generator for `bundle-parsing`: the decrypted bundle plaintext → strict model (B1–B4, R15, R16).
//!
//! Every invalid-entry case puts one broken entry beside a good one: the good one must survive
//! (the reference skips the broken entry, S1), or the whole bundle may be refused; importing the
//! broken entry is never acceptable.

use serde_json::{Value, json};

use crate::case::{GroupBuilder, spec};
use crate::cast::ROOM;
use crate::{GeneratedFile, file};
use msc4268_corpus::fixture::{BugClass, Verdict};
use msc4268_model::b64;
use msc4268_model::material;
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::{
    HISTORY_NOT_SHARED, HISTORY_NOT_SHARED_UNSTABLE, IdentifierVariant, MEGOLM_V1,
};

mod algorithm;
mod room_key_fields;
mod session_id;
mod structure;
mod valid;
mod withheld_codes;
mod withheld_fields;

const CAT: Category = Category::BundleParsing;

/// A `room_keys` entry built from material, and what a parser must report for it.
#[derive(Clone)]
struct Key {
    label: String,
    index: u32,
    room: String,
}

impl Key {
    fn new(label: &str, index: u32) -> Self {
        Key {
            label: label.into(),
            index,
            room: ROOM.into(),
        }
    }

    fn json(&self) -> Value {
        let k = material::megolm_session(&format!("bundle-parsing/{}", self.label), self.index);
        json!({
            "algorithm": MEGOLM_V1,
            "room_id": self.room,
            "sender_key": material::curve25519_public_b64("@carol:hs1.test/CAROLDEV"),
            "sender_claimed_keys": {"ed25519": material::ed25519_public_b64("@carol:hs1.test/CAROLDEV")},
            "session_id": k.session_id(),
            "session_key": k.to_base64(),
        })
    }

    fn session_id(&self) -> String {
        material::megolm_session(&format!("bundle-parsing/{}", self.label), 0).session_id()
    }

    fn summary(&self, source: &str) -> Value {
        json!({"source": source, "room_id": self.room, "session_id": self.session_id(), "first_known_index": self.index})
    }
}

fn withheld(label: &str, code: &str) -> Value {
    json!({
        "algorithm": MEGOLM_V1,
        "code": code,
        "reason": "The sender disabled sharing encrypted history.",
        "room_id": ROOM,
        "session_id": material::megolm_session(&format!("bundle-parsing/withheld/{label}"), 0).session_id(),
        "sender_key": material::curve25519_public_b64("@carol:hs1.test/CAROLDEV"),
        "from_device": "ALICEDEV",
    })
}

fn withheld_summary(
    source: &str,
    entry: &Value,
    code: &str,
    variant: Option<IdentifierVariant>,
) -> Value {
    let mut s = json!({"source": source, "code": code});
    for k in ["room_id", "session_id"] {
        if let Some(v) = entry.get(k) {
            s[k] = v.clone();
        }
    }
    if let Some(v) = variant {
        s["code_variant"] = json!(v);
    }
    s
}

fn parsed(room_keys: Vec<Value>, withheld: Vec<Value>, skipped: Vec<(&str, &str)>) -> Value {
    let skipped: Vec<Value> = skipped
        .into_iter()
        .map(|(s, r)| json!({"source": s, "rule": r}))
        .collect();
    json!({"outcome": "parsed", "room_keys": room_keys, "withheld": withheld, "skipped": skipped})
}

/// A bundle whose only content is `entry`, kept as `/withheld/0` with `code` (as the receiver
/// reports it) and the spelling `variant` it was written in.
fn withheld_kept(entry: &Value, code: &str, variant: Option<IdentifierVariant>) -> Value {
    parsed(
        vec![],
        vec![withheld_summary("/withheld/0", entry, code, variant)],
        vec![],
    )
}

/// The other safe readings of a well-formed `withheld` entry that the reference keeps (decision
/// S13): the receiver drops it, reporting the drop as a skipped entry (the protocol's place for
/// "entries dropped on their own") or not at all. Nothing requires a receiver to record `withheld`
/// entries (R45 is the suite's own), so a skip names R45 if it names a rule.
fn withheld_dropped(source: &str) -> Vec<Value> {
    vec![
        parsed(vec![], vec![], vec![(source, "R45")]),
        parsed(vec![], vec![], vec![]),
    ]
}

fn rejected(rule: &str) -> Value {
    json!({"outcome": "rejected", "rule": rule})
}

/// Generates the files of this category.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        valid::valid(),
        structure::structure(),
        room_key_fields::room_key_fields(),
        session_id::session_id(),
        algorithm::algorithm(),
        withheld_fields::withheld_fields(),
        withheld_codes::withheld_codes(),
    ]
}

/// One broken entry beside a good one: expected skip of the broken entry, or whole rejection.
fn broken_key(
    g: &mut GroupBuilder,
    name: &str,
    rule: &str,
    comment: &str,
    flags: &[BugClass],
    broken: Value,
) {
    let good = Key::new(&format!("{}-good", g.id), 0);
    let plaintext = json!({"room_keys": [good.json(), broken], "withheld": []});
    let expected = parsed(
        vec![good.summary("/room_keys/0")],
        vec![],
        vec![("/room_keys/1", rule)],
    );
    let rules: Vec<&str> = if rule == "R15" {
        vec!["R15"]
    } else {
        vec![rule, "R15"]
    };
    let c = g.push(
        spec(name, &rules, comment, flags),
        Verdict::Invalid,
        json!({"plaintext": plaintext}),
        expected,
    );
    c.also_acceptable.push(rejected(rule));
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_case_passes_against_the_reference() {
        crate::assert_reference_passes(super::files());
    }
}
