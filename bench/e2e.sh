#!/usr/bin/env bash
# End-to-end benchmark: generates RESOURCES resources (default 1,000,000; SMOKE=1 uses
# 5,000), then (a) the server path: `confpack import` into a server's data directory, the
# MLPS Level 3 pack created through the API and evaluated, its report generated and fetched;
# (b) `confpack scan` of the same file with the same pack. Prints one table: per-stage wall
# time, throughput and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/server.sh
source bench/server.sh

RESOURCES=${RESOURCES:-1000000}
if [[ "${SMOKE:-0}" == 1 ]]; then RESOURCES=5000; fi
TEMPLATE=ct-5f26ff4e06a300c49609
work=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --locked -p confpack >/dev/null 2>&1 || cargo build --release --locked -p confpack
bin=target/release/confpack
seconds() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$1" "$2"; }
peak() { awk '/Maximum resident set size/ {printf "%.0f MiB", $6 / 1024}' "$1"; }

"$bin" generate --resources "$RESOURCES" --seed 7 --out "$work/inventory.ndjson"

# (a) the server path.
start_server "$bin" "$work/data"
t0=$(date +%s.%N)
/usr/bin/time -v "$bin" import --account "$account" --data-dir "$work/data" "$work/inventory.ndjson" >/dev/null 2>"$work/import.log"
t1=$(date +%s.%N)
python3 bench/packs_api.py --endpoint "$endpoint" --credentials "$work/data/credentials.json" --template "$TEMPLATE" --server-pid "$server_pid" >"$work/pack.json"
t2=$(date +%s.%N)
server_rss=$(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$server_pid/status")
kill -TERM "$server_pid"; wait "$server_pid" || true
read_json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/pack.json" "$1"; }
import_s=$(seconds "$t0" "$t1")
evaluate_s=$(read_json evaluated_seconds)
report_s=$(read_json report_seconds)
server_total=$(seconds "$t0" "$t2")

# (b) the offline scan.
s0=$(date +%s.%N)
/usr/bin/time -v "$bin" scan "$work/inventory.ndjson" --pack "$TEMPLATE" --out "$work/scan" --fail-on none >/dev/null 2>"$work/scan.log"
s1=$(date +%s.%N)
stages=$(grep -o 'stages: .*' "$work/scan.log" | sed 's/stages: //')

rate() { python3 -c "import sys; print(round(int(sys.argv[1]) / max(float(sys.argv[2]), 1e-9)))" "$RESOURCES" "$1"; }
echo "| path | stage | wall (s) | resources/s | peak RSS |"
echo "|---|---|---|---|---|"
echo "| server | import (confpack import) | $import_s | $(rate "$import_s") | $(peak "$work/import.log") |"
echo "| server | MLPS L3 pack created and evaluated | $evaluate_s | $(rate "$evaluate_s") | (server) |"
echo "| server | GenerateCompliancePackReport → COMPLETE | $report_s | $(rate "$report_s") | (server) |"
echo "| server | end to end (import, pack, evaluation, report) | $server_total | $(rate "$server_total") | server $server_rss |"
echo "| scan | $stages | $(seconds "$s0" "$s1") | $(rate "$(seconds "$s0" "$s1")") | $(peak "$work/scan.log") |"
echo "resources: $RESOURCES; machine: $(nproc) cores, $(date -u +%F)"
