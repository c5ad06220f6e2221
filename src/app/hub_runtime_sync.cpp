// HubRuntime's sync part: the store of syncs, the sides they name, the runner, the worker thread
// runs are carried out on, the schedule, and the events a run's end appends (and so the
// webhooks sync.run_finished, sync.run_held, sync.run_failed).
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "app/hub_runtime_parts.h"
#include "sync/api/sync_routes.h"

namespace liaison::app {

using Parts = HubRuntime::Parts;
using nlohmann::json;

void Parts::buildSync(hub::api::HubApi& hub_api, const std::string& holder) {
  sync_store = std::make_unique<sync::SyncStore>(db, clock, random);
  sync_sides = std::make_unique<HubSyncSides>(connections, *refresher, *cc, clock, waiter);
  sync::RunnerSettings settings;
  settings.owner = holder;
  sync_runner = std::make_unique<sync::SyncRunner>(
      *sync_store, *sync_sides, clock, settings,
      [this](const std::string& type, const sync::StoredSync& s, const sync::RunRecord& run) {
        json report = json::parse(run.report_json, nullptr, false);
        json data = {{"sync_id", s.id}, {"run_id", run.id}, {"state", sync::toString(run.state)}};
        if (report.is_object() && report.contains("counts")) data["counts"] = report["counts"];
        if (report.is_object() && report.contains("held_reason")) data["held_reason"] = report["held_reason"];
        if (report.is_object() && report.contains("error")) data["error"] = report["error"];
        if (auto appended = events.append(type, s.definition.a.connection_id, data.dump()); !appended) {
          spdlog::error("sync {}: event {} not recorded: {}", s.id, type, appended.error().message);
        }
      });
  sync_worker = std::make_unique<SyncWorker>();
  sync::addSyncRoutes(
      [&hub_api](const std::string& method, const std::string& pattern, http::Handler handler) {
        hub_api.addAuthenticated(method, pattern, std::move(handler));
      },
      sync::SyncRoutesDeps{*sync_store, *sync_runner, *sync_sides, client_id,
                           [this](const std::string& connection_id) {
                             auto found = connections.find(connection_id);
                             return found && *found && (*found)->app_id == client_id &&
                                    (*found)->status != hub::ConnectionStatus::Disconnected;
                           },
                           [this](std::function<void()> task) {
                             // A run started by hand: its own queue key, as its sync is already claimed.
                             sync_worker->post("started:" + random.token(8), std::move(task));
                           }});
}

int Parts::scheduleSyncs(int limit) {
  auto due = sync_store->due(clock.now(), limit);
  if (!due) {
    spdlog::error("syncs: reading the due ones failed: {}", due.error().message);
    return 0;
  }
  int queued = 0;
  for (const auto& s : *due) {
    queued += sync_worker->post(s.id, [this, s] {
      auto run = sync_runner->run(s, "schedule");
      if (!run && run.error().key != "sync.run_in_progress") {
        spdlog::warn("sync {}: run not started: {}", s.id, run.error().message);
      }
    });
  }
  return queued;
}

}  // namespace liaison::app
