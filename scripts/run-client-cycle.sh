#!/usr/bin/env bash
# Runs clients/typescript/examples/cycle.ts against a running local API (`cargo run -p local-api`),
# with tokens minted for the demo users. MARKETPLACE_API (default http://127.0.0.1:3000) picks the API.
set -euo pipefail
cd "$(dirname "$0")/.."
token() { if [ -n "${LOCAL_API_BIN:-}" ]; then "$LOCAL_API_BIN" token "$1"; else cargo run -q -p local-api -- token "$1"; fi; }
export MARKETPLACE_API="${MARKETPLACE_API:-${API:-http://127.0.0.1:3000}}"
PUBLISHER_TOKEN=$(token demo-publisher) ADMIN_TOKEN=$(token demo-admin) OWNER_TOKEN=$(token demo-owner)
export PUBLISHER_TOKEN ADMIN_TOKEN OWNER_TOKEN
cd clients/typescript
[ -d node_modules ] || npm ci --no-audit --no-fund --prefer-offline
npm run -s cycle
