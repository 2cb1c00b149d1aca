#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: builds every cargo-fuzz target of fuzz/ with the
# sanitizer the engine asks for (its `compile` step puts the flags in RUSTFLAGS), and ships each
# with its seed corpus (the checked-in fuzz/corpus/<target> and fuzz/regressions/<target>) and the
# JSON dictionary. fuzz/clusterfuzzlite-local.sh runs this script the way the engine does, on a
# developer's machine or in CI; MSC4268_CFL_TARGETS (space-separated) limits it to some targets.
cd "$SRC/msc4268-conformance"
# Every target has its file in fuzz/fuzz_targets/ (not `cargo fuzz list`: for coverage builds the
# image's cargo wrapper turns every `cargo fuzz` command into a build).
ALL_TARGETS=$(find fuzz/fuzz_targets -maxdepth 1 -name '*.rs' -printf '%f\n' | sed 's/\.rs$//' | sort | tr '\n' ' ')
read -r -a TARGETS <<<"${MSC4268_CFL_TARGETS:-$ALL_TARGETS}"
if [ "${#TARGETS[@]}" -eq 0 ]; then
  echo "no fuzz target to build (fuzz/fuzz_targets/ is empty)" >&2
  exit 1
fi
if [ -n "${MSC4268_CFL_TARGETS:-}" ]; then
  for t in "${TARGETS[@]}"; do
    cargo fuzz build -O --debug-assertions "$t"
  done
else
  cargo fuzz build -O --debug-assertions
fi
for t in "${TARGETS[@]}"; do
  cp "fuzz/target/x86_64-unknown-linux-gnu/release/$t" "$OUT/"
  seeds=$(mktemp -d)
  for d in "fuzz/corpus/$t" "fuzz/regressions/$t"; do
    if [ -d "$d" ]; then
      find "$d" -maxdepth 1 -type f -exec cp -t "$seeds" {} +
    fi
  done
  if [ -n "$(ls -A "$seeds")" ]; then
    (cd "$seeds" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  fi
  rm -rf "$seeds"
  case "$t" in
    import_policy|round_trip) ;;  # structured (arbitrary) inputs: a JSON dictionary does not help
    *) cp fuzz/dict/msc4268.dict "$OUT/$t.dict" ;;
  esac
done
