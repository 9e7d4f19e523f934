# Sourced by the benchmarks: `start_server BIN DIR` runs `BIN serve` on the data directory
# DIR on a free port, logging to DIR/../server.log, and sets server_pid, endpoint and
# account (the first account, from the credentials file the server writes).
start_server() {
    local bin=$1 data=$2 log
    log="$(dirname "$data")/server.log"
    RUST_LOG=warn,confpack::serve=info,confpack_server::reporting=info "$bin" serve --data-dir "$data" --listen 127.0.0.1:0 2>"$log" &
    server_pid=$!
    for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
    endpoint=$(grep -o 'http://127[0-9.:]*' "$log" | head -n1)
    account=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccountId"])' "$data/credentials.json")
}
