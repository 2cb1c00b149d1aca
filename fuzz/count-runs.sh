#!/usr/bin/env bash
# usage: fuzz/count-runs.sh LOG
#
# Prints how many inputs the libFuzzer run whose output is in LOG executed, and exits 1 (with the
# reason on stderr) when the target did not start or executed no input: a run that fuzzed nothing
# must not read as a clean run. Used by fuzz/nightly.sh and by .ci/run's fuzz smoke.
#
# It reads libFuzzer's own lines: `Done N runs in S second(s)` (printed when a single-process run
# ends), or, in -fork mode, the last stat line `#N: cov: C ft: F corp: ...` (N = executions of
# all jobs so far). A target that crashed before its first stat line, could not be executed (not
# built, missing library) or never read an input has neither, or N = 0.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 LOG" >&2
  exit 2
fi
log=$1
if [ ! -f "$log" ]; then
  echo "$log: no such log: the target did not run" >&2
  exit 1
fi
runs=$(sed -nE 's/^Done ([0-9]+) runs in .*/\1/p' "$log" | tail -1)
if [ -z "$runs" ]; then
  runs=$(sed -nE 's/^#([0-9]+): cov: .*/\1/p' "$log" | tail -1)
fi
if [ -z "$runs" ]; then
  echo "$log: the target did not start or executed no input (no 'Done N runs' line, no fork-mode stat line); last lines:" >&2
  tail -5 "$log" | sed 's/^/  /' >&2
  exit 1
fi
if [ "$runs" -eq 0 ]; then
  echo "$log: the target executed no input (0 runs)" >&2
  exit 1
fi
echo "$runs"
