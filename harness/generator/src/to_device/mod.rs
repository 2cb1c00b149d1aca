//! Generator of the `to-device-content` fixtures: the decrypted bundle notification's event type
//! (R21) and content (R23: a room ID and a complete `EncryptedFile`).
//!
//! Expected outcomes are by construction: an accepted case echoes the room ID, the spelling of the
//! type and the file URL the generator wrote; a rejected case names the rule it broke.

use serde_json::{Value, json};

use crate::GeneratedFile;
use crate::case::{GroupBuilder, new_file, spec};
use crate::cast::ROOM;
use crate::vectors::{Vector, plaintext, rejected, with, without};
use msc4268_corpus::fixture::BugClass;
use msc4268_model::b64;
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::{IdentifierVariant, ROOM_KEY_BUNDLE, ROOM_KEY_BUNDLE_UNSTABLE};

mod content;
mod event_type;
mod room_id_length;

const CATEGORY: Category = Category::ToDeviceContent;

/// The `to-device-content` fixture files.
pub fn files() -> Vec<GeneratedFile> {
    vec![
        event_type::event_type(),
        content::content(),
        room_id_length::room_id_length(),
    ]
}

/// The bundle file every case points at (its ciphertext is never needed here).
fn bundle_file() -> Value {
    Vector::new("to-device/bundle", &plaintext("to-device/bundle", 64)).file()
}

fn input(event_type: &str, content: Value) -> Value {
    json!({"type": event_type, "content": content})
}

fn accepted(room_id: &str, variant: &str, file: &Value) -> Value {
    json!({
        "outcome": "accepted",
        "room_id": room_id,
        "event_type_variant": variant,
        "url": file["url"],
    })
}

#[cfg(test)]
mod tests;
