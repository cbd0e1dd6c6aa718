#!/usr/bin/env bash
# The TypeScript client: the pinned tools from package-lock.json (npm ci; fast from the cache in ~/.npm),
# then its types must be what openapi.yaml generates now, and src/ and examples/ must type-check (strict).
set -euo pipefail
cd "$(dirname "$0")/../clients/typescript"
npm ci --no-audit --no-fund --prefer-offline
npm run check
