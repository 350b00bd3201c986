#!/usr/bin/env bash
# Runs Portman 1.33 + newman 6.2 and Dredd 14.1 against a fresh phonebridge-mock on loopback.
# The tools are devDependencies; after `npm run compile`:
#   test/tools/run.sh
# (npm run test:slow runs it: test/tools-cli.test.ts). TOOLS=DIR uses another install of them.
# Output (collection, newman and Dredd reports) goes to $OUT (default /tmp/phonebridge-tools-out).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${TOOLS:-$ROOT}"
OUT="${OUT:-/tmp/phonebridge-tools-out}"
PORT="${PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
BASE="http://127.0.0.1:$PORT"
BIN="$TOOLS/node_modules/.bin"
mkdir -p "$OUT"

start_mock() {
  PORT="$PORT" HOST=127.0.0.1 PHONEBRIDGE_DB=:memory: node "$ROOT/dist/bundle/main.mjs" >"$OUT/mock.log" 2>&1 &
  MOCK_PID=$!
  for _ in $(seq 50); do grep -q 'listening on' "$OUT/mock.log" && return 0; sleep 0.1; done
  echo "mock did not start" >&2; cat "$OUT/mock.log" >&2; return 1
}
stop_mock() { kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; }
trap stop_mock EXIT

status=0

# 1. Portman generates the collection (it writes a tmp/ folder in its working directory, hence cd "$OUT").
start_mock
node "$ROOT/test/tools/portman-config.mjs" >"$OUT/portman.config.json"
(cd "$OUT" && "$BIN/portman" -l "$ROOT/openapi/phonebridge.yaml" -c "$OUT/portman.config.json" \
  -b "$BASE" -o "$OUT/collection.json" --runNewman false --syncPostman false >"$OUT/portman.log" 2>&1)
"$BIN/newman" run "$OUT/collection.json" --reporters cli,json --reporter-json-export "$OUT/newman.json" \
  >"$OUT/newman.txt" 2>&1 || status=1
node -e "const r=require('$OUT/newman.json').run.stats; console.log('newman: requests %d (failed %d), assertions %d (failed %d)', r.requests.total, r.requests.failed, r.assertions.total, r.assertions.failed)"
stop_mock

# 2. Dredd, on a fresh mock (an org that is not integrated yet).
start_mock
"$BIN/dredd" "$ROOT/openapi/phonebridge.yaml" "$BASE" --header "Authorization: Zoho-oauthtoken 1000.admin.mockpbx" \
  --hookfiles "$ROOT/test/tools/dredd-hooks.cjs" >"$OUT/dredd.txt" 2>&1 || status=1
sed 's/\x1b\[[0-9;]*m//g' "$OUT/dredd.txt" | grep '^complete: [0-9]' | sed 's/^/dredd: /'
stop_mock

exit "$status"
