#!/bin/sh
# Times the trace analyses on simulated data: simulate N traces, ingest, then run each
# command with /usr/bin/time (wall seconds and peak RSS). Usage: bench/analyses_bench.sh [N]
# Per-phase split of the same store: DDBG_BENCH_STORE=$WORK/store build/analyses_phases_bench
set -eu
N=${1:-100000}
DDBG=${DDBG:-build/ddbg}
W=${WORK:-/tmp/ddbg-analyses-bench}
rm -rf "$W" && mkdir -p "$W"
"$DDBG" simulate --out "$W/sim" --traces "$N" --seed 3 \
  --fault latency:payment,start=30m,duration=30m,magnitude=3 >/dev/null
"$DDBG" ingest --data "$W/store" "$W/sim/traces.otlp.jsonl" >/dev/null
"$DDBG" stats --data "$W/store" | head -5
run() {
  name=$1; shift
  /usr/bin/time -f "$name: %e s wall, %M KiB peak RSS" "$DDBG" "$@" --data "$W/store" >/dev/null
}
run topology topology
run critical-path critical-path
run bottlenecks bottlenecks
run errors errors
run perf perf
run regress regress --baseline ..30m --target 30m..
