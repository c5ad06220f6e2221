#include "app/sync_sides.h"

#include "app/sync_cc_caller.h"
#include "sync/connectors/csv_table.h"
#include "sync/connectors/sql_table.h"
#include "sync/mapping/mapping.h"
#include "sync/runner/cc_sync_side.h"
#include "sync/runner/table_sync_side.h"

namespace liaison::app {

Result<std::unique_ptr<sync::SyncSide>> HubSyncSides::open(const std::string& app_id,
                                                           const sync::SideSpec& spec) {
  switch (spec.type) {
    case sync::SideType::Cc: {
      auto caller =
          std::make_unique<SyncCcCaller>(connections_, refresher_, cc_, waiter_, app_id, spec.connection_id);
      sync::CcSideOptions options;
      options.filter = spec.filter;
      options.poll_first = settings_.activity_poll;
      options.own_window_rows = settings_.own_import_skip_rows;
      {
        std::lock_guard lock(mutex_);
        auto cached = catalogues_.find(spec.connection_id);
        if (cached != catalogues_.end() && clock_.now() - cached->second.read_at < kCatalogueLife) {
          options.catalogue = cached->second.catalogue;
        }
      }
      const bool was_cached = options.catalogue.has_value();
      auto side = sync::CcSyncSide::open(std::move(caller), clock_, waiter_, std::move(options));
      if (!side) return side.error();
      const TimePoint read_at = was_cached ? cataloguesReadAt(spec.connection_id) : clock_.now();
      // Kept as the run leaves it: a list it made (the import list) is known to the next run.
      (*side)->onClose([this, id = spec.connection_id, read_at](const sync::CcCatalogue& catalogue) {
        std::lock_guard lock(mutex_);
        catalogues_[id] = Cached{catalogue, read_at};
      });
      return std::unique_ptr<sync::SyncSide>(std::move(*side));
    }
    case sync::SideType::Sql: {
      auto table = sync::SqlTable::open({spec.url, spec.table, spec.key, spec.updated_at, spec.where});
      if (!table) return table.error();
      return std::unique_ptr<sync::SyncSide>(std::make_unique<sync::TableSyncSide>(std::move(*table), false));
    }
    case sync::SideType::Csv: {
      sync::CsvOptions options;
      options.path = spec.path;
      options.key = spec.key;
      options.delimiter = spec.delimiter;
      options.encoding = spec.encoding;
      options.column_order = sync::newFileColumns();
      auto table = sync::CsvTable::open(options);
      if (!table) return table.error();
      return std::unique_ptr<sync::SyncSide>(std::make_unique<sync::TableSyncSide>(std::move(*table), true));
    }
  }
  return makeError(ErrorCode::InvalidRequest, "sync.side_type", "Unknown side type.");
}

TimePoint HubSyncSides::cataloguesReadAt(const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  auto cached = catalogues_.find(connection_id);
  return cached == catalogues_.end() ? clock_.now() : cached->second.read_at;
}

}  // namespace liaison::app
