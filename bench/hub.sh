#!/bin/sh
# The hub's read paths under wrk with 10,000 connections, next to nginx serving the same bodies as
# static files, and the vault micro-benchmark.
# Usage: bench/hub.sh [build-dir]   (after `make build`; needs wrk and nginx-light)
# Exits non-zero, naming the run, when any request is answered other than 2xx or wrk sees a
# socket error.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD="${1:-build}"
BIN="$BUILD/liaison"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-10000}"
PORT=18700
NGINX_PORT=18701
WORK=$(mktemp -d)
trap 'kill $HUB_PID 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

echo "== machine"; nproc; uname -r
echo "== vault: seal and open one secret (64 B and a 900 B JWT)"
"$BUILD/bench/hub_bench" --benchmark_min_time=0.5 || bench_fail "vault micro-benchmark"

echo "== seeding $CONNECTIONS connections"
set -- $("$BUILD/bench/hub_seed" "$WORK/data" "$CONNECTIONS")
KEY=$1
ID=$2
# CC is unreachable on purpose: these reads never call it.
LIAISON_CC_CLIENT_ID=bench-app LIAISON_CC_CLIENT_SECRET=bench-secret LIAISON_CC_BASE_URL=http://127.0.0.1:9 \
  LIAISON_SERVER_LOG_LEVEL=error "$BIN" serve --data "$WORK/data" --listen 127.0.0.1:$PORT >/dev/null &
HUB_PID=$!
H=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -sf $H/healthz >/dev/null && break; sleep 0.1; done

mkdir -p "$WORK/www/api/v1/connections/$ID"
curl -sf -H "Authorization: Bearer $KEY" $H/api/v1/connections > "$WORK/www/api/v1/connections/index.json"
curl -sf -H "Authorization: Bearer $KEY" $H/api/v1/connections/$ID/health > "$WORK/www/api/v1/connections/$ID/health"
echo "body sizes: list $(wc -c < "$WORK/www/api/v1/connections/index.json") B, health $(wc -c < "$WORK/www/api/v1/connections/$ID/health") B"
start_nginx "$WORK" $NGINX_PORT

expect_2xx "nginx static health" http://127.0.0.1:$NGINX_PORT/api/v1/connections/$ID/health
expect_2xx "hub health" -H "Authorization: Bearer $KEY" $H/api/v1/connections/$ID/health
expect_2xx "nginx static list" http://127.0.0.1:$NGINX_PORT/api/v1/connections/index.json
expect_2xx "hub list" -H "Authorization: Bearer $KEY" $H/api/v1/connections
W="-t2 -c32 -d${DURATION}s --latency"
echo "== GET /api/v1/connections/{id}/health (cached): nginx static (ceiling), then the hub"
wrk_run "nginx static health" $W http://127.0.0.1:$NGINX_PORT/api/v1/connections/$ID/health
wrk_run "hub health" $W -H "Authorization: Bearer $KEY" $H/api/v1/connections/$ID/health
echo "== GET /api/v1/connections ($CONNECTIONS connections): nginx static (ceiling), then the hub"
wrk_run "nginx static list" -t2 -c4 -d${DURATION}s --latency http://127.0.0.1:$NGINX_PORT/api/v1/connections/index.json
wrk_run "hub list" -t2 -c4 -d${DURATION}s --latency -H "Authorization: Bearer $KEY" $H/api/v1/connections
bench_finish
