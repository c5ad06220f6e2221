#pragma once
// The sides a sync's definition names, opened for a run: a CC connection of this hub (through
// SyncCcCaller), a SQL table (SQLite file or PostgreSQL URL), a CSV file.
#include <map>
#include <mutex>

#include "hub/refresh/refresher.h"
#include "hub/store/connection_repository.h"
#include "hub/upstream/cc_client.h"
#include "sync/connectors/cc_catalogue.h"
#include "sync/runner/sync_side.h"

namespace liaison::app {

// The hub's settings for CC sides ([sync] in the config).
struct CcSideSettings {
  std::chrono::milliseconds activity_poll{1000};  // sync.activity_poll_ms
  size_t own_import_skip_rows = 2000;             // sync.own_import_skip_rows
};

class HubSyncSides final : public sync::SideFactory {
 public:
  HubSyncSides(hub::ConnectionRepository& connections, hub::Refresher& refresher, hub::CcClient& cc,
               const Clock& clock, hub::Waiter waiter, CcSideSettings settings)
      : connections_(connections),
        refresher_(refresher),
        cc_(cc),
        clock_(clock),
        waiter_(std::move(waiter)),
        settings_(settings) {}

  Result<std::unique_ptr<sync::SyncSide>> open(const std::string& app_id,
                                               const sync::SideSpec& spec) override;

  // How long an account's lists, tags and custom fields read for one run serve the next runs: a
  // quiet run then costs 2 CC calls instead of 5. A list or field made in CC meanwhile is read
  // again when a run meets it.
  static constexpr std::chrono::hours kCatalogueLife{6};

 private:
  hub::ConnectionRepository& connections_;
  hub::Refresher& refresher_;
  hub::CcClient& cc_;
  const Clock& clock_;
  hub::Waiter waiter_;
  CcSideSettings settings_;
  struct Cached {
    sync::CcCatalogue catalogue;
    TimePoint read_at;
  };
  TimePoint cataloguesReadAt(const std::string& connection_id);

  std::mutex mutex_;
  std::map<std::string, Cached> catalogues_;  // by connection id
};

}  // namespace liaison::app
