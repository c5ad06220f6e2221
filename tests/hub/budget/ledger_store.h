#pragma once
// The rate ledger's tests run on every store of the test binary (ledgerStores()): SQLite (a file
// in the test's temp dir, in hub_budget_test) and PostgreSQL (a fresh database on the binary's
// throwaway server, in hub_budget_postgres_test). Each "process" is a connection of its
// own to that store, as two hub processes would have.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "cc/provider.h"
#include "hub/budget/local_governor.h"
#include "hub/budget/store_ledger.h"
#include "hub/store/hub_database.h"
#include "storage/database.h"
#include "support/temp_dir.h"

namespace liaison::hub::testing {

struct LedgerStore {
  std::string name;
  // A location (SQLite path or PostgreSQL URL) no other test uses; `dir` is the test's temp dir.
  std::function<std::string(const ::liaison::testing::TempDir& dir)> freshLocation;
};

// The stores of this test binary (ledger_sqlite_test.cpp or ledger_postgres_test.cpp); every
// test file instantiates its suites with them.
std::vector<LedgerStore> ledgerStores();

inline void PrintTo(const LedgerStore& store, std::ostream* out) { *out << store.name; }
inline std::string storeName(const ::testing::TestParamInfo<LedgerStore>& info) { return info.param.name; }

// One hub process's connection to the store and its ledger. On SQLite it is the hub's own
// HubDatabase with the ledger's tables as a later migration, as the hub runs it. HubDatabase
// cannot open PostgreSQL yet (its v1 schema is SQLite's), so there the connection is a plain
// storage::Database with a lock of its own, which is what StoreRateLedger uses of HubDatabase.
class LedgerProcess {
 public:
  explicit LedgerProcess(const std::string& location) {
    if (storage::isPostgresUrl(location)) {
      static const storage::Migration schema[] = {{1, kBudgetLedgerSchemaSql}, {2, kBudgetLeaseSchemaSql}};
      db_ = std::make_unique<storage::Database>(location, schema);
      ledger_ = std::make_unique<StoreRateLedger>(*db_, mutex_);
    } else {
      static const storage::Migration extra[] = {{2, kBudgetLedgerSchemaSql}, {3, kBudgetLeaseSchemaSql}};
      hub_db_ = std::make_unique<HubDatabase>(location, extra);
      ledger_ = std::make_unique<StoreRateLedger>(*hub_db_);
    }
  }
  StoreRateLedger& ledger() { return *ledger_; }

 private:
  std::unique_ptr<HubDatabase> hub_db_;
  std::mutex mutex_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<StoreRateLedger> ledger_;
};

class LedgerTest : public ::testing::TestWithParam<LedgerStore> {
 protected:
  void SetUp() override { location_ = GetParam().freshLocation(dir_); }
  std::unique_ptr<LedgerProcess> process() { return std::make_unique<LedgerProcess>(location_); }

  ::liaison::testing::TempDir dir_;
  std::string location_;
};

inline const TimePoint kNoon = fromUnixSeconds(1767268800);      // 2026-01-01T12:00:00Z
inline const TimePoint kMidnight = fromUnixSeconds(1767312000);  // 2026-01-02T00:00:00Z

inline cc::Limits ccLimits(int per_second, int64_t per_day, int token_per_second = 1) {
  cc::Limits out;
  out.requests_per_second_per_key = per_second;
  out.requests_per_day_per_key = per_day;
  out.token_requests_per_second_per_client = token_per_second;
  return out;
}

// A ledger that passes every call on to `inner`; tests override what they watch (take()).
class ForwardingLedger : public RateLedger {
 public:
  explicit ForwardingLedger(RateLedger& inner) : inner_(inner) {}
  Result<LedgerOutcome> take(const CallTicket& call, TimePoint now, const LedgerLimits& limits,
                             const LeaseRequest& lease, const LedgerReturn& returned) override {
    return inner_.take(call, now, limits, lease, returned);
  }
  Status settle(const std::string& app_id, TimePoint now, const LedgerReturn& returned) override {
    return inner_.settle(app_id, now, returned);
  }
  Status recordRefusal(const std::string& app_id, TimePoint now) override {
    return inner_.recordRefusal(app_id, now);
  }
  Result<LedgerUsage> usage(const std::string& app_id, TimePoint now) override {
    return inner_.usage(app_id, now);
  }

 private:
  RateLedger& inner_;
};

// The most calls of `times` (sorted) that fall within any 1,000 ms.
inline size_t mostInASecond(const std::vector<TimePoint>& times) {
  size_t most = 0;
  for (size_t i = 0; i < times.size(); ++i) {
    size_t j = i;
    while (j < times.size() && times[j] < times[i] + std::chrono::seconds(1)) ++j;
    most = std::max(most, j - i);
  }
  return most;
}

}  // namespace liaison::hub::testing
