#include "hub/webhooks/retry_policy.h"

#include <gtest/gtest.h>

#include "support/seeded_random.h"

namespace liaison::hub::webhooks {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(WebhookRetryPolicy, CeilingDoublesFromTenSecondsUpToOneHour) {
  EXPECT_EQ(backoffCeiling(1), seconds(10));
  EXPECT_EQ(backoffCeiling(2), seconds(20));
  EXPECT_EQ(backoffCeiling(3), seconds(40));
  EXPECT_EQ(backoffCeiling(9), seconds(2560));
  EXPECT_EQ(backoffCeiling(10), hours(1));  // 5120 s, capped
  EXPECT_EQ(backoffCeiling(1000), hours(1));
  EXPECT_EQ(backoffCeiling(0), seconds(10));  // nonsense counts read as the first attempt
}

TEST(WebhookRetryPolicy, DelaysStayBetweenZeroAndTheCeiling) {
  testing::TestRandom random;
  for (int attempt = 1; attempt <= 14; ++attempt) {
    for (int draw = 0; draw < 500; ++draw) {
      const milliseconds delay = retryDelay(attempt, random.random());
      ASSERT_GE(delay, milliseconds(0));
      ASSERT_LE(delay, backoffCeiling(attempt));
      ASSERT_LE(delay, hours(1));
    }
  }
}

TEST(WebhookRetryPolicy, DelaysGrowWithTheAttemptUntilTheCap) {
  testing::TestRandom random;
  auto meanDelay = [&](int attempt) {
    int64_t total = 0;
    for (int draw = 0; draw < 2000; ++draw) total += retryDelay(attempt, random.random()).count();
    return total / 2000;
  };
  int64_t previous = meanDelay(1);
  // Full jitter: the mean is half the ceiling, so each doubling of the ceiling shows in it.
  EXPECT_NEAR(static_cast<double>(previous), 5000.0, 500.0);
  for (int attempt = 2; attempt <= 9; ++attempt) {
    const int64_t mean = meanDelay(attempt);
    EXPECT_GT(mean, previous * 3 / 2) << "attempt " << attempt;
    previous = mean;
  }
  EXPECT_NEAR(static_cast<double>(meanDelay(30)), 1'800'000.0, 100'000.0);
}

TEST(WebhookRetryPolicy, NextAttemptIsNowPlusTheDrawnDelay) {
  SeededRandom a(7);
  SeededRandom b(7);
  const TimePoint first = fromUnixSeconds(1'700'000'000);
  const TimePoint now = first + seconds(95);
  const auto next = nextAttempt(first, now, 3, a);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, now + retryDelay(3, b));
}

TEST(WebhookRetryPolicy, RetriesForADayThenGivesUp) {
  testing::TestRandom random;
  const TimePoint first = fromUnixSeconds(1'700'000'000);
  TimePoint now = first;
  int attempts = 1;
  for (;;) {
    const auto next = nextAttempt(first, now, attempts, random.random());
    if (!next) break;
    ASSERT_GE(*next, now);
    ASSERT_LE(*next - now, hours(1));
    ASSERT_LE(*next, first + hours(24));
    now = *next;
    ++attempts;
    ASSERT_LT(attempts, 1000) << "never gave up";
  }
  // It gave up because the next delay (at most an hour) would pass the day: so it kept trying for
  // more than 23 hours, at least one attempt an hour.
  EXPECT_GT(now, first + hours(23));
  EXPECT_GE(attempts, 24);
}

TEST(WebhookRetryPolicy, NothingIsScheduledPastTheDay) {
  testing::TestRandom random;
  const TimePoint first = fromUnixSeconds(1'700'000'000);
  for (int draw = 0; draw < 100; ++draw) {
    EXPECT_FALSE(nextAttempt(first, first + hours(24) + milliseconds(1), 40, random.random()));
    const auto late = nextAttempt(first, first + hours(23) + std::chrono::minutes(59), 40, random.random());
    if (late) {
      EXPECT_LE(*late, first + hours(24));
    }
  }
}

}  // namespace
}  // namespace liaison::hub::webhooks
