#!/bin/bash
# Structure-only analyses before and after the two-part dictionary (docs/bench/store-dict.md):
# times topology, critical-path and perf 3 times each on one binary and store, and prints the
# store's size. Usage: bench/store_dict.sh DDBG_BINARY STORE_DIR [RUNS]
# Run under /tmp/quiet.sh (or on an idle machine): the figures are wall times.
set -euo pipefail
bin=$1
store=$2
runs=${3:-3}
"$bin" stats --data "$store" | head -1
for cmd in topology critical-path perf; do
  for ((i = 1; i <= runs; i++)); do
    /usr/bin/time -f "$cmd: %e s wall, %U s user, %S s sys, %M KiB peak RSS" \
      "$bin" "$cmd" --data "$store" --format json > /dev/null
  done
done
