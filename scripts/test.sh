#!/usr/bin/env bash
# README's test command, on a fresh machine as on a developer's: installs what the tests need from
# the system package manager, then runs `cargo test --workspace` (arguments are passed on:
# `scripts/test.sh --test fixtures -- import-decision/`). .ci/run calls this same script.
#
# Installed here with apt-get (Debian or Ubuntu; as root, or through sudo), only when missing:
#   python3 and python3-venv  the Python example adapter's venv (suite/tests/optional_tools.rs)
#   chromium                  the HTML report rendered in a headless browser (same file)
# Built here unless MSC4268_SKIP_DOCKER=1: the matrix-sdk 0.19.1 actor of the share scenarios
# (scripts/build-clients.sh), which MSC4268_CLIENT_PAIRS (default: the CI pairs) then plays.
# Built here always: the matrix-sdk-crypto 0.19.1 adapter program (the version snapshots).
# Set up by the tests themselves, on demand: the Python example adapter's venv with `cryptography`
# from PyPI (adapters/python/setup.sh) and the Synapse image of the scenario tests
# (homeserver/build-image.sh). The scenario tests need a running Docker engine, which this script
# does not install (it says so when none answers).
#
# Opt-outs: MSC4268_SKIP_PYTHON=1, MSC4268_SKIP_BROWSER=1 and MSC4268_SKIP_DOCKER=1 install
# nothing for that tool, and the tests that need it are reported *ignored*, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
if [ "${MSC4268_SKIP_PYTHON:-0}" != 1 ]; then
  if ! command -v python3 >/dev/null 2>&1; then
    packages+=(python3 python3-venv)
  else
    # Debian's python3 has the venv module but not ensurepip without python3-venv: try a venv.
    probe=$(mktemp -d)
    if ! python3 -m venv "$probe/venv" >/dev/null 2>&1 || ! "$probe/venv/bin/python" -m pip --version >/dev/null 2>&1; then
      packages+=(python3-venv)
    fi
    rm -rf "$probe"
  fi
fi
if [ "${MSC4268_SKIP_BROWSER:-0}" != 1 ] && [ -z "${MSC4268_CHROMIUM:-}" ]; then
  found=0
  for b in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$b" >/dev/null 2>&1; then found=1; break; fi
  done
  [ "$found" = 1 ] || packages+=(chromium)
fi

if [ ${#packages[@]} -gt 0 ]; then
  echo "== installing with apt-get: ${packages[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "scripts/test.sh: ${packages[*]} missing and no apt-get here: install them with your package manager," >&2
    echo "or opt out (MSC4268_SKIP_PYTHON=1 / MSC4268_SKIP_BROWSER=1: those tests are then reported ignored)" >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "scripts/test.sh: installing ${packages[*]} needs root (no sudo here)" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
fi

docker_skip=${MSC4268_SKIP_DOCKER:-}
if [[ -z "$docker_skip" || "$docker_skip" == 0 ]] && ! docker info >/dev/null 2>&1; then
  echo "scripts/test.sh: no Docker engine answers: the scenario tests will fail;" \
    "start one, or set MSC4268_SKIP_DOCKER=1 to report them ignored" >&2
fi

if [[ -z "$docker_skip" || "$docker_skip" == 0 ]]; then
  # The share scenarios run the CI pairs of clients: matrix-sdk 0.18.0 with itself and both ways
  # with 0.19.1, whose actor is built outside the workspace (own Cargo.lock) into the same target
  # directory. Named explicitly, a pair whose actor is missing fails rather than being ignored.
  scripts/build-clients.sh
  export MSC4268_CLIENT_PAIRS="${MSC4268_CLIENT_PAIRS:-alice=matrix-sdk@0.18.0,bob=matrix-sdk@0.18.0;alice=matrix-sdk@0.18.0,bob=matrix-sdk@0.19.1;alice=matrix-sdk@0.19.1,bob=matrix-sdk@0.18.0}"
fi

# The matrix-sdk-crypto 0.19.1 adapter program (own workspace and Cargo.lock, same target
# directory): the version snapshots (suite/tests/version_snapshots.rs) run every version's program,
# and with MSC4268_REQUIRE_CRYPTO_ADAPTERS=1 a missing one fails instead of being ignored.
echo "== building the matrix-sdk-crypto 0.19.1 adapter (adapters/matrix-sdk-crypto-0.19)"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}" \
  cargo build --locked --ignore-rust-version --manifest-path adapters/matrix-sdk-crypto-0.19/Cargo.toml
export MSC4268_REQUIRE_CRYPTO_ADAPTERS="${MSC4268_REQUIRE_CRYPTO_ADAPTERS:-1}"

echo "== cargo test --workspace $*"
exec cargo test --workspace "$@"
