#!/usr/bin/env bash
# Rule-evaluation benchmark: the whole managed-rule catalogue over RESOURCES generated
# resources (default 1,000,000), against plain serde_json parsing of the same NDJSON, and
# again writing every result to a fresh SQLite store. Prints a table and the peak RSS.
# SMOKE=1 uses 20,000 resources, for CI.
set -euo pipefail
cd "$(dirname "$0")/.."

RESOURCES=${RESOURCES:-1000000}
if [[ "${SMOKE:-0}" == 1 ]]; then RESOURCES=20000; fi

cargo build --release --locked -p confpack-evaluate-bench >/dev/null 2>&1 || cargo build --release --locked -p confpack-evaluate-bench
log=$(mktemp)
trap 'rm -f "$log"' EXIT
/usr/bin/time -v target/release/confpack-evaluate-bench --resources "$RESOURCES" "$@" 2>"$log" || { cat "$log" >&2; exit 1; }
awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); printf "peak RSS %.0f MiB\n", $2 / 1024}' "$log"
