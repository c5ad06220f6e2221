#pragma once
// A table side of a sync (a SQL table, a CSV file): reads its rows as Records and applies
// RowWrites. The only I/O of a table side; the planner never sees a file or a database.
#include <string>
#include <vector>

#include "core/result.h"
#include "sync/model/record.h"

namespace liaison::sync {

// A column as the table declares it: SQL's declared type, or "" for CSV (everything is text).
struct Column {
  std::string name;
  std::string declared_type;
};

struct TableRead {
  std::vector<Column> columns;
  SideRead rows;
  // Fingerprint of what was read (a CSV file's size, modification time and content hash; a SQL
  // table's row count and newest change): equal fingerprints mean nothing changed since.
  std::string fingerprint;
};

class TableSide {
 public:
  virtual ~TableSide() = default;
  // Every row in scope (the table's filter condition applies), complete.
  virtual Result<TableRead> readAll() = 0;
  // Applies the writes all or nothing (one transaction; a CSV file replaced atomically) and
  // returns the key of each created row, in the order of the Create writes.
  virtual Result<std::vector<std::string>> apply(const std::vector<RowWrite>& writes) = 0;
};

}  // namespace liaison::sync
