// Four hub processes on one store, each with threads calling at once: four LocalGovernors, each
// on a connection of its own, on one ManualClock that a sleeping call moves by its wait (several
// may move it at once: time then runs faster, which only thins the calls out). The ledger's log
// of the times it let calls go shows no 1,000 ms with more calls than the limit, and the totals
// add up. Nothing here depends on real time: a thread that is slow only sees the clock later.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "hub/budget/ledger_store.h"

namespace liaison::hub::testing {
namespace {

using std::chrono::milliseconds;

constexpr int kHubs = 4;
constexpr int kCallsPerThread = 8;

// The times the store let calls go, by door, in the order the takes committed.
struct TakeLog {
  std::mutex mutex;
  std::vector<TimePoint> api;
  std::vector<TimePoint> token;
};

// The store's ledger, logging each call it lets go at the time it decided it for.
class LoggingLedger final : public ForwardingLedger {
 public:
  LoggingLedger(RateLedger& inner, TakeLog& log) : ForwardingLedger(inner), log_(log) {}
  Result<LedgerOutcome> take(const CallTicket& call, TimePoint now, const LedgerLimits& limits,
                             const LeaseRequest& lease, const LedgerReturn& returned) override {
    auto outcome = ForwardingLedger::take(call, now, limits, lease, returned);
    if (outcome.ok() && outcome->kind == LedgerOutcome::Kind::Taken) {
      std::lock_guard lock(log_.mutex);
      auto& times = call.door == Door::Api ? log_.api : log_.token;
      times.insert(times.end(), static_cast<size_t>(outcome->granted), now);
    }
    return outcome;
  }

 private:
  TakeLog& log_;
};

class SharedGovernorThreadsTest : public LedgerTest {
 protected:
  struct Hub {
    std::unique_ptr<LedgerProcess> store;
    std::unique_ptr<LoggingLedger> ledger;
    std::unique_ptr<LocalGovernor> governor;
  };

  void startHubs(int per_day) {
    for (int h = 0; h < kHubs; ++h) {
      Hub hub{process(), nullptr, nullptr};
      hub.ledger = std::make_unique<LoggingLedger>(hub.store->ledger(), log);
      hub.governor = std::make_unique<LocalGovernor>(
          clock, ccLimits(4, per_day),
          [this](milliseconds wait) {
            clock.advance(wait);
            std::this_thread::yield();
          },
          GovernorSettings{}, hub.ledger.get());
      hubs.push_back(std::move(hub));
    }
  }

  // Per hub: `api_threads` threads of API calls and one of refreshes (the token door), each
  // making kCallsPerThread calls that wait as long as they must.
  void runThreads(int api_threads) {
    std::vector<std::thread> threads;
    for (int h = 0; h < kHubs; ++h) {
      for (int t = 0; t <= api_threads; ++t) {
        const Door door = t < api_threads ? Door::Api : Door::Token;
        const std::string connection = "conn_" + std::to_string(h) + "_" + std::to_string(t);
        threads.emplace_back([this, h, door, connection] {
          for (int i = 0; i < kCallsPerThread; ++i) {
            const CallTicket call{"app-1", door, CallClass::Interactive, connection};
            const Admission a = hubs[h].governor->acquire(call, std::chrono::hours(1));
            std::lock_guard lock(outcomes_mutex);
            (door == Door::Api ? api_outcomes : token_outcomes).push_back(a);
          }
        });
      }
    }
    for (auto& t : threads) t.join();
  }

  static int64_t admitted(const std::vector<Admission>& outcomes) {
    return std::count_if(outcomes.begin(), outcomes.end(), [](const Admission& a) { return a.admitted; });
  }

  ManualClock clock{kNoon};
  TakeLog log;
  std::vector<Hub> hubs;
  std::mutex outcomes_mutex;
  std::vector<Admission> api_outcomes;
  std::vector<Admission> token_outcomes;
};

TEST_P(SharedGovernorThreadsTest, FourProcessesWithThreadsKeepToTheWindowTogether) {
  startHubs(10000);
  runThreads(2);
  const int64_t api_calls = kHubs * 2 * kCallsPerThread;
  const int64_t token_calls = kHubs * kCallsPerThread;
  ASSERT_EQ(static_cast<int64_t>(api_outcomes.size()), api_calls);
  for (const auto& a : api_outcomes) EXPECT_TRUE(a.admitted) << a.reason;
  for (const auto& a : token_outcomes) EXPECT_TRUE(a.admitted) << a.reason;

  std::sort(log.api.begin(), log.api.end());
  std::sort(log.token.begin(), log.token.end());
  EXPECT_EQ(static_cast<int64_t>(log.api.size()), api_calls);
  EXPECT_EQ(static_cast<int64_t>(log.token.size()), token_calls);
  EXPECT_LE(mostInASecond(log.api), 4u);
  EXPECT_EQ(mostInASecond(log.token), 1u);
  for (auto& hub : hubs) {
    const auto s = hub.governor->snapshot("app-1");
    EXPECT_EQ(s.used_today, api_calls);
    EXPECT_EQ(s.token_calls_today, token_calls);
    EXPECT_EQ(s.refused_today, 0);
  }
}

TEST_P(SharedGovernorThreadsTest, FourProcessesWithThreadsSpendTheDayExactlyOnce) {
  startHubs(20);
  runThreads(3);
  const int64_t api_calls = kHubs * 3 * kCallsPerThread;
  ASSERT_EQ(static_cast<int64_t>(api_outcomes.size()), api_calls);
  EXPECT_EQ(admitted(api_outcomes), 20);
  for (const auto& a : api_outcomes) {
    if (!a.admitted) {
      EXPECT_STREQ(a.reason, "quota_exceeded");
    }
  }
  EXPECT_EQ(admitted(token_outcomes), kHubs * kCallsPerThread) << "refreshes have no daily budget";
  EXPECT_EQ(log.api.size(), 20u);
  std::sort(log.api.begin(), log.api.end());
  EXPECT_LE(mostInASecond(log.api), 4u);
  const auto use = hubs[0].governor->usage("app-1");
  EXPECT_EQ(use.api_calls_today, 20);
  EXPECT_EQ(use.refused_today, api_calls - 20);
}

INSTANTIATE_TEST_SUITE_P(Store, SharedGovernorThreadsTest, ::testing::ValuesIn(ledgerStores()), storeName);

}  // namespace
}  // namespace liaison::hub::testing
