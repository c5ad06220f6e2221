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
ACCESS=$(device_token $B contact_data)
LIST=$(curl -sf -X POST $B/v3/contact_lists -H "Authorization: Bearer $ACCESS" -H 'Content-Type: application/json' \
  -d '{"name":"Memory"}')
echo "== RSS at start: $(grep VmRSS /proc/$PID/status | tr -s ' \t' ' ')"
LIST_ID=$(field "$LIST" list_id)
import_contacts $B "$ACCESS" "$LIST_ID" 40000 a
import_contacts $B "$ACCESS" "$LIST_ID" 40000 b
import_contacts $B "$ACCESS" "$LIST_ID" 20000 c
echo "== with 100,000 contacts: $(grep -E 'VmRSS|VmHWM' /proc/$PID/status | tr -s ' \t' ' ' | tr '\n' ' ')"
