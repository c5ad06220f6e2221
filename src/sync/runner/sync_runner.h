#pragma once
// One run of a sync: claim the sync (runs never overlap), open both sides, check the mapping,
// read (CC incrementally from its cursor, completely once a day and on the first run; a table
// completely), plan, and either hold the run for approval or write: the table's writes in one
// transaction, then CC's in its cheapest calls. The links move to their new agreed state and the
// CC cursor with them, in one transaction at the end. A run that stops anywhere (a crash, a lost
// answer) leaves the old agreed state, and the next run's reads see what was written: a value
// already equal on both sides is agreed without a write, and a record created on one side is
// matched by its email address, so a replay neither loses nor duplicates anything.
#include <chrono>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "core/clock.h"
#include "sync/runner/sync_side.h"
#include "sync/runner/sync_store.h"

namespace liaison::sync {

struct RunnerSettings {
  std::string owner = "hub";                        // this process, for the run's lease
  std::chrono::milliseconds lease{std::chrono::minutes(10)};
  std::chrono::hours full_read_every{24};           // a complete CC read catches what increments miss
  // The shortest gap between scheduled runs the shared CC budget allows now (0: the sync's own
  // interval): with many syncs on one API key, runs come less often instead of starving the rest.
  std::function<std::chrono::seconds()> budget_gap;
  // Whether a run's owner (another `owner` string) is known to be dead: its run is taken over
  // at once (SyncStore::beginRun). Empty: a dead owner's lease runs out.
  std::function<bool(const std::string&)> owner_gone;
};

// Told when a run ends: "sync.run_finished", "sync.run_held" or "sync.run_failed".
using RunListener = std::function<void(const std::string& type, const StoredSync& sync, const RunRecord& run)>;

class SyncRunner {
 public:
  SyncRunner(SyncStore& store, SideFactory& sides, const Clock& clock, RunnerSettings settings = {},
             RunListener listener = {})
      : store_(store), sides_(sides), clock_(clock), settings_(std::move(settings)), listener_(std::move(listener)) {}

  // The plan a run would carry out now, written nowhere (report JSON with every write).
  Result<nlohmann::json> preview(const StoredSync& sync);
  // Runs the sync now. `approved`: a person approved what the guard held. The run record comes
  // back ended (finished, held or failed); Conflict when another run of the sync is going on.
  Result<RunRecord> run(const StoredSync& sync, const std::string& trigger, bool approved = false);
  // Begins a run (Conflict as above) and hands the rest to `background`, so a caller (the REST
  // API) answers at once with the running run.
  Result<RunRecord> start(const StoredSync& sync, const std::string& trigger, bool approved,
                          const std::function<void(std::function<void()>)>& background);

 private:
  Result<RunRecord> carryOut(const StoredSync& sync, RunRecord run, bool approved);
  struct Prepared;
  Result<Prepared> prepare(const StoredSync& sync, bool approved);

  SyncStore& store_;
  SideFactory& sides_;
  const Clock& clock_;
  RunnerSettings settings_;
  RunListener listener_;
};

}  // namespace liaison::sync
