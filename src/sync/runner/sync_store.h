#pragma once
// Syncs, their links (the agreed state of every linked pair) and their runs, in the hub's store
// (SQLite or PostgreSQL, tables from kSyncSchemaSql). A run claims its sync with a lease, so runs
// of one sync never overlap, also across hub processes sharing a PostgreSQL store; a process
// that dies leaves a lease that runs out, or is taken over when its owner is known to be dead.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "hub/store/hub_database.h"
#include "sync/model/definition.h"
#include "sync/planner/plan.h"

namespace liaison::sync {

extern const char* const kSyncSchemaSql;
// A later change: the spans of CC's change times incremental reads skip (ReadCursor::skip).
extern const char* const kSyncReadSkipSql;
// A later change: links are no longer indexed by b id (a run finds moved b records in one pass).
extern const char* const kSyncLinksUnindexedSql;

struct StoredSync {
  std::string id;
  std::string app_id;
  SyncDefinition definition;
  bool paused = false;
  TimePoint created_at{};
  TimePoint updated_at{};
  TimePoint next_run_at{};
  TimePoint a_cursor{};     // CC changes up to here are synced (incremental reads start before it)
  std::vector<TimeWindow> a_skip;  // spans of CC's updated_at those reads skip (ReadCursor::skip)
  TimePoint last_full_at{}; // the last complete read of CC
};

enum class RunState { Running, Held, Finished, Failed };
const char* toString(RunState state);

struct RunRecord {
  std::string id;
  std::string sync_id;
  RunState state = RunState::Running;
  std::string trigger;  // "schedule", "manual", "approval"
  TimePoint started_at{};
  TimePoint finished_at{};
  std::string report_json = "{}";    // the run's report (api/ renders it; stored as written)
  std::string progress_json = "{}";  // while running: records read, planned, written, CC calls
};

class SyncStore {
 public:
  SyncStore(hub::HubDatabase& db, const Clock& clock, RandomSource& random)
      : db_(db), clock_(clock), random_(random) {}

  Result<StoredSync> create(const std::string& app_id, const SyncDefinition& definition);
  Result<std::vector<StoredSync>> list(const std::string& app_id);
  Result<StoredSync> get(const std::string& app_id, const std::string& id);  // NotFound
  Status update(const std::string& app_id, const std::string& id, const SyncDefinition& definition);
  Status setPaused(const std::string& app_id, const std::string& id, bool paused);
  // Removes the sync with its links and runs.
  Status remove(const std::string& app_id, const std::string& id);

  // Begins a run: the sync's lease for `owner` until now + `lease`, unless another live run holds
  // it (Conflict "sync.run_in_progress"). `gone` says whether a lease's owner is known to have
  // died (a process of this machine that no longer exists): its lease is taken over at once
  // instead of running out.
  Result<RunRecord> beginRun(const std::string& sync_id, const std::string& owner, const std::string& trigger,
                             std::chrono::milliseconds lease,
                             const std::function<bool(const std::string&)>& gone = {});
  // Keeps the lease alive and records progress.
  Status heartbeat(const RunRecord& run, const std::string& owner, std::chrono::milliseconds lease);
  // Ends the run (state, report) and frees the sync; with `links`, stores them in the same
  // transaction along with the CC cursor, so a run's agreed state and its cursor move together.
  Status endRun(const RunRecord& run, const std::string& owner, const std::vector<Link>& links,
                const std::optional<ReadCursor>& a_cursor, bool full_read, TimePoint next_run_at);
  // Frees the sync and closes the run as failed with `why`, when endRun could not be stored: the
  // process is alive, so the sync need not wait for the lease to run out. Fenced like endRun:
  // false when another process had taken the run over (and closed it).
  Result<bool> abandonRun(const RunRecord& run, const std::string& owner, const std::string& why);
  // Stores links as a batch of writes is verified (a checkpoint inside a run).
  Status saveLinks(const std::string& sync_id, const std::vector<Link>& links);
  Result<std::vector<Link>> links(const std::string& sync_id);
  Result<std::vector<RunRecord>> runs(const std::string& sync_id, int limit);  // newest first
  Result<RunRecord> getRun(const std::string& sync_id, const std::string& run_id);
  // How many syncs are not paused (all apps: they share the CC budget).
  Result<int64_t> countActive();
  // Syncs due at `now` (not paused, no live run), oldest due first.
  Result<std::vector<StoredSync>> due(TimePoint now, int limit);

 private:
  hub::HubDatabase& db_;
  const Clock& clock_;
  RandomSource& random_;
};

}  // namespace liaison::sync
