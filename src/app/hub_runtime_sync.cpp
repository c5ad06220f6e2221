// HubRuntime's sync part: the store of syncs, the sides they name, the runner, the worker thread
// runs are carried out on, the schedule, and the events a run's end appends (and so the
// webhooks sync.run_finished, sync.run_held, sync.run_failed).
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "app/hub_runtime_parts.h"
#include "app/process_holder.h"
#include "sync/api/sync_routes.h"

namespace liaison::app {

using Parts = HubRuntime::Parts;
using nlohmann::json;

void Parts::buildSync(hub::api::HubApi& hub_api, const std::string& holder, CcSideSettings cc_sides) {
  sync_store = std::make_unique<sync::SyncStore>(db, clock, random);
  sync_sides = std::make_unique<HubSyncSides>(connections, *refresher, *cc, clock, waiter, cc_sides);
  sync::RunnerSettings settings;
  settings.owner = holder;
  settings.owner_gone = [](const std::string& owner) { return holderGone(owner); };
  settings.budget_gap = [this] { return syncBudgetGap(); };
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

// Scheduled syncs get 40 % of the app's daily API budget (health polls get 30 %, the rest stays
// for the host app's own calls), and a quiet run costs about kQuietRunCalls calls: with S
// syncs, each may run budget × 0.4 / (S × kQuietRunCalls) times a day. Counting syncs walks a
// table, so the gap is worked out once a minute.
std::chrono::seconds Parts::syncBudgetGap() {
  constexpr int64_t kQuietRunCalls = 5;  // lists, tags and custom fields; changed and opted-out contacts
  if (clock.now() - sync_gap_at < std::chrono::minutes(1)) return sync_gap;
  sync_gap_at = clock.now();
  auto syncs = sync_store->countActive();
  const int64_t budget = governor.usage(client_id).api_calls_per_day * 4 / 10;
  const int64_t runs_per_day = budget / std::max<int64_t>(1, (syncs ? *syncs : 1) * kQuietRunCalls);
  sync_gap = std::chrono::seconds(86400 / std::max<int64_t>(1, runs_per_day));
  return sync_gap;
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
