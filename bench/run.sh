#!/bin/sh
# Reproduces docs/PERFORMANCE.md: cold start, wrk throughput of the sandbox next to nginx serving
# the same body as a static file, and the JWT verification micro-benchmark.
# Usage: bench/run.sh [build-dir]   (after `make build`; needs wrk and nginx-light)
# Exits non-zero, naming the run, when any benchmark request is answered other than 2xx, wrk sees
# a socket error, a cold start does not reach a 200, or a micro-benchmark's setup fails.
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
python3 bench/cold_start.py "$BIN" 10 / || bench_fail "cold start /"
python3 bench/cold_start.py "$BIN" 10 /oauth2/default/v1/keys || bench_fail "cold start keys"
python3 bench/cold_start.py "$BIN" 10 /oauth2/default/v1/keys --data "$WORK/data" || bench_fail "cold start keys --data"

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

expect_2xx "nginx static summary" http://127.0.0.1:$NGINX_PORT/v3/account/summary
expect_2xx "sandbox summary" -H "Authorization: Bearer $ACCESS" $B/v3/account/summary
expect_2xx "refresh grant" -X POST $B/oauth2/default/v1/token \
  -d "grant_type=refresh_token&client_id=bench&refresh_token=$REFRESH"
W="-t2 -c32 -d${DURATION}s --latency"
echo "== GET /v3/account/summary: nginx static (ceiling), then the sandbox (authenticated)"
wrk_run "nginx static summary" $W http://127.0.0.1:$NGINX_PORT/v3/account/summary
wrk_run "sandbox GET /v3/account/summary" $W -H "Authorization: Bearer $ACCESS" $B/v3/account/summary
echo "== POST /oauth2/default/v1/token (refresh grant)"
wrk_run "sandbox refresh grant" $W -s "$WORK/refresh.lua" $B/oauth2/default/v1/token

if [ -x "$BUILD/bench/jwt_bench" ]; then
  echo "== JWT verification"
  gbench "jwt_bench" "$BUILD/bench/jwt_bench" --benchmark_min_time=0.5
fi

if [ -x "$BUILD/bench/sandbox_bench" ]; then
  echo "== handler only: reset with 10,000 contacts, 40,000-contact import, heap per contact, email filter"
  gbench "sandbox_bench" "$BUILD/bench/sandbox_bench"
fi
bench_finish
