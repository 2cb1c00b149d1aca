//! Snapshots (insta) of the canonical wire formats the reference model writes, from deterministic
//! inputs. A change to any of them shows up as a snapshot diff to review (`cargo insta review`).
//! Values are redacted only where they are random (a fresh key, IV and hash).

use msc4268_model::attachment::{encrypt, encrypt_with};
use msc4268_model::material::{self, CrossSigning, Device};
use msc4268_model::policy::build::{BuildRequest, build};
use msc4268_protocol::cases::{BuildInput, BuildOperation, InviterSession, SessionOrigin};
use serde_json::{Map, Value, json};

const ROOM: &str = "!history:hs1.test";

fn session(label: &str, index: u32, origin: SessionOrigin) -> InviterSession {
    let key = material::megolm_session(&format!("snapshots/{label}"), index);
    let creator = Device::new("@alice:hs1.test", "ALICEDEV");
    InviterSession {
        room_id: ROOM.into(),
        session_id: key.session_id(),
        session_key: key.to_base64(),
        sender_key: creator.curve25519(),
        sender_claimed_ed25519: creator.ed25519(),
        origin,
    }
}

fn flag(value: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("shared_history".into(), value);
    m
}

/// The bundle a correct inviter builds: two shareable sessions, one that is not.
fn bundle() -> Value {
    let input = BuildInput {
        operation: BuildOperation::Build,
        room_id: ROOM.into(),
        inviter_user_id: "@alice:hs1.test".into(),
        inviter_device_id: "ALICEDEV".into(),
        history_visibility: Some(json!("shared")),
        store: vec![
            session(
                "own-shared",
                0,
                SessionOrigin::Own {
                    visibility_at_creation: Some(json!("shared")),
                },
            ),
            session(
                "received-flagged",
                4,
                SessionOrigin::RoomKey {
                    content: flag(json!(true)),
                },
            ),
            session(
                "received-unflagged",
                0,
                SessionOrigin::RoomKey {
                    content: flag(json!(false)),
                },
            ),
        ],
        received_withheld: vec![],
        candidate: None,
    };
    build(&BuildRequest::from(&input))
        .expect("builds")
        .expect("a bundle is sent")
}

#[test]
fn room_key_bundle() {
    insta::assert_json_snapshot!("room_key_bundle", bundle());
}

fn encrypted_bundle() -> (msc4268_model::wire::encrypted_file::EncryptedFile, Vec<u8>) {
    let plaintext = serde_json::to_vec(&bundle()).expect("serialises");
    let mut iv = [0u8; 16];
    iv[..8].copy_from_slice(&material::seed("snapshots/iv")[..8]);
    encrypt_with(
        material::seed("snapshots/key"),
        iv,
        &plaintext,
        "mxc://hs1.test/SnapshotBundleMediaId",
    )
}

#[test]
fn encrypted_file() {
    let (file, ciphertext) = encrypted_bundle();
    insta::assert_json_snapshot!(
        "encrypted_file",
        json!({"file": file.to_json(), "ciphertext_len": ciphertext.len()})
    );
}

#[test]
fn encrypted_file_with_fresh_key_and_iv() {
    let enc = encrypt(
        b"{\"room_keys\":[],\"withheld\":[]}",
        "mxc://hs1.test/Fresh",
    )
    .expect("encrypts");
    insta::assert_json_snapshot!("encrypted_file_fresh", enc.file, {
        ".key.k" => "[random 32-byte key]",
        ".iv" => "[8 random bytes + 8 zero bytes]",
        ".hashes.sha256" => "[SHA-256 of the random ciphertext]",
    });
}

/// The decrypted Olm plaintext of the `m.room_key_bundle` to-device event Alice sends Bob.
#[test]
fn room_key_bundle_to_device_event() {
    let (file, _) = encrypted_bundle();
    let alice = Device::new("@alice:hs1.test", "ALICEDEV");
    let bob = Device::new("@bob:hs2.test", "BOBDEV");
    let identity = CrossSigning::new("@alice:hs1.test", "v1");
    let plaintext = json!({
        "type": "m.room_key_bundle",
        "content": {"room_id": ROOM, "file": file.to_json()},
        "sender": alice.user_id,
        "recipient": bob.user_id,
        "recipient_keys": {"ed25519": bob.ed25519()},
        "keys": {"ed25519": alice.ed25519()},
        "sender_device_keys": alice.device_keys(Some(&identity)),
    });
    insta::assert_json_snapshot!("room_key_bundle_to_device_plaintext", plaintext);
}
