#pragma once
// The sides a sync's definition names, opened for a run: a CC connection of this hub (through
// SyncCcCaller), a SQL table (SQLite file or PostgreSQL URL), a CSV file.
#include "hub/refresh/refresher.h"
#include "hub/store/connection_repository.h"
#include "hub/upstream/cc_client.h"
#include "sync/runner/sync_side.h"

namespace liaison::app {

class HubSyncSides final : public sync::SideFactory {
 public:
  HubSyncSides(hub::ConnectionRepository& connections, hub::Refresher& refresher, hub::CcClient& cc,
               const Clock& clock, hub::Waiter waiter)
      : connections_(connections), refresher_(refresher), cc_(cc), clock_(clock), waiter_(std::move(waiter)) {}

  Result<std::unique_ptr<sync::SyncSide>> open(const std::string& app_id, const sync::SideSpec& spec) override;

 private:
  hub::ConnectionRepository& connections_;
  hub::Refresher& refresher_;
  hub::CcClient& cc_;
  const Clock& clock_;
  hub::Waiter waiter_;
};

}  // namespace liaison::app
