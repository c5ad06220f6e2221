// Two hub processes on one store: two LocalGovernors, each with its own connection and ledger,
// on one ManualClock, one caller at a time. Together they keep to the per-second window and
// spend the day's calls exactly once; each shows the shared day.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "core/random.h"
#include "hub/budget/ledger_store.h"

namespace liaison::hub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

CallTicket api(CallClass call_class = CallClass::Interactive, const std::string& connection_id = "conn_1") {
  return {"app-1", Door::Api, call_class, connection_id};
}

class SharedGovernorTest : public LedgerTest {
 protected:
  struct Hub {
    std::unique_ptr<LedgerProcess> store;
    std::unique_ptr<LocalGovernor> governor;
    LocalGovernor* operator->() { return governor.get(); }
  };

  Hub hub(const cc::Limits& limits) {
    Hub out{process(), nullptr};
    out.governor = std::make_unique<LocalGovernor>(
        clock, limits,
        [this](milliseconds wait) {
          sleeps.push_back(wait);
          clock.advance(wait);
        },
        GovernorSettings{}, &out.store->ledger());
    return out;
  }

  ManualClock clock{kNoon};
  std::vector<milliseconds> sleeps;
};

TEST_P(SharedGovernorTest, InterleavedCallsOfTwoProcessesNeverPutMoreThanTheLimitIntoASecond) {
  Hub hubs[] = {hub(ccLimits(4, 10000)), hub(ccLimits(4, 10000))};
  SeededRandom random(11);
  std::vector<TimePoint> api_calls, token_calls;
  std::vector<int64_t> by_hub(2, 0);
  const TimePoint end = kNoon + seconds(30);
  while (clock.now() < end) {
    const size_t which = random.uniform(2);
    const auto call_class = static_cast<CallClass>(random.uniform(3));
    const Door door = random.uniform(4) == 0 ? Door::Token : Door::Api;
    const CallTicket call{"app-1", door, call_class, "conn_" + std::to_string(random.uniform(5))};
    const Admission a = call_class == CallClass::Interactive ? hubs[which]->acquire(call, seconds(10))
                                                             : hubs[which]->admit(call);
    if (a.admitted) {
      (door == Door::Api ? api_calls : token_calls).push_back(clock.now());
      if (door == Door::Api) ++by_hub[which];
    } else {
      EXPECT_STREQ(a.reason, "per_second");
    }
    clock.advance(milliseconds(random.uniform(200)));
  }
  EXPECT_EQ(mostInASecond(api_calls), 4u);  // reached, never passed, by both together
  EXPECT_EQ(mostInASecond(token_calls), 1u);
  EXPECT_GT(by_hub[0], 20);
  EXPECT_GT(by_hub[1], 20);
  EXPECT_FALSE(sleeps.empty()) << "interactive calls waited for the other process's calls";
  for (auto& h : hubs) {
    const auto s = h->snapshot("app-1");
    EXPECT_EQ(s.used_today, static_cast<int64_t>(api_calls.size()));
    EXPECT_EQ(s.token_calls_today, static_cast<int64_t>(token_calls.size()));
    EXPECT_EQ(s.refused_today, 0) << "pacing is not a refusal";
  }
}

TEST_P(SharedGovernorTest, ACallWaitsForTheOtherProcesssCallsAndIsPacedAcrossBoth) {
  Hub a = hub(ccLimits(4, 10000));
  Hub b = hub(ccLimits(4, 10000));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(a->acquire(api(), seconds(10)).admitted);
  const auto paced = b->admit(api(CallClass::Background));
  EXPECT_FALSE(paced.admitted);
  EXPECT_STREQ(paced.reason, "per_second");
  EXPECT_EQ(paced.retry_after, milliseconds(1000));
  const auto waited = b->acquire(api(), seconds(10));
  ASSERT_TRUE(waited.admitted);
  EXPECT_EQ(waited.waited, milliseconds(1000));
  EXPECT_EQ(sleeps, std::vector<milliseconds>{milliseconds(1000)});
  // A second on, the four calls of `a` have left the window: three more fit beside b's.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a->acquire(api(), milliseconds(0)).admitted);
  const auto hurried = a->acquire(api(), milliseconds(500));
  EXPECT_FALSE(hurried.admitted);
  EXPECT_STREQ(hurried.reason, "max_wait");
  EXPECT_EQ(hurried.retry_after, milliseconds(1000));
  EXPECT_EQ(b->usage("app-1").refused_today, 1);
  EXPECT_EQ(b->usage("app-1").api_calls_today, 8);
}

TEST_P(SharedGovernorTest, TheDaysQuotaIsSpentExactlyOnceByBoth) {
  Hub hubs[] = {hub(ccLimits(1000, 10)), hub(ccLimits(1000, 10))};
  int admitted = 0;
  for (int i = 0; i < 14; ++i) {
    const auto a = hubs[i % 2]->admit(api(CallClass::Interactive, "conn_" + std::to_string(i % 3)));
    if (a.admitted) {
      ++admitted;
    } else {
      EXPECT_STREQ(a.reason, "quota_exceeded");
      EXPECT_EQ(a.resets_at, kMidnight);
    }
    clock.advance(milliseconds(1));
  }
  EXPECT_EQ(admitted, 10);
  const auto late = hubs[1]->acquire(api(), seconds(10));
  EXPECT_STREQ(late.reason, "quota_exceeded");
  EXPECT_TRUE(sleeps.empty());
  for (auto& h : hubs) {
    const auto s = h->snapshot("app-1");
    EXPECT_EQ(s.used_today, 10);
    EXPECT_EQ(s.remaining_today, 0);
    EXPECT_EQ(s.refused_today, 5);
    ASSERT_EQ(s.top_connections.size(), 3u);
    EXPECT_EQ(s.top_connections[0].connection_id, "conn_0");
    EXPECT_EQ(s.top_connections[0].calls_today, 4);  // i = 0, 6 of one hub; 3, 9 of the other
  }
  clock.set(kMidnight);
  EXPECT_TRUE(hubs[0]->admit(api()).admitted);
  EXPECT_EQ(hubs[1]->usage("app-1").api_calls_today, 1);
  EXPECT_EQ(hubs[1]->usage("app-1").refused_today, 0);
}

TEST_P(SharedGovernorTest, TheReserveHoldsForTheSharedDay) {
  Hub a = hub(ccLimits(1000, 10));
  Hub b = hub(ccLimits(1000, 10));
  for (int i = 0; i < 8; ++i) ASSERT_TRUE((i % 2 == 0 ? a : b)->admit(api(CallClass::Background)).admitted);
  const auto held = b->admit(api(CallClass::Health));
  EXPECT_FALSE(held.admitted);
  EXPECT_STREQ(held.reason, "reserve");
  EXPECT_STREQ(a->acquire(api(CallClass::Background), seconds(10)).reason, "reserve");
  EXPECT_TRUE(b->acquire(api(CallClass::Interactive), seconds(10)).admitted);
  EXPECT_EQ(a->snapshot("app-1").refused_today, 2);
}

INSTANTIATE_TEST_SUITE_P(Store, SharedGovernorTest, ::testing::ValuesIn(ledgerStores()), storeName);

}  // namespace
}  // namespace liaison::hub::testing
