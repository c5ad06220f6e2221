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

// The window becomes a table of takes: a lease records many calls in one row, which a ring of one
// call per slot cannot.
const char* const kBudgetLeaseSchemaSql =
    "DROP TABLE budget_window;"
    "ALTER TABLE budget_days DROP COLUMN window_next;"
    "CREATE TABLE budget_takes ("
    "  app_id TEXT NOT NULL,"
    "  door TEXT NOT NULL,"
    "  at_ms BIGINT NOT NULL,"  // Unix ms the calls count from (a lease: the end of its hold)
    "  calls BIGINT NOT NULL,"  // calls recorded at that millisecond
    "  PRIMARY KEY (app_id, door, at_ms));";

namespace {

using std::chrono::milliseconds;
using storage::Database;
using storage::Statement;

constexpr int64_t kKeepTakesMs = 60'000;

std::string doorName(Door door) { return door == Door::Api ? "api" : "token"; }

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

// The door's window: the calls recorded in the last window_ms (by primary key range, so a take
// costs the same at 4 calls a second and at 10,000), and how long until it has room for one more.
struct Window {
  int64_t used = 0;
  std::optional<int64_t> wait_ms;  // set when full: until enough of its calls are window_ms old
};

Window readWindow(Database& db, const std::string& app_id, const std::string& door,
                  const LedgerLimits& limits, int64_t now_floor) {
  const int64_t since = now_floor - limits.window_ms;  // a call at `since` or before is out
  Window window;
  Statement sum(
      db, "SELECT COALESCE(SUM(calls), 0) FROM budget_takes WHERE app_id = ?1 AND door = ?2 AND at_ms > ?3");
  sum.bind(1, app_id).bind(2, door).bind(3, since);
  if (sum.step()) window.used = sum.columnInt(0);
  if (window.used < limits.per_second) return window;
  // Full (or over a lowered limit): room for one more once the oldest (used - per_second + 1) are out.
  const int64_t must_leave = window.used - limits.per_second + 1;
  Statement oldest(db,
                   "SELECT at_ms, calls FROM budget_takes WHERE app_id = ?1 AND door = ?2 AND at_ms > ?3"
                   " ORDER BY at_ms");
  oldest.bind(1, app_id).bind(2, door).bind(3, since);
  int64_t left = 0;
  while (oldest.step()) {
    left += oldest.columnInt(1);
    if (left >= must_leave) {
      window.wait_ms = oldest.columnInt(0) + limits.window_ms;
      break;
    }
  }
  if (!window.wait_ms) window.wait_ms = now_floor + limits.window_ms;  // unreachable: sums agree
  return window;
}

// Calls recorded at the same millisecond share a row. Rows are kept for a minute, far longer than
// the window: a process whose clock reads a little behind another's still sees every call of its
// own window (dropping rows the moment the fastest clock is past them would hide them from it).
void recordInWindow(Database& db, const std::string& app_id, const std::string& door, int64_t at_ms,
                    int64_t calls, int64_t drop_before_ms) {
  Statement write(
      db,
      "INSERT INTO budget_takes (app_id, door, at_ms, calls) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT (app_id, door, at_ms) DO UPDATE SET calls = budget_takes.calls + excluded.calls");
  write.bind(1, app_id).bind(2, door).bind(3, at_ms).bind(4, calls);
  write.step();
  Statement drop(db, "DELETE FROM budget_takes WHERE app_id = ?1 AND door = ?2 AND at_ms <= ?3");
  drop.bind(1, app_id).bind(2, door).bind(3, drop_before_ms);
  drop.step();
}

// Adds calls to today's per-connection counts, all in one statement (one round trip on PostgreSQL).
void countConnectionUse(Database& db, const std::string& app_id, int64_t day,
                        const std::vector<ConnectionUse>& uses) {
  if (uses.empty()) return;
  std::string sql = "INSERT INTO budget_connection_use (app_id, day, connection_id, calls) VALUES ";
  for (size_t i = 0; i < uses.size(); ++i) {
    const size_t p = 3 + 2 * i;
    sql += (i == 0 ? "" : ", ") + std::string("(?1, ?2, ?") + std::to_string(p) + ", ?" +
           std::to_string(p + 1) + ")";
  }
  sql +=
      " ON CONFLICT (app_id, day, connection_id)"
      " DO UPDATE SET calls = budget_connection_use.calls + excluded.calls";
  Statement use(db, sql);
  use.bind(1, app_id).bind(2, day);
  for (size_t i = 0; i < uses.size(); ++i) {
    use.bind(static_cast<int>(3 + 2 * i), uses[i].connection_id);
    use.bind(static_cast<int>(4 + 2 * i), uses[i].calls_today);
  }
  use.step();
}

// Takes calls a process granted but never sent off the day's count of `door`, if that count is
// still of the day they were leased on.
void giveBack(Database& db, const std::string& app_id, const std::string& door, int64_t day, int64_t unused) {
  if (unused <= 0) return;
  Statement back(db,
                 "UPDATE budget_days SET calls = CASE WHEN calls > ?4 THEN calls - ?4 ELSE 0 END"
                 " WHERE app_id = ?1 AND door = ?2 AND day = ?3");
  back.bind(1, app_id).bind(2, door).bind(3, day).bind(4, unused);
  back.step();
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

Result<LedgerOutcome> StoreRateLedger::take(const CallTicket& call, TimePoint now, const LedgerLimits& limits,
                                            const LeaseRequest& lease, const LedgerReturn& returned) {
  // A call is recorded at its time rounded up and the window counts from the time rounded down,
  // so millisecond rows never let two calls closer than window_ms share a place in it.
  const int64_t now_floor = std::chrono::floor<milliseconds>(now.time_since_epoch()).count();
  const int64_t now_ceil = std::chrono::ceil<milliseconds>(now.time_since_epoch()).count();
  const std::string door = doorName(call.door);
  const int64_t today = budgetDay(now);
  LedgerOutcome outcome;
  Status status = inTransaction([&](Database& db) {
    // A take is made for every CC call (or lease); waiting for its commit to reach the disk would
    // pace the whole hub by the disk's flush time. Losing the last takes in a crash of the
    // database server costs a few counts, never a token or a connection.
    if (db.dialect() == storage::Dialect::Postgres) db.exec("SET LOCAL synchronous_commit TO OFF");
    DayRow day = lockDay(db, call.app_id, door, today);
    std::vector<ConnectionUse> uses;  // to add to today's per-connection counts
    if (returned.day == day.day) {
      // The connections' counts go with this take's own (finish()).
      giveBack(db, call.app_id, doorName(Door::Api), day.day, returned.unused_api);
      giveBack(db, call.app_id, doorName(Door::Token), day.day, returned.unused_token);
      const int64_t unused = call.door == Door::Api ? returned.unused_api : returned.unused_token;
      day.calls = std::max<int64_t>(0, day.calls - std::max<int64_t>(0, unused));
      uses = returned.uses;
    }
    const auto finish = [&](LedgerOutcome::Kind kind) {
      countConnectionUse(db, call.app_id, day.day, uses);
      outcome.kind = kind;
      outcome.today = readCounts(db, call.app_id, today, nullptr);
      return okStatus();
    };
    int64_t granted = std::max(1, lease.calls);
    if (call.door == Door::Api) {
      if (day.calls >= limits.per_day) return finish(LedgerOutcome::Kind::QuotaExceeded);
      const int64_t open_to_all = limits.per_day * (100 - limits.reserve_percent) / 100;
      if (call.call_class != CallClass::Interactive && day.calls >= open_to_all) {
        return finish(LedgerOutcome::Kind::Reserve);
      }
      // A lease takes at most an eighth of what the day has left short of the reserve: every call
      // granted under it is one any class may make, and near the end of the day calls go one by one.
      granted = std::min(granted, std::max<int64_t>(1, (open_to_all - day.calls) / 8));
    }
    int64_t at_ms = now_ceil;
    if (limits.per_second > 0) {
      const Window window = readWindow(db, call.app_id, door, limits, now_floor);
      if (window.wait_ms) {
        outcome.wait =
            std::max(milliseconds(1), std::chrono::ceil<milliseconds>(fromMillis(*window.wait_ms) - now));
        return finish(LedgerOutcome::Kind::Wait);
      }
      granted = std::min(granted, std::max<int64_t>(1, (limits.per_second - window.used) / 8));
      if (granted > 1) at_ms += std::max<int64_t>(0, lease.hold_ms);
      recordInWindow(db, call.app_id, door, at_ms, granted, now_floor - kKeepTakesMs);
    }
    Statement count(db, "UPDATE budget_days SET calls = calls + ?3 WHERE app_id = ?1 AND door = ?2");
    count.bind(1, call.app_id).bind(2, door).bind(3, granted);
    count.step();
    if (call.door == Door::Api && !call.connection_id.empty()) {
      auto own = std::find_if(uses.begin(), uses.end(), [&](const ConnectionUse& use) {
        return use.connection_id == call.connection_id;
      });
      if (own == uses.end()) {
        uses.push_back({call.connection_id, 1});
      } else {
        ++own->calls_today;
      }
    }
    outcome.granted = static_cast<int>(granted);
    return finish(LedgerOutcome::Kind::Taken);
  });
  if (!status) return status.error();
  return outcome;
}

Status StoreRateLedger::settle(const std::string& app_id, TimePoint now, const LedgerReturn& returned) {
  if (returned.empty() || returned.day != budgetDay(now)) return okStatus();
  return inTransaction([&](Database& db) {
    if (db.dialect() == storage::Dialect::Postgres) db.exec("SET LOCAL synchronous_commit TO OFF");
    giveBack(db, app_id, doorName(Door::Api), returned.day, returned.unused_api);
    giveBack(db, app_id, doorName(Door::Token), returned.day, returned.unused_token);
    countConnectionUse(db, app_id, returned.day, returned.uses);
    return okStatus();
  });
}

Status StoreRateLedger::recordRefusal(const std::string& app_id, TimePoint now) {
  return inTransaction([&](Database& db) {
    lockDay(db, app_id, doorName(Door::Api), budgetDay(now));
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
    out.today = readCounts(db_, app_id, budgetDay(now), &day);
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
    return readCounts(db_, app_id, budgetDay(now), nullptr);
  } catch (const std::exception& e) {
    return ledgerError(e.what());
  }
}

}  // namespace liaison::hub
