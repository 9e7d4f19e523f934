#!/usr/bin/env bash
# Inventory import benchmark: generates RESOURCES (default 1,000,000) resources, then
# imports them (a) with `confpack import` into a fresh data directory and (b) through the
# API (PutDiscoveredResources, batches of 1000) into a fresh server, printing resources/s
# and peak RSS of the importing process. SMOKE=1 uses 20,000 resources, for CI.
set -euo pipefail
cd "$(dirname "$0")/.."

RESOURCES=${RESOURCES:-1000000}
if [[ "${SMOKE:-0}" == 1 ]]; then RESOURCES=20000; fi
work=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --locked -p confpack >/dev/null 2>&1 || cargo build --release --locked -p confpack
bin=target/release/confpack

peak_rss() { awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); printf "%.0f MiB", $2 / 1024}' "$1"; }

echo "== generating $RESOURCES resources"
/usr/bin/time -v "$bin" generate --resources "$RESOURCES" --seed 7 --out "$work/inventory.ndjson" 2>"$work/gen.time"
echo "   $(du -h "$work/inventory.ndjson" | cut -f1) of NDJSON, peak RSS $(peak_rss "$work/gen.time")"

echo "== (a) confpack import"
"$bin" accounts create --name bench --data-dir "$work/cli" >"$work/cli-account.json"
account=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccountId"])' "$work/cli-account.json")
/usr/bin/time -v "$bin" import --account "$account" --data-dir "$work/cli" "$work/inventory.ndjson" >"$work/cli.json" 2>"$work/cli.time"
cli_seconds=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Seconds"])' "$work/cli.json")
cli_rate=$(python3 -c "print(round($RESOURCES / $cli_seconds))")
echo "   $RESOURCES resources in $cli_seconds s = $cli_rate resources/s, peak RSS $(peak_rss "$work/cli.time")"

echo "== (b) PutDiscoveredResources through the server"
RUST_LOG=warn,confpack::serve=info "$bin" serve --data-dir "$work/api" --listen 127.0.0.1:0 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done
endpoint=$(grep -o 'http://127[0-9.:]*' "$work/server.log" | head -n1)
python3 bench/import_api.py --endpoint "$endpoint" --credentials "$work/api/credentials.json" "$work/inventory.ndjson" >"$work/api.json"
server_rss=$(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$server_pid/status")
kill -TERM "$server_pid"; wait "$server_pid"
api_rate=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["per_second"])' "$work/api.json")
api_seconds=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$work/api.json")
echo "   $RESOURCES resources in $api_seconds s = $api_rate resources/s, server peak RSS $server_rss"

echo
echo "| path | resources | seconds | resources/s | peak RSS |"
echo "|---|---|---|---|---|"
echo "| confpack import | $RESOURCES | $cli_seconds | $cli_rate | $(peak_rss "$work/cli.time") |"
echo "| PutDiscoveredResources | $RESOURCES | $api_seconds | $api_rate | $server_rss (server) |"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
