#pragma once
// What a storage backend implements behind Database and Statement (storage/database.h): one
// connection to SQLite or PostgreSQL, and the statements prepared on it. Only src/storage sees
// this; repositories use Database and Statement.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/database.h"

namespace liaison::storage {
// The advisory lock PostgreSQL migrations (and lockSchema) run under.
inline constexpr const char* kSchemaLockSql = "SELECT pg_advisory_xact_lock(7811694201958449004)";
}  // namespace liaison::storage

namespace liaison::storage {

class PreparedStatement {
 public:
  virtual ~PreparedStatement() = default;
  virtual void bindText(int index, const std::string& value) = 0;
  // Text the caller keeps alive and unchanged until the next reset (see Statement::bindBorrowed).
  virtual void bindBorrowedText(int index, std::string_view value) { bindText(index, std::string(value)); }
  virtual void bindInt(int index, int64_t value) = 0;
  virtual void bindNull(int index) = 0;
  virtual bool step() = 0;
  virtual void reset() = 0;
  virtual std::string columnText(int index) const = 0;
  virtual int64_t columnInt(int index) const = 0;
  virtual bool columnIsNull(int index) const = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Applies the pending `migrations` in order (throws on failure, leaving the failed one undone).
  virtual void migrate(std::span<const Migration> migrations) = 0;
  virtual Status tryExec(const std::string& sql) = 0;
  virtual std::unique_ptr<PreparedStatement> prepare(const std::string& sql) = 0;
  virtual int64_t changes() = 0;
  virtual int schemaVersion() = 0;
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual sqlite3* sqliteHandle() { return nullptr; }
};

// Both throw DatabaseError when the store cannot be opened.
std::unique_ptr<Connection> openSqliteConnection(const std::string& path);
std::unique_ptr<Connection> openPostgresConnection(const std::string& url);
// A statement on a raw SQLite handle (the Statement(sqlite3*, sql) constructor).
std::unique_ptr<PreparedStatement> prepareSqlite(sqlite3* db, const std::string& sql);

// The error a storage failure becomes as a value: the caller sees a generic message, the log
// gets `detail` (the database's own words).
Error storageError(const std::string& detail);

}  // namespace liaison::storage
