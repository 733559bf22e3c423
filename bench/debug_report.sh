#!/usr/bin/env bash
# Benchmark of `ddbg debug` (issue 8): the whole report over a simulated store.
#   1. ddbg simulate --traces N (default 1,000,000) with a latency and an error fault,
#   2. ddbg ingest into a store,
#   3. ddbg debug in every format, each run 3 times, wall time and peak RSS of each.
# Usage: bench/debug_report.sh [build-dir]; DDBG_DEBUG_BENCH_TRACES=N for another size,
# DDBG_DEBUG_BENCH_DIR for the scratch directory (the input is kept between runs).
set -euo pipefail
BUILD=${1:-build}
TRACES=${DDBG_DEBUG_BENCH_TRACES:-1000000}
OUT=${DDBG_DEBUG_BENCH_DIR:-/tmp/ddbg-debug-bench}/t$TRACES
mkdir -p "$OUT"
if [ ! -f "$OUT/data/MANIFEST" ] && [ ! -d "$OUT/data/segments" ]; then
  rm -rf "$OUT/sim" "$OUT/data"
  "$BUILD/ddbg" simulate --out "$OUT/sim" --seed 11 --traces "$TRACES" \
    --fault latency:payment,magnitude=5 --fault error:inventory >/dev/null
  "$BUILD/ddbg" ingest --data "$OUT/data" "$OUT/sim"
  rm -rf "$OUT/sim"
fi
echo "== machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{print int($2/1024/1024)" GB"}'), $(date -u +%Y-%m-%d)"
"$BUILD/ddbg" stats --data "$OUT/data" | head -6
for format in json text html md; do
  for run in 1 2 3; do
    /usr/bin/time -f "$format run $run: %e s wall, %U s user, %S s sys, %M KB peak RSS" \
      "$BUILD/ddbg" debug "checkout is slow and failing" --data "$OUT/data" --format "$format" \
      --out "$OUT/report.$format"
  done
done
ls -l "$OUT"/report.*
