#!/usr/bin/env bash
# The browser test of the HTML debug report (registered with CTest): ingests the hostile
# fixture, writes the report as HTML, and opens it in headless Chromium through
# playwright-core (installed here from npm on first run, into BUILD_DIR/report-browser).
# Usage: run.sh DDBG_BINARY BUILD_DIR
set -euo pipefail
ddbg=$1
work=$2/report-browser
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../../fixtures/report
for tool in node npm /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed (scripts/install-deps.sh)"; exit 1; }
done
mkdir -p "$work"
cp "$here/package.json" "$here/report_page.js" "$work/"
if [ ! -f "$work/node_modules/playwright-core/package.json" ] ||
   ! grep -q '"version": "1.65.1"' "$work/node_modules/playwright-core/package.json"; then
  (cd "$work" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
rm -rf "$work/data" "$work/report.html" "$work/report.png"
"$ddbg" ingest --data "$work/data" "$fixtures" >/dev/null
"$ddbg" debug "checkout <script>alert(0)</script> is slow and failing" --data "$work/data" \
  --format html --out "$work/report.html"
cd "$work"
node report_page.js report.html report.png \
  '<script>alert(1)</script>' '"><img src=x onerror=alert(2)>' \
  'evil</svg><script>alert(3)</script>' '<script>alert(4)</script>' \
  '<OrderPlaced onclick=alert(5)>' 'checkout <script>alert(0)</script> is slow and failing'
