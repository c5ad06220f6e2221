#include "hub/store/event_log.h"

namespace liaison::hub {

using storage::Database;
using storage::Statement;

Result<Event> EventLog::append(const std::string& type, const std::string& connection_id,
                               const std::string& data_json) {
  Event event;
  event.id = "evt_" + random_.token(16);
  event.type = type;
  event.connection_id = connection_id;
  event.created_at = clock_.now();
  event.data_json = data_json;
  auto status = db_.transaction([&](Database& raw) -> Status {
    // Readers page the log by sequence (`after=`), so numbers must become visible in order. On
    // PostgreSQL two processes could commit sequences 8 and 7 in that order and a reader between
    // the commits would skip 7 for ever; a lock held until commit serializes appends (SQLite's
    // BEGIN IMMEDIATE already does).
    if (raw.dialect() == storage::Dialect::Postgres) {
      Statement lock(raw, "SELECT pg_advisory_xact_lock(7811694201958449005)");
      lock.step();
      lock.reset();
    }
    Statement stmt(raw,
                   "INSERT INTO events(id, type, connection_id, created_at, data) VALUES(?1, ?2, ?3, ?4, ?5)"
                   " RETURNING sequence");
    stmt.bind(1, event.id).bind(2, type).bind(3, connection_id).bind(4, toMillis(event.created_at));
    stmt.bind(5, data_json);
    if (stmt.step()) event.sequence = stmt.columnInt(0);
    stmt.reset();
    return okStatus();
  });
  if (!status) return status.error();
  if (on_append_) on_append_(event);
  return event;
}

Result<std::vector<Event>> EventLog::list(const std::string& connection_id, int64_t after, int limit) {
  std::vector<Event> out;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, std::string("SELECT sequence, id, type, connection_id, created_at, data FROM events"
                                    " WHERE sequence > ?1") +
                            (connection_id.empty() ? "" : " AND connection_id = ?3") +
                            " ORDER BY sequence LIMIT ?2");
    stmt.bind(1, after).bind(2, static_cast<int64_t>(limit));
    if (!connection_id.empty()) stmt.bind(3, connection_id);
    while (stmt.step()) {
      out.push_back(Event{stmt.columnInt(0), stmt.columnText(1), stmt.columnText(2), stmt.columnText(3),
                          fromMillis(stmt.columnInt(4)), stmt.columnText(5)});
    }
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Result<std::optional<int64_t>> EventLog::sequenceOf(const std::string& id) {
  std::optional<int64_t> found;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, "SELECT sequence FROM events WHERE id = ?1");
    stmt.bind(1, id);
    if (stmt.step()) found = stmt.columnInt(0);
    return okStatus();
  });
  if (!status) return status.error();
  return found;
}

}  // namespace liaison::hub
