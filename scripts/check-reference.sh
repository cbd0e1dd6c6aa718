#!/usr/bin/env bash
# Opens the rendered API reference in headless Chromium and checks that every operation of openapi.yaml is
# on the page (its summary in the text, its operationId in a link), then saves docs/reference.png.
#   scripts/check-reference.sh http://127.0.0.1:3000/docs
#   scripts/check-reference.sh "file://$PWD/docs/reference.html"
# Every host but this machine is unresolvable for the browser, so the page must render from what it is served.
set -euo pipefail
url=${1:?usage: scripts/check-reference.sh URL}
cd "$(dirname "$0")/.."
screenshot=$(realpath -m "${REFERENCE_SCREENSHOT:-docs/reference.png}")

if ! command -v chromium >/dev/null; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
browse() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
    --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1" \
    --virtual-time-budget=15000 "$@" "$url" 2>>"$tmp/chromium.log"
}
browse --dump-dom > "$tmp/dom.html"
browse --window-size=1400,1000 --screenshot="$screenshot" > /dev/null

if grep -E 'CONSOLE.*Uncaught' "$tmp/chromium.log"; then
  echo "FAIL: the page threw while rendering $url" >&2
  exit 1
fi

# The rendered page without its scripts (they hold the whole description, so they would match anything),
# as text with the usual entities decoded.
perl -0pe 's/<(script|style)\b.*?<\/\1>//gis' "$tmp/dom.html" > "$tmp/rendered.html"
perl -0pe 's/<[^>]*>/ /g; s/&amp;/&/g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&#x27;|&#39;/\x27/g; s/\s+/ /g' \
  "$tmp/rendered.html" > "$tmp/text.txt"

# Operations are the 6-space-indented operationId/summary lines under paths (one per operation).
ids=$(sed -n 's/^      operationId: *//p' openapi.yaml | tr -d "\"'")
mapfile -t summaries < <(sed -n 's/^      summary: *//p' openapi.yaml | sed -E "s/^([\"'])(.*)\1$/\2/")
[ -n "$ids" ] || { echo "FAIL: no operationId found in openapi.yaml" >&2; exit 1; }

missing=0 count=0
for id in $ids; do
  count=$((count + 1))
  grep -q -- "/$id\"" "$tmp/rendered.html" || { echo "missing operation: $id" >&2; missing=$((missing + 1)); }
done
for s in "${summaries[@]}"; do
  grep -qF -- "$s" "$tmp/text.txt" || { echo "missing summary: $s" >&2; missing=$((missing + 1)); }
done
if [ "$missing" -ne 0 ]; then
  echo "FAIL: $missing of $count operations (ids and summaries) are not on $url" >&2
  exit 1
fi
echo "reference: all $count operations (operationId and summary) rendered at $url; screenshot $screenshot"
