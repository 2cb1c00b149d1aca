//! The `m.room_key_bundle` to-device content matrix-sdk-crypto 0.18.0 makes of the bundle it
//! builds from the fixture store, as a snapshot (random key, IV and hash redacted), so a format
//! change upstream shows up as a snapshot diff. No adapter operation returns the to-device content,
//! so this one runs in process; the bundle and the `EncryptedFile` of every version are snapshotted
//! through the adapter programs by `version_snapshots.rs`.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;

use matrix_sdk_crypto::types::events::EventType;
use matrix_sdk_crypto::types::events::room_key_bundle::RoomKeyBundleContent;
use msc4268_adapter_matrix_sdk_crypto::MatrixSdkCrypto;
use msc4268_corpus::fixture::{self, CaseInput};
use msc4268_protocol::cases::BuildInput;
use msc4268_protocol::implementation::Implementation;
use serde_json::{Value, json};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
/// The store with a session of every origin, shared and not, that the reference also builds from.
const STORE_CASE: &str = "bundle-building/shareability-mixed/every-origin";

fn store_case() -> BuildInput {
    let cases = fixture::load_dir(&Path::new(ROOT).join("fixtures")).unwrap();
    let case = cases.iter().find(|c| c.def.id == STORE_CASE).unwrap();
    match &case.input {
        CaseInput::BundleBuilding(i) => i.clone(),
        other => panic!("{STORE_CASE} is not a building case: {other:?}"),
    }
}

fn sorted(mut bundle: Value) -> Value {
    for k in ["room_keys", "withheld"] {
        if let Some(a) = bundle[k].as_array_mut() {
            a.sort_by_key(|e| e["session_id"].as_str().unwrap_or_default().to_owned());
        }
    }
    bundle
}

fn built_bundle(imp: &MatrixSdkCrypto) -> Value {
    sorted(imp.build_bundle(&store_case()).unwrap().unwrap())
}

#[test]
fn to_device_content() {
    let imp = MatrixSdkCrypto::new().unwrap();
    let store = store_case();
    let bytes = serde_json::to_vec(&built_bundle(&imp)).unwrap();
    let enc = imp.encrypt_file(&bytes).unwrap();
    let content = RoomKeyBundleContent {
        room_id: store.room_id.as_str().try_into().unwrap(),
        file: serde_json::from_value(enc.file).unwrap(),
    };
    let event = json!({"type": RoomKeyBundleContent::EVENT_TYPE, "content": content});
    insta::assert_json_snapshot!("to_device", event, {
        ".content.file.key.k" => "[random key]",
        ".content.file.iv" => "[random iv]",
        ".content.file.hashes.sha256" => "[hash of random ciphertext]",
    });
}
