#!/bin/sh
# The hub's proxy (/proxy/v3/…) next to nginx as a reverse proxy, both in front of the same
# sandbox, in one run: wrk GETs a small v3 resource (/v3/account/summary) and a larger one
# (/v3/contacts?limit=50) (a) straight from the sandbox with a bearer token (the baseline),
# (b) through nginx, which adds the token and keeps its upstream connections alive, and (c)
# through the hub, which checks its API key and the connection (each read once a second), opens
# the token from the vault, takes the call from the shared CC budget (a store transaction per
# lease of up to 1,024 calls while the budget has room) and forwards it; the hub once on
# SQLite and once on a throwaway PostgreSQL server. The hub's budget is raised out of the way
# (a million calls a second, 10^9 a day). Prints what each adds to the baseline's latency and the
# hub's throughput next to nginx's.
# Usage: bench/proxy.sh [build-dir]   (after `make build`; needs wrk, nginx-light and, for the
#   PostgreSQL hub, Debian's postgresql)
# Env: DURATION (seconds per wrk run, default 8); STORES ("sqlite postgres" by default);
#   CONCURRENCY (wrk connections, "1 8 32" by default: -c1 shows what one call adds, the others
#   add queueing; 2 wrk threads, 1 for -c1); PG_SETTINGS (start_postgres).
# Exits non-zero, naming the run, when any request is answered other than 2xx or wrk sees a
# socket error.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD="${1:-build}"
BIN="$(pwd)/$BUILD/liaison"
DURATION="${DURATION:-8}"
STORES="${STORES:-sqlite postgres}"
CONCURRENCY="${CONCURRENCY:-1 8 32}"
SANDBOX_PORT=18720
NGINX_PORT=18721
HUB_PORT_sqlite=18722
HUB_PORT_postgres=18723
WORK=$(mktemp -d)
chmod 755 "$WORK"
PIDS=""
cleanup() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx-proxy.pid" ] && kill "$(cat "$WORK/nginx-proxy.pid")" 2>/dev/null
  stop_postgres
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine"; nproc; uname -r; cat /proc/loadavg

"$BIN" sandbox --listen 127.0.0.1:$SANDBOX_PORT --profile fast --log-level error >/dev/null &
PIDS="$PIDS $!"
S=http://127.0.0.1:$SANDBOX_PORT
for _ in $(seq 50); do curl -sf $S/ >/dev/null && break; sleep 0.1; done

# The hub's CC app, registered in the sandbox as run_up registers it.
APP=$(curl -sf -X POST $S/__sandbox/apps -H 'Content-Type: application/json' \
  -d '{"client_id":"bench-app","name":"Bench","confidential":true,"redirect_uris":["http://127.0.0.1/connect/callback"],"flows":["authorization_code","device"],"refresh_token_type":"rotating"}')
APP_SECRET=$(field "$APP" client_secret)
# The baseline's and nginx's token: the same demo account, through the sandbox's public app.
TOKEN=$(device_token $S "account_read contact_data")
start_nginx_proxy "$WORK" $NGINX_PORT 127.0.0.1:$SANDBOX_PORT "$TOKEN"
N=http://127.0.0.1:$NGINX_PORT

# hub_vars STORE: the hub's settings for STORE as VAR=value words for env(1), so a hub started in
# the background is the process $! names (none of the values holds a space).
hub_vars() {
  _url=""
  if [ "$1" = postgres ]; then _url=$PG_URL; fi
  echo LIAISON_CC_CLIENT_ID=bench-app LIAISON_CC_CLIENT_SECRET="$APP_SECRET" LIAISON_CC_BASE_URL=$S \
    LIAISON_STORE_URL="$_url" LIAISON_SERVER_LOG_LEVEL=error \
    LIAISON_BUDGET_REQUESTS_PER_SECOND=1000000 LIAISON_BUDGET_REQUESTS_PER_DAY=1000000000 \
    LIAISON_BUDGET_TOKEN_REQUESTS_PER_SECOND=1000 LIAISON_BUDGET_MAX_QUEUE_WAIT_MS=60000 \
    LIAISON_HEALTH_SOCIAL_POLL_MINUTES=1440
}

# start_hub STORE: a hub on STORE with one connection to the demo account, made by the device
# flow the way a host app makes it. Sets HUB_URL_<store>, HUB_KEY_<store>, HUB_CONN_<store>.
start_hub() {
  _store=$1
  eval "_port=\$HUB_PORT_$_store"
  _data="$WORK/hub-$_store"
  env $(hub_vars "$_store") "$BIN" vault init --data "$_data" >/dev/null
  _key=$(env $(hub_vars "$_store") "$BIN" keys create --name bench --data "$_data" 2>/dev/null)
  env $(hub_vars "$_store") "$BIN" serve --data "$_data" --listen 127.0.0.1:"$_port" >"$WORK/hub-$_store.log" 2>&1 &
  PIDS="$PIDS $!"
  _hub=http://127.0.0.1:$_port
  for _ in $(seq 100); do curl -sf "$_hub/healthz" >/dev/null && break; sleep 0.1; done
  _session=$(curl -sf -X POST "$_hub/api/v1/connect-sessions" -H "Authorization: Bearer $_key" \
    -H 'Content-Type: application/json' -d '{"end_user_id":"bench-user","flow":"device"}')
  curl -sf -X POST $S/__sandbox/device/approve -H 'Content-Type: application/json' \
    -d "{\"user_code\":\"$(field "$_session" user_code)\"}" >/dev/null
  _conn=""
  # The hub polls CC's token endpoint every `interval` seconds (5 in the sandbox).
  for _ in $(seq 60); do
    _state=$(curl -sf "$_hub/api/v1/connect-sessions/$(field "$_session" id)" -H "Authorization: Bearer $_key")
    if [ "$(field "$_state" status)" = connected ]; then
      _conn=$(field "$_state" connection_id)
      break
    fi
    sleep 0.5
  done
  if [ -z "$_conn" ]; then
    bench_fail "hub on $_store: the device flow did not connect (last state: $_state)"
    return 1
  fi
  eval "HUB_URL_$_store=\$_hub HUB_KEY_$_store=\$_key HUB_CONN_$_store=\$_conn"
  echo "hub on $_store: connection $_conn"
}

for store in $STORES; do
  if [ "$store" = postgres ]; then
    start_postgres "$WORK"
    echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT (server defaults${PG_SETTINGS:+, }${PG_SETTINGS:-})"
  fi
  start_hub "$store"
done

FIGURES="$WORK/figures"
: > "$FIGURES"
# bench_target PATH CONN NAME: one wrk run of NAME (baseline, nginx or a store) at PATH.
bench_target() {
  _path=$1 _c=$2 _name=$3
  _t=2
  if [ "$_c" -lt 2 ]; then _t=1; fi
  _w="-t$_t -c$_c -d${DURATION}s --latency"
  case "$_name" in
    baseline) wrk_run "sandbox $_path -c$_c" $_w -H "Authorization: Bearer $TOKEN" "$S$_path" ;;
    nginx) wrk_run "nginx proxy $_path -c$_c" $_w "$N$_path" ;;
    *)
      eval "_hub=\$HUB_URL_$_name _key=\$HUB_KEY_$_name _conn=\$HUB_CONN_$_name"
      wrk_run "hub ($_name) /proxy$_path -c$_c" $_w -H "Authorization: Bearer $_key" \
        -H "Liaison-Connection-Id: $_conn" "$_hub/proxy$_path"
      ;;
  esac
  echo "$_path $_c $_name ${WRK_RATE:-0} ${WRK_P50:-0} ${WRK_P99:-0}" >> "$FIGURES"
}

for path in "/v3/account/summary" "/v3/contacts?limit=50"; do
  expect_2xx "sandbox $path" -H "Authorization: Bearer $TOKEN" "$S$path"
  expect_2xx "nginx proxy $path" "$N$path"
  for store in $STORES; do
    eval "_hub=\$HUB_URL_$store _key=\$HUB_KEY_$store _conn=\$HUB_CONN_$store"
    expect_2xx "hub ($store) /proxy$path" -H "Authorization: Bearer $_key" -H "Liaison-Connection-Id: $_conn" \
      "$_hub/proxy$path"
  done
  echo "== GET $path ($(curl -sf -H "Authorization: Bearer $TOKEN" "$S$path" | wc -c) B): sandbox, nginx, hub"
  for c in $CONCURRENCY; do
    for name in baseline nginx $STORES; do bench_target "$path" "$c" "$name"; done
  done
done

echo "== added to the sandbox's latency (p50 / p99, ms) and throughput next to nginx's"
echo "   targets: hub adds < 0.3 ms at p50; hub req/s >= nginx req/s / 1.5"
awk '
  { key = $1 " -c" $2; rate[key, $3] = $4; p50[key, $3] = $5; p99[key, $3] = $6
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    if ($3 != "baseline" && $3 != "nginx" && !(($3) in store)) { store[$3] = 1; stores[++m] = $3 } }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "  %s: sandbox %d req/s (p50 %.2f, p99 %.2f); nginx adds %+.2f / %+.2f ms, %d req/s\n", k,
        rate[k, "baseline"], p50[k, "baseline"], p99[k, "baseline"],
        p50[k, "nginx"] - p50[k, "baseline"], p99[k, "nginx"] - p99[k, "baseline"], rate[k, "nginx"]
      for (j = 1; j <= m; j++) {
        s = stores[j]; added = p50[k, s] - p50[k, "baseline"]
        ratio = rate[k, "nginx"] > 0 ? rate[k, s] / rate[k, "nginx"] : 0
        printf "    hub (%s) adds %+.2f / %+.2f ms, %d req/s = %.2fx nginx  [p50 %s, throughput %s]\n", s,
          added, p99[k, s] - p99[k, "baseline"], rate[k, s], ratio,
          (added < 0.3 ? "ok" : "MISSED"), (ratio >= 1 / 1.5 ? "ok" : "MISSED")
      }
    }
  }' "$FIGURES"
for store in $STORES; do
  if grep -qiE 'error|warn' "$WORK/hub-$store.log"; then
    echo "== hub ($store) log:"; grep -iE 'error|warn' "$WORK/hub-$store.log" | sort | uniq -c | head -20
  fi
done
bench_finish
