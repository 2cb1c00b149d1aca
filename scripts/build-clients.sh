#!/usr/bin/env bash
# Builds the client actors of the share scenarios that live outside the main workspace: the
# matrix-sdk actor against matrix-sdk 0.19.1 (clients/matrix-sdk-0.19, its own Cargo.lock). It
# shares the main workspace's target directory, so that the scenario tests find it next to the
# 0.18.0 actor (and most of its dependencies are built once). The 0.18.0 actor is a binary of the
# scenarios package and is built by `cargo test` itself.
#
# matrix-sdk 0.19.1 declares rust-version 1.96; it builds on 1.95 with --ignore-rust-version
# (README, "matrix-sdk-crypto versions").
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
echo "== building the matrix-sdk 0.19.1 actor (clients/matrix-sdk-0.19) into $CARGO_TARGET_DIR"
cargo build --locked --ignore-rust-version --manifest-path clients/matrix-sdk-0.19/Cargo.toml "$@"
