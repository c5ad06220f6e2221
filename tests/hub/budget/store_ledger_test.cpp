// The rate ledger in the store, on each store of the binary (ledger_store.h): the shared window of
// each door, the day's quota and reserve, the day's end at 00:00 UTC, the busiest connections and
// the refusals, as every process on the store sees them.
#include <gtest/gtest.h>

#include "hub/budget/ledger_store.h"
#include "hub/budget/store_ledger.h"

namespace liaison::hub::testing {
namespace {

using Kind = LedgerOutcome::Kind;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;

const LedgerLimits kFourASecond{4, 10000, 20};
const LedgerLimits kOneASecond{1, 10000, 20};
const LedgerLimits kSmallDay{1000, 10, 20};  // pacing out of the way

CallTicket api(CallClass call_class = CallClass::Interactive, const std::string& connection_id = "conn_1") {
  return {"app-1", Door::Api, call_class, connection_id};
}
CallTicket token() { return {"app-1", Door::Token, CallClass::Background, "conn_1"}; }

LedgerOutcome take(RateLedger& ledger, const CallTicket& call, TimePoint at, const LedgerLimits& limits) {
  auto outcome = ledger.take(call, at, limits);
  EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().detail);
  return outcome.ok() ? *outcome : LedgerOutcome{};
}

LedgerUsage usage(RateLedger& ledger, TimePoint at) {
  auto use = ledger.usage("app-1", at);
  EXPECT_TRUE(use.ok()) << (use.ok() ? "" : use.error().detail);
  return use.ok() ? *use : LedgerUsage{};
}

TEST_P(LedgerTest, TheFifthCallOfASecondWaitsUntilTheFirstIsASecondOld) {
  auto store = process();
  RateLedger& ledger = store->ledger();
  for (int i = 0; i < 4; ++i) {
    const auto taken = take(ledger, api(), kNoon + milliseconds(100 * i), kFourASecond);
    ASSERT_EQ(taken.kind, Kind::Taken) << i;
    EXPECT_EQ(taken.today.api_today, i + 1);
  }
  const auto fifth = take(ledger, api(), kNoon + milliseconds(400), kFourASecond);
  EXPECT_EQ(fifth.kind, Kind::Wait);
  EXPECT_EQ(fifth.wait, milliseconds(600));
  EXPECT_EQ(fifth.today.api_today, 4) << "a wait records nothing";
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(999), kFourASecond).wait, milliseconds(1));
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1000), kFourASecond).kind, Kind::Taken);
  // Now the second call, at 100 ms, is the oldest of the last four.
  const auto next = take(ledger, api(), kNoon + milliseconds(1000), kFourASecond);
  EXPECT_EQ(next.kind, Kind::Wait);
  EXPECT_EQ(next.wait, milliseconds(100));
  EXPECT_EQ(usage(ledger, kNoon + milliseconds(1000)).today.api_today, 5);
}

TEST_P(LedgerTest, AWindowWithAMarginKeepsCallsASecondAndTheMarginApart) {
  auto store = process();
  RateLedger& ledger = store->ledger();
  const LedgerLimits margin{1, 10000, 20, 1025};
  ASSERT_EQ(take(ledger, api(), kNoon, margin).kind, Kind::Taken);
  const auto early = take(ledger, api(), kNoon + milliseconds(1000), margin);
  EXPECT_EQ(early.kind, Kind::Wait);
  EXPECT_EQ(early.wait, milliseconds(25));
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1025), margin).kind, Kind::Taken);
}

TEST_P(LedgerTest, AnotherProcessSeesTheSameWindow) {
  auto first = process();
  auto second = process();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(take(first->ledger(), api(), kNoon, kFourASecond).kind, Kind::Taken);
    ASSERT_EQ(take(second->ledger(), api(), kNoon, kFourASecond).kind, Kind::Taken);
  }
  const auto full = take(second->ledger(), api(), kNoon + milliseconds(250), kFourASecond);
  EXPECT_EQ(full.kind, Kind::Wait);
  EXPECT_EQ(full.wait, milliseconds(750));
  EXPECT_EQ(full.today.api_today, 4);
}

TEST_P(LedgerTest, TheTokenDoorHasItsOwnWindowOfOneASecondAndNoDailyBudget) {
  auto store = process();
  RateLedger& ledger = store->ledger();
  for (int i = 0; i < 4; ++i) ASSERT_EQ(take(ledger, api(), kNoon, kFourASecond).kind, Kind::Taken);
  const auto refresh = take(ledger, token(), kNoon, kOneASecond);
  EXPECT_EQ(refresh.kind, Kind::Taken) << "a full API second does not hold the token door";
  EXPECT_EQ(refresh.today.token_today, 1);
  EXPECT_EQ(refresh.today.api_today, 4);
  const auto again = take(ledger, token(), kNoon + milliseconds(500), kOneASecond);
  EXPECT_EQ(again.kind, Kind::Wait);
  EXPECT_EQ(again.wait, milliseconds(500));
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(500), kFourASecond).kind, Kind::Wait);
  // A spent day of API calls does not stop refreshes.
  const LedgerLimits spent{1, 4, 20};
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1000), spent).kind, Kind::QuotaExceeded);
  EXPECT_EQ(take(ledger, token(), kNoon + milliseconds(1000), spent).kind, Kind::Taken);
  EXPECT_EQ(usage(ledger, kNoon + milliseconds(1000)).today.token_today, 2);
}

TEST_P(LedgerTest, TheDaysCallsAreSharedAndRefusedOnceSpent) {
  auto first = process();
  auto second = process();
  int taken = 0;
  for (int i = 0; i < 12; ++i) {
    RateLedger& ledger = (i % 2 == 0 ? first : second)->ledger();
    if (take(ledger, api(), kNoon + milliseconds(i), kSmallDay).kind == Kind::Taken) ++taken;
  }
  EXPECT_EQ(taken, 10);
  const auto spent = take(first->ledger(), api(), kNoon + milliseconds(20), kSmallDay);
  EXPECT_EQ(spent.kind, Kind::QuotaExceeded);
  EXPECT_EQ(spent.today.api_today, 10);
  EXPECT_EQ(usage(second->ledger(), kNoon + milliseconds(20)).today.api_today, 10);
}

TEST_P(LedgerTest, HealthAndBackgroundStopAtTheReserveWhileInteractiveCallsGoOn) {
  auto store = process();
  RateLedger& ledger = store->ledger();
  for (int i = 0; i < 8; ++i)
    ASSERT_EQ(take(ledger, api(CallClass::Background), kNoon, kSmallDay).kind, Kind::Taken);
  const auto held = take(ledger, api(CallClass::Background), kNoon, kSmallDay);
  EXPECT_EQ(held.kind, Kind::Reserve);
  EXPECT_EQ(held.today.api_today, 8);
  EXPECT_EQ(take(ledger, api(CallClass::Health), kNoon, kSmallDay).kind, Kind::Reserve);
  EXPECT_EQ(take(ledger, api(CallClass::Interactive), kNoon, kSmallDay).kind, Kind::Taken);
  EXPECT_EQ(take(ledger, api(CallClass::Interactive), kNoon, kSmallDay).kind, Kind::Taken);
  EXPECT_EQ(take(ledger, api(CallClass::Interactive), kNoon, kSmallDay).kind, Kind::QuotaExceeded);
  EXPECT_EQ(take(ledger, api(CallClass::Health), kNoon, kSmallDay).kind, Kind::QuotaExceeded);
}

TEST_P(LedgerTest, TheDayEndsAtMidnightUtc) {
  auto store = process();
  RateLedger& ledger = store->ledger();
  for (int i = 0; i < 10; ++i) ASSERT_EQ(take(ledger, api(), kNoon, kSmallDay).kind, Kind::Taken);
  ASSERT_TRUE(ledger.recordRefusal("app-1", kNoon).ok());
  ASSERT_EQ(take(ledger, token(), kNoon, kSmallDay).kind, Kind::Taken);
  EXPECT_EQ(take(ledger, api(), kMidnight - milliseconds(1), kSmallDay).kind, Kind::QuotaExceeded);

  const auto fresh = usage(ledger, kMidnight);  // read before any call of the new day
  EXPECT_EQ(fresh.today.api_today, 0);
  EXPECT_EQ(fresh.today.token_today, 0);
  EXPECT_EQ(fresh.today.refused_today, 0);
  EXPECT_TRUE(fresh.top_connections.empty());

  const auto first = take(ledger, api(CallClass::Interactive, "conn_2"), kMidnight, kSmallDay);
  EXPECT_EQ(first.kind, Kind::Taken);
  EXPECT_EQ(first.today.api_today, 1);
  EXPECT_EQ(first.today.token_today, 0);
  EXPECT_EQ(first.today.refused_today, 0);
  const auto day = usage(ledger, kMidnight + hours(1));
  ASSERT_EQ(day.top_connections.size(), 1u);
  EXPECT_EQ(day.top_connections[0].connection_id, "conn_2");
  // A process whose clock is still a moment before midnight spends the new day, not the old one.
  const auto late =
      take(ledger, api(CallClass::Interactive, "conn_2"), kMidnight - milliseconds(1), kSmallDay);
  EXPECT_EQ(late.kind, Kind::Taken);
  EXPECT_EQ(late.today.api_today, 2);
  const auto seen_late = usage(ledger, kMidnight - milliseconds(1));
  EXPECT_EQ(seen_late.today.api_today, 2);
  ASSERT_EQ(seen_late.top_connections.size(), 1u);
  EXPECT_EQ(seen_late.top_connections[0].calls_today, 2);
}

TEST_P(LedgerTest, TheBusiestConnectionsAreTheTopTenWithTiesByIdAndAppCallsInNone) {
  auto first = process();
  auto second = process();
  const LedgerLimits roomy{1000, 10000, 20};
  for (const std::string id : {"conn_d", "conn_c", "conn_b", "conn_a"}) {
    for (int i = 0; i < 3; ++i)
      ASSERT_EQ(take(first->ledger(), api(CallClass::Interactive, id), kNoon, roomy).kind, Kind::Taken);
  }
  // Eight connections tie at two calls: the two last by id are left out.
  for (int c = 0; c < 8; ++c) {
    const std::string id = "conn_" + std::to_string(c);
    for (int i = 0; i < 2; ++i)
      ASSERT_EQ(take(second->ledger(), api(CallClass::Interactive, id), kNoon, roomy).kind, Kind::Taken);
  }
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(take(second->ledger(), api(CallClass::Interactive, ""), kNoon, roomy).kind, Kind::Taken);
  ASSERT_EQ(take(first->ledger(), api(CallClass::Interactive, "conn_z"), kNoon, roomy).kind, Kind::Taken);

  const auto use = usage(first->ledger(), kNoon);
  EXPECT_EQ(use.today.api_today, 4 * 3 + 8 * 2 + 5 + 1);
  std::vector<std::pair<std::string, int64_t>> top;
  for (const auto& c : use.top_connections) top.emplace_back(c.connection_id, c.calls_today);
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"conn_a", 3}, {"conn_b", 3}, {"conn_c", 3}, {"conn_d", 3}, {"conn_0", 2},
      {"conn_1", 2}, {"conn_2", 2}, {"conn_3", 2}, {"conn_4", 2}, {"conn_5", 2}};
  EXPECT_EQ(top, expected);
}

TEST_P(LedgerTest, RefusalsAreCountedForTheDay) {
  auto first = process();
  auto second = process();
  ASSERT_TRUE(first->ledger().recordRefusal("app-1", kNoon).ok());
  ASSERT_TRUE(second->ledger().recordRefusal("app-1", kNoon).ok());
  ASSERT_TRUE(second->ledger().recordRefusal("app-2", kNoon).ok());
  EXPECT_EQ(usage(first->ledger(), kNoon).today.refused_today, 2);
  EXPECT_EQ(take(second->ledger(), api(), kNoon, kSmallDay).today.refused_today, 2);
  EXPECT_EQ(usage(first->ledger(), kMidnight).today.refused_today, 0);
}

TEST_P(LedgerTest, ALoweredOrRaisedLimitHoldsAtOnce) {
  auto store = process();
  RateLedger& ledger = store->ledger();
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(take(ledger, api(), kNoon + milliseconds(100 * i), kFourASecond).kind, Kind::Taken);
  // Lowered to 2: the next call goes once the window holds only one call, 200 ms after the
  // second the oldest three (0, 100, 200 ms) left; from then on two a second.
  const LedgerLimits two{2, 10000, 20};
  const auto wait = take(ledger, api(), kNoon + milliseconds(500), two);
  EXPECT_EQ(wait.kind, Kind::Wait);
  EXPECT_EQ(wait.wait, milliseconds(700));
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1000), two).wait, milliseconds(200));
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1200), two).kind, Kind::Taken);
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1200), two).wait, milliseconds(100));  // 300 ms call
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1300), two).kind, Kind::Taken);
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1300), two).wait, milliseconds(900));
  // Raised again: the window has room for the calls it no longer holds.
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1500), kFourASecond).kind, Kind::Taken) << i;
  EXPECT_EQ(take(ledger, api(), kNoon + milliseconds(1500), kFourASecond).wait, milliseconds(700));
}

TEST_P(LedgerTest, CallsAMillisecondApartAreNeverLessThanASecondApartWhenRounded) {
  auto store = process();
  RateLedger& ledger = store->ledger();
  ASSERT_EQ(take(ledger, api(), kNoon + microseconds(500), kOneASecond).kind, Kind::Taken);
  const auto early = take(ledger, api(), kNoon + microseconds(1000400), kOneASecond);
  EXPECT_EQ(early.kind, Kind::Wait);
  EXPECT_EQ(early.wait, milliseconds(1));
  EXPECT_EQ(take(ledger, api(), kNoon + microseconds(1000400) + early.wait, kOneASecond).kind, Kind::Taken);
}

INSTANTIATE_TEST_SUITE_P(Store, LedgerTest, ::testing::ValuesIn(ledgerStores()), storeName);

}  // namespace
}  // namespace liaison::hub::testing
