#!/bin/sh
# Reproduces docs/PERFORMANCE.md: cold start, wrk throughput of the sandbox next to nginx serving
# the same body as a static file, and the JWT verification micro-benchmark.
# Usage: bench/run.sh [build-dir]   (after `make build`; needs wrk and nginx-light)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD="${1:-build}"
BIN="$BUILD/liaison"
DURATION="${DURATION:-10}"
PORT=18600
NGINX_PORT=18601
WORK=$(mktemp -d)
trap 'kill $SANDBOX_PID 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

echo "== machine"; nproc; uname -r

echo "== cold start to first served request (10 runs, ms)"
python3 bench/cold_start.py "$BIN" 10 /
python3 bench/cold_start.py "$BIN" 10 /oauth2/default/v1/keys
python3 bench/cold_start.py "$BIN" 10 /oauth2/default/v1/keys --data "$WORK/data"

"$BIN" sandbox --listen 127.0.0.1:$PORT --profile fast --log-level error >/dev/null &
SANDBOX_PID=$!
B=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -sf $B/oauth2/default/v1/keys >/dev/null && break; sleep 0.1; done

# A long-lived public app, so every refresh in the run uses the same valid refresh token.
curl -sf -X POST $B/__sandbox/apps -H 'Content-Type: application/json' \
  -d '{"client_id":"bench","confidential":false,"flows":["device"],"refresh_token_type":"long_lived"}' >/dev/null
DEVICE=$(curl -sf -X POST $B/oauth2/default/v1/device/authorize -d client_id=bench -d 'scope=account_read offline_access')
curl -sf -X POST $B/__sandbox/device/approve -H 'Content-Type: application/json' \
  -d "{\"user_code\":\"$(field "$DEVICE" user_code)\"}" >/dev/null
TOKENS=$(curl -sf -X POST $B/oauth2/default/v1/token -d client_id=bench \
  -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d device_code="$(field "$DEVICE" device_code)")
ACCESS=$(field "$TOKENS" access_token)
REFRESH=$(field "$TOKENS" refresh_token)

mkdir -p "$WORK/www/v3/account"
chmod 755 "$WORK"
curl -sf $B/v3/account/summary -H "Authorization: Bearer $ACCESS" > "$WORK/www/v3/account/summary"
start_nginx "$WORK" $NGINX_PORT

cat > "$WORK/refresh.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=refresh_token&client_id=bench&refresh_token=$REFRESH"
LUA

echo "== nginx static summary (ceiling)"
wrk -t2 -c32 -d"${DURATION}s" http://127.0.0.1:$NGINX_PORT/v3/account/summary | grep -E 'Requests/sec|Latency|Non-2xx'
echo "== GET /v3/account/summary (authenticated)"
wrk -t2 -c32 -d"${DURATION}s" -H "Authorization: Bearer $ACCESS" $B/v3/account/summary | grep -E 'Requests/sec|Latency|Non-2xx'
echo "== POST /oauth2/default/v1/token (refresh grant)"
wrk -t2 -c32 -d"${DURATION}s" -s "$WORK/refresh.lua" $B/oauth2/default/v1/token | grep -E 'Requests/sec|Latency|Non-2xx'

if [ -x "$BUILD/bench/jwt_bench" ]; then
  echo "== JWT verification"
  "$BUILD/bench/jwt_bench" --benchmark_min_time=0.5 2>/dev/null | grep BM_
fi

if [ -x "$BUILD/bench/sandbox_bench" ]; then
  echo "== reset with 10,000 contacts, 40,000-contact import (handler only)"
  "$BUILD/bench/sandbox_bench" 2>/dev/null | grep BM_
fi
