#!/usr/bin/env bash
# Nightly fuzzing: builds every cargo-fuzz target on stable Rust, runs each for a time budget with
# libFuzzer's -fork over the available cores, minimises the corpus, keeps crash artifacts, and
# prints per-target execs/s, coverage (libFuzzer cov:/ft:) and new crashes.
#
# usage: fuzz/nightly.sh [--differential] [--budget SECONDS] [--jobs N] [--asan] [--no-trace-compares] [--out DIR] [--corpus DIR] [TARGET...]
#
#   --differential  run the differential targets of fuzz/differential/ instead (reference model vs
#                matrix-sdk-crypto 0.18.0: diff_decryptor, diff_bundle_parser, diff_import; also
#                FUZZ_DIFFERENTIAL=1). They build the real crate instrumented, which takes tens of
#                minutes from scratch, so they have their own target directory (FUZZ_DIFF_TARGET_DIR,
#                default fuzz/differential/target) and live corpus (fuzz/differential/nightly-corpus);
#                a crash is a disagreement that is not in the known differences
#                (harness/fuzz-differential/src/known.rs)
#   --budget S   seconds per target (default 600, or $FUZZ_BUDGET)
#   --jobs N     parallel fuzzing processes per target (default: number of cores)
#   --asan       AddressSanitizer build (stable Rust needs RUSTC_BOOTSTRAP=1 for -Zsanitizer; set here)
#   --no-trace-compares  build without comparison tracing: faster on the crypto-bound targets
#                (import_policy +28%, round_trip +69% measured), at the cost of coarser coverage
#                feedback on comparisons (fuzz/README.md, Throughput); uses its own target directory
#   --out DIR    where logs, artifacts and the summary go (default fuzz/nightly-out/<timestamp>)
#   --corpus DIR the live corpus, kept between runs (default fuzz/nightly-corpus); it is seeded from
#                the checked-in corpus (fuzz/corpus) and from the fixtures (msc4268 fuzz-corpus)
#   --mutants    run the mutation testing of the reference model against the corpus instead
#                (fuzz/mutants.sh, every mutant; the remaining arguments go to it)
#
# Exit status: 0 if every target fuzzed and none crashed, 1 if any target left a new crash artifact,
# 2 on a setup error, 3 if a target did not start or executed no input (read from libFuzzer's
# output by fuzz/count-runs.sh; such a target is `NOT RUN` in the summary, never a clean row).
set -euo pipefail
cd "$(dirname "$0")"
FUZZ_DIR=$(pwd)
ROOT=$(cd .. && pwd)

BUDGET=${FUZZ_BUDGET:-600}
JOBS=$(nproc 2>/dev/null || echo 1)
SANITIZER=none
OUT=""
CORPUS_ROOT="$FUZZ_DIR/nightly-corpus"
TARGETS=()
DIFFERENTIAL=${FUZZ_DIFFERENTIAL:-0}
NO_TRACE_COMPARES=0
CORPUS_SET=0
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) BUDGET=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --asan) SANITIZER=address; shift ;;
    --no-trace-compares) NO_TRACE_COMPARES=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    --corpus) CORPUS_ROOT=$2; CORPUS_SET=1; shift 2 ;;
    --differential) DIFFERENTIAL=1; shift ;;
    --mutants) shift; exec "$FUZZ_DIR/mutants.sh" "$@" ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
ALL_TARGETS=(bundle_parser decryptor to_device_content olm_envelope import_policy round_trip)
# The project cargo-fuzz builds, and where each target's checked-in inputs are.
PROJECT_DIR="$FUZZ_DIR"
if [ "$DIFFERENTIAL" = 1 ]; then
  ALL_TARGETS=(diff_decryptor diff_bundle_parser diff_import)
  PROJECT_DIR="$FUZZ_DIR/differential"
  [ "$CORPUS_SET" = 1 ] || CORPUS_ROOT="$PROJECT_DIR/nightly-corpus"
fi
# The single-implementation target whose input layout a target reads (its corpus seeds it).
seed_target() {
  case "$1" in
    diff_decryptor) echo decryptor ;;
    diff_bundle_parser) echo bundle_parser ;;
    diff_import) echo import_policy ;;
    *) echo "$1" ;;
  esac
}
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
OUT=${OUT:-"$FUZZ_DIR/nightly-out/$(date -u +%Y%m%dT%H%M%SZ)"}
mkdir -p "$OUT" "$CORPUS_ROOT"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# Each sanitizer mode gets its own target directory, so switching never rebuilds the other.
BUILD_FLAGS=(--sanitizer "$SANITIZER")
if [ "$DIFFERENTIAL" = 1 ]; then
  # The crate under comparison must be the real one: under `cfg(fuzzing)`, which cargo-fuzz sets
  # by default, vodozemac accepts every Ed25519 signature and every Olm/Megolm MAC, so any
  # scenario whose verdict rests on a signature (a tampered `sender_device_keys`, an unsigned
  # device) would differ for nothing.
  BUILD_FLAGS+=(--no-cfg-fuzzing)
fi
if [ "$NO_TRACE_COMPARES" = 1 ]; then
  BUILD_FLAGS+=(--no-trace-compares)
fi
if [ "$SANITIZER" = address ]; then
  export RUSTC_BOOTSTRAP=1
  if [ "$DIFFERENTIAL" = 1 ]; then
    export CARGO_TARGET_DIR=${FUZZ_DIFF_TARGET_DIR_ASAN:-"$PROJECT_DIR/target-asan"}
  else
    export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR_ASAN:-"$FUZZ_DIR/target-asan"}
  fi
elif [ "$DIFFERENTIAL" = 1 ]; then
  export CARGO_TARGET_DIR=${FUZZ_DIFF_TARGET_DIR:-"$PROJECT_DIR/target"}
else
  export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-"$FUZZ_DIR/target"}
fi
if [ "$NO_TRACE_COMPARES" = 1 ]; then
  # Other instrumentation flags: keep those builds apart from the default ones.
  export CARGO_TARGET_DIR="$CARGO_TARGET_DIR-no-trace-compares"
fi
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
BIN_DIR="$CARGO_TARGET_DIR/$TRIPLE/release"

echo "== $(rustc --version); sanitizer=$SANITIZER; budget=${BUDGET}s per target; jobs=$JOBS; out=$OUT"
echo "== building ${#TARGETS[@]} targets"
(cd "$PROJECT_DIR" && cargo fuzz build --fuzz-dir . "${BUILD_FLAGS[@]}") >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 2; }

echo "== seeding from the fixtures (msc4268 fuzz-corpus)"
SEEDS="$OUT/seeds"
(cd "$ROOT" && CARGO_TARGET_DIR="${MAIN_TARGET_DIR:-$ROOT/target}" \
  cargo run --quiet --release -p msc4268-cli -- fuzz-corpus --out "$SEEDS") >"$OUT/seeds.log" 2>&1 \
  || { cat "$OUT/seeds.log"; exit 2; }

dict_for() {
  case "$1" in
    import_policy|round_trip|diff_import) ;;  # structured (arbitrary) inputs: a JSON dictionary does not help
    *) echo "-dict=$FUZZ_DIR/dict/msc4268.dict" ;;
  esac
}

SUMMARY="$OUT/summary.txt"
printf '%-18s %10s %12s %8s %8s %7s %8s %s\n' target execs exec/s exec/s/job cov ft corpus "new crashes" >"$SUMMARY"
NEW_CRASHES=0
NOT_RUN=()
for t in "${TARGETS[@]}"; do
  live="$CORPUS_ROOT/$t"; art="$OUT/artifacts/$t"; log="$OUT/$t.log"
  mkdir -p "$live" "$art"
  seed=$(seed_target "$t")
  for src in "$PROJECT_DIR/corpus/$t" "$PROJECT_DIR/regressions/$t" "$FUZZ_DIR/corpus/$seed" "$SEEDS/$seed"; do
    [ -d "$src" ] && cp -n "$src"/* "$live"/ 2>/dev/null || true
  done
  echo "== $t: ${BUDGET}s, $JOBS jobs, corpus $(ls "$live" | wc -l) files"
  if [ ! -x "$BIN_DIR/$t" ]; then
    echo "   $t: NOT RUN: $BIN_DIR/$t was not built (is it a target of $PROJECT_DIR?)" | tee -a "$OUT/not-run.txt"
    NOT_RUN+=("$t")
    printf '%-18s %s\n' "$t" "NOT RUN: not built" >>"$SUMMARY"
    continue
  fi
  # The exit status is not the verdict: with -ignore_crashes the fork mode exits with the status
  # of its last job. Crashes are read from the artifacts, and whether it fuzzed at all from the
  # log (fuzz/count-runs.sh).
  rc=0
  # shellcheck disable=SC2046
  "$BIN_DIR/$t" -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$BUDGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art/" $(dict_for "$t") "$live" >"$log" 2>&1 || rc=$?
  if ! execs=$("$FUZZ_DIR/count-runs.sh" "$log" 2>"$OUT/$t.not-run.txt"); then
    echo "   $t: NOT RUN (exit status $rc):" | tee -a "$OUT/not-run.txt"
    sed 's/^/   /' "$OUT/$t.not-run.txt" | tee -a "$OUT/not-run.txt"
    NOT_RUN+=("$t")
    crashes=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    NEW_CRASHES=$((NEW_CRASHES + crashes))
    printf '%-18s %s\n' "$t" "NOT RUN: did not start or executed no input (exit status $rc, $crashes crash artifact(s), $t.log)" >>"$SUMMARY"
    continue
  fi
  rm -f "$OUT/$t.not-run.txt"
  # Fork mode reports '#N: cov: C ft: F corp: K exec/s: E oom/timeout/crash: a/b/c time: Ts ...'.
  last=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  eps=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$last"); eps=${eps:-0}
  # Minimise the live corpus: keep only inputs that add coverage.
  merged="$OUT/merged/$t"; mkdir -p "$merged"
  if "$BIN_DIR/$t" -merge=1 -timeout=10 -rss_limit_mb=2048 "$merged" "$live" >"$OUT/$t.merge.log" 2>&1; then
    rm -rf "$live"; mv "$merged" "$live"
  fi
  crashes=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  NEW_CRASHES=$((NEW_CRASHES + crashes))
  printf '%-18s %10s %12s %8s %8s %7s %8s %s\n' "$t" "$execs" "$eps" "$((eps / JOBS))" "${cov:-?}" "${ft:-?}" \
    "$(ls "$live" | wc -l)" "$crashes" >>"$SUMMARY"
  # Name each crash by replaying it once (fork-mode children's logs are gone): where it panicked
  # and the panic message, which for a broken invariant is the finding.
  for f in $(find "$art" -type f -name 'crash-*' | head -10); do
    echo "   crash: $f" >>"$SUMMARY"
    "$BIN_DIR/$t" "$f" 2>&1 | grep -m1 -A1 "panicked at" | sed 's/^/     /' | cut -c1-220 >>"$SUMMARY" || true
  done
done

echo
cat "$SUMMARY"
echo
echo "logs, artifacts and summary: $OUT"
if [ ${#NOT_RUN[@]} -gt 0 ]; then
  echo "NOT RUN: ${NOT_RUN[*]}: did not start or executed no input (see their logs and $OUT/not-run.txt)"
fi
if [ "$NEW_CRASHES" -gt 0 ]; then
  echo "$NEW_CRASHES new crash artifact(s): minimise with 'cargo fuzz tmin --sanitizer none TARGET FILE' and follow fuzz/README.md"
  exit 1
fi
if [ ${#NOT_RUN[@]} -gt 0 ]; then
  exit 3
fi
