#!/bin/sh
# Two builds of the sync engine side by side on the first sync of bench/sync.sh's data: the
# first sync's CPU varies by up to a third between runs on a shared machine, more than most
# single changes, so each pair runs both binaries in turn, each on a freshly seeded sandbox.
# Usage: bench/sync_ab.sh OLD_SYNC_BENCH NEW_SYNC_BENCH [build-dir]   (copies of build/bench/sync_bench)
#   PAIRS=3          pairs run
#   CONTACTS=100000  contacts seeded in CC (and rows in the table)
# Prints one line per run: the binary, engine CPU, the CPU by part, peak RSS. Exits non-zero when
# a run fails or its calls differ between the builds.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
OLD=$1
NEW=$2
BUILD="${3:-build}"
N="${CONTACTS:-100000}"
WORK=$(mktemp -d)
SANDBOX_PID=""
trap '[ -n "$SANDBOX_PID" ] && kill $SANDBOX_PID 2>/dev/null; rm -rf "$WORK"' EXIT
for sb in "$OLD" "$NEW"; do [ -x "$sb" ] || { echo "no $sb" >&2; exit 1; }; done

# first_sync LABEL SYNC_BENCH: a fresh sandbox, seeded, and one first sync; prints its figures.
first_sync() {
  _port=$(free_port)
  "$BUILD/liaison" sandbox --listen 127.0.0.1:$_port --profile fast --seed bare --log-level error >/dev/null &
  SANDBOX_PID=$!
  _b=http://127.0.0.1:$_port
  for _ in $(seq 100); do curl -sf $_b/ >/dev/null && break; sleep 0.1; done
  _token=$(device_token $_b contact_data)
  rm -rf "$WORK/d" && mkdir -p "$WORK/d"
  "$2" seed --base $_b --token "$_token" --dir "$WORK/d" --contacts "$N" --label seed >/dev/null ||
    { echo "$1: seeding failed" >&2; exit 1; }
  "$2" run --base $_b --token "$_token" --dir "$WORK/d" --contacts "$N" --label first >"$WORK/out" 2>"$WORK/err" ||
    { cat "$WORK/err" >&2; echo "$1: the first sync failed" >&2; exit 1; }
  kill $SANDBOX_PID; wait $SANDBOX_PID 2>/dev/null || true
  SANDBOX_PID=""
  sed -n 's/^RESULT //p' "$WORK/out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
if r["errors"] or r["state"] != "finished":
    sys.exit("%s: %d errors, state %s" % (sys.argv[1], r["errors"], r["state"]))
parts = " ".join("%s %.2f" % (k, v) for k, v in sorted(r["cpu_by_part"].items()) if v >= 0.01)
print("%-4s cpu %.2f s  calls %d  rss %.0f MB  (%s)" % (sys.argv[1], r["cpu_s"], r["calls"], r["max_rss_mb"], parts))
print(r["calls"], file=open(sys.argv[2], "a"))
' "$1" "$WORK/calls.$1"
}

for _ in $(seq "${PAIRS:-3}"); do
  first_sync old "$OLD"
  first_sync new "$NEW"
done
if [ "$(sort -u "$WORK/calls.old" "$WORK/calls.new" | wc -l)" -ne 1 ]; then
  echo "the builds made different numbers of CC calls" >&2
  exit 1
fi
