#!/usr/bin/env bash
# Builds the client actors of the share scenarios that live outside the main workspace: the
# matrix-sdk actor against matrix-sdk 0.19.1 (clients/matrix-sdk-0.19, its own Cargo.lock). It
# shares the main workspace's target directory, so that the scenario tests find it next to the
# 0.18.0 actor (and most of its dependencies are built once). The 0.18.0 actor is a binary of the
# scenarios package and is built by `cargo test` itself.
#
# matrix-sdk 0.19.1 declares rust-version 1.96; it builds on 1.95 with --ignore-rust-version
# (README, "matrix-sdk-crypto versions").
#
#   scripts/build-clients.sh          the 0.19.1 actor (what scripts/test.sh and CI need)
#   scripts/build-clients.sh --old    also the older-release actor, matrix-sdk 0.16.1 (on demand:
#                                     the older-release pairs of docs/versions.md)
set -euo pipefail
old=0
if [ "${1:-}" = --old ]; then
  old=1
  shift
fi
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
echo "== building the matrix-sdk 0.19.1 actor (clients/matrix-sdk-0.19) into $CARGO_TARGET_DIR"
cargo build --locked --ignore-rust-version --manifest-path clients/matrix-sdk-0.19/Cargo.toml "$@"
if [ "$old" = 1 ]; then
  echo "== building the matrix-sdk 0.16.1 actor (clients/matrix-sdk-0.16) into $CARGO_TARGET_DIR"
  cargo build --locked --ignore-rust-version --manifest-path clients/matrix-sdk-0.16/Cargo.toml "$@"
fi
