//! What each matrix-sdk-crypto version builds, side by side: the bundle it builds from the
//! fixture store the reference also builds from, and the `EncryptedFile` it makes of that bundle,
//! as insta snapshots named after the version (`snapshots/version_snapshots__bundle@0.19.1.snap`,
//! random key, IV and hash redacted). An SDK upgrade shows up as a reviewable snapshot diff.
//!
//! Every version runs as its adapter program, through the adapter protocol
//! (`msc4268_adapter::crypto_adapters`). A program that is not built makes its tests *ignored*,
//! with the command that builds it; `scripts/test.sh` (README's test command) builds the CI
//! versions (0.18.0, 0.19.1) and sets `MSC4268_REQUIRE_CRYPTO_ADAPTERS=1`, under which a missing
//! CI version fails instead. Older releases (0.17.0, 0.16.0) are built on demand.
//! (The to-device content, which no adapter operation returns, is snapshotted for 0.18.0 in
//! process by `matrix_sdk_crypto_snapshots.rs`.)

use std::path::Path;
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use msc4268_adapter::crypto_adapters::{CRYPTO_ADAPTERS, CryptoAdapter, command_line, locate};
use msc4268_adapter::{AdapterOptions, CommandImplementation};
use msc4268_corpus::fixture::{self, CaseInput};
use msc4268_protocol::cases::BuildInput;
use msc4268_protocol::implementation::Implementation;
use serde_json::Value;

/// Set to `1` (by `scripts/test.sh`) to fail, not ignore, when a version's program is missing.
const REQUIRE: &str = "MSC4268_REQUIRE_CRYPTO_ADAPTERS";
/// The store with a session of every origin, shared and not.
const STORE_CASE: &str = "bundle-building/shareability-mixed/every-origin";

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for adapter in CRYPTO_ADAPTERS {
        trials.push(Trial::ignorable_test(
            format!("bundle@{}", adapter.version),
            move || with_adapter(&adapter, |imp| bundle_snapshot(&adapter, imp)),
        ));
        trials.push(Trial::ignorable_test(
            format!("encrypted_file@{}", adapter.version),
            move || with_adapter(&adapter, |imp| encrypted_file_snapshot(&adapter, imp)),
        ));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Runs `check` with the version's adapter program started, or says why it cannot.
fn with_adapter(
    adapter: &CryptoAdapter,
    check: impl FnOnce(&CommandImplementation) -> Result<(), Failed>,
) -> Result<Completion, Failed> {
    let program = match locate(adapter) {
        Ok(p) => p,
        Err(why) if adapter.ci && std::env::var_os(REQUIRE).is_some_and(|v| v == "1") => {
            return Err(format!("{REQUIRE}=1: {why}").into());
        }
        Err(why) => return Ok(Completion::ignored_with(why)),
    };
    let imp = CommandImplementation::start(
        &command_line(&program),
        AdapterOptions {
            case_timeout: Duration::from_secs(60),
            start_timeout: Duration::from_secs(60),
            strict: true,
            max_consecutive_failures: 1,
        },
    )
    .map_err(|e| Failed::from(e.to_string()))?;
    let result = check(&imp);
    let notes = imp.finish();
    result?;
    if let Some(problem) = notes
        .iter()
        .find(|n| !n.contains("answered by a clean exit"))
    {
        return Err(format!("the adapter misbehaved: {problem}").into());
    }
    Ok(Completion::Completed)
}

fn store_case() -> Result<BuildInput, Failed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let cases = fixture::load_dir(&root).map_err(|e| Failed::from(e.to_string()))?;
    match cases
        .into_iter()
        .find(|c| c.def.id == STORE_CASE)
        .map(|c| c.input)
    {
        Some(CaseInput::BundleBuilding(i)) => Ok(i),
        _ => Err(format!("{STORE_CASE} is missing or not a bundle-building case").into()),
    }
}

/// The bundle the adapter builds from the fixture store, entries sorted by session ID.
fn built_bundle(imp: &CommandImplementation) -> Result<Value, Failed> {
    let mut bundle = imp
        .build_bundle(&store_case()?)
        .map_err(|e| Failed::from(e.to_string()))?
        .ok_or_else(|| {
            Failed::from("the adapter built no bundle from a store with shareable sessions")
        })?;
    for k in ["room_keys", "withheld"] {
        if let Some(a) = bundle[k].as_array_mut() {
            a.sort_by_key(|e| e["session_id"].as_str().unwrap_or_default().to_owned());
        }
    }
    Ok(bundle)
}

fn snapshot_name(what: &str, adapter: &CryptoAdapter) -> String {
    format!("{what}@{}", adapter.version)
}

fn bundle_snapshot(adapter: &CryptoAdapter, imp: &CommandImplementation) -> Result<(), Failed> {
    let bundle = built_bundle(imp)?;
    insta::assert_json_snapshot!(snapshot_name("bundle", adapter), bundle);
    Ok(())
}

fn encrypted_file_snapshot(
    adapter: &CryptoAdapter,
    imp: &CommandImplementation,
) -> Result<(), Failed> {
    let bytes = serde_json::to_vec(&built_bundle(imp)?).map_err(|e| Failed::from(e.to_string()))?;
    let encryption = imp
        .encrypt_file(&bytes)
        .map_err(|e| Failed::from(e.to_string()))?;
    insta::assert_json_snapshot!(snapshot_name("encrypted_file", adapter), encryption.file, {
        ".key.k" => "[random key]",
        ".iv" => "[random iv]",
        ".hashes.sha256" => "[hash of random ciphertext]",
    });
    Ok(())
}
