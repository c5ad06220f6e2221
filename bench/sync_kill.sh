#!/bin/sh
# T20 at scale (docs/PERFORMANCE.md, "Contact sync: kill -9"): the process test
# tests/integration/process_sync_kill_test.cpp, one case with more people and points than CI
# runs. A hub process syncing the sandbox with a SQLite table (or a CSV file, or a second CC
# account) is killed with SIGKILL at random moments of its runs; after each kill a new hub runs
# the sync once, and the test checks that nobody was lost or duplicated, the sides agree, and the
# next run writes nothing.
# Usage: bench/sync_kill.sh [build-dir]   (after building integration_test and liaison)
#   PEOPLE=100000   people (half of them on both sides at the start)
#   POINTS=1000     kills
#   SIDE=sql        the app's side: sql (a SQLite table), csv (a CSV file) or cc (a CC account)
#   SEED=0          another seed draws other edits and kill moments: runs with different seeds
#                   add up to the full form; runs with the same seed repeat one sequence
# Exits non-zero when any point found a difference (the test's failures are printed).
set -eu
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
T="$BUILD/tests/integration/integration_test"
[ -x "$T" ] || { echo "no $T: cmake --build $BUILD --target integration_test liaison" >&2; exit 1; }
echo "== machine"; nproc; uname -r
SIDE="${SIDE:-sql}"
case "$SIDE" in sql) SUITE=Table ;; csv) SUITE=Csv ;; cc) SUITE=CcToCc ;; *) echo "SIDE is sql, csv or cc" >&2; exit 2 ;; esac
echo "== ${PEOPLE:-100000} people, ${POINTS:-1000} kills, the app's side: $SIDE, seed ${SEED:-0}"
start=$(date +%s)
SYNC_KILL_PEOPLE="${PEOPLE:-100000}" SYNC_KILL_POINTS="${POINTS:-1000}" SYNC_KILL_SEED="${SEED:-0}" \
  "$T" --gtest_filter="$SUITE/SyncKillTest.KilledRunsResumeWithoutLossOrDuplicates/${SIDE}_0" >"${LOG:-/tmp/sync_kill.log}" 2>&1 &&
  status=0 || status=$?
grep -E '^\[ figure|Failure|differences|OK \]|FAILED' "${LOG:-/tmp/sync_kill.log}" | head -40
echo "== $(($(date +%s) - start)) s, exit $status (log: ${LOG:-/tmp/sync_kill.log})"
exit $status
