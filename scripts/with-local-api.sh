#!/usr/bin/env bash
# Runs a command against a freshly started local API (its own throwaway PostgreSQL and demo data):
#   scripts/with-local-api.sh COMMAND [ARGS...]
# The command sees API (the base URL) and LOCAL_API_BIN (to mint tokens: "$LOCAL_API_BIN" token demo-owner).
# The API is stopped (and its database removed) when the command ends.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${LOCAL_API_PORT:-3917}"
export API="http://127.0.0.1:$port"
cargo build --quiet -p local-api
export LOCAL_API_BIN="${CARGO_TARGET_DIR:-target}/debug/local-api"
log=$(mktemp)
LOCAL_API_ADDR="127.0.0.1:$port" RUST_LOG=warn "$LOCAL_API_BIN" serve 2>"$log" &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 120); do
    curl -s -o /dev/null "$API/openapi.yaml" && break
    kill -0 $server 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.5
done
"$@"
if grep " ERROR " "$log"; then
    echo "the local API logged errors" >&2
    exit 1
fi
