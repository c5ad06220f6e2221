#include "hub/budget/store_ledger.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <stdexcept>
#include <vector>

namespace liaison::hub {

// Counts and times are BIGINT: Unix milliseconds overflow PostgreSQL's 32-bit INTEGER.
const char* const kBudgetLedgerSchemaSql =
    "CREATE TABLE budget_days ("
    "  app_id TEXT NOT NULL,"
    "  door TEXT NOT NULL,"       // 'api' or 'token'
    "  day BIGINT NOT NULL,"      // days since 1970-01-01 (UTC) the counts belong to
    "  calls BIGINT NOT NULL,"    // calls taken that day
    "  refused BIGINT NOT NULL,"  // calls turned away that day (kept on the 'api' row)
    // The door's window is a ring of per_second slots: the slot written next holds the oldest of
    // the per_second most recent calls.
    "  window_next BIGINT NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (app_id, door));"
    "CREATE TABLE budget_window ("
    "  app_id TEXT NOT NULL,"
    "  door TEXT NOT NULL,"
    "  slot BIGINT NOT NULL,"
    "  at_ms BIGINT NOT NULL,"  // when one of the door's per_second most recent calls went
    "  PRIMARY KEY (app_id, door, slot));"
    "CREATE TABLE budget_connection_use ("
    "  app_id TEXT NOT NULL,"
    "  day BIGINT NOT NULL,"
    "  connection_id TEXT NOT NULL,"
    "  calls BIGINT NOT NULL,"  // API calls for the connection that day
    "  PRIMARY KEY (app_id, day, connection_id));";

namespace {

using std::chrono::milliseconds;
using storage::Database;
using storage::Statement;

constexpr size_t kTopConnections = 10;

std::string doorName(Door door) { return door == Door::Api ? "api" : "token"; }
int64_t dayOf(TimePoint t) { return toUnixSeconds(t) / 86400; }

struct DayRow {
  int64_t day = 0;
  int64_t calls = 0;
};

// Locks the app's row of `door` (made on first use) and moves it to `today` when it counts an
// earlier day. Returns the row as it now stands. A row a day ahead (another process whose clock
// already passed midnight) is kept: the newest day is the one being spent.
DayRow lockDay(Database& db, const std::string& app_id, const std::string& door, int64_t today) {
  const std::string select =
      std::string("SELECT day, calls FROM budget_days WHERE app_id = ?1 AND door = ?2") +
      storage::forUpdate(db);
  DayRow row;
  bool found = false;
  for (int attempt = 0; attempt < 2 && !found; ++attempt) {
    Statement read(db, select);
    read.bind(1, app_id).bind(2, door);
    if (read.step()) {
      row = {read.columnInt(0), read.columnInt(1)};
      found = true;
    } else if (attempt == 0) {
      // Two processes may make it at once: the second waits for the first and does nothing.
      Statement make(db,
                     "INSERT INTO budget_days (app_id, door, day, calls, refused) VALUES (?1, ?2, ?3, 0, 0)"
                     " ON CONFLICT DO NOTHING");
      make.bind(1, app_id).bind(2, door).bind(3, today);
      make.step();
    }
  }
  if (!found) throw std::runtime_error("budget_days row missing after insert");
  if (row.day >= today) return row;
  Statement roll(db,
                 "UPDATE budget_days SET day = ?3, calls = 0, refused = 0 WHERE app_id = ?1 AND door = ?2");
  roll.bind(1, app_id).bind(2, door).bind(3, today);
  roll.step();
  if (door == doorName(Door::Api)) {
    Statement forget(db, "DELETE FROM budget_connection_use WHERE app_id = ?1 AND day < ?2");
    forget.bind(1, app_id).bind(2, today);
    forget.step();
  }
  return {today, 0};
}

// The app's counts for `today` (or a later day a process ahead of this one already counts).
LedgerCounts readCounts(Database& db, const std::string& app_id, int64_t today, int64_t* counted_day) {
  LedgerCounts out;
  int64_t day = today;
  Statement read(db, "SELECT door, day, calls, refused FROM budget_days WHERE app_id = ?1");
  read.bind(1, app_id);
  while (read.step()) {
    if (read.columnInt(1) < today) continue;
    const bool api = read.columnText(0) == doorName(Door::Api);
    (api ? out.api_today : out.token_today) = read.columnInt(2);
    out.refused_today += read.columnInt(3);
    if (api) day = read.columnInt(1);
  }
  if (counted_day != nullptr) *counted_day = day;
  return out;
}

// The door's window, read and written by primary key only, so a take costs the same at 4 calls a
// second and at 10,000. `next` is the slot the next call is recorded in; that slot holds the
// oldest of the last per_second calls, or is empty while fewer were made.
struct Ring {
  int64_t next = 0;
  std::optional<int64_t> oldest_ms;
};

Ring readRing(Database& db, const std::string& app_id, const std::string& door, int64_t per_second) {
  Ring ring;
  Statement next(db, "SELECT window_next FROM budget_days WHERE app_id = ?1 AND door = ?2");
  next.bind(1, app_id).bind(2, door);
  if (next.step()) ring.next = next.columnInt(0);
  next.reset();
  if (ring.next >= per_second) {
    // The limit was lowered: start the ring again (a second later every old call is out of it).
    Statement drop(db, "DELETE FROM budget_window WHERE app_id = ?1 AND door = ?2 AND slot >= ?3");
    drop.bind(1, app_id).bind(2, door).bind(3, per_second);
    drop.step();
    ring.next = 0;
  }
  Statement oldest(db, "SELECT at_ms FROM budget_window WHERE app_id = ?1 AND door = ?2 AND slot = ?3");
  oldest.bind(1, app_id).bind(2, door).bind(3, ring.next);
  if (oldest.step()) ring.oldest_ms = oldest.columnInt(0);
  return ring;
}

void recordInRing(Database& db, const std::string& app_id, const std::string& door, const Ring& ring,
                  int64_t per_second, int64_t at_ms) {
  Statement write(db,
                  "INSERT INTO budget_window (app_id, door, slot, at_ms) VALUES (?1, ?2, ?3, ?4)"
                  " ON CONFLICT (app_id, door, slot) DO UPDATE SET at_ms = excluded.at_ms");
  write.bind(1, app_id).bind(2, door).bind(3, ring.next).bind(4, at_ms);
  write.step();
  Statement advance(db, "UPDATE budget_days SET window_next = ?3 WHERE app_id = ?1 AND door = ?2");
  advance.bind(1, app_id).bind(2, door).bind(3, (ring.next + 1) % per_second);
  advance.step();
}

Error ledgerError(const std::string& detail) {
  return internalError("storage", "The shared rate budget could not be reached.", detail);
}

}  // namespace

StoreRateLedger::StoreRateLedger(HubDatabase& db) : StoreRateLedger(db.raw(), db.mutex()) {}

StoreRateLedger::StoreRateLedger(storage::Database& db, std::mutex& mutex) : db_(db), mutex_(mutex) {}

Status StoreRateLedger::inTransaction(const std::function<Status(storage::Database&)>& work) {
  std::lock_guard lock(mutex_);
  Status status = db_.transaction(work);
  if (!status) return ledgerError(status.error().detail);
  return status;
}

Result<LedgerOutcome> StoreRateLedger::take(const CallTicket& call, TimePoint now,
                                            const LedgerLimits& limits) {
  // A call is recorded at its time rounded up and a slot counts as free from the time rounded
  // down, so millisecond rows never let two calls closer than a second share a slot.
  const int64_t now_floor = std::chrono::floor<milliseconds>(now.time_since_epoch()).count();
  const int64_t now_ceil = std::chrono::ceil<milliseconds>(now.time_since_epoch()).count();
  const std::string door = doorName(call.door);
  const int64_t today = dayOf(now);
  LedgerOutcome outcome;
  Status status = inTransaction([&](Database& db) {
    // A take is made for every CC call; waiting for its commit to reach the disk would pace the
    // whole hub by the disk's flush time. Losing the last takes in a crash of the database
    // server costs a few counts, never a token or a connection.
    if (db.dialect() == storage::Dialect::Postgres) db.exec("SET LOCAL synchronous_commit TO OFF");
    const DayRow day = lockDay(db, call.app_id, door, today);
    const auto finish = [&](LedgerOutcome::Kind kind) {
      outcome.kind = kind;
      outcome.today = readCounts(db, call.app_id, today, nullptr);
      return okStatus();
    };
    if (call.door == Door::Api) {
      if (day.calls >= limits.per_day) return finish(LedgerOutcome::Kind::QuotaExceeded);
      const int64_t open_to_all = limits.per_day * (100 - limits.reserve_percent) / 100;
      if (call.call_class != CallClass::Interactive && day.calls >= open_to_all) {
        return finish(LedgerOutcome::Kind::Reserve);
      }
    }
    if (limits.per_second > 0) {
      const Ring ring = readRing(db, call.app_id, door, limits.per_second);
      // Takes are recorded in commit order; a process whose clock is a little behind may record
      // an earlier time after a later one, which only makes the window stricter for a moment.
      if (ring.oldest_ms && *ring.oldest_ms + limits.window_ms > now_floor) {
        outcome.wait =
            std::max(milliseconds(1),
                     std::chrono::ceil<milliseconds>(fromMillis(*ring.oldest_ms + limits.window_ms) - now));
        return finish(LedgerOutcome::Kind::Wait);
      }
      recordInRing(db, call.app_id, door, ring, limits.per_second, now_ceil);
    }
    Statement count(db, "UPDATE budget_days SET calls = calls + 1 WHERE app_id = ?1 AND door = ?2");
    count.bind(1, call.app_id).bind(2, door);
    count.step();
    if (call.door == Door::Api && !call.connection_id.empty()) {
      Statement use(
          db,
          "INSERT INTO budget_connection_use (app_id, day, connection_id, calls) VALUES (?1, ?2, ?3, 1)"
          " ON CONFLICT (app_id, day, connection_id)"
          " DO UPDATE SET calls = budget_connection_use.calls + 1");
      use.bind(1, call.app_id).bind(2, day.day).bind(3, call.connection_id);
      use.step();
    }
    return finish(LedgerOutcome::Kind::Taken);
  });
  if (!status) return status.error();
  return outcome;
}

Status StoreRateLedger::recordRefusal(const std::string& app_id, TimePoint now) {
  return inTransaction([&](Database& db) {
    lockDay(db, app_id, doorName(Door::Api), dayOf(now));
    Statement count(db, "UPDATE budget_days SET refused = refused + 1 WHERE app_id = ?1 AND door = ?2");
    count.bind(1, app_id).bind(2, doorName(Door::Api));
    count.step();
    return okStatus();
  });
}

Result<LedgerUsage> StoreRateLedger::usage(const std::string& app_id, TimePoint now) {
  LedgerUsage out;
  std::lock_guard lock(mutex_);
  try {
    int64_t day = 0;
    out.today = readCounts(db_, app_id, dayOf(now), &day);
    // Most calls first; read on past the tenth only while calls tie with it, and break ties by id
    // here, where the order of ids is the same on every store whatever its collation.
    Statement read(db_,
                   "SELECT connection_id, calls FROM budget_connection_use WHERE app_id = ?1 AND day = ?2"
                   " ORDER BY calls DESC");
    read.bind(1, app_id).bind(2, day);
    while (read.step()) {
      const int64_t calls = read.columnInt(1);
      if (out.top_connections.size() >= kTopConnections && calls < out.top_connections.back().calls_today)
        break;
      out.top_connections.push_back({read.columnText(0), calls});
    }
  } catch (const std::exception& e) {
    return ledgerError(e.what());
  }
  std::sort(out.top_connections.begin(), out.top_connections.end(), [](const auto& a, const auto& b) {
    return a.calls_today != b.calls_today ? a.calls_today > b.calls_today : a.connection_id < b.connection_id;
  });
  if (out.top_connections.size() > kTopConnections) out.top_connections.resize(kTopConnections);
  return out;
}

Result<LedgerCounts> StoreRateLedger::counts(const std::string& app_id, TimePoint now) {
  std::lock_guard lock(mutex_);
  try {
    return readCounts(db_, app_id, dayOf(now), nullptr);
  } catch (const std::exception& e) {
    return ledgerError(e.what());
  }
}

}  // namespace liaison::hub
