#!/bin/sh
# The contact sync engine (src/sync) on 100,000 contacts against `liaison sandbox` over HTTP, next
# to a per-contact sync of the same data (docs/PERFORMANCE.md, "Contact sync").
# Usage: bench/sync.sh [build-dir]   (after building the targets liaison and sync_bench)
#   CONTACTS=100000   contacts seeded in CC (and rows in the table)
#   STRICT=0          leaves out the run under the strict profile (CC's 4 calls a second)
#   BASELINE=0        leaves out the per-contact baseline
# Each phase is a sync_bench process of its own, so a run's CPU and peak RSS are the engine's
# (with its HTTP client and SQLite); the sandbox is another process. Exits non-zero, naming the
# phase, when a CC call is answered 4xx/5xx, a run does not finish, writes are refused, or the
# calls the bench counted disagree with the run's report or the sandbox's journal.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD="${1:-build}"
BIN="$BUILD/liaison"
SB="$BUILD/bench/sync_bench"
N="${CONTACTS:-100000}"
WORK=$(mktemp -d)
SANDBOX_PID=""
trap '[ -n "$SANDBOX_PID" ] && kill $SANDBOX_PID 2>/dev/null; rm -rf "$WORK"' EXIT
[ -x "$SB" ] || { echo "no $SB: cmake --build $BUILD --target sync_bench liaison" >&2; exit 1; }

# start_sandbox PROFILE: a fresh in-memory sandbox (bare seed: the demo account, no contacts) on a
# free port, and an access token for its owner; sets B and TOKEN. The previous one is stopped.
start_sandbox() {
  stop_sandbox
  _port=$(free_port)
  "$BIN" sandbox --listen 127.0.0.1:$_port --profile "$1" --seed bare --log-level error >/dev/null &
  SANDBOX_PID=$!
  B=http://127.0.0.1:$_port
  for _ in $(seq 100); do curl -sf $B/ >/dev/null && break; sleep 0.1; done
  TOKEN=$(device_token $B contact_data)
}
stop_sandbox() {
  if [ -n "$SANDBOX_PID" ]; then kill $SANDBOX_PID 2>/dev/null || true; wait $SANDBOX_PID 2>/dev/null || true; fi
  SANDBOX_PID=""
}

# advance SECONDS: the sandbox's clock moves on (sync_bench reads its offset at start), and a new
# token replaces the one that may have expired meanwhile (CC's last 24 h; the hub refreshes them).
advance() {
  curl -sf -X POST $B/__sandbox/clock/advance -H 'Content-Type: application/json' -d "{\"seconds\":$1}" \
    >/dev/null || bench_fail "advancing the sandbox's clock"
  TOKEN=$(device_token $B contact_data)
}

# phase LABEL DIR SYNC_BENCH-ARGS...: one sync_bench process; its RESULT line joins the results.
# A failed phase ends the script (later phases build on it) after the table of what ran.
phase() {
  _label=$1
  _dir=$2
  shift 2
  mkdir -p "$_dir"
  printf '  %-14s sync_bench %s ... ' "$_label" "$1"
  _start=$(date +%s)
  if "$SB" "$@" --base "$B" --token "$TOKEN" --dir "$_dir" --contacts "$N" --label "$_label" \
    >"$WORK/out" 2>"$WORK/err"; then
    echo "$(($(date +%s) - _start)) s"
    sed -n 's/^RESULT //p' "$WORK/out" >>"$WORK/results.jsonl"
  else
    echo "failed"
    sed -n 's/^RESULT //p' "$WORK/out" >>"$WORK/results.jsonl"
    cat "$WORK/err" >&2
    bench_fail "$_label: sync_bench $1 exited non-zero"
    report
    bench_finish
  fi
}

report() {
  python3 bench/sync_table.py "$WORK/results.jsonl" || bench_fail "the results table"
}

echo "== machine"; nproc; uname -r
echo "== the engine, fast profile: $N contacts in CC and $N rows in SQLite, half of them shared"
start_sandbox fast
F="$WORK/fast"
phase seed "$F" seed
phase first "$F" run
phase change-1 "$F" change --advance 3600
phase after-1pct "$F" run
phase quiet "$F" run --advance 3600
phase change-2 "$F" change --advance 3600
phase steady-1pct "$F" run
phase steady-quiet "$F" run --advance 3600
phase idle "$F" run --advance 3600
advance 86400
phase daily-full "$F" run

if [ "${BASELINE:-1}" != 0 ]; then
  echo "== per-contact baseline (GET + PUT/POST per row, pages + an UPDATE per contact), same data"
  start_sandbox fast
  P="$WORK/per-contact"
  phase seed "$P" seed
  phase pc-first "$P" baseline --pass first
  phase change-1 "$P" change --advance 3600
  phase pc-1pct "$P" baseline --pass next
fi

if [ "${STRICT:-1}" != 0 ]; then
  echo "== the first sync under the strict profile (4 CC calls a second per API key, paced by the bench)"
  start_sandbox strict
  S="$WORK/strict"
  phase seed "$S" seed --per-second 4
  phase strict-first "$S" run --per-second 4
fi
stop_sandbox
report
bench_finish
