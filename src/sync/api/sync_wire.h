#pragma once
// The sync API's JSON shapes (a sync, a run) and its refusal of a definition: the hub's error
// format ({"error": {"code", "message", "remedy"}}) with every problem listed in
// error.problems as {field, value, why}.
#include <nlohmann/json.hpp>

#include <optional>

#include "http/message.h"
#include "sync/model/problems.h"
#include "sync/runner/sync_store.h"

namespace liaison::sync {

// {"id","name","paused","definition","created_at","updated_at","next_run_at","last_run"}:
// next_run_at is null while the sync is paused (the schedule leaves it alone), last_run is
// {id, state, finished_at} or null before the first run.
nlohmann::json syncJson(const StoredSync& sync, const std::optional<RunRecord>& last_run);

// {"id","sync_id","state","trigger","started_at","finished_at","progress","report"}:
// finished_at is null while the run goes on; progress and report are the runner's JSON.
nlohmann::json runJson(const RunRecord& run);

// 400 sync.invalid_definition, the first problem in the message and all of them in problems.
http::Response problemsResponse(const Problems& problems);

}  // namespace liaison::sync
