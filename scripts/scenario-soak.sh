#!/usr/bin/env bash
# Runs the whole scenario suite N times in a row (default 20) and writes, per run, its exit status,
# wall time, the scenarios that failed and what it left behind: containers and networks carrying
# the scenario label (org.msc4268.scenarios), and processes of the test binary. A flake is a bug:
# this is how a change to the scenarios or their harness shows it does not add one.
#
#   scripts/scenario-soak.sh [RUNS] [OUT]        OUT defaults to reports/soak
#
# Builds the scenario test binary once (cargo test --workspace --no-run; CARGO_TARGET_DIR is honoured), then
# runs that binary directly, so every run measures the scenarios, not cargo. Needs the Synapse
# image (homeserver/build-image.sh; the tests build it when missing) and a Docker engine.
# Exit status: 0 when every run passed and left nothing behind, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
out=${2:-reports/soak}
mkdir -p "$out"

# `--workspace`, as README's test command: the same feature set, so the build `cargo test
# --workspace` made is reused (with `-p msc4268-scenarios` cargo would rebuild matrix-sdk).
bin=$(cargo test --workspace --test scenarios --no-run --message-format=json 2>/dev/null |
  python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "scenarios":
        print(m["executable"])
')
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "scenario-soak: could not build the scenario test binary" >&2
  exit 1
fi
echo "scenario-soak: $runs runs of $bin, results in $out"

leftovers() {
  local c n p
  c=$(docker ps -aq --filter label=org.msc4268.scenarios | wc -l)
  n=$(docker network ls -q --filter label=org.msc4268.scenarios | wc -l)
  # The test binary's own processes and the client actors it started (matrix-sdk actor programs).
  p=$(( $(pgrep -f -- "$bin" | wc -l || true) + $(pgrep -f -- "msc4268-client-matrix-sdk" | wc -l || true) ))
  echo "$c $n $p"
}

summary="$out/summary.tsv"
printf 'run\tstatus\tseconds\tfailed\tcontainers_left\tnetworks_left\tprocesses_left\n' >"$summary"
bad=0
for i in $(seq 1 "$runs"); do
  log="$out/run-$i.log"
  start=$(date +%s.%N)
  set +e
  (cd scenarios && "$bin") >"$log" 2>&1
  status=$?
  set -e
  end=$(date +%s.%N)
  secs=$(python3 -c "print(f'{$end - $start:.1f}')")
  failed=$(sed -nE 's/^test (.*) \.\.\. FAILED$/\1/p' "$log" | paste -sd, -)
  read -r c n p < <(leftovers)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$status" "$secs" "${failed:--}" "$c" "$n" "$p" >>"$summary"
  echo "run $i: status $status, ${secs} s, failed: ${failed:-none}, left: $c containers, $n networks, $p processes"
  if [ "$status" != 0 ] || [ "$c" != 0 ] || [ "$n" != 0 ] || [ "$p" != 0 ]; then
    bad=$((bad + 1))
  fi
done
python3 - "$summary" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
secs = [float(r["seconds"]) for r in rows]
failed = [r for r in rows if r["status"] != "0"]
left = [r for r in rows if (r["containers_left"], r["networks_left"], r["processes_left"]) != ("0", "0", "0")]
print(f"scenario-soak: {len(rows)} runs, {len(failed)} failed, {len(left)} left something behind; "
      f"wall time min {min(secs):.0f} s, median {statistics.median(secs):.0f} s, max {max(secs):.0f} s")
EOF
[ "$bad" = 0 ]
