#!/usr/bin/env bash
# Query benchmark of issue 3: ddbg against ripgrep and ClickHouse on the same simulated data.
#   1. ddbg simulate + ddbg ingest (DDBG_BENCH_TRACES traces; 20000 give ~294k spans, ~60k
#      log lines; 700000 give ~10.2M spans), then `query_bench logs` tops the store up to
#      DDBG_BENCH_LOG_LINES log lines (the issue's scale: 10000000, ~1.5 GB of log text),
#      appending the generated lines to the raw per-service log files as well,
#   2. bench/query_bench run: trace by id p50/p99, two-attribute TraceQL filter, LogQL line
#      filter, count_over_time by service (warm, in-process),
#   3. rg timeout over the raw log file of the checkout service (same machine, same run),
#   4. ClickHouse (Debian clickhouse-server) started on 127.0.0.1 in a temp dir, the same
#      spans and lines loaded into MergeTree tables (exported by query_bench export), the
#      same four questions asked over its HTTP interface with curl (median of the runs).
# Usage: bench/query_bench.sh [build-dir]
set -euo pipefail
BUILD=$(realpath "${1:-build}")
OUT=${DDBG_BENCH_DIR:-/tmp/ddbg-query-bench}
TRACES=${DDBG_BENCH_TRACES:-20000}
LOG_LINES=${DDBG_BENCH_LOG_LINES:-0}
RUNS=${DDBG_BENCH_RUNS:-10}
mkdir -p "$OUT"
SIM="$OUT/sim-$TRACES-$LOG_LINES" STORE="$OUT/store-$TRACES-$LOG_LINES"
if [ ! -f "$STORE/.bench-complete" ]; then
  rm -rf "$SIM" "$STORE"
  "$BUILD/ddbg" simulate --out "$SIM" --traces "$TRACES" --services 12 --seed 7 > /dev/null
  "$BUILD/ddbg" ingest --data "$STORE" "$SIM" | tail -1
  # Only the per-service log files are kept: the OTLP JSON was ingested.
  rm -f "$SIM"/*.otlp.jsonl
  [ "$LOG_LINES" -gt 0 ] && "$BUILD/query_bench" logs "$STORE" "$SIM" "$LOG_LINES"
  touch "$STORE/.bench-complete"
fi
echo "== machine: $(nproc) cores, $(date -u +%Y-%m-%d); raw log text: $(du -shc "$SIM"/logs/* | tail -1 | cut -f1); store: $(du -sh "$STORE" | cut -f1)"
"$BUILD/ddbg" stats --data "$STORE" | head -8
[ -n "${DDBG_BENCH_PREPARE_ONLY:-}" ] && exit 0

echo "== ddbg (in-process, warm)"
"$BUILD/query_bench" run "$STORE"

# Median wall time in ms of RUNS executions of a command.
median_ms() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0=$(date +%s%N); "$@" > /dev/null; local t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1000}'
}

echo "== ripgrep over $SIM/logs/checkout.log ($(du -h "$SIM/logs/checkout.log" | cut -f1))"
echo "rg timeout: $(median_ms rg timeout "$SIM/logs/checkout.log") ms, $(rg -c timeout "$SIM/logs/checkout.log") lines"
echo "ddbg logs query (CLI, process start included): $(median_ms "$BUILD/ddbg" logs query --data "$STORE" --limit 0 '{service="checkout"} |= "timeout"') ms"

echo "== ClickHouse $(clickhouse-server --version 2>/dev/null | head -1)"
CH=$(mktemp -d /tmp/ddbg-ch-XXXXXX)
PORT=18123
mkdir -p "$CH/data" "$CH/tmp" "$CH/user_files"
cat > "$CH/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$CH/server.log</log><errorlog>$CH/error.log</errorlog></logger>
  <http_port>$PORT</http_port><tcp_port>19000</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>$CH/data/</path><tmp_path>$CH/tmp/</tmp_path><user_files_path>$CH/user_files/</user_files_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>1073741824</mark_cache_size>
</yandex>
XML
clickhouse-server --config-file="$CH/config.xml" > "$CH/stdout.log" 2>&1 &
CHPID=$!
trap 'kill $CHPID 2>/dev/null; wait $CHPID 2>/dev/null; rm -rf "$CH"' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/ping" > /dev/null && break; sleep 0.5; done
q() { curl -sf "http://127.0.0.1:$PORT/" --data-binary "$1"; }
q "CREATE TABLE spans (trace_id String, span_id String, service String, name String, start_ns Int64,
   duration_ns Int64, status UInt8, attr_keys Array(String), attr_values Array(String))
   ENGINE = MergeTree ORDER BY (trace_id, start_ns)"
q "CREATE TABLE logs (time_ns Int64, service String, level String, trace_id String, body String)
   ENGINE = MergeTree ORDER BY (service, time_ns)"
"$BUILD/query_bench" export "$STORE" "$CH/user_files"
# Loaded in parts of 500k rows (curl holds a posted file in memory).
for table in spans logs; do
  split -l 500000 "$CH/user_files/$table.tsv" "$CH/user_files/$table.part."
  rm "$CH/user_files/$table.tsv"
  for part in "$CH/user_files/$table".part.*; do
    curl -sf "http://127.0.0.1:$PORT/?query=INSERT%20INTO%20$table%20FORMAT%20TabSeparated" --data-binary @"$part"
    rm "$part"
  done
done
q "OPTIMIZE TABLE spans FINAL"; q "OPTIMIZE TABLE logs FINAL"
echo "loaded: $(q 'SELECT count() FROM spans') spans, $(q 'SELECT count() FROM logs') log lines"
TRACE=$(q "SELECT trace_id FROM spans ORDER BY cityHash64(trace_id) LIMIT 1")
SQL_TRACE="SELECT * FROM spans WHERE trace_id = '$TRACE' FORMAT TabSeparated"
SQL_ATTR="SELECT DISTINCT trace_id FROM spans WHERE attr_values[indexOf(attr_keys, 'http.request.method')] = 'POST' AND attr_values[indexOf(attr_keys, 'http.response.status_code')] = '500' FORMAT TabSeparated"
SQL_LINE="SELECT time_ns, body FROM logs WHERE service = 'checkout' AND position(body, 'timeout') > 0 ORDER BY time_ns FORMAT TabSeparated"
SQL_COUNT="SELECT service, intDiv(time_ns, 60000000000) AS minute, count() FROM logs GROUP BY service, minute ORDER BY service, minute FORMAT TabSeparated"
# What every ClickHouse figure includes besides the query: curl's start and the HTTP round trip.
echo "clickhouse baseline (SELECT 1 through curl): $(median_ms q 'SELECT 1') ms"
for name in TRACE ATTR LINE COUNT; do
  sql_var="SQL_$name"; sql="${!sql_var}"
  q "$sql" > /dev/null  # warm
  echo "clickhouse $name: $(median_ms q "$sql") ms, $(q "$sql" | wc -l) rows  -- $sql"
done
