#pragma once
// A table (SqlTable, CsvTable) as a side of a sync: its columns as the catalogue, its rows as
// records (always a complete read: a table has no change feed the engine can trust), and the
// planner's writes as row writes in one transaction.
#include <memory>

#include "sync/connectors/table_side.h"
#include "sync/runner/sync_side.h"

namespace liaison::sync {

class TableSyncSide final : public SyncSide {
 public:
  // `may_add_columns`: a CSV file gains the columns a write names.
  TableSyncSide(std::unique_ptr<TableSide> table, bool may_add_columns)
      : table_(std::move(table)), may_add_columns_(may_add_columns) {}

  Result<Catalog> catalog() override;
  Result<SideRead> read(const std::optional<ReadCursor>& from) override;
  Result<ApplyOutcome> apply(const std::vector<Write>& writes, const SideRead& current) override;

 private:
  Result<TableRead> readOnce();

  std::unique_ptr<TableSide> table_;
  bool may_add_columns_;
  std::optional<TableRead> last_;  // the catalogue's read serves the run's read
};

}  // namespace liaison::sync
