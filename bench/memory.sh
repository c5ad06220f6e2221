#!/bin/sh
# RSS of `liaison sandbox` (in memory, fast profile) holding 100,000 contacts, loaded by three
# JSON imports (40k + 40k + 20k), with each import's time over HTTP.
# Usage: bench/memory.sh [build-dir]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD="${1:-build}"
PORT=18640
"$BUILD/liaison" sandbox --listen 127.0.0.1:$PORT --profile fast --log-level error >/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
B=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -sf $B/ >/dev/null && break; sleep 0.1; done
DEVICE=$(curl -sf -X POST $B/oauth2/default/v1/device/authorize -d client_id=sandbox-public -d 'scope=contact_data')
curl -sf -X POST $B/__sandbox/device/approve -H 'Content-Type: application/json' \
  -d "{\"user_code\":\"$(field "$DEVICE" user_code)\"}" >/dev/null
TOKENS=$(curl -sf -X POST $B/oauth2/default/v1/token -d client_id=sandbox-public \
  -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d device_code="$(field "$DEVICE" device_code)")
ACCESS=$(field "$TOKENS" access_token)
LIST=$(curl -sf -X POST $B/v3/contact_lists -H "Authorization: Bearer $ACCESS" -H 'Content-Type: application/json' \
  -d '{"name":"Memory"}')
echo "== RSS at start: $(grep VmRSS /proc/$PID/status | tr -s ' \t' ' ')"
python3 - "$B" "$ACCESS" "$(field "$LIST" list_id)" <<'PY'
import json, sys, time, urllib.request
base, token, list_id = sys.argv[1:4]
for prefix, n in (("a", 40000), ("b", 40000), ("c", 20000)):
    rows = [{"email": f"{prefix}{i}@bench.test", "first_name": "Bench", "last_name": str(i)} for i in range(n)]
    body = json.dumps({"import_data": rows, "list_ids": [list_id]}).encode()
    req = urllib.request.Request(base + "/v3/activities/contacts_json_import", data=body, method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    start = time.perf_counter()
    urllib.request.urlopen(req).read()
    print(f"  import of {n} contacts: {(time.perf_counter() - start) * 1000:.0f} ms")
PY
echo "== with 100,000 contacts: $(grep -E 'VmRSS|VmHWM' /proc/$PID/status | tr -s ' \t' ' ' | tr '\n' ' ')"
