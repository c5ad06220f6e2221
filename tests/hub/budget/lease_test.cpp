// Leases (rate_ledger.h): while the window has plenty of room a take grants many calls, which the
// process then grants without the store; near the limit every call is a take of its own. On each
// store of the binary (ledger_store.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hub/budget/ledger_store.h"

namespace liaison::hub::testing {
namespace {

using Kind = LedgerOutcome::Kind;
using std::chrono::milliseconds;
using std::chrono::seconds;

CallTicket api(const std::string& connection_id = "conn_1") {
  return {"app-1", Door::Api, CallClass::Interactive, connection_id};
}

LedgerOutcome take(RateLedger& ledger, TimePoint at, const LedgerLimits& limits, LeaseRequest lease = {},
                   const LedgerReturn& returned = {}, const CallTicket& call = api()) {
  auto outcome = ledger.take(call, at, limits, lease, returned);
  EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().detail);
  return outcome.ok() ? *outcome : LedgerOutcome{};
}

// A figure for the report, printed and in the test's XML properties.
void figure(const std::string& name, int64_t value) {
  std::printf("[ figure   ] %s = %lld\n", name.c_str(), static_cast<long long>(value));
  ::testing::Test::RecordProperty(name, std::to_string(value));
}


int64_t callsOf(const LedgerUsage& use, const std::string& connection_id) {
  for (const auto& c : use.top_connections)
    if (c.connection_id == connection_id) return c.calls_today;
  return 0;
}

TEST_P(LedgerTest, ALeaseTakesAnEighthOfTheFreeWindowAtMostAndHoldsItUntilItsEnd) {
  auto store = process();
  auto other = process();
  const LedgerLimits limits{800, 1'000'000, 20};
  const auto lease = take(store->ledger(), kNoon, limits, {200, 100});
  ASSERT_EQ(lease.kind, Kind::Taken);
  EXPECT_EQ(lease.granted, 100) << "an eighth of 800 free";
  EXPECT_EQ(lease.today.api_today, 100);
  const auto smaller = take(other->ledger(), kNoon, limits, {200, 100});
  EXPECT_EQ(smaller.granted, 87) << "an eighth of the 700 left";
  // The lease's calls count from the end of its hold: at 1,050 ms they still fill the window.
  const auto rest = take(store->ledger(), kNoon + milliseconds(1050), limits, {1000, 0});
  EXPECT_EQ(rest.granted, (800 - 187) / 8);
  // At 1,101 ms both leases have left the window.
  EXPECT_EQ(take(other->ledger(), kNoon + milliseconds(1101), limits, {1000, 0}).granted, (800 - 76) / 8);
}

TEST_P(LedgerTest, NearTheLimitEveryTakeIsOneCall) {
  auto store = process();
  const LedgerLimits four{4, 10000, 20};
  for (int i = 0; i < 4; ++i) {
    const auto taken = take(store->ledger(), kNoon, four, {64, 100});
    ASSERT_EQ(taken.kind, Kind::Taken);
    EXPECT_EQ(taken.granted, 1);
  }
  EXPECT_EQ(take(store->ledger(), kNoon, four, {64, 100}).kind, Kind::Wait);
  // A day close to its reserve leases one call at a time too.
  const LedgerLimits small_day{1000, 100, 20};  // 80 open to every class, 4 of them spent above
  EXPECT_EQ(take(store->ledger(), kNoon + seconds(5), small_day, {64, 100}).granted, 9);
  for (int i = 0; i < 62; ++i) take(store->ledger(), kNoon + seconds(5), small_day);
  EXPECT_EQ(take(store->ledger(), kNoon + seconds(5), small_day, {64, 100}).granted, 1)
      << "5 left short of 80";
}

TEST_P(LedgerTest, UnusedCallsAndConnectionCountsComeBackWithTheNextTakeOrASettle) {
  auto store = process();
  auto other = process();
  const LedgerLimits limits{800, 1'000'000, 20};
  ASSERT_EQ(take(store->ledger(), kNoon, limits, {50, 100}).granted, 50);
  // The process granted 30 of them (20 for conn_2, 9 more for conn_1) and returns the other 20.
  LedgerReturn returned{budgetDay(kNoon), 20, 0, {{"conn_2", 20}, {"conn_1", 9}}};
  const auto next = take(store->ledger(), kNoon + seconds(1), limits, {1, 0}, returned);
  EXPECT_EQ(next.today.api_today, 31);
  auto use = other->ledger().usage("app-1", kNoon + seconds(1));
  ASSERT_TRUE(use.ok());
  EXPECT_EQ(callsOf(*use, "conn_1"), 11);  // the lease's taker, 9 under it, the take now
  EXPECT_EQ(callsOf(*use, "conn_2"), 20);
  // settle() alone; figures of another day are dropped.
  ASSERT_TRUE(
      store->ledger().settle("app-1", kNoon + seconds(2), {budgetDay(kNoon), 1, 0, {{"conn_3", 4}}}).ok());
  ASSERT_TRUE(store->ledger()
                  .settle("app-1", kNoon + seconds(2), {budgetDay(kNoon) - 1, 5, 0, {{"conn_4", 4}}})
                  .ok());
  use = other->ledger().usage("app-1", kNoon + seconds(2));
  ASSERT_TRUE(use.ok());
  EXPECT_EQ(use->today.api_today, 30);
  EXPECT_EQ(callsOf(*use, "conn_3"), 4);
  EXPECT_EQ(callsOf(*use, "conn_4"), 0);
}

// Governors on one store, one ManualClock.
class LeaseGovernorTest : public LedgerTest {
 protected:
  // Counts the takes that reach the store.
  class CountingLedger final : public ForwardingLedger {
   public:
    using ForwardingLedger::ForwardingLedger;
    Result<LedgerOutcome> take(const CallTicket& call, TimePoint now, const LedgerLimits& limits,
                               const LeaseRequest& lease, const LedgerReturn& returned) override {
      ++takes;
      return ForwardingLedger::take(call, now, limits, lease, returned);
    }
    int takes = 0;
  };
  struct Hub {
    std::unique_ptr<LedgerProcess> store;
    std::unique_ptr<CountingLedger> ledger;
    std::unique_ptr<LocalGovernor> governor;
  };
  Hub hub(const cc::Limits& limits) {
    Hub out{process(), nullptr, nullptr};
    out.ledger = std::make_unique<CountingLedger>(out.store->ledger());
    out.governor = std::make_unique<LocalGovernor>(
        clock, limits, [this](milliseconds wait) { clock.advance(wait); }, GovernorSettings{},
        out.ledger.get());
    return out;
  }

  ManualClock clock{kNoon};
};

TEST_P(LeaseGovernorTest, AStreamOfCallsMakesFewTakesAndEveryFigureComesOutExact) {
  Hub a = hub(ccLimits(10000, 1'000'000));
  const int kCalls = 2000;
  for (int i = 0; i < kCalls; ++i) {
    const Admission granted = a.governor->acquire(api("conn_" + std::to_string(i % 3)), seconds(1));
    ASSERT_TRUE(granted.admitted) << i << " " << granted.reason;
    EXPECT_EQ(*granted.api_calls_left_today, 1'000'000 - i - 1);
    clock.advance(std::chrono::microseconds(100));  // 10,000 calls a second
  }
  EXPECT_LT(a.ledger->takes, kCalls / 20) << "leases grow to 64 calls";
  clock.advance(seconds(1));  // the last lease runs out unused
  const BudgetSnapshot s = a.governor->snapshot("app-1");
  EXPECT_EQ(s.used_today, kCalls);
  ASSERT_EQ(s.top_connections.size(), 3u);
  EXPECT_EQ(
      s.top_connections[0].calls_today + s.top_connections[1].calls_today + s.top_connections[2].calls_today,
      kCalls);
  EXPECT_EQ(s.top_connections[2].calls_today, kCalls / 3);
  // Another process reads the same day from the store.
  Hub b = hub(ccLimits(10000, 1'000'000));
  EXPECT_EQ(b.governor->usage("app-1").api_calls_today, kCalls);
}

// tryAcquire (for a caller on an event loop) grants only from a lease the process holds: never a
// store round trip, never a wait; what it grants is counted like any other call.
TEST_P(LeaseGovernorTest, TryAcquireGrantsOnlyFromALeaseAndCountsWhatItGrants) {
  Hub a = hub(ccLimits(10000, 1'000'000));
  EXPECT_FALSE(a.governor->tryAcquire(api())) << "no lease yet";
  EXPECT_EQ(a.ledger->takes, 0);
  // Calls at one instant: each lease is used up within its hold, so the next one is twice as big.
  // Leases of 1, 2 and 4 serve the first 7; the 8th takes a lease of 8 and leaves 7 in it.
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(a.governor->acquire(api(), seconds(1)).admitted);
  const int takes = a.ledger->takes;
  int from_lease = 0;
  while (auto granted = a.governor->tryAcquire(api("conn_" + std::to_string(from_lease % 2)))) {
    ASSERT_TRUE(granted->admitted);
    EXPECT_EQ(*granted->api_calls_left_today, 1'000'000 - 8 - from_lease - 1);
    ++from_lease;
  }
  EXPECT_EQ(from_lease, 7);
  EXPECT_EQ(a.ledger->takes, takes) << "the store was not asked";
  EXPECT_FALSE(a.governor->tryAcquire(api())) << "the lease is used up";
  // Nor once the hold is over, however much of a lease is left.
  ASSERT_TRUE(a.governor->acquire(api(), seconds(1)).admitted);
  clock.advance(milliseconds(101));
  EXPECT_FALSE(a.governor->tryAcquire(api()));
  const BudgetSnapshot s = a.governor->snapshot("app-1");
  EXPECT_EQ(s.used_today, 8 + from_lease + 1);
}

// tryAcquire runs on an event loop: it must not wait for the governor's lock while another call
// holds it through a store round trip (a take), even with a lease it could grant from.
TEST_P(LeaseGovernorTest, TryAcquireDoesNotWaitWhileAnotherCallIsAtTheStore) {
  class GatedLedger final : public ForwardingLedger {
   public:
    using ForwardingLedger::ForwardingLedger;
    Result<LedgerOutcome> take(const CallTicket& call, TimePoint now, const LedgerLimits& limits,
                               const LeaseRequest& lease, const LedgerReturn& returned) override {
      if (call.door == Door::Token) {
        entered.set_value();
        opened.wait();
      }
      return ForwardingLedger::take(call, now, limits, lease, returned);
    }
    std::promise<void> entered;
    std::shared_future<void> opened;
  };
  auto store = process();
  GatedLedger ledger(store->ledger());
  std::promise<void> gate;
  ledger.opened = gate.get_future().share();
  LocalGovernor governor(
      clock, ccLimits(10000, 1'000'000), [this](milliseconds wait) { clock.advance(wait); },
      GovernorSettings{}, &ledger);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(governor.acquire(api(), seconds(1)).admitted);  // a lease, 7 left
  std::thread token([&] {
    governor.acquire({"app-1", Door::Token, CallClass::Interactive, "conn_1"}, seconds(1));
  });
  ledger.entered.get_future().wait();  // the token call holds the governor through its take
  // A tryAcquire that waits would wait forever: the watchdog opens the gate after 10 s at most.
  std::mutex mutex;
  std::condition_variable wake;
  bool gate_opened = false;
  const auto openGate = [&] {
    std::lock_guard lock(mutex);
    if (gate_opened) return false;
    gate_opened = true;
    gate.set_value();
    wake.notify_all();
    return true;
  };
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!wake.wait_for(lock, seconds(10), [&] { return gate_opened; })) {
      lock.unlock();
      openGate();
    }
  });
  const auto tried = governor.tryAcquire(api());
  const bool returned_before_the_take_ended = openGate();
  token.join();
  watchdog.join();
  EXPECT_TRUE(returned_before_the_take_ended) << "tryAcquire waited for the store";
  EXPECT_FALSE(tried) << "nothing granted while the lock was held";
  EXPECT_TRUE(governor.tryAcquire(api())) << "the lease serves again once the take is over";
}

// At CC's 4 calls a second a lease is one call: every call goes the way that may wait.
TEST_P(LeaseGovernorTest, AtCcsLimitTryAcquireNeverGrants) {
  Hub a = hub(ccLimits(4, 10000));
  for (int i = 0; i < 8; ++i) {
    EXPECT_FALSE(a.governor->tryAcquire(api()));
    ASSERT_TRUE(a.governor->acquire(api(), seconds(10)).admitted);
  }
}

TEST_P(LeaseGovernorTest, ACallAtATimeAtCcsLimitIsATakeEach) {
  Hub a = hub(ccLimits(4, 10000));
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(a.governor->acquire(api(), seconds(10)).admitted);
  EXPECT_EQ(a.ledger->takes, 40) << "each call a take of its own";
}

TEST_P(LeaseGovernorTest, TwoProcessesLeasingNeverPutMoreThanTheLimitIntoTheWindow) {
  const int kLimit = 400;
  Hub hubs[] = {hub(ccLimits(kLimit, 1'000'000)), hub(ccLimits(kLimit, 1'000'000))};
  std::vector<TimePoint> granted;
  // Bursts of 37 calls from one process or the other: 5 s at half the limit, then 5 s at twice it.
  const auto run = [&](std::chrono::microseconds apart, TimePoint until) {
    for (int i = 0; clock.now() < until; ++i) {
      Hub& h = hubs[(i / 37) % 2];
      const Admission a = h.governor->acquire(api("conn_" + std::to_string(i % 5)), seconds(5));
      ASSERT_TRUE(a.admitted) << a.reason;
      granted.push_back(clock.now());
      clock.advance(apart);
    }
  };
  run(std::chrono::microseconds(5000), kNoon + seconds(5));
  const size_t calm = granted.size();
  const int calm_takes = hubs[0].ledger->takes + hubs[1].ledger->takes;
  EXPECT_LT(calm_takes, static_cast<int>(calm) / 4) << "leases while the window has room";
  run(std::chrono::microseconds(1250), kNoon + seconds(10));
  std::sort(granted.begin(), granted.end());
  EXPECT_LE(mostInASecond(granted), static_cast<size_t>(kLimit));
  EXPECT_GE(granted.size() - calm, static_cast<size_t>(kLimit * 4)) << "the full window's room was used";
  figure("lease.calm_calls", static_cast<int64_t>(calm));
  figure("lease.calm_takes", calm_takes);
  figure("lease.busy_calls", static_cast<int64_t>(granted.size() - calm));
  figure("lease.busy_takes", hubs[0].ledger->takes + hubs[1].ledger->takes - calm_takes);
  figure("lease.most_in_a_second", static_cast<int64_t>(mostInASecond(granted)));
}

INSTANTIATE_TEST_SUITE_P(Store, LeaseGovernorTest, ::testing::ValuesIn(ledgerStores()), storeName);

}  // namespace
}  // namespace liaison::hub::testing
