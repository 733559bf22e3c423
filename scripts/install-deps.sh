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
  zstd gzip time ripgrep clickhouse-server clickhouse-client
)
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
