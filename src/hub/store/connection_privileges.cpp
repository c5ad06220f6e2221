// The CC user's privileges kept beside each connection (read at connect time and at every
// health check), so the proxy can refuse a call the user may not make without asking CC.
#include "core/ttl_cache.h"
#include "cc/scopes.h"
#include "core/encoding.h"
#include "hub/store/connection_repository.h"

namespace liaison::hub {

using storage::Database;
using storage::Statement;

const char* const kConnectionPrivilegesSchemaSql =
    "CREATE TABLE connection_privileges ("
    "  connection_id TEXT PRIMARY KEY, privileges TEXT NOT NULL, read_at INTEGER NOT NULL);";

Status ConnectionRepository::savePrivileges(const std::string& id, const std::vector<std::string>& privileges,
                                            TimePoint read_at) {
  const BumpOnExit bump(version_);
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(
        raw,
        "INSERT INTO connection_privileges (connection_id, privileges, read_at) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (connection_id) DO UPDATE SET privileges=excluded.privileges,"
        " read_at=excluded.read_at");
    stmt.bind(1, id).bind(2, cc::joinScopes(privileges)).bind(3, toMillis(read_at));
    stmt.step();
    return okStatus();
  });
}

Result<std::optional<std::vector<std::string>>> ConnectionRepository::findPrivileges(const std::string& id) {
  std::optional<std::vector<std::string>> out;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, "SELECT privileges FROM connection_privileges WHERE connection_id=?1");
    stmt.bind(1, id);
    if (stmt.step()) out = splitString(stmt.columnText(0), ' ');
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

}  // namespace liaison::hub
