#!/usr/bin/env bash
# Compliance-pack benchmark: generates RESOURCES resources (default 1,000,000), imports them
# with `confpack import` into a fresh data directory, starts a server on it, creates the
# MLPS Level 3 pack from its template, and prints the time until the pack is ACTIVE, until
# every rule has evaluated, the pack counters' latency, and the server's peak RSS; then
# generates the pack's report and prints the time from Generate to COMPLETE and the
# server's memory while it writes.
# SMOKE=1 uses 5,000 resources, for CI.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/server.sh
source bench/server.sh

RESOURCES=${RESOURCES:-1000000}
if [[ "${SMOKE:-0}" == 1 ]]; then RESOURCES=5000; fi
work=$(mktemp -d)
# KEEP=1 leaves the data directory (and prints where) for profiling runs.
if [[ "${KEEP:-0}" == 1 ]]; then
    trap 'kill "${server_pid:-}" 2>/dev/null || true; echo "kept $work"' EXIT
else
    trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
fi

cargo build --release --locked -p confpack >/dev/null 2>&1 || cargo build --release --locked -p confpack
bin=target/release/confpack

"$bin" generate --resources "$RESOURCES" --seed 7 --out "$work/inventory.ndjson"
start_server "$bin" "$work/data"
import_started=$(date +%s.%N)
"$bin" import --account "$account" --data-dir "$work/data" "$work/inventory.ndjson" >"$work/import.json"
import_seconds=$(python3 -c "import time; print(round($(date +%s.%N) - $import_started, 1))")
# Let the server's change-feed follower catch up with the import before the pack exists,
# so that the measurement is the pack's own evaluation.
sleep 2
python3 bench/packs_api.py --endpoint "$endpoint" --credentials "$work/data/credentials.json" --server-pid "$server_pid" >"$work/pack.json"
server_rss=$(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$server_pid/status")
kill -TERM "$server_pid"; wait "$server_pid"

read_json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/pack.json" "$1"; }
echo "| resources | import (s, not counted) | pack rules | until ACTIVE (s) | until every rule evaluated (s) | GetConfigRuleComplianceByPack (ms) | GetResourceComplianceByPack (ms) | resources evaluated | server peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
echo "| $RESOURCES | $import_seconds | $(read_json rules) | $(read_json active_seconds) | $(read_json evaluated_seconds) | $(read_json rule_counters_ms) | $(read_json resource_counters_ms) | $(read_json resources_evaluated) | $server_rss |"
echo
echo "| resources | evaluation results in the pack | Generate → COMPLETE (s) | server RSS before (MiB) | server peak RSS while writing (MiB) | XLSX size (MiB) |"
echo "|---|---|---|---|---|---|"
echo "| $RESOURCES | $(grep -o "results=[0-9]*" "$work/server.log" | tail -n1 | cut -d= -f2) | $(read_json report_seconds) | $(read_json report_rss_before_mib) | $(read_json report_peak_rss_mib) | $(read_json xlsx_mib) |"
echo "machine: $(nproc) cores, $(date -u +%F)"
