# Shared by the bench scripts (sourced, not run).

# start_nginx WORK PORT: serves WORK/www as static JSON files on 127.0.0.1:PORT, the ceiling for
# an HTTP server on this machine, configured as one would serve static files for speed: a worker
# per core, sendfile, open files cached, no access log, and keep-alive connections that are not
# closed after nginx's default 1,000 requests. The caller's trap stops it via WORK/nginx.pid.
start_nginx() {
  cat > "$1/nginx.conf" <<NGINX
worker_processes auto;
pid $1/nginx.pid;
error_log $1/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  open_file_cache_errors on;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  default_type application/json;
  server { listen 127.0.0.1:$2; root $1/www; }
}
NGINX
  chmod 755 "$1"
  chmod -R a+rX "$1/www"
  nginx -c "$1/nginx.conf" -p "$1"
  sleep 0.3
}

# start_nginx_proxy WORK PORT UPSTREAM TOKEN: nginx on 127.0.0.1:PORT as a reverse proxy to
# UPSTREAM (host:port) that adds `Authorization: Bearer TOKEN` to every request, configured as one
# would for speed: a worker per core, kept-alive connections to the upstream (a pool of 32 per
# worker, HTTP/1.1, never closed after nginx's default 1,000 requests) and from the clients, no
# access log. The caller's trap stops it via WORK/nginx-proxy.pid.
start_nginx_proxy() {
  cat > "$1/nginx-proxy.conf" <<NGINX
worker_processes auto;
pid $1/nginx-proxy.pid;
error_log $1/nginx-proxy-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  upstream cc { server $3; keepalive 32; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$2;
    location / {
      proxy_pass http://cc;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer $4";
    }
  }
}
NGINX
  chmod 755 "$1"
  nginx -c "$1/nginx-proxy.conf" -p "$1"
  sleep 0.3
}

# free_port: a TCP port nothing listens on right now on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_postgres WORK: a throwaway PostgreSQL server (Debian's binaries, the newest in
# /usr/lib/postgresql unless LIAISON_POSTGRES_BINDIR names them) in WORK/pg on a free port, with a
# database `hub` owned by user `liaison` (trust auth on loopback, no password). As root the server
# runs as the `postgres` system user, since PostgreSQL refuses root. Settings are the server's
# defaults (fsync and synchronous_commit on) plus PG_SETTINGS (e.g. "-c synchronous_commit=off").
# Sets PG_URL and PG_CTL; the caller's trap runs stop_postgres.
start_postgres() {
  PG_BIN=${LIAISON_POSTGRES_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    bench_fail "PostgreSQL server binaries not found (install Debian's postgresql or set LIAISON_POSTGRES_BINDIR)"
    return 1
  fi
  _as=""
  if [ "$(id -u)" = 0 ]; then _as="runuser -u postgres --"; fi
  chmod 755 "$1"
  mkdir -p "$1/pg"
  [ -n "$_as" ] && chown postgres: "$1/pg"
  PG_DATA="$1/pg/data"
  PG_PORT=$(free_port)
  $_as "$PG_BIN/initdb" -D "$PG_DATA" -U liaison --auth=trust -E UTF8 --locale=C --no-instructions \
    >"$1/pg/initdb.log" 2>&1 || { cat "$1/pg/initdb.log" >&2; bench_fail "initdb"; return 1; }
  PG_CTL="$_as $PG_BIN/pg_ctl -D $PG_DATA"
  $PG_CTL -w -l "$1/pg/server.log" \
    -o "-p $PG_PORT -k $1/pg -c listen_addresses=127.0.0.1 -c max_connections=50 ${PG_SETTINGS:-}" start \
    >/dev/null || { cat "$1/pg/server.log" >&2; bench_fail "PostgreSQL did not start"; return 1; }
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U liaison hub || { bench_fail "createdb"; return 1; }
  PG_URL="postgresql://liaison@127.0.0.1:$PG_PORT/hub"
}
stop_postgres() {
  if [ -n "${PG_CTL:-}" ]; then $PG_CTL -m fast stop >/dev/null 2>&1 || true; fi
}

# BENCH_FAILURES collects what failed; bench_finish (last line of every script) exits non-zero
# when anything did, so a run with error answers never passes as a result.
BENCH_FAILURES=""
bench_fail() {
  echo "FAIL: $*" >&2
  BENCH_FAILURES="$BENCH_FAILURES
  $*"
}
bench_finish() {
  if [ -n "$BENCH_FAILURES" ]; then
    printf 'FAILED: these figures are not valid:%s\n' "$BENCH_FAILURES" >&2
    exit 1
  fi
  echo "== all benchmark requests answered 2xx, no socket errors"
}

# expect_2xx LABEL CURL-ARGS...: one request like the benchmark's; fails unless it answers 2xx.
# wrk counts only 4xx and 5xx answers as errors, so this catches a 1xx or 3xx before the run.
expect_2xx() {
  _label=$1
  shift
  _code=$(curl -s -o /dev/null -w '%{http_code}' "$@" || true)
  case "$_code" in
    2??) ;;
    *) bench_fail "$_label: a single request answered HTTP $_code, not 2xx" ;;
  esac
}

# wrk_run LABEL WRK-ARGS...: one wrk run (add --latency for p50/p99), summarized on one line
# with the requests made and the error counts wrk reports. Any answer wrk counts as an error
# (4xx, 5xx) or any socket error (connect, read, write, timeout) fails the script.
wrk_run() {
  _label=$1
  shift
  WRK_RATE="" WRK_P50="" WRK_P99=""
  if ! _out=$(wrk "$@" 2>&1); then
    printf '%s\n' "$_out" >&2
    bench_fail "$_label: wrk did not run"
    return 0
  fi
  _line=$(printf '%s\n' "$_out" | awk -v label="$_label" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000
      if (v ~ /s$/) return v * 1000; return v
    }
    /requests in/ { requests = $1 }
    /Requests\/sec/ { rate = $2 }
    $1 == "Latency" && avg == "" { avg = ms($2) }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses/ { non2xx = $NF }
    /Socket errors/ { gsub(/,/, ""); socket = $4 + $6 + $8 + $10; detail = sprintf("connect %d, read %d, write %d, timeout %d", $4, $6, $8, $10) }
    END {
      printf "%s: %.0f req/s, avg %.2f ms", label, rate, avg
      if (p50 != "") printf ", p50 %.2f ms, p99 %.2f ms", p50, p99
      printf ", %d requests, non-2xx %d, socket errors %d", requests, non2xx, socket
      if (detail != "") printf " (%s)", detail
      printf "\n"
      if (requests == 0) printf "no requests completed\n"
      else if (non2xx > 0 || socket > 0) printf "error answers or socket errors\n"
    }')
  printf '  %s\n' "$(printf '%s\n' "$_line" | head -1)"
  # The last run's figures, for scripts that compare runs: requests/s, p50 and p99 in ms.
  WRK_RATE=$(printf '%s\n' "$_line" | head -1 | sed -n 's/.*: \([0-9]*\) req\/s.*/\1/p')
  WRK_P50=$(printf '%s\n' "$_line" | head -1 | sed -n 's/.*, p50 \([0-9.]*\) ms.*/\1/p')
  WRK_P99=$(printf '%s\n' "$_line" | head -1 | sed -n 's/.*, p99 \([0-9.]*\) ms.*/\1/p')
  _problem=$(printf '%s\n' "$_line" | sed -n 2p)
  if [ -n "$_problem" ]; then
    bench_fail "$_label: $_problem (wrk: $(printf '%s\n' "$_out" | grep -E 'Non-2xx|Socket errors' | tr -s ' ' | tr '\n' ';'))"
  fi
}

# field JSON NAME: prints one top-level field of a JSON object.
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# device_token BASE SCOPES: an access token for the demo owner through the device flow, approved
# through the control API.
device_token() {
  _device=$(curl -sf -X POST "$1/oauth2/default/v1/device/authorize" -d client_id=sandbox-public -d "scope=$2")
  curl -sf -X POST "$1/__sandbox/device/approve" -H 'Content-Type: application/json' \
    -d "{\"user_code\":\"$(field "$_device" user_code)\"}" >/dev/null
  field "$(curl -sf -X POST "$1/oauth2/default/v1/token" -d client_id=sandbox-public \
    -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d device_code="$(field "$_device" device_code)")" access_token
}

# import_contacts BASE TOKEN LIST_ID N PREFIX: a JSON import of N contacts (PREFIX<i>@bench.test),
# timed over HTTP (the body is built before the clock starts). Fails unless the import answers 201
# and the account then holds N more contacts.
import_contacts() {
  python3 - "$@" <<'PY'
import json, sys, time, urllib.request
base, token, list_id, n, prefix = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
def count():
    req = urllib.request.Request(base + "/v3/contacts?status=all&limit=1&include_count=true", headers=headers)
    return json.loads(urllib.request.urlopen(req).read())["contacts_count"]
rows = [{"email": f"{prefix}{i}@bench.test", "first_name": "Bench", "last_name": str(i)} for i in range(n)]
body = json.dumps({"import_data": rows, "list_ids": [list_id]}).encode()
req = urllib.request.Request(base + "/v3/activities/contacts_json_import", data=body, method="POST", headers=headers)
before = count()
start = time.perf_counter()
with urllib.request.urlopen(req) as response:
    response.read()
    status = response.status
elapsed = time.perf_counter() - start
added = count() - before
if status != 201 or added != n:
    sys.exit(f"FAIL: import of {n} contacts answered {status} and added {added} contacts")
print(f"  import of {n} contacts ({len(body) / 1e6:.1f} MB): {elapsed * 1000:.0f} ms, {before + added} contacts now")
PY
}

# gbench LABEL BINARY ARGS...: a Google Benchmark binary; prints its result rows and fails when it
# exits non-zero or a benchmark reports an error (SkipWithError: a setup step did not hold).
gbench() {
  _label=$1
  shift
  if ! _out=$("$@" 2>/dev/null); then bench_fail "$_label: $1 exited non-zero"; fi
  printf '%s\n' "$_out" | grep -E '^BM_' || true
  if printf '%s\n' "$_out" | grep -q 'ERROR OCCURRED'; then bench_fail "$_label: a benchmark reported an error"; fi
}
