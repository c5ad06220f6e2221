#pragma once
// The hub's store: a SQLite file (DIR/hub.db, the default) or a PostgreSQL database shared by
// many hub processes (store.url). Schema migrations, secure_delete on SQLite, and one door for
// every repository: work runs under one mutex inside a transaction, and a storage failure
// becomes an internal error value instead of an exception.
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace liaison::hub {

// Times are stored as Unix milliseconds.
int64_t toMillis(TimePoint t);
TimePoint fromMillis(int64_t ms);

class HubDatabase {
 public:
  // Opens (a postgresql:// URL) or creates (a file path) the database and applies the hub's migration (v1)
  // plus `extra` (every later schema change, numbered 2, 3, … in order: each is applied only when its number
  // is above the file's, so a later hub-store change goes at the end of `extra`, not into v1's list). Throws
  // at start-up on failure.
  explicit HubDatabase(const std::string& location, std::span<const storage::Migration> extra = {});
  HubDatabase(const HubDatabase&) = delete;
  HubDatabase& operator=(const HubDatabase&) = delete;

  // Runs `work` inside one transaction (rolled back when it fails or throws).
  Status transaction(const std::function<Status(storage::Database&)>& work);
  // Runs `work` under the lock without a transaction (single reads).
  Status read(const std::function<Status(storage::Database&)>& work);
  // Whether the store answers a trivial query (/healthz).
  bool reachable();
  storage::Database& raw() { return db_; }
  std::mutex& mutex() { return mutex_; }

 private:
  std::mutex mutex_;
  storage::Database db_;
};

std::span<const storage::Migration> hubMigrations();

}  // namespace liaison::hub
