#include "sync/runner/table_sync_side.h"

namespace liaison::sync {

Result<TableRead> TableSyncSide::readOnce() {
  if (last_) {
    TableRead read = std::move(*last_);
    last_.reset();
    return read;
  }
  return table_->readAll();
}

Result<Catalog> TableSyncSide::catalog() {
  auto read = table_->readAll();
  if (!read) return read.error();
  std::vector<TableColumn> columns;
  for (const auto& column : read->columns) columns.push_back({column.name, column.declared_type});
  last_ = std::move(*read);
  return Catalog::table(std::move(columns), may_add_columns_);
}

Result<SideRead> TableSyncSide::read(const std::optional<ReadCursor>& /*from*/) {
  auto read = readOnce();
  if (!read) return read.error();
  return std::move(read->rows);
}

Result<ApplyOutcome> TableSyncSide::apply(const std::vector<Write>& writes, const SideRead& /*current*/) {
  std::vector<RowWrite> rows;
  std::vector<size_t> creates;
  for (size_t i = 0; i < writes.size(); ++i) {
    const Write& w = writes[i];
    RowWrite row;
    row.kind = w.kind == Write::Kind::Create ? RowWrite::Kind::Create : RowWrite::Kind::Update;
    row.id = w.kind == Write::Kind::Create ? std::string() : w.id;
    row.values = w.values;
    if (w.kind == Write::Kind::Create) creates.push_back(i);
    rows.push_back(std::move(row));
  }
  ApplyOutcome outcome;
  if (rows.empty()) return outcome;
  auto keys = table_->apply(rows);  // all or nothing
  if (!keys) return keys.error();
  for (size_t i = 0; i < creates.size() && i < keys->size(); ++i) outcome.created[creates[i]] = (*keys)[i];
  return outcome;
}

}  // namespace liaison::sync
