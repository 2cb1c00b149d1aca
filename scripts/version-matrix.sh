#!/usr/bin/env bash
# The matrix-sdk-crypto version matrix of docs/versions.md: builds the adapter program for every
# release this repository has a workspace for (0.18.0 and 0.19.1, which CI builds too, and the
# older 0.17.0 and 0.16.0, built only here), then runs the whole corpus against all of them side
# by side through the adapter protocol.
#
#   scripts/version-matrix.sh [OUTPUT_DIR]        (default: reports/versions)
#
# OUTPUT_DIR gets the reports of `msc4268 check` (report.html: one column per version; report.md,
# report.json, junit.xml). The summary lines it prints (passed / expected failures / skipped per
# version) are the first table of docs/versions.md. 0.16.0 is the oldest release the adapter
# source builds against (`cfg(feature = "crypto-0-16")` in adapters/matrix-sdk-crypto/src/compat.rs);
# crates.io has no 0.15.0, and 0.14 and earlier were not tried.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-reports/versions}"
# One target directory for all: the workspaces' lock files share many packages.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

echo "== matrix-sdk-crypto 0.18.0 adapter (main workspace)"
cargo build -p msc4268-adapter-matrix-sdk-crypto
echo "== matrix-sdk-crypto 0.19.1 adapter (adapters/matrix-sdk-crypto-0.19; rust-version 1.96, see README)"
cargo build --ignore-rust-version --manifest-path adapters/matrix-sdk-crypto-0.19/Cargo.toml
echo "== matrix-sdk-crypto 0.17.0 adapter (adapters/matrix-sdk-crypto-0.17)"
cargo build --manifest-path adapters/matrix-sdk-crypto-0.17/Cargo.toml
echo "== matrix-sdk-crypto 0.16.0 adapter (adapters/matrix-sdk-crypto-0.16)"
cargo build --manifest-path adapters/matrix-sdk-crypto-0.16/Cargo.toml
echo "== the corpus against all four, reports in $out"
cargo run --release -p msc4268-cli -- check \
  --impl matrix-sdk-crypto@0.16.0 \
  --impl matrix-sdk-crypto@0.17.0 \
  --impl matrix-sdk-crypto@0.18.0 \
  --impl matrix-sdk-crypto@0.19.1 \
  --strict --output "$out"
