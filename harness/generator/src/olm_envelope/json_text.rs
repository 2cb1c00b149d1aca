//! `olm-envelope/json-text.json`: the Olm plaintext as literal JSON text (`plaintext_text`), for
//! what a JSON value cannot say: a member named twice, `\u` escapes, a lone surrogate (R31, R21,
//! O1–O4; decision S20). Only implementations that declare the `json-text` capability run these.

use super::*;
use crate::json_text::{replace_once, with_first_member, with_last_member, written};
use msc4268_model::reference::Reference;
use msc4268_protocol::cases::{EnvelopeOutcome, OlmEnvelopeInput};
use msc4268_protocol::implementation::Implementation;

/// What the reference model answers for `env` read as a JSON value: the outcome of one reading of
/// a text with a member named twice (the other reading is the text's, which the model reads as
/// serde_json does: the last value).
fn reading(env: &Envelope) -> Value {
    let mut input = env.input();
    input["recipient"] = crate::to_json(&recipient());
    let outcome = serde_json::from_value::<OlmEnvelopeInput>(input)
        .map_err(|e| e.to_string())
        .and_then(|i| Reference.check_envelope(&i).map_err(|e| e.to_string()));
    match outcome {
        // Like every expectation of this category: a rejection names its rule and path only.
        Ok(EnvelopeOutcome::Rejected(r)) => rejected(
            r.rule.as_deref().unwrap_or_default(),
            r.path.as_deref().unwrap_or_default(),
        ),
        Ok(o) => crate::to_json(&o),
        Err(e) => json!({"generator-error": e}),
    }
}

/// A member named twice: the baseline's own value and `foreign`, which the baseline reading
/// replaces it with. `foreign_first` says which one comes first in the text.
struct Twice<'a> {
    name: &'a str,
    foreign: Value,
    foreign_first: bool,
    rules: &'a [&'a str],
    comment: &'a str,
    flags: &'a [BugClass],
}

impl Twice<'_> {
    fn push(self, g: &mut Group) {
        let base = Envelope::baseline();
        let foreign_reading = base
            .clone()
            .set(&format!("/{}", self.name), self.foreign.clone());
        let (name, foreign) = (self.name, &self.foreign);
        let env = if self.foreign_first {
            base.clone().text(|t| with_first_member(t, name, foreign))
        } else {
            base.clone().text(|t| with_last_member(t, name, foreign))
        };
        // serde_json (the reference) keeps the last value.
        let (last, first) = if self.foreign_first {
            (reading(&base), reading(&foreign_reading))
        } else {
            (reading(&foreign_reading), reading(&base))
        };
        let id = format!(
            "{}-twice-{}",
            self.name.replace('_', "-"),
            if self.foreign_first {
                "foreign-first"
            } else {
                "foreign-last"
            }
        );
        let c = g.push(
            spec(&id, self.rules, self.comment, self.flags),
            Verdict::Acceptable,
            &env,
            last,
        );
        c.also_acceptable.push(first);
        c.also_acceptable.push(rejected("R31", ""));
    }
}

pub(super) fn json_text() -> GeneratedFile {
    let mut dup = Group::new(
        "duplicate-members",
        "The Olm plaintext names a member twice. RFC 8259 §4: names SHOULD be unique, and when they are not \"the behavior of software that receives such an object is unpredictable\" (the last value, an error, or all pairs); no Matrix text says more (S20). Each case accepts the outcome of either reading, or a rejection of the text; what it catches is a receiver that checks one copy and reports or uses the other.",
        IdentifierVariant::Stable,
    );
    let m = mallory();
    for foreign_first in [true, false] {
        Twice {
            name: "sender",
            foreign: json!(MALLORY),
            foreign_first,
            rules: &["O1", "R31"],
            comment: "`sender` is written twice: Alice (the to-device sender) and Mallory. Reading Alice, the envelope passes; reading Mallory, O1 discards it. An accepted outcome must name Alice: one that names Mallory checked one copy and reported the other.",
            flags: &[SpecAmbiguity, Spoofing],
        }
        .push(&mut dup);
        Twice {
            name: "type",
            foreign: json!("m.room_key"),
            foreign_first,
            rules: &["R21", "R31"],
            comment: "`type` is written twice: `m.room_key_bundle` and `m.room_key`. Reading the bundle type, the envelope passes; reading `m.room_key`, it is no bundle (R21). An accepted outcome must report `m.room_key_bundle`.",
            flags: &[SpecAmbiguity],
        }
        .push(&mut dup);
    }
    Twice {
        name: "keys",
        foreign: json!({"ed25519": m.ed25519()}),
        foreign_first: true,
        rules: &["O4", "R31"],
        comment: "`keys` is written twice: first with Mallory's Ed25519 key, then with Alice's device key. Reading Alice's key, the envelope passes; reading Mallory's, it does not match the sender's device keys (O4).",
        flags: &[SpecAmbiguity, Spoofing],
    }
    .push(&mut dup);
    Twice {
        name: "recipient_keys",
        foreign: json!({"ed25519": m.ed25519()}),
        foreign_first: false,
        rules: &["O3", "R31"],
        comment: "`recipient_keys` is written twice: Bob's Ed25519 key, then Mallory's. Reading Bob's key, the envelope passes; reading Mallory's, it was not meant for this device (O3).",
        flags: &[SpecAmbiguity],
    }
    .push(&mut dup);
    Twice {
        name: "sender_device_keys",
        foreign: m.device_keys(Some(&mallory_cs())),
        foreign_first: true,
        rules: &["O5", "R31"],
        comment: "`sender_device_keys` is written twice: first Mallory's device keys (self-signed and cross-signed by Mallory), then Alice's. Reading Alice's, the envelope passes as `ALICEDEV`; reading Mallory's, they name another user than the sender. An accepted outcome must name `ALICEDEV` and its key: one that names Mallory's device checked one copy and reported the other.",
        flags: &[SpecAmbiguity, Spoofing],
    }
    .push(&mut dup);

    let mut esc = Group::new(
        "escapes",
        "Names and values written with `\\u` escapes. RFC 8259 §7: \"Any character may be escaped\"; once parsed, the strings are the ones the checks compare, so the envelope passes.",
        IdentifierVariant::Stable,
    );
    let base = Envelope::baseline();
    let typ = written("type", &json!(ROOM_KEY_BUNDLE));
    esc.accept(
        spec(
            "type-escaped",
            &["R21", "R31"],
            "The inner type is written `m.room\\u005fkey_bundle`: after parsing it is `m.room_key_bundle`. A receiver that matches the type on the raw bytes drops a valid bundle.",
            &[EdgeCase, Interop],
        ),
        base.clone().text(|t| {
            replace_once(t, &typ, "\"type\":\"m.room\\u005fkey_bundle\"")
        }),
    );
    let sender = written("sender", &json!(ALICE));
    esc.accept(
        spec(
            "sender-escaped",
            &["O1", "R31"],
            "The plaintext `sender` is written `@alice:hs1\\u002etest`: after parsing it equals the to-device sender, so O1 holds.",
            &[EdgeCase, Interop],
        ),
        base.clone().text(|t| {
            replace_once(t, &sender, "\"sender\":\"@alice:hs1\\u002etest\"")
        }),
    );
    esc.accept(
        spec(
            "member-names-escaped",
            &["R31"],
            "The names `sender_device_keys` and `recipient_keys` are written `sender\\u005fdevice\\u005fkeys` and `recipient\\u005fkeys`: after parsing they are the members the checks read.",
            &[EdgeCase, Interop],
        ),
        base.clone().text(|t| {
            let t = replace_once(t, "\"sender_device_keys\":", "\"sender\\u005fdevice\\u005fkeys\":");
            replace_once(&t, "\"recipient_keys\":", "\"recipient\\u005fkeys\":")
        }),
    );

    let mut sur = Group::new(
        "lone-surrogates",
        "A lone UTF-16 surrogate escape (`\\ud800`) in the Olm plaintext. RFC 8259 §7 defines `\\u` escapes of code points and pairs for characters beyond the BMP; a lone surrogate encodes no character, and parsers differ (an error, U+FFFD, or the code unit kept).",
        IdentifierVariant::Stable,
    );
    sur.acceptable(
        spec(
            "lone-surrogate-in-unknown-member",
            &["R31"],
            "An unknown member `org.example.note` holds `\\ud800`. serde_json (the reference) refuses the text, so the event is dropped; a parser that keeps or replaces the code unit reads a valid envelope. Nothing the checks use depends on it.",
            &[SpecAmbiguity, EdgeCase],
        ),
        base.clone()
            .text(|t| with_last_member(t, "org.example.note", &json!("@@SURROGATE@@")).replace("@@SURROGATE@@", "\\ud800")),
        "R31",
    );
    // serde_json (the reference) refuses the text. A parser that keeps or replaces the code unit
    // has a `sender` that is not the to-device sender (O1); one that drops it has Alice's, which
    // is Alice's own word over her own Olm session.
    let c = sur.push(
        spec(
            "lone-surrogate-in-sender",
            &["O1", "R31"],
            "The plaintext `sender` is `@alice:hs1.test\\udc00`. Parsers differ: serde_json (the reference) refuses the text; keeping or replacing the code unit (U+FFFD) gives a string that is not the to-device sender, so O1 discards the event; dropping it gives `@alice:hs1.test`, and the envelope, sent over Alice's own Olm session, passes. Any of these is acceptable; reporting another sender than Alice is not.",
            &[SpecAmbiguity, EdgeCase],
        ),
        Verdict::Acceptable,
        &base.clone().text(|t| {
            replace_once(t, &sender, "\"sender\":\"@alice:hs1.test\\udc00\"")
        }),
        rejected("R31", ""),
    );
    c.also_acceptable.push(rejected("O1", "/sender"));
    c.also_acceptable.push(accepted(ROOM_KEY_BUNDLE));

    olm_file(
        module_path!(),
        "json-text",
        "The Olm plaintext as literal JSON text: members named twice, `\\u` escapes and lone surrogates (R31, R21, O1–O5, S20). Given only to implementations that declare the `json-text` capability.",
        vec![dup, esc, sur],
    )
}
