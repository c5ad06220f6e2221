#include "hub/store/hub_database.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <vector>

namespace liaison::hub {

int64_t toMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint fromMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

namespace {

// v1 only: files already carry the webhook tables as v2, so a later change of this schema is
// numbered after them in the runtime's list (hubExtraMigrations), not added here.
constexpr storage::Migration kHubMigrations[] = {
    {1,
     "CREATE TABLE api_keys ("
     "  id TEXT PRIMARY KEY, name TEXT NOT NULL, prefix TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,"
     "  created_at INTEGER NOT NULL, revoked_at INTEGER, last_used_at INTEGER);"
     "CREATE TABLE connections ("
     "  id TEXT PRIMARY KEY, app_id TEXT NOT NULL, end_user_id TEXT NOT NULL, account_id TEXT NOT NULL,"
     "  organization_name TEXT NOT NULL, user_login TEXT NOT NULL, scopes TEXT NOT NULL,"
     "  status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
     "  access_token TEXT NOT NULL, refresh_token TEXT NOT NULL, access_expires_at INTEGER NOT NULL,"
     "  refresh_used_at INTEGER NOT NULL, token_generation INTEGER NOT NULL,"
     "  last_refresh_at INTEGER, last_refresh_outcome TEXT NOT NULL DEFAULT '',"
     "  refresh_failures INTEGER NOT NULL DEFAULT 0, refresh_not_before INTEGER,"
     "  lease_holder TEXT, lease_until INTEGER, lease_fence INTEGER NOT NULL DEFAULT 0,"
     "  refresh_in_flight INTEGER NOT NULL DEFAULT 0);"
     "CREATE UNIQUE INDEX connections_account ON connections(app_id, end_user_id, account_id);"
     "CREATE INDEX connections_expiry ON connections(status, access_expires_at);"
     "CREATE TABLE connect_sessions ("
     "  id TEXT PRIMARY KEY, app_id TEXT NOT NULL, flow TEXT NOT NULL, status TEXT NOT NULL,"
     "  end_user_id TEXT NOT NULL, scopes TEXT NOT NULL, return_url TEXT NOT NULL,"
     "  reconnect_connection_id TEXT NOT NULL, connection_id TEXT NOT NULL, error TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, state_hash TEXT NOT NULL,"
     "  verifier TEXT NOT NULL, issuer TEXT NOT NULL, device_code TEXT NOT NULL, user_code TEXT NOT NULL,"
     "  verification_uri TEXT NOT NULL, verification_uri_complete TEXT NOT NULL,"
     "  interval_s INTEGER NOT NULL, next_poll_at INTEGER NOT NULL);"
     "CREATE INDEX sessions_state ON connect_sessions(state_hash);"
     "CREATE INDEX sessions_pending ON connect_sessions(status, flow, next_poll_at);"
     "CREATE TABLE events ("
     "  sequence INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
     "  connection_id TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL);"
     "CREATE INDEX events_connection ON events(connection_id, sequence);"
     "CREATE TABLE health_reports ("
     "  connection_id TEXT PRIMARY KEY, report TEXT NOT NULL, checked_at INTEGER NOT NULL);"
     "CREATE TABLE social_links ("
     "  connection_id TEXT NOT NULL, network_account_id TEXT NOT NULL, network TEXT NOT NULL,"
     "  display_name TEXT NOT NULL, status TEXT NOT NULL, healthy INTEGER NOT NULL,"
     "  checked_at INTEGER NOT NULL, PRIMARY KEY (connection_id, network_account_id));"
     "CREATE TABLE social_history ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT, connection_id TEXT NOT NULL,"
     "  network_account_id TEXT NOT NULL, status TEXT NOT NULL, healthy INTEGER NOT NULL,"
     "  at INTEGER NOT NULL);"},
};

std::vector<storage::Migration> allMigrations(std::span<const storage::Migration> extra) {
  std::vector<storage::Migration> out(std::begin(kHubMigrations), std::end(kHubMigrations));
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

Status storageFailure(const char* what, const std::string& detail) {
  spdlog::error("hub store: {} failed: {}", what, detail);
  return internalError("storage", "The hub's store failed; the operation was not done.", detail);
}

}  // namespace

std::span<const storage::Migration> hubMigrations() { return kHubMigrations; }

HubDatabase::HubDatabase(const std::string& location, std::span<const storage::Migration> extra)
    : db_(location, allMigrations(extra)) {
  // Deleted tokens are overwritten with zeros in the file, not left in free pages. (PostgreSQL
  // keeps dead rows until VACUUM; its files are the database server's to protect.)
  if (db_.dialect() == storage::Dialect::Sqlite) db_.exec("PRAGMA secure_delete=ON;");
}

Status HubDatabase::transaction(const std::function<Status(storage::Database&)>& work) {
  std::lock_guard lock(mutex_);
  try {
    db_.begin();
  } catch (const std::exception& e) {
    return storageFailure("begin", e.what());
  }
  try {
    Status status = work(db_);
    if (!status) {
      db_.rollback();
      return status;
    }
    db_.commit();
    return okStatus();
  } catch (const std::exception& e) {
    db_.rollback();
    return storageFailure("transaction", e.what());
  }
}

Status HubDatabase::read(const std::function<Status(storage::Database&)>& work) {
  std::lock_guard lock(mutex_);
  try {
    return work(db_);
  } catch (const std::exception& e) {
    return storageFailure("read", e.what());
  }
}

bool HubDatabase::reachable() {
  return read([](storage::Database& db) {
           storage::Statement probe(db, "SELECT 1");
           probe.step();
           return okStatus();
         })
      .ok();
}

}  // namespace liaison::hub
