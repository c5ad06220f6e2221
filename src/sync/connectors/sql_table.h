#pragma once
// The SQL table side of a sync: a table of the sync owner's own database (a SQLite file or a
// PostgreSQL URL), read and written through storage::Database. The table belongs to the owner's
// application: this side never creates or alters it, and checks at open that what the sync's
// definition names (the table, its key column, its change-time column) is there.
//
// Values travel as text both ways: rows are read as the database prints them (NULL reads as ""),
// and writes bind text that SQLite's type affinity converts and PostgreSQL casts to the column's
// type, so the mapping never needs to know the SQL types.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "sync/connectors/change_time.h"
#include "sync/connectors/table_side.h"

namespace liaison::storage {
class Database;
class Statement;
}  // namespace liaison::storage

namespace liaison::sync {

struct SqlTableOptions {
  // A SQLite file path (a sqlite:// or file: prefix is stripped) or a postgresql:// URL.
  std::string url;
  std::string table;       // may be schema.table on PostgreSQL
  std::string key;         // the key column: a row's Record::id
  std::string updated_at;  // optional: the column holding each row's change time
  // Optional SQL condition selecting the synced rows, written by the sync's owner (trusted
  // configuration, spliced inside parentheses); one holding ';' is refused.
  std::string where;
};

class SqlTable final : public TableSide {
 public:
  // Opens the database (never creating a SQLite file) and reads the table's columns; refuses a
  // missing table, key or updated_at column and a `where` that the database rejects.
  static Result<std::unique_ptr<SqlTable>> open(SqlTableOptions options);
  ~SqlTable() override;
  SqlTable(const SqlTable&) = delete;
  SqlTable& operator=(const SqlTable&) = delete;

  // The rows matching `where`, ordered by key; changed_at_ms from the updated_at column.
  Result<TableRead> readAll() override;
  // One transaction. An Update must change exactly one row; "" writes NULL to a nullable column
  // (and "" to a NOT NULL one). A column the table lacks is refused before anything is written.
  Result<std::vector<std::string>> apply(const std::vector<RowWrite>& writes) override;

  // In the table's order, with their declared types (SQLite's declared type; PostgreSQL's
  // information_schema data_type).
  const std::vector<Column>& columns() const { return columns_; }

 private:
  // What a write needs to know about a column beyond its Column.
  struct ColumnTraits {
    bool nullable = true;
    std::string cast_type;  // PostgreSQL: the type a text parameter is cast to; SQLite: unused
  };

  SqlTable(SqlTableOptions options, std::unique_ptr<storage::Database> db);
  Status readSchema();
  Status checkWhere();
  std::string whereClause() const;  // "" or " WHERE (<where>)"
  // The table's column for `name` (SQLite names match in any case), or -1.
  int findColumn(std::string_view name) const;
  // `?n` on SQLite; `CAST(?n AS type)` on PostgreSQL.
  std::string parameter(int index, int column) const;
  void bindValue(storage::Statement& statement, int index, int column, const std::string& value) const;
  // Statements of one apply by their text: a run's writes share a handful of column sets, and
  // preparing each of 100,000s of rows' statements afresh cost more than running them.
  using Prepared = std::unordered_map<std::string, std::unique_ptr<storage::Statement>>;
  storage::Statement& prepared(Prepared& cache, const std::string& sql);
  Result<std::string> create(const RowWrite& write, Prepared& cache);
  Status update(const RowWrite& write, Prepared& cache);

  SqlTableOptions options_;
  std::unique_ptr<storage::Database> db_;
  std::string quoted_table_;
  std::vector<Column> columns_;
  std::vector<ColumnTraits> traits_;  // parallel to columns_
  int key_column_ = -1;
  int updated_at_column_ = -1;  // -1: the table has no change-time column
};

}  // namespace liaison::sync
