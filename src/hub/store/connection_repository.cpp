#include "hub/store/connection_repository.h"

#include "core/ttl_cache.h"
#include "cc/scopes.h"
#include "core/encoding.h"

namespace liaison::hub {

const char* const kConnectionPageIndexSql =
    "CREATE INDEX connections_page ON connections(created_at, id);"
    "CREATE INDEX connections_end_user_page ON connections(end_user_id, created_at, id);";

// Rows stored before the column existed keep the point SQLite's rowid gave them.
const storage::Migration kConnectionRefreshSpread{
    6,
    "ALTER TABLE connections ADD COLUMN refresh_spread BIGINT NOT NULL DEFAULT 0;"
    "UPDATE connections SET refresh_spread = (rowid * 2654435761) % 2147483648;",
    "ALTER TABLE connections ADD COLUMN refresh_spread BIGINT NOT NULL DEFAULT 0;"};

namespace {

using storage::Database;
using storage::Statement;

constexpr const char* kConnectionColumns =
    "id, app_id, end_user_id, account_id, organization_name, user_login, scopes, status, created_at,"
    " updated_at, access_token, refresh_token, access_expires_at, refresh_used_at, token_generation,"
    " last_refresh_at, last_refresh_outcome, refresh_failures, refresh_not_before";

std::optional<TimePoint> optionalTime(const Statement& row, int column) {
  if (row.columnIsNull(column)) return std::nullopt;
  return fromMillis(row.columnInt(column));
}

void bindOptionalTime(Statement& stmt, int index, const std::optional<TimePoint>& t) {
  if (t) {
    stmt.bind(index, toMillis(*t));
  } else {
    stmt.bindNull(index);
  }
}

Connection connectionFromRow(const Statement& row) {
  Connection c;
  c.id = row.columnText(0);
  c.app_id = row.columnText(1);
  c.end_user_id = row.columnText(2);
  c.account_id = row.columnText(3);
  c.organization_name = row.columnText(4);
  c.user_login = row.columnText(5);
  c.scopes = splitString(row.columnText(6), ' ');
  c.status = connectionStatusFrom(row.columnText(7)).value_or(ConnectionStatus::ReauthRequired);
  c.created_at = fromMillis(row.columnInt(8));
  c.updated_at = fromMillis(row.columnInt(9));
  c.sealed_access_token = row.columnText(10);
  c.sealed_refresh_token = row.columnText(11);
  c.access_expires_at = fromMillis(row.columnInt(12));
  c.refresh_token_used_at = fromMillis(row.columnInt(13));
  c.token_generation = row.columnInt(14);
  c.last_refresh_at = optionalTime(row, 15);
  c.last_refresh_outcome = row.columnText(16);
  c.refresh_failures = static_cast<int>(row.columnInt(17));
  c.refresh_not_before = optionalTime(row, 18);
  return c;
}

Result<std::optional<Connection>> findWhere(HubDatabase& db, const std::string& where,
                                            const std::vector<std::string>& args) {
  std::optional<Connection> found;
  auto status = db.read([&](Database& raw) -> Status {
    Statement stmt(raw, std::string("SELECT ") + kConnectionColumns + " FROM connections WHERE " + where);
    for (size_t i = 0; i < args.size(); ++i) stmt.bind(static_cast<int>(i + 1), args[i]);
    if (stmt.step()) found = connectionFromRow(stmt);
    return okStatus();
  });
  if (!status) return status.error();
  return found;
}

}  // namespace

Result<std::optional<Connection>> ConnectionRepository::find(const std::string& id) {
  return findWhere(db_, "id = ?1", {id});
}

Result<std::optional<Connection>> ConnectionRepository::findByAccount(const std::string& app_id,
                                                                      const std::string& end_user_id,
                                                                      const std::string& account_id) {
  return findWhere(db_, "app_id = ?1 AND end_user_id = ?2 AND account_id = ?3",
                   {app_id, end_user_id, account_id});
}

Result<std::vector<Connection>> ConnectionRepository::list(const std::string& end_user_id) {
  std::vector<Connection> out;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, std::string("SELECT ") + kConnectionColumns + " FROM connections" +
                            (end_user_id.empty() ? "" : " WHERE end_user_id = ?1") +
                            " ORDER BY created_at DESC, id DESC");
    if (!end_user_id.empty()) stmt.bind(1, end_user_id);
    while (stmt.step()) out.push_back(connectionFromRow(stmt));
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Result<ConnectionPage> ConnectionRepository::listPage(const std::string& end_user_id,
                                                      const std::optional<ConnectionPageKey>& after,
                                                      int limit) {
  if (limit < 1)
    return makeError(ErrorCode::InvalidRequest, "invalid_request", "A page holds at least one row.");
  ConnectionPage page;
  auto status = db_.read([&](Database& raw) -> Status {
    // A row-value comparison, so SQLite walks connections_page (or connections_end_user_page)
    // backwards from the key and stops after limit + 1 rows; the extra row only says more follow.
    std::string where;
    const auto require = [&where](const char* term) {
      where += (where.empty() ? " WHERE " : " AND ") + std::string(term);
    };
    if (!end_user_id.empty()) require("end_user_id = ?1");
    if (after) require("(created_at, id) < (?2, ?3)");
    Statement stmt(raw, std::string("SELECT ") + kConnectionColumns + " FROM connections" + where +
                            " ORDER BY created_at DESC, id DESC LIMIT ?4");
    if (!end_user_id.empty()) stmt.bind(1, end_user_id);
    if (after) stmt.bind(2, toMillis(after->created_at)).bind(3, after->id);
    stmt.bind(4, static_cast<int64_t>(limit) + 1);
    while (stmt.step()) page.connections.push_back(connectionFromRow(stmt));
    return okStatus();
  });
  if (!status) return status.error();
  if (page.connections.size() > static_cast<size_t>(limit)) {
    page.connections.resize(static_cast<size_t>(limit));
    page.next = ConnectionPageKey{page.connections.back().created_at, page.connections.back().id};
  }
  return page;
}

namespace {
// A fixed point in [0, 2^31) per connection (FNV-1a of its id): where inside the refresh jitter
// its refresh falls, so that connections expiring together do not refresh together.
int64_t refreshSpread(const std::string& id) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : id) hash = (hash ^ c) * 1099511628211ull;
  return static_cast<int64_t>(hash & 0x7fffffffu);
}
}  // namespace

Status ConnectionRepository::insert(const Connection& c) {
  const BumpOnExit bump(version_);
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw,
                   std::string("INSERT INTO connections(") + kConnectionColumns +
                       ", refresh_spread) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,"
                       "?18,?19,?20)");
    stmt.bind(20, refreshSpread(c.id));
    stmt.bind(1, c.id).bind(2, c.app_id).bind(3, c.end_user_id).bind(4, c.account_id);
    stmt.bind(5, c.organization_name).bind(6, c.user_login).bind(7, cc::joinScopes(c.scopes));
    stmt.bind(8, std::string(toString(c.status)))
        .bind(9, toMillis(c.created_at))
        .bind(10, toMillis(c.updated_at));
    stmt.bind(11, c.sealed_access_token)
        .bind(12, c.sealed_refresh_token)
        .bind(13, toMillis(c.access_expires_at));
    stmt.bind(14, toMillis(c.refresh_token_used_at)).bind(15, c.token_generation);
    bindOptionalTime(stmt, 16, c.last_refresh_at);
    stmt.bind(17, c.last_refresh_outcome).bind(18, static_cast<int64_t>(c.refresh_failures));
    bindOptionalTime(stmt, 19, c.refresh_not_before);
    stmt.step();
    return okStatus();
  });
}

Status ConnectionRepository::replaceGrant(const Connection& c) {
  const BumpOnExit bump(version_);
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(
        raw,
        "UPDATE connections SET organization_name=?2, user_login=?3, scopes=?4, status='active',"
        " updated_at=?5, access_token=?6, refresh_token=?7, access_expires_at=?8, refresh_used_at=?5,"
        " token_generation=token_generation+1, last_refresh_outcome='', refresh_failures=0,"
        " refresh_not_before=NULL, refresh_in_flight=0, lease_holder=NULL, lease_until=NULL,"
        " lease_fence=lease_fence+1 WHERE id=?1");
    stmt.bind(1, c.id).bind(2, c.organization_name).bind(3, c.user_login).bind(4, cc::joinScopes(c.scopes));
    stmt.bind(5, toMillis(c.updated_at)).bind(6, c.sealed_access_token).bind(7, c.sealed_refresh_token);
    stmt.bind(8, toMillis(c.access_expires_at));
    stmt.step();
    if (raw.changes() != 1) return makeError(ErrorCode::NotFound, "not_found", "No connection has that id.");
    return okStatus();
  });
}

Status ConnectionRepository::setStatus(const std::string& id, ConnectionStatus status, TimePoint now) {
  const BumpOnExit bump(version_);
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw, "UPDATE connections SET status=?2, updated_at=?3 WHERE id=?1");
    stmt.bind(1, id).bind(2, std::string(toString(status))).bind(3, toMillis(now));
    stmt.step();
    return okStatus();
  });
}

Status ConnectionRepository::eraseTokens(const std::string& id, TimePoint now) {
  const BumpOnExit bump(version_);
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(
        raw,
        "UPDATE connections SET status='disconnected', updated_at=?2, access_token='', refresh_token='',"
        " token_generation=token_generation+1, lease_fence=lease_fence+1, lease_holder=NULL,"
        " lease_until=NULL, refresh_in_flight=0 WHERE id=?1");
    stmt.bind(1, id).bind(2, toMillis(now));
    stmt.step();
    return okStatus();
  });
}

Result<std::optional<RefreshLease>> ConnectionRepository::acquireLease(const std::string& id,
                                                                       const std::string& holder,
                                                                       TimePoint now,
                                                                       std::chrono::seconds duration) {
  std::optional<RefreshLease> lease;
  auto status = db_.transaction([&](Database& raw) -> Status {
    const TimePoint until = now + duration;
    Statement grant(raw,
                    "UPDATE connections SET lease_holder=?2, lease_until=?3, lease_fence=lease_fence+1"
                    " WHERE id=?1 AND (lease_until IS NULL OR lease_until <= ?4)");
    grant.bind(1, id).bind(2, holder).bind(3, toMillis(until)).bind(4, toMillis(now));
    grant.step();
    if (raw.changes() != 1) return okStatus();
    Statement fence(raw, "SELECT lease_fence FROM connections WHERE id=?1");
    fence.bind(1, id);
    if (fence.step()) lease = RefreshLease{id, holder, fence.columnInt(0), until};
    return okStatus();
  });
  if (!status) return status.error();
  return lease;
}

Status ConnectionRepository::releaseLease(const RefreshLease& lease) {
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(
        raw, "UPDATE connections SET lease_holder=NULL, lease_until=NULL WHERE id=?1 AND lease_fence=?2");
    stmt.bind(1, lease.connection_id).bind(2, lease.fence);
    stmt.step();
    return okStatus();
  });
}

namespace {
// Runs an UPDATE guarded by the lease's fence and tells whether it won.
Result<bool> fenced(HubDatabase& db, const RefreshLease& lease, const std::string& set,
                    const std::function<void(Statement&)>& bind) {
  bool won = false;
  auto status = db.transaction([&](Database& raw) -> Status {
    Statement stmt(raw, "UPDATE connections SET " + set + " WHERE id=?1 AND lease_fence=?2");
    stmt.bind(1, lease.connection_id).bind(2, lease.fence);
    bind(stmt);
    stmt.step();
    won = raw.changes() == 1;
    return okStatus();
  });
  if (!status) return status.error();
  return won;
}
}  // namespace

Result<bool> ConnectionRepository::markRefreshInFlight(const RefreshLease& lease, TimePoint answer_deadline) {
  const BumpOnExit bump(version_);
  return fenced(db_, lease, "refresh_in_flight=?2, refresh_not_before=?3",
                [&](Statement& stmt) { stmt.bind(3, toMillis(answer_deadline)); });
}

Result<bool> ConnectionRepository::storeRefreshed(const RefreshLease& lease, const RefreshedTokens& tokens,
                                                  TimePoint now) {
  const BumpOnExit bump(version_);
  if (tokens.sealed_refresh_token.empty() || tokens.sealed_access_token.empty()) {
    return makeError(ErrorCode::Internal, "empty_token", "A token pair without both tokens is never stored.");
  }
  bool won = false;
  auto status = db_.transaction([&](Database& raw) -> Status {
    // The second arm is a late answer: the lease ran out (and another holder may hold a new
    // one), but nobody has sent a refresh token since this holder did, so this pair is CC's live
    // one. Reconnecting or disconnecting clears the mark, so neither is ever overwritten.
    Statement stmt(
        raw,
        "UPDATE connections SET access_token=?3, refresh_token=?4, access_expires_at=?5, refresh_used_at=?6,"
        " updated_at=?6, scopes=?7, token_generation=token_generation+1, refresh_in_flight=0,"
        " last_refresh_at=?6, last_refresh_outcome='ok', refresh_failures=0, refresh_not_before=NULL"
        " WHERE id=?1 AND (lease_fence=?2 OR refresh_in_flight=?2)");
    stmt.bind(1, lease.connection_id).bind(2, lease.fence);
    stmt.bind(3, tokens.sealed_access_token).bind(4, tokens.sealed_refresh_token);
    stmt.bind(5, toMillis(tokens.access_expires_at)).bind(6, toMillis(now));
    stmt.bind(7, cc::joinScopes(tokens.scopes));
    stmt.step();
    won = raw.changes() == 1;
    return okStatus();
  });
  if (!status) return status.error();
  return won;
}

Result<bool> ConnectionRepository::storeOutcome(const RefreshLease& lease, const RefreshOutcome& outcome,
                                                TimePoint now) {
  const BumpOnExit bump(version_);
  return fenced(db_, lease,
                "last_refresh_at=?3, last_refresh_outcome=?4, status=?5, refresh_failures=?6,"
                " refresh_not_before=?7, refresh_in_flight=?8, updated_at=?3",
                [&](Statement& stmt) {
                  stmt.bind(8, outcome.answer_lost ? RefreshMark::kAnswerLost : RefreshMark::kNone);
                  stmt.bind(3, toMillis(now)).bind(4, outcome.outcome);
                  stmt.bind(5, std::string(toString(outcome.status)));
                  stmt.bind(6, static_cast<int64_t>(outcome.failures));
                  bindOptionalTime(stmt, 7, outcome.not_before);
                });
}

Result<int64_t> ConnectionRepository::refreshMark(const std::string& id) {
  int64_t mark = RefreshMark::kNone;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, "SELECT refresh_in_flight FROM connections WHERE id=?1");
    stmt.bind(1, id);
    if (stmt.step()) mark = stmt.columnInt(0);
    return okStatus();
  });
  if (!status) return status.error();
  return mark;
}

namespace {
// Active, holding a refresh token, back-off passed (?2 = now), lease free; soonest expiry first.
Result<std::vector<std::string>> readyConnections(HubDatabase& db, const std::string& condition,
                                                  TimePoint expiring_before, TimePoint now,
                                                  std::optional<TimePoint> idle_before, int limit) {
  std::vector<std::string> out;
  auto status = db.read([&](Database& raw) -> Status {
    Statement stmt(raw, "SELECT id FROM connections WHERE status='active' AND " + condition +
                            " AND refresh_token != ''"
                            " AND (refresh_not_before IS NULL OR refresh_not_before <= ?2)"
                            " AND (lease_until IS NULL OR lease_until <= ?2)"
                            " ORDER BY access_expires_at LIMIT ?3");
    stmt.bind(1, toMillis(expiring_before)).bind(2, toMillis(now)).bind(3, static_cast<int64_t>(limit));
    if (idle_before) stmt.bind(4, toMillis(*idle_before));
    while (stmt.step()) out.push_back(stmt.columnText(0));
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}
}  // namespace

Result<std::vector<std::string>> ConnectionRepository::dueForRefresh(TimePoint now, TimePoint expiring_before,
                                                                     int limit,
                                                                     std::chrono::milliseconds jitter) {
  // A range of the (status, access_expires_at) index that covers the jitter (with an OR here
  // SQLite would walk every row); the connection's spread, modulo the jitter, gives it its own
  // fixed point inside it.
  const std::string j = std::to_string(std::max<int64_t>(1, jitter.count()));
  return readyConnections(
      db_, "access_expires_at < ?1 + " + j + " AND access_expires_at - (refresh_spread % " + j + ") < ?1",
      expiring_before, now, std::nullopt, limit);
}

Result<std::vector<std::string>> ConnectionRepository::idleForRefresh(TimePoint now,
                                                                      TimePoint expiring_before,
                                                                      TimePoint idle_before, int limit) {
  return readyConnections(db_, "access_expires_at >= ?1 AND refresh_used_at < ?4", expiring_before, now,
                          idle_before, limit);
}

Result<std::map<std::string, int64_t>> ConnectionRepository::countByStatus() {
  std::map<std::string, int64_t> out{{"active", 0}, {"reauth_required", 0}, {"disconnected", 0}};
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, "SELECT status, COUNT(*) FROM connections GROUP BY status");
    while (stmt.step()) out[stmt.columnText(0)] = stmt.columnInt(1);
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Result<bool> ConnectionRepository::resealTokens(const std::string& id, int64_t generation,
                                                const std::string& sealed_access,
                                                const std::string& sealed_refresh) {
  const BumpOnExit bump(version_);
  bool written = false;
  auto status = db_.transaction([&](Database& raw) -> Status {
    Statement stmt(
        raw, "UPDATE connections SET access_token=?3, refresh_token=?4 WHERE id=?1 AND token_generation=?2");
    stmt.bind(1, id).bind(2, generation).bind(3, sealed_access).bind(4, sealed_refresh);
    stmt.step();
    written = raw.changes() == 1;
    return okStatus();
  });
  if (!status) return status.error();
  return written;
}

Result<std::map<std::string, int64_t>> ConnectionRepository::countByRefreshOutcome() {
  std::map<std::string, int64_t> out;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw,
                   "SELECT last_refresh_outcome, COUNT(*) FROM connections GROUP BY last_refresh_outcome");
    while (stmt.step()) out[stmt.columnText(0).empty() ? "none" : stmt.columnText(0)] = stmt.columnInt(1);
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

}  // namespace liaison::hub
