#pragma once
// Thin RAII wrapper over SQLite 3: WAL mode, prepared statements, numbered migrations.
// Callers run it off the I/O threads (http::Execution::Blocking).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace liaison::storage {

struct Migration {
  int version;      // 1, 2, 3, ... applied in order, each exactly once
  const char* sql;  // may hold several statements
};

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, int64_t value);
  Statement& bindNull(int index);
  // Steps once; true while a row is available.
  bool step();
  void reset();
  std::string columnText(int index) const;
  int64_t columnInt(int index) const;
  bool columnIsNull(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating if needed) and applies pending migrations. Throws at start-up on failure.
  Database(const std::string& path, std::span<const Migration> migrations);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  Status tryExec(const std::string& sql);
  int schemaVersion();
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection: how a compare-and-swap
  // (UPDATE ... WHERE generation = ?) learns whether it won.
  int64_t changes();
  sqlite3* handle() { return db_; }

 private:
  void initialize(std::span<const Migration> migrations);
  sqlite3* db_ = nullptr;
};

}  // namespace liaison::storage
