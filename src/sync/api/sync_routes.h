#pragma once
// /api/v1/syncs: the host app's syncs, their previews, runs and run history. A definition is
// checked before it is stored (its structure, its CC connections, both sides opened and the
// mapping resolved against their fields), and refused with every problem listed. Runs start
// in the background and answer 202 with the running run; a held run is approved by starting
// a new run that may do what the guard held. A paused sync is left alone by the schedule, but
// its runs may still be started by hand.
#include <functional>
#include <string>

#include "http/message.h"
#include "sync/runner/sync_runner.h"
#include "sync/runner/sync_side.h"
#include "sync/runner/sync_store.h"

namespace liaison::sync {

// Where the routes go: the hub's addAuthenticated (behind the hub API key), or a plain router in tests.
using RouteAdder =
    std::function<void(const std::string& method, const std::string& pattern, http::Handler handler)>;

struct SyncRoutesDeps {
  SyncStore& store;
  SyncRunner& runner;
  SideFactory& sides;
  std::string app_id;
  std::function<bool(const std::string& connection_id)> connection_exists;  // this app's, not deleted
  std::function<void(std::function<void()>)> background;  // where started runs are carried out
};

void addSyncRoutes(const RouteAdder& add, SyncRoutesDeps deps);

}  // namespace liaison::sync
