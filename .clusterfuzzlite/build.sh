#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: builds every cargo-fuzz target of fuzz/ with the
# sanitizer the engine asks for (the base image's cargo wrapper adds the flags), and ships each
# with its seed corpus (the checked-in fuzz/corpus/<target> and fuzz/regressions/<target>) and the
# JSON dictionary.
cd "$SRC/msc4268-conformance"
cargo fuzz build -O --debug-assertions
TARGETS=(bundle_parser decryptor to_device_content olm_envelope import_policy round_trip)
for t in "${TARGETS[@]}"; do
  cp "fuzz/target/x86_64-unknown-linux-gnu/release/$t" "$OUT/"
  seeds=$(mktemp -d)
  for d in "fuzz/corpus/$t" "fuzz/regressions/$t"; do
    [ -d "$d" ] && cp "$d"/* "$seeds"/ 2>/dev/null || true
  done
  (cd "$seeds" && zip -q -r "$OUT/${t}_seed_corpus.zip" .) || true
  case "$t" in
    import_policy|round_trip) ;;
    *) cp fuzz/dict/msc4268.dict "$OUT/$t.dict" ;;
  esac
done
