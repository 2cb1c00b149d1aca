//! Sharing across homeservers: two Synapses federating over TLS.

use msc4268_scenarios::HistoryVisibility;
use msc4268_scenarios::{Actor, Env, Reading, Result, expect};

use crate::common::{Defined, defined, invites_with_bundle};

/// The scenarios of this file.
pub fn scenarios() -> Vec<Defined> {
    vec![defined!(
        "federation/share-across-servers",
        share_across_federation
    )]
}

/// Federation: Alice on hs1 invites Bob on hs2; the share works across servers.
///
/// 1. Two Synapses federate over TLS on the scenario network; a CA generated at test time signs
///    both federation certificates, and each server trusts only that CA.
/// 2. Alice registers on hs1, Bob on hs2.
/// 3. Alice creates a `shared` room and says "from hs1".
/// 4. Alice invites Bob: the invite, her device list query for Bob and the `m.room_key_bundle`
///    cross to hs2 over federation; the bundle stays in hs1's media repository.
/// 5. Bob receives the bundle and joins through hs1; his client downloads the bundle as remote
///    media through hs2 (authenticated federation media).
/// 6. Bob reads "from hs1" in the room history (hs2 backfills it from hs1), forwarded by
///    Alice's device.
async fn share_across_federation(env: &mut Env) -> Result<()> {
    let (hs1, hs2) = env.federated_pair().await?;
    let alice = Actor::register(&hs1, "Alice").await?;
    let bob = Actor::register(&hs2, "Bob").await?;
    let room = alice
        .creates_encrypted_room(HistoryVisibility::Shared)
        .await?;
    let before = alice.says(&room, "from hs1").await?;
    let bundle = invites_with_bundle(&alice, &bob, &room).await?;
    expect(
        bundle.file["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("mxc://{}/", hs1.server_name))),
        || format!("the bundle is not on hs1: {}", bundle.file),
    )?;
    bob.joins(&room).await?;
    let r = bob.eventually_reads_in_history(&room, &before).await?;
    expect(
        matches!(&r, Reading::Decrypted { body, forwarder: Some(f), .. }
            if body == "from hs1" && f.user_id == alice.user_id().as_str()
                && f.device_id == alice.device_id().as_str()),
        || format!("Bob reads {r:?}"),
    )
}
