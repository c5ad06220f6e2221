#include "hub/store/api_key_repository.h"

#include "core/ttl_cache.h"

namespace liaison::hub {

namespace {

using storage::Database;
using storage::Statement;

constexpr const char* kApiKeyColumns = "id, name, prefix, hash, created_at, revoked_at, last_used_at";

ApiKey apiKeyFromRow(const Statement& row) {
  ApiKey k;
  k.id = row.columnText(0);
  k.name = row.columnText(1);
  k.prefix = row.columnText(2);
  k.hash = row.columnText(3);
  k.created_at = fromMillis(row.columnInt(4));
  if (!row.columnIsNull(5)) k.revoked_at = fromMillis(row.columnInt(5));
  if (!row.columnIsNull(6)) k.last_used_at = fromMillis(row.columnInt(6));
  return k;
}

}  // namespace

Status ApiKeyRepository::insert(const ApiKey& k) {
  const BumpOnExit bump(version_);
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw,
                   "INSERT INTO api_keys(id, name, prefix, hash, created_at) VALUES(?1, ?2, ?3, ?4, ?5)");
    stmt.bind(1, k.id).bind(2, k.name).bind(3, k.prefix).bind(4, k.hash).bind(5, toMillis(k.created_at));
    stmt.step();
    return okStatus();
  });
}

Result<std::vector<ApiKey>> ApiKeyRepository::list() {
  std::vector<ApiKey> out;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, std::string("SELECT ") + kApiKeyColumns + " FROM api_keys ORDER BY created_at, id");
    while (stmt.step()) out.push_back(apiKeyFromRow(stmt));
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Result<std::optional<ApiKey>> ApiKeyRepository::findLiveByHash(const std::string& hash) {
  std::optional<ApiKey> found;
  auto status = db_.read([&](Database& raw) -> Status {
    // An index lookup by hash: the hash of a 256-bit random key reveals nothing to time.
    Statement stmt(raw, std::string("SELECT ") + kApiKeyColumns +
                            " FROM api_keys WHERE hash = ?1 AND revoked_at IS NULL");
    stmt.bind(1, hash);
    if (stmt.step()) found = apiKeyFromRow(stmt);
    return okStatus();
  });
  if (!status) return status.error();
  return found;
}

Result<bool> ApiKeyRepository::revoke(const std::string& id_or_name, TimePoint now) {
  const BumpOnExit bump(version_);
  bool revoked = false;
  auto status = db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw,
                   "UPDATE api_keys SET revoked_at = ?2 WHERE (id = ?1 OR name = ?1) AND revoked_at IS NULL");
    stmt.bind(1, id_or_name).bind(2, toMillis(now));
    stmt.step();
    revoked = raw.changes() > 0;
    return okStatus();
  });
  if (!status) return status.error();
  return revoked;
}

Status ApiKeyRepository::touch(const std::string& id, TimePoint now) {
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw, "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1");
    stmt.bind(1, id).bind(2, toMillis(now));
    stmt.step();
    return okStatus();
  });
}

}  // namespace liaison::hub
