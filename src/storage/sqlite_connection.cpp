// The SQLite backend: WAL mode, prepared statements, migrations recorded in PRAGMA user_version.
#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "storage/connection.h"

namespace liaison::storage {
namespace {

DatabaseError sqliteError(sqlite3* db, const std::string& what) {
  const int code = sqlite3_extended_errcode(db) & 0xff;
  auto kind = DatabaseError::Kind::Other;
  if (code == SQLITE_CONSTRAINT) kind = DatabaseError::Kind::Constraint;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) kind = DatabaseError::Kind::Conflict;
  return DatabaseError(kind, "sqlite " + what + " failed: " + sqlite3_errmsg(db));
}

// Compiled statements kept for the next use of the same SQL text: the hub runs the same few
// dozen statements on every request, and compiling one costs more than running it. A statement in
// use is out of the cache, so two uses of one text at once get two statements.
class StatementCache {
 public:
  ~StatementCache() {
    for (auto& [sql, idle] : idle_) {
      for (sqlite3_stmt* stmt : idle) sqlite3_finalize(stmt);
    }
  }
  sqlite3_stmt* take(const std::string& sql) {
    std::lock_guard lock(mutex_);
    auto found = idle_.find(sql);
    if (found == idle_.end() || found->second.empty()) return nullptr;
    sqlite3_stmt* stmt = found->second.back();
    found->second.pop_back();
    return stmt;
  }
  void give(const std::string& sql, sqlite3_stmt* stmt) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    std::lock_guard lock(mutex_);
    auto& idle = idle_[sql];
    // Bounded: SQL built per call (IN lists) or many uses at once are not all kept.
    if (idle_.size() > kMaxTexts || idle.size() >= kMaxPerText) {
      if (idle.empty()) idle_.erase(sql);
      sqlite3_finalize(stmt);
      return;
    }
    idle.push_back(stmt);
  }

 private:
  static constexpr size_t kMaxTexts = 512;
  static constexpr size_t kMaxPerText = 4;
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
};

class SqliteStatement final : public PreparedStatement {
 public:
  SqliteStatement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
      throw sqliteError(db, "prepare");
    }
  }
  // A statement taken from `cache` (or compiled for it), given back when done.
  SqliteStatement(sqlite3* db, const std::string& sql, std::shared_ptr<StatementCache> cache)
      : db_(db), cache_(std::move(cache)), sql_(sql) {
    stmt_ = cache_->take(sql);
    if (stmt_ == nullptr && sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                                               SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      throw sqliteError(db, "prepare");
    }
  }
  ~SqliteStatement() override {
    if (cache_ && stmt_ != nullptr) {
      cache_->give(sql_, stmt_);
    } else {
      sqlite3_finalize(stmt_);
    }
  }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void bindText(int index, const std::string& value) override {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  void bindBorrowedText(int index, std::string_view value) override {
    // A null pointer would bind NULL: an empty view is the empty text.
    const char* text = value.data() != nullptr ? value.data() : "";
    sqlite3_bind_text(stmt_, index, text, static_cast<int>(value.size()), SQLITE_STATIC);
  }
  void bindInt(int index, int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void bindNull(int index) override { sqlite3_bind_null(stmt_, index); }

  bool step() override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw sqliteError(db_, "step");
  }

  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string columnText(int index) const override {
    const auto* text = sqlite3_column_text(stmt_, index);
    const int size = sqlite3_column_bytes(stmt_, index);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size)) : std::string();
  }
  int64_t columnInt(int index) const override { return sqlite3_column_int64(stmt_, index); }
  bool columnIsNull(int index) const override { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  std::shared_ptr<StatementCache> cache_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw DatabaseError(DatabaseError::Kind::Other, "cannot open database " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
    // WAL + synchronous=NORMAL: a committed transaction survives a crash of this process
    // (kill -9); only an OS crash or power loss can drop the last transactions.
    if (auto status = tryExec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        !status) {
      sqlite3_close(db_);  // the destructor does not run for a throwing constructor
      throw DatabaseError(DatabaseError::Kind::Other,
                          "cannot open database " + path + ": " + status.error().detail);
    }
  }
  ~SqliteConnection() override {
    cache_.reset();  // finalizes the idle statements (none is in use once the connection goes)
    sqlite3_close(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::Sqlite; }

  void migrate(std::span<const Migration> migrations) override {
    int current = schemaVersion();
    for (const auto& migration : migrations) {
      if (migration.version <= current) continue;
      mustExec("BEGIN IMMEDIATE");
      auto status = tryExec(migration.sql);
      if (!status) {
        rollback();
        throw DatabaseError(DatabaseError::Kind::Other, "migration " + std::to_string(migration.version) +
                                                            " failed: " + status.error().detail);
      }
      mustExec("PRAGMA user_version=" + std::to_string(migration.version));
      commit();
      current = migration.version;
    }
  }

  Status tryExec(const std::string& sql) override {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      return storageError(text);
    }
    return okStatus();
  }

  std::unique_ptr<PreparedStatement> prepare(const std::string& sql) override {
    return std::make_unique<SqliteStatement>(db_, sql, cache_);
  }

  int64_t changes() override { return sqlite3_changes64(db_); }

  int schemaVersion() override {
    SqliteStatement stmt(db_, "PRAGMA user_version");
    return stmt.step() ? static_cast<int>(stmt.columnInt(0)) : 0;
  }

  void begin() override { mustExec("BEGIN IMMEDIATE"); }

  void commit() override {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      DatabaseError error = sqliteError(db_, "commit");
      rollback();  // a COMMIT that fails (busy) leaves the transaction open
      throw error;
    }
  }

  void rollback() override {
    if (!sqlite3_get_autocommit(db_)) (void)tryExec("ROLLBACK");
  }

  sqlite3* sqliteHandle() override { return db_; }

 private:
  void mustExec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw sqliteError(db_, "exec");
  }

  sqlite3* db_ = nullptr;
  std::shared_ptr<StatementCache> cache_ = std::make_shared<StatementCache>();
};

}  // namespace

std::unique_ptr<Connection> openSqliteConnection(const std::string& path) {
  return std::make_unique<SqliteConnection>(path);
}

std::unique_ptr<PreparedStatement> prepareSqlite(sqlite3* db, const std::string& sql) {
  return std::make_unique<SqliteStatement>(db, sql);
}

}  // namespace liaison::storage
