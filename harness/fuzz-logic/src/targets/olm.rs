//! `olm_envelope`: a received to-device event's Olm plaintext → [`olm::validate`], then the
//! content it carries → [`msc4268_model::wire::to_device::parse_content`].
//!
//! Input: an `olm-envelope` fixture input (`recipient`, `event`, `known_devices`), or any other
//! JSON, taken as the Olm plaintext of an encrypted event from Alice's device `ALICEDEV` to Bob's
//! `BOBDEV` (the fixtures' people).
//!
//! Invariants, re-checked here independently of the validator:
//! * no panic;
//! * an accepted envelope arrived encrypted; its plaintext `sender` is the event's sender (O1),
//!   `recipient` is us (O2), `recipient_keys.ed25519` is our key (O3), `keys.ed25519` is the
//!   device keys' Ed25519 key (O4); the device keys belong to the sender (O5), carry the Olm
//!   session's Curve25519 key (O6) and a valid self-signature (O7), and a known device kept its key
//!   (O8);
//! * a refusal names one of R21, R30, R31, R32, O1–O8.

use std::sync::OnceLock;

use msc4268_model::b64::{self, Alphabet};
use msc4268_model::material::Device;
use msc4268_model::signing::verify_json;
use msc4268_model::wire::olm::{self, ValidatedEnvelope};
use msc4268_protocol::cases::{OlmEnvelopeInput, ReceivedToDevice, Recipient};
use serde_json::Value;

use crate::{Finding, ensure};

/// Target name.
pub const NAME: &str = "olm_envelope";

/// The fixtures' sender and recipient, with keys derived once.
pub(crate) struct People {
    pub alice: Device,
    pub alice_curve25519: String,
    pub bob: Recipient,
}

pub(crate) fn people() -> &'static People {
    static P: OnceLock<People> = OnceLock::new();
    P.get_or_init(|| {
        let alice = Device::new("@alice:hs1.test", "ALICEDEV");
        let bob = Device::new("@bob:hs2.test", "BOBDEV");
        People {
            alice_curve25519: alice.curve25519(),
            alice,
            bob: Recipient {
                user_id: bob.user_id.clone(),
                device_id: bob.device_id.clone(),
                ed25519: bob.ed25519(),
                curve25519: bob.curve25519(),
            },
        }
    })
}

/// Checks the envelope validator on `data`.
pub fn run(data: &[u8]) -> Result<(), Finding> {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return Ok(());
    };
    let input = match serde_json::from_value::<OlmEnvelopeInput>(value.clone()) {
        Ok(i) => i,
        Err(_) => {
            let p = people();
            OlmEnvelopeInput {
                recipient: p.bob.clone(),
                event: ReceivedToDevice {
                    encrypted: true,
                    sender: p.alice.user_id.clone(),
                    sender_key: p.alice_curve25519.clone(),
                    plaintext: Some(value),
                    plaintext_text: None,
                    olm_sender_device: None,
                },
                known_devices: Vec::new(),
                replay: None,
            }
        }
    };
    check(&input)
}

fn same_key(a: Option<&str>, b: &str) -> bool {
    match (
        a.map(|a| b64::decode_array::<32>(a, Alphabet::Standard)),
        b64::decode_array::<32>(b, Alphabet::Standard),
    ) {
        (Some(Ok(x)), Ok(y)) => x == y,
        _ => false,
    }
}

/// The invariants of [`olm::validate`] on one input.
pub fn check(input: &OlmEnvelopeInput) -> Result<(), Finding> {
    let recipient = olm::Recipient::from(&input.recipient);
    let event = olm::ReceivedToDevice::from(&input.event);
    let known = msc4268_model::reference::convert::known_devices(&input.known_devices);
    match olm::validate(&recipient, &event, &known) {
        Ok(env) => {
            check_accepted(input, &env)?;
            super::to_device::check(&env.event_type, &env.content, NAME)
        }
        Err(v) => {
            let known = matches!(v.rule, "R21" | "R30" | "R31" | "R32")
                || (v.rule.len() == 2 && v.rule.starts_with('O'));
            ensure(known, NAME, "a refusal names an envelope rule", || {
                v.to_string()
            })
        }
    }
}

fn check_accepted(input: &OlmEnvelopeInput, env: &ValidatedEnvelope) -> Result<(), Finding> {
    let ev = &input.event;
    let pt = &ev.plaintext_value().unwrap_or_default();
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    ensure(ev.encrypted, NAME, "R32: only encrypted events", || {
        "accepted an unencrypted event".into()
    })?;
    ensure(
        env.sender == ev.sender && s(pt, "sender").as_deref() == Some(ev.sender.as_str()),
        NAME,
        "O1: plaintext sender is the event sender",
        || format!("{} / {:?} / {}", env.sender, s(pt, "sender"), ev.sender),
    )?;
    ensure(
        s(pt, "recipient").as_deref() == Some(input.recipient.user_id.as_str()),
        NAME,
        "O2: recipient is us",
        || format!("{:?}", s(pt, "recipient")),
    )?;
    ensure(
        same_key(
            pt.pointer("/recipient_keys/ed25519")
                .and_then(Value::as_str),
            &input.recipient.ed25519,
        ),
        NAME,
        "O3: recipient_keys.ed25519 is our key",
        || format!("{:?}", pt.get("recipient_keys")),
    )?;
    let dk = env
        .device_keys
        .as_object()
        .ok_or_else(|| Finding::new(NAME, "R31: device keys are an object", &env.device_keys))?;
    ensure(
        dk.get("user_id").and_then(Value::as_str) == Some(ev.sender.as_str()),
        NAME,
        "O5: the device keys belong to the sender",
        || format!("{:?}", dk.get("user_id")),
    )?;
    ensure(
        dk.get("device_id").and_then(Value::as_str) == Some(env.sender_device_id.as_str()),
        NAME,
        "the reported device is the device keys' device",
        || env.sender_device_id.clone(),
    )?;
    let ed_id = format!("ed25519:{}", env.sender_device_id);
    let curve_id = format!("curve25519:{}", env.sender_device_id);
    let ed = dk
        .get("keys")
        .and_then(|k| k.get(&ed_id))
        .and_then(Value::as_str);
    ensure(
        ed == Some(env.sender_ed25519.as_str()),
        NAME,
        "the reported Ed25519 key is the device's",
        || format!("{ed:?}"),
    )?;
    ensure(
        same_key(
            pt.pointer("/keys/ed25519").and_then(Value::as_str),
            &env.sender_ed25519,
        ),
        NAME,
        "O4: keys.ed25519 is the device's key",
        || format!("{:?}", pt.get("keys")),
    )?;
    ensure(
        same_key(
            dk.get("keys")
                .and_then(|k| k.get(&curve_id))
                .and_then(Value::as_str),
            &ev.sender_key,
        ),
        NAME,
        "O6: the device's Curve25519 key is the Olm session's",
        || ev.sender_key.clone(),
    )?;
    let ed_bytes = b64::decode_array::<32>(&env.sender_ed25519, Alphabet::Standard)
        .map_err(|e| Finding::new(NAME, "R31: the Ed25519 key decodes", e))?;
    verify_json(dk, &ev.sender, &ed_id, &ed_bytes)
        .map_err(|e| Finding::new(NAME, "O7: a valid self-signature", e))?;
    // A store holds one record per device; with duplicates in the input, the first one counts.
    if let Some(known) = input
        .known_devices
        .iter()
        .find(|k| k.user_id == ev.sender && k.device_id == env.sender_device_id)
    {
        ensure(
            same_key(Some(&known.ed25519), &env.sender_ed25519),
            NAME,
            "O8: a known device keeps its key",
            || known.ed25519.clone(),
        )?;
    }
    Ok(())
}
