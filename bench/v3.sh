#!/bin/sh
# v3 API benchmarks for docs/PERFORMANCE.md: wrk on GET /v3/social/connections,
# GET /v3/contacts?limit=50 (10k contacts), POST /v3/contacts and GET /v3/contacts?email= (at 1k
# and at 100k contacts), next to nginx serving the same bodies as static files and Prism mocking
# CC's document; the 40,000-contact import; RSS with 100k contacts.
# Usage: bench/v3.sh [build-dir]   (needs wrk and nginx-light)
# Exits non-zero, naming the run, when any benchmark request is answered other than 2xx, wrk sees
# a socket error, a cold start does not reach a 200, or an import does not add its contacts.
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
EMAIL_PID=""
PRISM_PID=""
trap 'kill $SANDBOX_PID $EMAIL_PID $PRISM_PID 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

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

W="-t2 -c32 -d${DURATION}s --latency"
N=http://127.0.0.1:$NGINX_PORT
expect_2xx "nginx connections" $N/v3/social/connections
expect_2xx "sandbox connections" -H "$AUTH" $B/v3/social/connections
expect_2xx "nginx contacts page" $N/v3/contacts50
expect_2xx "sandbox contacts page" -H "$AUTH" "$B/v3/contacts?limit=50"
echo "== GET /v3/social/connections: nginx static, sandbox"
wrk_run "nginx static /v3/social/connections" $W $N/v3/social/connections
wrk_run "sandbox GET /v3/social/connections" $W -H "$AUTH" $B/v3/social/connections
echo "== GET /v3/contacts?limit=50, 10k contacts: nginx static, sandbox"
wrk_run "nginx static contacts page (50)" $W $N/v3/contacts50
wrk_run "sandbox GET /v3/contacts?limit=50" $W -H "$AUTH" "$B/v3/contacts?limit=50"
cat > "$WORK/post.lua" <<LUA
-- Every thread and request gets a distinct address, so each POST creates a contact (201).
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
expect_2xx "sandbox POST /v3/contacts" -X POST -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"email_address":{"address":"check@bench.test"},"create_source":"Account","first_name":"W"}' $B/v3/contacts
echo "== POST /v3/contacts (each a new contact)"
wrk_run "sandbox POST /v3/contacts" $W -s "$WORK/post.lua" $B/v3/contacts
echo "  contacts now: $(curl -sf "$B/v3/contacts?status=all&limit=1&include_count=true" -H "$AUTH" | python3 -c 'import json,sys; print(json.load(sys.stdin)["contacts_count"])')"

# The email filter at 1,000 and at 100,000 contacts, in a second sandbox holding only these: the
# same query for the same contact, so a filter that walked the contacts would show as a drop.
EPORT=18614
"$BIN" sandbox --listen 127.0.0.1:$EPORT --profile fast --log-level error >/dev/null &
EMAIL_PID=$!
E=http://127.0.0.1:$EPORT
for _ in $(seq 50); do curl -sf $E/ >/dev/null && break; sleep 0.1; done
EACCESS=$(device_token $E "contact_data")
EAUTH="Authorization: Bearer $EACCESS"
ELIST_ID=$(field "$(curl -sf -X POST $E/v3/contact_lists -H "$EAUTH" -H 'Content-Type: application/json' -d '{"name":"Email"}')" list_id)
echo "== email filter: import 1,000 contacts"
import_contacts $E "$EACCESS" "$ELIST_ID" 1000 e
EMAIL_Q="email=e500%40bench.test"
COUNT_Q="email=e500%40bench.test&include_count=true&status=all"
curl -sf "$E/v3/contacts?$EMAIL_Q" -H "$EAUTH" > "$WORK/www/v3/contacts-email"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); assert len(b["contacts"]) == 1, b' "$WORK/www/v3/contacts-email" \
  || bench_fail "email filter: the answer does not hold exactly one contact"
expect_2xx "nginx email body" $N/v3/contacts-email
expect_2xx "sandbox email filter" -H "$EAUTH" "$E/v3/contacts?$EMAIL_Q"
expect_2xx "sandbox email filter, counted" -H "$EAUTH" "$E/v3/contacts?$COUNT_Q"
echo "== GET /v3/contacts?email=: nginx static, sandbox at 1,000 contacts (plain, then include_count=true&status=all)"
wrk_run "nginx static email answer" $W $N/v3/contacts-email
wrk_run "sandbox email= (1k contacts)" $W -H "$EAUTH" "$E/v3/contacts?$EMAIL_Q"
wrk_run "sandbox email=&include_count=true&status=all (1k contacts)" $W -H "$EAUTH" "$E/v3/contacts?$COUNT_Q"
echo "== email filter: import 99,000 more contacts"
import_contacts $E "$EACCESS" "$ELIST_ID" 40000 f
import_contacts $E "$EACCESS" "$ELIST_ID" 40000 g
import_contacts $E "$EACCESS" "$ELIST_ID" 19000 h
curl -sf "$E/v3/contacts?$EMAIL_Q" -H "$EAUTH" | cmp -s - "$WORK/www/v3/contacts-email" \
  || bench_fail "email filter: at 100,000 contacts the answer differs from the one at 1,000"
echo "== GET /v3/contacts?email=: sandbox at 100,000 contacts (same queries)"
wrk_run "sandbox email= (100k contacts)" $W -H "$EAUTH" "$E/v3/contacts?$EMAIL_Q"
wrk_run "sandbox email=&include_count=true&status=all (100k contacts)" $W -H "$EAUTH" "$E/v3/contacts?$COUNT_Q"
kill $EMAIL_PID; wait $EMAIL_PID 2>/dev/null || true

# Prism (Stoplight's OpenAPI mock, static examples) serving CC's own v3 document, side by side.
# It ignores basePath, so it is called without /v3. Skipped when the document or Prism is absent.
SWAGGER="${CC_SWAGGER:-../shared/reference/constant-contact-v3-swagger.yaml}"
PRISM=bench/prism/node_modules/.bin/prism
if [ -f "$SWAGGER" ] && [ -x "$PRISM" ]; then
  PRISM_PORT=18612
  echo "== prism cold start to first 200"
  COLD_START_LIMIT=60 COLD_START_HEADER="$AUTH" python3 bench/cold_start.py --command $PRISM_PORT /social/connections 3 -- \
    "$PRISM" mock --host 127.0.0.1 -p '{port}' "$SWAGGER" || bench_fail "prism cold start"
  "$PRISM" mock --host 127.0.0.1 -p $PRISM_PORT "$SWAGGER" >"$WORK/prism.log" 2>&1 &
  PRISM_PID=$!
  P=http://127.0.0.1:$PRISM_PORT
  until curl -s -o /dev/null -H "$AUTH" $P/social/connections; do sleep 0.05; done
  sed 's#"/v3/contacts"#"/contacts"#' "$WORK/post.lua" > "$WORK/prism-post.lua"
  expect_2xx "prism connections" -H "$AUTH" $P/social/connections
  expect_2xx "prism contacts page" -H "$AUTH" "$P/contacts?limit=50"
  expect_2xx "prism email filter" -H "$AUTH" "$P/contacts?$EMAIL_Q"
  expect_2xx "prism POST /contacts" -X POST -H "$AUTH" -H 'Content-Type: application/json' \
    -d '{"email_address":{"address":"check@bench.test"},"create_source":"Account","first_name":"W"}' $P/contacts
  echo "== prism (same requests, without /v3)"
  wrk_run "prism GET /social/connections" $W -H "$AUTH" $P/social/connections
  wrk_run "prism GET /contacts?limit=50" $W -H "$AUTH" "$P/contacts?limit=50"
  wrk_run "prism GET /contacts?email=" $W -H "$AUTH" "$P/contacts?$EMAIL_Q"
  wrk_run "prism POST /contacts" $W -s "$WORK/prism-post.lua" $P/contacts
  for pid in $(pgrep -P $PRISM_PID) $PRISM_PID; do grep -H VmHWM /proc/$pid/status 2>/dev/null | sed 's#^#  prism #'; done
  kill $PRISM_PID 2>/dev/null || true
else
  echo "== prism skipped (set CC_SWAGGER to CC's v3 document and run: cd bench/prism && npm ci)"
fi
# Cold starts, polled the same way for every server (bench/cold_start.py): stop nginx first, then
# time fresh starts to the first answered request.
kill "$(cat "$WORK/nginx.pid")"; sleep 0.3
echo "== nginx cold start to first 200"
python3 bench/cold_start.py --command $NGINX_PORT /v3/contacts50 10 -- nginx -c "$WORK/nginx.conf" -p "$WORK" -g 'daemon off;' \
  || bench_fail "nginx cold start"
nginx -c "$WORK/nginx.conf" -p "$WORK"
echo "== liaison cold start to first 200"
python3 bench/cold_start.py --command 18613 / 10 -- "$BIN" sandbox --listen '127.0.0.1:{port}' --profile fast --log-level error \
  || bench_fail "liaison cold start"
echo "== peak RSS before the big imports"
grep -H VmHWM /proc/$SANDBOX_PID/status | sed 's#^#  sandbox #'
for pid in $(cat "$WORK/nginx.pid") $(pgrep -P "$(cat "$WORK/nginx.pid")"); do grep -H VmHWM /proc/$pid/status | sed 's#^#  nginx #'; done

echo "== 40,000-contact import, then RSS at 100k contacts"
import 40000 b
import 40000 c
grep VmRSS /proc/$SANDBOX_PID/status
curl -sf "$B/v3/contacts/counts" -H "$AUTH"; echo
bench_finish
