#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh on this machine the way the ClusterFuzzLite / OSS-Fuzz engine
# runs it in its Rust build image, then checks what the engine gets, so that the files for the
# distributed engine are known to work before a nightly run finds out.
#
# usage: fuzz/clusterfuzzlite-local.sh [--sanitizer address|undefined] [--work DIR] [TARGET...]
#
#   TARGET...        build and check only these targets (passed to build.sh as MSC4268_CFL_TARGETS);
#                    default: every target of fuzz/fuzz_targets/
#   --sanitizer S    the engine's SANITIZER (default address, what .github/workflows/fuzz-nightly.yml
#                    asks for)
#   --work DIR       where $SRC, $OUT and $WORK are made (default fuzz/cfl-local, git-ignored); kept
#                    between runs, so a rebuild is incremental
#
# What it reproduces of the engine (base-builder-rust image, its `compile` step):
#   * $SRC/msc4268-conformance is a copy of this working tree (the Dockerfile's `COPY .`: tracked
#     files and untracked ones that git does not ignore), $SRC/build.sh is .clusterfuzzlite/build.sh,
#     $OUT and $WORK are empty directories, and the build runs as `bash -eux $SRC/build.sh` in $SRC;
#   * the environment: SANITIZER, FUZZING_ENGINE=libfuzzer, FUZZING_LANGUAGE=rust,
#     ARCHITECTURE=x86_64, RUSTFLAGS="--cfg fuzzing -Zsanitizer=$SANITIZER -Cdebuginfo=1
#     -Cforce-frame-pointers" (without -Zsanitizer for `undefined`), no CARGO_TARGET_DIR;
#   * the nightly toolchain: the image's `cargo` is a nightly one, so RUSTUP_TOOLCHAIN=nightly here
#     (`cargo +nightly fuzz build -O`, as build.sh calls it).
# What differs: libFuzzer comes from libfuzzer-sys (the engine links its own through
# CUSTOM_LIBFUZZER_PATH), the toolchain is this machine's nightly rather than the image's pinned
# one, and there is no container.
#
# Then, for each target: the executable is in $OUT, its seed corpus zip and (for the JSON targets)
# its dictionary are there, and the executable replays its seed corpus (-runs=0) and executes
# every input (fuzz/count-runs.sh reads libFuzzer's `Done N runs`), as the engine's first run does.
#
# Exit status: 0 if the build and every check passed, 1 otherwise. Needs: rustup with a nightly
# toolchain, cargo-fuzz (installed if missing), a C++ compiler (libfuzzer-sys), zip and unzip.
# A full build compiles the model's crypto crates instrumented: run it niced on a shared machine
# (`nice -n 19 fuzz/clusterfuzzlite-local.sh bundle_parser`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SANITIZER=address
WORK_ROOT="$ROOT/fuzz/cfl-local"
TARGETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitizer) SANITIZER=$2; shift 2 ;;
    --work) WORK_ROOT=$2; shift 2 ;;
    -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 1 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
case "$SANITIZER" in
  address|undefined) ;;
  *) echo "--sanitizer: address or undefined (got $SANITIZER)" >&2; exit 1 ;;
esac

for tool in zip unzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "no nightly toolchain: rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

SRC="$WORK_ROOT/src"
OUT="$WORK_ROOT/out"
WORK="$WORK_ROOT/work"
mkdir -p "$SRC/msc4268-conformance" "$WORK"
rm -rf "$OUT"
mkdir -p "$OUT"
echo "== copying the working tree to $SRC/msc4268-conformance"
# tar keeps modification times, so cargo rebuilds only what changed since the last run.
git ls-files -z --cached --others --exclude-standard \
  | tar --null -T - -cf - \
  | tar -xf - -C "$SRC/msc4268-conformance"
cp .clusterfuzzlite/build.sh "$SRC/build.sh"

if [ "$SANITIZER" = undefined ]; then
  RUSTFLAGS="--cfg fuzzing -Cdebuginfo=1 -Cforce-frame-pointers"
else
  RUSTFLAGS="--cfg fuzzing -Zsanitizer=$SANITIZER -Cdebuginfo=1 -Cforce-frame-pointers"
fi
echo "== $(rustup run nightly rustc --version); SANITIZER=$SANITIZER; RUSTFLAGS=$RUSTFLAGS"
echo "== bash -eux \$SRC/build.sh (log: $WORK_ROOT/build.log)"
started=$SECONDS
if ! (
  cd "$SRC"
  env -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET_DIR \
    SRC="$SRC" OUT="$OUT" WORK="$WORK" \
    SANITIZER="$SANITIZER" FUZZING_ENGINE=libfuzzer FUZZING_LANGUAGE=rust ARCHITECTURE=x86_64 \
    RUSTFLAGS="$RUSTFLAGS" RUSTUP_TOOLCHAIN=nightly \
    MSC4268_CFL_TARGETS="${TARGETS[*]}" \
    bash -eux "$SRC/build.sh"
) >"$WORK_ROOT/build.log" 2>&1; then
  tail -40 "$WORK_ROOT/build.log"
  echo "FAILED: build.sh (full log: $WORK_ROOT/build.log)" >&2
  exit 1
fi
echo "== built in $((SECONDS - started)) s"

if [ ${#TARGETS[@]} -eq 0 ]; then
  mapfile -t TARGETS < <(find fuzz/fuzz_targets -maxdepth 1 -name '*.rs' -printf '%f\n' | sed 's/\.rs$//' | sort)
fi
failed=0
fail() { echo "FAILED: $*" >&2; failed=1; }
for t in "${TARGETS[@]}"; do
  bin="$OUT/$t"
  if [ ! -x "$bin" ]; then fail "$t: $bin missing"; continue; fi
  case "$t" in
    import_policy|round_trip) ;;
    *) [ -f "$OUT/$t.dict" ] || fail "$t: $OUT/$t.dict missing" ;;
  esac
  seeds="$WORK/seeds-$t"
  rm -rf "$seeds"; mkdir -p "$seeds"
  zip_file="$OUT/${t}_seed_corpus.zip"
  if [ -f "$zip_file" ]; then
    unzip -q "$zip_file" -d "$seeds"
  elif [ -n "$(ls -A "fuzz/corpus/$t" 2>/dev/null)" ]; then
    fail "$t: $zip_file missing although fuzz/corpus/$t has inputs"
  fi
  log="$WORK/$t.replay.log"
  dict=()
  [ -f "$OUT/$t.dict" ] && dict=(-dict="$OUT/$t.dict")
  if ! "$bin" -runs=0 "${dict[@]}" "$seeds" >"$log" 2>&1; then
    tail -20 "$log" >&2
    fail "$t: replaying its seed corpus failed ($log)"
    continue
  fi
  if ! runs=$(fuzz/count-runs.sh "$log"); then
    fail "$t: did not run its seed corpus ($log)"
    continue
  fi
  echo "ok $t: $(stat -c %s "$bin") bytes, $(ls "$seeds" | wc -l) seed inputs replayed ($runs runs), $(grep -c '^' "$log") log lines"
done
if [ "$failed" != 0 ]; then
  exit 1
fi
echo "== ClusterFuzzLite build checked: ${TARGETS[*]} (out: $OUT)"
