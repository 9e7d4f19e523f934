#!/usr/bin/env bash
# Load benchmark: builds release binaries, starts `confpack serve` on a fresh temporary
# data directory listening on 127.0.0.1 (a free port), and drives it with confpack-loadgen,
# once per signature version, with every request signed at send time. Prints each run's
# table, the machine and the date. All traffic stays on loopback; every run is bounded.
#
# Environment:
#   DURATION=10s      measured time per run (after WARMUP)
#   WARMUP=1s         unmeasured traffic before each run
#   CONNECTIONS=64    keep-alive connections, one request in flight on each
#   THREADS=1         load-generator runtime threads
#   SIGNATURES="v1 v3"
#   SMOKE=1           CI check: 2 s, 4 connections, no warm-up; fails on any error
#   JSON=1            print one JSON object per run instead of the table
#   SERVER_CPUS=, CLIENT_CPUS=
#                     optional `taskset -c` CPU lists for the server and the load
#                     generator (e.g. SERVER_CPUS=1 CLIENT_CPUS=0). Unset by default: on
#                     the 2-core reference machine pinning lowered p99 but its effect on
#                     throughput was mixed (see bench/README.md).
#   CARGO_PROFILE=release
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

duration="${DURATION:-10s}"
warmup="${WARMUP:-1s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-1}"
signatures="${SIGNATURES:-v1 v3}"
if [[ "${SMOKE:-0}" == "1" ]]; then
    duration="${DURATION:-2s}"
    warmup="${WARMUP:-0s}"
    connections="${CONNECTIONS:-4}"
fi
profile="${CARGO_PROFILE:-release}"

echo "== building ($profile)" >&2
cargo build --profile "$profile" -p confpack -p confpack-loadgen >&2
bin="$root/target/$profile"

data_dir="$(mktemp -d "${TMPDIR:-/tmp}/confpack-bench.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$data_dir"
}
trap cleanup EXIT

# WARN for everything (per-request INFO lines would dominate the profile), INFO only for
# the serve module so that the "listening on" line still appears.
# Started directly (not through a shell function) so that $! is the server itself.
server=("$bin/confpack" serve --data-dir "$data_dir/data" --listen 127.0.0.1:0)
[[ -n "${SERVER_CPUS:-}" ]] && server=(taskset -c "$SERVER_CPUS" "${server[@]}")
RUST_LOG="warn,confpack::serve=info" "${server[@]}" 2>"$data_dir/server.log" &
server_pid=$!

endpoint=""
for _ in $(seq 1 300); do
    endpoint="$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$data_dir/server.log" | head -n1 | sed 's/^listening on //' || true)"
    [[ -n "$endpoint" && -s "$data_dir/data/credentials.json" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "the server exited during start-up:" >&2
        cat "$data_dir/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$endpoint" ]]; then
    echo "the server did not report its address within 30 s" >&2
    cat "$data_dir/server.log" >&2
    exit 1
fi

credential() { # credential NAME: a string field of credentials.json
    sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$data_dir/data/credentials.json"
}
CONFPACK_ACCESS_KEY_ID="$(credential AccessKeyId)"
CONFPACK_ACCESS_KEY_SECRET="$(credential AccessKeySecret)"
export CONFPACK_ACCESS_KEY_ID CONFPACK_ACCESS_KEY_SECRET

echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(uname -sr)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "== server: $endpoint (pid $server_pid${SERVER_CPUS:+, cpus $SERVER_CPUS}); client threads $threads${CLIENT_CPUS:+, cpus $CLIENT_CPUS}"
echo "== client and server share this machine's cores"

status=0
for signature in $signatures; do
    echo
    args=(--endpoint "$endpoint" --connections "$connections" --threads "$threads"
        --duration "$duration" --warmup "$warmup" --signature "$signature" --server-pid "$server_pid")
    [[ "${JSON:-0}" == "1" ]] && args+=(--json)
    client=("$bin/confpack-loadgen" "${args[@]}")
    [[ -n "${CLIENT_CPUS:-}" ]] && client=(taskset -c "$CLIENT_CPUS" "${client[@]}")
    "${client[@]}" || status=$?
done

kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=""
if [[ "$server_status" -ne 0 ]]; then
    echo "the server exited with status $server_status:" >&2
    tail -n 20 "$data_dir/server.log" >&2
    status=1
fi
warnings="$(grep -c -E ' (WARN|ERROR) ' "$data_dir/server.log" || true)"
if [[ "$warnings" -gt 0 ]]; then
    echo "the server logged $warnings warning/error lines; the first ones:" >&2
    grep -E ' (WARN|ERROR) ' "$data_dir/server.log" | head -n 5 >&2
fi
exit "$status"
