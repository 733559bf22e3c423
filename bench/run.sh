#!/usr/bin/env bash
# Ingest benchmark of issue 2: 1M spans of simulated OTLP JSON. Runs, in one go:
#   1. ddbg simulate (the input, about 1M spans),
#   2. bench/ingest_bench (parse-only simdjson vs decode vs end-to-end ingest, same file),
#   3. ddbg ingest under /usr/bin/time for peak RSS, then ddbg stats for bytes on disk.
# Usage: bench/run.sh [build-dir]   (results printed; copy them into docs/BENCHMARKS.md)
set -euo pipefail
BUILD=${1:-build}
OUT=${DDBG_BENCH_DIR:-/tmp/ddbg-bench}
TRACES=${DDBG_BENCH_TRACES:-68500}
mkdir -p "$OUT"
if [ ! -f "$OUT/sim/traces.otlp.jsonl" ]; then
  rm -rf "$OUT/sim"
  "$BUILD/ddbg" simulate --out "$OUT/sim" --seed 7 ${TRACES:+--traces $TRACES}
fi
INPUT="$OUT/sim/traces.otlp.jsonl"
LINES=$(wc -l < "$INPUT")
echo "== input: $INPUT ($(du -h "$INPUT" | cut -f1), $LINES lines)"
echo "== machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{print int($2/1024/1024)" GB"}'), $(date -u +%Y-%m-%d)"
DDBG_BENCH_INPUT="$INPUT" "$BUILD/ingest_bench" --benchmark_counters_tabular=true
rm -rf "$OUT/store-cli"
/usr/bin/time -v "$BUILD/ddbg" ingest --data "$OUT/store-cli" "$INPUT" 2> "$OUT/time.txt"
grep -E "Maximum resident|Elapsed" "$OUT/time.txt"
"$BUILD/ddbg" stats --data "$OUT/store-cli"
echo "input bytes: $(stat -c %s "$INPUT")"
