#!/usr/bin/env bash
# Mutation testing of the reference model against its own fixture corpus (issue 17, item 8).
#
# cargo-mutants (crates.io) mutates the model's decision code (the files .cargo/mutants.toml
# lists) and runs one oracle for each mutant: harness/model/tests/corpus_oracle.rs, the embedded
# fixture corpus run through the runner against the mutated reference. A mutant the corpus does
# not notice ("missed") fails this script unless harness/model/mutants.md lists it as equivalent,
# with the reason, in its `equivalent` block.
#
# usage: fuzz/mutants.sh [--in-diff FILE | --diff BASE] [--re REGEX] [--jobs N] [--timeout S] [--out DIR]
#
#   --in-diff FILE  only the mutants on lines a unified diff touches (cargo mutants --in-diff)
#   --diff BASE     the same for `git diff BASE...HEAD -- harness/model` (.ci/mutants-diff uses it);
#                   nothing to do, exit 0, when that diff is empty
#   --re REGEX      only mutants whose name matches (e.g. 'src/json\.rs'; repeatable)
#   --jobs N        mutants built and tested in parallel (default 1; each takes a copy of the tree)
#   --timeout S     test timeout per mutant (default: cargo-mutants' own, from the baseline)
#   --out DIR       where mutants.out goes (default target/mutants)
#   --judge DIR     run nothing: judge the results of an earlier run (DIR/mutants.out)
#
# Environment: CARGO_TARGET_DIR is honoured (a warm target directory saves the dependency build);
# TMPDIR is where cargo-mutants copies the tree.
#
# Exit status: 0 if every viable mutant was caught or is listed as equivalent, 1 if one was
# missed and is not listed, 2 on a setup error. A timeout (the oracle did not finish) counts as
# caught.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
EQUIVALENT_FILE="$ROOT/harness/model/mutants.md"

ARGS=()
OUT="$ROOT/target/mutants"
JOBS=1
DIFF_BASE=""
JUDGE_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --in-diff) ARGS+=(--in-diff "$2"); shift 2 ;;
    --diff) DIFF_BASE=$2; shift 2 ;;
    --re) ARGS+=(--re "$2"); shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --timeout) ARGS+=(--timeout "$2"); shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --judge) OUT=$2; JUDGE_ONLY=1; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [ "$JUDGE_ONLY" = 0 ]; then
  mkdir -p "$OUT"
  if [ -n "$DIFF_BASE" ]; then
    diff_file="$OUT/model.diff"
    git diff "$DIFF_BASE"...HEAD -- harness/model >"$diff_file" || exit 2
    if [ ! -s "$diff_file" ]; then
      echo "== no change to harness/model since $DIFF_BASE: no mutant to test"
      exit 0
    fi
    ARGS+=(--in-diff "$diff_file")
  fi
  # Installed only now: a diff run with nothing to test costs no install.
  if ! cargo mutants --version >/dev/null 2>&1; then
    echo "== installing cargo-mutants"
    cargo install cargo-mutants --locked || exit 2
  fi

  echo "== $(cargo mutants --version); oracle: harness/model/tests/corpus_oracle.rs; jobs=$JOBS; out=$OUT"
  set +e
  cargo mutants --jobs "$JOBS" --output "$OUT" "${ARGS[@]}"
  status=$?
  set -e
  # cargo-mutants: 0 all caught, 2 missed, 3 timeouts, 4 baseline failed; anything else is a
  # setup error.
  case "$status" in
    0|2|3) ;;
    4) echo "the unmutated tree fails the corpus oracle: fix that first" >&2; exit 2 ;;
    *) echo "cargo mutants failed (exit $status)" >&2; exit 2 ;;
  esac
fi

results="$OUT/mutants.out"
# A mutant's name without its line and column, as the equivalent list writes it:
# `harness/model/src/x.rs: replace > with >= in f`.
strip() { sed -E 's/^([^:]+):[0-9]+:[0-9]+: /\1: /'; }
listed=$(sed -n '/^```equivalent$/,/^```$/p' "$EQUIVALENT_FILE" | sed '1d;$d' | grep -v '^#' | grep -v '^$' || true)
unexplained=0
# A timeout is a mutant the oracle did not pass (an endless loop): it counts as caught.
for kind in missed; do
  [ -f "$results/$kind.txt" ] || continue
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    if grep -Fxq -- "$(strip <<<"$name")" <<<"$listed"; then
      echo "equivalent ($kind): $name"
    else
      echo "UNEXPLAINED ($kind): $name"
      unexplained=$((unexplained + 1))
    fi
  done <"$results/$kind.txt"
done
for kind in caught missed unviable timeout; do
  n=$(grep -c . "$results/$kind.txt" 2>/dev/null || true)
  printf '%-9s %s\n' "$kind" "${n:-0}"
done
if [ "$unexplained" -gt 0 ]; then
  echo "$unexplained mutant(s) survived the corpus: add the case that kills each (harness/generator), delete the code nothing needs, or list it with the reason in harness/model/mutants.md" >&2
  exit 1
fi
echo "every viable mutant was caught or is listed as equivalent"
