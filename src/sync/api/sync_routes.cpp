#include "sync/api/sync_routes.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <variant>

#include "hub/api/wire.h"
#include "sync/api/definition_check.h"
#include "sync/api/sync_wire.h"
#include "sync/model/definition_json.h"

namespace liaison::sync {

namespace {

using hub::api::errorResponse;
using nlohmann::json;

constexpr int kDefaultHistory = 20;
constexpr int kMaxHistory = 100;  // a run's report lists its conflicts and skipped records

// The request's JSON object, or the hub's 400 for anything else.
std::variant<json, http::Response> objectBody(const http::Request& request) {
  json parsed = json::parse(request.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return errorResponse(ErrorCode::InvalidRequest, "invalid_json",
                         "The request body must be a JSON object.");
  }
  return parsed;
}

// `limit` of the run history: kDefaultHistory when absent, else 1 to kMaxHistory.
Result<int> historyLimit(const http::Request& request) {
  auto query = request.query();
  if (!query)
    return makeError(ErrorCode::InvalidRequest, "invalid_request", "The query string is malformed.");
  const std::string l = query->getOr("limit");
  if (l.empty()) return kDefaultHistory;
  if (l.size() > 3 || l.find_first_not_of("0123456789") != std::string::npos || std::stoi(l) < 1 ||
      std::stoi(l) > kMaxHistory) {
    return makeError(ErrorCode::InvalidRequest, "invalid_request",
                     "limit must be a whole number from 1 to " + std::to_string(kMaxHistory) + ".");
  }
  return std::stoi(l);
}

class SyncApi {
 public:
  explicit SyncApi(SyncRoutesDeps deps) : d_(std::move(deps)) {}

  http::Response create(const http::Request& request) {
    auto parsed = objectBody(request);
    if (auto* refused = std::get_if<http::Response>(&parsed)) return std::move(*refused);
    auto definition = parseDefinition(std::get<json>(parsed));
    if (auto* problems = std::get_if<Problems>(&definition)) return problemsResponse(*problems);
    const auto& checked = std::get<SyncDefinition>(definition);
    if (auto problems = check(checked); !problems.empty()) return problemsResponse(problems);
    auto created = d_.store.create(d_.app_id, checked);
    if (!created) return errorResponse(created.error());
    auto response = http::Response::json(201, syncJson(*created, std::nullopt));
    response.headers.set("Location", "/api/v1/syncs/" + created->id);
    return response;
  }

  http::Response list() {
    auto syncs = d_.store.list(d_.app_id);
    if (!syncs) return errorResponse(syncs.error());
    json out = json::array();
    for (const auto& sync : *syncs) {
      auto last = lastRun(sync.id);
      if (!last) return errorResponse(last.error());
      out.push_back(syncJson(sync, *last));
    }
    return http::Response::json(200, {{"syncs", out}});
  }

  http::Response show(const std::string& id) {
    auto sync = find(id);
    if (!sync) return errorResponse(sync.error());
    return rendered(*sync, 200);
  }

  http::Response patch(const http::Request& request, const std::string& id) {
    auto sync = find(id);
    if (!sync) return errorResponse(sync.error());
    auto parsed = objectBody(request);
    if (auto* refused = std::get_if<http::Response>(&parsed)) return std::move(*refused);
    auto definition = patchDefinition(sync->definition, std::get<json>(parsed));
    if (auto* problems = std::get_if<Problems>(&definition)) return problemsResponse(*problems);
    const auto& checked = std::get<SyncDefinition>(definition);
    if (auto problems = check(checked); !problems.empty()) return problemsResponse(problems);
    if (auto updated = d_.store.update(d_.app_id, id, checked); !updated)
      return errorResponse(updated.error());
    return show(id);
  }

  http::Response remove(const std::string& id) {
    if (auto removed = d_.store.remove(d_.app_id, id); !removed)
      return errorResponse(notFound(removed.error(), id));
    return http::Response::noContent();
  }

  http::Response preview(const std::string& id) {
    auto sync = find(id);
    if (!sync) return errorResponse(sync.error());
    auto plan = d_.runner.preview(*sync);
    if (!plan) return errorResponse(plan.error());
    return http::Response::json(200, *plan);
  }

  // A run started by hand goes ahead on a paused sync too: pausing stops the schedule only.
  http::Response start(const std::string& id) {
    auto sync = find(id);
    if (!sync) return errorResponse(sync.error());
    return started(*sync, "manual", false);
  }

  http::Response history(const http::Request& request, const std::string& id) {
    auto limit = historyLimit(request);
    if (!limit) return errorResponse(limit.error());
    auto sync = find(id);
    if (!sync) return errorResponse(sync.error());
    auto runs = d_.store.runs(id, *limit);
    if (!runs) return errorResponse(runs.error());
    json out = json::array();
    for (const auto& run : *runs) out.push_back(runJson(run));
    return http::Response::json(200, {{"runs", out}});
  }

  http::Response run(const std::string& id, const std::string& run_id) {
    auto found = findRun(id, run_id);
    if (!found) return errorResponse(found.error());
    return http::Response::json(200, runJson(*found));
  }

  // Only the latest run, and only while held: an older held run was overtaken by the runs after
  // it (their reads saw what it would have changed), so approving it would carry out a stale plan.
  http::Response approve(const std::string& id, const std::string& run_id) {
    auto sync = find(id);
    if (!sync) return errorResponse(sync.error());
    auto held = findRun(id, run_id);
    if (!held) return errorResponse(held.error());
    auto latest = lastRun(id);
    if (!latest) return errorResponse(latest.error());
    if (!*latest || (*latest)->id != run_id) {
      return errorResponse(
          ErrorCode::Conflict, "sync.run_not_latest",
          "Run " + run_id + " is not the sync's latest run; only the latest run can be approved.",
          "Start a new run; if the guard holds it, approve that one.");
    }
    if (held->state != RunState::Held) {
      return errorResponse(ErrorCode::Conflict, "sync.run_not_held",
                           "Run " + run_id + " is " + toString(held->state) +
                               ", not held: only a run the guard held waits for approval.");
    }
    return started(*sync, "approval", true);
  }

  http::Response setPaused(const std::string& id, bool paused) {
    if (auto set = d_.store.setPaused(d_.app_id, id, paused); !set)
      return errorResponse(notFound(set.error(), id));
    return show(id);
  }

 private:
  Problems check(const SyncDefinition& definition) {
    return checkDefinition(definition, d_.app_id, d_.sides, d_.connection_exists);
  }

  // The store's NotFound in the hub's words; other errors as they are.
  static Error notFound(const Error& error, const std::string& id) {
    if (error.code != ErrorCode::NotFound) return error;
    return makeError(ErrorCode::NotFound, "not_found", "No sync has the id '" + id + "'.");
  }

  Result<StoredSync> find(const std::string& id) {
    auto sync = d_.store.get(d_.app_id, id);
    if (!sync) return notFound(sync.error(), id);
    return sync;
  }

  // The run, of a sync of this app (run ids alone would reach another app's syncs).
  Result<RunRecord> findRun(const std::string& id, const std::string& run_id) {
    if (auto sync = find(id); !sync) return sync.error();
    auto run = d_.store.getRun(id, run_id);
    if (!run && run.error().code == ErrorCode::NotFound) {
      return makeError(ErrorCode::NotFound, "not_found",
                       "Sync " + id + " has no run with the id '" + run_id + "'.");
    }
    return run;
  }

  Result<std::optional<RunRecord>> lastRun(const std::string& id) {
    auto runs = d_.store.runs(id, 1);
    if (!runs) return runs.error();
    if (runs->empty()) return std::optional<RunRecord>();
    return std::optional<RunRecord>(runs->front());
  }

  http::Response rendered(const StoredSync& sync, int status) {
    auto last = lastRun(sync.id);
    if (!last) return errorResponse(last.error());
    return http::Response::json(status, syncJson(sync, *last));
  }

  http::Response started(const StoredSync& sync, const std::string& trigger, bool approved) {
    if (!d_.background) {
      return errorResponse(ErrorCode::Unavailable, "sync.runs_unavailable",
                           "This hub does not carry out sync runs.");
    }
    auto begun = d_.runner.start(sync, trigger, approved, d_.background);
    if (!begun) return errorResponse(begun.error());
    // Read back: a run carried out at once (an inline executor) or already under way shows as it is.
    auto current = d_.store.getRun(sync.id, begun->id);
    auto response = http::Response::json(202, runJson(current ? *current : *begun));
    response.headers.set("Location", "/api/v1/syncs/" + sync.id + "/runs/" + begun->id);
    return response;
  }

  SyncRoutesDeps d_;
};

}  // namespace

void addSyncRoutes(const RouteAdder& add, SyncRoutesDeps deps) {
  auto api = std::make_shared<SyncApi>(std::move(deps));
  const std::string syncs = "/api/v1/syncs";
  const std::string one = syncs + "/{id}";
  const std::string runs = one + "/runs";
  const std::string a_run = runs + "/{run_id}";
  add("POST", syncs, [api](http::Request& r) { return api->create(r); });
  add("GET", syncs, [api](http::Request&) { return api->list(); });
  add("GET", one, [api](http::Request& r) { return api->show(r.param("id")); });
  add("PATCH", one, [api](http::Request& r) { return api->patch(r, r.param("id")); });
  add("DELETE", one, [api](http::Request& r) { return api->remove(r.param("id")); });
  add("POST", one + "/preview", [api](http::Request& r) { return api->preview(r.param("id")); });
  add("POST", runs, [api](http::Request& r) { return api->start(r.param("id")); });
  add("GET", runs, [api](http::Request& r) { return api->history(r, r.param("id")); });
  add("GET", a_run, [api](http::Request& r) { return api->run(r.param("id"), r.param("run_id")); });
  add("POST", a_run + "/approve",
      [api](http::Request& r) { return api->approve(r.param("id"), r.param("run_id")); });
  add("POST", one + "/pause", [api](http::Request& r) { return api->setPaused(r.param("id"), true); });
  add("POST", one + "/resume", [api](http::Request& r) { return api->setPaused(r.param("id"), false); });
}

}  // namespace liaison::sync
