#pragma once
// `liaison up`'s demo sync: the demo CC account ↔ a SQLite table of an app's users with one
// full_name column and an unsubscribed column, so a person sees a preview, a run and a two-way
// change within minutes.
#include <string>

#include "app/hub_runtime.h"

namespace liaison::app {

// Creates the table (DATA/demo-app.db) and the sync on the first start; returns the sync's id
// (the existing one on later starts), or "" when it could not be made (logged).
std::string addDemoSync(HubRuntime& hub, const std::string& data_dir, const std::string& app_id,
                        const std::string& connection_id);

}  // namespace liaison::app
