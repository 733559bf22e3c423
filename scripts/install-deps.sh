#!/usr/bin/env bash
# Installs the Debian 12 packages ddbg needs to build, test and benchmark. Idempotent:
# packages already present are not touched, and nothing runs when all are there.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config git jq
  libsimdjson-dev libprotobuf-dev protobuf-compiler
  libzstd-dev liblz4-dev zlib1g-dev libxxhash-dev libroaring-dev
  libre2-dev libfmt-dev libcli11-dev
  liblua5.4-dev libpq-dev postgresql-15
  libgtest-dev libgmock-dev libbenchmark-dev
  zstd gzip time
  libcpp-httplib-dev libgrpc++-dev protobuf-compiler-grpc prometheus
  chromium chromium-driver
)
# The serve tests drive a real OpenTelemetry JS client and the report's browser test runs
# playwright-core (tests/report/browser): Node.js and npm (Debian's, unless a
# node is already on PATH), then the pinned packages of tests/server/js.
if ! command -v node >/dev/null 2>&1; then PKGS+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then PKGS+=(npm); fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
install_js_client() {
  local js="$ROOT/tests/server/js"
  # Reinstalled whenever the lock file differs from the one installed last.
  if [ -f "$js/package-lock.json" ] && ! cmp -s "$js/package-lock.json" "$js/node_modules/.ddbg-installed-lock"; then
    echo "install-deps: npm ci in tests/server/js"
    (cd "$js" && npm ci --no-audit --no-fund --loglevel=error &&
      cp package-lock.json node_modules/.ddbg-installed-lock)
  fi
}
# Peers the benchmarks compare against (bench/query_bench.sh): only for `make bench`.
if [ "${1:-}" = "--bench" ]; then PKGS+=(ripgrep clickhouse-server clickhouse-client); fi
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  install_js_client
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
install_js_client
