#pragma once
// The rate ledger in the hub's store (SQLite file or PostgreSQL): every hub process on the store
// takes its calls from the same rows, so together they keep to CC's per-key limits.
//
// Tables (kBudgetLedgerSchemaSql, then kBudgetLeaseSchemaSql):
//  - budget_days: one row per app and door with the UTC day it counts, the day's calls and (on
//    the API row) the day's refusals. Each take locks this row first (FOR UPDATE on PostgreSQL;
//    SQLite's BEGIN IMMEDIATE already lets one writer in at a time), so two processes taking for
//    one app and door run one after the other and neither overshoots the window or the day.
//  - budget_takes: per app and door, the calls recorded at each Unix millisecond of the last window
//    (a lease's calls at the end of its hold). A take goes only while the rows of the last
//    window_ms sum to less than per_second, so no window_ms ever holds more than per_second calls,
//    whatever order the processes' clocks read in; rows a window old are dropped as takes come.
//  - budget_connection_use: today's API calls per connection (older days go when the day rolls).
#include <functional>
#include <mutex>
#include <string>

#include "hub/budget/rate_ledger.h"
#include "hub/store/hub_database.h"
#include "storage/database.h"

namespace liaison::hub {

// The tables above, as two migrations that run on both SQLite and PostgreSQL (the first made a
// ring of single calls, budget_window, which the second replaces with budget_takes).
extern const char* const kBudgetLedgerSchemaSql;
extern const char* const kBudgetLeaseSchemaSql;

class StoreRateLedger final : public RateLedger {
 public:
  // On the hub's store connection, under its lock (`db` must have kBudgetLedgerSchemaSql applied).
  explicit StoreRateLedger(HubDatabase& db);
  // On any storage connection whose users all hold `mutex` while they use it.
  StoreRateLedger(storage::Database& db, std::mutex& mutex);

  Result<LedgerOutcome> take(const CallTicket& call, TimePoint now, const LedgerLimits& limits,
                             const LeaseRequest& lease, const LedgerReturn& returned) override;
  Status settle(const std::string& app_id, TimePoint now, const LedgerReturn& returned) override;
  Status recordRefusal(const std::string& app_id, TimePoint now) override;
  Result<LedgerUsage> usage(const std::string& app_id, TimePoint now) override;
  Result<LedgerCounts> counts(const std::string& app_id, TimePoint now) override;

 private:
  // `work` in one transaction under the lock; a storage failure comes back as an error value.
  Status inTransaction(const std::function<Status(storage::Database&)>& work);

  storage::Database& db_;
  std::mutex& mutex_;
};

}  // namespace liaison::hub
