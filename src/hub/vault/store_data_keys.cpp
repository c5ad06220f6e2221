#include "hub/vault/store_data_keys.h"

#include <exception>

namespace liaison::hub {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS vault_keys ("
    "  version INTEGER PRIMARY KEY,"
    "  wrapped TEXT NOT NULL,"
    "  current INTEGER NOT NULL,"
    "  retired INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE TABLE IF NOT EXISTS vault_meta ("
    "  name TEXT PRIMARY KEY,"
    "  value TEXT"
    ");";

constexpr const char* kKeyCheckName = "key_check";

Error storageError(const std::string& detail) {
  return internalError("vault.storage", "The vault's keys could not be read or saved.", detail);
}

Error unknownStoredVersion(int version) {
  return makeError(ErrorCode::NotFound, "vault.unknown_key",
                   "The vault has no data key v" + std::to_string(version) + ".");
}

// Whether `version` is stored, and if so whether it is retired.
std::optional<bool> findRetired(storage::Database& db, int version) {
  storage::Statement stmt(db, "SELECT retired FROM vault_keys WHERE version = ?1");
  stmt.bind(1, static_cast<int64_t>(version));
  if (!stmt.step()) return std::nullopt;
  return stmt.columnInt(0) != 0;
}

}  // namespace

StoreDataKeyRepository::StoreDataKeyRepository(storage::Database& database, const Clock& clock)
    : db_(database), clock_(clock) {
  // Hub processes starting together on one PostgreSQL database would race to create the tables.
  storage::Transaction transaction(db_);
  storage::lockSchema(db_);
  db_.exec(kSchema);
  transaction.commit();
}

template <typename Change>
Status StoreDataKeyRepository::inTransaction(Change&& change) {
  std::lock_guard lock(mutex_);
  try {
    storage::Transaction transaction(db_);
    Status status = change();
    if (status) transaction.commit();
    return status;
  } catch (const std::exception& e) {
    return storageError(e.what());
  }
}

Result<std::vector<StoredDataKey>> StoreDataKeyRepository::load() {
  std::lock_guard lock(mutex_);
  try {
    std::vector<StoredDataKey> out;
    storage::Statement stmt(db_,
                            "SELECT version, wrapped, current, retired FROM vault_keys ORDER BY version");
    while (stmt.step()) {
      out.push_back({static_cast<int>(stmt.columnInt(0)), stmt.columnText(1), stmt.columnInt(2) != 0,
                     stmt.columnInt(3) != 0});
    }
    return out;
  } catch (const std::exception& e) {
    return storageError(e.what());
  }
}

Status StoreDataKeyRepository::insert(const StoredDataKey& key) {
  return inTransaction([&]() -> Status {
    if (findRetired(db_, key.version)) {
      return makeError(ErrorCode::Conflict, "vault.key_exists",
                       "The vault already has data key v" + std::to_string(key.version) + ".");
    }
    storage::Statement stmt(db_,
                            "INSERT INTO vault_keys(version, wrapped, current, retired, created_at) "
                            "VALUES(?1, ?2, ?3, ?4, ?5)");
    stmt.bind(1, static_cast<int64_t>(key.version))
        .bind(2, key.wrapped)
        .bind(3, static_cast<int64_t>(key.current))
        .bind(4, static_cast<int64_t>(key.retired))
        .bind(5, formatIso8601(clock_.now()));
    stmt.step();
    return okStatus();
  });
}

Status StoreDataKeyRepository::makeCurrent(int version) {
  return inTransaction([&]() -> Status {
    auto retired = findRetired(db_, version);
    if (!retired || *retired) return unknownStoredVersion(version);
    storage::Statement stmt(db_, "UPDATE vault_keys SET current = CASE WHEN version = ?1 THEN 1 ELSE 0 END");
    stmt.bind(1, static_cast<int64_t>(version));
    stmt.step();
    return okStatus();
  });
}

Status StoreDataKeyRepository::retire(int version) {
  return inTransaction([&]() -> Status {
    if (!findRetired(db_, version)) return unknownStoredVersion(version);
    storage::Statement stmt(db_, "UPDATE vault_keys SET retired = 1, current = 0 WHERE version = ?1");
    stmt.bind(1, static_cast<int64_t>(version));
    stmt.step();
    return okStatus();
  });
}

Result<std::optional<std::string>> StoreDataKeyRepository::keyCheck() {
  std::lock_guard lock(mutex_);
  try {
    storage::Statement stmt(db_, "SELECT value FROM vault_meta WHERE name = ?1");
    stmt.bind(1, std::string(kKeyCheckName));
    if (!stmt.step()) return std::optional<std::string>();
    return std::optional<std::string>(stmt.columnText(0));
  } catch (const std::exception& e) {
    return storageError(e.what());
  }
}

Status StoreDataKeyRepository::setKeyCheck(const std::string& value) {
  return inTransaction([&]() -> Status {
    storage::Statement stmt(db_,
                            "INSERT INTO vault_meta(name, value) VALUES(?1, ?2) "
                            "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    stmt.bind(1, std::string(kKeyCheckName)).bind(2, value);
    stmt.step();
    return okStatus();
  });
}

}  // namespace liaison::hub
