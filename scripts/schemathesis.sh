#!/usr/bin/env bash
# Property-based contract test: schemathesis generates requests from openapi.yaml against the local API
# (its own throwaway PostgreSQL with the demo data) and fails on any 5xx or any response that openapi.yaml
# does not describe. Bounded to about two minutes. Needs `st` (pip install schemathesis) on PATH or in $ST.
set -euo pipefail
cd "$(dirname "$0")/.."

st="${ST:-st}"
port="${SCHEMATHESIS_PORT:-3917}"
budget="${SCHEMATHESIS_SECONDS:-120}"
api="http://127.0.0.1:$port"

cargo build --quiet -p local-api
bin="${CARGO_TARGET_DIR:-target}/debug/local-api"
LOCAL_API_ADDR="127.0.0.1:$port" RUST_LOG=warn "$bin" serve 2>schemathesis-api.log &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    curl -s -o /dev/null "$api/api/marketplace/items" && break
    sleep 0.5
done

owner=$("$bin" token demo-owner)
admin=$("$bin" token demo-admin)
run() {
    timeout "$((budget / 2))" "$st" run openapi.yaml --url "$api" \
        --checks all --exclude-checks unsupported_method \
        --phases examples,fuzzing --max-examples 40 --request-timeout 10 --no-color "$@"
}
echo "== schemathesis as a workspace owner"
run -H "Authorization: Bearer $owner" -H "X-Workspace-ID: 11111111-1111-4111-8111-111111111111"
echo "== schemathesis as an admin"
run -H "Authorization: Bearer $admin"
if grep -q " ERROR " schemathesis-api.log; then
    echo "the local API logged errors:"; grep " ERROR " schemathesis-api.log; exit 1
fi
rm -f schemathesis-api.log
