#!/bin/sh
# v3 API benchmarks for docs/PERFORMANCE.md: wrk on GET /v3/social/connections,
# GET /v3/contacts?limit=50 (10k contacts) and POST /v3/contacts, next to nginx serving the same
# bodies as static files; the 40,000-contact import; RSS with 100k contacts.
# Usage: bench/v3.sh [build-dir]   (needs wrk and nginx-light)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD="${1:-build}"
BIN="$BUILD/liaison"
DURATION="${DURATION:-8}"
PORT=18610
NGINX_PORT=18611
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'kill $SANDBOX_PID 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

"$BIN" sandbox --listen 127.0.0.1:$PORT --profile fast --log-level error >/dev/null &
SANDBOX_PID=$!
B=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -sf $B/ >/dev/null && break; sleep 0.1; done
ACCESS=$(device_token $B "account_read contact_data campaign_data")
AUTH="Authorization: Bearer $ACCESS"

LIST=$(curl -sf -X POST $B/v3/contact_lists -H "$AUTH" -H 'Content-Type: application/json' -d '{"name":"Bench"}')
LIST_ID=$(field "$LIST" list_id)
import() { import_contacts $B "$ACCESS" "$LIST_ID" "$1" "$2"; }  # N contacts named with prefix P
echo "== import"
import 10000 a

mkdir -p "$WORK/www/v3/social"
curl -sf $B/v3/social/connections -H "$AUTH" > "$WORK/www/v3/social/connections"
curl -sf "$B/v3/contacts?limit=50" -H "$AUTH" > "$WORK/www/v3/contacts50"
start_nginx "$WORK" $NGINX_PORT

run() { wrk -t2 -c32 -d"${DURATION}s" --latency "$@" | grep -E 'Requests/sec|  50%|  99%|Non-2xx'; }
echo "== nginx static /v3/social/connections";  run http://127.0.0.1:$NGINX_PORT/v3/social/connections
echo "== sandbox GET /v3/social/connections";   run -H "$AUTH" $B/v3/social/connections
echo "== nginx static contacts page (50)";      run http://127.0.0.1:$NGINX_PORT/v3/contacts50
echo "== sandbox GET /v3/contacts?limit=50 (10k contacts)"; run -H "$AUTH" "$B/v3/contacts?limit=50"
cat > "$WORK/post.lua" <<LUA
-- Every thread and request gets a distinct address, so each POST creates a contact.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
counter = 0
request = function()
  counter = counter + 1
  local body = '{"email_address":{"address":"w' .. tid .. '-' .. counter .. '@bench.test"},"create_source":"Account","first_name":"W"}'
  return wrk.format("POST", "/v3/contacts", {["Authorization"] = "Bearer $ACCESS", ["Content-Type"] = "application/json"}, body)
end
LUA
echo "== sandbox POST /v3/contacts";            run -s "$WORK/post.lua" $B/v3/contacts

# Prism (Stoplight's OpenAPI mock, static examples) serving CC's own v3 document, side by side.
# It ignores basePath, so it is called without /v3. Skipped when the document or Prism is absent.
SWAGGER="${CC_SWAGGER:-../shared/reference/constant-contact-v3-swagger.yaml}"
PRISM=bench/prism/node_modules/.bin/prism
if [ -f "$SWAGGER" ] && [ -x "$PRISM" ]; then
  PRISM_PORT=18612
  echo "== prism cold start to first answered request"
  COLD_START_HEADER="$AUTH" python3 bench/cold_start.py --command $PRISM_PORT /social/connections 3 -- \
    "$PRISM" mock --host 127.0.0.1 -p '{port}' "$SWAGGER"
  "$PRISM" mock --host 127.0.0.1 -p $PRISM_PORT "$SWAGGER" >"$WORK/prism.log" 2>&1 &
  PRISM_PID=$!
  until curl -s -o /dev/null -H "$AUTH" http://127.0.0.1:$PRISM_PORT/social/connections; do sleep 0.05; done
  echo "== prism GET /social/connections";            run -H "$AUTH" http://127.0.0.1:$PRISM_PORT/social/connections
  echo "== prism GET /contacts?limit=50";              run -H "$AUTH" "http://127.0.0.1:$PRISM_PORT/contacts?limit=50"
  sed 's#"/v3/contacts"#"/contacts"#' "$WORK/post.lua" > "$WORK/prism-post.lua"
  echo "== prism POST /contacts";                      run -s "$WORK/prism-post.lua" http://127.0.0.1:$PRISM_PORT/contacts
  for pid in $(pgrep -P $PRISM_PID) $PRISM_PID; do grep -H VmHWM /proc/$pid/status 2>/dev/null | sed 's#^#  prism #'; done
  kill $PRISM_PID 2>/dev/null || true
else
  echo "== prism skipped (set CC_SWAGGER to CC's v3 document and run: cd bench/prism && npm ci)"
fi
# Cold starts, polled the same way for every server (bench/cold_start.py): stop nginx first, then
# time fresh starts to the first answered request.
kill "$(cat "$WORK/nginx.pid")"; sleep 0.3
echo "== nginx cold start to first answered request"
python3 bench/cold_start.py --command $NGINX_PORT /v3/contacts50 10 -- nginx -c "$WORK/nginx.conf" -p "$WORK" -g 'daemon off;'
nginx -c "$WORK/nginx.conf" -p "$WORK"
echo "== liaison cold start to first answered request"
python3 bench/cold_start.py --command 18613 / 10 -- "$BIN" sandbox --listen '127.0.0.1:{port}' --profile fast --log-level error
echo "== peak RSS before the big imports"
grep -H VmHWM /proc/$SANDBOX_PID/status | sed 's#^#  sandbox #'
for pid in $(cat "$WORK/nginx.pid") $(pgrep -P "$(cat "$WORK/nginx.pid")"); do grep -H VmHWM /proc/$pid/status | sed 's#^#  nginx #'; done

echo "== 40,000-contact import, then RSS at 100k contacts"
import 40000 b
import 40000 c
grep VmRSS /proc/$SANDBOX_PID/status
curl -sf "$B/v3/contacts/counts" -H "$AUTH"; echo
