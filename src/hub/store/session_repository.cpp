#include "hub/store/session_repository.h"

#include "cc/scopes.h"
#include "core/encoding.h"

namespace liaison::hub {

namespace {

using storage::Database;
using storage::Statement;

constexpr const char* kSessionColumns =
    "id, app_id, flow, status, end_user_id, scopes, return_url, reconnect_connection_id, connection_id, "
    "error,"
    " created_at, expires_at, state_hash, verifier, issuer, device_code, user_code, verification_uri,"
    " verification_uri_complete, interval_s, next_poll_at";

ConnectSession sessionFromRow(const Statement& row) {
  ConnectSession s;
  s.id = row.columnText(0);
  s.app_id = row.columnText(1);
  s.flow = sessionFlowFrom(row.columnText(2)).value_or(SessionFlow::Device);
  s.status = sessionStatusFrom(row.columnText(3)).value_or(SessionStatus::Failed);
  s.end_user_id = row.columnText(4);
  s.scopes = splitString(row.columnText(5), ' ');
  s.return_url = row.columnText(6);
  s.reconnect_connection_id = row.columnText(7);
  s.connection_id = row.columnText(8);
  s.error = row.columnText(9);
  s.created_at = fromMillis(row.columnInt(10));
  s.expires_at = fromMillis(row.columnInt(11));
  s.state_hash = row.columnText(12);
  s.sealed_verifier = row.columnText(13);
  s.issuer = row.columnText(14);
  s.sealed_device_code = row.columnText(15);
  s.user_code = row.columnText(16);
  s.verification_uri = row.columnText(17);
  s.verification_uri_complete = row.columnText(18);
  s.interval_s = static_cast<int>(row.columnInt(19));
  s.next_poll_at = fromMillis(row.columnInt(20));
  return s;
}

std::vector<ConnectSession> selectAll(Database& raw, const std::string& where,
                                      const std::function<void(Statement&)>& bind) {
  Statement stmt(raw, std::string("SELECT ") + kSessionColumns + " FROM connect_sessions WHERE " + where);
  bind(stmt);
  std::vector<ConnectSession> out;
  while (stmt.step()) out.push_back(sessionFromRow(stmt));
  return out;
}

}  // namespace

Status SessionRepository::insert(const ConnectSession& s) {
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw, std::string("INSERT INTO connect_sessions(") + kSessionColumns +
                            ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,"
                            "?20,?21)");
    stmt.bind(1, s.id).bind(2, s.app_id).bind(3, std::string(toString(s.flow)));
    stmt.bind(4, std::string(toString(s.status))).bind(5, s.end_user_id).bind(6, cc::joinScopes(s.scopes));
    stmt.bind(7, s.return_url).bind(8, s.reconnect_connection_id).bind(9, s.connection_id).bind(10, s.error);
    stmt.bind(11, toMillis(s.created_at)).bind(12, toMillis(s.expires_at)).bind(13, s.state_hash);
    stmt.bind(14, s.sealed_verifier).bind(15, s.issuer).bind(16, s.sealed_device_code).bind(17, s.user_code);
    stmt.bind(18, s.verification_uri).bind(19, s.verification_uri_complete);
    stmt.bind(20, static_cast<int64_t>(s.interval_s)).bind(21, toMillis(s.next_poll_at));
    stmt.step();
    return okStatus();
  });
}

Result<std::optional<ConnectSession>> SessionRepository::find(const std::string& id) {
  std::optional<ConnectSession> found;
  auto status = db_.read([&](Database& raw) -> Status {
    auto rows = selectAll(raw, "id = ?1", [&](Statement& s) { s.bind(1, id); });
    if (!rows.empty()) found = std::move(rows.front());
    return okStatus();
  });
  if (!status) return status.error();
  return found;
}

Result<std::optional<ConnectSession>> SessionRepository::consumeState(const std::string& state_hash) {
  std::optional<ConnectSession> found;
  if (state_hash.empty()) return found;
  auto status = db_.transaction([&](Database& raw) -> Status {
    auto rows = selectAll(raw, "state_hash = ?1 AND flow = 'redirect' AND status = 'pending'",
                          [&](Statement& s) { s.bind(1, state_hash); });
    if (rows.empty()) return okStatus();
    Statement clear(raw, "UPDATE connect_sessions SET state_hash = '' WHERE id = ?1");
    clear.bind(1, rows.front().id);
    clear.step();
    found = std::move(rows.front());
    return okStatus();
  });
  if (!status) return status.error();
  return found;
}

Result<bool> SessionRepository::finish(const std::string& id, SessionStatus status_to,
                                       const std::string& connection_id, const std::string& error) {
  bool changed = false;
  auto status = db_.transaction([&](Database& raw) -> Status {
    // The verifier and device code are no use once the session ends: erase them.
    Statement stmt(raw,
                   "UPDATE connect_sessions SET status=?2, connection_id=?3, error=?4, verifier='',"
                   " device_code='', state_hash='' WHERE id=?1 AND status='pending'");
    stmt.bind(1, id).bind(2, std::string(toString(status_to))).bind(3, connection_id).bind(4, error);
    stmt.step();
    changed = raw.changes() == 1;
    return okStatus();
  });
  if (!status) return status.error();
  return changed;
}

Result<std::vector<ConnectSession>> SessionRepository::dueDevicePolls(TimePoint now, int limit) {
  std::vector<ConnectSession> out;
  auto status = db_.read([&](Database& raw) -> Status {
    out = selectAll(
        raw, "status = 'pending' AND flow = 'device' AND next_poll_at <= ?1 ORDER BY next_poll_at LIMIT ?2",
        [&](Statement& s) {
          s.bind(1, toMillis(now));
          s.bind(2, static_cast<int64_t>(limit));
        });
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Status SessionRepository::setAuthorization(const std::string& id, const std::string& state_hash,
                                           const std::string& sealed_verifier) {
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw,
                   "UPDATE connect_sessions SET state_hash=?2, verifier=?3 WHERE id=?1 AND status='pending'");
    stmt.bind(1, id).bind(2, state_hash).bind(3, sealed_verifier);
    stmt.step();
    return okStatus();
  });
}

Status SessionRepository::setNextPoll(const std::string& id, TimePoint next_poll_at, int interval_s) {
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw, "UPDATE connect_sessions SET next_poll_at=?2, interval_s=?3 WHERE id=?1");
    stmt.bind(1, id).bind(2, toMillis(next_poll_at)).bind(3, static_cast<int64_t>(interval_s));
    stmt.step();
    return okStatus();
  });
}

Result<std::vector<ConnectSession>> SessionRepository::expirePending(TimePoint now) {
  std::vector<ConnectSession> expired;
  auto status = db_.transaction([&](Database& raw) -> Status {
    expired = selectAll(raw, "status = 'pending' AND expires_at <= ?1",
                        [&](Statement& s) { s.bind(1, toMillis(now)); });
    Statement stmt(raw,
                   "UPDATE connect_sessions SET status='expired', error=?2, verifier='', device_code='',"
                   " state_hash='' WHERE status='pending' AND expires_at <= ?1");
    stmt.bind(1, toMillis(now))
        .bind(2, std::string("The connect session expired before the account was connected."));
    stmt.step();
    return okStatus();
  });
  if (!status) return status.error();
  for (auto& s : expired) s.status = SessionStatus::Expired;
  return expired;
}

Result<std::vector<std::string>> SessionRepository::sealedValues() {
  std::vector<std::string> out;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(
        raw, "SELECT verifier, device_code FROM connect_sessions WHERE verifier<>'' OR device_code<>''");
    while (stmt.step()) {
      for (int column : {0, 1}) {
        std::string sealed = stmt.columnText(column);
        if (!sealed.empty()) out.push_back(std::move(sealed));
      }
    }
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

}  // namespace liaison::hub
