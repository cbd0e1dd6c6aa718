#!/usr/bin/env bash
# Property-based contract test: schemathesis generates requests from openapi.yaml against the local API (its
# demo data), as a workspace owner and as an admin, and fails on any 5xx or any response openapi.yaml does
# not describe. About three minutes (each role is cut off after half of SCHEMATHESIS_SECONDS). Needs `st` (pip install schemathesis) on PATH, or its path in $ST.
#   scripts/with-local-api.sh scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${API:?run it under scripts/with-local-api.sh}"
st="${ST:-st}"
budget="${SCHEMATHESIS_SECONDS:-300}"

owner=$("$LOCAL_API_BIN" token demo-owner)
admin=$("$LOCAL_API_BIN" token demo-admin)
run() {
    timeout "$((budget / 2))" "$st" run openapi.yaml --url "$API" \
        --checks all --exclude-checks unsupported_method \
        --phases examples,fuzzing --max-examples 100 --request-timeout 10 --no-color "$@"
}
echo "== schemathesis as a workspace owner"
run -H "Authorization: Bearer $owner" -H "X-Workspace-ID: 11111111-1111-4111-8111-111111111111"
echo "== schemathesis as an admin"
run -H "Authorization: Bearer $admin"
