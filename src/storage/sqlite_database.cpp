#include "storage/sqlite_database.h"

#include <sqlite3.h>

#include <stdexcept>

namespace liaison::storage {

Statement::Statement(sqlite3* db, const std::string& sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("sqlite prepare failed: ") + sqlite3_errmsg(db));
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw std::runtime_error(std::string("sqlite step failed: ") + sqlite3_errmsg(db_));
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::columnText(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size)) : std::string();
}

int64_t Statement::columnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

bool Statement::columnIsNull(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

Database::Database(const std::string& path, std::span<const Migration> migrations) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    initialize(migrations);
  } catch (...) {
    // The destructor does not run for a throwing constructor: close here.
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

void Database::initialize(std::span<const Migration> migrations) {
  // WAL + synchronous=NORMAL: a committed transaction survives a crash of this process
  // (kill -9); only an OS crash or power loss can drop the last transactions.
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  int current = schemaVersion();
  for (const auto& migration : migrations) {
    if (migration.version <= current) continue;
    exec("BEGIN IMMEDIATE");
    auto status = tryExec(migration.sql);
    if (!status) {
      exec("ROLLBACK");
      throw std::runtime_error("migration " + std::to_string(migration.version) +
                               " failed: " + status.error().message);
    }
    exec("PRAGMA user_version=" + std::to_string(migration.version));
    exec("COMMIT");
    current = migration.version;
  }
}

Database::~Database() { sqlite3_close(db_); }

void Database::exec(const std::string& sql) {
  auto status = tryExec(sql);
  if (!status) throw std::runtime_error("sqlite: " + status.error().detail);
}

Status Database::tryExec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return internalError("storage", "The data could not be saved.", text);
  }
  return okStatus();
}

int64_t Database::changes() { return sqlite3_changes64(db_); }

int Database::schemaVersion() {
  Statement stmt(db_, "PRAGMA user_version");
  return stmt.step() ? static_cast<int>(stmt.columnInt(0)) : 0;
}

}  // namespace liaison::storage
