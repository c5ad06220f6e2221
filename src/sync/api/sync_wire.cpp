#include "sync/api/sync_wire.h"

#include "sync/model/definition_json.h"

namespace liaison::sync {

using nlohmann::json;

namespace {

// The runner's stored JSON; a record written by an older hub or cut short reads as {}.
json storedJson(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  return parsed.is_object() ? parsed : json::object();
}

json timeOrNull(TimePoint t) { return t == TimePoint{} ? json(nullptr) : json(formatIso8601(t)); }

std::string describe(const Problem& p) {
  return p.field + (p.value.empty() ? "" : " (" + p.value + ")") + " " + p.why;
}

}  // namespace

json syncJson(const StoredSync& sync, const std::optional<RunRecord>& last_run) {
  json last = nullptr;
  if (last_run) {
    last = {{"id", last_run->id},
            {"state", toString(last_run->state)},
            {"finished_at",
             last_run->state == RunState::Running ? json(nullptr) : timeOrNull(last_run->finished_at)}};
  }
  return {{"id", sync.id},
          {"name", sync.definition.name},
          {"paused", sync.paused},
          {"definition", toJson(sync.definition)},
          {"created_at", formatIso8601(sync.created_at)},
          {"updated_at", formatIso8601(sync.updated_at)},
          {"next_run_at", sync.paused ? json(nullptr) : json(formatIso8601(sync.next_run_at))},
          {"last_run", last}};
}

json runJson(const RunRecord& run) {
  return {{"id", run.id},
          {"sync_id", run.sync_id},
          {"state", toString(run.state)},
          {"trigger", run.trigger},
          {"started_at", formatIso8601(run.started_at)},
          {"finished_at", run.state == RunState::Running ? json(nullptr) : timeOrNull(run.finished_at)},
          {"progress", storedJson(run.progress_json)},
          {"report", storedJson(run.report_json)}};
}

http::Response problemsResponse(const Problems& problems) {
  json listed = json::array();
  for (const auto& p : problems) listed.push_back({{"field", p.field}, {"value", p.value}, {"why", p.why}});
  std::string message = "The sync definition was refused: ";
  message += problems.empty() ? std::string("it has problems") : describe(problems.front());
  if (problems.size() > 1)
    message += " (and " + std::to_string(problems.size() - 1) + " more, listed in problems)";
  message += ".";
  // The hub's error body (hub/api/wire.h's errorResponse) with the list added.
  json error = {{"code", "sync.invalid_definition"},
                {"message", message},
                {"remedy", "Fix every problem listed and send the definition again."},
                {"problems", listed}};
  auto response = http::Response::json(400, {{"error", error}});
  response.headers.set("Cache-Control", "no-store");
  return response;
}

}  // namespace liaison::sync
