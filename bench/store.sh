#!/bin/sh
# The hub store's hot writes on SQLite and on PostgreSQL (bench/store_bench.cpp): refresh leases
# acquired and released, webhook deliveries claimed and marked delivered, connections claimed for
# a health check. Starts a throwaway PostgreSQL server for the PostgreSQL cases.
# Usage: bench/store.sh [build-dir]   (after `make build`; needs Debian's postgresql)
# Env: PG_SETTINGS (extra server settings, e.g. "-c synchronous_commit=off"; default: the
#   server's defaults); extra Google Benchmark flags in STORE_BENCH_FLAGS.
# Exits non-zero when the benchmark binary fails or a benchmark reports an error.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD="${1:-build}"
WORK=$(mktemp -d)
trap 'stop_postgres; rm -rf "$WORK"' EXIT

echo "== machine"; nproc; uname -r; cat /proc/loadavg
start_postgres "$WORK"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT (server defaults${PG_SETTINGS:+, }${PG_SETTINGS:-})"
echo "== leases, webhook claims and health claims: SQLite (temp file), then PostgreSQL"
LIAISON_BENCH_POSTGRES_URL=$PG_URL gbench "store_bench" "$BUILD/bench/store_bench" ${STORE_BENCH_FLAGS:-}
if ! printf '%s\n' "$_out" | grep -q '^BM_.*/postgres/'; then bench_fail "store_bench ran no PostgreSQL case"; fi
# The anchor for the PostgreSQL figures: what one committed single-row UPDATE costs on this
# server and disk (pgbench, one client, 4 s), in a database of its own.
echo "== PostgreSQL commit anchor: pgbench, one client, one single-row UPDATE per transaction"
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U liaison anchor
psql -q -h 127.0.0.1 -p "$PG_PORT" -U liaison anchor \
  -c "CREATE TABLE counter (id int PRIMARY KEY, n bigint); INSERT INTO counter VALUES (1, 0)"
echo "UPDATE counter SET n = n + 1 WHERE id = 1;" > "$WORK/update.sql"
"$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U liaison -n -f "$WORK/update.sql" -T 4 anchor 2>&1 \
  | grep -E '^(latency average|tps)' | sed 's/^/  /' || bench_fail "pgbench"
bench_finish
