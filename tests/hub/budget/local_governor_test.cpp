// The governor with one caller at a time on a ManualClock: pacing, classes and the reserve, the
// day's quota and its reset at 00:00 UTC, the bounded wait, and the budget snapshot.
#include "hub/budget/local_governor.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/random.h"

namespace liaison::hub {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kNoon = fromUnixSeconds(1767268800);      // 2026-01-01T12:00:00Z
const TimePoint kMidnight = fromUnixSeconds(1767312000);  // 2026-01-02T00:00:00Z

cc::Limits limits(int per_second, int per_day, int token_per_second = 1) {
  cc::Limits out;
  out.requests_per_second_per_key = per_second;
  out.requests_per_day_per_key = per_day;
  out.token_requests_per_second_per_client = token_per_second;
  return out;
}

CallTicket api(CallClass call_class, const std::string& connection_id = "conn_1") {
  return {"app-1", Door::Api, call_class, connection_id};
}

class GovernorTest : public ::testing::Test {
 protected:
  GovernorTest(cc::Limits l = limits(4, 10000), GovernorSettings settings = {})
      : governor(
            clock, l, [this](milliseconds wait) { sleep(wait); }, settings) {}

  void sleep(milliseconds wait) {
    sleeps.push_back(wait);
    clock.advance(wait);
  }

  ManualClock clock{kNoon};
  std::vector<milliseconds> sleeps;
  LocalGovernor governor;
};

TEST_F(GovernorTest, AnInteractiveCallSleepsUntilTheNextSlotAndSaysHowLongItWaited) {
  for (int i = 0; i < 4; ++i) {
    const auto a = governor.acquire(api(CallClass::Interactive), seconds(10));
    ASSERT_TRUE(a.admitted);
    EXPECT_EQ(a.waited, milliseconds(0));
  }
  EXPECT_TRUE(sleeps.empty());
  const auto fifth = governor.acquire(api(CallClass::Interactive), seconds(10));
  ASSERT_TRUE(fifth.admitted);
  EXPECT_EQ(sleeps, std::vector<milliseconds>{milliseconds(1000)});
  EXPECT_EQ(fifth.waited, milliseconds(1000));
}

TEST_F(GovernorTest, ACallWhoseTurnComesAfterItsMaxWaitIsRefusedAtOnceWithRetryAfter) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(governor.admit(api(CallClass::Background)).admitted);
  clock.advance(milliseconds(200));
  const auto refused = governor.acquire(api(CallClass::Interactive), milliseconds(500));
  EXPECT_FALSE(refused.admitted);
  EXPECT_STREQ(refused.reason, "max_wait");
  EXPECT_EQ(refused.retry_after, milliseconds(800));
  EXPECT_TRUE(sleeps.empty()) << "a refused call does not wait first";
  EXPECT_EQ(governor.usage("app-1").refused_today, 1);
  // Zero: only a free slot will do.
  EXPECT_FALSE(governor.acquire(api(CallClass::Interactive), milliseconds(0)).admitted);
  clock.advance(milliseconds(800));
  EXPECT_TRUE(governor.acquire(api(CallClass::Interactive), milliseconds(0)).admitted);
}

// Without a ledger, tryAcquire grants while this process's window has room, and is counted.
TEST_F(GovernorTest, TryAcquireGrantsWhileTheWindowHasRoomAndNeverWaits) {
  for (int i = 0; i < 4; ++i) {
    const auto granted = governor.tryAcquire(api(CallClass::Interactive));
    ASSERT_TRUE(granted && granted->admitted);
    EXPECT_EQ(*granted->api_calls_left_today, 10000 - i - 1);
  }
  EXPECT_FALSE(governor.tryAcquire(api(CallClass::Interactive))) << "the second is full";
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(governor.usage("app-1").api_calls_today, 4);
  EXPECT_EQ(governor.usage("app-1").refused_today, 0) << "a call tryAcquire turns away goes the usual way";
  clock.advance(seconds(1));
  EXPECT_TRUE(governor.tryAcquire(api(CallClass::Interactive)));
}

TEST_F(GovernorTest, AdmitNeverWaitsAndPacingIsNotCountedAsRefused) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(governor.admit(api(CallClass::Background)).admitted);
  const auto paced = governor.admit(api(CallClass::Background));
  EXPECT_FALSE(paced.admitted);
  EXPECT_STREQ(paced.reason, "per_second");
  EXPECT_EQ(paced.retry_after, milliseconds(1000));
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(governor.usage("app-1").refused_today, 0);
}

TEST_F(GovernorTest, ThePerSecondLimitsHoldOverASimulatedMinuteOfMixedCalls) {
  SeededRandom random(7);
  std::vector<TimePoint> api_calls, token_calls;
  const TimePoint end = kNoon + seconds(60);
  while (clock.now() < end) {
    const auto call_class = static_cast<CallClass>(random.uniform(3));
    const Door door = random.uniform(4) == 0 ? Door::Token : Door::Api;
    const CallTicket call{"app-1", door, call_class, "conn_" + std::to_string(random.uniform(5))};
    const Admission a =
        call_class == CallClass::Interactive ? governor.acquire(call, seconds(10)) : governor.admit(call);
    if (a.admitted) (door == Door::Api ? api_calls : token_calls).push_back(clock.now());
    clock.advance(milliseconds(random.uniform(300)));
  }
  const auto most_in_a_second = [](const std::vector<TimePoint>& calls) {
    size_t most = 0;
    for (size_t i = 0; i < calls.size(); ++i) {
      size_t j = i;
      while (j < calls.size() && calls[j] < calls[i] + seconds(1)) ++j;
      most = std::max(most, j - i);
    }
    return most;
  };
  EXPECT_EQ(most_in_a_second(api_calls), 4u);  // reached, never passed
  EXPECT_EQ(most_in_a_second(token_calls), 1u);
  EXPECT_GT(api_calls.size(), 100u);
  EXPECT_EQ(governor.usage("app-1").api_calls_today, static_cast<int64_t>(api_calls.size()));
  EXPECT_EQ(governor.usage("app-1").token_calls_today, static_cast<int64_t>(token_calls.size()));
}

class SmallDayTest : public GovernorTest {
 protected:
  SmallDayTest() : GovernorTest(limits(1000, 100)) {}
  // Spends API calls of a class until the governor says no; returns how many went.
  int spend(CallClass call_class, const std::string& connection_id = "conn_1") {
    int went = 0;
    while (governor.admit(api(call_class, connection_id)).admitted) {
      ++went;
      clock.advance(milliseconds(1));
    }
    return went;
  }
};

TEST_F(SmallDayTest, HealthAndBackgroundStopAtTheReserveWhileInteractiveCallsGoOn) {
  EXPECT_EQ(spend(CallClass::Background), 80);  // 20 % of 100 are kept
  const auto held = governor.admit(api(CallClass::Background));
  EXPECT_FALSE(held.admitted);
  EXPECT_STREQ(held.reason, "reserve");
  EXPECT_EQ(held.resets_at, kMidnight);
  EXPECT_FALSE(governor.admit(api(CallClass::Health)).admitted);
  EXPECT_FALSE(governor.acquire(api(CallClass::Health), seconds(10)).admitted);
  // The token endpoint has no daily budget of its own: refreshes keep going.
  EXPECT_TRUE(governor.admit({"app-1", Door::Token, CallClass::Background, "conn_1"}).admitted);
  EXPECT_TRUE(governor.acquire(api(CallClass::Interactive), seconds(10)).admitted);
  EXPECT_EQ(governor.usage("app-1").refused_today, 4);  // the end of spend() and the three above
}

TEST_F(SmallDayTest, ASpentDayIsRefusedAsQuotaExceededUntilMidnightUtc) {
  EXPECT_EQ(spend(CallClass::Interactive), 100);
  const auto refused = governor.acquire(api(CallClass::Interactive), seconds(10));
  EXPECT_FALSE(refused.admitted);
  EXPECT_STREQ(refused.reason, "quota_exceeded");
  ASSERT_TRUE(refused.resets_at.has_value());
  EXPECT_EQ(*refused.resets_at, kMidnight);
  EXPECT_EQ(refused.retry_after, std::chrono::duration_cast<milliseconds>(kMidnight - clock.now()));
  EXPECT_TRUE(sleeps.empty()) << "no waiting for a day that is spent";
  EXPECT_STREQ(governor.admit(api(CallClass::Background)).reason, "quota_exceeded");
  const auto snapshot = governor.snapshot("app-1");
  EXPECT_EQ(snapshot.used_today, 100);
  EXPECT_EQ(snapshot.remaining_today, 0);
  EXPECT_EQ(snapshot.resets_at, kMidnight);
  EXPECT_EQ(snapshot.refused_today, 3);  // the one that ended spend() and the two above
}

TEST_F(SmallDayTest, TheDayRollsOverAtMidnightUtc) {
  spend(CallClass::Interactive, "conn_1");
  clock.set(kMidnight - milliseconds(1));
  EXPECT_FALSE(governor.admit(api(CallClass::Interactive)).admitted);
  clock.set(kMidnight);
  const auto fresh = governor.snapshot("app-1");
  EXPECT_EQ(fresh.used_today, 0);
  EXPECT_EQ(fresh.remaining_today, 100);
  EXPECT_EQ(fresh.refused_today, 0);
  EXPECT_TRUE(fresh.top_connections.empty());
  EXPECT_EQ(fresh.resets_at, kMidnight + std::chrono::hours(24));
  EXPECT_TRUE(governor.admit(api(CallClass::Background)).admitted);
  EXPECT_EQ(governor.usage("app-1").api_calls_today, 1);
}

class ReserveSettingTest : public GovernorTest {
 protected:
  ReserveSettingTest() : GovernorTest(limits(1000, 100), GovernorSettings{50}) {}
};

TEST_F(ReserveSettingTest, TheReserveIsTheConfiguredShare) {
  int went = 0;
  while (governor.admit(api(CallClass::Health)).admitted) ++went;
  EXPECT_EQ(went, 50);
  EXPECT_EQ(governor.snapshot("app-1").reserve_percent, 50);
}

TEST_F(GovernorTest, TheSnapshotShowsLimitsRateAndTheBusiestConnections) {
  for (int c = 0; c < 12; ++c) {
    for (int i = 0; i <= c; ++i) {
      ASSERT_TRUE(
          governor.acquire(api(CallClass::Interactive, "conn_" + std::to_string(c)), seconds(10)).admitted);
    }
  }
  // App-level calls count against the day but belong to no connection.
  ASSERT_TRUE(governor.acquire(api(CallClass::Interactive, ""), seconds(10)).admitted);
  ASSERT_TRUE(governor.admit({"app-1", Door::Token, CallClass::Background, ""}).admitted);
  const auto s = governor.snapshot("app-1");
  EXPECT_EQ(s.app_id, "app-1");
  EXPECT_EQ(s.api_per_second, 4);
  EXPECT_EQ(s.api_per_day, 10000);
  EXPECT_EQ(s.token_per_second, 1);
  EXPECT_EQ(s.reserve_percent, 20);
  EXPECT_EQ(s.used_today, 79);  // 1 + 2 + ... + 12, and the app's own
  EXPECT_EQ(s.remaining_today, 10000 - 79);
  EXPECT_EQ(s.token_calls_today, 1);
  // 79 calls at 4 a second: the last minute holds them all, the last second the last three.
  EXPECT_EQ(s.calls_last_minute, 79);
  EXPECT_EQ(s.calls_last_second, 3);
  EXPECT_EQ(s.queued, (std::array<int64_t, kCallClasses>{0, 0, 0}));
  ASSERT_EQ(s.top_connections.size(), 10u);
  EXPECT_EQ(s.top_connections[0].connection_id, "conn_11");
  EXPECT_EQ(s.top_connections[0].calls_today, 12);
  EXPECT_EQ(s.top_connections[9].connection_id, "conn_2");
  EXPECT_EQ(s.top_connections[9].calls_today, 3);
  clock.advance(seconds(61));
  const auto later = governor.snapshot("app-1");
  EXPECT_EQ(later.calls_last_minute, 0);
  EXPECT_EQ(later.calls_last_second, 0);
  EXPECT_EQ(later.used_today, 79);
}

}  // namespace
}  // namespace liaison::hub
