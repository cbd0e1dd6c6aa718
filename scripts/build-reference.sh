#!/usr/bin/env bash
# Regenerates docs/reference.html, the self-contained API reference rendered from openapi.yaml.
# Redoc's scripts are inlined (--inlineBundle) and the page's Content-Security-Policy (scripts/reference.hbs)
# lets it load nothing from another origin; REDOCLY_TELEMETRY=off also turns off the page's own telemetry.
#   scripts/build-reference.sh           rewrite docs/reference.html
#   scripts/build-reference.sh --check   fail if docs/reference.html is not what openapi.yaml renders to
set -euo pipefail
cd "$(dirname "$0")/.."
REDOCLY_CLI_VERSION=2.77.0
out=docs/reference.html
if [ "${1:-}" = --check ]; then
  out=$(mktemp --suffix=.html)
  trap 'rm -f "$out"' EXIT
fi

REDOCLY_TELEMETRY=off npx --yes "@redocly/cli@$REDOCLY_CLI_VERSION" build-docs openapi.yaml \
  --inlineBundle --template scripts/reference.hbs --title "Community Marketplace API" -o "$out" > /dev/null

# Nothing may be fetched from elsewhere at run time: no <script src>, <link href> or CSS url() off the page.
if grep -Eo '<(script|link|img)[^>]*(src|href)="https?://[^"]*"|url\(["'\'']?https?://[^)]*\)' "$out"; then
  echo "docs/reference.html loads something from another origin" >&2
  exit 1
fi
grep -q '"disableTelemetry":true' "$out" || { echo "telemetry is not disabled" >&2; exit 1; }
grep -q 'http-equiv="Content-Security-Policy"' "$out" || { echo "the page has no Content-Security-Policy" >&2; exit 1; }
if [ "${1:-}" = --check ]; then
  cmp -s "$out" docs/reference.html || { echo "docs/reference.html is stale: run scripts/build-reference.sh" >&2; exit 1; }
  echo "docs/reference.html is current"
else
  echo "docs/reference.html: $(wc -c < docs/reference.html) bytes"
fi
